package io.pricewire.store;

import io.pricewire.offer.Offer;
import java.util.List;

/**
 * Offers as of log position {@code seq} of log {@code epoch}: every change up to and including
 * seq is reflected, none after it. Offers are ordered by their seq.
 *
 * @param full true when changes after a seq were asked for but the store could no longer tell
 *     them exactly (its record of category moves did not reach back that far), so the offers are
 *     the whole interest instead: the client must replace what it holds, as after a new log
 */
public record Snapshot(String epoch, long seq, List<Offer> offers, boolean full) {

  /** A snapshot that answers exactly what was asked. */
  public Snapshot(String epoch, long seq, List<Offer> offers) {
    this(epoch, seq, offers, false);
  }
}
