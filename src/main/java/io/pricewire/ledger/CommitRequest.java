package io.pricewire.ledger;

import io.pricewire.changelog.LedgerWrite;
import java.util.List;

/** Writes to commit together, sent to the ledger by one ingest request (or one chunk of a stream). */
public record CommitRequest(List<LedgerWrite> writes) {

  public CommitRequest {
    writes = List.copyOf(writes);
  }
}
