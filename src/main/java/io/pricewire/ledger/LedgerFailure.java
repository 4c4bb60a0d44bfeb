package io.pricewire.ledger;

/** Failure codes the ledger answers requests with (event-bus failure codes). */
public final class LedgerFailure {

  private LedgerFailure() {
  }

  /** The store cannot be reached now; nothing of the request was acknowledged. Retry later. */
  public static final int UNAVAILABLE = 503;

  /** Too many writes are waiting already; retry later. */
  public static final int OVERLOADED = 429;

  /** Anything else: a defect. */
  public static final int INTERNAL = 500;
}
