package io.pricewire.changelog;

import io.pricewire.offer.FieldError;
import java.util.List;

/**
 * The ledger's answer for one write.
 *
 * @param version the offer's version after the write (null when the offer does not exist)
 * @param seq the change's seq, for applied writes only
 */
public record ItemOutcome(ItemStatus status, Long version, Long seq, List<FieldError> errors) {

  public static ItemOutcome applied(long version, long seq) {
    return new ItemOutcome(ItemStatus.APPLIED, version, seq, List.of());
  }

  public static ItemOutcome unchanged(long version) {
    return new ItemOutcome(ItemStatus.UNCHANGED, version, null, List.of());
  }

  public static ItemOutcome stale(long version) {
    return new ItemOutcome(ItemStatus.STALE, version, null, List.of());
  }

  public static ItemOutcome rejected(Long version, List<FieldError> errors) {
    return new ItemOutcome(ItemStatus.REJECTED, version, null, List.copyOf(errors));
  }
}
