package io.pricewire.feed;

import io.pricewire.offer.Interest;

/** An operation a feed client sent, already validated. */
public sealed interface ClientOp {


  /** Where a client left off: a log's epoch and the last seq it received. */
  record Since(String epoch, long seq) {
  }

  /**
   * @param since null for a fresh subscription
   * @param maxRate price-only updates per second per offer, 0 for no limit
   * @param market the id of the market whose projection each offer carries, or null for none
   */
  record Subscribe(String id, Interest interest, Since since, double maxRate, String market) implements ClientOp {
  }

  /** Grows a subscription: the added entries get a snapshot of just themselves. */
  record Add(String id, Interest interest) implements ClientOp {
  }

  /** Shrinks a subscription: offers no longer in it stop. */
  record Remove(String id, Interest interest) implements ClientOp {
  }

  record Unsubscribe(String id) implements ClientOp {
  }

  /** @param id echoed in the pong, may be null */
  record Ping(String id) implements ClientOp {
  }
}
