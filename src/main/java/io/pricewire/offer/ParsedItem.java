package io.pricewire.offer;

import java.util.List;

/**
 * The outcome of reading one item: a write, or the reasons it was refused.
 *
 * @param sku the sku as far as it could be read (may be null), so answers can name the item
 */
public record ParsedItem(String sku, OfferWrite write, List<FieldError> errors) {

  public static ParsedItem ok(OfferWrite write) {
    return new ParsedItem(write.sku(), write, List.of());
  }

  public static ParsedItem rejected(String sku, List<FieldError> errors) {
    return new ParsedItem(sku, null, List.copyOf(errors));
  }

  public static ParsedItem rejected(String sku, FieldError error) {
    return new ParsedItem(sku, null, List.of(error));
  }

  public boolean accepted() {
    return write != null;
  }
}
