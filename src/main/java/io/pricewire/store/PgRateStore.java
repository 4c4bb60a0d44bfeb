package io.pricewire.store;

import io.pricewire.market.FxRate;
import io.pricewire.market.Ratio;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Exchange rates in PostgreSQL, shared by every gateway node; the rate is kept as an exact fraction. */
final class PgRateStore implements RateStore {

  private final Supplier<Pool> pool;
  private final long timeoutMs;

  PgRateStore(Supplier<Pool> pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Void> add(List<FxRate> rates) {
    if (rates.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(rates.size());
    for (FxRate r : rates) {
      rows.add(Tuple.of(r.base(), r.quote(), new BigDecimal(r.rate().numerator()),
          new BigDecimal(r.rate().denominator()), r.text(), r.asOf(), r.source(),
          OffsetDateTime.ofInstant(r.receivedAt(), ZoneOffset.UTC)));
    }
    // All or none: the rows go in one transaction.
    return timed(pool.get().withTransaction(conn -> conn.preparedQuery(PgSql.ADD_RATE).executeBatch(rows))
        .mapEmpty());
  }

  @Override
  public Future<Map<String, FxRate>> latest() {
    return timed(pool.get().query(PgSql.LATEST_RATES).execute().map(rows -> {
      Map<String, FxRate> latest = new HashMap<>();
      for (Row r : rows) {
        FxRate rate = toRate(r);
        latest.put(rate.pair(), rate);
      }
      return latest;
    }));
  }

  @Override
  public Future<List<FxRate>> history(String pair, int limit) {
    String[] parts = pair.split("/", 2);
    if (parts.length != 2) {
      return Future.succeededFuture(List.of());
    }
    return timed(pool.get().preparedQuery(PgSql.RATE_HISTORY).execute(Tuple.of(parts[0], parts[1], limit))
        .map(rows -> {
          List<FxRate> list = new ArrayList<>();
          rows.forEach(r -> list.add(toRate(r)));
          return list;
        }));
  }

  private <T> Future<T> timed(Future<T> f) {
    return PgStore.guard(f, timeoutMs, "rate store");
  }

  private static FxRate toRate(Row r) {
    Ratio rate = new Ratio(r.getBigDecimal("rate_num").toBigIntegerExact(),
        r.getBigDecimal("rate_den").toBigIntegerExact());
    LocalDate asOf = r.getLocalDate("as_of");
    return new FxRate(r.getString("base"), r.getString("quote"), rate, r.getString("shown"), asOf,
        r.getString("source"), r.getOffsetDateTime("received_at").toInstant());
  }
}
