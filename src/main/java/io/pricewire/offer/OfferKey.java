package io.pricewire.offer;

/** Identity of an offer: one supplier's sku. */
public record OfferKey(String supplier, String sku) {

  /**
   * Written out, for two reasons: the generated one goes through a method handle, and it is
   * {@code 31 * supplier + sku}, which collides all the time for keys such as (acme-1, o130) and
   * (acme-2, o1). The large odd multiplier spreads the sku's hash over the whole int range.
   */
  @Override
  public int hashCode() {
    return sku.hashCode() * 0x9E3779B9 + supplier.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof OfferKey k && supplier.equals(k.supplier) && sku.equals(k.sku));
  }

  @Override
  public String toString() {
    return supplier + ":" + sku;
  }
}
