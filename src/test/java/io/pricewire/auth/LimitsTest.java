package io.pricewire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("limits")
class LimitsTest {

  @Test
  @DisplayName("a supplier over its ingest rate gets 429 with Retry-After naming the limit; others are not affected")
  void ingestRate() {
    try (TestGateway g = TestGateway.start(Map.of("PRICEWIRE_INGEST_RATE_PER_SUPPLIER", "5",
        "PRICEWIRE_INGEST_BURST_PER_SUPPLIER", "20"))) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, g.port())) {
        assertThat(post(http, "rate-a", 15).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> over = post(http, "rate-a", 15);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(Integer.parseInt(over.getHeader("Retry-After"))).isBetween(1, 4);
        JsonObject error = over.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("rate_limited");
        assertThat(error.getString("message")).contains("PRICEWIRE_INGEST_RATE_PER_SUPPLIER");
        assertThat(http.get("/v1/suppliers/rate-a/offers/s14").statusCode()).isEqualTo(200);
        assertThat(post(http, "rate-b", 15).statusCode()).as("another supplier has its own bucket").isEqualTo(200);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 30; i++) {
          lines.append(new JsonObject().put("sku", "n" + i).put("price", "1.00 CAD").put("availability", "in_stock")
              .encode()).append('\n');
        }
        long started = System.nanoTime();
        HttpResponse<Buffer> stream = http.post("/v1/suppliers/rate-c/offers", "application/x-ndjson",
            lines.toString());
        assertThat(stream.statusCode()).as("a stream over the rate is slowed down, not cut").isEqualTo(200);
        assertThat(stream.bodyAsJsonObject().getJsonObject("counts").getInteger("applied")).isEqualTo(30);
        assertThat(System.nanoTime() - started).as("30 items at 5/s after a burst of 20 take about 2 s")
            .isGreaterThan(1_000_000_000L);
      } finally {
        clients.close().await();
      }
    }
  }

  private static HttpResponse<Buffer> post(Http http, String supplier, int n) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(new JsonObject().put("sku", "s" + i).put("price", "1.00 CAD").put("availability", "in_stock"));
    }
    return http.post("/v1/suppliers/" + supplier + "/offers", "application/json", a.encode());
  }

  @Test
  @DisplayName("feed connections per client address are limited, and a closed one frees its place")
  void connectionsPerAddress() throws Exception {
    try (TestGateway g = TestGateway.start(Map.of("PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS", "2"))) {
      Vertx clients = Vertx.vertx();
      try (FeedClient one = FeedClient.connect(clients, g.port()); FeedClient two = FeedClient.connect(clients, g.port())) {
        assertThatThrownBy(() -> FeedClient.connect(clients, g.port())).isInstanceOf(UpgradeRejectedException.class)
            .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(429));
        try (Http http = new Http(clients, g.port())) {
          HttpResponse<Buffer> sse = http.get("/v1/feed/sse?suppliers=a");
          assertThat(sse.statusCode()).isEqualTo(429);
          assertThat(sse.bodyAsJsonObject().getJsonObject("error").getString("message"))
              .contains("PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS");
        }
        one.close();
        // The place is freed once the gateway sees the close: retry until it has.
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
          try {
            FeedClient.connect(clients, g.port()).close();
            break;
          } catch (UpgradeRejectedException e) {
            assertThat(System.currentTimeMillis()).as("a closed connection frees its place").isLessThan(deadline);
          }
        }
      } finally {
        clients.close().await();
      }
    }
  }
}
