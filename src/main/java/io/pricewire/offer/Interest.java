package io.pricewire.offer;

import java.util.HashSet;
import java.util.Set;

/**
 * What a subscription covers: listed offers, whole suppliers and categories. An offer is in the
 * interest when any of the three names it.
 */
public record Interest(Set<OfferKey> skus, Set<String> suppliers, Set<String> categories) {

  public Interest {
    skus = Set.copyOf(skus);
    suppliers = Set.copyOf(suppliers);
    categories = Set.copyOf(categories);
  }

  public boolean isEmpty() {
    return skus.isEmpty() && suppliers.isEmpty() && categories.isEmpty();
  }

  /** Number of index entries the interest takes: what limits count. */
  public int size() {
    return skus.size() + suppliers.size() + categories.size();
  }

  public boolean matches(Offer offer) {
    return suppliers.contains(offer.supplier())
        || skus.contains(offer.key())
        || (offer.category() != null && categories.contains(offer.category()));
  }

  /** This interest with another's entries added. */
  public Interest plus(Interest other) {
    Set<OfferKey> k = new HashSet<>(skus);
    k.addAll(other.skus);
    Set<String> s = new HashSet<>(suppliers);
    s.addAll(other.suppliers);
    Set<String> c = new HashSet<>(categories);
    c.addAll(other.categories);
    return new Interest(k, s, c);
  }

  /** This interest without another's entries. */
  public Interest minus(Interest other) {
    Set<OfferKey> k = new HashSet<>(skus);
    k.removeAll(other.skus);
    Set<String> s = new HashSet<>(suppliers);
    s.removeAll(other.suppliers);
    Set<String> c = new HashSet<>(categories);
    c.removeAll(other.categories);
    return new Interest(k, s, c);
  }
}
