package io.pricewire.feed;

import io.pricewire.offer.Field;
import io.pricewire.offer.OfferKey;
import java.util.EnumSet;
import java.util.Set;

/**
 * The newest not-yet-written state of one offer for one subscription. Later changes of the same
 * offer merge into it (conflation), so a subscription never holds more than one per offer. Its
 * {@link #place} says where it waits; only {@link Outbox} moves it (see {@code Outbox.place}).
 */
final class Pending {

  /**
   * Where the entry waits: held behind a snapshot being written, in a {@code max_rate} window,
   * in the outbox's normal or urgent queue, or written (or dropped). Queue references to an
   * entry in another place are stale and skipped.
   */
  enum Place { HELD, TIMED, NORMAL, URGENT, DONE }

  final Subscription sub;
  final OfferKey key;
  /** Seq of the oldest change merged in: what the client has not seen yet starts here. */
  final long firstSeq;
  private Delivery newest;
  private final EnumSet<Field> changed;
  /** True when {@link #changed} is not the newest change's own list, so its shared encoding cannot serve. */
  private boolean ownChanged;
  private boolean urgent;
  /**
   * False when the client does not hold the offer: it came into the interest with this entry, or
   * the client let go of it when it removed part of its interest.
   */
  private boolean clientHolds;
  /** The category of the state the client holds (the one before the first change merged in). */
  private final String heldCategory;
  /** With {@link Place#TIMED}: when the offer's {@code max_rate} window ends, in loop nanos. */
  long notBefore;
  Place place;

  /**
   * @param entering the change brings the offer into the subscription's interest: the client
   *     does not hold it, and every field it has is news
   */
  Pending(Subscription sub, Delivery first, boolean entering) {
    this.sub = sub;
    this.key = first.change().offer().key();
    this.firstSeq = first.seq();
    this.newest = first;
    this.clientHolds = !entering;
    String previous = first.change().previousCategory();
    this.heldCategory = previous != null ? previous : first.change().offer().category();
    if (entering) {
      this.changed = EnumSet.noneOf(Field.class);
      this.changed.addAll(first.change().offer().setFields());
      this.ownChanged = !changed.equals(first.change().changed());
    } else {
      this.changed = EnumSet.noneOf(Field.class);
      this.changed.addAll(first.change().changed());
    }
    this.urgent = first.change().availabilityChanged();
  }

  /**
   * Merges a newer change of the same offer.
   *
   * @param entering the change brings the offer back into the interest after an earlier change
   *     in this entry took it out: the client holds its state from before, and the changes it
   *     missed while the offer was outside are unknown here, so every field counts as changed
   */
  void merge(Delivery d, boolean entering) {
    newest = d;
    if (entering) {
      changed.addAll(EnumSet.allOf(Field.class));
    } else {
      changed.addAll(d.change().changed());
    }
    ownChanged = !changed.equals(d.change().changed());
    urgent |= d.change().availabilityChanged();
  }

  Delivery newest() {
    return newest;
  }

  long version() {
    return newest.change().offer().version();
  }

  Set<Field> changed() {
    return changed;
  }

  /** True when some change merged in changes availability: the entry overtakes price ticks. */
  boolean urgent() {
    return urgent;
  }

  boolean clientHolds() {
    return clientHolds;
  }

  String heldCategory() {
    return heldCategory;
  }

  /**
   * The client let go of the state it held (a remove left it outside the interest), but the
   * newest state is inside: it is news to the client in every field.
   */
  void clientLetGo() {
    clientHolds = false;
    changed.addAll(EnumSet.allOf(Field.class));
    ownChanged = true;
  }

  /** True when the newest change names exactly the fields to send, so its shared encoding serves. */
  boolean asChanged() {
    return !ownChanged;
  }
}
