package io.pricewire.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pricewire.changelog.ItemStatus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Ingest meters, shared by every API verticle of the node. */
public final class IngestMetrics {

  private final MeterRegistry registry;
  private final Map<IngestSource, Map<ItemStatus, Counter>> items = new EnumMap<>(IngestSource.class);
  private final Map<IngestSource, Timer> requests = new EnumMap<>(IngestSource.class);
  private final Map<String, Counter> rejections = new ConcurrentHashMap<>();

  public IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (IngestSource source : IngestSource.values()) {
      Map<ItemStatus, Counter> bySource = new EnumMap<>(ItemStatus.class);
      for (ItemStatus status : ItemStatus.values()) {
        bySource.put(status, Counter.builder("pricewire.ingest.items")
            .description("Ingested items by outcome and body format")
            .tag("status", status.wireName())
            .tag("source", source.wireName())
            .register(registry));
      }
      items.put(source, bySource);
      requests.put(source, Timer.builder("pricewire.ingest.request")
          .description("Ingest request duration, from arrival to the last byte of the answer")
          .tag("source", source.wireName())
          .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
              Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
              Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30))
          .register(registry));
    }
  }

  void item(IngestSource source, ItemStatus status) {
    items.get(source).get(status).increment();
  }

  /** Error codes form a small fixed set (the parser's and the ledger's), so they make a safe label. */
  void rejection(String code) {
    rejections.computeIfAbsent(code == null ? "unknown" : code, c -> Counter.builder("pricewire.ingest.rejections")
        .description("Rejected items by error code (an item with several errors counts once per error)")
        .tag("code", c)
        .register(registry)).increment();
  }

  void request(IngestSource source, long nanos) {
    requests.get(source).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
