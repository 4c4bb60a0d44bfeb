package io.pricewire.store;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.Decision;
import io.pricewire.changelog.LedgerRules;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.FxRate;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.Ratio;
import io.vertx.core.json.JsonArray;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.vertx.core.VertxException;
import java.util.stream.Collectors;

/**
 * The durable store: PostgreSQL through vertx-pg-client. A commit is one transaction that locks
 * the log head, reads the touched offers it does not hold ({@link OfferCache}), and writes offers,
 * change-log rows and the new head in pipelined batch statements, COMMIT in the same pipeline; the
 * future completes after COMMIT. Commits must come from one event loop (the ledger's).
 */
public final class PgStore implements Store {

  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final PoolOptions poolOptions;
  private final NetClientOptions netOptions;
  private final long timeoutMs;
  private Pool pool;
  private final PgKeyStore keys;
  private final PgRateStore rates;
  private final OfferCache cache;

  public PgStore(Vertx vertx, PgConnectOptions connectOptions, int poolSize, long timeoutMs) {
    this(vertx, connectOptions, poolSize, timeoutMs, 0);
  }

  /**
   * @param offerCache offer states kept between commits (see {@link OfferCache}); 0 reads every
   *     touched offer from the database in every commit
   */
  public PgStore(Vertx vertx, PgConnectOptions connectOptions, int poolSize, long timeoutMs, int offerCache) {
    this.vertx = vertx;
    // Prepared once per connection: without the cache every statement is prepared again, a round
    // trip that stops the pipeline while the transaction holds the log lock.
    this.connectOptions = new PgConnectOptions(connectOptions).setPipeliningLimit(16).setCachePreparedStatements(true);
    // Every query here is short: JIT compilation would cost more than it saves.
    this.connectOptions.addProperty("jit", "off");
    this.connectOptions.addProperty("application_name", "pricewire");
    // A transaction holds the log's lock, which every node's commits queue on. If the process
    // that holds it stops (SIGSTOP, a long GC pause, a frozen VM) with the transaction open, the
    // server ends the session after this long, so the lock cannot stop the cluster's ingest for
    // longer. A live transaction is never idle that long: its statements are sent together.
    this.connectOptions.addProperty("idle_in_transaction_session_timeout", Long.toString(Math.max(1000, timeoutMs)));
    this.netOptions = new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
        .setTcpNoDelay(true).setTcpKeepAlive(true);
    this.poolOptions = new PoolOptions()
        .setMaxSize(poolSize)
        .setName("pricewire")
        // Longer than the timeout of every call (guard), which therefore fires first, with its own
        // message: a caller never waits past it for a connection.
        .setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, 2 * timeoutMs)))
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(4096);
    this.timeoutMs = timeoutMs;
    this.keys = new PgKeyStore(() -> pool, timeoutMs);
    this.rates = new PgRateStore(() -> pool, timeoutMs);
    this.cache = new OfferCache(offerCache);
  }

  @Override
  public String kind() {
    return "postgres";
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> Migrations.apply(connectOptions, timeoutMs), false)
        .map(result -> {
          pool = PgBuilder.pool().with(poolOptions).with(netOptions).connectingTo(connectOptions).using(vertx).build();
          return null;
        });
  }

  /**
   * Locks and reads what is not held, decides under the lock, then sends the writes and COMMIT
   * in one pipeline.
   */
  @Override
  public Future<Committed> commit(List<LedgerWrite> writes) {
    String[] token = {null};
    return guard(pool.withConnection(conn -> {
      conn.query("BEGIN").execute();
      boolean[] ended = {false};
      return lockAndLoad(conn, writes)
          .compose(loaded -> write(conn, writes, loaded, token, ended))
          .recover(e -> {
            if (!ended[0]) {
              // Failed before COMMIT went out: end the transaction before the connection goes back.
              return conn.query("ROLLBACK").execute().transform(done -> Future.failedFuture(e));
            }
            return Future.failedFuture(e);
          });
    }), "commit")
        .andThen(ar -> {
          if (token[0] != null) {
            if (ar.succeeded()) {
              cache.committed(token[0]);
            } else {
              cache.unknown(token[0]);
            }
          }
        });
  }

  /**
   * The outcome of a transaction whose writes and COMMIT were sent without waiting: committed
   * when every one succeeded. A failed write aborts the transaction in the database, which then
   * answers COMMIT by rolling back: the write's failure is the outcome.
   */
  private static Future<Void> outcome(List<Future<?>> sent) {
    return Future.join(sent).transform(ar -> {
      for (Future<?> f : sent) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** The log head read under the lock, who moved it last, and the current state of the touched offers. */
  private record Loaded(String epoch, long head, String writer, Map<OfferKey, Offer> current) {
  }

  /**
   * Takes the log lock and reads the touched offers this node does not hold, sent together: the
   * lock comes first on the server, so the read sees every earlier commit. When the lock shows
   * that another node wrote since, the held states are dropped and read again.
   */
  private Future<Loaded> lockAndLoad(SqlConnection conn, List<LedgerWrite> writes) {
    Set<OfferKey> keys = new LinkedHashSet<>();
    for (LedgerWrite w : writes) {
      keys.add(w.key());
    }
    List<OfferKey> misses = new ArrayList<>(keys.size());
    for (OfferKey k : keys) {
      if (!cache.holds(k)) {
        misses.add(k);
      }
    }
    Future<RowSet<Row>> head = conn.query(PgSql.LOCK_HEAD).execute();
    Future<List<Offer>> read = load(conn, misses);
    return Future.all(head, read).compose(all -> {
      Row h = head.result().iterator().next();
      String writer = h.getString("writer");
      boolean current = cache.enabled() && cache.validate(writer);
      Map<OfferKey, Offer> state = new HashMap<>(keys.size() * 2);
      for (Offer o : read.result()) {
        state.put(o.key(), o);
      }
      Set<OfferKey> asked = new java.util.HashSet<>(misses);
      List<OfferKey> more = new ArrayList<>();
      for (OfferKey k : keys) {
        if (asked.contains(k)) {
          continue;
        }
        Offer held = current ? cache.get(k) : null;
        if (held != null) {
          state.put(k, held);
        } else {
          more.add(k);
        }
      }
      return load(conn, more).map(again -> {
        for (Offer o : again) {
          state.put(o.key(), o);
        }
        if (cache.enabled()) {
          cache.loaded(read.result());
          cache.loaded(again);
        }
        return new Loaded(h.getString("epoch"), h.getLong("head_seq"), writer, state);
      });
    });
  }

  /** The stored state of these offers (those that exist). */
  private static Future<List<Offer>> load(SqlConnection conn, List<OfferKey> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    String[] suppliers = new String[keys.size()];
    String[] skus = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      suppliers[i] = keys.get(i).supplier();
      skus[i] = keys.get(i).sku();
    }
    return conn.preparedQuery(PgSql.LOAD_FOR_COMMIT).execute(Tuple.of((Object) suppliers, (Object) skus))
        .map(rows -> {
          List<Offer> offers = new ArrayList<>(rows.size());
          for (Row r : rows) {
            offers.add(toOffer(r, 0));
          }
          return offers;
        });
  }

  private Future<Committed> write(SqlConnection conn, List<LedgerWrite> writes, Loaded loaded,
      String[] token, boolean[] ended) {
    // PostgreSQL keeps microseconds; truncating here makes the published state equal the stored one.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Decision d = LedgerRules.decide(writes, loaded.current(), loaded.head(), now);
    Committed committed = new Committed(loaded.epoch(), d.outcomes(), d.changes());
    if (d.upserts().isEmpty()) {
      ended[0] = true;
      return conn.query("COMMIT").execute().map(committed);
    }
    token[0] = cache.nextToken();
    if (cache.enabled()) {
      cache.sending(token[0], loaded.writer(), d.upserts().values());
    }
    List<Future<?>> sent = new ArrayList<>(4);
    sent.add(conn.preparedQuery(PgSql.UPSERT_OFFERS).execute(offerRows(d.upserts().values())));
    if (!d.changes().isEmpty()) {
      sent.add(conn.preparedQuery(PgSql.INSERT_CHANGES).execute(changeRows(d.changes(), now)));
    }
    // Every write moves the writer token, also one that only raised a version.
    sent.add(conn.preparedQuery(PgSql.SET_HEAD).execute(Tuple.of(d.head(), token[0])));
    ended[0] = true;
    sent.add(conn.query("COMMIT").execute());
    return outcome(sent).map(committed);
  }

  static Tuple offerRows(java.util.Collection<Offer> offers) {
    int n = offers.size();
    String[] supplier = new String[n];
    String[] sku = new String[n];
    Long[] version = new Long[n];
    Long[] seq = new Long[n];
    String[] currency = new String[n];
    Long[] price = new Long[n];
    Long[] sale = new Long[n];
    String[] availability = new String[n];
    Long[] quantity = new Long[n];
    String[] titles = new String[n];
    String[] category = new String[n];
    String[] brand = new String[n];
    String[] gtin = new String[n];
    OffsetDateTime[] committedAt = new OffsetDateTime[n];
    String[] taxClass = new String[n];
    // A batch's offers mostly share one commit time: convert it once.
    Instant lastInstant = null;
    OffsetDateTime lastTime = null;
    int i = 0;
    for (Offer o : offers) {
      supplier[i] = o.supplier();
      sku[i] = o.sku();
      version[i] = o.version();
      seq[i] = o.seq();
      currency[i] = o.price().currency();
      price[i] = o.price().micros();
      sale[i] = o.salePrice() == null ? null : o.salePrice().micros();
      availability[i] = o.availability().wireName();
      quantity[i] = o.quantity();
      titles[i] = titlesJson(o);
      category[i] = o.category();
      brand[i] = o.brand();
      gtin[i] = o.gtin();
      committedAt[i] = o.committedAt().equals(lastInstant) ? lastTime : utc(o.committedAt());
      taxClass[i] = o.taxClass();
      lastInstant = o.committedAt();
      lastTime = committedAt[i];
      i++;
    }
    return Tuple.tuple(List.of(supplier, sku, version, seq, currency, price, sale, availability, quantity, titles,
        category, brand, gtin, committedAt, taxClass));
  }

  static Tuple changeRows(List<Change> changes, Instant now) {
    int n = changes.size();
    Long[] seq = new Long[n];
    String[] supplier = new String[n];
    String[] sku = new String[n];
    Long[] version = new Long[n];
    String[] changed = new String[n];
    String[] previousCategory = new String[n];
    String[] previousAvailability = new String[n];
    String[] currency = new String[n];
    Long[] price = new Long[n];
    Long[] sale = new Long[n];
    String[] availability = new String[n];
    Long[] quantity = new Long[n];
    String[] titles = new String[n];
    String[] category = new String[n];
    String[] brand = new String[n];
    String[] gtin = new String[n];
    String[] taxClass = new String[n];
    for (int i = 0; i < n; i++) {
      Change c = changes.get(i);
      Offer o = c.offer();
      seq[i] = c.seq();
      supplier[i] = o.supplier();
      sku[i] = o.sku();
      version[i] = o.version();
      changed[i] = c.changed().stream().map(Field::wireName).collect(Collectors.joining(","));
      previousCategory[i] = c.previousCategory();
      previousAvailability[i] = c.previousAvailability() == null ? null : c.previousAvailability().wireName();
      currency[i] = o.price().currency();
      price[i] = o.price().micros();
      sale[i] = o.salePrice() == null ? null : o.salePrice().micros();
      availability[i] = o.availability().wireName();
      quantity[i] = o.quantity();
      titles[i] = titlesJson(o);
      category[i] = o.category();
      brand[i] = o.brand();
      gtin[i] = o.gtin();
      taxClass[i] = o.taxClass();
    }
    return Tuple.tuple(List.of(seq, supplier, sku, version, changed, previousCategory, previousAvailability,
        currency, price, sale, availability, quantity, titles, category, brand, gtin,
        utc(now), taxClass));
  }

  /** Without {@code ZoneOffset.UTC.getRules()}, which builds new rules on every call on Java 17. */
  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.of(java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC),
        ZoneOffset.UTC);
  }

  private static String titlesJson(Offer o) {
    return o.titles().isEmpty() ? "{}" : io.vertx.core.json.Json.encode(o.titles());
  }

  @Override
  public Future<Offer> find(OfferKey key) {
    return guard(pool.preparedQuery(PgSql.FIND).execute(Tuple.of(key.supplier(), key.sku()))
        .map(rows -> rows.size() == 0 ? null : toOffer(rows.iterator().next(), 0)), "read");
  }

  @Override
  public Future<Snapshot> snapshot(Interest interest, long afterSeq) {
    String[] suppliers = interest.suppliers().toArray(String[]::new);
    String[] categories = interest.categories().toArray(String[]::new);
    String[] skuSuppliers = new String[interest.skus().size()];
    String[] skus = new String[interest.skus().size()];
    int i = 0;
    for (OfferKey k : interest.skus()) {
      skuSuppliers[i] = k.supplier();
      skus[i++] = k.sku();
    }
    Tuple args = Tuple.of(afterSeq, suppliers, categories, skuSuppliers, skus);
    return guard(pool.preparedQuery(PgSql.SNAPSHOT).execute(args).map(rows -> {
      String epoch = null;
      long seq = 0;
      List<Offer> offers = new ArrayList<>(rows.size());
      for (Row r : rows) {
        epoch = r.getString("epoch");
        seq = r.getLong("head_seq");
        if (r.getString("supplier") != null) {
          offers.add(toOffer(r, 2));
        }
      }
      return new Snapshot(epoch, seq, offers);
    }), "snapshot");
  }

  @Override
  public Future<List<Change>> changesBetween(long afterSeq, long upToSeq) {
    return guard(pool.preparedQuery(PgSql.CHANGES_BETWEEN).execute(Tuple.of(afterSeq, upToSeq)).map(rows -> {
      List<Change> changes = new ArrayList<>(rows.size());
      for (Row r : rows) {
        Set<Field> changed = EnumSet.noneOf(Field.class);
        for (String name : r.getArrayOfStrings("changed")) {
          Field f = Field.fromWireName(name);
          if (f != null) {
            changed.add(f);
          }
        }
        String previous = r.getString("previous_availability");
        changes.add(new Change(r.getLong("seq"), toOffer(r, 0), changed, r.getString("previous_category"),
            previous == null ? null : Availability.parse(previous), 0L));
      }
      return changes;
    }), "read changes");
  }

  /**
   * Like a commit without offers: takes the log lock, writes the event with the next seq and the
   * markets' heads, moves the log head. The offer cache's token moves with it, so the states the
   * cache holds stay valid for the next commit.
   */
  @Override
  public Future<MarketEvent> commitEvent(MarketInputs inputs, List<String> markets, String reason,
      long afterEventSeq) {
    String token = cache.nextToken();
    return guard(pool.withTransaction(conn -> conn.query(PgSql.LOCK_HEAD).execute().compose(rows -> {
      Row h = rows.iterator().next();
      long seq = h.getLong("head_seq") + 1;
      // Read under the lock: an event another node logged before is seen here.
      return conn.query(PgSql.LAST_EVENT_SEQ).execute().compose(last -> {
        long lastSeq = last.iterator().next().getLong("seq");
        if (afterEventSeq != ANY_LAST_EVENT && lastSeq != afterEventSeq) {
          return Future.<MarketEvent>succeededFuture(null);
        }
        if (cache.enabled()) {
          cache.sending(token, h.getString("writer"), List.of());
        }
        return insertEvent(conn, seq, token, inputs, markets, reason);
      });
    })), "log a market event").andThen(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        cache.committed(token);
      } else if (ar.failed()) {
        cache.unknown(token);
      }
    });
  }

  private Future<MarketEvent> insertEvent(SqlConnection conn, long seq, String token, MarketInputs inputs,
      List<String> markets, String reason) {
    String[] ids = markets.toArray(String[]::new);
    return conn.preparedQuery(PgSql.INSERT_EVENT)
        .execute(Tuple.of(seq, utc(inputs.at()), inputs.ratesJson(), ids, reason))
        .compose(v -> conn.preparedQuery(PgSql.SET_MARKET_HEADS).execute(Tuple.of(ids, seq)))
        .compose(v -> conn.preparedQuery(PgSql.SET_HEAD).execute(Tuple.of(seq, token)))
        .map(v -> new MarketEvent(seq, inputs, markets, reason));
  }

  @Override
  public Future<MarketLog> marketLog() {
    return guard(pool.withConnection(conn -> {
      Future<RowSet<Row>> last = conn.query(PgSql.LAST_EVENT).execute();
      Future<RowSet<Row>> heads = conn.query(PgSql.MARKET_HEADS).execute();
      return Future.all(last, heads).map(all -> {
        MarketEvent event = null;
        for (Row r : last.result()) {
          event = toEvent(r);
        }
        Map<String, Long> byMarket = new HashMap<>();
        for (Row r : heads.result()) {
          byMarket.put(r.getString("market"), r.getLong("seq"));
        }
        return new MarketLog(event, byMarket);
      });
    }), "read market events");
  }

  @Override
  public Future<List<MarketEvent>> eventsBetween(long afterSeq, long upToSeq) {
    return guard(pool.preparedQuery(PgSql.EVENTS_BETWEEN).execute(Tuple.of(afterSeq, upToSeq)).map(rows -> {
      List<MarketEvent> events = new ArrayList<>(rows.size());
      rows.forEach(r -> events.add(toEvent(r)));
      return events;
    }), "read market events");
  }

  /** The rates in force, exact: numerator and denominator as decimal text. */
  static MarketEvent toEvent(Row r) {
    MarketInputs inputs = MarketInputs.fromJson(r.getOffsetDateTime("at").toInstant(), new JsonArray(r.getString("rates")));
    return new MarketEvent(r.getLong("seq"), inputs, List.of(r.getArrayOfStrings("markets")), r.getString("reason"));
  }

  @Override
  public Future<LogHead> head() {
    return guard(pool.query(PgSql.HEAD).execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new LogHead(r.getString("epoch"), r.getLong("head_seq"));
        }), "read head");
  }

  @Override
  public KeyStore keys() {
    return keys;
  }

  @Override
  public RateStore rates() {
    return rates;
  }

  @Override
  public Future<Void> close() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /**
   * Bounds every call in time and turns unavailability into one retryable failure type: no
   * answer in time, no connection or a lost one, or a server that is starting, stopping or out of
   * resources (SQLSTATE classes 08, 53, 57). Other failures pass through as they are.
   */
  private <T> Future<T> guard(Future<T> call, String what) {
    return guard(call, timeoutMs, what);
  }

  /** {@link #guard(Future, String)} for the store's other tables (keys, rates). */
  static <T> Future<T> guard(Future<T> call, long timeoutMs, String what) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(e -> {
      if (!unavailable(e)) {
        return Future.failedFuture(e);
      }
      String reason = e instanceof TimeoutException ? "no answer within " + timeoutMs + " ms" : e.getMessage();
      return Future.failedFuture(new StoreUnavailableException("PostgreSQL " + what + " failed: " + reason, e));
    });
  }

  static boolean unavailable(Throwable e) {
    if (e instanceof PgException pg) {
      String state = String.valueOf(pg.getSqlState());
      return state.startsWith("08") || state.startsWith("53") || state.startsWith("57");
    }
    return e instanceof TimeoutException
        || e instanceof java.io.IOException
        || e instanceof ClosedConnectionException
        // The pool's own failures (too many waiters, a query that waited too long for a connection).
        || e instanceof VertxException
        || (e.getCause() != null && e.getCause() != e && unavailable(e.getCause()));
  }

  /** An offer from a row holding {@link PgSql#OFFER_COLUMNS}, in that order, from column {@code at}. */
  static Offer toOffer(Row r, int at) {
    String currency = r.getString(at + 4);
    Long sale = r.getLong(at + 6);
    Object titles = r.getValue(at + 9);
    TreeMap<String, String> map = new TreeMap<>();
    if (titles instanceof JsonObject json) {
      json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return new Offer(
        new OfferKey(r.getString(at), r.getString(at + 1)),
        r.getLong(at + 2),
        r.getLong(at + 3),
        new Money(r.getLong(at + 5), currency),
        sale == null ? null : new Money(sale, currency),
        Availability.parse(r.getString(at + 7)),
        r.getLong(at + 8),
        map,
        r.getString(at + 10),
        r.getString(at + 11),
        r.getString(at + 12),
        r.getString(at + 14),
        r.getOffsetDateTime(at + 13).toInstant());
  }
}
