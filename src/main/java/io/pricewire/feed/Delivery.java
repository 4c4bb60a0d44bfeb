package io.pricewire.feed;

import io.pricewire.changelog.Change;
import java.nio.charset.StandardCharsets;

/**
 * A change on its way to subscribers, encoded once per node whatever their number: the shared
 * part of its {@code update} frame, as UTF-8 with its compressed forms ({@link SharedBytes}), and
 * (made when first needed) its entry in an {@code updates} frame. Lives on one hub's event loop.
 */
final class Delivery {

  private final Change change;
  /**
   * {@code {"type":"update","epoch":...,"seq":...,"offer":{...},"changed":[...],"id":}: an update
   * frame up to its subscription id, which comes last so that the shared part comes first.
   */
  private final SharedBytes body;
  /** Where {@code "offer"} starts in {@link #body}. */
  private final int itemStart;
  final long committedNanos;
  private byte[] item;

  Delivery(Change change, String epoch, long committedNanos) {
    this.change = change;
    String text = FeedProtocol.updateBody(epoch, change);
    this.body = new SharedBytes(text.getBytes(StandardCharsets.UTF_8));
    this.itemStart = FeedProtocol.offerStart(text);
    this.committedNanos = committedNanos;
  }

  Change change() {
    return change;
  }

  long seq() {
    return change.seq();
  }

  SharedBytes body() {
    return body;
  }

  /** {@code {"offer":{...},"changed":[...]}}, as in the list of an {@code updates} frame. */
  byte[] item() {
    if (item == null) {
      byte[] b = body.utf8();
      int end = b.length - FeedProtocol.ID_KEY.length;
      item = new byte[1 + end - itemStart + 1];
      item[0] = '{';
      System.arraycopy(b, itemStart, item, 1, end - itemStart);
      item[item.length - 1] = '}';
    }
    return item;
  }
}
