package io.pricewire.ledger;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.MarketEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts the log's entries in seq order for one node's feed. Its own commits come back in the order
 * their transactions end, a peer's commits come over the cluster bus in any order relative to
 * other peers', some twice (a read-back overtaken by the bus), some never (a message lost with a
 * node). What comes out is each entry once, in seq order, with nothing skipped: a batch that does
 * not follow what was published waits, and the range in front of it is {@link #missing()}, to be
 * read back from the store.
 *
 * <p>Bounded: at most {@code maxHeld} entries wait; a batch beyond that is dropped, since the store
 * holds it too and the range it covers is read back in its turn. Not thread-safe: used from the
 * ledger's event loop.
 */
final class LogOrder {

  /** Entries in (after, upTo] that the store holds and this node has not published. */
  record Range(long after, long upTo) {
    long size() {
      return upTo - after;
    }
  }

  private final int maxHeld;
  private final int maxRead;
  private long published;
  /** The highest seq known to be committed: the last of any batch seen, or the log head. */
  private long known;
  /** Batches ahead of what was published, by first seq; never overlapping what was published. */
  private final TreeMap<Long, ChangeBatch> held = new TreeMap<>();
  private int heldEntries;

  /**
   * @param published the last seq the feed has
   * @param maxHeld the most entries kept waiting for a gap to close
   * @param maxRead the widest range {@link #missing()} asks for at once
   */
  LogOrder(long published, int maxHeld, int maxRead) {
    this.published = published;
    this.known = published;
    this.maxHeld = maxHeld;
    this.maxRead = maxRead;
  }

  long published() {
    return published;
  }

  long known() {
    return known;
  }

  int heldEntries() {
    return heldEntries;
  }

  /**
   * Takes a batch from anywhere: what it holds at or below the published seq is dropped (had).
   *
   * @return the batches now ready, in seq order, each following the one before
   */
  List<ChangeBatch> accept(ChangeBatch batch) {
    ChangeBatch fresh = after(batch, published);
    if (fresh == null) {
      return List.of();
    }
    known = Math.max(known, fresh.lastSeq());
    if (fresh.firstSeq() != published + 1) {
      hold(fresh);
      return List.of();
    }
    List<ChangeBatch> ready = new ArrayList<>(2);
    ready.add(fresh);
    published = fresh.lastSeq();
    drain(ready);
    return ready;
  }

  /** The store's log reaches {@code seq}: what lies between the published seq and it is due. */
  void knownUpTo(long seq) {
    known = Math.max(known, seq);
  }

  /**
   * The first range that is committed and neither published nor waiting, at most
   * {@code maxRead} wide; null when nothing is missing.
   */
  Range missing() {
    if (known <= published) {
      return null;
    }
    long upTo = held.isEmpty() ? known : held.firstKey() - 1;
    return new Range(published, Math.min(upTo, published + maxRead));
  }

  /**
   * Gives up on a range the store could not give back whole (it keeps no history): the feed goes
   * on after it, and sees the jump in seqs, which makes its clients resume.
   *
   * @return the batches ready after it
   */
  List<ChangeBatch> skip(Range range) {
    if (range.upTo() <= published) {
      return List.of();
    }
    published = range.upTo();
    List<ChangeBatch> ready = new ArrayList<>();
    // What waited inside the range is dropped; what follows goes on.
    Map.Entry<Long, ChangeBatch> first;
    while ((first = held.firstEntry()) != null && first.getValue().firstSeq() <= published) {
      ChangeBatch b = held.pollFirstEntry().getValue();
      heldEntries -= entries(b);
      ChangeBatch rest = after(b, published);
      if (rest != null) {
        held.put(rest.firstSeq(), rest);
        heldEntries += entries(rest);
      }
    }
    if (!held.isEmpty() && held.firstKey() == published + 1) {
      ChangeBatch next = held.pollFirstEntry().getValue();
      heldEntries -= entries(next);
      ready.add(next);
      published = next.lastSeq();
      drain(ready);
    }
    return ready;
  }

  /** A new log (another epoch): what waits belongs to the old one. */
  void reset(long newPublished) {
    held.clear();
    heldEntries = 0;
    published = newPublished;
    known = newPublished;
  }

  private void drain(List<ChangeBatch> ready) {
    while (!held.isEmpty() && held.firstKey() <= published + 1) {
      ChangeBatch b = held.pollFirstEntry().getValue();
      heldEntries -= entries(b);
      ChangeBatch rest = after(b, published);
      if (rest != null) {
        ready.add(rest);
        published = rest.lastSeq();
      }
    }
  }

  private void hold(ChangeBatch batch) {
    // Overlaps with what waits are cut off, so each seq waits once at most.
    Map.Entry<Long, ChangeBatch> below = held.floorEntry(batch.firstSeq());
    if (below != null && below.getValue().lastSeq() >= batch.lastSeq()) {
      return;
    }
    ChangeBatch b = below != null && below.getValue().lastSeq() >= batch.firstSeq()
        ? after(batch, below.getValue().lastSeq()) : batch;
    Map.Entry<Long, ChangeBatch> above = held.ceilingEntry(b.firstSeq());
    if (above != null && above.getKey() <= b.lastSeq()) {
      b = before(b, above.getKey());
      if (b == null) {
        return;
      }
    }
    int n = entries(b);
    if (heldEntries + n > maxHeld) {
      return;
    }
    held.put(b.firstSeq(), b);
    heldEntries += n;
  }

  private static int entries(ChangeBatch b) {
    return b.event() != null ? 1 : b.changes().size();
  }

  /** The part of a batch after {@code seq}, or null when nothing is. */
  static ChangeBatch after(ChangeBatch batch, long seq) {
    if (batch.lastSeq() <= seq) {
      return null;
    }
    if (batch.firstSeq() > seq) {
      return batch;
    }
    List<Change> rest = new ArrayList<>();
    for (Change c : batch.changes()) {
      if (c.seq() > seq) {
        rest.add(c);
      }
    }
    return batch.withChanges(rest);
  }

  /** The part of a batch before {@code seq}, or null when nothing is. */
  private static ChangeBatch before(ChangeBatch batch, long seq) {
    if (batch.firstSeq() >= seq) {
      return null;
    }
    List<Change> head = new ArrayList<>();
    for (Change c : batch.changes()) {
      if (c.seq() < seq) {
        head.add(c);
      }
    }
    return batch.withChanges(head);
  }

  /**
   * The batches a read-back makes: runs of changes, each market event alone, in seq order.
   */
  static List<ChangeBatch> batches(String epoch, List<Change> changes, List<MarketEvent> events, long nanos) {
    List<ChangeBatch> out = new ArrayList<>();
    List<Change> run = new ArrayList<>();
    int e = 0;
    for (Change c : changes) {
      while (e < events.size() && events.get(e).seq() < c.seq()) {
        if (!run.isEmpty()) {
          out.add(new ChangeBatch(epoch, List.copyOf(run), nanos));
          run.clear();
        }
        out.add(ChangeBatch.of(epoch, events.get(e++), nanos));
      }
      run.add(c);
    }
    if (!run.isEmpty()) {
      out.add(new ChangeBatch(epoch, List.copyOf(run), nanos));
    }
    while (e < events.size()) {
      out.add(ChangeBatch.of(epoch, events.get(e++), nanos));
    }
    return out;
  }
}
