package io.pricewire.ledger;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.changelog.MarketEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pricewire.ledger.Addresses;
import io.pricewire.store.Committed;
import io.pricewire.store.Store;
import io.pricewire.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the change log on this node (group commit).
 *
 * <p>Consumes {@link Addresses#LEDGER_COMMIT}: {@link CommitRequest}s from ingest. While a
 * transaction is in flight, new requests wait; when it ends, all that waited (up to the batch
 * limit) go into the next transaction together. Under load a second transaction starts while the
 * first is still running, once half a batch waits: it queues on the log lock in the database and
 * takes it the moment the first commits, so the database never idles between two commits. Each
 * request is answered only after its transaction committed.
 *
 * <p>Produces {@link Addresses#CHANGES}: the log's entries as {@link ChangeBatch}es, each once,
 * strictly in seq order, with nothing skipped ({@link LogOrder}). They are this node's commits
 * and, in a cluster, the commits of its {@link Peers}. When the log moved on without this node
 * getting what lies between (a commit whose answer timed out, yet committed; a peer's message
 * lost or late beyond the gap wait; a head check that finds the log ahead), the missing entries
 * are read back from the store and published first.
 *
 * <p>Also logs market events ({@link MarketWatch}): when a check (asked on
 * {@link Addresses#MARKET_CHECK}, at start, or at the next rule boundary) finds new projection
 * inputs, the event is committed alone, between transactions of offers, and published in its
 * place in the seq order.
 */
public final class LedgerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(LedgerVerticle.class);

  private final Store store;
  private final int maxBatchItems;
  private final int maxPendingItems;
  private final ArrayDeque<Message<CommitRequest>> waiting = new ArrayDeque<>();
  private int waitingItems;
  /** Transactions started and not yet published, in the order they started. */
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private final Peers peers;
  private LogOrder order;
  /** When the current gap was first seen (nanos), or -1 while nothing is missing. */
  private long gapSeenNanos = -1;
  /** Whether the current gap is being read back (counted once). */
  private boolean gapRepaired;
  /** Whether the read-back of the current gap already waited once for this node's transactions. */
  private boolean gapDeferred;
  private boolean repairing;
  private long gapTimer = -1;
  private long headCheckTimer = -1;
  private final Counter gaps;
  private final Counter gapEntries;
  private final Timer repairTime;
  private final AtomicLong behind = new AtomicLong();
  private String epoch;
  private MessageConsumer<CommitRequest> consumer;
  private io.vertx.core.Promise<Void> drained;
  private final MarketWatch markets;
  /** Market events decided and waiting to be committed, with whoever waits for them. */
  private final ArrayDeque<EventRequest> eventsWaiting = new ArrayDeque<>();
  /** Market checks run one after the other. */
  private Future<Void> checking = Future.succeededFuture();
  private MessageConsumer<Object> checks;
  private long checkTimer = -1;
  private boolean stopped;
  private final Counter marketEvents;

  private final Counter changesCommitted;
  private final DistributionSummary batchItems;
  private final Timer commitTime;
  private final AtomicLong headSeq = new AtomicLong();

  private record EventRequest(MarketWatch.Proposal proposal, io.vertx.core.Promise<MarketEvent> done) {
  }

  /** The most entries kept waiting for a gap in front of them to be filled. */
  static final int MAX_HELD_ENTRIES = 200_000;
  /** The widest range read back at once. */
  static final int REPAIR_READ = 10_000;
  static final long REPAIR_RETRY_MS = 1_000;

  public LedgerVerticle(Store store, int maxBatchItems, int maxPendingItems, MeterRegistry registry,
      MarketWatch markets, Peers peers) {
    this.store = store;
    this.peers = peers;
    this.gaps = Counter.builder("pricewire.ledger.gaps")
        .description("Gaps this node filled from the store: seqs that did not reach it within the gap wait, or a "
            + "log head ahead of its position")
        .register(registry);
    this.gapEntries = Counter.builder("pricewire.ledger.gap.entries")
        .description("Log entries (changes and market events) read back from the store to fill gaps")
        .register(registry);
    this.repairTime = Timer.builder("pricewire.ledger.gap.repair")
        .description("Time from seeing a gap to having it filled")
        .serviceLevelObjectives(ms(10), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000),
            ms(10_000), ms(30_000))
        .register(registry);
    Gauge.builder("pricewire.ledger.behind", behind, AtomicLong::get)
        .description("Log entries this node was behind the log's head at the last head check")
        .register(registry);
    this.markets = markets;
    this.marketEvents = Counter.builder("pricewire.market.events")
        .description("Market events (FX rate in force, tax rule start or end, rate staleness) logged by this node")
        .register(registry);
    this.maxBatchItems = maxBatchItems;
    this.maxPendingItems = maxPendingItems;
    this.changesCommitted = Counter.builder("pricewire.ledger.changes")
        .description("Changes committed to the change log by this node")
        .register(registry);
    this.batchItems = DistributionSummary.builder("pricewire.ledger.batch.items")
        .description("Writes per ledger transaction (group commit size)")
        .baseUnit("items")
        .serviceLevelObjectives(1, 10, 100, 1000, 10_000)
        .register(registry);
    this.commitTime = Timer.builder("pricewire.ledger.commit")
        .description("Duration of one ledger transaction, from begin to commit")
        .serviceLevelObjectives(ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(1000))
        .register(registry);
    Gauge.builder("pricewire.ledger.head.seq", headSeq, AtomicLong::get)
        .description("Last seq of the change log that this node published")
        .register(registry);
  }

  /** At most this many transactions at once: a third would only wait on the lock too. */
  static final int MAX_IN_FLIGHT = 2;

  /** One transaction: its requests (none for a market event), and its result once it ended. */
  private static final class InFlight {
    final List<Message<CommitRequest>> batch;
    final boolean event;
    /** What it logged, once it ended; null when it logged nothing or failed. */
    ChangeBatch logged;
    boolean ended;

    InFlight(List<Message<CommitRequest>> batch, boolean event) {
      this.batch = batch;
      this.event = event;
    }
  }

  private static java.time.Duration ms(long n) {
    return java.time.Duration.ofMillis(n);
  }

  /** The context this verticle runs on, for the event-loop watch. */
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public Future<?> start() {
    return store.head().map(head -> {
      epoch = head.epoch();
      order = new LogOrder(head.seq(), MAX_HELD_ENTRIES, REPAIR_READ);
      headSeq.set(head.seq());
      consumer = vertx.eventBus().localConsumer(Addresses.LEDGER_COMMIT, this::onRequest);
      log.info("Ledger ready: epoch {} at seq {} ({} store)", epoch, head.seq(), store.kind());
      return null;
    }).compose(v -> peers.start(vertx, batch -> {
      accept(batch);
      afterAccept();
    })).map(v -> {
      if (peers.headCheckMs() > 0) {
        headCheckTimer = vertx.setTimer(peers.headCheckMs(), id -> checkHead());
      }
      return null;
    }).compose(v -> markets.start(store)).compose(v -> {
      checks = vertx.eventBus().localConsumer(Addresses.MARKET_CHECK, m -> checkMarkets().onComplete(ar -> {
        if (ar.succeeded()) {
          m.reply(ar.result());
        } else {
          m.fail(ar.cause() instanceof StoreUnavailableException ? LedgerFailure.UNAVAILABLE : LedgerFailure.INTERNAL,
              ar.cause().getMessage());
        }
      }));
      // A rate stored before a crash, or a rule boundary passed while down, is logged now.
      return checkMarkets().<Void>mapEmpty().recover(e -> {
        log.warn("Checking the markets' rates and rules at start failed ({}); retrying later", e.getMessage());
        return Future.succeededFuture();
      });
    });
  }

  /**
   * Compares the stored rates and the rules in force with the last market event, logs an event
   * when they differ, and sets the timer for the next boundary. Checks run one at a time.
   *
   * @return the seq of the event logged, or -1 when nothing changed
   */
  private Future<Long> checkMarkets() {
    Future<Long> result = checking.transform(previous -> checkOnce(true));
    checking = result.transform(ar -> {
      armCheck(ar.succeeded() ? markets.sleepMs() : 60_000);
      return Future.succeededFuture();
    });
    return result;
  }

  /**
   * One check. When another node logged an event since the last this node knows, nothing is
   * logged; the watch learns the log's last event and checks once more against it.
   */
  private Future<Long> checkOnce(boolean again) {
    return markets.check(store).compose(proposal -> {
      if (proposal == null) {
        return Future.succeededFuture(-1L);
      }
      io.vertx.core.Promise<MarketEvent> done = io.vertx.core.Promise.promise();
      eventsWaiting.add(new EventRequest(proposal, done));
      commitNext();
      return done.future().compose(e -> {
        if (e == null) {
          log.info("Another node logged a market event first; checking against it");
          return again ? markets.start(store).compose(v -> checkOnce(false)) : Future.succeededFuture(-1L);
        }
        markets.logged(e);
        log.info("Market event at seq {} for {}: {}", e.seq(), e.markets(), e.reason());
        return Future.succeededFuture(e.seq());
      });
    });
  }

  private void armCheck(long delayMs) {
    if (stopped) {
      return;
    }
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
    }
    checkTimer = vertx.setTimer(delayMs, id -> {
      checkTimer = -1;
      checkMarkets();
    });
  }

  /** Takes no new requests, then finishes and answers every waiting one before it stops. */
  @Override
  public Future<?> stop() {
    stopped = true;
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
    }
    cancelGapTimer();
    if (headCheckTimer >= 0) {
      vertx.cancelTimer(headCheckTimer);
    }
    Future<Void> unregistered = (consumer == null ? Future.<Void>succeededFuture() : consumer.unregister())
        .compose(v -> checks == null ? Future.succeededFuture() : checks.unregister())
        .compose(v -> peers.stop().recover(e -> Future.succeededFuture()));
    return unregistered.compose(v -> {
      if (inFlight.isEmpty() && waiting.isEmpty()) {
        return Future.succeededFuture();
      }
      drained = io.vertx.core.Promise.promise();
      return drained.future();
    });
  }

  private void onRequest(Message<CommitRequest> msg) {
    int n = msg.body().writes().size();
    if (waitingItems + n > maxPendingItems && waitingItems > 0) {
      msg.fail(LedgerFailure.OVERLOADED, "the ledger has " + waitingItems + " writes waiting; retry shortly");
      return;
    }
    waiting.add(msg);
    waitingItems += n;
    commitNext();
  }

  private void commitNext() {
    if (!inFlight.isEmpty() && inFlight.peekLast().event) {
      // A market event is logged alone: nothing starts beside it.
      return;
    }
    if (!eventsWaiting.isEmpty()) {
      // Offers wait while the transactions before the event end; then it goes alone.
      if (inFlight.isEmpty()) {
        commitEvent(eventsWaiting.poll());
      }
      return;
    }
    if (waiting.isEmpty()) {
      if (inFlight.isEmpty() && drained != null) {
        drained.tryComplete();
      }
      return;
    }
    // A second transaction only pays off with enough to write; with less, it waits for the first.
    if (inFlight.size() >= MAX_IN_FLIGHT || (!inFlight.isEmpty() && waitingItems < maxBatchItems / 2)) {
      return;
    }
    List<Message<CommitRequest>> batch = new ArrayList<>();
    List<LedgerWrite> writes = new ArrayList<>();
    while (!waiting.isEmpty()
        && (batch.isEmpty() || writes.size() + waiting.peek().body().writes().size() <= maxBatchItems)) {
      Message<CommitRequest> m = waiting.poll();
      waitingItems -= m.body().writes().size();
      batch.add(m);
      writes.addAll(m.body().writes());
    }
    batchItems.record(writes.size());
    InFlight t = new InFlight(batch, false);
    inFlight.add(t);
    long started = System.nanoTime();
    store.commit(writes).onComplete(ar -> {
      t.ended = true;
      if (ar.succeeded()) {
        commitTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        Committed committed = ar.result();
        if (!committed.changes().isEmpty()) {
          t.logged = new ChangeBatch(committed.epoch(), committed.changes(), System.nanoTime());
          changesCommitted.increment(committed.changes().size());
        }
        answer(batch, committed);
      } else {
        refuse(batch, ar.cause());
      }
      publishEnded();
      commitNext();
    });
    commitNext();
  }

  private void commitEvent(EventRequest request) {
    InFlight t = new InFlight(List.of(), true);
    inFlight.add(t);
    MarketWatch.Proposal p = request.proposal();
    store.commitEvent(p.inputs(), p.markets(), p.reason(), p.afterEventSeq()).onComplete(ar -> {
      t.ended = true;
      if (ar.succeeded() && ar.result() != null) {
        t.logged = ChangeBatch.of(epoch, ar.result(), System.nanoTime());
        marketEvents.increment();
      }
      publishEnded();
      request.done().handle(ar);
      commitNext();
    });
  }

  /**
   * Hands the transactions that ended to the log order, once every transaction started before
   * them ended too. Two transactions in flight take the log's lock in the order they reach the
   * store, which need not be the order they started: the later one may hold the lower seqs, and
   * the order holds the other until it comes.
   */
  private void publishEnded() {
    while (!inFlight.isEmpty() && inFlight.peek().ended) {
      InFlight t = inFlight.poll();
      if (t.logged != null) {
        peers.share(t.logged);
        accept(t.logged);
      }
    }
    afterAccept();
  }

  private void answer(List<Message<CommitRequest>> batch, Committed committed) {
    int from = 0;
    for (Message<CommitRequest> m : batch) {
      int n = m.body().writes().size();
      m.reply(new CommitReply(committed.epoch(), committed.outcomes().subList(from, from + n)));
      from += n;
    }
  }

  private void refuse(List<Message<CommitRequest>> batch, Throwable failure) {
    boolean unavailable = failure instanceof StoreUnavailableException;
    if (unavailable) {
      log.warn("Commit of {} request(s) failed, store unavailable: {}", batch.size(), failure.getMessage());
    } else {
      log.error("Commit of {} request(s) failed", batch.size(), failure);
    }
    for (Message<CommitRequest> m : batch) {
      m.fail(unavailable ? LedgerFailure.UNAVAILABLE : LedgerFailure.INTERNAL,
          unavailable ? failure.getMessage() : "the commit failed: " + failure.getMessage());
    }
  }

  /** A batch from this node's commits, a peer, or a read-back: published when its turn comes. */
  private void accept(ChangeBatch batch) {
    if (!batch.epoch().equals(epoch)) {
      if (batch.fromPeer()) {
        log.warn("A peer published seq {}..{} of another change log (epoch {}, this node's is {}); ignored",
            batch.firstSeq(), batch.lastSeq(), batch.epoch(), epoch);
        return;
      }
      log.error("The change log was replaced under this node (epoch {} became {}); publishing from the new log",
          epoch, batch.epoch());
      epoch = batch.epoch();
      order.reset(batch.firstSeq() - 1);
    }
    for (ChangeBatch ready : order.accept(batch)) {
      send(ready);
    }
  }

  /**
   * After the order moved: when something is missing, starts the gap clock and, after the gap
   * wait, reads it back; when nothing is, stops the clock.
   */
  private void afterAccept() {
    LogOrder.Range missing = order.missing();
    if (missing == null) {
      if (gapSeenNanos >= 0 && gapRepaired) {
        repairTime.record(System.nanoTime() - gapSeenNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
      gapSeenNanos = -1;
      gapRepaired = false;
      gapDeferred = false;
      cancelGapTimer();
      return;
    }
    if (gapSeenNanos < 0) {
      gapSeenNanos = System.nanoTime();
    }
    if (repairing || gapTimer >= 0 || stopped) {
      return;
    }
    // A repair that has begun goes on without waiting: the rest is as late as its start.
    long wait = gapRepaired ? 0 : Math.max(0, peers.gapWaitMs()
        - (System.nanoTime() - gapSeenNanos) / 1_000_000);
    if (wait == 0) {
      vertx.runOnContext(v -> repairMissing());
    } else {
      gapTimer = vertx.setTimer(wait, id -> {
        gapTimer = -1;
        repairMissing();
      });
    }
  }

  private void cancelGapTimer() {
    if (gapTimer >= 0) {
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    }
  }

  /**
   * Reads back the first missing range from the store and publishes it. Waits once for this
   * node's transactions in flight to end (one of them may hold it; reading it is safe anyway,
   * since everything up to a seq known to be committed is committed), and tries again later
   * while the store is unavailable, publishing nothing after the gap meanwhile.
   */
  private void repairMissing() {
    LogOrder.Range range = order.missing();
    if (range == null || repairing || stopped) {
      afterAccept();
      return;
    }
    if (!inFlight.isEmpty() && !gapDeferred) {
      // One of them may hold the gap: publishEnded comes back here when one ends. Once only, so
      // that a node that always has a commit in flight still reads a peer's gap back.
      gapDeferred = true;
      return;
    }
    if (!gapRepaired) {
      gapRepaired = true;
      gaps.increment();
      log.warn("Seq {}..{} did not reach this node; reading it from the store", range.after() + 1,
          order.known());
    }
    repairing = true;
    Future<List<Change>> changes = store.changesBetween(range.after(), range.upTo());
    Future<List<MarketEvent>> events = store.eventsBetween(range.after(), range.upTo());
    Future.all(changes, events).onComplete(ar -> {
      repairing = false;
      if (ar.failed()) {
        Throwable cause = changes.failed() ? changes.cause() : events.cause();
        if (cause instanceof UnsupportedOperationException) {
          log.error("Seq {}..{} cannot be read back ({}); feed clients will resume", range.after() + 1,
              range.upTo(), cause.getMessage());
          skip(range);
        } else {
          log.warn("Reading seq {}..{} back failed ({}); trying again in {} ms", range.after() + 1, range.upTo(),
              cause.getMessage(), REPAIR_RETRY_MS);
          gapTimer = vertx.setTimer(REPAIR_RETRY_MS, id -> {
            gapTimer = -1;
            repairMissing();
          });
        }
        return;
      }
      List<ChangeBatch> read = LogOrder.batches(epoch, changes.result(), events.result(), System.nanoTime());
      int entries = changes.result().size() + events.result().size();
      gapEntries.increment(entries);
      for (ChangeBatch b : read) {
        accept(b);
      }
      if (entries < range.size() && order.published() < range.upTo()) {
        log.error("The store holds {} of the {} entries in seq {}..{}; feed clients will resume", entries,
            range.size(), range.after() + 1, range.upTo());
        skip(range);
        return;
      }
      afterAccept();
    });
  }

  private void skip(LogOrder.Range range) {
    for (ChangeBatch ready : order.skip(range)) {
      send(ready);
    }
    afterAccept();
  }

  /** Compares the position with the log's head: a loss at the tail shows here within one check. */
  private void checkHead() {
    headCheckTimer = -1;
    if (stopped) {
      return;
    }
    store.head().onComplete(ar -> {
      if (ar.succeeded() && ar.result().epoch().equals(epoch)) {
        long head = ar.result().seq();
        behind.set(Math.max(0, head - order.published()));
        order.knownUpTo(head);
        afterAccept();
      }
      if (!stopped) {
        headCheckTimer = vertx.setTimer(peers.headCheckMs(), id -> checkHead());
      }
    });
  }

  private void send(ChangeBatch logged) {
    ChangeBatch batch = logged.fromPeer() ? logged
        : new ChangeBatch(epoch, logged.changes(), System.nanoTime(), logged.event());
    if (batch.event() != null) {
      markets.logged(batch.event());
    }
    vertx.eventBus().publish(Addresses.CHANGES, batch, Addresses.LOCAL);
    headSeq.set(batch.lastSeq());
  }
}
