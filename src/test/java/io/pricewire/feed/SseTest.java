package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.SseClient;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Server-Sent Events feed")
class SseTest {

  private static TestGateway gateway;
  private static Vertx clients;
  private static Http http;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_PING_INTERVAL_MS", "200"));
    clients = Vertx.vertx();
    http = new Http(clients, gateway.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    clients.close().await();
    gateway.close();
  }

  private static JsonObject offer(String sku, String price) {
    return new JsonObject().put("sku", sku).put("price", price + " CAD").put("availability", "in_stock");
  }

  @Test
  @DisplayName("events carry the feed's JSON with epoch:seq ids, and Last-Event-ID resumes exactly")
  void readDisconnectResume() {
    http.offers("sse-a", new JsonArray().add(offer("a", "1.00")).add(offer("b", "2.00")).add(offer("c", "3.00")));
    String lastId;
    try (SseClient sse = SseClient.connect(clients, gateway.port(), "suppliers=sse-a", null)) {
      assertThat(sse.statusCode()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      SseClient.Event snap = sse.next();
      assertThat(snap.data().getString("type")).isEqualTo("snapshot");
      assertThat(snap.data().getJsonArray("offers")).hasSize(3);
      assertThat(snap.id()).isEqualTo(snap.data().getString("epoch") + ":" + snap.data().getLong("seq"));
      http.offers("sse-a", new JsonArray().add(new JsonObject().put("sku", "a").put("price", "1.10 CAD")));
      SseClient.Event update = sse.next();
      assertThat(update.data().getString("type")).isEqualTo("update");
      assertThat(update.id()).isEqualTo(update.data().getString("epoch") + ":" + update.data().getLong("seq"));
      http.offers("sse-a", new JsonArray().add(new JsonObject().put("sku", "a").put("price", "1.20 CAD")));
      SseClient.Event marker = sse.next();
      assertThat(marker.data().getJsonObject("offer").getJsonObject("price").getString("amount"))
          .as("nothing came between the two changes").isEqualTo("1.20");
      lastId = marker.id();
      long deadline = System.currentTimeMillis() + 10_000;
      while (sse.comments().stream().noneMatch(c -> c.contains("keep-alive"))) {
        assertThat(System.currentTimeMillis()).as("keep-alive comments on an idle stream").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
    http.offers("sse-a", new JsonArray().add(new JsonObject().put("sku", "b").put("price", "2.20 CAD")));
    http.offers("sse-a", new JsonArray().add(new JsonObject().put("sku", "b").put("availability", "out_of_stock")));
    http.offers("sse-other", new JsonArray().add(offer("z", "9.00")));
    try (SseClient again = SseClient.connect(clients, gateway.port(), "suppliers=sse-a", lastId)) {
      SseClient.Event resumed = again.next();
      assertThat(resumed.data().getString("type")).isEqualTo("snapshot");
      assertThat(resumed.data().getBoolean("resumed")).isTrue();
      Map<String, JsonObject> offers = new HashMap<>();
      resumed.data().getJsonArray("offers").forEach(o -> offers.put(((JsonObject) o).getString("sku"), (JsonObject) o));
      assertThat(offers).containsOnlyKeys("b");
      assertThat(offers.get("b").getString("availability")).isEqualTo("out_of_stock");
      assertThat(offers.get("b").getJsonObject("price").getString("amount")).isEqualTo("2.20");
      http.offers("sse-a", new JsonArray().add(new JsonObject().put("sku", "c").put("price", "3.30 CAD")));
      assertThat(again.next().data().getJsonObject("offer").getString("sku")).isEqualTo("c");
    }
  }

  @Test
  @DisplayName("interest comes from repeatable query parameters, and a bad one is a 400 JSON error")
  void queryParameters() {
    http.offers("sse-b", new JsonArray().add(offer("x", "1.00").put("category", "Fruit, fresh")));
    http.offers("sse-c", new JsonArray().add(offer("y", "1.00")));
    try (SseClient sse = SseClient.connect(clients, gateway.port(),
        "skus=sse-c:y&categories=Fruit%2C%20fresh&max_rate=5", null)) {
      assertThat(sse.next().data().getJsonArray("offers")).hasSize(2);
    }
    var bad = http.get("/v1/feed/sse?suppliers=Not%20Valid");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_interest");
    var empty = http.get("/v1/feed/sse");
    assertThat(empty.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("empty_interest");
    var since = http.get("/v1/feed/sse?suppliers=a&since=nonsense");
    assertThat(since.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_since");
  }
}
