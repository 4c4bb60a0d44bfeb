package io.pricewire.feed;

import io.pricewire.ledger.Change;

/**
 * A change on its way to subscribers: the change, the shared part of its update frame (and its
 * UTF-8 size, counted once), and when it was committed.
 */
record Delivery(Change change, String tail, int tailBytes, long committedNanos) {

  Delivery(Change change, String tail, long committedNanos) {
    this(change, tail, FeedProtocol.utf8Length(tail), committedNanos);
  }

  long seq() {
    return change.seq();
  }
}
