package io.pricewire.feed;

import io.pricewire.ledger.Change;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What one connection still has to write, and the order it goes in. This is where slow clients
 * are handled:
 *
 * <ul>
 *   <li>While the socket takes data, each change is written at once as one {@code update}.
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
    Pending p = sub.pending.get(c.offer().key());
    if (p != null) {
      p.merge(d);
      hub.metrics().conflated.increment();
      if (isUrgent && !p.urgent) {
        p.urgent = true;
        if (p.place == Pending.Place.TIMED || p.place == Pending.Place.NORMAL) {
          enqueue(p, Pending.Place.URGENT);
        }
      }
      flush();
      return;
    }
    long now = System.nanoTime();
    long due = !isUrgent && sub.rateLimited() ? sub.dueNanos(c.offer().key(), now) : 0;
    if (due == 0 && sub.snapshotsInFlight == 0 && idle() && !channel.writeQueueFull()) {
      writeNow(sub, d, now);
      return;
    }
    p = new Pending(sub, c.offer().key(), d, isUrgent);
    sub.pending.put(p.key, p);
    hub.metrics().pendingOffers.incrementAndGet();
    if (sub.snapshotsInFlight > 0) {
      p.place = Pending.Place.HELD;
    } else if (due > 0) {
      schedule(p, due);
    } else {
      enqueue(p, isUrgent ? Pending.Place.URGENT : Pending.Place.NORMAL);
    }
    flush();
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
        hub.metrics().pendingOffers.decrementAndGet();
      }
    }
  }

  void onDrain() {
    stalledSince = 0;
    flush();
  }

  // ---- output ----

  private boolean idle() {
    return (urgent == null || urgent.isEmpty()) && (normal == null || normal.isEmpty())
        && (snapshots == null || snapshots.isEmpty());
  }

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
      while (!connection.closed()) {
        if (channel.writeQueueFull()) {
          if (stalledSince == 0) {
            stalledSince = System.nanoTime();
          }
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
    }
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
    // Only a complete snapshot is a safe place to resume from.
    channel.write(frame, more ? null : hub.epoch() + ":" + (job.added ? sub.watermark : job.seq));
    connection.meters.sent(FeedProtocol.utf8Length(frame));
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
      int bytes = FeedProtocol.utf8Length(first.newest.tail());
      for (Pending p : sub.pending.values()) {
        if (batch.size() >= MAX_BATCH) {
          break;
        }
        if (p != first && (p.place == Pending.Place.URGENT || (!urgentOnly && p.place == Pending.Place.NORMAL))) {
          int size = FeedProtocol.utf8Length(p.newest.tail());
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
    hub.metrics().pendingOffers.addAndGet(-batch.size());
    long seq = resumePoint(sub, maxSeq);
    long now = System.nanoTime();
    String frame;
    int bytes;
    if (batch.size() == 1) {
      Pending p = batch.get(0);
      Delivery d = p.newest;
      if (seq == d.seq() && p.changed.equals(d.change().changed())) {
        frame = sub.updateHead + d.tail();
        bytes = sub.updateHeadBytes + d.tailBytes();
      } else {
        frame = FeedProtocol.update(sub.id, hub.epoch(), seq, d.change().offer(), p.changed);
        bytes = FeedProtocol.utf8Length(frame);
      }
    } else {
      List<Offer> offers = new ArrayList<>(batch.size());
      List<Set<Field>> changed = new ArrayList<>(batch.size());
      for (Pending p : batch) {
        offers.add(p.newest.change().offer());
        changed.add(p.changed);
      }
      frame = FeedProtocol.updates(sub.id, hub.epoch(), seq, offers, changed);
      bytes = FeedProtocol.utf8Length(frame);
    }
    long[] committed = new long[batch.size()];
    long[] received = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Delivery d = batch.get(i).newest;
      committed[i] = d.committedNanos();
      received[i] = d.change().receivedNanos();
      sub.sent(d.change().offer().key(), now);
    }
    send(frame, bytes, seq, committed, received);
  }

  /** The fast path: nothing waits, the socket takes data, the change goes out as it is. */
  private void writeNow(Subscription sub, Delivery d, long now) {
    long seq = resumePoint(sub, d.seq());
    String frame;
    int bytes;
    if (seq == d.seq()) {
      frame = sub.updateHead + d.tail();
      bytes = sub.updateHeadBytes + d.tailBytes();
    } else {
      frame = FeedProtocol.update(sub.id, hub.epoch(), seq, d.change().offer(), d.change().changed());
      bytes = FeedProtocol.utf8Length(frame);
    }
    sub.sent(d.change().offer().key(), now);
    send(frame, bytes, seq, new long[] {d.committedNanos()}, new long[] {d.change().receivedNanos()});
  }

  /**
   * The subscription's resume point once changes up to {@code sentSeq} are written: below the
   * oldest change still waiting, if any, and never lower than before.
   */
  private static long resumePoint(Subscription sub, long sentSeq) {
    sub.maxSentSeq = Math.max(sub.maxSentSeq, sentSeq);
    long seq = sub.maxSentSeq;
    Iterator<Pending> oldest = sub.pending.values().iterator();
    if (oldest.hasNext()) {
      seq = Math.min(seq, oldest.next().firstSeq - 1);
    }
    seq = Math.max(seq, sub.watermark);
    sub.watermark = seq;
    return seq;
  }

  private void send(String frame, int bytes, long seq, long[] committed, long[] received) {
    FeedMetrics metrics = hub.metrics();
    connection.meters.sent(bytes);
    channel.write(frame, hub.epoch() + ":" + seq).onSuccess(v -> {
      for (int i = 0; i < committed.length; i++) {
        metrics.written(committed[i], received[i]);
      }
    });
    if (channel.writeQueueFull() && stalledSince == 0) {
      stalledSince = System.nanoTime();
    }
  }

  /** Entries still waiting, for tests and metrics. */
  int waiting(Subscription sub) {
    return sub.pending.size();
  }
}
