package io.pricewire.changelog;

import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.util.List;
import java.util.Map;

/**
 * What one commit must write, decided before anything is written.
 *
 * @param outcomes one per write, in the order given
 * @param changes the new change-log entries, seq-ordered
 * @param upserts the final state per touched offer (one row each, even when several writes in
 *     the batch touched it)
 * @param head the change log's last seq after this commit
 */
public record Decision(List<ItemOutcome> outcomes, List<Change> changes, Map<OfferKey, Offer> upserts, long head) {
}
