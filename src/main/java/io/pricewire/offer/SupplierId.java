package io.pricewire.offer;

import java.util.regex.Pattern;

/** Supplier identifiers: lower-case letters, digits, '.', '_' and '-', 1 to 64 characters. */
public final class SupplierId {

  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  public static final String RULE = "1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";

  private SupplierId() {
  }

  public static boolean valid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
