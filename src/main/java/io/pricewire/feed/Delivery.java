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
  private SharedBytes itemThenComma;
  private SharedBytes itemThenEnd;

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

  /**
   * {@code {"offer":{...},"changed":[...]}} as an entry of an {@code updates} list, followed by
   * what comes after it: a comma, or (for the last entry) the end of the list and the frame.
   * Made when first needed, then shared like the body.
   */
  SharedBytes item(boolean last) {
    if (last ? itemThenEnd == null : itemThenComma == null) {
      byte[] after = last ? FeedProtocol.UPDATES_END : FeedProtocol.COMMA;
      byte[] b = body.utf8();
      int end = b.length - FeedProtocol.ID_KEY.length;
      byte[] item = new byte[1 + end - itemStart + 1 + after.length];
      item[0] = '{';
      System.arraycopy(b, itemStart, item, 1, end - itemStart);
      item[1 + end - itemStart] = '}';
      System.arraycopy(after, 0, item, 2 + end - itemStart, after.length);
      if (last) {
        itemThenEnd = new SharedBytes(item);
      } else {
        itemThenComma = new SharedBytes(item);
      }
    }
    return last ? itemThenEnd : itemThenComma;
  }
}
