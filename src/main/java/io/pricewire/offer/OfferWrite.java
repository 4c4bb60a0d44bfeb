package io.pricewire.offer;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One validated write of one offer. Only the fields in {@link #fields()} change; a field listed
 * there with a null value is cleared. Titles merge per locale; a null title removes that locale.
 *
 * @param version the version the supplier gave (directly or as {@code updated_at}); null when the
 *     ledger assigns the next one
 */
public record OfferWrite(
    String sku,
    Set<Field> fields,
    Money price,
    Money salePrice,
    Availability availability,
    Long quantity,
    Map<String, String> titles,
    String category,
    String brand,
    String gtin,
    String taxClass,
    Long version) {

  public OfferWrite {
    fields = fields.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(fields));
    titles = titles == null ? Map.of() : Collections.unmodifiableMap(titles);
  }

  public boolean has(Field f) {
    return fields.contains(f);
  }
}
