package io.pricewire.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pricewire.changelog.Change;
import io.pricewire.offer.OfferKey;
import io.pricewire.support.PostgresDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PostgreSQL store contract")
class PostgresStoreTest extends StoreContract {

  private static Vertx vertx;
  private static PostgresDatabase db;
  private static PgStore store;

  @BeforeAll
  static void open() {
    db = PostgresDatabase.create(PostgresStoreTest.class);
    vertx = Vertx.vertx();
    store = newStore();
    store.open().await();
  }

  /** With the offer cache on, as the gateway runs it: the contract holds with it. */
  private static PgStore newStore() {
    return new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 4, 5000, 1000);
  }

  @AfterAll
  static void close() {
    store.close().await();
    vertx.close().await();
    db.close();
  }

  @Override
  protected Store store() {
    return store;
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Test
  @DisplayName("the epoch and head survive reopening the store")
  void epochSurvivesReopen() {
    String s = newSupplier();
    commit(write(s, offer("a", "1.00")));
    LogHead before = store.head().await();
    PgStore reopened = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000);
    reopened.open().await();
    try {
      assertThat(reopened.head().await()).isEqualTo(before);
      assertThat(reopened.find(new OfferKey(s, "a")).await()).isNotNull();
    } finally {
      reopened.close().await();
    }
  }

  @Test
  @DisplayName("market events survive reopening, and are read back by range with the changes around them")
  void marketEventsSurviveReopen() {
    String s = newSupplier();
    long head = store.head().await().seq();
    commit(write(s, offer("a", "1.00")));
    var e = store.commitEvent(inputs("5.1", "2026-11-30T01:02:03.000004Z"), java.util.List.of("cn-cbec"), "rate",
        Store.ANY_LAST_EVENT)
        .await();
    commit(write(s, offer("a", "2.00")));
    PgStore reopened = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000);
    reopened.open().await();
    try {
      MarketLog log = reopened.marketLog().await();
      assertThat(log.last()).isEqualTo(e);
      assertThat(log.lastSeqByMarket()).containsEntry("cn-cbec", e.seq());
      long upTo = reopened.head().await().seq();
      assertThat(reopened.eventsBetween(head, upTo).await()).containsExactly(e);
      assertThat(reopened.changesBetween(head, upTo).await()).extracting(io.pricewire.changelog.Change::seq)
          .containsExactly(e.seq() - 1, e.seq() + 1);
    } finally {
      reopened.close().await();
    }
  }

  @Test
  @DisplayName("two nodes writing the same offers: neither acts on the states it kept once the other wrote")
  void twoWritersKeepVersionsExact() {
    PgStore other = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000, 1000);
    other.open().await();
    try {
      String s = newSupplier();
      String x = "{\"sku\": \"x\", \"price\": \"%s CAD\", \"availability\": \"in_stock\"%s}";
      assertThat(commit(write(s, x.formatted("0.25", ""))).outcomes().get(0).version()).isEqualTo(1);
      assertThat(commit(write(s, x.formatted("0.50", ""))).outcomes().get(0).version()).isEqualTo(2);
      assertThat(commit(write(s, x.formatted("1.00", ""))).outcomes().get(0).version()).isEqualTo(3);
      // The other node writes version 5: the state this node kept (version 3) is now old.
      assertThat(other.commit(List.of(write(s, x.formatted("5.00", ", \"version\": 5")))).await().outcomes()
          .get(0).status()).isEqualTo(io.pricewire.changelog.ItemStatus.APPLIED);
      // Version 4 is new on the state this node kept (3), stale on the log.
      assertThat(commit(write(s, x.formatted("4.00", ", \"version\": 4"))).outcomes().get(0).status())
          .as("version 4 after version 5 is stale, whatever this node kept").isEqualTo(io.pricewire.changelog.ItemStatus.STALE);
      assertThat(commit(write(s, x.formatted("7.00", ""))).outcomes().get(0).version())
          .as("the next version follows the other node's").isEqualTo(6);
      // And the other way round: the other node kept version 5, this one wrote 6.
      assertThat(other.commit(List.of(write(s, x.formatted("8.00", "")))).await().outcomes().get(0).version())
          .isEqualTo(7);
      // A raise of the version alone (same content) is a write too: a change with nothing in changed.
      Committed raised = commit(write(s, x.formatted("8.00", ", \"version\": 20")));
      assertThat(raised.outcomes().get(0).status()).isEqualTo(io.pricewire.changelog.ItemStatus.APPLIED);
      assertThat(raised.changes()).singleElement().satisfies(c -> assertThat(c.changed()).isEmpty());
      assertThat(other.commit(List.of(write(s, x.formatted("9.00", ", \"version\": 15")))).await().outcomes()
          .get(0).status()).as("below the raised version").isEqualTo(io.pricewire.changelog.ItemStatus.STALE);
      assertThat(store.find(new OfferKey(s, "x")).await().version()).isEqualTo(20);
    } finally {
      other.close().await();
    }
  }

  @Test
  @DisplayName("the TLS mode of the URI holds for the schema migration too: one it cannot meet stops the open")
  void migrationHonoursTls() {
    // verify-full cannot be met here: this server has no TLS, or a certificate the JVM does not trust.
    PgStore strict = new PgStore(vertx, PgConnectOptions.fromUri(db.uri() + "?sslmode=verify-full"), 2, 5000);
    assertThatThrownBy(() -> strict.open().await()).hasStackTraceContaining("SSL");
  }

  @Test
  @DisplayName("two nodes starting at once on an empty database apply the schema once and share one log")
  void concurrentFirstStart() {
    try (PostgresDatabase fresh = PostgresDatabase.create(PostgresStoreTest.class)) {
      PgStore a = new PgStore(vertx, PgConnectOptions.fromUri(fresh.uri()), 2, 5000);
      PgStore b = new PgStore(vertx, PgConnectOptions.fromUri(fresh.uri()), 2, 5000);
      Future.join(a.open(), b.open()).await();
      try {
        assertThat(a.head().await()).isEqualTo(b.head().await());
        assertThat(fresh.queryLong("SELECT count(*) FROM ledger")).isEqualTo(1);
        assertThat(fresh.queryLong("SELECT count(*) - count(DISTINCT version) FROM flyway_schema_history"))
            .as("no migration applied twice").isZero();
        assertThat(fresh.queryLong("SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();
        assertThat(fresh.queryLong("SELECT count(*) FROM supplier_keys")).isZero();
      } finally {
        a.close().await();
        b.close().await();
      }
    }
  }

  @Test
  @DisplayName("two commits in flight, with another node writing the same offers in between: every version "
      + "once, the log gapless, the answers equal to the log")
  void twoInFlightWithAnotherWriter() throws Exception {
    PgStore other = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000, 1000);
    other.open().await();
    try {
      String s = newSupplier();
      List<String> skus = List.of("a", "b", "c", "d", "e");
      long from = store.head().await().seq();
      int total = 300;
      java.util.Map<String, List<Long>> versions = new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
      java.util.Random random = new java.util.Random(7);
      // As the ledger does: one event loop, at most two commits of this node in flight.
      vertx.runOnContext(v -> new Object() {
        int started;
        int ended;
        int inFlight;

        void next() {
          while (inFlight < 2 && started < total) {
            started++;
            inFlight++;
            String sku = skus.get(random.nextInt(skus.size()));
            boolean otherWrites = random.nextInt(4) == 0;
            Future<Committed> mine = store.commit(List.of(write(s, offer(sku, started + ".00")),
                write(s, offer(skus.get(random.nextInt(skus.size())), started + ".50"))));
            if (otherWrites) {
              // The other node writes between this node's commits, on its own loop.
              other.commit(List.of(write(s, offer(sku, started + ".25")))).onComplete(ar -> record(ar));
            }
            mine.onComplete(ar -> {
              record(ar);
              inFlight--;
              if (++ended == total) {
                done.complete(null);
              } else {
                next();
              }
            });
          }
        }

        void record(io.vertx.core.AsyncResult<Committed> ar) {
          if (ar.failed()) {
            done.completeExceptionally(ar.cause());
            return;
          }
          for (Change c : ar.result().changes()) {
            versions.computeIfAbsent(c.offer().key().sku(), k -> java.util.Collections.synchronizedList(
                new java.util.ArrayList<>())).add(c.offer().version());
          }
        }
      }.next());
      done.get(60, java.util.concurrent.TimeUnit.SECONDS);
      // The other node's last commits may still be on their way.
      long head = waitForHead(from, versions);
      List<Change> logged = store.changesBetween(from, head).await();
      assertThat(logged).extracting(Change::seq).as("gapless").containsExactlyElementsOf(
          java.util.stream.LongStream.rangeClosed(from + 1, head).boxed().toList());
      for (String sku : skus) {
        List<Long> seen = logged.stream().filter(c -> c.offer().key().sku().equals(sku))
            .map(c -> c.offer().version()).toList();
        assertThat(seen).as("versions of %s in the log", sku).containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(1, seen.size()).boxed().toList());
        assertThat(versions.getOrDefault(sku, List.of())).as("versions of %s answered", sku)
            .containsExactlyInAnyOrderElementsOf(seen);
        assertThat(store.find(new OfferKey(s, sku)).await().version()).isEqualTo(seen.size());
      }
    } finally {
      other.close().await();
    }
  }

  @Test
  @DisplayName("without the offer cache every commit reads what it touches, and versions stay exact")
  void noOfferCache() {
    PgStore uncached = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000, 0);
    uncached.open().await();
    try {
      String s = newSupplier();
      for (int v = 1; v <= 4; v++) {
        assertThat(uncached.commit(List.of(write(s, offer("x", v + ".00")))).await().outcomes().get(0).version())
            .isEqualTo(v);
      }
      assertThat(store.find(new OfferKey(s, "x")).await().version()).isEqualTo(4);
    } finally {
      uncached.close().await();
    }
  }

  /** The head once every answered change is in: the answers counted in {@code versions}. */
  private long waitForHead(long from, java.util.Map<String, List<Long>> versions) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      long answered = versions.values().stream().mapToLong(List::size).sum();
      long head = store.head().await().seq();
      if (head - from == answered || System.nanoTime() > deadline) {
        return head;
      }
      Thread.sleep(20);
    }
  }

  @Test
  @DisplayName("every change is in the change log table, read back in seq order")
  void changeLog() {
    String s = newSupplier();
    Committed c = commit(write(s, offer("a", "1.00")),
        write(s, "{\"sku\": \"a\", \"availability\": \"out_of_stock\", \"tax_class\": \"agri_9\"}"));
    long first = c.changes().get(0).seq();
    List<Change> logged = store.changesBetween(first - 1, first + 1).await();
    assertThat(logged).extracting(Change::seq).containsExactly(first, first + 1);
    assertThat(logged.get(1).offer()).isEqualTo(c.changes().get(1).offer());
    assertThat(logged.get(1).offer().taxClass()).as("the log's copy of the state").isEqualTo("agri_9");
    assertThat(logged.get(1).changed()).isEqualTo(c.changes().get(1).changed());
    assertThat(logged.get(1).previousAvailability()).isEqualTo(c.changes().get(1).previousAvailability());
    assertThat(db.queryLong("SELECT max(seq) FROM changes")).isEqualTo(store.head().await().seq());
  }
}
