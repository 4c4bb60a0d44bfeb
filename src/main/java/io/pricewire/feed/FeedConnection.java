package io.pricewire.feed;

import io.pricewire.auth.Scope;
import io.pricewire.market.Market;
import io.pricewire.offer.Interest;
import io.pricewire.store.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One feed client, over WebSocket or SSE: acts on its operations, holds its subscriptions and
 * writes through its {@link Outbox}. Lives on its hub's event loop; nothing here is shared with
 * other threads. What goes wrong while serving it stays with it: the hub closes it (code 1011) and
 * counts a fault, and every other connection goes on.
 */
final class FeedConnection implements FeedChannel.Listener {

  private final FeedHub hub;
  private final FeedChannel channel;
  private final Outbox outbox;
  private final FeedMetrics.TransportMeters meters;
  private final Map<String, Subscription> subscriptions = new HashMap<>(2);
  private final Scope scope;
  /** When the storefront token expires, in loop nanos; 0 for never. */
  private final long expiresNanos;
  private final Runnable onClose;
  /** The client asked for heartbeat frames besides the transport's own pings. */
  private final boolean heartbeats;
  private long lastHeardNanos;
  private boolean closed;

  /**
   * @param onClose run once when the connection ends (releases its per-address count)
   * @param heartbeats send a heartbeat frame at the start and with every ping
   */
  FeedConnection(FeedHub hub, FeedChannel channel, Scope scope, Runnable onClose, boolean heartbeats) {
    this.hub = hub;
    this.heartbeats = heartbeats;
    this.channel = channel;
    this.scope = scope;
    this.onClose = onClose;
    this.outbox = new Outbox(this, channel, hub);
    this.meters = hub.metrics().transport(channel.transport());
    long now = hub.loop().nanoTime();
    this.lastHeardNanos = now;
    this.expiresNanos = scope.expiresAt() == null ? 0
        : now + Math.max(1, Duration.between(Instant.now(), scope.expiresAt()).toNanos());
  }

  void start() {
    channel.start(this);
    heartbeat();
  }

  private void heartbeat() {
    if (heartbeats) {
      send(FeedProtocol.heartbeat(hub.settings().pingIntervalMs()));
    }
  }

  Outbox outbox() {
    return outbox;
  }

  Scope scope() {
    return scope;
  }

  FeedMetrics.TransportMeters meters() {
    return meters;
  }

  String transport() {
    return channel.transport();
  }

  boolean isClosed() {
    return closed;
  }

  /** A subscription by id, or null (for tests and benchmarks that drive one). */
  Subscription subscription(String id) {
    return subscriptions.get(id);
  }

  // ---- what the channel tells ----

  @Override
  public void onText(String text) {
    lastHeardNanos = hub.loop().nanoTime();
    if (closed) {
      return;
    }
    try {
      ClientOp op;
      try {
        op = FeedProtocol.parse(text, hub.settings().maxInterest());
      } catch (ProtocolError e) {
        sendError(e);
        return;
      }
      act(op);
    } catch (RuntimeException e) {
      hub.fault(this, e);
    }
  }

  @Override
  public void onHeard() {
    lastHeardNanos = hub.loop().nanoTime();
  }

  @Override
  public void onRefused(short code, String reason) {
    close(code, reason);
  }

  @Override
  public void onDrain() {
    try {
      outbox.onDrain();
    } catch (RuntimeException e) {
      hub.fault(this, e);
    }
  }

  @Override
  public void onClosed() {
    ended();
  }

  // ---- operations ----

  void act(ClientOp op) {
    try {
      if (op instanceof ClientOp.Subscribe s) {
        subscribe(s);
      } else if (op instanceof ClientOp.Add a) {
        add(a);
      } else if (op instanceof ClientOp.Remove r) {
        remove(r);
      } else if (op instanceof ClientOp.Unsubscribe u) {
        unsubscribe(u.id());
      } else if (op instanceof ClientOp.Ping p) {
        send(FeedProtocol.pong(p.id()));
      }
    } catch (ProtocolError e) {
      sendError(e);
    }
  }

  /** Refuses an interest naming suppliers the token does not cover; categories are filtered instead. */
  private void checkScope(Interest interest, String op, String id) throws ProtocolError {
    Set<String> named = new TreeSet<>(interest.suppliers());
    interest.skus().forEach(k -> named.add(k.supplier()));
    Set<String> outside = scope.outside(named);
    if (!outside.isEmpty()) {
      throw new ProtocolError("forbidden", "the storefront token does not cover supplier(s) "
          + String.join(", ", outside), op, id);
    }
  }

  private void subscribe(ClientOp.Subscribe op) throws ProtocolError {
    checkScope(op.interest(), "subscribe", op.id());
    if (subscriptions.containsKey(op.id())) {
      throw new ProtocolError("duplicate_id", "a subscription with id \"" + op.id()
          + "\" exists on this connection; unsubscribe it first or pick another id", "subscribe", op.id());
    }
    int max = hub.settings().maxSubscriptions();
    if (subscriptions.size() >= max) {
      throw new ProtocolError("too_many_subscriptions", "a connection holds at most " + max
          + " subscriptions (PRICEWIRE_FEED_MAX_SUBSCRIPTIONS)", "subscribe", op.id());
    }
    Market market = market(op);
    Subscription sub = new Subscription(this, op.id(), op.maxRate(), market);
    subscriptions.put(op.id(), sub);
    hub.followMarket(sub);
    hub.metrics().subscriptions.incrementAndGet();
    Subscription.Part part = new Subscription.Part(op.interest(), true, op.since());
    sub.load(part);
    hub.index(sub, op.interest());
    ClientOp.Since since = op.since();
    // A market event after the client's seq changed the projection of every offer it holds:
    // it starts over, like a client of another log.
    boolean continuing = since != null && since.epoch().equals(hub.epoch())
        && (market == null || !hub.markets().changedAfter(market, since.seq()));
    load(sub, part, continuing ? since.seq() : -1, since != null && !continuing);
  }

  /** The market a subscribe names, checked against the markets, the token and the rates; null for none. */
  private Market market(ClientOp.Subscribe op) throws ProtocolError {
    return op.market() == null ? null : hub.markets().admit(op.market(), scope, "subscribe", op.id());
  }

  /**
   * Re-prices a subscription's live interest after a market event: reads its offers (shared
   * with identical reads) and queues their new projections behind what is already queued.
   */
  void reprice(Subscription sub, long eventSeq) {
    int token = sub.repriceStarted();
    hub.metrics().reprices.increment();
    hub.repricing(sub.live(), sub.market()).onComplete(ar -> {
      if (sub.isClosed() || closed || !sub.isLatestReprice(token)) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      try {
        if (ar.failed()) {
          // The client holds prices that are no longer right and cannot be told: it resumes,
          // from before the event, and starts over.
          close(CloseCodes.RESUME, "re-pricing after a market event failed (" + ar.cause().getMessage()
              + "); resume shortly");
          return;
        }
        outbox.reprice(sub, ar.result(), eventSeq, token);
      } catch (RuntimeException e) {
        hub.fault(this, e);
      }
    });
  }

  private void add(ClientOp.Add op) throws ProtocolError {
    Subscription sub = existing(op.id(), "add");
    checkScope(op.interest(), "add", op.id());
    Interest all = sub.indexed().plus(op.interest());
    int max = hub.settings().maxInterest();
    if (all.size() > max) {
      throw new ProtocolError("interest_too_large", "a subscription holds at most " + max
          + " entries (suppliers + skus + categories, PRICEWIRE_FEED_MAX_INTEREST); with this add it would hold "
          + all.size(), "add", op.id());
    }
    Interest fresh = op.interest().minus(sub.indexed());
    Subscription.Part part = new Subscription.Part(fresh, false, null);
    sub.load(part);
    hub.index(sub, fresh);
    load(sub, part, -1, false);
    hub.metrics().interestAdds.increment();
  }

  private void remove(ClientOp.Remove op) throws ProtocolError {
    Subscription sub = existing(op.id(), "remove");
    Interest before = sub.indexed();
    Interest gone = new Interest(intersect(before.skus(), op.interest().skus()),
        intersect(before.suppliers(), op.interest().suppliers()),
        intersect(before.categories(), op.interest().categories()));
    hub.unindex(sub, gone);
    outbox.drop(sub.shrink(gone));
    send(FeedProtocol.removed(sub.id(), hub.epoch(), sub.resumePoint()));
    hub.metrics().interestRemoves.increment();
  }

  private static <T> Set<T> intersect(Set<T> a, Set<T> b) {
    Set<T> r = new HashSet<>(a);
    r.retainAll(b);
    return r;
  }

  private Subscription existing(String id, String op) throws ProtocolError {
    Subscription sub = subscriptions.get(id);
    if (sub == null) {
      throw new ProtocolError("unknown_subscription", "no subscription with id \"" + id + "\" on this connection", op,
          id);
    }
    return sub;
  }

  /**
   * Reads the snapshot of a loading part, then joins it to the live interest and writes it.
   *
   * @param afterSeq the client's last seq when continuing its log, else -1 for the full state
   * @param reset the client named a log this node does not serve: its full state replaces all
   */
  private void load(Subscription sub, Subscription.Part part, long afterSeq, boolean reset) {
    hub.snapshot(part.interest(), afterSeq).onComplete(ar -> {
      if (sub.isClosed() || closed) {
        return;
      }
      try {
        if (ar.failed()) {
          snapshotFailed(sub, part, ar.cause());
        } else {
          loaded(sub, part, ar.result(), afterSeq, reset);
        }
      } catch (RuntimeException e) {
        hub.fault(this, e);
      }
    });
  }

  private void snapshotFailed(Subscription sub, Subscription.Part part, Throwable cause) {
    hub.unindex(sub, sub.abandon(part));
    if (part.initial) {
      drop(sub);
    } else if (sub.takeRepriceDue()) {
      reprice(sub, hub.markets().generation());
    }
    sendError(new ProtocolError("store_unavailable", "the snapshot could not be read ("
        + cause.getMessage() + "); " + (part.initial ? "subscribe" : "add") + " again shortly",
        part.initial ? "subscribe" : "add", sub.id()));
  }

  private void loaded(Subscription sub, Subscription.Part part, Snapshot snap, long afterSeq, boolean reset) {
    if (afterSeq >= 0 && (afterSeq > snap.seq() || snap.full() || part.marketMoved)) {
      // The client claims a position this log never reached (a restored database), or one the
      // store can no longer resume from exactly: start over with the full state.
      load(sub, part, -1, true);
      return;
    }
    if (part.initial && part.since != null) {
      hub.metrics().resumed(afterSeq >= 0 ? "continued" : "reset");
    }
    long position = Math.max(snap.seq(), hub.lastSeq());
    var offers = sub.join(part, snap.offers(), snap.seq(), hub.lastSeq(), afterSeq >= 0);
    if (part.initial) {
      sub.startAt(position);
    }
    outbox.snapshot(sub, offers, position, afterSeq >= 0, reset, !part.initial);
    if (sub.takeRepriceDue()) {
      reprice(sub, hub.markets().generation());
    }
  }

  private void unsubscribe(String id) throws ProtocolError {
    Subscription sub = existing(id, "unsubscribe");
    drop(sub);
    send(FeedProtocol.unsubscribed(id));
  }

  private void drop(Subscription sub) {
    subscriptions.remove(sub.id());
    hub.forgetMarket(sub);
    hub.unindex(sub, sub.indexed());
    sub.close();
    outbox.drop(sub.waitingEntries());
    hub.metrics().subscriptions.decrementAndGet();
  }

  private void sendError(ProtocolError e) {
    send(FeedProtocol.error(e.code(), e.getMessage(), e.op(), e.id()));
  }

  /** Control frames (pong, errors, acknowledgements) go out at once, ahead of waiting updates. */
  private void send(String frame) {
    outbox.control(Frame.of(frame));
  }

  // ---- heartbeats, slow clients, expiry ----

  /**
   * The hub's periodic check: closes the connection when it has to, else pings it when due.
   *
   * @param slowTimeoutNanos longest a client may take no data
   * @param heartbeatTimeoutNanos longest a client that answers pings may stay silent
   */
  void check(long now, boolean pingDue, long slowTimeoutNanos, long heartbeatTimeoutNanos) {
    if (closed) {
      return;
    }
    if (outbox.stalledFor(now, slowTimeoutNanos)) {
      hub.log().debug("Closing a {} client that took no data for {} ms", channel.transport(),
          hub.settings().slowTimeoutMs());
      close(CloseCodes.SLOW_CONSUMER, "too slow: no data taken for " + hub.settings().slowTimeoutMs()
          + " ms; reconnect and resume");
      hub.metrics().slowCloses.increment();
    } else if (expiresNanos != 0 && now - expiresNanos > 0) {
      close(CloseCodes.TOKEN_EXPIRED, "the storefront token expired; reconnect with a fresh one and resume");
    } else if (channel.answersPings() && now - lastHeardNanos > heartbeatTimeoutNanos) {
      close(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to pings; reconnect and resume");
    } else if (pingDue) {
      outbox.ping();
      heartbeat();
      for (Subscription sub : subscriptions.values()) {
        sub.forgetEndedWindows(now);
      }
    }
  }

  // ---- ending ----

  void close(short code, String reason) {
    if (!closed) {
      try {
        channel.close(code, reason);
      } finally {
        ended();
      }
    }
  }

  /** The transport says the client closed, before its close event came. */
  void peerClosed() {
    ended();
  }

  private void ended() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    // The subscriptions leave the index once no change is being matched against it.
    hub.whenSafe(() -> {
      for (Subscription sub : List.copyOf(subscriptions.values())) {
        drop(sub);
      }
      outbox.clear();
      hub.remove(this);
    });
  }
}
