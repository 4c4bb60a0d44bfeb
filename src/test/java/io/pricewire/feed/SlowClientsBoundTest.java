package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.StuckSocket;
import io.pricewire.support.Http;
import io.pricewire.support.Metrics;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many subscribers stop reading while tens of thousands of updates flow. What they cost stays
 * bounded by their interests, and a normal subscriber beside them gets every change. The heap
 * growth and the normal subscriber's latency are printed (figures, not assertions).
 */
@DisplayName("slow clients cost bounded memory")
class SlowClientsBoundTest {

  private static final Logger log = LoggerFactory.getLogger(SlowClientsBoundTest.class);
  private static final int OFFERS = 200;
  private static final int SLOW = 50;
  private static final int ROUNDS = 100;

  @Test
  @DisplayName("fifty stopped subscribers hold at most their interests while a normal one receives all 20,000 changes")
  void boundedWhileOthersFlow() throws Exception {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_SLOW_TIMEOUT_MS", "600000",
        "PRICEWIRE_FEED_PING_TIMEOUT_MS", "600000"))) {
      Vertx clients = Vertx.vertx();
      List<StuckSocket> slow = new ArrayList<>();
      try (Http http = new Http(clients, gateway.port())) {
        JsonArray seed = new JsonArray();
        for (int i = 0; i < OFFERS; i++) {
          seed.add(offer(i, 0).put("availability", "in_stock").put("title", new JsonObject()
              .put("en", "Live Atlantic lobster, 1 lb, grade A, from Nova Scotia, packed in seawater, air freight")
              .put("zh-CN", "加拿大新斯科舍省鲜活龙虾，一磅，A级，海水包装，空运直达")));
        }
        http.offers("bound", seed);
        // Plain sockets that subscribe and never read (not even the snapshot): what waits for them
        // is in the gateway and the kernel only, so the heap measured below is the gateway's.
        for (int i = 0; i < SLOW; i++) {
          slow.add(StuckSocket.open(gateway.port(), subscribe("s").put("suppliers", new JsonArray().add("bound"))
              .encode()));
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (Metrics.value(clients, gateway.opsPort(), "pricewire_feed_subscriptions") < SLOW) {
          assertThat(System.currentTimeMillis()).as("the stuck clients' subscriptions are registered")
              .isLessThan(deadline);
          Thread.sleep(20);
        }
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicInteger received = new AtomicInteger();
        AtomicReference<String> problem = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Map<String, Long> versions = new HashMap<>();
        long[] lastSeq = {-1};
        WebSocket normal = clients.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 24))
            .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/v1/feed"))
            .await();
        CountDownLatch subscribed = new CountDownLatch(1);
        normal.textMessageHandler(text -> {
          JsonObject f = new JsonObject(text);
          if ("snapshot".equals(f.getString("type"))) {
            subscribed.countDown();
            return;
          }
          for (JsonObject o : FlowControlTest.offersIn(f)) {
            long micros = ChronoUnit.MICROS.between(Instant.parse(o.getString("committed_at")), Instant.now());
            synchronized (latency) {
              latency.recordValue(Math.max(0, micros));
            }
            Long before = versions.put(o.getString("sku"), o.getLong("version"));
            if (before != null && o.getLong("version") != before + 1) {
              problem.compareAndSet(null, o.getString("sku") + " went from version " + before + " to "
                  + o.getLong("version"));
            }
            if (received.incrementAndGet() == OFFERS * ROUNDS) {
              done.countDown();
            }
          }
          if (f.getLong("seq") <= lastSeq[0]) {
            problem.compareAndSet(null, "seq went from " + lastSeq[0] + " to " + f.getLong("seq"));
          }
          lastSeq[0] = f.getLong("seq");
        });
        normal.writeTextMessage(subscribe("n").put("suppliers", new JsonArray().add("bound")).encode());
        assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

        long heapBefore = usedHeapAfterGc();
        long maxPending = 0;
        for (int round = 1; round <= ROUNDS; round++) {
          JsonArray batch = new JsonArray();
          for (int i = 0; i < OFFERS; i++) {
            batch.add(offer(i, round));
          }
          http.offers("bound", batch);
          // Paced at about 5,000 changes a second, so "promptly" is measured below saturation.
          Thread.sleep(40);
          if (round % 10 == 0) {
            maxPending = Math.max(maxPending, (long) Metrics.value(clients, gateway.opsPort(),
                "pricewire_feed_pending_offers"));
          }
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).as("the normal subscriber got every change").isTrue();
        assertThat(problem.get()).isNull();
        long heapAfter = usedHeapAfterGc();
        double conflated = Metrics.value(clients, gateway.opsPort(), "pricewire_feed_conflated_total");
        synchronized (latency) {
          log.info("FIGURES slow clients: {} stopped subscribers x {} offers, {} changes; heap in use after GC "
              + "{} MB before, {} MB after (growth {} MB); most states waiting {}; changes merged {}; normal "
              + "subscriber commit->receipt p50 {} ms p99 {} ms max {} ms", SLOW, OFFERS, OFFERS * ROUNDS,
              heapBefore >> 20, heapAfter >> 20, (heapAfter - heapBefore) >> 20, maxPending, (long) conflated,
              latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
              latency.getMaxValue() / 1000.0);
        }
        assertThat(maxPending).as("waiting states stay within the stopped subscribers' interests")
            .isLessThanOrEqualTo((long) SLOW * OFFERS);
        assertThat(conflated).as("the stopped subscribers' changes were merged").isPositive();
        normal.close();
      } finally {
        for (StuckSocket s : slow) {
          s.close();
        }
        clients.close().await();
      }
    }
  }

  private static JsonObject offer(int i, int round) {
    return new JsonObject().put("sku", "o" + i).put("price", (round + 10) + "." + String.format("%02d", i % 100)
        + " CAD");
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
