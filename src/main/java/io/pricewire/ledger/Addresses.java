package io.pricewire.ledger;

/** Every event-bus address the gateway uses. */
public final class Addresses {

  private Addresses() {
  }

  /**
   * How every address here is used: within the node, never over a cluster (so a clustered event
   * bus does not look for handlers on other nodes). What nodes tell each other goes through
   * {@link Peers}.
   */
  public static final io.vertx.core.eventbus.DeliveryOptions LOCAL =
      new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  /** Request-reply to the ledger: a {@code CommitRequest}, answered with a {@code CommitReply} after commit. */
  public static final String LEDGER_COMMIT = "pricewire.ledger.commit";

  /** Published by the ledger after each commit: a {@code ChangeBatch}, in seq order. */
  public static final String CHANGES = "pricewire.changes";

  /**
   * Asks the ledger to compare the stored FX rates and the rules in force with the last market
   * event and to log one if they differ; the reply is the event's seq, or -1 when nothing changed.
   * Sent by whatever stores rates, after storing them.
   */
  public static final String MARKET_CHECK = "pricewire.ledger.markets";
}
