package io.pricewire.changelog;

/** What happened to one written item. */
public enum ItemStatus {
  /** Committed as a new state; it has a seq. */
  APPLIED("applied"),
  /** Accepted, but the state already was exactly this. */
  UNCHANGED("unchanged"),
  /** Its version is not above the stored one; nothing changed. */
  STALE("stale"),
  /** Invalid; nothing changed. */
  REJECTED("rejected");

  private final String wireName;

  ItemStatus(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
