package io.pricewire.feed;

import io.pricewire.ledger.Change;

/**
 * A change on its way to subscribers: the change, the shared part of its update frame, and when
 * it was committed.
 */
record Delivery(Change change, String tail, long committedNanos) {

  long seq() {
    return change.seq();
  }
}
