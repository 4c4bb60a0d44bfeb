package io.pricewire.ledger;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pricewire.ledger.Addresses;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferParser;
import io.pricewire.store.Committed;
import io.pricewire.store.KeyStore;
import io.pricewire.store.LogHead;
import io.pricewire.store.PgStore;
import io.pricewire.store.Snapshot;
import io.pricewire.store.Store;
import io.pricewire.support.PostgresDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two commits in flight reach PostgreSQL in either order: the one started second may take the
 * log's lock first and hold the lower seqs. Whichever answer comes back first, the feed must see
 * every change once, in seq order, without a gap.
 */
class LedgerOrderTest {

  private static PostgresDatabase db;
  private static Vertx vertx;

  @BeforeAll
  static void open() {
    db = PostgresDatabase.create(LedgerOrderTest.class);
    vertx = Vertx.vertx();
    LocalCodec.register(vertx.eventBus(), CommitRequest.class, CommitReply.class, ChangeBatch.class);
  }

  @AfterAll
  static void close() {
    vertx.close().await();
    db.close();
  }

  /**
   * Runs the second commit it is given before the first (so the later one holds the lower seqs),
   * and hands the answers back in the order asked; later commits pass straight through.
   */
  private static final class SwappingStore implements Store {
    private final Store store;
    private final boolean laterAnswersFirst;
    private List<LedgerWrite> held;
    private Promise<Committed> heldAnswer;

    SwappingStore(Store store, boolean laterAnswersFirst) {
      this.store = store;
      this.laterAnswersFirst = laterAnswersFirst;
    }

    private boolean swapped;

    @Override
    public Future<Committed> commit(List<LedgerWrite> writes) {
      if (swapped) {
        return store.commit(writes);
      }
      if (held == null && heldAnswer == null) {
        held = writes;
        heldAnswer = Promise.promise();
        return heldAnswer.future();
      }
      Promise<Committed> later = Promise.promise();
      List<LedgerWrite> first = held;
      Promise<Committed> firstAnswer = heldAnswer;
      held = null;
      swapped = true;
      store.commit(writes).compose(laterDone -> store.commit(first).map(firstDone -> {
        if (laterAnswersFirst) {
          later.complete(laterDone);
          vertx.setTimer(50, t -> firstAnswer.complete(firstDone));
        } else {
          firstAnswer.complete(firstDone);
          vertx.setTimer(50, t -> later.complete(laterDone));
        }
        return null;
      })).onFailure(e -> {
        later.tryFail(e);
        firstAnswer.tryFail(e);
      });
      return later.future();
    }

    @Override
    public String kind() {
      return store.kind();
    }

    @Override
    public Future<Void> open() {
      return store.open();
    }

    @Override
    public Future<Offer> find(OfferKey key) {
      return store.find(key);
    }

    @Override
    public Future<Snapshot> snapshot(Interest interest, long afterSeq) {
      return store.snapshot(interest, afterSeq);
    }

    @Override
    public Future<List<Change>> changesBetween(long afterSeq, long upToSeq) {
      return store.changesBetween(afterSeq, upToSeq);
    }

    @Override
    public Future<io.pricewire.changelog.MarketEvent> commitEvent(io.pricewire.market.MarketInputs inputs,
        List<String> markets, String reason, long afterEventSeq) {
      return store.commitEvent(inputs, markets, reason, afterEventSeq);
    }

    @Override
    public Future<io.pricewire.store.MarketLog> marketLog() {
      return store.marketLog();
    }

    @Override
    public Future<List<io.pricewire.changelog.MarketEvent>> eventsBetween(long afterSeq, long upToSeq) {
      return store.eventsBetween(afterSeq, upToSeq);
    }

    @Override
    public Future<LogHead> head() {
      return store.head();
    }

    @Override
    public KeyStore keys() {
      return store.keys();
    }

    @Override
    public io.pricewire.store.RateStore rates() {
      return store.rates();
    }

    @Override
    public Future<Void> close() {
      return store.close();
    }
  }

  private static LedgerWrite write(String sku, String price) {
    var parsed = OfferParser.fromJson(new JsonObject().put("sku", sku).put("price", price + " CAD")
        .put("availability", "in_stock"), new HashSet<>());
    return new LedgerWrite("order", parsed.write(), System.nanoTime());
  }

  @ParameterizedTest(name = "the commit started second answers {0}")
  @ValueSource(strings = {"first", "second"})
  void publishedInSeqOrder(String which) throws Exception {
    PgStore pg = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 4, 5000, 1000);
    pg.open().await();
    Store store = new SwappingStore(pg, which.equals("first"));
    LedgerVerticle ledger = new LedgerVerticle(store, 2, 1000, new SimpleMeterRegistry(),
        new MarketWatch(java.util.List.of(), java.time.Clock.systemUTC()), Peers.NONE);
    String deployment = vertx.deployVerticle(ledger).await();
    List<Long> published = new CopyOnWriteArrayList<>();
    var consumer = vertx.eventBus().<ChangeBatch>localConsumer(Addresses.CHANGES, m -> {
      for (Change c : m.body().changes()) {
        published.add(c.seq());
      }
    });
    consumer.completion().await();
    long head = store.head().await().seq();
    String tag = which + System.nanoTime();
    // Two requests of two writes each: with batches of at most two, two commits go in flight.
    var a = vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(write("a" + tag, "1.00"),
        write("b" + tag, "1.00"))));
    var b = vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(write("c" + tag, "1.00"),
        write("d" + tag, "1.00"))));
    Future.all(a, b).await();
    // A third commit after both: the ledger publishes in seq order, so once its change is out,
    // anything published twice or out of order before it is in the list too.
    vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(write("e" + tag, "1.00")))).await();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!published.contains(head + 5) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    List<Long> expected = new ArrayList<>();
    for (long s = head + 1; s <= head + 5; s++) {
      expected.add(s);
    }
    assertThat(published).as("seqs published to the feed").containsExactlyElementsOf(expected);
    consumer.unregister().await();
    vertx.undeploy(deployment).await();
    pg.close().await();
  }
}
