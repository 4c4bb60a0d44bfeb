package io.pricewire.feed;

import io.pricewire.offer.Field;
import io.pricewire.offer.OfferKey;
import java.util.EnumSet;
import java.util.Set;

/**
 * The newest not-yet-written state of one offer for one subscription. Later changes of the same
 * offer merge into it (conflation), so a subscription never holds more than one per offer.
 */
final class Pending {

  /** Where the entry waits; queue references to an entry in another place are stale. */
  enum Place { HELD, TIMED, NORMAL, URGENT, DONE }

  final Subscription sub;
  final OfferKey key;
  /** Seq of the oldest change merged in: what the client has not seen yet starts here. */
  final long firstSeq;
  Delivery newest;
  final Set<Field> changed;
  boolean urgent;
  long notBefore;
  Place place;

  Pending(Subscription sub, OfferKey key, Delivery first, boolean urgent) {
    this.sub = sub;
    this.key = key;
    this.firstSeq = first.seq();
    this.newest = first;
    this.changed = EnumSet.copyOf(first.change().changed());
    this.urgent = urgent;
  }

  private boolean merged;

  void merge(Delivery d) {
    newest = d;
    changed.addAll(d.change().changed());
    merged = true;
  }

  /** True when the newest change names exactly the fields to send, so its shared encoding serves. */
  boolean asChanged() {
    return !merged || changed.equals(newest.change().changed());
  }
}
