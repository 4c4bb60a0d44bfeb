package io.pricewire.feed;

import io.pricewire.changelog.Change;
import java.nio.charset.StandardCharsets;

/**
 * A change on its way to subscribers, encoded once per node whatever their number: the shared
 * part of its {@code update} frame as UTF-8, and (made when first needed) its entry in an
 * {@code updates} frame. Lives on one hub's event loop.
 */
final class Delivery {

  private final Change change;
  /** {@code "epoch":...,"seq":...,"offer":{...},"changed":[...]}}: an update frame after its head. */
  private final byte[] tail;
  /** Where {@code "offer"} starts in {@link #tail}. */
  private final int itemStart;
  final long committedNanos;
  private byte[] item;

  Delivery(Change change, String epoch, long committedNanos) {
    this.change = change;
    String tailText = FeedProtocol.updateTail(epoch, change);
    this.tail = tailText.getBytes(StandardCharsets.UTF_8);
    this.itemStart = FeedProtocol.offerStart(tailText);
    this.committedNanos = committedNanos;
  }

  Change change() {
    return change;
  }

  long seq() {
    return change.seq();
  }

  byte[] tail() {
    return tail;
  }

  /** {@code {"offer":{...},"changed":[...]}}, as in the list of an {@code updates} frame. */
  byte[] item() {
    if (item == null) {
      item = new byte[1 + tail.length - itemStart];
      item[0] = '{';
      System.arraycopy(tail, itemStart, item, 1, tail.length - itemStart);
    }
    return item;
  }
}
