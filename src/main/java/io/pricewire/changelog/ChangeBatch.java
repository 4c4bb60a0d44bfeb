package io.pricewire.changelog;

import java.util.List;

/**
 * The changes of one commit, in seq order, as published to the feed.
 *
 * @param committedNanos when the commit finished, in this process's monotonic nanos
 */
public record ChangeBatch(String epoch, List<Change> changes, long committedNanos) {

  public long firstSeq() {
    return changes.get(0).seq();
  }

  public long lastSeq() {
    return changes.get(changes.size() - 1).seq();
  }
}
