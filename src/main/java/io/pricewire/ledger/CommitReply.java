package io.pricewire.ledger;

import io.pricewire.changelog.ItemOutcome;
import java.util.List;

/** The ledger's answer to a {@link CommitRequest}: one outcome per write, in order. */
public record CommitReply(String epoch, List<ItemOutcome> outcomes) {
}
