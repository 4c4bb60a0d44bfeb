package io.pricewire.changelog;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One committed new offer state.
 *
 * @param changed the fields whose value differs from the previous state (all set fields for a
 *     new offer)
 * @param previousCategory the category before this change when it moved, so subscribers of the
 *     old category see the offer leave; otherwise null
 * @param previousAvailability availability before this change (null for a new offer)
 * @param receivedNanos when the gateway received the write, in this process's monotonic nanos
 */
public record Change(long seq, Offer offer, Set<Field> changed, String previousCategory,
    Availability previousAvailability, long receivedNanos) {

  /**
   * Changes travel by reference between event loops (the local codec copies nothing), so the
   * fields it lists are an unmodifiable copy, in the fields' order.
   */
  public Change {
    changed = changed.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(changed));
  }

  /** True when the change sells out, restocks or otherwise changes availability. */
  public boolean availabilityChanged() {
    return changed.contains(Field.AVAILABILITY);
  }
}
