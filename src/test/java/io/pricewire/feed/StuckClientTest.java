package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.Metrics;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("stuck clients")
class StuckClientTest {

  @Test
  @DisplayName("a client that stops reading is closed with 4002 after the slow timeout, and its resume is complete")
  void stuckClientIsClosedAndResumes() throws Exception {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_SLOW_TIMEOUT_MS", "1000",
        "PRICEWIRE_FEED_PING_INTERVAL_MS", "200", "PRICEWIRE_FEED_PING_TIMEOUT_MS", "600000"))) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, gateway.port())) {
        String s = "stuck";
        int n = 20;
        JsonArray seed = new JsonArray();
        for (int i = 0; i < n; i++) {
          seed.add(new JsonObject().put("sku", "o" + i).put("price", "1.00 CAD").put("availability", "in_stock")
              .put("title", FlowControlTest.bigTitle(0)));
        }
        http.offers(s, seed);
        FeedClient stuck = FeedClient.connect(clients, gateway.port(),
            new WebSocketClientOptions().setReceiveBufferSize(2048));
        stuck.send(subscribe("s").put("suppliers", new JsonArray().add(s)));
        JsonObject snap = stuck.snapshot().get(0);
        stuck.ws.pause();
        int round = 2;
        long deadline = System.currentTimeMillis() + 60_000;
        while (Metrics.value(clients, gateway.opsPort(), "pricewire_feed_slow_closes_total") < 1
            && System.currentTimeMillis() < deadline) {
          JsonArray batch = new JsonArray();
          for (int i = 0; i < n; i++) {
            batch.add(new JsonObject().put("sku", "o" + i).put("price", round + ".00 CAD"));
          }
          http.offers(s, batch);
          round++;
          Thread.sleep(20);
        }
        assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_feed_slow_closes_total")).isEqualTo(1.0);
        assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_feed_connections{transport=\"websocket\"}"))
            .isZero();
        // The client reads what reached it, then the close frame.
        stuck.ws.resume();
        String epoch = snap.getString("epoch");
        long resumeFrom = snap.getLong("seq");
        Map<String, String> prices = new HashMap<>();
        for (JsonObject f : stuck.framesUntilClosed(30_000)) {
          for (JsonObject o : FlowControlTest.offersIn(f)) {
            prices.put(o.getString("sku"), o.getJsonObject("price").getString("amount"));
          }
          if (f.containsKey("seq")) {
            resumeFrom = f.getLong("seq");
          }
        }
        assertThat(stuck.awaitClose(10_000)).isEqualTo(CloseCodes.SLOW_CONSUMER);
        assertThat(stuck.closeReason()).contains("resume");
        for (int i = 0; i < 3; i++) {
          JsonArray batch = new JsonArray().add(new JsonObject().put("sku", "o" + i).put("price", "999.00 CAD"));
          http.offers(s, batch);
        }
        try (FeedClient again = FeedClient.connect(clients, gateway.port())) {
          again.send(subscribe("s").put("suppliers", new JsonArray().add(s))
              .put("since", new JsonObject().put("epoch", epoch).put("seq", resumeFrom)));
          for (JsonObject part : again.snapshot()) {
            assertThat(part.getBoolean("resumed")).isTrue();
            part.getJsonArray("offers").forEach(o -> prices.put(((JsonObject) o).getString("sku"),
                ((JsonObject) o).getJsonObject("price").getString("amount")));
          }
        }
        for (int i = 0; i < n; i++) {
          String stored = http.get("/v1/suppliers/" + s + "/offers/o" + i).bodyAsJsonObject().getJsonObject("price")
              .getString("amount");
          assertThat(prices.get("o" + i)).as("o" + i).isEqualTo(stored);
        }
      } finally {
        clients.close().await();
      }
    }
  }
}
