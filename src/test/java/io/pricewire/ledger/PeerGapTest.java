package io.pricewire.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.offer.OfferParser;
import io.pricewire.store.PgStore;
import io.pricewire.support.PostgresDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a node publishes when the bus loses its peers' commits: another node commits to the same
 * PostgreSQL, and not one of its messages arrives. The ledger finds the entries at its next head
 * check, reads them back, and publishes them before its own later commits, in seq order, each
 * once; a peer's message that does arrive after the read-back is dropped as had.
 */
@DisplayName("a node's ledger with peers whose messages are lost")
class PeerGapTest {

  private static final long HEAD_CHECK_MS = 200;
  private static final long GAP_WAIT_MS = 50;

  private PostgresDatabase db;
  private Vertx vertx;
  private PgStore mine;
  private PgStore other;
  private final List<ChangeBatch> published = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Consumer<ChangeBatch> fromPeers;

  /** The cluster bus as seen by this node when every message to it is lost; a late one can be handed in. */
  private final class LosingBus implements Peers {
    @Override
    public Future<Void> start(Vertx v, Consumer<ChangeBatch> handler) {
      fromPeers = handler;
      return Future.succeededFuture();
    }

    @Override
    public void share(ChangeBatch committed) {
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public long headCheckMs() {
      return HEAD_CHECK_MS;
    }

    @Override
    public long gapWaitMs() {
      return GAP_WAIT_MS;
    }
  }

  private io.vertx.core.Context ledgerContext;

  @BeforeEach
  void start() {
    db = PostgresDatabase.create(PeerGapTest.class);
    vertx = Vertx.vertx();
    LocalCodec.register(vertx.eventBus(), CommitRequest.class, CommitReply.class, ChangeBatch.class);
    mine = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000, 1000);
    other = new PgStore(vertx, PgConnectOptions.fromUri(db.uri()), 2, 5000, 1000);
    mine.open().await();
    other.open().await();
    vertx.eventBus().<ChangeBatch>localConsumer(Addresses.CHANGES, m -> published.add(m.body())).completion().await();
    LedgerVerticle ledger = new LedgerVerticle(mine, 100, 1000, registry,
        new MarketWatch(List.of(), java.time.Clock.systemUTC()), new LosingBus());
    vertx.deployVerticle(ledger).await();
    ledgerContext = ledger.context();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    db.close();
  }

  private static LedgerWrite write(String sku, String price) {
    var parsed = OfferParser.fromJson(new JsonObject().put("sku", sku).put("price", price + " CAD")
        .put("availability", "in_stock"), new HashSet<>());
    return new LedgerWrite("gap", parsed.write(), System.nanoTime());
  }

  private List<Long> publishedSeqs() {
    List<Long> seqs = new ArrayList<>();
    for (ChangeBatch b : published) {
      for (Change c : b.changes()) {
        seqs.add(c.seq());
      }
    }
    return seqs;
  }

  private void awaitPublished(long upTo) throws InterruptedException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end && (publishedSeqs().isEmpty()
        || publishedSeqs().get(publishedSeqs().size() - 1) < upTo)) {
      Thread.sleep(10);
    }
  }

  @Test
  @DisplayName("a peer's commit that never arrives is found by the head check and read back, in order, once")
  void lostAtTheTail() throws Exception {
    long start = System.nanoTime();
    var committed = other.commit(List.of(write("a", "1.00"), write("b", "2.00"), write("c", "3.00"))).await();
    long last = committed.changes().get(2).seq();
    awaitPublished(last);
    long foundMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(publishedSeqs()).containsExactly(last - 2, last - 1, last);
    assertThat(published).allSatisfy(b -> assertThat(b.fromPeer()).isFalse());
    assertThat(registry.get("pricewire.ledger.gaps").counter().count()).isEqualTo(1);
    assertThat(registry.get("pricewire.ledger.gap.entries").counter().count()).isEqualTo(3);
    System.out.printf("a lost commit at the tail was published %d ms after it committed (head check every %d ms, "
        + "gap wait %d ms)%n", foundMs, HEAD_CHECK_MS, GAP_WAIT_MS);

    // The lost message arrives after all: nothing goes out twice.
    ChangeBatch late = new ChangeBatch(committed.epoch(), committed.changes(), System.nanoTime(), null, true);
    ledgerContext.runOnContext(v -> fromPeers.accept(late));
    var mineAfter = vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(write("d", "4.00"))))
        .await();
    assertThat(mineAfter).isNotNull();
    awaitPublished(last + 1);
    assertThat(publishedSeqs()).containsExactly(last - 2, last - 1, last, last + 1);
  }

  @Test
  @DisplayName("this node's commit behind a peer's lost one waits for it to be read back")
  void ownCommitAfterALostOne() throws Exception {
    var theirs = other.commit(List.of(write("p", "1.00"), write("q", "1.00"))).await();
    vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(write("r", "1.00")))).await();
    long last = theirs.changes().get(1).seq() + 1;
    awaitPublished(last);
    assertThat(publishedSeqs()).containsExactly(last - 2, last - 1, last);
    long end = System.nanoTime() + 30_000_000_000L;
    while (registry.get("pricewire.ledger.behind").gauge().value() != 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(registry.get("pricewire.ledger.behind").gauge().value()).as("caught up at the next head check").isZero();
  }
}
