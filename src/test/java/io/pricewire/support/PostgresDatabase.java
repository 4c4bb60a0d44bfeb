package io.pricewire.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import io.vertx.pgclient.PgConnectOptions;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped afterwards. The server comes
 * from PRICEWIRE_TEST_PG_URI (default postgresql://postgres@127.0.0.1:5432/postgres); the user
 * must be allowed to create databases. Without a reachable server the test fails and says how to
 * provide one: store tests never skip silently.
 */
public final class PostgresDatabase implements AutoCloseable {

  public static final String ADMIN_URI_KEY = "PRICEWIRE_TEST_PG_URI";
  private static final String DEFAULT_ADMIN_URI = "postgresql://postgres@127.0.0.1:5432/postgres";

  private final PgConnectOptions admin;
  private final String name;

  private PostgresDatabase(PgConnectOptions admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  public static PostgresDatabase create(Class<?> owner) {
    String uri = System.getenv().getOrDefault(ADMIN_URI_KEY, DEFAULT_ADMIN_URI);
    PgConnectOptions admin = PgConnectOptions.fromUri(uri);
    String name = ("pw_" + owner.getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .toLowerCase(Locale.ROOT);
    try (Connection c = connect(admin, admin.getDatabase()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL is needed for this test but could not be used at " + uri + ": "
          + e.getMessage() + ". Start the local server (pg_ctlcluster --skip-systemctl-redirect <version> main start), "
          + "or set " + ADMIN_URI_KEY + " to a postgresql:// URI whose user may create databases.", e);
    }
    return new PostgresDatabase(admin, name);
  }

  private static Connection connect(PgConnectOptions o, String database) throws SQLException {
    String url = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + database;
    return DriverManager.getConnection(url, o.getUser(), o.getPassword());
  }

  /** The URI the gateway is given (PRICEWIRE_PG_URI). */
  public String uri() {
    String auth = admin.getUser() + (admin.getPassword() == null || admin.getPassword().isEmpty() ? ""
        : ":" + admin.getPassword());
    return "postgresql://" + auth + "@" + admin.getHost() + ":" + admin.getPort() + "/" + name;
  }

  public String name() {
    return name;
  }

  /** Runs SQL directly against the test database, for checks that must not trust the gateway. */
  public long queryLong(String sql) {
    try (Connection c = connect(admin, name); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    try (Connection c = connect(admin, admin.getDatabase()); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new AssertionError("could not drop test database " + name, e);
    }
  }
}
