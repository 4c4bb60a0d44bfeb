package io.pricewire.store;

/** A change log's identity and its last seq. */
public record LogHead(String epoch, long seq) {
}
