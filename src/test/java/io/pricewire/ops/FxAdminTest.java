package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("exchange rates on the ops port")
class FxAdminTest {

  static final String ADMIN = "admin-token-for-fx-tests-0123456789";

  private static TestGateway gateway;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_ADMIN_TOKEN", ADMIN,
        "PRICEWIRE_JWT_SECRET", "jwt-secret-for-fx-tests-0123456789abcdef"));
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  static String rate(String rate, String asOf) {
    return rate("CNY", rate, asOf);
  }

  static String rate(String quote, String rate, String asOf) {
    return "{\"base\": \"CAD\", \"quote\": \"" + quote + "\", \"rate\": \"" + rate + "\", \"as_of\": \"" + asOf
        + "\", \"source\": \"test desk\"}";
  }

  @Test
  @DisplayName("rates need the admin token; accepted ones are kept with their history, the latest day in force")
  void postAndHistory() {
    try (Http anonymous = new Http(clients, gateway.opsPort())) {
      assertThat(anonymous.post("/admin/fx", "application/json", "{\"rates\": [" + rate("5.1", "2026-11-30") + "]}")
          .statusCode()).isEqualTo(401);
    }
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      HttpResponse<Buffer> r = ops.post("/admin/fx", "application/json",
          "{\"rates\": [" + rate("HKD", "5.1432", "2026-11-30") + ", " + rate("HKD", "5.1001", "2026-11-27") + "]}");
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getInteger("accepted")).isEqualTo(2);
      assertThat(body.getJsonObject("rates").getJsonObject("CAD/HKD").getString("rate")).as("the latest day")
          .isEqualTo("5.1432");
      // A rate for an earlier day, received later, does not replace the one in force.
      ops.post("/admin/fx", "application/json", "{\"rates\": [" + rate("HKD", "4.9", "2026-11-20") + "]}");
      JsonObject inForce = ops.get("/admin/fx").bodyAsJsonObject().getJsonObject("rates").getJsonObject("CAD/HKD");
      assertThat(inForce.getString("rate")).isEqualTo("5.1432");
      assertThat(inForce.getString("as_of")).isEqualTo("2026-11-30");
      assertThat(inForce.getString("received_at")).isNotBlank();
      JsonObject history = ops.get("/admin/fx?pair=CAD/HKD").bodyAsJsonObject();
      assertThat(history.getJsonArray("history").stream().map(o -> ((JsonObject) o).getString("rate")))
          .containsSubsequence("5.1432", "5.1001", "4.9");
    }
    // The age gauge of the pair, read by the ops port every 5 seconds: since 2026-11-30 began in China.
    String series = "pricewire_fx_rate_age_seconds{pair=\"CAD/HKD\"}";
    long deadline = System.currentTimeMillis() + 20_000;
    double age = 0;
    while (age == 0 && System.currentTimeMillis() < deadline) {
      age = io.pricewire.support.Metrics.valueOrZero(clients, gateway.opsPort(), series);
      if (age == 0) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    double expected = java.time.Duration.between(java.time.Instant.parse("2026-11-29T16:00:00Z"),
        java.time.Instant.now()).toSeconds();
    assertThat(age).as("seconds since the rate's day began in China").isBetween(expected - 3600, expected + 3600);
  }

  @Test
  @DisplayName("a wrong rate is refused with what and where, and none of the request is kept")
  void refused() {
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      String good = rate("7.77", "2030-01-01");
      assertError(ops, "{\"rates\": [" + good + ", {\"base\": \"CAD\", \"quote\": \"CNY\", \"rate\": 5.1, "
          + "\"as_of\": \"2026-11-30\", \"source\": \"s\"}]}", "rates[1].rate must be a decimal in a string");
      assertError(ops, "{\"rates\": [" + rate("-1", "2026-11-30") + "]}", "rates[0].rate must be above 0");
      assertError(ops, "{\"rates\": [" + rate("5.1", "30/11/2026") + "]}", "rates[0].as_of is not a date");
      assertError(ops, "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"XXY\", \"rate\": \"1\", \"as_of\": "
          + "\"2026-11-30\", \"source\": \"s\"}]}", "rates[0].quote");
      assertError(ops, "{\"rates\": []}", "\"rates\" must be a non-empty list");
      assertError(ops, "not json", "the body must be a JSON object");
      JsonObject inForce = ops.get("/admin/fx").bodyAsJsonObject().getJsonObject("rates");
      if (inForce.containsKey("CAD/CNY")) {
        assertThat(inForce.getJsonObject("CAD/CNY").getString("as_of")).as("the good rate beside a bad one")
            .isNotEqualTo("2030-01-01");
      }
    }
  }

  @Test
  @DisplayName("a Valet file is taken as CAD/CNY rates, inverted exactly; a malformed one keeps the last good rate")
  void valet() {
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      String csv = "\uFEFF\"TERMS AND CONDITIONS\"\r\n\"https://www.bankofcanada.ca/terms/\"\r\n\r\n"
          + "\"SERIES\"\r\n\"id\",\"label\",\"description\"\r\n\"FXCNYCAD\",\"CNY/CAD\",\"daily\"\r\n\r\n"
          + "\"OBSERVATIONS\"\r\n\"date\",\"FXCNYCAD\"\r\n\"2031-10-21\",\"0.1944\"\r\n\"2031-10-22\",\"\"\r\n";
      HttpResponse<Buffer> r = ops.post("/admin/fx/valet", "text/csv", csv);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject cadCny = r.bodyAsJsonObject().getJsonObject("rates").getJsonObject("CAD/CNY");
      assertThat(cadCny.getString("rate")).isEqualTo("5.14403292");
      assertThat(cadCny.getString("source")).contains("Bank of Canada");
      HttpResponse<Buffer> bad = ops.post("/admin/fx/valet", "text/csv",
          "\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2032-01-01\",\"abc\"\n");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_valet_file");
      assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("line 3");
      assertThat(ops.get("/admin/fx").bodyAsJsonObject().getJsonObject("rates").getJsonObject("CAD/CNY")
          .getString("as_of")).isEqualTo("2031-10-21");
    }
  }

  private static void assertError(Http ops, String body, String message) {
    HttpResponse<Buffer> r = ops.post("/admin/fx", "application/json", body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_rates");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains(message);
  }
}
