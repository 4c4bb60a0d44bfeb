package io.pricewire.offer;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The committed state of one offer.
 *
 * @param version grows with every accepted write of this offer
 * @param seq position in the change log of the last change to this offer
 * @param titles locale tag to title, sorted by tag; empty when none
 * @param committedAt when the gateway committed the last change
 */
public record Offer(
    OfferKey key,
    long version,
    long seq,
    Money price,
    Money salePrice,
    Availability availability,
    Long quantity,
    SortedMap<String, String> titles,
    String category,
    String brand,
    String gtin,
    String taxClass,
    Instant committedAt) {

  public Offer {
    Objects.requireNonNull(key);
    titles = titles == null || titles.isEmpty() ? Collections.emptySortedMap()
        : Collections.unmodifiableSortedMap(new TreeMap<>(titles));
  }

  public String supplier() {
    return key.supplier();
  }

  public String sku() {
    return key.sku();
  }

  /** True when the sellable content is the same, whatever the version, seq and time. */
  public boolean sameContent(Offer o) {
    return Objects.equals(price, o.price)
        && Objects.equals(salePrice, o.salePrice)
        && availability == o.availability
        && Objects.equals(quantity, o.quantity)
        && titles.equals(o.titles)
        && Objects.equals(category, o.category)
        && Objects.equals(brand, o.brand)
        && Objects.equals(gtin, o.gtin)
        && Objects.equals(taxClass, o.taxClass);
  }

  /** The fields this state has a value for: what {@code changed} lists for an offer new to its reader. */
  public java.util.Set<Field> setFields() {
    java.util.Set<Field> set = java.util.EnumSet.of(Field.PRICE, Field.AVAILABILITY);
    if (salePrice != null) {
      set.add(Field.SALE_PRICE);
    }
    if (quantity != null) {
      set.add(Field.QUANTITY);
    }
    if (!titles.isEmpty()) {
      set.add(Field.TITLE);
    }
    if (category != null) {
      set.add(Field.CATEGORY);
    }
    if (brand != null) {
      set.add(Field.BRAND);
    }
    if (gtin != null) {
      set.add(Field.GTIN);
    }
    if (taxClass != null) {
      set.add(Field.TAX_CLASS);
    }
    return set;
  }

  public Offer withVersion(long newVersion) {
    return new Offer(key, newVersion, seq, price, salePrice, availability, quantity, titles, category, brand, gtin,
        taxClass, committedAt);
  }

  public Offer committed(long newSeq, Instant at) {
    return new Offer(key, version, newSeq, price, salePrice, availability, quantity, titles, category, brand, gtin,
        taxClass, at);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("supplier", key.supplier())
        .put("sku", key.sku())
        .put("version", version)
        .put("seq", seq);
    if (price != null) {
      json.put("price", price.toJson());
    }
    if (salePrice != null) {
      json.put("sale_price", salePrice.toJson());
    }
    if (availability != null) {
      json.put("availability", availability.wireName());
    }
    if (quantity != null) {
      json.put("quantity", quantity);
    }
    if (!titles.isEmpty()) {
      json.put("title", new JsonObject(Map.copyOf(titles)));
    }
    putIfSet(json, "category", category);
    putIfSet(json, "brand", brand);
    putIfSet(json, "gtin", gtin);
    putIfSet(json, "tax_class", taxClass);
    if (committedAt != null) {
      json.put("committed_at", committedAt.toString());
    }
    return json;
  }

  /** Reads what {@link #toJson()} wrote; for trusted input only (the event bus, the watch client). */
  public static Offer fromJson(JsonObject json) {
    try {
      JsonObject price = json.getJsonObject("price");
      JsonObject sale = json.getJsonObject("sale_price");
      String availability = json.getString("availability");
      JsonObject title = json.getJsonObject("title");
      SortedMap<String, String> titles = new TreeMap<>();
      if (title != null) {
        title.forEach(e -> titles.put(e.getKey(), String.valueOf(e.getValue())));
      }
      String committed = json.getString("committed_at");
      return new Offer(
          new OfferKey(json.getString("supplier"), json.getString("sku")),
          json.getLong("version"),
          json.getLong("seq", 0L),
          price == null ? null : Money.fromJson(price),
          sale == null ? null : Money.fromJson(sale),
          availability == null ? null : Availability.parse(availability),
          json.getLong("quantity"),
          titles,
          json.getString("category"),
          json.getString("brand"),
          json.getString("gtin"),
          json.getString("tax_class"),
          committed == null ? null : Instant.parse(committed));
    } catch (Money.Invalid e) {
      throw new IllegalArgumentException("offer JSON holds an invalid price: " + e.getMessage(), e);
    }
  }

  private static void putIfSet(JsonObject json, String name, String value) {
    if (value != null) {
      json.put(name, value);
    }
  }
}
