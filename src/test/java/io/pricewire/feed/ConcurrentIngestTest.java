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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("concurrent ingest")
class ConcurrentIngestTest {

  @Test
  @DisplayName("memory: with six clients writing at once, a subscriber sees gapless increasing seqs")
  void memory() throws Exception {
    try (TestGateway g = TestGateway.start(java.util.Map.of("PRICEWIRE_EVENT_LOOPS", "2"))) {
      check(g);
    }
  }

  @Test
  @DisplayName("PostgreSQL: with six clients writing at once, a subscriber sees gapless increasing seqs")
  void postgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create(ConcurrentIngestTest.class);
        TestGateway g = TestGateway.postgres(db, java.util.Map.of("PRICEWIRE_EVENT_LOOPS", "2"))) {
      check(g);
      assertThat(db.queryLong("SELECT count(*) FROM changes")).isEqualTo(db.queryLong("SELECT max(seq) FROM changes"));
    }
  }

  @Test
  @DisplayName("PostgreSQL, tiny batches so that two transactions overlap on the log lock: still gapless and in order")
  void postgresOverlapping() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create(ConcurrentIngestTest.class);
        TestGateway g = TestGateway.postgres(db, java.util.Map.of("PRICEWIRE_EVENT_LOOPS", "2",
            "PRICEWIRE_LEDGER_MAX_BATCH_ITEMS", "6"))) {
      check(g);
      assertThat(db.queryLong("SELECT count(*) FROM changes")).isEqualTo(db.queryLong("SELECT max(seq) FROM changes"));
    }
  }

  private static void check(TestGateway g) throws Exception {
    Vertx clients = Vertx.vertx();
    int writers = 6;
    int requests = 30;
    int perRequest = 5;
    try (FeedClient watcher = FeedClient.connect(clients, g.port())) {
      JsonArray suppliers = new JsonArray();
      for (int w = 0; w < writers; w++) {
        suppliers.add("writer" + w);
      }
      watcher.send(subscribe("all").put("suppliers", suppliers));
      long start = watcher.snapshot().get(0).getLong("seq");
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      List<Future<Integer>> applied = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String supplier = "writer" + w;
        applied.add(pool.submit(() -> {
          int n = 0;
          try (Http http = new Http(clients, g.port())) {
            for (int r = 0; r < requests; r++) {
              JsonArray batch = new JsonArray();
              for (int i = 0; i < perRequest; i++) {
                batch.add(new JsonObject().put("sku", "sku-" + (r * 7 + i) % 12).put("price", (r + 1) + "." + i + "0 CAD")
                    .put("availability", "in_stock"));
              }
              for (Object item : http.offers(supplier, batch).getJsonArray("items")) {
                if ("applied".equals(((JsonObject) item).getString("status"))) {
                  n++;
                }
              }
            }
          }
          return n;
        }));
      }
      int total = 0;
      for (Future<Integer> f : applied) {
        total += f.get();
      }
      pool.shutdown();
      List<JsonObject> updates = watcher.updates(total);
      long expected = start + 1;
      for (JsonObject u : updates) {
        assertThat(u.getLong("seq")).as("seq after %d", expected - 1).isEqualTo(expected);
        expected++;
      }
      try (Http http = new Http(clients, g.port())) {
        http.offers("writer0", new JsonArray().add(new JsonObject().put("sku", "marker").put("price", "1.00 CAD")
            .put("availability", "in_stock")));
      }
      assertThat(FeedClient.updatedSkus(watcher.framesUntil(FeedClient.updateOf("marker"))))
          .as("no change came twice").containsExactly("marker");
      Supplier<String> summary = () -> "total " + updates.size();
      assertThat(updates).as(summary).hasSize(total);
    } finally {
      clients.close().await();
    }
  }
}
