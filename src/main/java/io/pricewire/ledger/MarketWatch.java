package io.pricewire.ledger;

import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.FxRate;
import io.pricewire.market.Market;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.Projection;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides when the markets' projection inputs changed, so that the ledger logs a market event:
 * a new rate in force (the FX admin API, the Bank of Canada fetch and the demo ask for a check
 * after storing rates), a tax rule that starts or ends at midnight in China, a rate that turns
 * stale. Compares what the store holds now with the inputs of the last logged event; so a rate
 * stored just before a crash, or a boundary passed while the gateway was down, is logged at the
 * next start.
 */
public final class MarketWatch {

  /** The longest the watch sleeps between checks, whatever the next boundary. */
  static final long MAX_SLEEP_MS = 3_600_000;

  private final Collection<Market> markets;
  private final Clock clock;
  /** The inputs in force in the log: those of the last event, or no rates before the first. */
  private MarketInputs logged;
  /** The seq of the last event in the log as this watch knows it; 0 before the first. */
  private long loggedSeq;

  /**
   * What a check found: the event to log, decided against the event at {@code afterEventSeq}.
   */
  record Proposal(MarketInputs inputs, List<String> markets, String reason, long afterEventSeq) {
  }

  public MarketWatch(Collection<Market> markets, Clock clock) {
    this.markets = List.copyOf(markets);
    this.clock = clock;
  }

  /** Learns the inputs the log holds. */
  Future<Void> start(Store store) {
    return store.marketLog().map(log -> {
      MarketEvent last = log.last();
      if (last == null) {
        logged = new MarketInputs(now(), Map.of());
        loggedSeq = 0;
      } else if (logged == null || last.seq() >= loggedSeq) {
        logged = last.inputs();
        loggedSeq = last.seq();
      }
      return null;
    });
  }

  private Instant now() {
    // The store keeps microseconds: an event reads back as it was logged.
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Reads the rates in force and says whether the log must be told. */
  Future<Proposal> check(Store store) {
    return store.rates().latest().map(rates -> {
      MarketInputs next = new MarketInputs(now(), rates);
      List<String> affected = logged.affected(next, markets);
      return affected.isEmpty() ? null : new Proposal(next, affected, reason(logged, next), loggedSeq);
    });
  }

  /** An event is in the log (this node's or a peer's): its inputs are in force from its seq. */
  void logged(MarketEvent event) {
    if (event.seq() >= loggedSeq) {
      logged = event.inputs();
      loggedSeq = event.seq();
    }
  }

  /** How long to sleep before the next check: until the next boundary, at most an hour. */
  long sleepMs() {
    Instant now = clock.instant();
    Instant next = MarketInputs.nextBoundary(now, logged.rates(), markets);
    if (next == null) {
      return MAX_SLEEP_MS;
    }
    return Math.max(1, Math.min(MAX_SLEEP_MS, now.until(next, ChronoUnit.MILLIS) + 1));
  }

  /** What changed, in words: the rates, their staleness, the day's rules. */
  static String reason(MarketInputs before, MarketInputs after) {
    List<String> parts = new ArrayList<>();
    for (FxRate r : after.rateList()) {
      FxRate old = before.rates().get(r.pair());
      if (old == null || !old.rate().equals(r.rate()) || !old.asOf().equals(r.asOf())
          || !Objects.equals(old.source(), r.source())) {
        parts.add("rate " + r.pair() + " " + r.text() + " as of " + r.asOf());
      }
    }
    LocalDate dayBefore = before.at().atZone(Projection.CHINA).toLocalDate();
    LocalDate dayAfter = after.at().atZone(Projection.CHINA).toLocalDate();
    if (!dayBefore.equals(dayAfter)) {
      parts.add("rules of " + dayAfter + " (China)");
    }
    if (parts.isEmpty()) {
      parts.add("rate staleness");
    }
    return String.join("; ", parts);
  }
}
