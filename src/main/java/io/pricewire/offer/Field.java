package io.pricewire.offer;

/** The writable parts of an offer's state, with their wire names (Merchant Center's). */
public enum Field {
  PRICE("price"),
  SALE_PRICE("sale_price"),
  AVAILABILITY("availability"),
  QUANTITY("quantity"),
  TITLE("title"),
  CATEGORY("category"),
  BRAND("brand"),
  GTIN("gtin"),
  TAX_CLASS("tax_class");

  private final String wireName;

  Field(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Field fromWireName(String name) {
    for (Field f : values()) {
      if (f.wireName.equals(name)) {
        return f;
      }
    }
    return null;
  }
}
