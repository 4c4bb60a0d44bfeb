package io.pricewire.changelog;

import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferWrite;

/**
 * A write as the ledger receives it: whose offer, what to change, and when the gateway received
 * it (monotonic nanos, for the ingest-to-client freshness figure).
 */
public record LedgerWrite(String supplier, OfferWrite write, long receivedNanos) {

  public OfferKey key() {
    return new OfferKey(supplier, write.sku());
  }
}
