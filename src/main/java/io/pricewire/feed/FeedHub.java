package io.pricewire.feed;

import io.pricewire.Addresses;
import io.pricewire.auth.Scope;
import io.pricewire.config.Settings;
import io.pricewire.ledger.Change;
import io.pricewire.ledger.ChangeBatch;
import io.pricewire.offer.Interest;
import io.pricewire.store.Snapshot;
import io.pricewire.store.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of one event loop: owns the client connections accepted there (WebSocket and SSE), the
 * interest index (offer, supplier and category to subscriptions), the timers of rate-limited
 * updates, heartbeats, and the slow-client check.
 *
 * <p>Consumes {@link Addresses#CHANGES}: each {@link ChangeBatch} is matched against the index
 * and handed to the matching subscriptions in seq order. A batch that does not follow the last
 * one (a gap, or a new log) means this node cannot vouch for the stream any more: its clients are
 * closed with {@link CloseCodes#RESUME} and come back with {@code since}.
 */
public final class FeedHub {

  private static final Logger log = LoggerFactory.getLogger(FeedHub.class);

  private final Vertx vertx;
  private final Store store;
  private final Settings.Feed settings;
  private final FeedMetrics metrics;
  private final Set<FeedConnection> connections = new HashSet<>();
  private final InterestIndex index = new InterestIndex();
  private final PriorityQueue<Pending> timed = new PriorityQueue<>(Comparator.comparingLong(p -> p.notBefore));
  private long timedTimer = -1;
  private long timedTimerDue;
  private MessageConsumer<ChangeBatch> consumer;
  private long housekeeping = -1;
  private long nextPingNanos;
  private String epoch;
  private long lastSeq = -1;
  private Context context;
  private EpochJson epochJson;
  /** Connections with changes to write once the changes at hand are matched. */
  private ArrayList<Outbox> toFlush = new ArrayList<>();
  private ArrayList<Outbox> flushing = new ArrayList<>();
  private boolean flushPosted;
  private boolean flushingAll;
  private final FeedMetrics.Tally tally;
  /** Snapshot reads in flight, shared by subscriptions that ask for the same one meanwhile. */
  private final Map<SnapshotRead, Future<Snapshot>> reading = new HashMap<>();

  public FeedHub(Vertx vertx, Store store, Settings.Feed settings, FeedMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.tally = metrics.tally();
  }

  /** Call from the owning verticle's start, before its server listens. */
  public Future<Void> start() {
    return store.head().map(head -> {
      epoch = head.epoch();
      context = vertx.getOrCreateContext();
      consumer = vertx.eventBus().localConsumer(Addresses.CHANGES, this::onBatch);
      nextPingNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.pingIntervalMs());
      housekeeping = vertx.setPeriodic(Math.min(1000, settings.pingIntervalMs()), t -> housekeeping());
      return null;
    });
  }

  public Future<Void> stop(short code, String reason) {
    if (housekeeping >= 0) {
      vertx.cancelTimer(housekeeping);
    }
    closeAll(code, reason);
    tally.publish();
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Takes over an upgraded WebSocket of an authenticated client.
   *
   * @param onClose run once when the connection ends (releases its per-address count)
   */
  public void accept(ServerWebSocket ws, Scope scope, Runnable onClose) {
    FeedConnection c = new FeedConnection(this, new WebSocketChannel(ws), scope, onClose);
    connections.add(c);
    metrics.transport("websocket").connections.incrementAndGet();
    c.startWebSocket(ws);
  }

  /** Parses an SSE request's subscription; fails with the error to answer (400). */
  public ClientOp.Subscribe parseSse(HttpServerRequest request) throws ProtocolError {
    return SseRequest.parse(request.params(), request.getHeader("Last-Event-ID"), settings.maxInterest());
  }

  /** Serves {@code GET /v1/feed/sse} for an authenticated client: one subscription, as an event stream. */
  public void acceptSse(HttpServerRequest request, ClientOp.Subscribe op, Scope scope, Runnable onClose) {
    java.util.Set<String> named = new java.util.TreeSet<>(op.interest().suppliers());
    op.interest().skus().forEach(k -> named.add(k.supplier()));
    java.util.Set<String> outside = scope.outside(named);
    if (!outside.isEmpty()) {
      // Refused before the stream starts, so that EventSource stops instead of retrying forever.
      onClose.run();
      io.pricewire.api.ErrorBody.send(request.response(), 403, "forbidden",
          "the storefront token does not cover supplier(s) " + String.join(", ", outside));
      return;
    }
    SseChannel channel = new SseChannel(request, this::epoch);
    FeedConnection c = new FeedConnection(this, channel, scope, onClose);
    connections.add(c);
    metrics.transport("sse").connections.incrementAndGet();
    channel.start(settings.sseRetryMs());
    c.start();
    c.act(op);
  }

  void remove(FeedConnection c) {
    if (connections.remove(c)) {
      c.meters.connections.decrementAndGet();
    }
  }

  // ---- interest index ----

  void index(Subscription sub, Interest interest) {
    metrics.interestEntries.addAndGet(index.add(sub, interest));
  }

  void unindex(Subscription sub, Interest interest) {
    metrics.interestEntries.addAndGet(-index.remove(sub, interest));
  }

  // ---- change delivery ----

  private void onBatch(Message<ChangeBatch> message) {
    ChangeBatch batch = message.body();
    if (!batch.epoch().equals(epoch)) {
      log.warn("The change log changed from epoch {} to {}; closing {} feed client(s) so they resume",
          epoch, batch.epoch(), connections.size());
      epoch = batch.epoch();
      lastSeq = batch.lastSeq();
      closeAll(CloseCodes.RESUME, "the change log was replaced; resubscribe with since");
      return;
    }
    if (lastSeq >= 0 && batch.firstSeq() != lastSeq + 1) {
      if (batch.lastSeq() <= lastSeq) {
        return;
      }
      log.error("Changes {}..{} never reached this node; closing {} feed client(s) so they resume",
          lastSeq + 1, batch.firstSeq() - 1, connections.size());
      lastSeq = batch.lastSeq();
      closeAll(CloseCodes.RESUME, "missed changes; resubscribe with since");
      return;
    }
    for (Change c : batch.changes()) {
      match(c, batch.committedNanos());
    }
    lastSeq = batch.lastSeq();
  }

  private void match(Change change, long committedNanos) {
    Delivery[] delivery = {null};
    index.match(change, sub -> {
      if (delivery[0] == null) {
        // Encoded once per change and node, whatever the number of subscribers.
        delivery[0] = new Delivery(change, epoch, committedNanos);
      }
      sub.offer(delivery[0]);
    });
  }

  /**
   * Flushes the outbox once the event loop has run the tasks already queued on it: the change
   * batches waiting behind the current one join the same frames. With a light load that is at
   * once; with a heavy one, more changes share each frame and each write.
   */
  void flushSoon(Outbox outbox) {
    if (!outbox.flushScheduled) {
      outbox.flushScheduled = true;
      toFlush.add(outbox);
    }
    if (!flushPosted) {
      flushPosted = true;
      context.runOnContext(v -> flushAll());
    }
  }

  private void flushAll() {
    flushPosted = false;
    ArrayList<Outbox> now = toFlush;
    toFlush = flushing;
    flushing = now;
    flushingAll = true;
    try {
      for (Outbox o : now) {
        o.flushScheduled = false;
        o.flush();
      }
    } finally {
      flushingAll = false;
      now.clear();
      tally.publish();
    }
  }

  /** This event loop's counts, added to the shared meters after each flush. */
  FeedMetrics.Tally tally() {
    return tally;
  }

  /** Publishes the counts of a write outside the flush of all connections. */
  void counted() {
    if (!flushingAll) {
      tally.publish();
    }
  }

  // ---- timers: rate-limited updates, heartbeats, slow clients ----

  /** Wakes a TIMED entry when its window ends. */
  void schedule(Pending p) {
    timed.add(p);
    armTimed();
  }

  private void armTimed() {
    Pending first = timed.peek();
    if (first == null || (timedTimer >= 0 && timedTimerDue <= first.notBefore)) {
      return;
    }
    if (timedTimer >= 0) {
      vertx.cancelTimer(timedTimer);
    }
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.notBefore - System.nanoTime()) + 1);
    timedTimerDue = first.notBefore;
    timedTimer = vertx.setTimer(delayMs, t -> {
      timedTimer = -1;
      long now = System.nanoTime();
      Pending p;
      while ((p = timed.peek()) != null && p.notBefore <= now) {
        timed.poll();
        if (!p.sub.closed) {
          p.sub.connection.outbox.due(p);
        }
      }
      armTimed();
    });
  }

  private void housekeeping() {
    tally.publish();
    long now = System.nanoTime();
    long heartbeatTimeout = TimeUnit.MILLISECONDS.toNanos(settings.pingTimeoutMs());
    long slowTimeout = TimeUnit.MILLISECONDS.toNanos(settings.slowTimeoutMs());
    boolean ping = now >= nextPingNanos;
    if (ping) {
      nextPingNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.pingIntervalMs());
    }
    for (FeedConnection c : new ArrayList<>(connections)) {
      long stalled = c.outbox.stalledSince;
      if (stalled != 0 && now - stalled > slowTimeout) {
        metrics.slowCloses.increment();
        log.debug("Closing a {} client that took no data for {} ms", c.channel.transport(), settings.slowTimeoutMs());
        c.close(CloseCodes.SLOW_CONSUMER, "too slow: no data taken for " + settings.slowTimeoutMs()
            + " ms; reconnect and resume");
      } else if (c.expiresNanos != 0 && now > c.expiresNanos) {
        c.close(CloseCodes.TOKEN_EXPIRED, "the storefront token expired; reconnect with a fresh one and resume");
      } else if (c.channel.answersPings() && now - c.lastHeardNanos > heartbeatTimeout) {
        c.close(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to pings; reconnect and resume");
      } else if (ping) {
        c.channel.ping();
      }
    }
  }

  private void closeAll(short code, String reason) {
    for (FeedConnection c : new ArrayList<>(connections)) {
      c.close(code, reason);
    }
  }

  // ---- for connections ----

  String epoch() {
    return epoch;
  }

  /** The epoch as a JSON string, UTF-8. */
  byte[] epochJson() {
    if (epochJson == null || !epochJson.epoch.equals(epoch)) {
      epochJson = new EpochJson(epoch, io.vertx.core.json.Json.encode(epoch)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return epochJson.json;
  }

  private record EpochJson(String epoch, byte[] json) {
  }

  /** The event loop the hub runs on (set by {@link #start}). */
  Context context() {
    return context;
  }

  /** The last seq handed to subscriptions; -1 before the first batch. */
  long lastSeq() {
    return lastSeq;
  }

  Store store() {
    return store;
  }

  private record SnapshotRead(Interest interest, long afterSeq) {
  }

  /**
   * The store's snapshot of an interest, shared with an identical read already in flight: when a
   * thousand storefronts open the same listing at once (or resume after a restart), the store
   * answers a few reads instead of a thousand. Call after indexing the part: a shared result
   * serves only if it covers every change this hub had published by now; otherwise (a change
   * arrived after the shared read began) this caller reads for itself.
   */
  Future<Snapshot> snapshot(Interest interest, long afterSeq) {
    SnapshotRead key = new SnapshotRead(interest, afterSeq);
    Future<Snapshot> inFlight = reading.get(key);
    if (inFlight != null) {
      long needed = lastSeq;
      metrics.snapshotsShared.increment();
      return inFlight.transform(ar -> ar.failed() || ar.result().seq() >= needed ? inFlight : readSnapshot(key));
    }
    return readSnapshot(key);
  }

  private Future<Snapshot> readSnapshot(SnapshotRead key) {
    metrics.snapshotReads.increment();
    Future<Snapshot> read = store.snapshot(key.interest(), key.afterSeq());
    if (!read.isComplete()) {
      reading.put(key, read);
      read.onComplete(ar -> reading.remove(key, read));
    }
    return read;
  }

  Settings.Feed settings() {
    return settings;
  }

  FeedMetrics metrics() {
    return metrics;
  }

  Logger log() {
    return log;
  }
}
