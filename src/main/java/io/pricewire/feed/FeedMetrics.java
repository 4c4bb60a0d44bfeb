package io.pricewire.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The feed's meters, shared by every feed hub of the node (all thread-safe). Labels take only
 * small fixed value sets.
 */
public final class FeedMetrics {

  static final Duration[] FRESHNESS_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  /** The meters of one transport. */
  static final class TransportMeters {
    final AtomicLong connections = new AtomicLong();
    final Counter frames;
    final Counter bytes;

    TransportMeters(MeterRegistry registry, String transport) {
      Gauge.builder("pricewire.feed.connections", connections, AtomicLong::get)
          .description("Open feed connections")
          .tag("transport", transport)
          .register(registry);
      frames = Counter.builder("pricewire.feed.frames.sent")
          .description("Frames (SSE events) written to feed clients, all types")
          .tag("transport", transport)
          .register(registry);
      bytes = Counter.builder("pricewire.feed.sent")
          .description("JSON payload bytes written to feed clients, before compression and transport framing")
          .baseUnit("bytes")
          .tag("transport", transport)
          .register(registry);
    }

    void sent(int payloadBytes) {
      frames.increment();
      bytes.increment(payloadBytes);
    }
  }

  private final Map<String, TransportMeters> transports;
  private final Map<String, Counter> resumes;
  final AtomicLong subscriptions = new AtomicLong();
  final AtomicLong interestEntries = new AtomicLong();
  final AtomicLong pendingOffers = new AtomicLong();
  final Counter updatesSent;
  final Counter conflated;
  final Counter slowCloses;
  final Timer commitToWrite;
  final Timer ingestToWrite;

  public FeedMetrics(MeterRegistry registry) {
    transports = Map.of("websocket", new TransportMeters(registry, "websocket"),
        "sse", new TransportMeters(registry, "sse"));
    resumes = Map.of("continued", resumeCounter(registry, "continued"), "reset", resumeCounter(registry, "reset"));
    Gauge.builder("pricewire.feed.subscriptions", subscriptions, AtomicLong::get)
        .description("Active feed subscriptions")
        .register(registry);
    Gauge.builder("pricewire.feed.interest.entries", interestEntries, AtomicLong::get)
        .description("Suppliers, skus and categories named by all subscriptions (index entries)")
        .register(registry);
    Gauge.builder("pricewire.feed.pending.offers", pendingOffers, AtomicLong::get)
        .description("Offer states waiting for slow clients (at most one per subscription and offer)")
        .register(registry);
    updatesSent = Counter.builder("pricewire.feed.updates.sent")
        .description("Offer updates written to feed clients (one per subscription and change or merged change)")
        .register(registry);
    conflated = Counter.builder("pricewire.feed.conflated")
        .description("Changes merged into a state already waiting for a slow client")
        .register(registry);
    slowCloses = Counter.builder("pricewire.feed.slow.closes")
        .description("Clients closed for taking no data within PRICEWIRE_FEED_SLOW_TIMEOUT_MS")
        .register(registry);
    commitToWrite = Timer.builder("pricewire.feed.commit.to.write")
        .description("Time from the ledger's commit to the update frame being written to a client")
        .serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
    ingestToWrite = Timer.builder("pricewire.feed.ingest.to.write")
        .description("Time from the ingest request being received to the update frame being written to a client")
        .serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
  }

  private static Counter resumeCounter(MeterRegistry registry, String outcome) {
    return Counter.builder("pricewire.feed.resumes")
        .description("Subscriptions with since: continued the client's log, or reset to a full snapshot")
        .tag("outcome", outcome)
        .register(registry);
  }

  TransportMeters transport(String name) {
    return transports.get(name);
  }

  /** @param outcome "continued" or "reset" */
  void resumed(String outcome) {
    resumes.get(outcome).increment();
  }

  void written(long committedNanos, long receivedNanos) {
    long now = System.nanoTime();
    updatesSent.increment();
    commitToWrite.record(now - committedNanos, TimeUnit.NANOSECONDS);
    if (receivedNanos != 0) {
      ingestToWrite.record(now - receivedNanos, TimeUnit.NANOSECONDS);
    }
  }
}
