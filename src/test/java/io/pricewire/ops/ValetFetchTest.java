package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.market.FxRate;
import io.pricewire.store.MemoryStore;
import io.pricewire.store.RateStore;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the scheduled Bank of Canada Valet fetch")
class ValetFetchTest {

  static final String GOOD = "\"OBSERVATIONS\"\r\n\"date\",\"FXCNYCAD\"\r\n\"2026-11-27\",\"0.1944\"\r\n"
      + "\"2026-11-30\",\"0.1950\"\r\n";

  private Vertx vertx;
  private HttpServer server;
  private final AtomicReference<String> served = new AtomicReference<>(GOOD);
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void serve() {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      req.response().setStatusCode(status.get()).putHeader("Content-Type", "text/csv").end(served.get());
    }).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/valet/observations/FXCNYCAD/csv";
  }

  @Test
  @DisplayName("fetches at start; a malformed file or an error status keeps nothing and says why")
  void fetch() {
    RateStore rates = new MemoryStore().rates();
    // Stands in for the ledger: each fetch that stored rates asks it for a market check.
    java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
    vertx.eventBus().localConsumer(io.pricewire.ledger.Addresses.MARKET_CHECK, m -> {
      checks.incrementAndGet();
      m.reply(-1L);
    });
    ValetFetch fetch = new ValetFetch(url(), rates, Clock.systemUTC());
    vertx.deployVerticle(fetch).await();
    long deadline = System.currentTimeMillis() + 20_000;
    while (rates.latest().await().get("CAD/CNY") == null && System.currentTimeMillis() < deadline) {
      sleep();
    }
    FxRate inForce = rates.latest().await().get("CAD/CNY");
    assertThat(inForce).as("fetched at start").isNotNull();
    assertThat(inForce.asOf()).hasToString("2026-11-30");
    assertThat(inForce.text()).isEqualTo("5.12820513");
    long checkDeadline = System.currentTimeMillis() + 20_000;
    while (checks.get() == 0 && System.currentTimeMillis() < checkDeadline) {
      sleep();
    }
    assertThat(checks.get()).as("the ledger was asked to re-price after the rates were stored").isPositive();

    served.set("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2026-12-01\",\"abc\"\n");
    assertThat(failure(fetch)).contains("line 3").contains("not a decimal");
    status.set(503);
    served.set(GOOD);
    assertThat(failure(fetch)).contains("503");
    status.set(200);
    served.set("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2026-12-01\",\"\"\n");
    assertThat(failure(fetch)).contains("no FXCNYCAD observation with a value");
    assertThat(rates.latest().await().get("CAD/CNY")).as("the last good rate stays").isEqualTo(inForce);
    assertThat(rates.history("CAD/CNY", 10).await()).hasSize(2);
  }

  @Test
  @DisplayName("a gateway with PRICEWIRE_FX_VALET_URL has the Bank's rate in force after start")
  void gateway() {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on",
        "PRICEWIRE_ADMIN_TOKEN", "admin-token-for-valet-tests-0123456789", "PRICEWIRE_FX_VALET_URL", url()));
        Http ops = new Http(vertx, gateway.opsPort()).bearer("admin-token-for-valet-tests-0123456789")) {
      long deadline = System.currentTimeMillis() + 20_000;
      String rate = null;
      while (rate == null && System.currentTimeMillis() < deadline) {
        var cadCny = ops.get("/admin/fx").bodyAsJsonObject().getJsonObject("rates").getJsonObject("CAD/CNY");
        rate = cadCny == null ? null : cadCny.getString("rate");
        if (rate == null) {
          sleep();
        }
      }
      assertThat(rate).isEqualTo("5.12820513");
      assertThat(requests.get()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @DisplayName("the schedule: weekdays at 17:00 Toronto time; retries after 1 minute, doubling to 1 hour")
  void schedule() {
    // Friday 2026-11-27 18:00 EST -> Monday 2026-11-30 17:00 EST.
    assertThat(ValetFetch.nextBusinessDay(Instant.parse("2026-11-27T23:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-30T22:00:00Z"));
    // Monday 10:00 -> the same day at 17:00; exactly 17:00 -> the next day.
    assertThat(ValetFetch.nextBusinessDay(Instant.parse("2026-11-30T15:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-30T22:00:00Z"));
    assertThat(ValetFetch.nextBusinessDay(Instant.parse("2026-11-30T22:00:00Z")))
        .isEqualTo(Instant.parse("2026-12-01T22:00:00Z"));
    // Summer time: 17:00 EDT is 21:00 UTC.
    assertThat(ValetFetch.nextBusinessDay(Instant.parse("2026-07-01T12:00:00Z")))
        .isEqualTo(Instant.parse("2026-07-01T21:00:00Z"));
    assertThat(ValetFetch.retryDelay(1)).isEqualTo(Duration.ofMinutes(1));
    assertThat(ValetFetch.retryDelay(2)).isEqualTo(Duration.ofMinutes(2));
    assertThat(ValetFetch.retryDelay(6)).isEqualTo(Duration.ofMinutes(32));
    assertThat(ValetFetch.retryDelay(7)).isEqualTo(Duration.ofHours(1));
    assertThat(ValetFetch.retryDelay(50)).isEqualTo(Duration.ofHours(1));
  }

  private static String failure(ValetFetch fetch) {
    try {
      fetch.fetch().await();
    } catch (Exception e) {
      return e.getMessage();
    }
    throw new AssertionError("the fetch did not fail");
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
