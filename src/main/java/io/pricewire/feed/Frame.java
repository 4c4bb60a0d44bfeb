package io.pricewire.feed;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One server frame, JSON as UTF-8, as the parts it is made of: parts that many frames share (an
 * update's body, an entry of an {@code updates} list: the same bytes for every subscriber of the
 * change) and bytes that are this frame's own (a subscription id, a seq, a frame made for one
 * client). Transports that compress keep the shared parts' compressed forms with them
 * ({@link SharedBytes}); the others write the bytes.
 */
final class Frame {

  /** {@link SharedBytes} and {@code byte[]}, in order. */
  private final Object[] parts;
  private final int length;

  private Frame(Object[] parts, int length) {
    this.parts = parts;
    this.length = length;
  }

  /** A frame made for one client. */
  static Frame of(byte[] utf8) {
    return new Frame(new Object[] {utf8}, utf8.length);
  }

  static Frame of(String json) {
    return of(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A shared part followed by this frame's own bytes. */
  static Frame of(SharedBytes shared, byte[] own) {
    return new Builder(2).add(shared).add(own).build();
  }

  /** Puts a frame together, part by part. */
  static final class Builder {
    private Object[] parts;
    private int count;
    private int length;

    Builder(int expectedParts) {
      parts = new Object[Math.max(1, expectedParts)];
    }

    Builder add(SharedBytes shared) {
      return put(shared, shared.length());
    }

    Builder add(byte[] own) {
      return own.length == 0 ? this : put(own, own.length);
    }

    private Builder put(Object part, int bytes) {
      if (count == parts.length) {
        parts = Arrays.copyOf(parts, count * 2);
      }
      parts[count++] = part;
      length += bytes;
      return this;
    }

    Frame build() {
      return new Frame(count == parts.length ? parts : Arrays.copyOf(parts, count), length);
    }
  }

  /** How many parts. */
  int parts() {
    return parts.length;
  }

  /** Part i: a {@link SharedBytes} or this frame's own {@code byte[]}. */
  Object part(int i) {
    return parts[i];
  }

  /** The bytes of part i. */
  byte[] bytes(int i) {
    return parts[i] instanceof SharedBytes s ? s.utf8() : (byte[]) parts[i];
  }

  int length() {
    return length;
  }

  /** The whole frame in one array. */
  byte[] bytes() {
    if (parts.length == 1) {
      return bytes(0);
    }
    byte[] all = new byte[length];
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      byte[] b = bytes(i);
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    return all;
  }

  /** The frame as text, for logs and tests. */
  @Override
  public String toString() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
