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
        // Block one loop at a time, until the test lets it go; unless it is the one serving the ops
        // port, liveness must say so.
        for (int i = 0; i < contexts.size() && found == null; i++) {
          Context context = contexts.get(i);
          CountDownLatch release = new CountDownLatch(1);
          CountDownLatch released = new CountDownLatch(1);
          context.runOnContext(v -> block(release, released));
          long deadline = System.currentTimeMillis() + 10_000;
          while (found == null && System.currentTimeMillis() < deadline) {
            try {
              var r = web.get(gateway.opsPort(), "127.0.0.1", "/health/live").timeout(2000).send().await();
              if (r.statusCode() == 503) {
                found = r.bodyAsJsonObject();
              }
            } catch (Exception e) {
              // The blocked loop is the one serving the ops port: the probe itself times out. Try another.
              break;
            }
          }
          if (found != null) {
            double lag = Metrics.value(clients, gateway.opsPort(), "pricewire_event_loop_lag_seconds");
            assertThat(lag).isGreaterThan(0.5);
          }
          release.countDown();
          assertThat(released.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(found).as("a blocked loop was reported").isNotNull();
        JsonObject check = found.getJsonArray("checks").getJsonObject(0);
        assertThat(check.getString("status")).isEqualTo("DOWN");
        JsonObject blocked = check.getJsonObject("data").getJsonArray("blocked").getJsonObject(0);
        assertThat(blocked.getString("verticle")).matches("ledger|api-\\d+|ops");
        assertThat(blocked.getLong("blocked_ms")).isGreaterThanOrEqualTo(500);
        long deadline = System.currentTimeMillis() + 10_000;
        while (web.get(gateway.opsPort(), "127.0.0.1", "/health/live").send().await().statusCode() != 200) {
          assertThat(System.currentTimeMillis()).as("live again once unblocked").isLessThan(deadline);
        }
        JsonObject ready = web.get(gateway.opsPort(), "127.0.0.1", "/health/ready").send().await().bodyAsJsonObject();
        assertThat(ready.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
            .containsExactlyInAnyOrder("store", "event-loops", "cluster");
        JsonObject cluster = ready.getJsonArray("checks").stream().map(c -> (JsonObject) c)
            .filter(c -> c.getString("id").equals("cluster")).findFirst().orElseThrow();
        assertThat(cluster.getString("status")).as("a node alone is its own cluster").isEqualTo("UP");
        assertThat(cluster.getJsonObject("data").getInteger("members")).isEqualTo(1);
        assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_store_up")).isEqualTo(1.0);
      } finally {
        clients.close().await();
      }
    }
  }

  /** Holds the calling event loop until {@code release}, as a blocking call would. */
  private static void block(CountDownLatch release, CountDownLatch released) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      released.countDown();
    }
  }
}
