package io.pricewire.feed;

import io.pricewire.offer.Interest;

/** An operation a feed client sent, already validated. */
public sealed interface ClientOp {

  /** Where a client left off: a log's epoch and the last seq it received. */
  record Since(String epoch, long seq) {
  }

  /** @param since null for a fresh subscription */
  record Subscribe(String id, Interest interest, Since since) implements ClientOp {
  }

  record Unsubscribe(String id) implements ClientOp {
  }

  /** @param id echoed in the pong, may be null */
  record Ping(String id) implements ClientOp {
  }
}
