package io.pricewire.ingest;

/** The body formats ingest reads. */
public enum IngestSource {
  JSON("json"),
  NDJSON("ndjson"),
  TSV("tsv");

  private final String wireName;

  IngestSource(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
