package io.pricewire.ledger;

/** Every event-bus address the gateway uses. */
public final class Addresses {

  private Addresses() {
  }

  /** Request-reply to the ledger: a {@code CommitRequest}, answered with a {@code CommitReply} after commit. */
  public static final String LEDGER_COMMIT = "pricewire.ledger.commit";

  /** Published by the ledger after each commit: a {@code ChangeBatch}, in seq order. */
  public static final String CHANGES = "pricewire.changes";
}
