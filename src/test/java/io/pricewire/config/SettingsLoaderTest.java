package io.pricewire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("configuration")
class SettingsLoaderTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("the defaults file gives a runnable memory gateway on 8080 and 8081")
  void defaults() {
    Settings s = SettingsLoader.load(vertx, Map.of()).await();
    assertThat(s.http().port()).isEqualTo(8080);
    assertThat(s.http().opsPort()).isEqualTo(8081);
    assertThat(s.store().kind()).isEqualTo(Settings.StoreKind.MEMORY);
    assertThat(s.store().pg().getDatabase()).isEqualTo("pricewire");
    assertThat(s.demo().enabled()).isFalse();
  }

  @Test
  @DisplayName("overrides win over the file and are typed once")
  void overrides() {
    Settings s = SettingsLoader.load(vertx, Map.of("PRICEWIRE_HTTP_PORT", "9090", "PRICEWIRE_STORE", "postgres",
        "PRICEWIRE_PG_URI", "postgresql://app:secret@db.internal:6543/catalog", "PRICEWIRE_DEMO", "true")).await();
    assertThat(s.http().port()).isEqualTo(9090);
    assertThat(s.store().kind()).isEqualTo(Settings.StoreKind.POSTGRES);
    assertThat(s.store().pg().getHost()).isEqualTo("db.internal");
    assertThat(s.store().pg().getPort()).isEqualTo(6543);
    assertThat(s.store().pg().getUser()).isEqualTo("app");
    assertThat(s.demo().enabled()).isTrue();
  }

  @Test
  @DisplayName("every invalid value is reported at once, naming the key and the expected form")
  void invalidValues() {
    assertThatThrownBy(() -> SettingsLoader.load(vertx, Map.of("PRICEWIRE_HTTP_PORT", "eighty",
        "PRICEWIRE_OPS_PORT", "70000", "PRICEWIRE_STORE", "mongo", "PRICEWIRE_PG_URI", "mysql://x/y",
        "PRICEWIRE_DEMO", "maybe", "PRICEWIRE_FX_VALET_URL", "ftp://valet")).await())
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "PRICEWIRE_HTTP_PORT=\"eighty\" is not valid: expected a TCP port number from 0 to 65535 (0 picks a free port)",
            "PRICEWIRE_OPS_PORT=70000 is out of range: expected a TCP port number from 0 to 65535 (0 picks a free port)",
            "PRICEWIRE_STORE=\"mongo\" is not valid: expected one of memory, postgres",
            "PRICEWIRE_PG_URI=\"mysql://x/y\" is not valid: expected a URI such as postgresql://user:password@host:5432/database",
            "PRICEWIRE_DEMO=\"maybe\" is not valid: expected true or false",
            "PRICEWIRE_FX_VALET_URL=\"ftp://valet\" is not valid: expected an http:// or https:// URL"));
  }

  @Test
  @DisplayName("passwords are hidden when a URI is logged")
  void redact() {
    assertThat(SettingsLoader.redact("postgresql://app:secret@db:5432/x")).isEqualTo("postgresql://app:****@db:5432/x");
  }
}
