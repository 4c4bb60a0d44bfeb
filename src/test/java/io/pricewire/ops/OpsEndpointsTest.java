package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ops port")
class OpsEndpointsTest {

  private static TestGateway gateway;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    gateway = TestGateway.memory();
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  @Test
  @DisplayName("readiness reports the store and its log position as JSON")
  void ready() {
    try (Http ops = new Http(clients, gateway.opsPort())) {
      var r = ops.get("/health/ready");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getString("status")).isEqualTo("UP");
      JsonObject store = body.getJsonArray("checks").stream().map(c -> (JsonObject) c)
          .filter(c -> "store".equals(c.getString("id"))).findFirst().orElseThrow();
      assertThat(store.getJsonObject("data").getString("store")).isEqualTo("memory");
      assertThat(ops.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("metrics count ingested items, committed changes, connections, subscriptions, updates and freshness")
  void metrics() {
    try (Http http = new Http(clients, gateway.port()); Http ops = new Http(clients, gateway.opsPort());
        FeedClient c = FeedClient.connect(clients, gateway.port())) {
      c.send(FeedClient.subscribe("m").put("suppliers", new JsonArray().add("metrics")));
      c.snapshot();
      http.offers("metrics", new JsonArray().add(new JsonObject().put("sku", "a").put("price", "1.00 CAD")
          .put("availability", "in_stock")).add(new JsonObject().put("sku", "b")));
      c.next();
      String text = ops.get("/metrics").bodyAsString();
      assertThat(text).contains("pricewire_ingest_items_total{source=\"json\",status=\"applied\"} 1.0");
      assertThat(text).contains("pricewire_ingest_items_total{source=\"json\",status=\"rejected\"} 1.0");
      assertThat(text).contains("pricewire_ledger_changes_total 1.0");
      assertThat(text).contains("pricewire_feed_connections{transport=\"websocket\"} 1.0");
      assertThat(text).contains("pricewire_feed_subscriptions 1.0");
      assertThat(text).contains("pricewire_feed_updates_sent_total 1.0");
      assertThat(text).contains("pricewire_feed_commit_to_write_seconds_count 1");
      assertThat(text).contains("pricewire_feed_commit_to_write_seconds_bucket{le=\"0.001\"}");
    }
  }
}
