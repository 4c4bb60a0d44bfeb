package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.PostgresDatabase;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("resume across a gateway restart (PostgreSQL)")
class ResumeAcrossRestartTest {

  private static PostgresDatabase db;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    db = PostgresDatabase.create(ResumeAcrossRestartTest.class);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    db.close();
  }

  @Test
  @DisplayName("after a restart the same epoch continues and resume brings exactly what changed")
  void resumeAfterRestart() {
    JsonObject last;
    try (TestGateway first = TestGateway.postgres(db); Http http = new Http(clients, first.port());
        FeedClient c = FeedClient.connect(clients, first.port())) {
      http.offers("acme", new JsonArray().add(offer("a", "1.00")).add(offer("b", "2.00")).add(offer("c", "3.00")));
      c.send(subscribe("s").put("suppliers", new JsonArray().add("acme")));
      c.snapshot();
      http.offers("acme", new JsonArray().add(new JsonObject().put("sku", "a").put("price", "1.50 CAD")));
      last = c.next();
      assertThat(last.getString("type")).isEqualTo("update");
    }
    try (TestGateway second = TestGateway.postgres(db); Http http = new Http(clients, second.port())) {
      http.offers("acme", new JsonArray().add(new JsonObject().put("sku", "c").put("quantity", 3)));
      try (FeedClient c = FeedClient.connect(clients, second.port())) {
        c.send(subscribe("s").put("suppliers", new JsonArray().add("acme")).put("since",
            new JsonObject().put("epoch", last.getString("epoch")).put("seq", last.getLong("seq"))));
        JsonObject snap = c.snapshot().get(0);
        assertThat(snap.getBoolean("resumed")).isTrue();
        assertThat(snap.getBoolean("reset")).isFalse();
        assertThat(snap.getString("epoch")).isEqualTo(last.getString("epoch"));
        assertThat(snap.getJsonArray("offers")).hasSize(1);
        JsonObject c3 = snap.getJsonArray("offers").getJsonObject(0);
        assertThat(c3.getString("sku")).isEqualTo("c");
        assertThat(c3.getLong("quantity")).isEqualTo(3);
        assertThat(snap.getLong("seq")).isEqualTo(last.getLong("seq") + 1);
      }
    }
  }

  private static JsonObject offer(String sku, String price) {
    return new JsonObject().put("sku", sku).put("price", price + " CAD").put("availability", "in_stock");
  }
}
