package io.pricewire.store;

import io.pricewire.offer.Offer;
import java.util.List;

/**
 * Offers as of log position {@code seq} of log {@code epoch}: every change up to and including
 * seq is reflected, none after it. Offers are ordered by their seq.
 */
public record Snapshot(String epoch, long seq, List<Offer> offers) {
}
