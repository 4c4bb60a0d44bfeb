package io.pricewire.feed;

import io.pricewire.feed.Pending.Place;
import io.pricewire.changelog.Change;
import io.pricewire.offer.Offer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * What one connection still has to write, and the order it goes in. This is where slow clients
 * are handled:
 *
 * <ul>
 *   <li>Changes are not written one by one: each joins the subscription's waiting entries and the
 *       hub flushes the connection once the changes at hand are matched ({@link FeedHub#flushSoon}).
 *       A subscription with one change writes one {@code update}; with several, one
 *       {@code updates} frame. When changes arrive faster than the event loop writes them, more
 *       of them share a frame, so the cost per change falls as the load grows, with no timer and
 *       no added delay when the load is light.
 *   <li>While the socket takes data, that flush writes everything waiting.
 *   <li>When it does not ({@code writeQueueFull}), the connection is stalled: changes wait as
 *       {@link Pending} entries, one per subscription and offer, and a newer change of the same
 *       offer replaces the waiting state (conflation), so what waits never exceeds the interest,
 *       whatever the update rate. Reading from the client pauses too, so that a client that sends
 *       without reading (pings, say) cannot make the gateway queue answers without bound. Every
 *       frame written counts: the stall starts with whichever write filled the queue, and the hub
 *       closes a connection stalled for longer than the slow-client timeout.
 *   <li>When the socket drains, waiting entries go out in this order: urgent ones (any change of
 *       availability: sold out, back in stock), then snapshots being written, then the rest. Several
 *       entries of one subscription travel in one {@code updates} frame.
 *   <li>Changes of a subscription with {@code max_rate} other than availability changes wait until
 *       the offer's window ends ({@link Place#TIMED}).
 * </ul>
 *
 * <p>An entry moves between these places in one method, {@link #place}. The {@code seq} of every
 * update frame is the subscription's resume point ({@link Subscription#advance}): every change up
 * to it has reached the client. It equals the change's own seq, except when an urgent update
 * overtakes older waiting ones; then it stays below the oldest one still waiting. It never goes
 * down.
 */
final class Outbox {

  /** Most bytes one flush writes before it lets the event loop run other tasks. */
  static final int FLUSH_SLICE_BYTES = 1 << 20;

  /** Most updates in one {@code updates} frame. */
  static final int MAX_BATCH = 100;

  private final FeedConnection connection;
  private final FeedChannel channel;
  private final FeedHub hub;
  private final FeedLoop loop;
  private ArrayDeque<Pending> urgent;
  private ArrayDeque<Pending> normal;
  /** Snapshots and repricings being written, in order: {@link SnapshotJob}s and {@link RepriceJob}s. */
  private ArrayDeque<Object> snapshots;
  /** Entries in a max_rate window, by the window's end; a record whose entry moved on is stale. */
  private PriorityQueue<Due> timed;
  /** The hub's pending wake-up of this outbox for its timed entries, or null. */
  private Waker waker;
  private boolean flushing;
  private boolean flushScheduled;
  /** Payload bytes written so far, for the flush's slice. */
  private long writtenBytes;
  /** When the client stopped taking data, in loop nanos; 0 while it keeps up. */
  private long stalledSince;

  /** A snapshot being written chunk by chunk, as the socket takes it. */
  private static final class SnapshotJob {
    final Subscription sub;
    final List<Offer> offers;
    final long seq;
    final boolean resumed;
    final boolean reset;
    final boolean added;
    /** The first offer not written yet. */
    int next;

    SnapshotJob(Subscription sub, List<Offer> offers, long seq, boolean resumed, boolean reset, boolean added) {
      this.sub = sub;
      this.offers = offers;
      this.seq = seq;
      this.resumed = resumed;
      this.reset = reset;
      this.added = added;
    }
  }

  /**
   * A market event's new projections for one subscription, written chunk by chunk as the socket
   * takes them, after the snapshots queued before it and behind urgent updates.
   */
  private static final class RepriceJob {
    final Subscription sub;
    final Repricing shared;
    final long eventSeq;
    final int token;
    int chunk;
    boolean cancelled;

    RepriceJob(Subscription sub, Repricing shared, long eventSeq, int token) {
      this.sub = sub;
      this.shared = shared;
      this.eventSeq = eventSeq;
      this.token = token;
    }
  }

  private record Due(long at, Pending entry) {
  }

  /**
   * What the hub's wake-up queue holds for an outbox. Cut loose when it is replaced or the
   * connection ends, so that a long max_rate window keeps nothing of a closed connection alive.
   */
  static final class Waker {
    final long at;
    private Outbox outbox;

    private Waker(long at, Outbox outbox) {
      this.at = at;
      this.outbox = outbox;
    }

    /** The outbox to wake, or null when this wake-up was called off. */
    Outbox outbox() {
      return outbox;
    }
  }

  Outbox(FeedConnection connection, FeedChannel channel, FeedHub hub) {
    this.connection = connection;
    this.channel = channel;
    this.hub = hub;
    this.loop = hub.loop();
  }

  FeedConnection connection() {
    return connection;
  }

  // ---- input ----

  /** A change in a live subscription's interest, newer than anything the client has of it. */
  void accept(Subscription sub, Delivery d, Subscription.Move move) {
    Change c = d.change();
    // Urgent changes overtake only when the client is behind; for one that keeps up, everything
    // goes out in the next flush anyway, and in seq order.
    boolean behind = stalledSince != 0;
    Pending p = sub.waiting(c.offer().key());
    if (p != null && !behind && (p.place == Place.NORMAL || p.place == Place.URGENT)) {
      // The earlier change only waits for the posted flush: a client that keeps up gets every
      // change, so write what waits now instead of merging.
      flush();
      if (sub.isClosed() || connection.isClosed()) {
        return;
      }
      p = sub.waiting(c.offer().key());
    }
    if (p != null) {
      if (move == Subscription.Move.LEAVING && !p.clientHolds()) {
        // The offer came into the interest and left again before the client heard of it.
        place(p, Place.DONE);
        return;
      }
      boolean wasUrgent = p.urgent();
      p.merge(d, move == Subscription.Move.ENTERING);
      hub.metrics().conflated.increment();
      // A waiting entry is already due to be written (a flush is posted, or the socket's drain
      // will flush); it only needs one when it leaves its max_rate window or moves up.
      if (p.urgent() && !wasUrgent && (p.place == Place.TIMED || (p.place == Place.NORMAL && behind))) {
        place(p, behind ? Place.URGENT : Place.NORMAL);
        hub.flushSoon(this);
      }
      return;
    }
    p = new Pending(sub, d, move == Subscription.Move.ENTERING);
    sub.addWaiting(p);
    hub.tally().pending(1);
    long due = !p.urgent() && sub.rateLimited() ? sub.dueNanos(p.key, loop.nanoTime()) : 0;
    if (sub.snapshotInFlight()) {
      place(p, Place.HELD);
    } else if (due > 0) {
      p.notBefore = due;
      place(p, Place.TIMED);
    } else {
      place(p, p.urgent() && behind ? Place.URGENT : Place.NORMAL);
      hub.flushSoon(this);
    }
  }

  /** Queues a snapshot (or part of one) for writing; the subscription's updates wait behind it. */
  void snapshot(Subscription sub, List<Offer> offers, long seq, boolean resumed, boolean reset, boolean added) {
    if (snapshots == null) {
      snapshots = new ArrayDeque<>(2);
    }
    sub.snapshotStarted();
    for (Pending p : sub.waitingEntries()) {
      if (p.place != Place.DONE) {
        place(p, Place.HELD);
      }
    }
    snapshots.add(new SnapshotJob(sub, offers, seq, resumed, reset, added));
    flush();
  }

  /**
   * Queues a subscription's repricing after a market event; one queued earlier for the same
   * subscription is called off (the new one covers all it would have written).
   */
  void reprice(Subscription sub, Repricing shared, long eventSeq, int token) {
    if (snapshots == null) {
      snapshots = new ArrayDeque<>(2);
    }
    for (Object job : snapshots) {
      if (job instanceof RepriceJob r && r.sub == sub) {
        r.cancelled = true;
      }
    }
    snapshots.add(new RepriceJob(sub, shared, eventSeq, token));
    flush();
  }

  /** Drops waiting entries (unsubscribe, remove, close). */
  void drop(Collection<Pending> entries) {
    for (Pending p : new ArrayList<>(entries)) {
      place(p, Place.DONE);
    }
  }

  /**
   * Writes a control frame (pong, error, acknowledgement) at once, ahead of waiting updates. It
   * counts toward the stall like any frame.
   */
  void control(Frame frame) {
    if (writable()) {
      int wire = channel.write(frame, -1);
      sent(frame.length(), wire);
      watchQueue();
      hub.counted();
    }
  }

  /** The heartbeat: a WebSocket ping, or an SSE comment. */
  void ping() {
    if (writable()) {
      channel.ping();
      watchQueue();
    }
  }

  void onDrain() {
    if (stalledSince != 0) {
      stalledSince = 0;
      channel.resumeReading();
    }
    flush();
  }

  /** Time has come for some entries in a max_rate window. */
  void wake(long now) {
    waker = null;
    if (connection.isClosed() || timed == null) {
      return;
    }
    Due due;
    while ((due = timed.peek()) != null && due.at <= now) {
      timed.poll();
      Pending p = due.entry;
      if (p.place == Place.TIMED && p.notBefore == due.at) {
        place(p, Place.NORMAL);
      }
    }
    if (!timed.isEmpty()) {
      wakeAt(timed.peek().at);
    }
    flush();
  }

  /** True once the client has taken no data for longer than {@code timeoutNanos}. */
  boolean stalledFor(long now, long timeoutNanos) {
    return stalledSince != 0 && now - stalledSince > timeoutNanos;
  }

  /** Marks the outbox as on the hub's list to flush; false when it is already. */
  boolean markScheduled() {
    if (flushScheduled) {
      return false;
    }
    flushScheduled = true;
    return true;
  }

  /** The hub's flush of all scheduled connections reached this one. */
  void scheduledFlush() {
    flushScheduled = false;
    flush();
  }

  /** The connection ended: lets go of everything still queued. */
  void clear() {
    urgent = null;
    normal = null;
    if (snapshots != null) {
      for (Object job : snapshots) {
        if (job instanceof RepriceJob r) {
          r.shared.release();
        }
      }
    }
    snapshots = null;
    timed = null;
    if (waker != null) {
      waker.outbox = null;
      waker = null;
    }
  }

  // ---- places ----

  /**
   * Moves an entry to a place: the only code that changes {@link Pending#place}, so that where an
   * entry waits and which queue holds it never disagree.
   */
  private void place(Pending p, Place to) {
    if (p.place == Place.DONE) {
      return;
    }
    p.place = to;
    switch (to) {
      case URGENT -> {
        if (urgent == null) {
          urgent = new ArrayDeque<>();
        }
        urgent.add(p);
      }
      case NORMAL -> {
        if (normal == null) {
          normal = new ArrayDeque<>();
        }
        normal.add(p);
      }
      case TIMED -> {
        if (timed == null) {
          timed = new PriorityQueue<>(Comparator.comparingLong(Due::at));
        }
        timed.add(new Due(p.notBefore, p));
        if (waker == null || p.notBefore < waker.at) {
          wakeAt(p.notBefore);
        }
      }
      case HELD -> {
        // Waits for the subscription's snapshot; release() places it again.
      }
      case DONE -> {
        p.sub.removeWaiting(p);
        hub.tally().pending(-1);
      }
    }
  }

  private void wakeAt(long at) {
    if (waker != null) {
      waker.outbox = null;
    }
    waker = new Waker(at, this);
    hub.wakeAt(waker);
  }

  /**
   * Once a snapshot carries an offer's state, a waiting entry of that offer that is not newer has
   * nothing left to tell ({@link Subscription#snapshotNewer}).
   */
  private void supersede(Subscription sub, Offer written) {
    Pending p = sub.waiting(written.key());
    if (p != null && !Subscription.snapshotNewer(written.version(), p.version())) {
      place(p, Place.DONE);
    }
  }

  /** Puts the entries held behind a subscription's snapshot into the queues, oldest first. */
  private void release(Subscription sub) {
    long now = loop.nanoTime();
    for (Pending p : sub.waitingEntries()) {
      if (p.place != Place.HELD) {
        continue;
      }
      long due = !p.urgent() && sub.rateLimited() ? sub.dueNanos(p.key, now) : 0;
      if (due > 0) {
        p.notBefore = due;
        place(p, Place.TIMED);
      } else {
        place(p, p.urgent() ? Place.URGENT : Place.NORMAL);
      }
    }
  }

  // ---- output ----

  private boolean writable() {
    if (connection.isClosed()) {
      return false;
    }
    if (channel.isClosed()) {
      // The client's close arrived; the transport's close event will follow.
      connection.peerClosed();
      return false;
    }
    return true;
  }

  void flush() {
    if (flushing || stalledSince != 0 || !writable()) {
      // A stalled connection is flushed by its drain.
      return;
    }
    flushing = true;
    long start = writtenBytes;
    try {
      while (hasWork()) {
        if (writtenBytes - start > FLUSH_SLICE_BYTES) {
          // A socket that takes everything (a new one, on loopback) must not keep the event loop
          // to itself: the rest goes out after the tasks waiting meanwhile.
          hub.flushSoon(this);
          break;
        }
        Pending u = poll(urgent, Place.URGENT);
        if (u != null) {
          writeBatch(u, true);
        } else if (snapshots != null && !snapshots.isEmpty()) {
          if (snapshots.peek() instanceof RepriceJob r) {
            writeReprice(r);
          } else {
            writeChunk((SnapshotJob) snapshots.peek());
          }
        } else {
          Pending n = poll(normal, Place.NORMAL);
          if (n == null) {
            break;
          }
          writeBatch(n, false);
        }
        if (watchQueue()) {
          break;
        }
      }
    } finally {
      flushing = false;
      hub.counted();
    }
  }

  /** Counts a frame written. */
  private void sent(int payloadBytes, int wireBytes) {
    writtenBytes += payloadBytes;
    hub.tally().sent(connection.meters(), payloadBytes, wireBytes);
  }

  /** After a write: true when it filled the queue, which stalls the connection. */
  private boolean watchQueue() {
    if (stalledSince == 0 && channel.writeQueueFull()) {
      stalled();
    }
    return stalledSince != 0;
  }

  /** Something may be waiting (queues also hold stale references, skipped when polled). */
  private boolean hasWork() {
    return (urgent != null && !urgent.isEmpty()) || (snapshots != null && !snapshots.isEmpty())
        || (normal != null && !normal.isEmpty());
  }

  private static Pending poll(ArrayDeque<Pending> queue, Place place) {
    if (queue == null) {
      return null;
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      if (p.place == place) {
        return p;
      }
    }
    return null;
  }

  private void writeChunk(SnapshotJob job) {
    Subscription sub = job.sub;
    if (sub.isClosed()) {
      snapshots.poll();
      return;
    }
    int maxOffers = hub.settings().snapshotChunk();
    int from = job.next;
    List<String> chunk = new ArrayList<>(Math.min(maxOffers, job.offers.size() - from));
    int bytes = 0;
    int next = from;
    while (next < job.offers.size() && chunk.size() < maxOffers) {
      Offer offer = job.offers.get(next);
      String encoded = sub.market() == null ? offer.toJson().encode() : hub.markets().offerJson(offer, sub.market());
      int size = FeedProtocol.utf8Length(encoded) + 1;
      if (!chunk.isEmpty() && bytes + size > FeedProtocol.MESSAGE_BUDGET) {
        break;
      }
      chunk.add(encoded);
      bytes += size;
      next++;
    }
    job.next = next;
    for (int i = from; i < next; i++) {
      supersede(sub, job.offers.get(i));
      sub.overtook(job.offers.get(i).key());
    }
    boolean more = next < job.offers.size();
    String frame = FeedProtocol.snapshot(sub.id(), hub.epoch(), job.seq, chunk, job.resumed, job.reset, job.added,
        more);
    Frame utf8 = Frame.of(frame);
    // Only a complete snapshot is a safe place to resume from.
    int wire = channel.write(utf8, more ? -1 : job.added ? sub.resumePoint() : job.seq);
    sent(utf8.length(), wire);
    if (!more) {
      snapshots.poll();
      if (sub.snapshotEnded()) {
        release(sub);
      }
    }
  }

  /** Writes a waiting entry, with more of the same subscription's entries when it has them. */
  private void writeBatch(Pending first, boolean urgentOnly) {
    Subscription sub = first.sub;
    List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, sub.waitingCount()));
    batch.add(first);
    if (sub.waitingCount() > 1) {
      int bytes = first.newest().body().length();
      for (Pending p : sub.waitingEntries()) {
        if (batch.size() >= MAX_BATCH) {
          break;
        }
        if (p != first && (p.place == Place.URGENT || (!urgentOnly && p.place == Place.NORMAL))) {
          int size = p.newest().body().length();
          if (bytes + size > FeedProtocol.MESSAGE_BUDGET) {
            break;
          }
          bytes += size;
          batch.add(p);
        }
      }
    }
    long maxSeq = 0;
    for (Pending p : batch) {
      place(p, Place.DONE);
      maxSeq = Math.max(maxSeq, p.newest().seq());
      sub.overtook(p.key);
    }
    long seq = sub.advance(maxSeq);
    Frame frame = batch.size() == 1 ? updateFrame(sub, batch.get(0), seq) : updatesFrame(sub, batch, seq);
    long now = loop.nanoTime();
    long committed = Long.MAX_VALUE;
    long received = Long.MAX_VALUE;
    boolean fromPeer = false;
    for (Pending p : batch) {
      Delivery d = p.newest();
      if (d.committedNanos < committed) {
        committed = d.committedNanos;
        fromPeer = d.fromPeer;
      }
      if (d.change().receivedNanos() != 0) {
        received = Math.min(received, d.change().receivedNanos());
      }
      sub.sent(p.key, now);
    }
    int wire = channel.write(frame, seq);
    sent(frame.length(), wire);
    hub.tally().updates(batch.size());
    hub.metrics().written(committed, received == Long.MAX_VALUE ? 0 : received, fromPeer);
  }

  /**
   * Writes the next chunk of a repricing: the shared list when the subscription skips none of
   * its offers, else the offers it does not skip. The frame's seq stays below the event until the
   * last chunk is written.
   */
  private void writeReprice(RepriceJob job) {
    Subscription sub = job.sub;
    Repricing r = job.shared;
    if (job.cancelled || sub.isClosed() || !r.hasChunk(job.chunk)) {
      finish(job);
      return;
    }
    int k = job.chunk++;
    List<Integer> kept = new ArrayList<>(r.end(k) - r.start(k));
    for (int i = r.start(k); i < r.end(k); i++) {
      if (!sub.repriceSkips(r.offer(i), hub.lastSeq())) {
        kept.add(i);
      }
    }
    boolean all = kept.size() == r.end(k) - r.start(k);
    if (!r.hasChunk(job.chunk)) {
      finish(job);
    }
    if (kept.isEmpty()) {
      return;
    }
    long seq = sub.advance(-1);
    byte[] end = hub.updatesEnd();
    byte[] own = FeedProtocol.updatesSeqAndId(seq, sub.updateEnd());
    Frame frame;
    if (all) {
      frame = Frame.of(r.list(k, end), own);
    } else {
      Frame.Builder b = new Frame.Builder(kept.size() * 2 + 2).add(FeedProtocol.UPDATES_START);
      for (int i = 0; i < kept.size(); i++) {
        if (i > 0) {
          b.add(FeedProtocol.COMMA);
        }
        b.add(r.item(kept.get(i)));
      }
      frame = b.add(end).add(own).build();
    }
    int wire = channel.write(frame, seq);
    sent(frame.length(), wire);
    hub.tally().updates(kept.size());
    hub.metrics().repriced.increment(kept.size());
  }

  /** A repricing ended: the next job's turn; the latest one's end lets the resume point pass the event. */
  private void finish(RepriceJob job) {
    if (snapshots.peek() == job) {
      snapshots.poll();
      job.shared.release();
      if (!job.cancelled && !job.sub.isClosed() && job.sub.isLatestReprice(job.token)) {
        job.sub.repriced(job.eventSeq);
      }
    }
  }

  /** One {@code update}: the shared body and the subscription's id, unless seq or fields differ. */
  private Frame updateFrame(Subscription sub, Pending p, long seq) {
    Delivery d = p.newest();
    if (sub.market() != null) {
      return Frame.of(FeedProtocol.marketUpdate(sub.id(), hub.epoch(), seq, hub.markets().offerJson(d.change().offer(), sub.market()),
          p.changed()));
    }
    if (seq == d.seq() && p.asChanged()) {
      return Frame.of(d.body(), sub.updateEnd());
    }
    return Frame.of(FeedProtocol.update(sub.id(), hub.epoch(), seq, d.change().offer(), p.changed()));
  }

  /**
   * One {@code updates} frame: when every entry is a change as committed, the shared part for
   * that batch and the subscription's seq and id; else the entries put together, re-encoding only
   * the merged ones.
   */
  private Frame updatesFrame(Subscription sub, List<Pending> batch, long seq) {
    byte[] end = hub.updatesEnd();
    byte[] own = FeedProtocol.updatesSeqAndId(seq, sub.updateEnd());
    if (sub.market() != null) {
      Frame.Builder frame = new Frame.Builder(batch.size() * 2 + 2).add(FeedProtocol.UPDATES_START);
      for (int i = 0; i < batch.size(); i++) {
        if (i > 0) {
          frame.add(FeedProtocol.COMMA);
        }
        Pending p = batch.get(i);
        frame.add(FeedProtocol.marketItem(hub.markets().offerJson(p.newest().change().offer(), sub.market()), p.changed())
            .getBytes(StandardCharsets.UTF_8));
      }
      return frame.add(end).add(own).build();
    }
    boolean asCommitted = true;
    for (Pending p : batch) {
      asCommitted &= p.asChanged();
    }
    if (asCommitted) {
      Delivery[] deliveries = new Delivery[batch.size()];
      for (int i = 0; i < deliveries.length; i++) {
        deliveries[i] = batch.get(i).newest();
      }
      return Frame.of(deliveries[0].updatesStart(deliveries, end), own);
    }
    Frame.Builder frame = new Frame.Builder(batch.size() * 2 + 2).add(FeedProtocol.UPDATES_START);
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (i > 0) {
        frame.add(FeedProtocol.COMMA);
      }
      frame.add(p.asChanged() ? p.newest().item()
          : FeedProtocol.updateItem(p.newest().change().offer(), p.changed()).getBytes(StandardCharsets.UTF_8));
    }
    return frame.add(end).add(own).build();
  }

  /** The client stopped taking data: from now on urgent entries go first, and its frames wait unread. */
  private void stalled() {
    stalledSince = Math.max(1, loop.nanoTime());
    if (normal != null) {
      for (Pending p : normal.toArray(new Pending[0])) {
        if (p.urgent() && p.place == Place.NORMAL) {
          place(p, Place.URGENT);
        }
      }
    }
    channel.pauseReading();
  }
}
