package io.pricewire.bench;

import io.vertx.core.buffer.Buffer;

/** Finds the {@code t=<micros>} send stamps in received bytes, without decoding them. */
final class Stamps {

  private Stamps() {
  }

  /**
   * Calls {@code sink} with each stamp found in the buffer. Copies it to an array first: a
   * decompressed message is a composite buffer, where reading byte by byte costs more than the
   * whole client does otherwise.
   */
  static void scan(Buffer buffer, java.util.function.LongConsumer sink) {
    scan(buffer.getBytes(), sink);
  }

  /** The same over bytes already copied out, for a caller that reads them for more than stamps. */
  static void scan(byte[] data, java.util.function.LongConsumer sink) {
    int n = data.length;
    for (int i = 0; i + 2 < n; i++) {
      if (data[i] == 't' && data[i + 1] == '=') {
        long v = 0;
        int j = i + 2;
        byte b;
        while (j < n && (b = data[j]) >= '0' && b <= '9') {
          v = v * 10 + (b - '0');
          j++;
        }
        if (j > i + 2) {
          sink.accept(v);
        }
        i = j;
      }
    }
  }

  static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }
}
