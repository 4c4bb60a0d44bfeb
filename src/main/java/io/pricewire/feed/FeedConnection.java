package io.pricewire.feed;

import io.pricewire.offer.Offer;
import io.pricewire.store.Snapshot;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One feed client on a WebSocket: reads its operations, holds its subscriptions, writes its
 * frames. Lives on its hub's event loop; nothing here is shared with other threads.
 */
final class FeedConnection {

  final FeedHub hub;
  final ServerWebSocket ws;
  final Map<String, Subscription> subscriptions = new HashMap<>();
  long lastHeardNanos = System.nanoTime();
  private boolean closed;

  FeedConnection(FeedHub hub, ServerWebSocket ws) {
    this.hub = hub;
    this.ws = ws;
  }

  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text"));
    ws.pongHandler(b -> lastHeardNanos = System.nanoTime());
    ws.exceptionHandler(this::onException);
    ws.closeHandler(v -> onClosed());
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
      send(FeedProtocol.error(e.code(), e.getMessage(), e.op(), e.id()));
      return;
    }
    if (op instanceof ClientOp.Subscribe s) {
      subscribe(s);
    } else if (op instanceof ClientOp.Unsubscribe u) {
      unsubscribe(u.id());
    } else if (op instanceof ClientOp.Ping p) {
      send(FeedProtocol.pong(p.id()));
    }
  }

  private void subscribe(ClientOp.Subscribe op) {
    if (subscriptions.containsKey(op.id())) {
      send(FeedProtocol.error("duplicate_id", "a subscription with id \"" + op.id()
          + "\" exists on this connection; unsubscribe it first or pick another id", "subscribe", op.id()));
      return;
    }
    int max = hub.settings().maxSubscriptions();
    if (subscriptions.size() >= max) {
      send(FeedProtocol.error("too_many_subscriptions", "a connection holds at most " + max
          + " subscriptions (PRICEWIRE_FEED_MAX_SUBSCRIPTIONS)", "subscribe", op.id()));
      return;
    }
    Subscription sub = new Subscription(this, op.id(), op.interest());
    subscriptions.put(op.id(), sub);
    hub.index(sub, sub.interest);
    ClientOp.Since since = op.since();
    boolean continuing = since != null && since.epoch().equals(hub.epoch());
    load(sub, continuing ? since.seq() : -1, since != null && !continuing);
  }

  /**
   * Reads the snapshot for a loading subscription and makes it live.
   *
   * @param afterSeq the client's last seq when continuing its log, else -1 for the full state
   * @param reset the client named a log this node does not serve: its full state replaces all
   */
  private void load(Subscription sub, long afterSeq, boolean reset) {
    hub.store().snapshot(sub.interest, afterSeq).onComplete(ar -> {
      if (sub.state == Subscription.State.CLOSED) {
        return;
      }
      if (ar.failed()) {
        drop(sub);
        send(FeedProtocol.error("store_unavailable", "the snapshot could not be read (" + ar.cause().getMessage()
            + "); subscribe again shortly", "subscribe", sub.id));
        return;
      }
      Snapshot snap = ar.result();
      if (afterSeq >= 0 && afterSeq > snap.seq()) {
        // The client claims a position this log never reached (a restored database): start over.
        load(sub, -1, true);
        return;
      }
      deliver(sub, snap, afterSeq >= 0, reset);
    });
  }

  private void deliver(Subscription sub, Snapshot snap, boolean resumed, boolean reset) {
    List<Offer> offers = snap.offers();
    int chunk = hub.settings().snapshotChunk();
    int from = 0;
    do {
      int to = Math.min(offers.size(), from + chunk);
      send(FeedProtocol.snapshot(sub.id, snap.epoch(), snap.seq(), offers.subList(from, to), resumed, reset,
          to < offers.size()));
      from = to;
    } while (from < offers.size());
    for (Subscription.Kept k : sub.goLive(snap.seq())) {
      Delivery d = k.delivery();
      String tail = k.changed().equals(d.change().changed()) ? d.tail()
          : FeedProtocol.updateTail(hub.epoch(), withChanged(d, k));
      sendUpdate(sub, new Delivery(d.change(), tail, d.committedNanos()));
    }
  }

  private static io.pricewire.ledger.Change withChanged(Delivery d, Subscription.Kept k) {
    var c = d.change();
    return new io.pricewire.ledger.Change(c.seq(), c.offer(), k.changed(), c.previousCategory(),
        c.previousAvailability(), c.receivedNanos());
  }

  private void unsubscribe(String id) {
    Subscription sub = subscriptions.get(id);
    if (sub == null) {
      send(FeedProtocol.error("unknown_subscription", "no subscription with id \"" + id + "\" on this connection",
          "unsubscribe", id));
      return;
    }
    drop(sub);
    send(FeedProtocol.unsubscribed(id));
  }

  private void drop(Subscription sub) {
    subscriptions.remove(sub.id);
    hub.unindex(sub, sub.interest);
    sub.close();
  }

  void sendUpdate(Subscription sub, Delivery d) {
    if (closed) {
      return;
    }
    long committed = d.committedNanos();
    long received = d.change().receivedNanos();
    ws.writeTextMessage(sub.updateHead + d.tail()).onSuccess(v -> hub.metrics().written(committed, received));
  }

  void send(String frame) {
    if (!closed) {
      ws.writeTextMessage(frame);
    }
  }

  void close(short code, String reason) {
    if (!closed) {
      ws.close(code, reason);
      onClosed();
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    for (Subscription sub : new ArrayList<>(subscriptions.values())) {
      hub.unindex(sub, sub.interest);
      sub.close();
    }
    subscriptions.clear();
    hub.remove(this);
  }
}
