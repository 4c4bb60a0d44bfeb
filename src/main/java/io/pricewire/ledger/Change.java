package io.pricewire.ledger;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
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

  /** True when the change sells out, restocks or otherwise changes availability. */
  public boolean availabilityChanged() {
    return changed.contains(Field.AVAILABILITY);
  }
}
