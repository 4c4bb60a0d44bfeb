package io.pricewire.offer;

/** GTIN-8, -12 (UPC), -13 (EAN) and -14, checked with the GS1 mod-10 check digit. */
public final class Gtin {

  private Gtin() {
  }

  /** @return null when valid, else why not */
  public static String problem(String gtin) {
    int n = gtin.length();
    if (n != 8 && n != 12 && n != 13 && n != 14) {
      return "a GTIN has 8, 12, 13 or 14 digits, got " + n + " characters";
    }
    int sum = 0;
    for (int i = 0; i < n; i++) {
      char c = gtin.charAt(i);
      if (c < '0' || c > '9') {
        return "a GTIN has digits only";
      }
      if (i < n - 1) {
        int digit = c - '0';
        // Weights alternate 3,1,3,... counting from the digit left of the check digit.
        sum += ((n - 1 - i) % 2 == 1) ? digit * 3 : digit;
      }
    }
    int check = (10 - sum % 10) % 10;
    int given = gtin.charAt(n - 1) - '0';
    return check == given ? null : "check digit is " + given + " but should be " + check;
  }
}
