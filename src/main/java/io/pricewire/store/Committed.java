package io.pricewire.store;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ItemOutcome;
import java.util.List;

/** What a commit did: one outcome per write, and the changes it logged in seq order. */
public record Committed(String epoch, List<ItemOutcome> outcomes, List<Change> changes) {
}
