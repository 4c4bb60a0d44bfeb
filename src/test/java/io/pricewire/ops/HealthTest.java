package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Metrics;
import io.pricewire.support.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("health")
class HealthTest {

  @Test
  @DisplayName("liveness fails while an event loop is blocked, naming the verticle, and recovers after")
  void blockedEventLoop() throws Exception {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_EVENT_LOOP_BLOCKED_MS", "500"))) {
      Vertx clients = Vertx.vertx();
      WebClient web = WebClient.create(clients);
      try {
        JsonObject healthy = web.get(gateway.opsPort(), "127.0.0.1", "/health/live").send().await().bodyAsJsonObject();
        assertThat(healthy.getString("status")).isEqualTo("UP");
        assertThat(healthy.getJsonArray("checks").getJsonObject(0).getString("id")).isEqualTo("event-loops");
        // Verticle instances are spread over the event loops: one context on each of them.
        java.util.List<Context> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();
        gateway.vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
          @Override
          public io.vertx.core.Future<?> start() {
            contexts.add(context);
            return io.vertx.core.Future.succeededFuture();
          }
        }, new io.vertx.core.DeploymentOptions().setInstances(8)).await();
        JsonObject found = null;
        // Block one loop at a time; unless it is the one serving the ops port, liveness must say so.
        for (int i = 0; i < contexts.size() && found == null; i++) {
          Context context = contexts.get(i);
          CountDownLatch released = new CountDownLatch(1);
          context.runOnContext(v -> sleep(2000, released));
          Thread.sleep(900);
          try {
            var r = web.get(gateway.opsPort(), "127.0.0.1", "/health/live").timeout(700).send().await();
            if (r.statusCode() == 503) {
              found = r.bodyAsJsonObject();
              assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_event_loop_lag_seconds"))
                  .isGreaterThan(0.5);
            }
          } catch (Exception e) {
            // The blocked loop is the one serving the ops port: the probe itself times out. Try another.
          }
          assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(found).as("a blocked loop was reported").isNotNull();
        JsonObject check = found.getJsonArray("checks").getJsonObject(0);
        assertThat(check.getString("status")).isEqualTo("DOWN");
        JsonObject blocked = check.getJsonObject("data").getJsonArray("blocked").getJsonObject(0);
        assertThat(blocked.getString("verticle")).matches("ledger|api-\\d+|ops");
        assertThat(blocked.getLong("blocked_ms")).isGreaterThanOrEqualTo(500);
        Thread.sleep(300);
        assertThat(web.get(gateway.opsPort(), "127.0.0.1", "/health/live").send().await().statusCode())
            .as("live again once unblocked").isEqualTo(200);
        JsonObject ready = web.get(gateway.opsPort(), "127.0.0.1", "/health/ready").send().await().bodyAsJsonObject();
        assertThat(ready.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
            .containsExactlyInAnyOrder("store", "event-loops");
        assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_store_up")).isEqualTo(1.0);
      } finally {
        clients.close().await();
      }
    }
  }

  private static void sleep(long ms, CountDownLatch done) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.countDown();
    }
  }
}
