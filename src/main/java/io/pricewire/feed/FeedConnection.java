package io.pricewire.feed;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.pricewire.auth.Scope;
import io.pricewire.offer.Interest;
import io.pricewire.store.Snapshot;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One feed client, over WebSocket or SSE: acts on its operations, holds its subscriptions and
 * writes through its {@link Outbox}. Lives on its hub's event loop; nothing here is shared with
 * other threads.
 */
final class FeedConnection {

  final FeedHub hub;
  final FeedChannel channel;
  final Outbox outbox;
  final FeedMetrics.TransportMeters meters;
  final Map<String, Subscription> subscriptions = new HashMap<>(2);
  final Scope scope;
  /** When the storefront token expires, in this process's nanos; 0 for never. */
  final long expiresNanos;
  private final Runnable onClose;
  long lastHeardNanos = System.nanoTime();
  private boolean closed;

  FeedConnection(FeedHub hub, FeedChannel channel, Scope scope, Runnable onClose) {
    this.hub = hub;
    this.channel = channel;
    this.scope = scope;
    this.onClose = onClose;
    this.outbox = new Outbox(this, channel, hub);
    this.meters = hub.metrics().transport(channel.transport());
    this.expiresNanos = scope.expiresAt() == null ? 0
        : System.nanoTime() + Math.max(0, java.time.Duration.between(java.time.Instant.now(), scope.expiresAt()).toNanos());
  }

  /** Starts reading client frames from a WebSocket. */
  void startWebSocket(ServerWebSocket ws) {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text"));
    ws.pongHandler(b -> lastHeardNanos = System.nanoTime());
    ws.exceptionHandler(this::onException);
    start();
  }

  void start() {
    channel.drainHandler(outbox::onDrain);
    channel.closeHandler(this::onClosed);
  }

  boolean closed() {
    return closed;
  }

  /** Frames over the size limit or otherwise broken arrive here; answer with their close code. */
  private void onException(Throwable e) {
    if (e instanceof CorruptedWebSocketFrameException corrupt) {
      close((short) corrupt.closeStatus().code(), corrupt.closeStatus().code() == CloseCodes.MESSAGE_TOO_BIG
          ? "frame larger than " + hub.settings().maxFrameBytes() + " bytes" : "invalid frame: " + e.getMessage());
    } else {
      hub.log().debug("Feed connection error: {}", e.toString());
    }
  }

  private void onText(String text) {
    lastHeardNanos = System.nanoTime();
    if (closed) {
      return;
    }
    ClientOp op;
    try {
      op = FeedProtocol.parse(text, hub.settings().maxInterest());
    } catch (ProtocolError e) {
      sendError(e);
      return;
    }
    act(op);
  }

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
    java.util.Set<String> named = new java.util.TreeSet<>(interest.suppliers());
    interest.skus().forEach(k -> named.add(k.supplier()));
    java.util.Set<String> outside = scope.outside(named);
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
    Subscription sub = new Subscription(this, op.id(), op.maxRate());
    subscriptions.put(op.id(), sub);
    hub.metrics().subscriptions.incrementAndGet();
    Subscription.Part part = new Subscription.Part(op.interest(), true, op.since());
    sub.loading.add(part);
    hub.index(sub, op.interest());
    ClientOp.Since since = op.since();
    boolean continuing = since != null && since.epoch().equals(hub.epoch());
    load(sub, part, continuing ? since.seq() : -1, since != null && !continuing);
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
    sub.loading.add(part);
    hub.index(sub, fresh);
    load(sub, part, -1, false);
  }

  private void remove(ClientOp.Remove op) throws ProtocolError {
    Subscription sub = existing(op.id(), "remove");
    Interest before = sub.indexed();
    Interest gone = new Interest(intersect(before.skus(), op.interest().skus()),
        intersect(before.suppliers(), op.interest().suppliers()),
        intersect(before.categories(), op.interest().categories()));
    hub.unindex(sub, gone);
    outbox.drop(sub.shrink(gone));
    send(FeedProtocol.removed(sub.id, hub.epoch(), sub.watermark));
  }

  private static <T> java.util.Set<T> intersect(java.util.Set<T> a, java.util.Set<T> b) {
    java.util.Set<T> r = new java.util.HashSet<>(a);
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
    hub.snapshot(part.interest, afterSeq).onComplete(ar -> {
      if (sub.closed || closed) {
        return;
      }
      if (ar.failed()) {
        sub.loading.remove(part);
        hub.unindex(sub, part.interest.minus(sub.indexed()));
        if (part.initial) {
          drop(sub);
        }
        sendError(new ProtocolError("store_unavailable", "the snapshot could not be read ("
            + ar.cause().getMessage() + "); " + (part.initial ? "subscribe" : "add") + " again shortly",
            part.initial ? "subscribe" : "add", sub.id));
        return;
      }
      Snapshot snap = ar.result();
      if (afterSeq >= 0 && (afterSeq > snap.seq() || snap.full())) {
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
        sub.watermark = position;
      }
      outbox.snapshot(sub, offers, position, afterSeq >= 0, reset, !part.initial);
    });
  }

  private void unsubscribe(String id) throws ProtocolError {
    Subscription sub = existing(id, "unsubscribe");
    drop(sub);
    send(FeedProtocol.unsubscribed(id));
  }

  private void drop(Subscription sub) {
    subscriptions.remove(sub.id);
    hub.unindex(sub, sub.indexed());
    sub.closed = true;
    outbox.drop(new ArrayList<>(sub.pending.values()));
    hub.metrics().subscriptions.decrementAndGet();
  }

  private void sendError(ProtocolError e) {
    send(FeedProtocol.error(e.code(), e.getMessage(), e.op(), e.id()));
  }

  /** Control frames (pong, errors, acknowledgements) go out at once, ahead of waiting updates. */
  void send(String frame) {
    if (!closed) {
      byte[] bytes = frame.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      channel.write(bytes, -1);
      hub.tally().sent(meters, bytes.length);
      hub.counted();
    }
  }

  void close(short code, String reason) {
    if (!closed) {
      channel.close(code, reason);
      onClosed();
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    for (Subscription sub : List.copyOf(subscriptions.values())) {
      drop(sub);
    }
    hub.remove(this);
  }
}
