package io.pricewire.store;

import io.pricewire.changelog.MarketEvent;
import java.util.Map;

/**
 * Where the log stands on markets: its newest market event, whose inputs are in force, and each
 * market's last event seq (a client of that market resuming from before it must start over).
 *
 * @param last null when the log has no market event yet
 */
public record MarketLog(MarketEvent last, Map<String, Long> lastSeqByMarket) {

  public static final MarketLog EMPTY = new MarketLog(null, Map.of());

  public MarketLog {
    lastSeqByMarket = Map.copyOf(lastSeqByMarket);
  }
}
