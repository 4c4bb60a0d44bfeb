package io.pricewire.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("migrations")
class MigrationsTest {

  @Test
  @DisplayName("the migration's JDBC URL carries every setting of PRICEWIRE_PG_URI that the pool uses, TLS included")
  void jdbcUrlKeepsSettings() {
    PgConnectOptions o = PgConnectOptions.fromUri("postgresql://shop:s%40cret@db.example.com:6432/cn%20shop"
        + "?sslmode=verify-full&application_name=pricewire-eu&search_path=pw&options=-c%20statement_timeout%3D5000");
    String url = Migrations.jdbcUrl(o, 5000);
    assertThat(url).startsWith("jdbc:postgresql://db.example.com:6432/cn+shop?")
        .contains("sslmode=verify-full", "ApplicationName=pricewire-eu", "currentSchema=pw",
            "options=-c+statement_timeout%3D5000", "connectTimeout=5");
    assertThat(Migrations.jdbcUrl(PgConnectOptions.fromUri("postgresql://u@127.0.0.1/db"), 1500))
        .as("the pool's default TLS mode, said explicitly").contains("sslmode=disable", "connectTimeout=2");
    assertThat(Migrations.jdbcUrl(PgConnectOptions.fromUri("postgresql://u@[::1]:5433/db?sslmode=require"), 1000))
        .startsWith("jdbc:postgresql://[::1]:5433/db?sslmode=require");
  }
}
