package io.pricewire.ledger;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
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

  private final Counter changesCommitted;
  private final DistributionSummary batchItems;
  private final Timer commitTime;
  private final AtomicLong headSeq = new AtomicLong();

  public LedgerVerticle(Store store, int maxBatchItems, int maxPendingItems, MeterRegistry registry) {
    this.store = store;
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

  /** One transaction: its requests, and its result once it ended. */
  private static final class InFlight {
    final List<Message<CommitRequest>> batch;
    Committed committed;
    boolean ended;

    InFlight(List<Message<CommitRequest>> batch) {
      this.batch = batch;
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
    });
  }

  /** Takes no new requests, then finishes and answers every waiting one before it stops. */
  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
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
    InFlight t = new InFlight(batch);
    inFlight.add(t);
    long started = System.nanoTime();
    store.commit(writes).onComplete(ar -> {
      t.ended = true;
      if (ar.succeeded()) {
        commitTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        t.committed = ar.result();
        answer(batch, t.committed);
      } else {
        refuse(batch, ar.cause());
      }
      publishEnded();
      commitNext();
    });
    commitNext();
  }

  /**
   * Publishes the transactions that ended, once every transaction started before them ended too,
   * in seq order, each after the one before. Two transactions in flight take the log's lock in
   * the order they reach the store, which need not be the order they started: the later one may
   * hold the lower seqs.
   */
  private void publishEnded() {
    List<Committed> ended = new ArrayList<>(2);
    while (!inFlight.isEmpty() && inFlight.peek().ended) {
      InFlight t = inFlight.poll();
      if (t.committed != null && !t.committed.changes().isEmpty()) {
        ended.add(t.committed);
      }
    }
    ended.sort(java.util.Comparator.comparingLong(c -> c.changes().get(0).seq()));
    for (Committed c : ended) {
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

  private Future<Void> publish(Committed committed) {
    List<Change> changes = committed.changes();
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!committed.epoch().equals(epoch)) {
      log.error("The change log was replaced under this node (epoch {} became {}); publishing from the new log",
          epoch, committed.epoch());
      epoch = committed.epoch();
      publishedSeq = changes.get(0).seq() - 1;
    }
    if (changes.get(changes.size() - 1).seq() <= publishedSeq) {
      // Published already, read back from the log to fill the gap before a transaction that
      // started earlier and committed later.
      return Future.succeededFuture();
    }
    if (changes.get(0).seq() <= publishedSeq) {
      long published = publishedSeq;
      changes = changes.stream().filter(c -> c.seq() > published).toList();
    }
    List<Change> fresh = changes;
    long first = changes.get(0).seq();
    Future<Void> repaired = first == publishedSeq + 1
        ? Future.succeededFuture()
        : store.changesBetween(publishedSeq, first - 1).map(missing -> {
          log.warn("Publishing {} change(s) committed without an answer (seq {}..{})", missing.size(),
              publishedSeq + 1, first - 1);
          send(missing);
          return null;
        });
    return repaired.recover(e -> {
      log.error("Could not read back changes {}..{}; feed nodes will see a gap and make clients resume",
          publishedSeq + 1, first - 1, e);
      return Future.succeededFuture();
    }).map(v -> {
      send(fresh);
      return null;
    });
  }

  private void send(List<Change> changes) {
    if (changes.isEmpty()) {
      return;
    }
    ChangeBatch batch = new ChangeBatch(epoch, List.copyOf(changes), System.nanoTime());
    vertx.eventBus().publish(Addresses.CHANGES, batch);
    publishedSeq = batch.lastSeq();
    headSeq.set(publishedSeq);
    changesCommitted.increment(changes.size());
  }
}
