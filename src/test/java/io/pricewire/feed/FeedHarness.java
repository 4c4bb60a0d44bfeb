package io.pricewire.feed;

import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.Market;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.MarketsFile;
import io.pricewire.support.TestClock;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pricewire.auth.Scope;
import io.pricewire.config.Settings;
import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.offer.Interest;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferParser;
import io.pricewire.store.Committed;
import io.pricewire.store.KeyStore;
import io.pricewire.store.LogHead;
import io.pricewire.store.MemoryStore;
import io.pricewire.store.Snapshot;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The feed core of one event loop, driven by a test: a hub on a {@link ManualLoop}, a real
 * memory store behind it, and connections over {@link FakeChannel}s. Writes commit to the store
 * and reach the hub as the ledger would publish them.
 */
final class FeedHarness {

  static final long SLOW_TIMEOUT_MS = 20_000;
  static final long PING_INTERVAL_MS = 15_000;
  static final long PING_TIMEOUT_MS = 45_000;

  final ManualLoop loop = new ManualLoop();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FeedMetrics metrics = new FeedMetrics(registry);
  final MemoryStore memory = new MemoryStore();
  final HeldStore store = new HeldStore(memory);
  final FeedHub hub;
  /** Decides the markets' rules before the first market event. */
  final TestClock clock = new TestClock(Instant.parse("2026-12-01T04:00:00Z"));
  private String epoch;

  FeedHarness() {
    this(500);
  }

  /** @param snapshotChunk most offers per snapshot frame */
  FeedHarness(int snapshotChunk) {
    Settings.Feed settings = new Settings.Feed(PING_INTERVAL_MS, PING_TIMEOUT_MS, 1 << 20, 64, 10_000, snapshotChunk,
        SLOW_TIMEOUT_MS, false, 6, 2000, 0);
    Map<String, Market> markets;
    try {
      markets = MarketsFile.load();
    } catch (MarketsFile.Invalid e) {
      throw new IllegalStateException(e);
    }
    hub = new FeedHub(loop, store, settings, metrics, markets, clock);
    hub.start().await();
    epoch = memory.head().await().epoch();
  }

  String epoch() {
    return epoch;
  }

  /** A client connection over a fake channel, with every supplier in scope. */
  FakeChannel connect() {
    return connect(new FakeChannel());
  }

  FakeChannel connect(FakeChannel channel) {
    hub.accept(channel, Scope.EVERYTHING, () -> { });
    return channel;
  }

  /** Commits offers of one supplier (JSON items as in the ingest API) and publishes the batch. */
  Committed write(String supplier, String... items) {
    Committed c = commitUnpublished(supplier, items);
    publish(c);
    return c;
  }

  /** Commits without publishing yet: the store is ahead of the hub until {@link #publish}. */
  Committed commitUnpublished(String supplier, String... items) {
    List<LedgerWrite> writes = new ArrayList<>();
    for (String item : items) {
      var parsed = OfferParser.fromJson(new JsonObject(item), new HashSet<>());
      assertThat(parsed.errors()).as(item).isEmpty();
      writes.add(new LedgerWrite(supplier, parsed.write(), loop.nanoTime()));
    }
    return memory.commit(writes).await();
  }

  /** Hands a commit's changes to the hub, as the ledger does after the commit. */
  void publish(Committed c) {
    if (!c.changes().isEmpty()) {
      hub.onBatch(new ChangeBatch(c.epoch(), c.changes(), loop.nanoTime()));
    }
    loop.runTasks();
  }

  /** Logs a market event (as the ledger does when rates or rules change) and hands it to the hub. */
  MarketEvent marketEvent(MarketInputs inputs, String... markets) {
    MarketEvent e = memory.commitEvent(inputs, List.of(markets), "test", Store.ANY_LAST_EVENT).await();
    hub.onBatch(ChangeBatch.of(epoch, e, loop.nanoTime()));
    loop.runTasks();
    return e;
  }

  /** The seq of the last change a write made. */
  static long lastSeq(Committed c) {
    List<Change> changes = c.changes();
    return changes.get(changes.size() - 1).seq();
  }

  static String offer(String sku, String price) {
    return "{\"sku\": \"" + sku + "\", \"price\": \"" + price + " CAD\", \"availability\": \"in_stock\"}";
  }

  static String offer(String sku, String price, String category) {
    return "{\"sku\": \"" + sku + "\", \"price\": \"" + price + " CAD\", \"availability\": \"in_stock\", "
        + "\"category\": \"" + category + "\"}";
  }

  static JsonObject subscribe(String id) {
    return new JsonObject().put("op", "subscribe").put("id", id);
  }

  double counter(String name) {
    var c = registry.find(name).counter();
    return c == null ? 0 : c.count();
  }

  /** A store whose snapshot reads the test may hold back, to order them against changes. */
  static final class HeldStore implements Store {
    private final Store inner;
    private boolean holding;
    private final List<Runnable> held = new ArrayList<>();

    HeldStore(Store inner) {
      this.inner = inner;
    }

    /** From now on snapshot reads wait for {@link #release}. */
    void hold() {
      holding = true;
    }

    /** Answers the reads held so far, each with the store's state now, and stops holding. */
    void release() {
      holding = false;
      List<Runnable> now = new ArrayList<>(held);
      held.clear();
      now.forEach(Runnable::run);
    }

    int heldReads() {
      return held.size();
    }

    @Override
    public String kind() {
      return inner.kind();
    }

    @Override
    public Future<Void> open() {
      return inner.open();
    }

    @Override
    public Future<Committed> commit(List<LedgerWrite> writes) {
      return inner.commit(writes);
    }

    @Override
    public Future<io.pricewire.offer.Offer> find(OfferKey key) {
      return inner.find(key);
    }

    @Override
    public Future<Snapshot> snapshot(Interest interest, long afterSeq) {
      if (!holding) {
        return inner.snapshot(interest, afterSeq);
      }
      Promise<Snapshot> answer = Promise.promise();
      held.add(() -> inner.snapshot(interest, afterSeq).onComplete(answer));
      return answer.future();
    }

    @Override
    public Future<List<Change>> changesBetween(long afterSeq, long upToSeq) {
      return inner.changesBetween(afterSeq, upToSeq);
    }

    @Override
    public Future<io.pricewire.changelog.MarketEvent> commitEvent(io.pricewire.market.MarketInputs inputs,
        List<String> markets, String reason, long afterEventSeq) {
      return inner.commitEvent(inputs, markets, reason, afterEventSeq);
    }

    @Override
    public Future<io.pricewire.store.MarketLog> marketLog() {
      return inner.marketLog();
    }

    @Override
    public Future<List<io.pricewire.changelog.MarketEvent>> eventsBetween(long afterSeq, long upToSeq) {
      return inner.eventsBetween(afterSeq, upToSeq);
    }

    @Override
    public Future<LogHead> head() {
      return inner.head();
    }

    @Override
    public KeyStore keys() {
      return inner.keys();
    }

    @Override
    public io.pricewire.store.RateStore rates() {
      return inner.rates();
    }

    @Override
    public Future<Void> close() {
      return inner.close();
    }
  }
}
