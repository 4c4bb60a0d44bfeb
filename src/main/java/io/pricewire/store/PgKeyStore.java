package io.pricewire.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Supplier keys in PostgreSQL, shared by every gateway node. */
final class PgKeyStore implements KeyStore {

  private final Supplier<Pool> pool;
  private final long timeoutMs;

  PgKeyStore(Supplier<Pool> pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Void> add(StoredKey key) {
    return timed(pool.get().preparedQuery(PgSql.ADD_KEY).execute(Tuple.of(key.id(), key.supplier(), key.keyHash(),
        key.label(), OffsetDateTime.ofInstant(key.createdAt(), ZoneOffset.UTC))).mapEmpty());
  }

  @Override
  public Future<StoredKey> findByHash(String keyHash) {
    return timed(pool.get().preparedQuery(PgSql.FIND_KEY).execute(Tuple.of(keyHash))
        .map(rows -> rows.size() == 0 ? null : toKey(rows.iterator().next())));
  }

  @Override
  public Future<List<StoredKey>> list(String supplier) {
    return timed(pool.get().preparedQuery(PgSql.LIST_KEYS).execute(Tuple.of(supplier)).map(rows -> {
      List<StoredKey> keys = new ArrayList<>();
      rows.forEach(r -> keys.add(toKey(r)));
      return keys;
    }));
  }

  @Override
  public Future<StoredKey> revoke(String supplier, String id, Instant at) {
    return timed(pool.get().preparedQuery(PgSql.REVOKE_KEY)
        .execute(Tuple.of(supplier, id, OffsetDateTime.ofInstant(at, ZoneOffset.UTC)))
        .map(rows -> rows.size() == 0 ? null : toKey(rows.iterator().next())));
  }

  private <T> Future<T> timed(Future<T> f) {
    return PgStore.guard(f, timeoutMs, "key lookup");
  }

  private static StoredKey toKey(Row r) {
    OffsetDateTime revoked = r.getOffsetDateTime("revoked_at");
    return new StoredKey(r.getString("id"), r.getString("supplier"), r.getString("key_hash"), r.getString("label"),
        r.getOffsetDateTime("created_at").toInstant(), revoked == null ? null : revoked.toInstant());
  }
}
