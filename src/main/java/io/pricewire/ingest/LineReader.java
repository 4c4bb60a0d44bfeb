package io.pricewire.ingest;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a streamed body into lines with back-pressure and a line-length limit. Bytes are kept
 * only until their line is handed on, so memory does not grow with the body. A line longer than
 * the limit is not kept at all: it is skipped to its end and reported once as too long.
 */
final class LineReader {

  /** Receives lines in order; returns false to stop until {@link #resume()}. */
  interface Sink {
    boolean line(Buffer line, long lineNumber);

    boolean tooLong(long lineNumber);
  }

  private final int maxLineBytes;
  private final Sink sink;
  private Buffer pending = Buffer.buffer();
  private int start;
  private int scanFrom;
  private boolean skipping;
  private long lineNumber;
  private boolean paused;
  private boolean ended;

  LineReader(int maxLineBytes, Sink sink) {
    this.maxLineBytes = maxLineBytes;
    this.sink = sink;
  }

  /** Adds bytes; returns false when the sink asked to pause (the caller should pause its input). */
  boolean push(Buffer bytes) {
    if (skipping) {
      int nl = indexOf(bytes, 0);
      if (nl < 0) {
        return !paused;
      }
      bytes = bytes.getBuffer(nl, bytes.length());
      // The newline ending the skipped line is now the first byte; drain() closes that line.
    }
    compact();
    pending.appendBuffer(bytes);
    return drain();
  }

  /** Marks the end of input; any last line without a newline is handed on by the next drain. */
  boolean end() {
    ended = true;
    return drain();
  }

  boolean resume() {
    paused = false;
    return drain();
  }

  /** True when every byte has been handed on and input has ended. */
  boolean finished() {
    return ended && !paused && start >= pending.length() && !skipping;
  }

  private boolean drain() {
    while (!paused) {
      int nl = indexOf(pending, scanFrom);
      if (nl < 0) {
        int have = pending.length() - start;
        if (!skipping && have > maxLineBytes) {
          skipping = true;
          start = pending.length();
          scanFrom = start;
        } else {
          scanFrom = pending.length();
        }
        if (ended) {
          if (skipping) {
            skipping = false;
            paused = !sink.tooLong(++lineNumber);
          } else if (start < pending.length()) {
            Buffer last = pending.getBuffer(start, pending.length());
            start = pending.length();
            paused = !sink.line(last, ++lineNumber);
          }
        }
        return !paused;
      }
      lineNumber++;
      if (skipping) {
        skipping = false;
        start = nl + 1;
        scanFrom = start;
        paused = !sink.tooLong(lineNumber);
      } else if (nl - start > maxLineBytes) {
        start = nl + 1;
        scanFrom = start;
        paused = !sink.tooLong(lineNumber);
      } else {
        int end = nl > start && pending.getByte(nl - 1) == '\r' ? nl - 1 : nl;
        Buffer line = pending.getBuffer(start, end);
        start = nl + 1;
        scanFrom = start;
        paused = !sink.line(line, lineNumber);
      }
    }
    return false;
  }

  private void compact() {
    if (start > 0) {
      pending = start >= pending.length() ? Buffer.buffer() : pending.getBuffer(start, pending.length());
      scanFrom -= start;
      start = 0;
      if (scanFrom < 0) {
        scanFrom = 0;
      }
    }
  }

  private static int indexOf(Buffer b, int from) {
    int n = b.length();
    for (int i = from; i < n; i++) {
      if (b.getByte(i) == '\n') {
        return i;
      }
    }
    return -1;
  }
}
