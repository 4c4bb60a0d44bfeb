package io.pricewire.feed;

/**
 * Bytes that begin the frames of many connections (an update's body), with their compressed
 * forms, each made once on the hub's loop for all the connections that can use it.
 *
 * <p>A compressed form depends on what the client's decompressor holds in its window before the
 * frame ({@link Deflation.Window}) and on how many bytes of its own the connection wrote since.
 * Connections that received the same frames are at the same window, so in a fan-out nearly all
 * of them share one form. The forms are bounded: past {@link #MAX_FORMS}, a connection gets the
 * form compressed without a dictionary, which every client can decode.
 */
final class SharedBytes {

  /** Distinct windows a change is compressed for, beyond the form without a dictionary. */
  static final int MAX_FORMS = 8;

  private final byte[] utf8;
  private Deflation.Form fresh;
  private Deflation.Window[] windows;
  private int[] gaps;
  private Deflation.Form[] forms;
  private int count;

  SharedBytes(byte[] utf8) {
    this.utf8 = utf8;
  }

  byte[] utf8() {
    return utf8;
  }

  int length() {
    return utf8.length;
  }

  /**
   * The compressed form for a client whose window is {@code window} followed by {@code gap} bytes
   * the gateway does not track (a connection's own).
   */
  Deflation.Form form(Deflation deflation, Deflation.Window window, int gap) {
    if (window == Deflation.Window.EMPTY || gap >= Deflation.WINDOW_BYTES) {
      return fresh(deflation);
    }
    for (int i = 0; i < count; i++) {
      if (windows[i] == window && gaps[i] == gap) {
        return forms[i];
      }
    }
    if (count == MAX_FORMS) {
      return fresh(deflation);
    }
    if (windows == null) {
      windows = new Deflation.Window[2];
      gaps = new int[2];
      forms = new Deflation.Form[2];
    } else if (count == windows.length) {
      windows = java.util.Arrays.copyOf(windows, count * 2);
      gaps = java.util.Arrays.copyOf(gaps, count * 2);
      forms = java.util.Arrays.copyOf(forms, count * 2);
    }
    Deflation.Form form = deflation.compress(utf8, window, gap);
    windows[count] = window;
    gaps[count] = gap;
    forms[count] = form;
    count++;
    return form;
  }

  /** Forms made so far, the one without a dictionary included: for tests and benchmarks. */
  int forms() {
    return count + (fresh == null ? 0 : 1);
  }

  private Deflation.Form fresh(Deflation deflation) {
    if (fresh == null) {
      fresh = deflation.compress(utf8, Deflation.Window.EMPTY, 0);
    }
    return fresh;
  }
}
