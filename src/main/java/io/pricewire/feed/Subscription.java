package io.pricewire.feed;

import io.pricewire.changelog.Change;
import io.pricewire.market.Market;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One subscription of one connection: what it covers, the states on their way to the client,
 * and the resume point it has given the client. It owns all three; the {@link Outbox} asks and
 * tells it through the methods below.
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
    private Interest interest;
    final boolean initial;
    final ClientOp.Since since;
    private final Map<OfferKey, Delivery> kept = new LinkedHashMap<>();
    /**
     * A market event of the subscription's market came while this resumed part loaded: what it
     * reads (the offers changed since the client's seq) is not all that changed, so it starts over.
     */
    boolean marketMoved;

    Part(Interest interest, boolean initial, ClientOp.Since since) {
      this.interest = interest;
      this.initial = initial;
      this.since = since;
    }

    Interest interest() {
      return interest;
    }
  }

  /**
   * A part that joined at snapshot seq {@code seq} while this node had not yet handed out every
   * change up to it (the store was ahead of the event bus). Changes up to that seq arrive late:
   * a change is dropped when it is not newer than the state the snapshot carries for its offer
   * ({@code sent}: version by offer), and a change of an offer the snapshot does not carry and
   * only the part covers is dropped unless the client holds the offer from an earlier late
   * change ({@code held}): an offer that passed through the part and was elsewhere by the
   * snapshot's seq is none of the client's business, unless it reached the client on the way.
   */
  private record Floor(Interest part, Interest before, long seq, Map<OfferKey, Long> sent, Set<OfferKey> held) {
  }

  /** How a change stands to the live interest. */
  enum Move {
    /** The offer is in the interest before and after the change. */
    INSIDE,
    /** The change brings the offer into the interest (it moved into a followed category). */
    ENTERING,
    /** The change takes the offer out (it left a followed category): the client drops it. */
    LEAVING
  }

  private final FeedConnection connection;
  private final String id;
  /** The end of this subscription's update frames (its id), as UTF-8. */
  private final byte[] updateEnd;
  private final long minIntervalNanos;
  private Interest interest = new Interest(Set.of(), Set.of(), Set.of());
  private final List<Part> loading = new ArrayList<>(1);
  private List<Floor> floors;
  private boolean closed;
  /** Snapshot jobs of this subscription still being written; its updates wait for them. */
  private int snapshotsInFlight;
  /** The resume point given to the client: every change up to it has reached the client. */
  private long resumePoint = -1;
  /** The highest change seq written to the client (an urgent one may be ahead of waiting ones). */
  private long maxSentSeq = -1;
  /** Marks the change being matched, so a subscription matched through two keys gets it once. */
  private long matchStamp = -1;
  /** Undelivered states, in order of their oldest change: the first entry holds the lowest seq. */
  private final LinkedHashMap<OfferKey, Pending> waiting = new LinkedHashMap<>();
  private final Collection<Pending> waitingView = Collections.unmodifiableCollection(waiting.values());
  /** For max_rate: when each offer's last update went out, in loop nanos. */
  private Map<OfferKey, Long> lastSentNanos;
  /** The market whose projection every offer carries; null for offers as written. */
  private final Market market;
  /**
   * Repricing: the seq of the oldest market event whose new projections have not all reached the
   * client, or -1. The resume point stays below it, so a client that leaves mid-way starts over.
   */
  private long repriceFloor = -1;
  /** Offers written since the last market event, while a repricing is due: they carry the new projection. */
  private Set<OfferKey> overtaken;
  /** A repricing waits for the loading parts to join (their snapshots go first). */
  private boolean repriceWanted;
  /** Identifies the latest repricing started, so that an older one's late read is dropped. */
  private int repriceToken;

  Subscription(FeedConnection connection, String id, double maxRate, Market market) {
    this.connection = connection;
    this.id = id;
    this.market = market;
    this.updateEnd = FeedProtocol.updateEnd(id);
    this.minIntervalNanos = maxRate > 0 ? (long) (1_000_000_000L / maxRate) : 0;
  }

  String id() {
    return id;
  }

  Market market() {
    return market;
  }

  /** The live interest: the parts whose snapshots have been joined. */
  Interest live() {
    return interest;
  }

  FeedConnection connection() {
    return connection;
  }

  byte[] updateEnd() {
    return updateEnd;
  }

  boolean isClosed() {
    return closed;
  }

  void close() {
    closed = true;
  }

  /** True the first time it is called for a change (a seq): the index may reach it several ways. */
  boolean firstMatch(long stamp) {
    if (matchStamp == stamp) {
      return false;
    }
    matchStamp = stamp;
    return true;
  }

  // ---- interest ----

  /** Everything the subscription has in the index: the live interest and the loading parts. */
  Interest indexed() {
    Interest all = interest;
    for (Part p : loading) {
      all = all.plus(p.interest);
    }
    return all;
  }

  /** Starts loading a part: its changes are kept until {@link #join}. */
  void load(Part part) {
    loading.add(part);
  }

  /** A part whose snapshot could not be read; returns what of it is no longer indexed by others. */
  Interest abandon(Part part) {
    loading.remove(part);
    return part.interest.minus(indexed());
  }

  static boolean matches(Interest interest, Change c) {
    return interest.matches(c.offer())
        || (c.previousCategory() != null && interest.categories().contains(c.previousCategory()));
  }

  /** Whether the offer's state before the change was in the interest (only its category can differ). */
  private static boolean matchedBefore(Interest interest, Change c) {
    Offer o = c.offer();
    return interest.suppliers().contains(o.supplier()) || interest.skus().contains(o.key())
        || interest.categories().contains(c.previousCategory());
  }

  /** How a change that matched the live interest stands to it. */
  Move moveOf(Change c) {
    if (c.previousCategory() == null) {
      return Move.INSIDE;
    }
    boolean before = matchedBefore(interest, c);
    boolean after = interest.matches(c.offer());
    return before == after ? Move.INSIDE : after ? Move.ENTERING : Move.LEAVING;
  }

  /** Called by the hub for each change that the index matched, in seq order. */
  void offer(Delivery d) {
    if (closed || connection.isClosed()) {
      return;
    }
    Change c = d.change();
    if (!connection.scope().allows(c.offer().supplier())) {
      return;
    }
    if (floors != null && belowFloor(d)) {
      return;
    }
    // With nothing loading, the index holds exactly the live interest, so its match stands.
    if (loading.isEmpty() || matches(interest, c)) {
      connection.outbox().accept(this, d, moveOf(c));
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
      } else if (!snapshotNewer(f.sent.get(d.change().offer().key()), d.change().offer().version())) {
        below = true;
      } else if (!f.sent.containsKey(d.change().offer().key()) && matches(f.part, d.change())
          && !matches(f.before, d.change()) && !f.held.contains(d.change().offer().key())) {
        // Only the part covers it and the client does not hold it: the snapshot's seq is past it.
        below = true;
      }
    }
    if (!below && floors != null) {
      // What the client holds from late changes that go out: a later one of the same offer that
      // only the part covers must go out too, or the client would miss the fields it changed.
      OfferKey key = d.change().offer().key();
      boolean inside = interest.matches(d.change().offer());
      for (Floor f : floors) {
        if (inside) {
          f.held.add(key);
        } else {
          f.held.remove(key);
        }
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
   * @param resumed the snapshot holds only what changed after the client's seq
   */
  List<Offer> join(Part part, List<Offer> snapshotOffers, long snapshotSeq, long hubSeq, boolean resumed) {
    Interest before = interest;
    Map<OfferKey, Offer> state = new LinkedHashMap<>();
    // On resume, offers that left one of the part's categories since the client's seq: the
    // client holds them under the old category and learns from their new state that they left.
    Set<OfferKey> left = new HashSet<>();
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
          && connection.scope().allows(o.supplier())) {
        send.add(o);
      }
    }
    loading.remove(part);
    interest = before.plus(part.interest);
    if (hubSeq < snapshotSeq) {
      if (floors == null) {
        floors = new ArrayList<>(1);
      }
      Map<OfferKey, Long> sent = new HashMap<>(send.size() * 2);
      for (Offer o : send) {
        sent.put(o.key(), o.version());
      }
      floors.add(new Floor(part.interest, before, snapshotSeq, sent, new HashSet<>()));
    }
    return send;
  }

  /**
   * The one rule that keeps an older state from reaching the client after a newer one: a state
   * is written only if it is newer than the one a snapshot carries for the same offer (the
   * outbox applies it to entries already waiting when the snapshot is written, the floors to
   * changes that arrive after it).
   *
   * @param snapshotVersion the version a snapshot carries for the offer, or null when it carries none
   */
  static boolean snapshotNewer(Long snapshotVersion, long version) {
    return snapshotVersion == null || version > snapshotVersion;
  }

  /** Shrinks the interest; returns the waiting entries of offers it no longer covers. */
  List<Pending> shrink(Interest removed) {
    interest = interest.minus(removed);
    for (Part p : loading) {
      p.interest = p.interest.minus(removed);
    }
    List<Pending> dropped = new ArrayList<>();
    for (Pending p : waiting.values()) {
      // The client dropped what it held outside the rest of its interest when it sent the remove
      // (the README tells it to): an entry matters only if its newest state is inside, or the
      // state the client still holds is (then the entry tells it the offer left).
      boolean heldInside = p.clientHolds() && holdsInside(p);
      if (interest.matches(p.newest().change().offer())) {
        if (p.clientHolds() && !heldInside) {
          p.clientLetGo();
        }
      } else if (!heldInside) {
        dropped.add(p);
      }
    }
    return dropped;
  }

  /** Whether the state the client holds for a waiting entry is inside the interest. */
  private boolean holdsInside(Pending p) {
    return interest.suppliers().contains(p.key.supplier()) || interest.skus().contains(p.key)
        || (p.heldCategory() != null && interest.categories().contains(p.heldCategory()));
  }

  // ---- waiting entries (changed by the outbox only) ----

  Pending waiting(OfferKey key) {
    return waiting.isEmpty() ? null : waiting.get(key);
  }

  /** The entries in order of their oldest change; read-only. */
  Collection<Pending> waitingEntries() {
    return waitingView;
  }

  int waitingCount() {
    return waiting.size();
  }

  void addWaiting(Pending p) {
    waiting.put(p.key, p);
  }

  void removeWaiting(Pending p) {
    waiting.remove(p.key, p);
  }

  // ---- snapshots in flight ----

  void snapshotStarted() {
    snapshotsInFlight++;
  }

  /** Returns true when it was the last one: held entries may go. */
  boolean snapshotEnded() {
    return --snapshotsInFlight == 0;
  }

  boolean snapshotInFlight() {
    return snapshotsInFlight > 0;
  }

  // ---- resume point ----

  /** Every change in the interest up to this seq has reached the client; -1 before the snapshot. */
  long resumePoint() {
    return resumePoint;
  }

  /** Where the client starts: the watermark of its first snapshot. */
  void startAt(long seq) {
    resumePoint = Math.max(resumePoint, seq);
  }

  /**
   * The resume point once changes up to {@code sentSeq} are written: below the oldest change
   * still waiting, if any, and never lower than before.
   */
  long advance(long sentSeq) {
    maxSentSeq = Math.max(maxSentSeq, sentSeq);
    long seq = maxSentSeq;
    if (!waiting.isEmpty()) {
      seq = Math.min(seq, waiting.values().iterator().next().firstSeq - 1);
    }
    if (repriceFloor >= 0) {
      seq = Math.min(seq, repriceFloor - 1);
    }
    resumePoint = Math.max(seq, resumePoint);
    return resumePoint;
  }

  // ---- repricing (market events) ----

  /**
   * A market event of this subscription's market, handed out at {@code seq}. Returns true when
   * the live interest must be re-priced now; false when nothing is to re-price (only the first
   * part is loading, and its snapshot goes out after the event anyway) or when it must wait for
   * the loading parts ({@link #takeRepriceDue}).
   */
  boolean marketEvent(long seq) {
    if (interest.isEmpty()) {
      for (Part p : loading) {
        if (p.since != null) {
          p.marketMoved = true;
        }
      }
      return false;
    }
    if (repriceFloor < 0) {
      repriceFloor = seq;
    }
    overtaken = new HashSet<>();
    repriceWanted = true;
    return takeRepriceDue();
  }

  /** True once when a wanted repricing may start: no part is loading any more. */
  boolean takeRepriceDue() {
    if (repriceWanted && loading.isEmpty()) {
      repriceWanted = false;
      return true;
    }
    return false;
  }

  /** A new repricing starts: returns its token. */
  int repriceStarted() {
    return ++repriceToken;
  }

  boolean isLatestReprice(int token) {
    return token == repriceToken;
  }

  /** An offer's newest state was written: a repricing under way has nothing to add for it. */
  void overtook(OfferKey key) {
    if (overtaken != null) {
      overtaken.add(key);
    }
  }

  /**
   * Whether a repricing leaves this offer out: the client holds it with the new projection (or
   * will: an entry waits, or the read is ahead of the changes this hub has handed out, so the
   * change that made this state is still on its way and brings the new projection with it), it is
   * no longer in the interest, or the token does not cover it.
   *
   * @param hubSeq the last seq the hub has handed out
   */
  boolean repriceSkips(Offer o, long hubSeq) {
    return o.seq() > hubSeq || (overtaken != null && overtaken.contains(o.key())) || waiting(o.key()) != null
        || !interest.matches(o) || !connection.scope().allows(o.supplier());
  }

  /**
   * The latest repricing reached the client: every event up to {@code eventSeq} is delivered, as
   * far as this subscription goes.
   */
  void repriced(long eventSeq) {
    if (repriceWanted) {
      // Another event came meanwhile and waits for a part: the floor stays.
      return;
    }
    repriceFloor = -1;
    overtaken = null;
    advance(eventSeq);
  }

  // ---- rate limit (max_rate) ----

  boolean rateLimited() {
    return minIntervalNanos > 0;
  }

  /** When an update of this offer may go out next (availability changes never wait); 0 for now. */
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

  /** Forgets windows that have ended: an offer without one may go at once anyway. */
  void forgetEndedWindows(long now) {
    if (lastSentNanos != null) {
      lastSentNanos.values().removeIf(last -> last + minIntervalNanos <= now);
      if (lastSentNanos.isEmpty()) {
        lastSentNanos = null;
      }
    }
  }
}
