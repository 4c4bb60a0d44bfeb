package io.pricewire.feed;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) for the feed, with the compression of shared parts made once for
 * many connections instead of once per connection. One per event loop: it owns a deflater that
 * only that loop uses.
 *
 * <p>Why it is correct. A browser's decompressor keeps the last 32 KiB of what it decompressed on
 * the connection (context takeover, which browsers always allow), and a compressed message may
 * refer back into it. The gateway knows that window for each connection ({@link Stream}), except
 * for the bytes that were the connection's own (subscription ids, frames made for it alone). A
 * shared part is compressed with a preset dictionary equal to the end of that window, in which
 * every own byte stands as a zero byte: zero never occurs in JSON text, so the compressor never
 * refers to one, and every reference it makes lands on bytes the client holds at that distance.
 * Connections that were sent the same shared parts with the same own lengths between them are at
 * the same {@link Window} (the same object), so they share the compressed bytes. A client that
 * asked for {@code server_no_context_takeover} starts each message with an empty window: its
 * stream stays at {@link Window#EMPTY}, and the form without a dictionary is used.
 *
 * <p>How a message is laid out. Each part ends on a byte boundary: a shared part as deflate
 * blocks closed by a sync flush (an empty stored block, {@code 00 00 ff ff}), own bytes as a
 * stored block when short, else deflated alone. The message then drops the final
 * {@code 00 00 ff ff}, which the client puts back (RFC 7692, 7.2.1); after a stored block, it ends
 * with the first byte of an empty stored block instead, so that what the client puts back
 * completes it.
 */
final class Deflation {

  /** How much of the client's window a shared part may refer to. */
  static final int WINDOW_BYTES = 8192;
  /** Own bytes up to this length go in a stored block: too short to gain from deflate. */
  static final int STORED_MAX = 128;

  private static final byte[] EMPTY_BYTES = new byte[0];

  private final Deflater deflater;
  private byte[] out = new byte[8192];

  Deflation(int level) {
    this.deflater = new Deflater(level, true);
  }

  /**
   * The end of a client's decompression window as far as the gateway knows it: at most
   * {@link #WINDOW_BYTES}, own bytes as zeros. Immutable, and shared by the connections at it.
   */
  static final class Window {

    static final Window EMPTY = new Window(EMPTY_BYTES);

    private final byte[] last;

    private Window(byte[] last) {
      this.last = last;
    }
  }

  /** A shared part compressed for one window: its deflate blocks, and the window after it. */
  record Form(byte[] deflated, Window next) {
  }

  /** One connection's compression state: where its client's window stands. */
  static final class Stream {

    private final boolean keepsContext;
    private Window window = Window.EMPTY;
    /** Own bytes sent since {@link #window} was last known. */
    private int gap;

    /** @param keepsContext false when the client asked for server_no_context_takeover */
    Stream(boolean keepsContext) {
      this.keepsContext = keepsContext;
    }
  }

  /** The payload of a compressed message (RSV1 set) that carries this frame on this stream. */
  byte[] message(Frame frame, Stream stream) {
    byte[][] blocks = new byte[frame.parts()][];
    int length = 0;
    boolean endsWithMarker = false;
    for (int i = 0; i < blocks.length; i++) {
      if (frame.part(i) instanceof SharedBytes shared) {
        Form form = shared.form(this, stream.keepsContext ? stream.window : Window.EMPTY, stream.gap);
        blocks[i] = form.deflated();
        endsWithMarker = true;
        if (stream.keepsContext) {
          stream.window = form.next();
          stream.gap = 0;
        }
      } else {
        byte[] own = (byte[]) frame.part(i);
        endsWithMarker = own.length > STORED_MAX;
        blocks[i] = endsWithMarker ? deflate(own, null, 0) : stored(own);
        if (stream.keepsContext) {
          stream.gap = (int) Math.min(WINDOW_BYTES, (long) stream.gap + own.length);
        }
      }
      length += blocks[i].length;
    }
    // Drop the last sync marker, which the client puts back; after a stored block, begin an
    // empty one, which what the client puts back completes.
    byte[] m = new byte[endsWithMarker ? length - 4 : length + 1];
    int at = 0;
    for (byte[] b : blocks) {
      int n = Math.min(b.length, m.length - at);
      System.arraycopy(b, 0, m, at, n);
      at += n;
    }
    return m;
  }

  /** Compresses a shared part for a client at {@code window} followed by {@code gap} unknown bytes. */
  Form compress(byte[] part, Window window, int gap) {
    int known = Math.max(0, Math.min(window.last.length, WINDOW_BYTES - gap));
    int dictLength = known == 0 ? 0 : known + gap;
    byte[] dict = new byte[dictLength];
    if (known > 0) {
      System.arraycopy(window.last, window.last.length - known, dict, 0, known);
    }
    byte[] deflated = deflate(part, dict, dictLength);
    int keep = Math.min(WINDOW_BYTES, dictLength + part.length);
    byte[] next = new byte[keep];
    int fromDict = keep - part.length;
    if (fromDict > 0) {
      System.arraycopy(dict, dictLength - fromDict, next, 0, fromDict);
      System.arraycopy(part, 0, next, fromDict, part.length);
    } else {
      System.arraycopy(part, part.length - keep, next, 0, keep);
    }
    return new Form(deflated, new Window(next));
  }

  /** Raw deflate of the input, closed by a sync flush, with a preset dictionary when given. */
  private byte[] deflate(byte[] input, byte[] dict, int dictLength) {
    deflater.reset();
    if (dictLength > 0) {
      deflater.setDictionary(dict, 0, dictLength);
    }
    deflater.setInput(input);
    int n = 0;
    while (true) {
      n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
      if (n < out.length) {
        break;
      }
      out = Arrays.copyOf(out, out.length * 2);
    }
    return Arrays.copyOf(out, n);
  }

  /** A stored block holding the bytes (BFINAL 0); they are at most {@link #STORED_MAX}, under its limit. */
  private static byte[] stored(byte[] bytes) {
    int n = bytes.length;
    byte[] b = new byte[5 + n];
    b[1] = (byte) n;
    b[2] = (byte) (n >>> 8);
    b[3] = (byte) ~n;
    b[4] = (byte) (~n >>> 8);
    System.arraycopy(bytes, 0, b, 5, n);
    return b;
  }

  /** Frees the deflater's native memory. */
  void end() {
    deflater.end();
  }
}
