package io.pricewire.feed;

import io.pricewire.ledger.Change;
import io.pricewire.offer.Field;
import io.pricewire.offer.Interest;
import io.pricewire.offer.OfferKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One subscription of one connection. It starts LOADING: its interest is already in the index, so
 * changes that arrive while its snapshot is read are kept, newest per offer. When the snapshot at
 * seq W arrives it goes LIVE: kept changes after W are sent, and from then on every matching
 * change after W. That is how "nothing missed, nothing twice" holds whatever the timing.
 */
final class Subscription {

  enum State { LOADING, LIVE, CLOSED }

  final FeedConnection connection;
  final String id;
  final String updateHead;
  Interest interest;
  State state = State.LOADING;
  /** Changes up to and including this seq are in the snapshot the client got. */
  long watermark = -1;
  /** Marks the change being matched, so a subscription matched through two keys gets it once. */
  long matchStamp = -1;
  private Map<OfferKey, Kept> kept = new HashMap<>();

  /** A change held back while loading, with the union of fields changed since the last one sent. */
  record Kept(Delivery delivery, Set<Field> changed) {
  }

  Subscription(FeedConnection connection, String id, Interest interest) {
    this.connection = connection;
    this.id = id;
    this.interest = interest;
    this.updateHead = FeedProtocol.updateHead(id);
  }

  /** Called by the hub for each change in this subscription's interest, in seq order. */
  void offer(Delivery d) {
    switch (state) {
      case LOADING -> {
        Change change = d.change();
        Kept before = kept.get(change.offer().key());
        Set<Field> changed = EnumSet.noneOf(Field.class);
        changed.addAll(change.changed());
        if (before != null) {
          changed.addAll(before.changed());
        }
        kept.put(change.offer().key(), new Kept(d, changed));
      }
      case LIVE -> {
        if (d.seq() > watermark) {
          connection.sendUpdate(this, d);
        }
      }
      case CLOSED -> {
      }
    }
  }

  /** Goes live at the snapshot's seq; returns the kept changes that are newer, in seq order. */
  List<Kept> goLive(long snapshotSeq) {
    watermark = snapshotSeq;
    state = State.LIVE;
    List<Kept> newer = new ArrayList<>();
    for (Kept k : kept.values()) {
      if (k.delivery().seq() > snapshotSeq) {
        newer.add(k);
      }
    }
    newer.sort(Comparator.comparingLong(k -> k.delivery().seq()));
    kept = null;
    return newer;
  }

  void close() {
    state = State.CLOSED;
    kept = null;
  }
}
