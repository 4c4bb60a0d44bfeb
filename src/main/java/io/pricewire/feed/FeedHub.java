package io.pricewire.feed;

import io.pricewire.http.ErrorBody;
import io.pricewire.auth.Scope;
import io.pricewire.config.Settings;
import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.Market;
import io.pricewire.offer.Interest;
import io.pricewire.store.Snapshot;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of one event loop: owns the client connections accepted there (WebSocket and SSE), the
 * interest index (offer, supplier and category to subscriptions), the wake-ups of rate-limited
 * updates, heartbeats, and the slow-client check.
 *
 * <p>Is given each {@link ChangeBatch} of {@code pricewire.changes} by its verticle
 * ({@link #onBatch}): the changes are matched against the index and handed to the matching
 * subscriptions in seq order. A batch that does not follow the last one (a gap, or a new log)
 * means this node cannot vouch for the stream any more: its clients are closed with
 * {@link CloseCodes#RESUME} and come back with {@code since}.
 *
 * <p>One connection's failure never stops the hub's loops for the others: each step for a
 * connection (matching, flushing, waking, checking) is guarded, and a connection whose step
 * fails is closed with {@link CloseCodes#INTERNAL_ERROR} and counted in
 * {@code pricewire_feed_faults_total}.
 */
public final class FeedHub {

  private static final Logger log = LoggerFactory.getLogger(FeedHub.class);

  private final FeedLoop loop;
  private final Store store;
  private final Settings.Feed settings;
  /** This loop's compressor for WebSocket clients that negotiate permessage-deflate; null when off. */
  private final Deflation deflation;
  private final FeedMetrics metrics;
  private final Set<FeedConnection> connections = new HashSet<>();
  private final InterestIndex index = new InterestIndex();
  /** Wake-ups of outboxes whose max_rate windows end, soonest first. */
  private final PriorityQueue<Outbox.Waker> wakes = new PriorityQueue<>(Comparator.comparingLong(w -> w.at));
  private long wakeTimer = -1;
  private long wakeTimerDue;
  private long housekeeping = -1;
  private long nextPingNanos;
  private String epoch;
  private long lastSeq = -1;
  private UpdatesEnd updatesEnd;
  /** Connections with changes to write once the changes at hand are matched. */
  private ArrayList<Outbox> toFlush = new ArrayList<>();
  private ArrayList<Outbox> flushing = new ArrayList<>();
  private boolean flushPosted;
  private boolean flushingAll;
  /** True while a change is matched against the index, which must not change meanwhile. */
  private boolean matching;
  private final List<Runnable> afterMatching = new ArrayList<>();
  private final FeedMetrics.Tally tally;
  /** Snapshot reads in flight, shared by subscriptions that ask for the same one meanwhile. */
  private final Map<SnapshotRead, Future<Snapshot>> reading = new HashMap<>();
  private final MarketView markets;
  /** Subscriptions that name a market, by market id: those a market event re-prices. */
  private final Map<String, Set<Subscription>> byMarket = new HashMap<>();
  /** The new projections of one read for one market, shared by the subscriptions re-priced with it. */
  private final Map<RepricingKey, Future<Repricing>> repricings = new HashMap<>();
  /**
   * Repricing reads not started yet: a market event asks for one per distinct interest, and a few
   * at a time answer quickly, while hundreds at once would all wait behind the writing of the
   * first ones' new prices (and, with PostgreSQL, run out of time).
   */
  private final java.util.ArrayDeque<Runnable> repriceReads = new java.util.ArrayDeque<>();
  private int repriceReadsRunning;
  static final int MAX_REPRICE_READS = 4;

  /** A hub on the calling Vert.x event loop. */
  public static FeedHub onEventLoop(Vertx vertx, Store store, Settings.Feed settings, FeedMetrics metrics,
      Map<String, Market> markets, java.time.Clock clock) {
    return new FeedHub(new VertxFeedLoop(vertx), store, settings, metrics, markets, clock);
  }

  FeedHub(FeedLoop loop, Store store, Settings.Feed settings, FeedMetrics metrics, Map<String, Market> markets,
      java.time.Clock clock) {
    this.loop = loop;
    this.store = store;
    this.settings = settings;
    this.deflation = settings.compression() ? new Deflation(settings.compressionLevel()) : null;
    this.metrics = metrics;
    this.tally = metrics.tally();
    this.markets = new MarketView(markets, clock, metrics);
  }

  /** Learns the log's epoch and markets and starts the heartbeat timer; call before clients connect. */
  public Future<Void> start() {
    return store.marketLog().compose(log -> {
      markets.load(log);
      return store.head();
    }).map(head -> {
      epoch = head.epoch();
      nextPingNanos = loop.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.pingIntervalMs());
      housekeeping = loop.setPeriodic(Math.min(1000, settings.pingIntervalMs()), this::housekeeping);
      return null;
    });
  }

  public void stop(short code, String reason) {
    if (housekeeping >= 0) {
      loop.cancel(housekeeping);
      housekeeping = -1;
    }
    if (wakeTimer >= 0) {
      loop.cancel(wakeTimer);
      wakeTimer = -1;
    }
    closeAll(code, reason);
    tally.publish();
  }

  /**
   * Takes over an upgraded WebSocket of an authenticated client.
   *
   * @param onClose run once when the connection ends (releases its per-address count)
   */
  public void accept(ServerWebSocket ws, Scope scope, Runnable onClose, boolean heartbeats) {
    accept(new WebSocketChannel(ws, settings.maxFrameBytes(), deflation), scope, onClose, heartbeats);
  }

  /** Takes over a connection on any transport; returns it (for tests that drive the core). */
  FeedConnection accept(FeedChannel channel, Scope scope, Runnable onClose) {
    return accept(channel, scope, onClose, false);
  }

  /** @param heartbeats the client asked for heartbeat frames ({@code heartbeat=1}) */
  FeedConnection accept(FeedChannel channel, Scope scope, Runnable onClose, boolean heartbeats) {
    FeedConnection c = new FeedConnection(this, channel, scope, onClose, heartbeats);
    connections.add(c);
    c.meters().connections.incrementAndGet();
    c.start();
    return c;
  }

  /** Parses an SSE request's subscription; fails with the error to answer (400). */
  public ClientOp.Subscribe parseSse(HttpServerRequest request) throws ProtocolError {
    return SseRequest.parse(request.params(), request.getHeader("Last-Event-ID"), settings.maxInterest());
  }

  /** Serves {@code GET /v1/feed/sse} for an authenticated client: one subscription, as an event stream. */
  public void acceptSse(HttpServerRequest request, ClientOp.Subscribe op, Scope scope, Runnable onClose,
      boolean heartbeats) {
    Set<String> named = new TreeSet<>(op.interest().suppliers());
    op.interest().skus().forEach(k -> named.add(k.supplier()));
    Set<String> outside = scope.outside(named);
    if (!outside.isEmpty()) {
      // Refused before the stream starts, so that EventSource stops instead of retrying forever.
      onClose.run();
      ErrorBody.send(request.response(), 403, "forbidden",
          "the storefront token does not cover supplier(s) " + String.join(", ", outside));
      return;
    }
    if (op.market() != null) {
      try {
        markets.admit(op.market(), scope, "subscribe", op.id());
      } catch (ProtocolError refused) {
        onClose.run();
        ErrorBody.send(request.response(), MarketView.status(refused), refused.code(), refused.getMessage());
        return;
      }
    }
    accept(new SseChannel(request, this::epoch, settings.sseRetryMs()), scope, onClose, heartbeats).act(op);
  }

  void remove(FeedConnection c) {
    if (connections.remove(c)) {
      c.meters().connections.decrementAndGet();
    }
  }

  /**
   * Contains a connection's failure: counts it, logs it and closes that connection alone. A bug
   * in serving one storefront must not stall or close the others.
   */
  void fault(FeedConnection c, RuntimeException e) {
    metrics.faults.increment();
    log.error("Serving a {} feed client failed; closing it with {} (the others go on)", c.transport(),
        CloseCodes.INTERNAL_ERROR, e);
    try {
      c.close(CloseCodes.INTERNAL_ERROR, "the gateway failed to serve this connection; reconnect and resume");
    } catch (RuntimeException again) {
      log.debug("Closing the failed connection failed too: {}", again.toString());
    }
  }

  /**
   * Runs a change to the index (a connection leaving) now, or right after the change being
   * matched when called from within matching.
   */
  void whenSafe(Runnable task) {
    if (matching) {
      afterMatching.add(task);
    } else {
      task.run();
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

  /** A batch of committed changes (or one market event), in seq order; batches come in the order of their seqs. */
  public void onBatch(ChangeBatch batch) {
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
      // A market event may be among the missed: the markets are read again.
      store.marketLog().onSuccess(markets::load)
          .onFailure(e -> log.error("Could not read the markets' state again after a gap", e));
      if (batch.event() != null) {
        markets.apply(batch.event());
      }
      return;
    }
    if (batch.event() != null) {
      lastSeq = batch.lastSeq();
      onMarketEvent(batch.event());
      return;
    }
    matching = true;
    try {
      for (Change c : batch.changes()) {
        match(c, batch.committedNanos(), batch.fromPeer());
      }
    } finally {
      matching = false;
      lastSeq = batch.lastSeq();
      runAfterMatching();
    }
  }

  /**
   * A market event: from its seq on, projections use its inputs. Every subscription of the
   * markets it names is re-priced: its offers are read again and their new projections queued,
   * behind what waits for it; urgent updates still go first.
   */
  private void onMarketEvent(MarketEvent event) {
    markets.apply(event);
    repricings.clear();
    for (String id : event.markets()) {
      Set<Subscription> subs = byMarket.get(id);
      if (subs == null) {
        continue;
      }
      for (Subscription sub : List.copyOf(subs)) {
        try {
          if (!sub.isClosed() && !sub.connection().isClosed() && sub.marketEvent(event.seq())) {
            sub.connection().reprice(sub, event.seq());
          }
        } catch (RuntimeException e) {
          fault(sub.connection(), e);
        }
      }
    }
  }

  void followMarket(Subscription sub) {
    if (sub.market() != null) {
      byMarket.computeIfAbsent(sub.market().id(), k -> new HashSet<>()).add(sub);
    }
  }

  void forgetMarket(Subscription sub) {
    if (sub.market() != null) {
      Set<Subscription> subs = byMarket.get(sub.market().id());
      if (subs != null && subs.remove(sub) && subs.isEmpty()) {
        byMarket.remove(sub.market().id());
      }
    }
  }

  private record RepricingKey(Interest interest, String market, long generation) {
  }

  /**
   * The new projections of an interest's offers in a market after the latest market event,
   * shared by every subscription re-priced with that interest: one read, one projection per
   * offer, one encoding, however many storefronts follow it. The read is made after the event,
   * so it is at least as new as anything a subscription had before it; what changed since is
   * left out per subscription ({@link Subscription#repriceSkips}).
   */
  Future<Repricing> repricing(Interest interest, Market market) {
    RepricingKey key = new RepricingKey(interest, market.id(), markets.generation());
    Future<Repricing> shared = repricings.get(key);
    if (shared == null) {
      io.vertx.core.Promise<Repricing> made = io.vertx.core.Promise.promise();
      Future<Repricing> future = made.future();
      repricings.put(key, future);
      // Forgotten once no subscription uses it any more, checked after the tasks at hand: the
      // subscriptions an event re-prices at once all find it, even those whose jobs end at once.
      repriceReads.add(() -> snapshot(interest, -1).map(read -> new Repricing(read.offers(), market, markets,
          r -> loop.runSoon(() -> {
            if (r.unused()) {
              repricings.remove(key, future);
            }
          }))).onComplete(made));
      // A failed read is not kept: the next subscription tries again.
      future.onFailure(e -> repricings.remove(key, future));
      future.onComplete(done -> {
        repriceReadsRunning--;
        startRepriceReads();
      });
      startRepriceReads();
      shared = future;
    }
    return shared.map(r -> {
      r.retain();
      return r;
    });
  }

  private void startRepriceReads() {
    while (repriceReadsRunning < MAX_REPRICE_READS && !repriceReads.isEmpty()) {
      repriceReadsRunning++;
      repriceReads.poll().run();
    }
  }

  MarketView markets() {
    return markets;
  }

  private void runAfterMatching() {
    while (!afterMatching.isEmpty()) {
      List<Runnable> tasks = new ArrayList<>(afterMatching);
      afterMatching.clear();
      tasks.forEach(Runnable::run);
    }
  }

  private void match(Change change, long committedNanos, boolean fromPeer) {
    Delivery[] delivery = {null};
    index.match(change, sub -> {
      if (delivery[0] == null) {
        // Encoded once per change and node, whatever the number of subscribers.
        delivery[0] = new Delivery(change, epoch, committedNanos, fromPeer);
      }
      try {
        sub.offer(delivery[0]);
      } catch (RuntimeException e) {
        fault(sub.connection(), e);
      }
    });
  }

  /**
   * Flushes the outbox once the event loop has run the tasks already queued on it: the change
   * batches waiting behind the current one join the same frames. With a light load that is at
   * once; with a heavy one, more changes share each frame and each write.
   */
  void flushSoon(Outbox outbox) {
    if (outbox.markScheduled()) {
      toFlush.add(outbox);
    }
    if (!flushPosted) {
      flushPosted = true;
      loop.runSoon(this::flushAll);
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
        try {
          o.scheduledFlush();
        } catch (RuntimeException e) {
          fault(o.connection(), e);
        }
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

  /** Wakes an outbox when one of its max_rate windows ends. */
  void wakeAt(Outbox.Waker waker) {
    wakes.add(waker);
    armWakes();
  }

  private void armWakes() {
    Outbox.Waker first = wakes.peek();
    if (first == null || (wakeTimer >= 0 && wakeTimerDue <= first.at)) {
      return;
    }
    if (wakeTimer >= 0) {
      loop.cancel(wakeTimer);
    }
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.at - loop.nanoTime()) + 1);
    wakeTimerDue = first.at;
    wakeTimer = loop.setTimer(delayMs, this::wakeDue);
  }

  private void wakeDue() {
    wakeTimer = -1;
    long now = loop.nanoTime();
    Outbox.Waker w;
    while ((w = wakes.peek()) != null && w.at <= now) {
      wakes.poll();
      Outbox o = w.outbox();
      if (o != null) {
        try {
          o.wake(now);
        } catch (RuntimeException e) {
          fault(o.connection(), e);
        }
      }
    }
    armWakes();
  }

  private void housekeeping() {
    tally.publish();
    long now = loop.nanoTime();
    boolean ping = now - nextPingNanos >= 0;
    if (ping) {
      nextPingNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.pingIntervalMs());
    }
    long slow = TimeUnit.MILLISECONDS.toNanos(settings.slowTimeoutMs());
    long heartbeat = TimeUnit.MILLISECONDS.toNanos(settings.pingTimeoutMs());
    for (FeedConnection c : new ArrayList<>(connections)) {
      try {
        c.check(now, ping, slow, heartbeat);
      } catch (RuntimeException e) {
        fault(c, e);
      }
    }
  }

  private void closeAll(short code, String reason) {
    for (FeedConnection c : new ArrayList<>(connections)) {
      try {
        c.close(code, reason);
      } catch (RuntimeException e) {
        fault(c, e);
      }
    }
  }

  // ---- for connections ----

  FeedLoop loop() {
    return loop;
  }

  String epoch() {
    return epoch;
  }

  /** What closes the entries of an updates frame in this epoch ({@link FeedProtocol#updatesEnd}). */
  byte[] updatesEnd() {
    if (updatesEnd == null || !updatesEnd.epoch.equals(epoch)) {
      updatesEnd = new UpdatesEnd(epoch, FeedProtocol.updatesEnd(Json.encode(epoch).getBytes(StandardCharsets.UTF_8)));
    }
    return updatesEnd.bytes;
  }

  private record UpdatesEnd(String epoch, byte[] bytes) {
  }

  /** The last seq handed to subscriptions; -1 before the first batch. */
  long lastSeq() {
    return lastSeq;
  }

  /** Open connections, for tests. */
  int connectionCount() {
    return connections.size();
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
