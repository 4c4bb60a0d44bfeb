package io.pricewire.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

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
    final Counter wireBytes;
    /** Its place in a {@link Tally}. */
    final int index;

    TransportMeters(MeterRegistry registry, String transport, int index) {
      this.index = index;
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
      wireBytes = Counter.builder("pricewire.feed.wire")
          .description("Message bytes written to feed clients as they go on the wire: after permessage-deflate "
              + "where negotiated, SSE events whole; before WebSocket framing and TLS")
          .baseUnit("bytes")
          .tag("transport", transport)
          .register(registry);
    }
  }

  /**
   * The counts of one hub's event loop, added to the shared meters in bulk: counters that both
   * event loops update for every frame would cost more than some of the writes they count.
   */
  final class Tally {
    private final long[] frames = new long[2];
    private final long[] bytes = new long[2];
    private final long[] wire = new long[2];
    private long updates;
    private long pending;

    void sent(TransportMeters transport, int payloadBytes, int wireBytes) {
      frames[transport.index]++;
      bytes[transport.index] += payloadBytes;
      wire[transport.index] += wireBytes;
    }

    void updates(int n) {
      updates += n;
    }

    /** Waiting offer states added (or, negative, removed). */
    void pending(long delta) {
      pending += delta;
    }

    /** Adds what was counted since the last call to the shared meters. */
    void publish() {
      for (TransportMeters t : transports.values()) {
        if (frames[t.index] != 0) {
          t.frames.increment(frames[t.index]);
          t.bytes.increment(bytes[t.index]);
          t.wireBytes.increment(wire[t.index]);
          frames[t.index] = 0;
          bytes[t.index] = 0;
          wire[t.index] = 0;
        }
      }
      if (updates != 0) {
        updatesSent.increment(updates);
        updates = 0;
      }
      if (pending != 0) {
        pendingOffers.add(pending);
        pending = 0;
      }
    }
  }

  /** A tally for one hub; use it from that hub's event loop only. */
  Tally tally() {
    return new Tally();
  }

  private final Map<String, TransportMeters> transports;
  private final Map<String, Counter> resumes;
  final AtomicLong subscriptions = new AtomicLong();
  final AtomicLong interestEntries = new AtomicLong();
  final LongAdder pendingOffers = new LongAdder();
  final Counter updatesSent;
  final Counter snapshotReads;
  final Counter snapshotsShared;
  final Counter conflated;
  final Counter slowCloses;
  final Counter faults;
  final Counter interestAdds;
  final Counter interestRemoves;
  final Counter projections;
  final Counter reprices;
  final Counter repriced;
  final Timer commitToWrite;
  final Timer peerCommitToWrite;
  final Timer ingestToWrite;

  public FeedMetrics(MeterRegistry registry) {
    transports = Map.of("websocket", new TransportMeters(registry, "websocket", 0),
        "sse", new TransportMeters(registry, "sse", 1));
    resumes = Map.of("continued", resumeCounter(registry, "continued"), "reset", resumeCounter(registry, "reset"));
    Gauge.builder("pricewire.feed.subscriptions", subscriptions, AtomicLong::get)
        .description("Active feed subscriptions")
        .register(registry);
    Gauge.builder("pricewire.feed.interest.entries", interestEntries, AtomicLong::get)
        .description("Suppliers, skus and categories named by all subscriptions (index entries)")
        .register(registry);
    Gauge.builder("pricewire.feed.pending.offers", pendingOffers, LongAdder::sum)
        .description("Offer states waiting to be written: for slow clients, and briefly for every client until "
            + "its flush (at most one per subscription and offer)")
        .register(registry);
    updatesSent = Counter.builder("pricewire.feed.updates.sent")
        .description("Offer updates written to feed clients (one per subscription and change or merged change)")
        .register(registry);
    snapshotReads = snapshotCounter(registry, "read");
    snapshotsShared = snapshotCounter(registry, "shared");
    conflated = Counter.builder("pricewire.feed.conflated")
        .description("Changes merged into a state already waiting for a slow client")
        .register(registry);
    interestAdds = interestCounter(registry, "add");
    interestRemoves = interestCounter(registry, "remove");
    slowCloses = Counter.builder("pricewire.feed.slow.closes")
        .description("Clients closed for taking no data within PRICEWIRE_FEED_SLOW_TIMEOUT_MS")
        .register(registry);
    faults = Counter.builder("pricewire.feed.faults")
        .description("Feed connections closed with 1011 because serving them failed inside the gateway; "
            + "the failure stays with that connection")
        .register(registry);
    projections = Counter.builder("pricewire.market.projections")
        .description("Offers projected into a market (converted prices, tax, landed price) by the feed")
        .register(registry);
    reprices = Counter.builder("pricewire.feed.reprices")
        .description("Subscriptions re-priced by a market event (FX rate, tax rule, staleness): its fan-out")
        .register(registry);
    repriced = Counter.builder("pricewire.feed.repriced.offers")
        .description("Offer updates written because a market event re-priced them")
        .register(registry);
    commitToWrite = Timer.builder("pricewire.feed.commit.to.write")
        .description("Time from the ledger's commit to the frame with the update being written to a client "
            + "(one sample per frame, its oldest update)")
        .serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
    peerCommitToWrite = Timer.builder("pricewire.feed.peer.commit.to.write")
        .description("For changes committed by another node of the cluster: time from that commit to the frame being "
            + "written to a client here (also counted in pricewire_feed_commit_to_write)")
        .serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
    ingestToWrite = Timer.builder("pricewire.feed.ingest.to.write")
        .description("Time from the ingest request being received to the frame with the update being written to a "
            + "client (one sample per frame, its oldest update)")
        .serviceLevelObjectives(FRESHNESS_BUCKETS)
        .register(registry);
  }

  private static Counter interestCounter(MeterRegistry registry, String op) {
    return Counter.builder("pricewire.feed.interest.changes")
        .description("add and remove operations that grew or shrank a live subscription (listing pages that "
            + "scroll)")
        .tag("op", op)
        .register(registry);
  }

  private static Counter snapshotCounter(MeterRegistry registry, String source) {
    return Counter.builder("pricewire.feed.snapshots")
        .description("Snapshots for subscribe, add and resume: read from the store, or shared with an identical "
            + "read already in flight")
        .tag("source", source)
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

  /**
   * A frame of updates was handed to the socket: records the freshness of the oldest one in it
   * (one sample per frame, so a frame of many updates costs no more to measure than one).
   *
   * @param receivedNanos when the oldest one's ingest request arrived, 0 when unknown
   * @param fromPeer the oldest one was committed by another node
   */
  void written(long committedNanos, long receivedNanos, boolean fromPeer) {
    long now = System.nanoTime();
    commitToWrite.record(now - committedNanos, TimeUnit.NANOSECONDS);
    if (fromPeer) {
      peerCommitToWrite.record(now - committedNanos, TimeUnit.NANOSECONDS);
    }
    if (receivedNanos != 0) {
      ingestToWrite.record(now - receivedNanos, TimeUnit.NANOSECONDS);
    }
  }
}
