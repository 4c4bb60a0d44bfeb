package io.pricewire.ledger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;

/** How whatever stores FX rates tells the ledger to see whether a market event is due. */
public final class MarketChecks {

  private MarketChecks() {
  }

  /**
   * Asks the ledger of this node to compare the stored rates and the rules in force with the
   * log ({@link Addresses#MARKET_CHECK}); completes once any event is logged.
   *
   * @return the seq of the event logged, or -1 when nothing changed
   */
  public static Future<Long> ask(Vertx vertx) {
    return vertx.eventBus().<Long>request(Addresses.MARKET_CHECK, null, Addresses.LOCAL).map(Message::body);
  }
}
