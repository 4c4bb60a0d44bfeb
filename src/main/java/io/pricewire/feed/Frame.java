package io.pricewire.feed;

import java.nio.charset.StandardCharsets;

/**
 * One server frame, JSON as UTF-8: a part that many frames share (an update's body, the same for
 * every subscriber of the change), or none, followed by the bytes that are this frame's own (the
 * subscription id, or the whole of a frame made for one client). Transports that compress keep
 * the shared part's compressed forms with it ({@link SharedBytes}); the others write the bytes.
 */
final class Frame {

  private static final byte[] NONE = new byte[0];

  private final SharedBytes shared;
  private final byte[] own;

  private Frame(SharedBytes shared, byte[] own) {
    this.shared = shared;
    this.own = own;
  }

  /** A frame made for one client. */
  static Frame of(byte[] utf8) {
    return new Frame(null, utf8);
  }

  static Frame of(String json) {
    return of(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A shared part followed by this frame's own bytes. */
  static Frame of(SharedBytes shared, byte[] own) {
    return new Frame(shared, own == null ? NONE : own);
  }

  /** The shared part, or null. */
  SharedBytes shared() {
    return shared;
  }

  byte[] own() {
    return own;
  }

  int length() {
    return (shared == null ? 0 : shared.length()) + own.length;
  }

  /** The whole frame in one array. */
  byte[] bytes() {
    if (shared == null) {
      return own;
    }
    return FeedProtocol.concat(shared.utf8(), own);
  }

  /** The frame as text, for logs and tests. */
  @Override
  public String toString() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
