package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.ClientView;
import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.SseClient;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Clients that come and go while others stay, on one event loop, over real sockets: storefronts
 * that close (with a close frame, or by ending their event stream) while updates are being written
 * to them must not cost the storefronts that stay a single change.
 */
@DisplayName("feed under client churn")
class ChurnTest {

  private static final String SUPPLIER = "churn";
  private static final int OFFERS = 20;
  private static TestGateway gateway;
  private static Vertx clients;
  private static Http http;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_EVENT_LOOPS", "1", "PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS", "0"));
    clients = Vertx.vertx();
    http = new Http(clients, gateway.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    clients.close().await();
    gateway.close();
  }

  private static JsonArray round(int round) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 3; i++) {
      int sku = (round * 3 + i) % OFFERS;
      JsonObject item = new JsonObject().put("sku", "o" + sku).put("price", (round % 900 + 1) + "." + (i * 11) + " CAD");
      if (round % 7 == 0) {
        item.put("availability", round % 2 == 0 ? "out_of_stock" : "in_stock");
      }
      items.add(item);
    }
    return items;
  }

  @Test
  @DisplayName("thirty clients that subscribe and close in a loop never stall or close the six that stay")
  void closingClientsDoNotStopOthers() throws Exception {
    JsonArray seed = new JsonArray();
    for (int i = 0; i < OFFERS; i++) {
      seed.add(new JsonObject().put("sku", "o" + i).put("price", "1.00 CAD").put("availability", "in_stock"));
    }
    http.offers(SUPPLIER, seed);
    ClientView.Interest interest = new ClientView.Interest().suppliers(SUPPLIER);
    List<FeedClient> observers = new ArrayList<>();
    List<ClientView> views = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      FeedClient c = FeedClient.connect(clients, gateway.port());
      c.send(FeedClient.subscribe("watch").mergeIn(interest.toJson()));
      observers.add(c);
      views.add(new ClientView("watch", interest));
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger closes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<Future<?>> work = new ArrayList<>();
    work.add(pool.submit(() -> {
      for (int r = 1; r <= 600; r++) {
        http.offers(SUPPLIER, round(r));
      }
      writing.set(false);
      return null;
    }));
    for (int t = 0; t < 30; t++) {
      boolean sse = t % 5 == 0;
      work.add(pool.submit(() -> {
        while (writing.get()) {
          if (sse) {
            SseClient s = SseClient.connect(clients, gateway.port(), "suppliers=" + SUPPLIER, null);
            s.next();
            s.close();
          } else {
            FeedClient c = FeedClient.connect(clients, gateway.port());
            c.send(FeedClient.subscribe("churn").put("suppliers", new JsonArray().add(SUPPLIER)));
            c.snapshot();
            // Leave while updates are being written: the close frame arrives mid-stream. (Once the
            // writer is done no update comes; the wait only ends the loop.)
            c.poll(2000);
            c.close();
          }
          closes.incrementAndGet();
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    Map<String, JsonObject> expected = new HashMap<>();
    for (int i = 0; i < OFFERS; i++) {
      JsonObject stored = http.get("/v1/suppliers/" + SUPPLIER + "/offers/o" + i).bodyAsJsonObject();
      expected.put(SUPPLIER + ":o" + i, stored);
    }
    for (int i = 0; i < observers.size(); i++) {
      FeedClient c = observers.get(i);
      ClientView v = views.get(i);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!v.offers().equals(expected) && System.nanoTime() < deadline) {
        JsonObject frame = c.poll(1000);
        if (frame != null) {
          v.apply(frame);
          assertThat(v.violation()).isNull();
        }
      }
      assertThat(c.isClosed()).as("observer %d is still connected (closed: %s)", i, c.closeReason()).isFalse();
      assertThat(v.offers()).as("observer %d ends with the committed state after %d closes", i, closes.get())
          .isEqualTo(expected);
    }
    assertThat(closes.get()).as("clients came and went").isGreaterThan(50);
    observers.forEach(FeedClient::close);
  }
}
