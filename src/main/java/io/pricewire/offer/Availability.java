package io.pricewire.offer;

import java.util.Locale;

/** Merchant Center's availability values. */
public enum Availability {
  IN_STOCK("in_stock"),
  OUT_OF_STOCK("out_of_stock"),
  PREORDER("preorder"),
  BACKORDER("backorder"),
  LIMITED_AVAILABILITY("limited_availability");

  private final String wireName;

  Availability(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * Reads a wire value. Merchant Center's older spelling with spaces ("in stock") is accepted
   * too, because feed files still carry it.
   *
   * @return the value, or null when the text names none
   */
  public static Availability parse(String text) {
    String normal = text.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
    for (Availability a : values()) {
      if (a.wireName.equals(normal)) {
        return a;
      }
    }
    return null;
  }

  public static String allowed() {
    StringBuilder sb = new StringBuilder();
    for (Availability a : values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(a.wireName);
    }
    return sb.toString();
  }
}
