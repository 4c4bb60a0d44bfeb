package io.pricewire.changelog;

import java.util.List;

/**
 * What one commit logged, as published to the feed: its changes in seq order, or one market
 * event (then the changes are empty).
 *
 * @param committedNanos when the commit finished, in this process's monotonic nanos (for a
 *     peer's commit, its commit time told over the bus, moved onto this process's clock)
 * @param event the market event this batch is, or null for a batch of changes
 * @param fromPeer committed by another node of the cluster
 */
public record ChangeBatch(String epoch, List<Change> changes, long committedNanos, MarketEvent event,
    boolean fromPeer) {

  public ChangeBatch(String epoch, List<Change> changes, long committedNanos, MarketEvent event) {
    this(epoch, changes, committedNanos, event, false);
  }

  public ChangeBatch(String epoch, List<Change> changes, long committedNanos) {
    this(epoch, changes, committedNanos, null);
  }

  /** A batch holding one market event. */
  public static ChangeBatch of(String epoch, MarketEvent event, long committedNanos) {
    return new ChangeBatch(epoch, List.of(), committedNanos, event);
  }

  /** The same batch with fewer changes (a part of it). */
  public ChangeBatch withChanges(List<Change> part) {
    return new ChangeBatch(epoch, List.copyOf(part), committedNanos, event, fromPeer);
  }

  public long firstSeq() {
    return event != null ? event.seq() : changes.get(0).seq();
  }

  public long lastSeq() {
    return event != null ? event.seq() : changes.get(changes.size() - 1).seq();
  }
}
