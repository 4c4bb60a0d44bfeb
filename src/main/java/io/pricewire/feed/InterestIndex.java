package io.pricewire.feed;

import io.pricewire.changelog.Change;
import io.pricewire.offer.Interest;
import io.pricewire.offer.OfferKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which subscriptions of one event loop want a change: offer, supplier and category to
 * subscriptions. A change is looked up by its offer, its supplier, its category and the category
 * it left, and each subscription gets it once however many of these name it.
 */
final class InterestIndex {

  private final Map<OfferKey, Set<Subscription>> bySku = new HashMap<>();
  private final Map<String, Set<Subscription>> bySupplier = new HashMap<>();
  private final Map<String, Set<Subscription>> byCategory = new HashMap<>();

  /** Adds entries; returns how many (supplier, sku, category) entries the interest has. */
  int add(Subscription sub, Interest interest) {
    for (OfferKey k : interest.skus()) {
      bySku.computeIfAbsent(k, x -> new HashSet<>(2)).add(sub);
    }
    for (String s : interest.suppliers()) {
      bySupplier.computeIfAbsent(s, x -> new HashSet<>()).add(sub);
    }
    for (String c : interest.categories()) {
      byCategory.computeIfAbsent(c, x -> new HashSet<>()).add(sub);
    }
    return interest.size();
  }

  /** Removes entries; returns how many were there. */
  int remove(Subscription sub, Interest interest) {
    int removed = 0;
    for (OfferKey k : interest.skus()) {
      removed += removeFrom(bySku, k, sub);
    }
    for (String s : interest.suppliers()) {
      removed += removeFrom(bySupplier, s, sub);
    }
    for (String c : interest.categories()) {
      removed += removeFrom(byCategory, c, sub);
    }
    return removed;
  }

  private static <K> int removeFrom(Map<K, Set<Subscription>> map, K key, Subscription sub) {
    Set<Subscription> subs = map.get(key);
    if (subs == null || !subs.remove(sub)) {
      return 0;
    }
    if (subs.isEmpty()) {
      map.remove(key);
    }
    return 1;
  }

  /** Calls {@code visitor} once for each subscription the change concerns. */
  void match(Change change, Consumer<Subscription> visitor) {
    long stamp = change.seq();
    OfferKey key = change.offer().key();
    visit(bySku.get(key), stamp, visitor);
    visit(bySupplier.get(key.supplier()), stamp, visitor);
    if (change.offer().category() != null) {
      visit(byCategory.get(change.offer().category()), stamp, visitor);
    }
    if (change.previousCategory() != null) {
      visit(byCategory.get(change.previousCategory()), stamp, visitor);
    }
  }

  private static void visit(Set<Subscription> subs, long stamp, Consumer<Subscription> visitor) {
    if (subs == null) {
      return;
    }
    for (Subscription sub : subs) {
      if (sub.firstMatch(stamp)) {
        visitor.accept(sub);
      }
    }
  }
}
