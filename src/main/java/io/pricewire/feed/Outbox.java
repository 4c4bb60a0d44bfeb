package io.pricewire.feed;

import io.pricewire.ledger.Change;
import io.pricewire.offer.Offer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

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
 *   <li>When it does not ({@code writeQueueFull}), changes wait as {@link Pending} entries, one per
 *       subscription and offer: a newer change of the same offer replaces the waiting state
 *       (conflation), so what waits never exceeds the interest, whatever the update rate.
 *   <li>When the socket drains, waiting entries go out in this order: urgent ones (any change of
 *       availability: sold out, back in stock), then snapshots being written, then the rest. Several
 *       entries of one subscription travel in one {@code updates} frame.
 *   <li>Price-only changes of a subscription with {@code max_rate} wait until the offer's window
 *       ends ({@link Pending.Place#TIMED}); availability changes never wait for the window.
 * </ul>
 *
 * <p>The {@code seq} of every update frame is the subscription's resume point: every change up to
 * it has reached the client. It equals the change's own seq, except when an urgent update overtakes
 * older waiting ones; then it stays below the oldest one still waiting. It never goes down.
 */
final class Outbox {

  /** Most updates in one {@code updates} frame. */
  static final int MAX_BATCH = 100;

  private final FeedConnection connection;
  private final FeedChannel channel;
  private final FeedHub hub;
  private ArrayDeque<Pending> urgent;
  private ArrayDeque<Pending> normal;
  private ArrayDeque<SnapshotJob> snapshots;
  private boolean flushing;
  /** True while the connection is on its hub's list of connections to flush. */
  boolean flushScheduled;
  /** When the client stopped taking data, in nanos; 0 while it keeps up. */
  long stalledSince;

  /** A snapshot being written chunk by chunk, as the socket takes it. */
  private static final class SnapshotJob {
    final Subscription sub;
    final List<Offer> offers;
    final long seq;
    final boolean resumed;
    final boolean reset;
    final boolean added;
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

  Outbox(FeedConnection connection, FeedChannel channel, FeedHub hub) {
    this.connection = connection;
    this.channel = channel;
    this.hub = hub;
  }

  // ---- input ----

  /** A change in a live subscription's interest, newer than anything the client has of it. */
  void accept(Subscription sub, Delivery d) {
    Change c = d.change();
    boolean isUrgent = c.availabilityChanged();
    // Urgent changes overtake only when the client is behind; for one that keeps up, everything
    // goes out in the next flush anyway, and in seq order.
    boolean behind = stalledSince != 0;
    Pending p = sub.pending.isEmpty() ? null : sub.pending.get(c.offer().key());
    if (p != null && !behind && (p.place == Pending.Place.NORMAL || p.place == Pending.Place.URGENT)) {
      // The earlier change only waits for the posted flush: a client that keeps up gets every
      // change, so write what waits now instead of merging.
      flush();
      p = sub.pending.get(c.offer().key());
    }
    if (p != null) {
      p.merge(d);
      hub.metrics().conflated.increment();
      // A waiting entry is already due to be written (a flush is posted, or the socket's drain
      // will flush); it only needs one when it leaves its max_rate window or moves up.
      if (isUrgent && !p.urgent) {
        p.urgent = true;
        if (p.place == Pending.Place.TIMED || (p.place == Pending.Place.NORMAL && behind)) {
          enqueue(p, behind ? Pending.Place.URGENT : Pending.Place.NORMAL);
          hub.flushSoon(this);
        }
      }
      return;
    }
    long due = !isUrgent && sub.rateLimited() ? sub.dueNanos(c.offer().key(), System.nanoTime()) : 0;
    p = new Pending(sub, c.offer().key(), d, isUrgent);
    sub.pending.put(p.key, p);
    hub.tally().pending(1);
    if (sub.snapshotsInFlight > 0) {
      p.place = Pending.Place.HELD;
    } else if (due > 0) {
      schedule(p, due);
    } else {
      enqueue(p, isUrgent && behind ? Pending.Place.URGENT : Pending.Place.NORMAL);
      hub.flushSoon(this);
    }
  }

  /** Queues a snapshot (or part of one) for writing; the subscription's updates wait behind it. */
  void snapshot(Subscription sub, List<Offer> offers, long seq, boolean resumed, boolean reset, boolean added) {
    if (snapshots == null) {
      snapshots = new ArrayDeque<>(2);
    }
    sub.snapshotsInFlight++;
    for (Pending p : sub.pending.values()) {
      if (p.place != Pending.Place.DONE) {
        p.place = Pending.Place.HELD;
      }
    }
    snapshots.add(new SnapshotJob(sub, offers, seq, resumed, reset, added));
    flush();
  }

  /** A TIMED entry whose window ended. */
  void due(Pending p) {
    if (p.place == Pending.Place.TIMED) {
      enqueue(p, Pending.Place.NORMAL);
      flush();
    }
  }

  /** Drops waiting entries (unsubscribe, remove, close). */
  void drop(List<Pending> entries) {
    for (Pending p : entries) {
      if (p.place != Pending.Place.DONE) {
        p.place = Pending.Place.DONE;
        p.sub.pending.remove(p.key);
        hub.tally().pending(-1);
      }
    }
  }

  void onDrain() {
    stalledSince = 0;
    flush();
  }

  // ---- output ----

  private void enqueue(Pending p, Pending.Place place) {
    p.place = place;
    if (place == Pending.Place.URGENT) {
      if (urgent == null) {
        urgent = new ArrayDeque<>();
      }
      urgent.add(p);
    } else {
      if (normal == null) {
        normal = new ArrayDeque<>();
      }
      normal.add(p);
    }
  }

  private void schedule(Pending p, long due) {
    p.place = Pending.Place.TIMED;
    p.notBefore = due;
    hub.schedule(p);
  }

  void flush() {
    if (flushing || connection.closed()) {
      return;
    }
    flushing = true;
    try {
      while (!connection.closed() && hasWork()) {
        if (channel.writeQueueFull()) {
          stalled();
          break;
        }
        Pending u = poll(urgent, Pending.Place.URGENT);
        if (u != null) {
          writeBatch(u, true);
          continue;
        }
        if (snapshots != null && !snapshots.isEmpty()) {
          writeChunk(snapshots.peek());
          continue;
        }
        Pending n = poll(normal, Pending.Place.NORMAL);
        if (n != null) {
          writeBatch(n, false);
          continue;
        }
        break;
      }
    } finally {
      flushing = false;
      hub.counted();
    }
  }

  /** Something may be waiting (queues also hold stale references, skipped when polled). */
  private boolean hasWork() {
    return (urgent != null && !urgent.isEmpty()) || (snapshots != null && !snapshots.isEmpty())
        || (normal != null && !normal.isEmpty());
  }

  private static Pending poll(ArrayDeque<Pending> queue, Pending.Place place) {
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
    if (sub.closed) {
      snapshots.poll();
      return;
    }
    int maxOffers = hub.settings().snapshotChunk();
    List<String> chunk = new ArrayList<>(Math.min(maxOffers, job.offers.size() - job.next));
    int bytes = 0;
    while (job.next < job.offers.size() && chunk.size() < maxOffers) {
      String encoded = job.offers.get(job.next).toJson().encode();
      int size = FeedProtocol.utf8Length(encoded) + 1;
      if (!chunk.isEmpty() && bytes + size > FeedProtocol.MESSAGE_BUDGET) {
        break;
      }
      chunk.add(encoded);
      bytes += size;
      job.next++;
    }
    boolean more = job.next < job.offers.size();
    String frame = FeedProtocol.snapshot(sub.id, hub.epoch(), job.seq, chunk, job.resumed, job.reset, job.added, more);
    byte[] utf8 = frame.getBytes(StandardCharsets.UTF_8);
    // Only a complete snapshot is a safe place to resume from.
    channel.write(utf8, more ? -1 : job.added ? sub.watermark : job.seq);
    hub.tally().sent(connection.meters, utf8.length);
    if (!more) {
      snapshots.poll();
      if (--sub.snapshotsInFlight == 0) {
        release(sub);
      }
    }
  }

  /** Puts the entries held behind a subscription's snapshot into the queues, oldest first. */
  private void release(Subscription sub) {
    long now = System.nanoTime();
    for (Pending p : sub.pending.values()) {
      if (p.place != Pending.Place.HELD) {
        continue;
      }
      long due = !p.urgent && sub.rateLimited() ? sub.dueNanos(p.key, now) : 0;
      if (due > 0) {
        schedule(p, due);
      } else {
        enqueue(p, p.urgent ? Pending.Place.URGENT : Pending.Place.NORMAL);
      }
    }
  }

  /** Writes a waiting entry, with more of the same subscription's entries when it has them. */
  private void writeBatch(Pending first, boolean urgentOnly) {
    Subscription sub = first.sub;
    List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, sub.pending.size()));
    batch.add(first);
    if (sub.pending.size() > 1) {
      int bytes = first.newest.tail().length;
      for (Pending p : sub.pending.values()) {
        if (batch.size() >= MAX_BATCH) {
          break;
        }
        if (p != first && (p.place == Pending.Place.URGENT || (!urgentOnly && p.place == Pending.Place.NORMAL))) {
          int size = p.newest.tail().length;
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
      p.place = Pending.Place.DONE;
      sub.pending.remove(p.key);
      maxSeq = Math.max(maxSeq, p.newest.seq());
    }
    hub.tally().pending(-batch.size());
    long seq = resumePoint(sub, maxSeq);
    byte[] frame = batch.size() == 1 ? updateFrame(sub, batch.get(0), seq) : updatesFrame(sub, batch, seq);
    long now = System.nanoTime();
    long committed = Long.MAX_VALUE;
    long received = Long.MAX_VALUE;
    for (Pending p : batch) {
      Delivery d = p.newest;
      committed = Math.min(committed, d.committedNanos);
      if (d.change().receivedNanos() != 0) {
        received = Math.min(received, d.change().receivedNanos());
      }
      sub.sent(p.key, now);
    }
    send(frame, seq, batch.size(), committed, received == Long.MAX_VALUE ? 0 : received);
  }

  /** One {@code update}: the subscription's head and the shared tail, unless seq or fields differ. */
  private byte[] updateFrame(Subscription sub, Pending p, long seq) {
    Delivery d = p.newest;
    if (seq == d.seq() && p.asChanged()) {
      return FeedProtocol.concat(sub.updateHead, d.tail());
    }
    return FeedProtocol.update(sub.id, hub.epoch(), seq, d.change().offer(), p.changed)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** One {@code updates} frame from the shared entries of the changes, re-encoding only merged ones. */
  private byte[] updatesFrame(Subscription sub, List<Pending> batch, long seq) {
    byte[][] parts = new byte[batch.size() * 2 + 1][];
    parts[0] = FeedProtocol.updatesHead(sub.updatesHead, hub.epochJson(), seq);
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      parts[1 + 2 * i] = p.asChanged() ? p.newest.item()
          : FeedProtocol.updateItem(p.newest.change().offer(), p.changed).getBytes(StandardCharsets.UTF_8);
      parts[2 + 2 * i] = i + 1 < batch.size() ? FeedProtocol.COMMA : FeedProtocol.UPDATES_END;
    }
    return FeedProtocol.concat(parts);
  }

  /**
   * The subscription's resume point once changes up to {@code sentSeq} are written: below the
   * oldest change still waiting, if any, and never lower than before.
   */
  private static long resumePoint(Subscription sub, long sentSeq) {
    sub.maxSentSeq = Math.max(sub.maxSentSeq, sentSeq);
    long seq = sub.maxSentSeq;
    if (!sub.pending.isEmpty()) {
      seq = Math.min(seq, sub.pending.values().iterator().next().firstSeq - 1);
    }
    seq = Math.max(seq, sub.watermark);
    sub.watermark = seq;
    return seq;
  }

  private void send(byte[] frame, long seq, int updates, long committedNanos, long receivedNanos) {
    channel.write(frame, seq);
    hub.tally().sent(connection.meters, frame.length);
    hub.tally().updates(updates);
    hub.metrics().written(committedNanos, receivedNanos);
    // Whether the socket took it all shows at the next turn of the flush loop.
  }

  /** The client stopped taking data: from now on, urgent entries go first. */
  private void stalled() {
    if (stalledSince != 0) {
      return;
    }
    stalledSince = System.nanoTime();
    if (normal != null) {
      for (Pending p : normal.toArray(new Pending[0])) {
        if (p.urgent && p.place == Pending.Place.NORMAL) {
          enqueue(p, Pending.Place.URGENT);
        }
      }
    }
  }

  /** Entries still waiting, for tests and metrics. */
  int waiting(Subscription sub) {
    return sub.pending.size();
  }
}
