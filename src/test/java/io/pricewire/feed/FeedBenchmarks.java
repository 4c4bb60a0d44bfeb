package io.pricewire.feed;

import io.pricewire.auth.Scope;
import io.pricewire.changelog.Change;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Hot paths of the feed: encoding an update, matching a change against the interest index, and
 * conflating changes for a client that does not read. Run: mvn -q test-compile exec:exec@jmh
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FeedBenchmarks {

  private static final String EPOCH = "f22f4505-ab5e-4183-a68f-65eaaafff603";

  @Param({"10000"})
  int subscribers;

  private FeedHarness harness;
  private Change change;
  private Delivery delivery;
  private Subscription subscription;
  private InterestIndex index;
  private final List<Change> offersOfOtherSuppliers = new ArrayList<>();
  private Subscription stalled;
  private Delivery[] ticks;
  private int tick;
  private Deflation deflation;
  private Deflation.Stream[] streams;
  private Delivery[] stream;
  private java.util.zip.Deflater perConnection;
  private final byte[] deflated = new byte[4096];

  static Change change(long seq, String supplier, String sku, long priceMicros, Set<Field> changed) {
    TreeMap<String, String> titles = new TreeMap<>(Map.of("en", "Live Atlantic lobster, 1 lb", "zh-CN", "加拿大鲜活龙虾 1磅"));
    Offer offer = new Offer(new OfferKey(supplier, sku), seq, seq, new Money(priceMicros, "CAD"), null,
        Availability.IN_STOCK, 120L, titles, "Seafood > Shellfish", "Atlantic Seafood Co.", null, null,
        Instant.parse("2026-11-29T10:41:07.918214Z"));
    return new Change(seq, offer, changed, null, Availability.IN_STOCK, 0);
  }

  @Setup(Level.Trial)
  public void setUp() {
    harness = new FeedHarness();
    change = change(42, "atlantic-seafood", "lobster-live-1lb", 42_000_000, EnumSet.of(Field.PRICE));
    delivery = new Delivery(change, EPOCH, 0);
    FeedConnection connection = harness.hub.accept(new FakeChannel(), Scope.EVERYTHING, () -> { });
    subscription = new Subscription(connection, "listing", 0, null);

    index = new InterestIndex();
    // Half follow the supplier, half follow the offer by sku; each also follows other offers.
    for (int i = 0; i < subscribers; i++) {
      Subscription s = new Subscription(connection, "s" + i, 0, null);
      index.add(s, i % 2 == 0 ? new Interest(Set.of(), Set.of("atlantic-seafood"), Set.of())
          : new Interest(Set.of(new OfferKey("atlantic-seafood", "lobster-live-1lb"),
              new OfferKey("supplier-" + i, "x")), Set.of(), Set.of("Category " + (i % 50))));
    }
    for (int i = 0; i < 100; i++) {
      offersOfOtherSuppliers.add(change(1000 + i, "other-" + i, "y", 1_000_000, EnumSet.of(Field.PRICE)));
    }

    // A client that never reads, following the supplier: every change has to wait and conflate.
    FakeChannel never = new FakeChannel().stall();
    FeedConnection slow = harness.hub.accept(never, Scope.EVERYTHING, () -> { });
    never.send(FeedHarness.subscribe("slow").put("suppliers", new io.vertx.core.json.JsonArray()
        .add("atlantic-seafood")));
    harness.loop.runTasks();
    stalled = slow.subscription("slow");
    ticks = new Delivery[1000];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = new Delivery(change(10_000 + i, "atlantic-seafood", "sku-" + (i % 200), 1_000_000 + i,
          EnumSet.of(Field.PRICE)), EPOCH, 0);
    }
    // The first change of each offer waits in a queue; the measured calls are the merges alone.
    for (int i = 0; i < 200; i++) {
      stalled.offer(ticks[i]);
    }
    harness.loop.runTasks();

    // Compression: 1,000 connections in step, sent the same changes one after the other.
    deflation = new Deflation(6);
    streams = new Deflation.Stream[1000];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = new Deflation.Stream(true);
    }
    stream = new Delivery[1000];
    for (int i = 0; i < stream.length; i++) {
      stream[i] = new Delivery(change(20_000 + i, "atlantic-seafood", "sku-" + (i % 200), 1_000_000 + i,
          EnumSet.of(Field.PRICE)), EPOCH, 0);
    }
    perConnection = new java.util.zip.Deflater(6, true);
  }

  /**
   * Compressing one change for 1,000 connections at the same window: the shared form is made
   * once, then each connection adds its id. Per call: one change, all its connections.
   */
  @Benchmark
  public int compressChangeFor1000Connections() {
    Delivery d = stream[(tick++) % stream.length];
    byte[] end = subscription.updateEnd();
    int bytes = 0;
    for (Deflation.Stream s : streams) {
      bytes += deflation.message(Frame.of(d.body(), end), s).length;
    }
    return bytes;
  }

  /**
   * The same work as a per-connection compressor does it (what Netty's permessage-deflate does
   * for every connection): deflate each frame for each connection. Per call: one change, 1,000
   * connections.
   */
  @Benchmark
  public int compressChangePerConnection() {
    Delivery d = stream[(tick++) % stream.length];
    byte[] frame = Frame.of(d.body(), subscription.updateEnd()).bytes();
    int bytes = 0;
    for (int i = 0; i < 1000; i++) {
      perConnection.setInput(frame);
      bytes += perConnection.deflate(deflated, 0, deflated.length, java.util.zip.Deflater.SYNC_FLUSH);
    }
    return bytes;
  }

  /** Once per change and node: the shared part of every subscriber's update frame. */
  @Benchmark
  public String encodeUpdateBody() {
    return FeedProtocol.updateBody(EPOCH, change);
  }

  /** Once per subscriber: the frame (UTF-8) from the shared body and the subscription's id. */
  @Benchmark
  public byte[] frameForOneSubscriber() {
    return Frame.of(delivery.body(), subscription.updateEnd()).bytes();
  }

  /** The same frame the way a String API would make it: per subscriber concatenation and UTF-8 encoding. */
  @Benchmark
  public byte[] frameThroughString() {
    return (new String(delivery.body().utf8(), StandardCharsets.UTF_8) + new String(subscription.updateEnd(),
        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }

  /** Finding the subscriptions of one change among {@code subscribers}: here it concerns all of them. */
  @Benchmark
  public void matchChangeForAllSubscribers(Blackhole bh) {
    index.match(change, bh::consume);
  }

  /** A change nobody follows: the cost every change pays. */
  @Benchmark
  public void matchChangeForNobody(Blackhole bh) {
    index.match(offersOfOtherSuppliers.get((tick++) % 100), bh::consume);
  }

  /** A price tick for a client that does not read: merged into the state waiting for its offer. */
  @Benchmark
  public int conflateForStalledClient() {
    stalled.offer(ticks[200 + (tick++) % (ticks.length - 200)]);
    return stalled.waitingCount();
  }
}
