package io.pricewire.store;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.MarketInputs;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.Future;
import java.util.List;

/**
 * Current offer state and the change log. Implementations are safe to call from any event loop;
 * {@link #commit} is called by the ledger alone, one commit at a time per gateway node.
 */
public interface Store {

  /** "memory" or "postgres", for logs and health answers. */
  String kind();

  /** Prepares the store (schema migrations, the log's epoch). Called once before use. */
  Future<Void> open();

  /**
   * Decides and writes one batch atomically with {@link io.pricewire.changelog.LedgerRules}: offers,
   * change-log entries and the head seq. The future completes only after the data is durable
   * (for stores that are durable at all).
   */
  Future<Committed> commit(List<LedgerWrite> writes);

  /** The stored state of one offer, or null. */
  Future<Offer> find(OfferKey key);

  /**
   * The offers in an interest whose last change is after {@code afterSeq} (all of them when it
   * is negative), with the log position the result is consistent with. When {@code afterSeq} is
   * not negative, also the current state of offers that left one of the interest's categories
   * after it, so that a resuming client learns they left.
   */
  Future<Snapshot> snapshot(Interest interest, long afterSeq);

  /**
   * The logged changes with seq in (afterSeq, upToSeq], in seq order: how the ledger repairs a
   * gap in what it published. Stores that keep no history fail.
   */
  Future<List<Change>> changesBetween(long afterSeq, long upToSeq);

  /** For {@link #commitEvent}: log the event whatever the log's last market event is. */
  long ANY_LAST_EVENT = -1;

  /**
   * Logs a market event with the next seq, atomically like a commit; called by the ledger,
   * between its commits. Several nodes may decide the same event at once (a rule boundary passes
   * on all of them): only the first to take the log's lock logs it, because each names the last
   * event its decision was made against.
   *
   * @param markets the markets whose projections the new inputs change
   * @param afterEventSeq the seq of the log's last market event the caller knows (0: none yet),
   *     or {@link #ANY_LAST_EVENT}
   * @return the event logged, or null when the log's last market event is another one (someone
   *     logged one meanwhile; nothing was written)
   */
  Future<MarketEvent> commitEvent(MarketInputs inputs, List<String> markets, String reason, long afterEventSeq);

  /** The newest market event of the log (null before the first) and each market's last event seq. */
  Future<MarketLog> marketLog();

  /**
   * The market events with seq in (afterSeq, upToSeq], in seq order: the other half of
   * {@link #changesBetween}. Stores that keep no history fail.
   */
  Future<List<MarketEvent>> eventsBetween(long afterSeq, long upToSeq);

  /** The log's identity and last seq; also serves as the readiness probe. */
  Future<LogHead> head();

  /** Supplier API keys, kept beside the offers. */
  KeyStore keys();

  /** Exchange rates with their history, kept beside the offers. */
  RateStore rates();

  Future<Void> close();
}
