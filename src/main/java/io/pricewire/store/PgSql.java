package io.pricewire.store;

/** Every SQL statement the PostgreSQL store runs. */
final class PgSql {

  private PgSql() {
  }

  static final String OFFER_COLUMNS = "supplier, sku, version, seq, currency, price_micros, sale_price_micros, "
      + "availability, quantity, titles, category, brand, gtin, committed_at, tax_class";

  /** Takes the log lock: commits from every node queue here, in one order. */
  static final String LOCK_HEAD = "SELECT epoch::text AS epoch, head_seq, writer FROM ledger FOR UPDATE";

  static final String HEAD = "SELECT epoch::text AS epoch, head_seq FROM ledger";

  /** Moves the head and stamps who moved it: see {@link OfferCache}. */
  static final String SET_HEAD = "UPDATE ledger SET head_seq = $1, writer = $2";

  static final String LOAD_FOR_COMMIT = "SELECT " + qualified("o") + " FROM offers o "
      + "JOIN unnest($1::text[], $2::text[]) AS k(supplier, sku) ON o.supplier = k.supplier AND o.sku = k.sku";

  static final String UPSERT_OFFERS = "INSERT INTO offers (" + OFFER_COLUMNS + ") "
      + "SELECT u.supplier, u.sku, u.version, u.seq, u.currency, u.price_micros, u.sale_price_micros, "
      + "u.availability, u.quantity, u.titles::jsonb, u.category, u.brand, u.gtin, u.committed_at, u.tax_class "
      + "FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::text[], $6::int8[], $7::int8[], "
      + "$8::text[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], "
      + "$15::text[]) "
      + "AS u(supplier, sku, version, seq, currency, price_micros, sale_price_micros, availability, quantity, "
      + "titles, category, brand, gtin, committed_at, tax_class) "
      + "ON CONFLICT (supplier, sku) DO UPDATE SET version = EXCLUDED.version, seq = EXCLUDED.seq, "
      + "currency = EXCLUDED.currency, price_micros = EXCLUDED.price_micros, "
      + "sale_price_micros = EXCLUDED.sale_price_micros, availability = EXCLUDED.availability, "
      + "quantity = EXCLUDED.quantity, titles = EXCLUDED.titles, category = EXCLUDED.category, "
      + "brand = EXCLUDED.brand, gtin = EXCLUDED.gtin, committed_at = EXCLUDED.committed_at, "
      + "tax_class = EXCLUDED.tax_class";

  static final String INSERT_CHANGES = "INSERT INTO changes (seq, supplier, sku, version, changed, "
      + "previous_category, previous_availability, currency, price_micros, sale_price_micros, availability, "
      + "quantity, titles, category, brand, gtin, committed_at, tax_class) "
      + "SELECT u.seq, u.supplier, u.sku, u.version, string_to_array(u.changed, ','), u.previous_category, "
      + "u.previous_availability, u.currency, u.price_micros, u.sale_price_micros, u.availability, u.quantity, "
      + "u.titles::jsonb, u.category, u.brand, u.gtin, $17, u.tax_class "
      + "FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::text[], "
      + "$8::text[], $9::int8[], $10::int8[], $11::text[], $12::int8[], $13::text[], $14::text[], $15::text[], "
      + "$16::text[], $18::text[]) "
      + "AS u(seq, supplier, sku, version, changed, previous_category, previous_availability, currency, "
      + "price_micros, sale_price_micros, availability, quantity, titles, category, brand, gtin, tax_class)";

  static final String FIND = "SELECT " + OFFER_COLUMNS + " FROM offers WHERE supplier = $1 AND sku = $2";

  /**
   * One statement, so the head and the offers come from one database snapshot. Each kind of
   * interest is its own indexed branch; the left join yields a single row of nulls when no offer
   * matches, which still carries the head.
   */
  static final String SNAPSHOT = "WITH head AS (SELECT epoch::text AS epoch, head_seq FROM ledger), "
      + "matched AS ("
      + "SELECT * FROM offers WHERE supplier = ANY($2::text[]) AND seq > $1 "
      + "UNION SELECT * FROM offers WHERE category = ANY($3::text[]) AND seq > $1 "
      + "UNION SELECT x.* FROM offers x JOIN unnest($4::text[], $5::text[]) AS k(supplier, sku) "
      + "ON x.supplier = k.supplier AND x.sku = k.sku WHERE x.seq > $1 "
      // On resume: offers that left one of the categories after the client's seq.
      + "UNION SELECT x.* FROM offers x JOIN changes c ON x.supplier = c.supplier AND x.sku = c.sku "
      + "WHERE $1 >= 0 AND c.previous_category = ANY($3::text[]) AND c.seq > $1) "
      + "SELECT head.epoch, head.head_seq, " + qualified("o") + " FROM head LEFT JOIN matched o ON true "
      + "ORDER BY o.seq";

  static final String CHANGES_BETWEEN = "SELECT " + OFFER_COLUMNS
      + ", changed, previous_category, previous_availability FROM changes WHERE seq > $1 AND seq <= $2 ORDER BY seq";

  static final String KEY_COLUMNS = "id, supplier, key_hash, label, created_at, revoked_at";

  static final String ADD_KEY = "INSERT INTO supplier_keys (id, supplier, key_hash, label, created_at) "
      + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_hash) DO NOTHING";

  static final String FIND_KEY = "SELECT " + KEY_COLUMNS + " FROM supplier_keys WHERE key_hash = $1";

  static final String LIST_KEYS = "SELECT " + KEY_COLUMNS + " FROM supplier_keys WHERE supplier = $1 "
      + "ORDER BY created_at, id";

  static final String REVOKE_KEY = "UPDATE supplier_keys SET revoked_at = coalesce(revoked_at, $3) "
      + "WHERE supplier = $1 AND id = $2 RETURNING " + KEY_COLUMNS;

  static final String ADD_RATE = "INSERT INTO fx_rates (base, quote, rate_num, rate_den, shown, as_of, source, "
      + "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

  /** Per pair, the rate for the latest day; of one day, the last received. */
  static final String LATEST_RATES = "SELECT DISTINCT ON (base, quote) base, quote, rate_num, rate_den, shown, as_of, "
      + "source, received_at FROM fx_rates ORDER BY base, quote, as_of DESC, id DESC";

  static final String RATE_HISTORY = "SELECT base, quote, rate_num, rate_den, shown, as_of, source, received_at "
      + "FROM fx_rates WHERE base = $1 AND quote = $2 ORDER BY as_of DESC, id DESC LIMIT $3";

  private static String qualified(String alias) {
    StringBuilder sb = new StringBuilder();
    for (String c : OFFER_COLUMNS.split(", ")) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(alias).append('.').append(c);
    }
    return sb.toString();
  }

  static final String INSERT_EVENT = "INSERT INTO market_events (seq, at, rates, markets, reason) "
      + "VALUES ($1, $2, $3::jsonb, $4::text[], $5)";

  static final String SET_MARKET_HEADS = "INSERT INTO market_heads (market, seq) SELECT m, $2 FROM unnest($1::text[]) AS m "
      + "ON CONFLICT (market) DO UPDATE SET seq = excluded.seq";

  static final String EVENT_COLUMNS = "seq, at, rates::text AS rates, markets, reason";

  static final String LAST_EVENT_SEQ = "SELECT coalesce(max(seq), 0) AS seq FROM market_events";
  static final String LAST_EVENT = "SELECT " + EVENT_COLUMNS + " FROM market_events ORDER BY seq DESC LIMIT 1";

  static final String MARKET_HEADS = "SELECT market, seq FROM market_heads";

  static final String EVENTS_BETWEEN = "SELECT " + EVENT_COLUMNS
      + " FROM market_events WHERE seq > $1 AND seq <= $2 ORDER BY seq";
}
