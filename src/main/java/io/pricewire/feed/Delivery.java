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
  /** Committed by another node of the cluster. */
  final boolean fromPeer;
  private byte[] item;
  /** The seqs of the batch {@link #batchList} was made for: seqs, not the changes, so that no change holds another. */
  private long[] batchSeqs;
  private byte[] batchEnd;
  private SharedBytes batchList;
  Delivery(Change change, String epoch, long committedNanos) {
    this(change, epoch, committedNanos, false);
  }

  Delivery(Change change, String epoch, long committedNanos, boolean fromPeer) {
    this.change = change;
    this.fromPeer = fromPeer;
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

  /** {@code {"offer":{...},"changed":[...]}}, as an entry of an {@code updates} list. */
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

  /**
   * The shared part of an {@code updates} frame whose entries are these changes, in this order
   * (this one first): from the frame's start to its seq ({@link FeedProtocol#UPDATES_START}).
   * Connections in step get the same batches, so the part made for the last batch asked of this
   * change is kept and given again for the same batch.
   */
  SharedBytes updatesStart(Delivery[] batch, byte[] updatesEnd) {
    if (batchList == null || batchEnd != updatesEnd || !sameSeqs(batch)) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(batch.length * (body.length() + 8));
      out.writeBytes(FeedProtocol.UPDATES_START);
      for (int i = 0; i < batch.length; i++) {
        if (i > 0) {
          out.write(',');
        }
        out.writeBytes(batch[i].item());
      }
      out.writeBytes(updatesEnd);
      batchSeqs = new long[batch.length];
      for (int i = 0; i < batch.length; i++) {
        batchSeqs[i] = batch[i].seq();
      }
      batchEnd = updatesEnd;
      batchList = new SharedBytes(out.toByteArray());
    }
    return batchList;
  }

  private boolean sameSeqs(Delivery[] batch) {
    if (batchSeqs.length != batch.length) {
      return false;
    }
    for (int i = 0; i < batch.length; i++) {
      if (batchSeqs[i] != batch[i].seq()) {
        return false;
      }
    }
    return true;
  }
}
