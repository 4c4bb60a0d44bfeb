package io.pricewire.offer;

/** Identity of an offer: one supplier's sku. */
public record OfferKey(String supplier, String sku) {

  @Override
  public String toString() {
    return supplier + ":" + sku;
  }
}
