package io.pricewire.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh, empty PostgreSQL database for one bench run, on a server whose admin URI is given (its
 * user may create databases), dropped at the end. The bench reads the committed state from it
 * directly, so that a check of what clients hold does not trust the gateway.
 */
final class ScratchDatabase implements AutoCloseable {

  private final PgConnectOptions admin;
  private final String name;
  private final Pool pool;

  private ScratchDatabase(PgConnectOptions admin, String name, Pool pool) {
    this.admin = admin;
    this.name = name;
    this.pool = pool;
  }

  /** Creates a database named after the prefix and a random suffix. */
  static ScratchDatabase create(Vertx vertx, String adminUri, String prefix) {
    PgConnectOptions admin = PgConnectOptions.fromUri(adminUri);
    String name = (prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1))
        .toLowerCase(Locale.ROOT);
    onAdmin(vertx, admin, "CREATE DATABASE " + name);
    Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions(admin).setDatabase(name))
        .with(new PoolOptions().setMaxSize(1)).using(vertx).build();
    return new ScratchDatabase(admin, name, pool);
  }

  private static void onAdmin(Vertx vertx, PgConnectOptions admin, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(admin).with(new PoolOptions().setMaxSize(1)).using(vertx).build();
    try {
      pool.query(sql).execute().timeout(30, java.util.concurrent.TimeUnit.SECONDS).await();
    } finally {
      pool.close().await();
    }
  }

  String name() {
    return name;
  }

  /** The URI a gateway is given (PRICEWIRE_PG_URI). */
  String uri() {
    String auth = admin.getUser() + (admin.getPassword() == null || admin.getPassword().isEmpty() ? ""
        : ":" + admin.getPassword());
    return "postgresql://" + auth + "@" + admin.getHost() + ":" + admin.getPort() + "/" + name;
  }

  /** Sku to version of every offer of the supplier, as committed. */
  Map<String, Long> committedVersions(String supplier) {
    Map<String, Long> out = new HashMap<>();
    for (Row r : pool.preparedQuery("SELECT sku, version FROM offers WHERE supplier = $1").execute(Tuple.of(supplier))
        .timeout(30, java.util.concurrent.TimeUnit.SECONDS).await()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** Drops the database, ending any session still on it. */
  void drop(Vertx vertx) {
    pool.close().await();
    onAdmin(vertx, admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  @Override
  public void close() {
    Vertx vertx = Vertx.vertx();
    try {
      drop(vertx);
    } finally {
      vertx.close().await();
    }
  }
}
