package io.pricewire.ingest;

import io.pricewire.changelog.ItemOutcome;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.http.Failure;
import io.pricewire.ledger.Addresses;
import io.pricewire.ledger.CommitReply;
import io.pricewire.ledger.CommitRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commits one supplier's writes through the ledger, a chunk at a time, within the supplier's
 * ingest rate: a JSON request takes its items at once or is refused; a stream waits until the
 * rate covers each chunk, so a long feed file is slowed, not cut. A failed commit fails with the
 * {@link Failure} to answer.
 */
final class ChunkCommitter {

  private final Vertx vertx;
  private final String supplier;
  private final IngestLimiter limiter;
  private final long ledgerTimeoutMs;

  ChunkCommitter(Vertx vertx, String supplier, IngestLimiter limiter, long ledgerTimeoutMs) {
    this.vertx = vertx;
    this.supplier = supplier;
    this.limiter = limiter;
    this.ledgerTimeoutMs = ledgerTimeoutMs;
  }

  /** For a request taken whole: null when the rate covers its items, else the 429 to answer. */
  Failure takeAtOnce(int items) {
    long wait = limiter.tryTake(supplier, items);
    if (wait == 0) {
      return null;
    }
    long seconds = IngestLimiter.retryAfterSeconds(wait);
    return new Failure(429, "rate_limited", "supplier " + supplier + " is over its ingest rate ("
        + "PRICEWIRE_INGEST_RATE_PER_SUPPLIER = " + limiter.ratePerSecond() + " items/s, bursts up to "
        + "PRICEWIRE_INGEST_BURST_PER_SUPPLIER = " + limiter.burst() + "); this request has " + items
        + " items: retry after " + seconds + " s" + (items > limiter.burst() ? ", in smaller requests" : ""),
        String.valueOf(seconds));
  }

  /**
   * Commits a chunk; completes with one outcome per write, in order.
   *
   * @param paced true for streams: wait until the supplier's rate covers the chunk
   */
  Future<List<ItemOutcome>> commit(List<LedgerWrite> writes, boolean paced) {
    if (writes.isEmpty()) {
      // Answered on a later turn of the loop, like a commit, so readers never re-enter themselves.
      Promise<List<ItemOutcome>> none = Promise.promise();
      vertx.runOnContext(v -> none.complete(List.of()));
      return none.future();
    }
    long wait = paced ? limiter.reserve(supplier, writes.size()) : 0;
    if (wait == 0) {
      return send(writes);
    }
    Promise<List<ItemOutcome>> later = Promise.promise();
    vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), t -> send(writes).onComplete(later));
    return later.future();
  }

  private Future<List<ItemOutcome>> send(List<LedgerWrite> writes) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(ledgerTimeoutMs).setLocalOnly(true);
    return vertx.eventBus().<CommitReply>request(Addresses.LEDGER_COMMIT, new CommitRequest(writes), options)
        .transform(ar -> ar.succeeded() ? Future.succeededFuture(ar.result().body().outcomes())
            : Future.failedFuture(new CommitFailed(Failure.of(ar.cause(), "the commit"))));
  }

  /** A commit that did not go through, with what to answer. */
  static final class CommitFailed extends RuntimeException {
    private final transient Failure failure;

    CommitFailed(Failure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }

    Failure failure() {
      return failure;
    }
  }
}
