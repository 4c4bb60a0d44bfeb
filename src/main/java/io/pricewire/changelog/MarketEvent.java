package io.pricewire.changelog;

import io.pricewire.market.MarketInputs;
import java.util.List;

/**
 * An entry of the change log that changes no offer but how markets show them: a new FX rate in
 * force, a tax rule starting or ending, a rate becoming stale. It has its seq like a change, so
 * that the feed re-prices at its place in the order and a client resuming from before it learns
 * of it.
 *
 * @param inputs the projection inputs from this seq on
 * @param markets the ids of the markets whose projections it changes
 * @param reason what changed, for logs and operators
 */
public record MarketEvent(long seq, MarketInputs inputs, List<String> markets, String reason) {

  public MarketEvent {
    markets = List.copyOf(markets);
  }
}
