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
 * <p>Produces {@link Addresses#CHANGES}: one {@link ChangeBatch} per commit that changed
 * something, strictly in seq order. If the log moved on without this node publishing (a commit
 * whose answer timed out, yet committed), the missing changes are read back from the store and
 * published first, so the feed never sees a gap.
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
  private Future<Void> publishing = Future.succeededFuture();
  private long publishedSeq;
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

  public LedgerVerticle(Store store, int maxBatchItems, int maxPendingItems, MeterRegistry registry,
      MarketWatch markets) {
    this.store = store;
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
      publishedSeq = head.seq();
      headSeq.set(head.seq());
      consumer = vertx.eventBus().localConsumer(Addresses.LEDGER_COMMIT, this::onRequest);
      log.info("Ledger ready: epoch {} at seq {} ({} store)", epoch, publishedSeq, store.kind());
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
    Future<Long> result = checking.transform(previous -> markets.check(store).compose(proposal -> {
      if (proposal == null) {
        return Future.succeededFuture(-1L);
      }
      io.vertx.core.Promise<MarketEvent> done = io.vertx.core.Promise.promise();
      eventsWaiting.add(new EventRequest(proposal, done));
      commitNext();
      return done.future().map(e -> {
        markets.logged(e);
        log.info("Market event at seq {} for {}: {}", e.seq(), e.markets(), e.reason());
        return e.seq();
      });
    }));
    checking = result.transform(ar -> {
      armCheck(ar.succeeded() ? markets.sleepMs() : 60_000);
      return Future.succeededFuture();
    });
    return result;
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
    Future<Void> unregistered = (consumer == null ? Future.<Void>succeededFuture() : consumer.unregister())
        .compose(v -> checks == null ? Future.succeededFuture() : checks.unregister());
    return unregistered.compose(v -> {
      if (inFlight.isEmpty() && waiting.isEmpty()) {
        return publishing.transform(done -> Future.succeededFuture());
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
        publishing.onComplete(v -> drained.tryComplete());
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
          t.logged = new ChangeBatch(committed.epoch(), committed.changes(), 0);
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
    store.commitEvent(p.inputs(), p.markets(), p.reason()).onComplete(ar -> {
      t.ended = true;
      if (ar.succeeded()) {
        t.logged = ChangeBatch.of(epoch, ar.result(), 0);
        marketEvents.increment();
      }
      publishEnded();
      request.done().handle(ar);
      commitNext();
    });
  }

  /**
   * Publishes the transactions that ended, once every transaction started before them ended too,
   * in seq order, each after the one before. Two transactions in flight take the log's lock in
   * the order they reach the store, which need not be the order they started: the later one may
   * hold the lower seqs.
   */
  private void publishEnded() {
    List<ChangeBatch> ended = new ArrayList<>(2);
    while (!inFlight.isEmpty() && inFlight.peek().ended) {
      InFlight t = inFlight.poll();
      if (t.logged != null) {
        ended.add(t.logged);
      }
    }
    ended.sort(java.util.Comparator.comparingLong(ChangeBatch::firstSeq));
    for (ChangeBatch c : ended) {
      // Each publish runs whatever became of the one before: one failure must not stop the feed.
      publishing = publishing.transform(previous -> publish(c));
    }
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

  private Future<Void> publish(ChangeBatch logged) {
    ChangeBatch batch = logged;
    if (!batch.epoch().equals(epoch)) {
      log.error("The change log was replaced under this node (epoch {} became {}); publishing from the new log",
          epoch, batch.epoch());
      epoch = batch.epoch();
      publishedSeq = batch.firstSeq() - 1;
    }
    if (batch.lastSeq() <= publishedSeq) {
      // Published already, read back from the log to fill the gap before a transaction that
      // started earlier and committed later.
      return Future.succeededFuture();
    }
    if (batch.firstSeq() <= publishedSeq) {
      long published = publishedSeq;
      batch = new ChangeBatch(batch.epoch(), batch.changes().stream().filter(c -> c.seq() > published).toList(), 0);
    }
    ChangeBatch fresh = batch;
    long first = batch.firstSeq();
    Future<Void> repaired = first == publishedSeq + 1 ? Future.succeededFuture() : repair(publishedSeq, first - 1);
    return repaired.recover(e -> {
      log.error("Could not read back changes {}..{}; feed nodes will see a gap and make clients resume",
          publishedSeq + 1, first - 1, e);
      return Future.succeededFuture();
    }).map(v -> {
      send(fresh);
      return null;
    });
  }

  /** Reads back what the log holds in (after, upTo] and publishes it in seq order, events in their places. */
  private Future<Void> repair(long after, long upTo) {
    Future<List<Change>> changes = store.changesBetween(after, upTo);
    Future<List<MarketEvent>> events = store.eventsBetween(after, upTo);
    return Future.all(changes, events).map(all -> {
      log.warn("Publishing {} change(s) and {} market event(s) committed without an answer (seq {}..{})",
          changes.result().size(), events.result().size(), after + 1, upTo);
      List<Change> run = new ArrayList<>();
      int e = 0;
      for (Change c : changes.result()) {
        while (e < events.result().size() && events.result().get(e).seq() < c.seq()) {
          sendChanges(run);
          send(ChangeBatch.of(epoch, events.result().get(e++), 0));
        }
        run.add(c);
      }
      sendChanges(run);
      while (e < events.result().size()) {
        send(ChangeBatch.of(epoch, events.result().get(e++), 0));
      }
      return null;
    });
  }

  private void sendChanges(List<Change> run) {
    if (!run.isEmpty()) {
      send(new ChangeBatch(epoch, List.copyOf(run), 0));
      run.clear();
    }
  }

  private void send(ChangeBatch logged) {
    if (logged.event() == null && logged.changes().isEmpty()) {
      return;
    }
    ChangeBatch batch = new ChangeBatch(epoch, logged.changes(), System.nanoTime(), logged.event());
    vertx.eventBus().publish(Addresses.CHANGES, batch);
    publishedSeq = batch.lastSeq();
    headSeq.set(publishedSeq);
    changesCommitted.increment(batch.changes().size());
  }
}
