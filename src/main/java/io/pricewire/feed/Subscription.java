package io.pricewire.feed;

import io.pricewire.ledger.Change;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One subscription of one connection: what it covers, what is on its way to the client, and the
 * resume point it has given the client.
 *
 * <p>Interest grows in parts. A part (the first one at subscribe, later ones from {@code add}) is
 * in the index as soon as it is requested; while its snapshot is read, changes that match only
 * that part are kept, newest per offer. When the snapshot arrives it is brought up to date with
 * the kept changes, sent, and the part joins the live interest. So nothing is missed and nothing
 * older overwrites something newer, whatever the timing of database and event bus.
 */
final class Subscription {

  /** A part of the interest whose snapshot is being read. */
  static final class Part {
    Interest interest;
    final boolean initial;
    final ClientOp.Since since;
    final Map<OfferKey, Delivery> kept = new LinkedHashMap<>();

    Part(Interest interest, boolean initial, ClientOp.Since since) {
      this.interest = interest;
      this.initial = initial;
      this.since = since;
    }
  }

  /**
   * After a part joined at snapshot seq {@code seq}, changes up to that seq of offers that only
   * the part covers were already in its snapshot, however late the event bus brings them.
   */
  private record Floor(Interest part, Interest before, long seq) {
  }

  final FeedConnection connection;
  final String id;
  /** The start of this subscription's update frames, as UTF-8. */
  final byte[] updateHead;
  /** The start of this subscription's updates frames, up to the epoch, as UTF-8. */
  final byte[] updatesHead;
  final long minIntervalNanos;
  Interest interest = new Interest(Set.of(), Set.of(), Set.of());
  final List<Part> loading = new ArrayList<>(1);
  private List<Floor> floors;
  boolean closed;
  /** Snapshot jobs of this subscription still being written; its updates wait for them. */
  int snapshotsInFlight;
  /** The resume point given to the client: every change up to it has reached the client. */
  long watermark = -1;
  /** The highest change seq written to the client (an urgent one may be ahead of waiting ones). */
  long maxSentSeq = -1;
  /** Marks the change being matched, so a subscription matched through two keys gets it once. */
  long matchStamp = -1;
  /** Undelivered states, in order of their oldest change: the first entry holds the lowest seq. */
  final LinkedHashMap<OfferKey, Pending> pending = new LinkedHashMap<>();
  private Map<OfferKey, Long> lastSentNanos;

  Subscription(FeedConnection connection, String id, double maxRate) {
    this.connection = connection;
    this.id = id;
    this.updateHead = FeedProtocol.updateHead(id);
    this.updatesHead = FeedProtocol.updatesHeadStart(id);
    this.minIntervalNanos = maxRate > 0 ? (long) (1_000_000_000L / maxRate) : 0;
  }

  /** Everything the subscription has in the index: the live interest and the loading parts. */
  Interest indexed() {
    Interest all = interest;
    for (Part p : loading) {
      all = all.plus(p.interest);
    }
    return all;
  }

  static boolean matches(Interest interest, Change c) {
    Offer o = c.offer();
    return interest.matches(o) || (c.previousCategory() != null && interest.categories().contains(c.previousCategory()));
  }

  /** Called by the hub for each change that the index matched, in seq order. */
  void offer(Delivery d) {
    if (closed) {
      return;
    }
    Change c = d.change();
    if (!connection.scope.allows(c.offer().supplier())) {
      return;
    }
    if (floors != null && belowFloor(d)) {
      return;
    }
    // With nothing loading, the index holds exactly the live interest, so its match stands.
    if (loading.isEmpty()) {
      connection.outbox.accept(this, d);
      return;
    }
    if (matches(interest, c)) {
      connection.outbox.accept(this, d);
    }
    for (Part p : loading) {
      if (matches(p.interest, c)) {
        p.kept.put(c.offer().key(), d);
      }
    }
  }

  private boolean belowFloor(Delivery d) {
    boolean below = false;
    for (Iterator<Floor> it = floors.iterator(); it.hasNext(); ) {
      Floor f = it.next();
      if (d.seq() > f.seq) {
        // Changes come in seq order: none at or below this floor can follow.
        it.remove();
      } else if (matches(f.part, d.change()) && !matches(f.before, d.change())) {
        below = true;
      }
    }
    if (floors.isEmpty()) {
      floors = null;
    }
    return below;
  }

  /**
   * Joins a part whose snapshot arrived: returns the offers to send for it, brought up to the
   * hub's position with the kept changes, and moves the part into the live interest.
   *
   * @param hubSeq the last seq the hub has handed out
   */
  List<Offer> join(Part part, List<Offer> snapshotOffers, long snapshotSeq, long hubSeq, boolean resumed) {
    Interest before = interest;
    Map<OfferKey, Offer> state = new LinkedHashMap<>();
    // On resume, offers that left one of the part's categories since the client's seq: the
    // client holds them under the old category and learns from their new state that they left.
    java.util.Set<OfferKey> left = new java.util.HashSet<>();
    for (Offer o : snapshotOffers) {
      state.put(o.key(), o);
      if (resumed && !part.interest.matches(o)) {
        left.add(o.key());
      }
    }
    for (Delivery d : part.kept.values()) {
      if (d.seq() > snapshotSeq) {
        Offer o = d.change().offer();
        state.put(o.key(), o);
        String from = d.change().previousCategory();
        if (resumed && from != null && part.interest.categories().contains(from)) {
          left.add(o.key());
        }
      }
    }
    List<Offer> send = new ArrayList<>(state.size());
    for (Offer o : state.values()) {
      // Offers the live interest already covers are up to date at the client; offers that left
      // the part after its snapshot are not the client's business, unless it held them before.
      if ((part.interest.matches(o) || left.contains(o.key())) && !before.matches(o)
          && connection.scope.allows(o.supplier())) {
        send.add(o);
      }
    }
    loading.remove(part);
    interest = before.plus(part.interest);
    if (hubSeq < snapshotSeq) {
      if (floors == null) {
        floors = new ArrayList<>(1);
      }
      floors.add(new Floor(part.interest, before, snapshotSeq));
    }
    return send;
  }

  /** Shrinks the interest; returns the pending entries of offers it no longer covers. */
  List<Pending> shrink(Interest removed) {
    interest = interest.minus(removed);
    for (Part p : loading) {
      p.interest = p.interest.minus(removed);
    }
    List<Pending> dropped = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (!matches(interest, p.newest.change())) {
        dropped.add(p);
      }
    }
    return dropped;
  }

  // ---- rate limit (max_rate) ----

  boolean rateLimited() {
    return minIntervalNanos > 0;
  }

  /** When a price-only update of this offer may go out next; 0 when it may go now. */
  long dueNanos(OfferKey key, long now) {
    if (lastSentNanos == null) {
      return 0;
    }
    Long last = lastSentNanos.get(key);
    if (last == null) {
      return 0;
    }
    long due = last + minIntervalNanos;
    return due > now ? due : 0;
  }

  void sent(OfferKey key, long now) {
    if (minIntervalNanos > 0) {
      if (lastSentNanos == null) {
        lastSentNanos = new HashMap<>();
      }
      lastSentNanos.put(key, now);
    }
  }
}
