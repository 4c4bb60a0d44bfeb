package io.pricewire.bench;

/**
 * Finds each offer's {@code "sku":"o<n>","version":<v>} in received bytes (snapshot, update and
 * updates frames alike, as the gateway writes an offer: supplier, sku, version first), without
 * decoding the JSON: the load generator reads every message of every subscriber, and a JSON
 * parse per message would cost it more than the subscriber does otherwise. Only the bench's
 * own skus, {@code o} and a number, are reported.
 */
final class OfferVersions {

  /** Receives offer number n at version v. */
  @FunctionalInterface
  interface Sink {
    void accept(int offer, long version);
  }

  private static final byte[] SKU = "\"sku\":\"o".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] VERSION = "\",\"version\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private OfferVersions() {
  }

  static void scan(byte[] data, Sink sink) {
    int n = data.length;
    int i = 0;
    while ((i = indexOf(data, SKU, i)) >= 0) {
      int j = i + SKU.length;
      int offer = 0;
      int digits = 0;
      while (j < n && data[j] >= '0' && data[j] <= '9' && digits < 9) {
        offer = offer * 10 + (data[j] - '0');
        j++;
        digits++;
      }
      i = j;
      if (digits == 0 || !at(data, VERSION, j)) {
        continue;
      }
      j += VERSION.length;
      long version = 0;
      int start = j;
      while (j < n && data[j] >= '0' && data[j] <= '9') {
        version = version * 10 + (data[j] - '0');
        j++;
      }
      if (j > start) {
        sink.accept(offer, version);
      }
      i = j;
    }
  }

  private static int indexOf(byte[] data, byte[] needle, int from) {
    byte first = needle[0];
    for (int i = from, last = data.length - needle.length; i <= last; i++) {
      if (data[i] == first && at(data, needle, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean at(byte[] data, byte[] needle, int i) {
    if (i + needle.length > data.length) {
      return false;
    }
    for (int k = 0; k < needle.length; k++) {
      if (data[i + k] != needle[k]) {
        return false;
      }
    }
    return true;
  }
}
