package io.pricewire.store;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the schema with Flyway. Flyway holds a PostgreSQL advisory lock while it migrates, so
 * nodes starting at once apply each migration exactly once. Blocking: run it off the event loop.
 *
 * <p>Flyway talks JDBC; the connection settings are the ones the gateway's own pool uses, carried
 * over one by one ({@link #jdbcUrl}), so that TLS and the other settings of
 * {@code PRICEWIRE_PG_URI} hold for the migration too.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static MigrateResult apply(PgConnectOptions options, long timeoutMs) {
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl(options, timeoutMs), options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .connectRetries(3)
        .load();
    MigrateResult result = flyway.migrate();
    log.info("Schema at version {} ({} migration(s) applied now)", result.targetSchemaVersion == null
        ? result.initialSchemaVersion : result.targetSchemaVersion, result.migrationsExecuted);
    return result;
  }

  /**
   * The JDBC URL for the same server, database and settings: the TLS mode, the session settings
   * ({@code application_name}, {@code search_path}, {@code options}) and a connect timeout.
   */
  static String jdbcUrl(PgConnectOptions o, long timeoutMs) {
    Map<String, String> params = new LinkedHashMap<>();
    SslMode ssl = o.getSslMode();
    if (ssl != null) {
      params.put("sslmode", ssl.value);
    }
    Map<String, String> props = o.getProperties();
    if (props != null) {
      if (props.containsKey("application_name")) {
        params.put("ApplicationName", props.get("application_name"));
      }
      if (props.containsKey("search_path")) {
        params.put("currentSchema", props.get("search_path"));
      }
      if (props.containsKey("options")) {
        params.put("options", props.get("options"));
      }
    }
    params.put("connectTimeout", String.valueOf(Math.max(1, (timeoutMs + 999) / 1000)));
    StringJoiner query = new StringJoiner("&", "?", "");
    params.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    String host = o.getHost().contains(":") ? "[" + o.getHost() + "]" : o.getHost();
    return "jdbc:postgresql://" + host + ":" + o.getPort() + "/"
        + URLEncoder.encode(o.getDatabase(), StandardCharsets.UTF_8) + query;
  }
}
