package io.pricewire.changelog;

import java.util.List;

/**
 * What one commit logged, as published to the feed: its changes in seq order, or one market
 * event (then the changes are empty).
 *
 * @param committedNanos when the commit finished, in this process's monotonic nanos
 * @param event the market event this batch is, or null for a batch of changes
 */
public record ChangeBatch(String epoch, List<Change> changes, long committedNanos, MarketEvent event) {

  public ChangeBatch(String epoch, List<Change> changes, long committedNanos) {
    this(epoch, changes, committedNanos, null);
  }

  /** A batch holding one market event. */
  public static ChangeBatch of(String epoch, MarketEvent event, long committedNanos) {
    return new ChangeBatch(epoch, List.of(), committedNanos, event);
  }

  public long firstSeq() {
    return event != null ? event.seq() : changes.get(0).seq();
  }

  public long lastSeq() {
    return event != null ? event.seq() : changes.get(changes.size() - 1).seq();
  }
}
