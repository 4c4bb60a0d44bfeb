package io.pricewire.feed;

import io.pricewire.Addresses;
import io.pricewire.config.Settings;
import io.pricewire.ledger.Change;
import io.pricewire.ledger.ChangeBatch;
import io.pricewire.offer.Interest;
import io.pricewire.offer.OfferKey;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of one event loop: owns the client connections accepted there, the interest index
 * (offer, supplier and category to subscriptions), and the heartbeat.
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
  private final Map<OfferKey, Set<Subscription>> bySku = new HashMap<>();
  private final Map<String, Set<Subscription>> bySupplier = new HashMap<>();
  private final Map<String, Set<Subscription>> byCategory = new HashMap<>();
  private MessageConsumer<ChangeBatch> consumer;
  private long heartbeatTimer = -1;
  private String epoch;
  private long lastSeq = -1;

  public FeedHub(Vertx vertx, Store store, Settings.Feed settings, FeedMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Call from the owning verticle's start, before its server listens. */
  public Future<Void> start() {
    return store.head().map(head -> {
      epoch = head.epoch();
      consumer = vertx.eventBus().localConsumer(Addresses.CHANGES, this::onBatch);
      heartbeatTimer = vertx.setPeriodic(settings.pingIntervalMs(), t -> heartbeat());
      return null;
    });
  }

  public Future<Void> stop(short code, String reason) {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    for (FeedConnection c : new ArrayList<>(connections)) {
      c.close(code, reason);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  public void accept(ServerWebSocket ws) {
    FeedConnection c = new FeedConnection(this, ws);
    connections.add(c);
    metrics.webSocketConnections.incrementAndGet();
    c.start();
  }

  void remove(FeedConnection c) {
    if (connections.remove(c)) {
      metrics.webSocketConnections.decrementAndGet();
    }
  }

  // ---- interest index ----

  void index(Subscription sub, Interest interest) {
    for (OfferKey k : interest.skus()) {
      bySku.computeIfAbsent(k, x -> new HashSet<>(2)).add(sub);
    }
    for (String s : interest.suppliers()) {
      bySupplier.computeIfAbsent(s, x -> new HashSet<>()).add(sub);
    }
    for (String c : interest.categories()) {
      byCategory.computeIfAbsent(c, x -> new HashSet<>()).add(sub);
    }
    metrics.subscriptions.incrementAndGet();
  }

  void unindex(Subscription sub, Interest interest) {
    for (OfferKey k : interest.skus()) {
      removeFrom(bySku, k, sub);
    }
    for (String s : interest.suppliers()) {
      removeFrom(bySupplier, s, sub);
    }
    for (String c : interest.categories()) {
      removeFrom(byCategory, c, sub);
    }
    metrics.subscriptions.decrementAndGet();
  }

  private static <K> void removeFrom(Map<K, Set<Subscription>> map, K key, Subscription sub) {
    Set<Subscription> subs = map.get(key);
    if (subs != null && subs.remove(sub) && subs.isEmpty()) {
      map.remove(key);
    }
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
    lastSeq = batch.lastSeq();
    for (Change c : batch.changes()) {
      match(c, batch.committedNanos());
    }
  }

  private void match(Change change, long committedNanos) {
    Delivery[] delivery = {null};
    long stamp = change.seq();
    OfferKey key = change.offer().key();
    visit(bySku.get(key), stamp, change, committedNanos, delivery);
    visit(bySupplier.get(key.supplier()), stamp, change, committedNanos, delivery);
    if (change.offer().category() != null) {
      visit(byCategory.get(change.offer().category()), stamp, change, committedNanos, delivery);
    }
    if (change.previousCategory() != null) {
      visit(byCategory.get(change.previousCategory()), stamp, change, committedNanos, delivery);
    }
  }

  private void visit(Set<Subscription> subs, long stamp, Change change, long committedNanos, Delivery[] delivery) {
    if (subs == null) {
      return;
    }
    for (Subscription sub : subs) {
      if (sub.matchStamp == stamp) {
        continue;
      }
      sub.matchStamp = stamp;
      if (delivery[0] == null) {
        delivery[0] = new Delivery(change, FeedProtocol.updateTail(epoch, change), committedNanos);
      }
      sub.offer(delivery[0]);
    }
  }

  private void heartbeat() {
    long now = System.nanoTime();
    long timeout = TimeUnit.MILLISECONDS.toNanos(settings.pingTimeoutMs());
    for (FeedConnection c : new ArrayList<>(connections)) {
      if (now - c.lastHeardNanos > timeout) {
        c.close(CloseCodes.HEARTBEAT_TIMEOUT, "no answer to pings; reconnect and resume");
      } else {
        c.ws.writePing(Buffer.buffer());
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

  Store store() {
    return store;
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
