package io.pricewire.auth;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a storefront token lets its holder see: all suppliers, or the listed ones; in every
 * market, or the listed ones.
 *
 * @param markets the market ids the holder may use; null for every market
 * @param expiresAt when the token stops being valid; null for never
 */
public record Scope(boolean allSuppliers, Set<String> suppliers, Set<String> markets, Instant expiresAt) {

  /** Authentication is off: everything is visible. */
  public static final Scope EVERYTHING = new Scope(true, Set.of(), null, null);

  public Scope {
    suppliers = Set.copyOf(suppliers);
    markets = markets == null ? null : Set.copyOf(markets);
  }

  public boolean allowsMarket(String market) {
    return markets == null || markets.contains(market);
  }

  public boolean allows(String supplier) {
    return allSuppliers || suppliers.contains(supplier);
  }

  /** The suppliers among these that the scope does not allow, sorted. */
  public Set<String> outside(Iterable<String> wanted) {
    Set<String> out = new TreeSet<>();
    if (!allSuppliers) {
      for (String s : wanted) {
        if (!suppliers.contains(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
