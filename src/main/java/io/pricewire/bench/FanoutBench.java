package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fan-out: S subscribers follow a stream while changes are published at R per second (or as fast
 * as the server takes them). Reports delivered updates per second, latency from the publish
 * request to client receipt (each change carries its send time), and the server's CPU and memory.
 * Runs against Pricewire or, for comparison, the bare broadcaster, NATS or Socket.IO.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
    description = {"Delivered updates per second and publish-to-client latency with S subscribers.",
        "Targets: pricewire (default), broadcaster (pricewire bench broadcaster),",
        "nats (nats-server with its WebSocket listener), socketio (bench/peers/socketio).", "Start the target first; bench/compare.sh runs all four."})
public final class FanoutBench implements Callable<Integer> {

  @Option(names = "--target", defaultValue = "pricewire", split = ",", description = {"pricewire, broadcaster, nats or "
      + "socketio; several, comma-separated, run one after the other with the same workload and this same client "
      + "process, then compared side by side (each must be running) (default: ${DEFAULT-VALUE}).",
      "With several targets, --url applies to Pricewire; the peers listen where bench/compare.sh starts them."})
  List<String> targets;

  @Option(names = "--compress", description = "Subscribers offer permessage-deflate, as every browser does (Pricewire "
      + "and NATS; NATS needs compression on in its websocket block, as in bench/peers/nats.conf).")
  boolean compress;

  @Option(names = "--nats-url", defaultValue = "nats://127.0.0.1:4223", description = "NATS client port, for the publisher (default: ${DEFAULT-VALUE}).")
  URI natsUrl;

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--transport", defaultValue = "websocket", description = "Pricewire feed transport: websocket or sse (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(names = "--subscribers", defaultValue = "100", description = "Subscribers, each its own connection (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--offers", defaultValue = "1000", description = "Offers changes are spread over (default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--interest", defaultValue = "0", description = "Offers each Pricewire subscriber follows by sku; 0: all (the supplier) (default: ${DEFAULT-VALUE}).")
  int interest;

  @Option(names = "--rate", defaultValue = "500", split = ",", description = {"Changes published per second; several, comma-separated, "
      + "run one after the other on the same subscribers (a sweep); 0: as fast as the server takes them (default: ${DEFAULT-VALUE}).",
      "A step is sustained when at least 98%% of the rate was published, at least 98%% of the offered updates were delivered, "
      + "and the latency did not keep growing (median of the last third of the step at most 1.5 x that of the first third + 50 ms)."})
  List<Integer> rates;

  @Option(names = "--sustained-p99-ms", defaultValue = "0", description = "Also require p99 at most this for a sustained step; 0: no bound (default: ${DEFAULT-VALUE}).")
  double sustainedP99Ms;

  @Option(names = "--capacity", description = {"Search the capacity instead of running the rates: the highest change "
      + "rate at which p99 stays at most --sustained-p99-ms (100 when not given) and every subscriber ends with the "
      + "final state (after the step, one last change is published and must reach every subscriber within 10 s). "
      + "After a warm-up step at the first --rate, starts there, doubles while a rate holds (halves while it does "
      + "not), then bisects --capacity-probes times; a rate that does not hold is tried once more. With every "
      + "subscriber following every offer (--interest 0)."})
  boolean capacity;

  @Option(names = "--capacity-probes", defaultValue = "3", description = "Bisection steps of the capacity search "
      + "(default: ${DEFAULT-VALUE}).")
  int capacityProbes;

  @Option(names = "--batch", defaultValue = "20", description = "With --rate 0: changes per publish request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--inflight", defaultValue = "2", description = "With --rate 0: publish requests in flight (default: ${DEFAULT-VALUE}).")
  int inflight;

  @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--duration", defaultValue = "20", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--server-pid", description = "Process id of the server, for its CPU and resident memory (from /proc); "
      + "with several targets, Pricewire's.")
  Long serverPid;

  @Option(names = "--out", description = "Also write the result as JSON to this file.")
  Path out;

  /** The target being measured. */
  private String target;
  /** The stamp of the last change of a capacity probe, 0 when none is awaited. */
  private volatile long marker;
  /** Which subscribers received {@link #marker}. */
  private java.util.concurrent.atomic.AtomicIntegerArray reached;
  private final AtomicInteger reachedCount = new AtomicInteger();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder published = new LongAdder();
  private final AtomicLong skippedTicks = new AtomicLong();
  private final Recorder latency = new Recorder(3);
  /** Publish request round trips (send to answer), in micros. */
  private final Recorder publishRequests = new Recorder(3);
  private volatile boolean measuring;
  /** The step now running; publishers of an older step stop. */
  private volatile int step;

  /** The figures of one rate step. */
  private record Step(int rate, double seconds, double published, double delivered, double offered, Histogram latency,
      Histogram firstThird, Histogram lastThird, double cpuCores, long rss, long heap, long skipped,
      double[] serverCommitToWriteMs, double clientCores, Histogram publishRequests, double wireRatio) {

    /** The latency did not keep growing through the step: no backlog building up. */
    boolean steady() {
      return firstThird.getTotalCount() > 0 && lastThird.getTotalCount() > 0
          && lastThird.getValueAtPercentile(50) <= 1.5 * firstThird.getValueAtPercentile(50) + 50_000;
    }

    boolean sustained(double p99LimitMs) {
      return (rate == 0 || published >= 0.98 * rate) && delivered >= 0.98 * offered && steady()
          && (p99LimitMs <= 0 || latency.getValueAtPercentile(99) / 1000.0 <= p99LimitMs);
    }
  }

  @Override
  public Integer call() throws Exception {
    List<JsonObject> runs = new ArrayList<>();
    for (String t : targets) {
      target = t;
      runs.add(run());
    }
    if (runs.size() > 1) {
      compare(runs);
    }
    if (out != null) {
      JsonObject json = runs.size() == 1 ? runs.get(0)
          : new JsonObject().put("workload", "fanout").put("compress", compress).put("runs", new JsonArray(runs));
      Files.writeString(out, json.encodePrettily());
    }
    return 0;
  }

  /** Runs every rate step against the current target; returns its result. */
  private JsonObject run() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    // The publisher has its own event loop, so that the subscribers' traffic cannot hold it back.
    Vertx publisher = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    FanoutTarget t = target(vertx, publisher);
    System.out.printf("fanout bench: %s, %,d subscribers%s, %,d offers%s, rate(s) %s changes/s%n", t.name(), subscribers,
        compress ? " offering permessage-deflate" : "", offers, interest > 0 ? ", " + interest + " followed each" : "",
        rates.stream()
            .map(r -> r == 0 ? "max" : String.format("%,d", r)).collect(java.util.stream.Collectors.joining(", ")));
    t.prepare().await();
    long connectStart = System.nanoTime();
    List<AutoCloseable> open = connect(t);
    System.out.printf("%,d subscribers connected and ready in %.1f s%n", open.size(),
        (System.nanoTime() - connectStart) / 1e9);
    double fraction = interest > 0 && interest < offers && target.equals("pricewire") ? (double) interest / offers : 1;
    List<Step> steps = new ArrayList<>();
    JsonObject found = null;
    if (capacity) {
      found = searchCapacity(publisher, t, open.size(), steps);
    } else {
      for (int r : rates) {
        Step s = runStep(publisher, t, r, open.size() * fraction);
        steps.add(s);
        print(s);
      }
    }
    JsonObject result = report(t, steps);
    if (found != null) {
      result.put("capacity", found);
    }
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    vertx.close().await();
    publisher.close().await();
    return result;
  }

  /** Side by side: each step's delivered rate and latency per target, and the ratio to the first. */
  private void compare(List<JsonObject> runs) {
    System.out.println();
    System.out.printf("side by side, %,d subscribers%s:%n", subscribers, compress ? ", permessage-deflate offered" : "");
    JsonObject first = runs.get(0);
    if (capacity) {
      for (JsonObject r : runs) {
        JsonObject c = r.getJsonObject("capacity");
        System.out.printf("  %-24s capacity %,d changes/s%n", r.getString("name"), c.getInteger("rate"));
      }
      return;
    }
    for (int i = 0; i < first.getJsonArray("steps").size(); i++) {
      for (JsonObject r : runs) {
        JsonObject st = r.getJsonArray("steps").getJsonObject(i);
        JsonObject base = first.getJsonArray("steps").getJsonObject(i);
        double p99 = st.getJsonObject("latency").getDouble("p99_ms");
        System.out.printf("  rate %-7s %-24s delivered %,11d/s  p50 %8.1f ms  p99 %8.1f ms  p99 / %s's %.2f%n",
            String.format("%,d", st.getInteger("rate")), r.getString("name"), st.getLong("delivered_per_second"),
            st.getJsonObject("latency").getDouble("p50_ms"), p99, first.getString("name"),
            p99 / Math.max(0.001, base.getJsonObject("latency").getDouble("p99_ms")));
      }
    }
  }

  /** Publishes at one rate: warm-up, then the measured seconds, then a pause so queues empty. */
  private Step runStep(Vertx vertx, FanoutTarget t, int rate, double receiversPerChange) throws InterruptedException {
    int me = ++step;
    skippedTicks.set(0);
    long timer = -1;
    if (rate > 0) {
      // Publishes what the rate owes since the start, every 10 ms, at most 16 requests in flight.
      AtomicInteger inFlight = new AtomicInteger();
      long begin = System.nanoTime();
      long[] sent = {0};
      timer = vertx.setPeriodic(10, x -> {
        long owed = (long) ((System.nanoTime() - begin) / 1e9 * rate) - sent[0];
        if (owed <= 0) {
          return;
        }
        if (inFlight.get() >= 16) {
          skippedTicks.incrementAndGet();
          return;
        }
        int n = (int) Math.min(owed, Math.max(1, rate / 20));
        sent[0] += n;
        inFlight.incrementAndGet();
        long stamp = Stamps.nowMicros();
        t.publish(n, stamp).onComplete(ar -> {
          inFlight.decrementAndGet();
          publishRequests.recordValue(Math.max(0, Stamps.nowMicros() - stamp));
          if (ar.succeeded() && measuring) {
            published.add(n);
          }
        });
      });
    } else {
      for (int i = 0; i < inflight; i++) {
        vertx.runOnContext(v -> publishLoop(t, me));
      }
    }
    Thread.sleep(warmup * 1000L);
    Usage before = usage();
    delivered.reset();
    published.reset();
    latency.reset();
    publishRequests.reset();
    long skippedBefore = skippedTicks.get();
    measuring = true;
    long start = System.nanoTime();
    long clientCpu = ServerStats.ownCpuNanos();
    Histogram[] thirds = new Histogram[3];
    for (int i = 0; i < 3; i++) {
      Thread.sleep(duration * 1000L / 3);
      thirds[i] = latency.getIntervalHistogram();
    }
    measuring = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    double clientCores = (ServerStats.ownCpuNanos() - clientCpu) / 1e9 / seconds;
    Usage after = usage();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    step++;
    Histogram h = thirds[0].copy();
    h.add(thirds[1]);
    h.add(thirds[2]);
    double publishedPerSecond = published.sum() / seconds;
    Step s = new Step(rate, seconds, publishedPerSecond, delivered.sum() / seconds, publishedPerSecond * receiversPerChange,
        h, thirds[0], thirds[2], (after.cpuSeconds - before.cpuSeconds) / seconds, after.rss, after.heap,
        skippedTicks.get() - skippedBefore, serverPercentiles(before, after), clientCores,
        publishRequests.getIntervalHistogram(), (after.wireBytes - before.wireBytes) / (after.jsonBytes - before.jsonBytes));
    Thread.sleep(3000);
    return s;
  }

  private FanoutTarget target(Vertx vertx, Vertx publisher) {
    switch (target) {
      case "pricewire":
        return new PricewireTarget(vertx, publisher, gateway.url(), gateway.opsUrl, gateway.adminToken,
            transport, offers, interest, subscribers, compress);
      case "broadcaster":
        return new BroadcasterTarget(vertx, publisher, peerUrl("http://127.0.0.1:9100"), offers, subscribers);
      case "nats":
        return new NatsTarget(vertx, publisher, peerUrl("ws://127.0.0.1:9222"), natsUrl, offers, subscribers, compress);
      case "socketio":
        return new SocketIoTarget(vertx, publisher, peerUrl("http://127.0.0.1:9300"), offers, subscribers);
      default:
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
            "--target must be pricewire, broadcaster, nats or socketio, got " + target);
    }
  }

  /** A peer's URL: --url when it is the only target, else where bench/compare.sh starts it. */
  private URI peerUrl(String standard) {
    return targets.size() == 1 ? gateway.urlOr(URI.create(standard)) : URI.create(standard);
  }

  /** Opens the subscribers, a few hundred handshakes at a time. */
  private List<AutoCloseable> connect(FanoutTarget t) throws InterruptedException {
    List<AutoCloseable> open = java.util.Collections.synchronizedList(new ArrayList<>());
    Semaphore slots = new Semaphore(256);
    AtomicInteger failed = new AtomicInteger();
    java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(subscribers);
    for (int i = 0; i < subscribers; i++) {
      slots.acquire();
      int index = i;
      t.subscribe(i, data -> received(index, data)).onComplete(ar -> {
        slots.release();
        if (ar.succeeded()) {
          open.add(ar.result());
        } else if (failed.incrementAndGet() <= 3) {
          System.out.println("subscriber failed: " + ar.cause().getMessage());
        }
        all.countDown();
      });
    }
    all.await();
    if (failed.get() > 0) {
      System.out.printf("%,d subscribers could not connect%n", failed.get());
    }
    return open;
  }

  private void received(int subscriber, Buffer data) {
    long awaited = marker;
    if (!measuring && awaited == 0) {
      return;
    }
    long now = Stamps.nowMicros();
    Stamps.scan(data, stamp -> {
      if (stamp == awaited) {
        if (reached.compareAndSet(subscriber, 0, 1)) {
          reachedCount.incrementAndGet();
        }
      } else if (measuring) {
        delivered.increment();
        latency.recordValue(Math.max(0, Math.min(now - stamp, 60_000_000L)));
      }
    });
  }

  /**
   * The capacity search: a rate holds when its step had p99 within the bound, was published in
   * full without a growing backlog, and every subscriber then received the step's last change.
   */
  private JsonObject searchCapacity(Vertx publisher, FanoutTarget t, int connected, List<Step> steps)
      throws InterruptedException {
    double bound = sustainedP99Ms > 0 ? sustainedP99Ms : 100;
    reached = new java.util.concurrent.atomic.AtomicIntegerArray(subscribers);
    JsonArray probes = new JsonArray();
    int rate = Math.max(1, rates.get(0));
    // A step at the first rate before any probe, so that no probe measures the JIT warming up.
    System.out.println("warm-up step:");
    print(runStep(publisher, t, rate, connected));
    int good = 0;
    int bad = 0;
    while (good == 0 || bad == 0) {
      boolean holds = probe(publisher, t, rate, connected, bound, steps, probes);
      if (holds) {
        good = rate;
        if (bad == 0) {
          rate *= 2;
        }
      } else {
        bad = rate;
        if (good == 0) {
          if (rate == 1) {
            break;
          }
          rate = Math.max(1, rate / 2);
        }
      }
      if (rate > 1_000_000) {
        break;
      }
    }
    for (int i = 0; i < capacityProbes && good > 0 && bad > good + 1; i++) {
      int mid = (good + bad) / 2;
      if (probe(publisher, t, mid, connected, bound, steps, probes)) {
        good = mid;
      } else {
        bad = mid;
      }
    }
    System.out.printf("%n%-24s capacity: %s changes/s (p99 at most %.0f ms, every subscriber at the final state)%n",
        t.name(), good == 0 ? "below 1" : String.format("%,d", good), bound);
    return new JsonObject().put("rate", good).put("p99_bound_ms", bound).put("first_failing_rate", bad)
        .put("probes", probes);
  }

  /** One rate of the search; a rate that does not hold is tried once more (a p99 is one spike away). */
  private boolean probe(Vertx publisher, FanoutTarget t, int rate, int connected, double bound, List<Step> steps,
      JsonArray probes) throws InterruptedException {
    return tryRate(publisher, t, rate, connected, bound, steps, probes)
        || tryRate(publisher, t, rate, connected, bound, steps, probes);
  }

  private boolean tryRate(Vertx publisher, FanoutTarget t, int rate, int connected, double bound, List<Step> steps,
      JsonArray probes) throws InterruptedException {
    Step s = runStep(publisher, t, rate, connected);
    steps.add(s);
    print(s);
    // The last change: every subscriber must get it (Pricewire writes each subscription's changes
    // in seq order, so it comes after every earlier one or the newer state that replaced it).
    for (int i = 0; i < subscribers; i++) {
      reached.set(i, 0);
    }
    reachedCount.set(0);
    long stamp = Stamps.nowMicros();
    marker = stamp;
    t.publish(1, stamp).await();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (reachedCount.get() < connected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    int got = reachedCount.get();
    marker = 0;
    boolean p99 = s.latency.getValueAtPercentile(99) / 1000.0 <= bound;
    boolean holds = got == connected && p99 && s.published >= 0.98 * rate && s.steady();
    System.out.printf("  probe %,d changes/s: p99 %s, %,d of %,d subscribers at the final state: %s%n", rate,
        Percentiles.ms(s.latency.getValueAtPercentile(99)), got, connected, holds ? "holds" : "does not hold");
    probes.add(new JsonObject().put("rate", rate).put("p99_ms", s.latency.getValueAtPercentile(99) / 1000.0)
        .put("final_state", got).put("subscribers", connected).put("holds", holds));
    return holds;
  }

  private void publishLoop(FanoutTarget t, int me) {
    if (step != me) {
      return;
    }
    long stamp = Stamps.nowMicros();
    t.publish(batch, stamp).onComplete(ar -> {
      publishRequests.recordValue(Math.max(0, Stamps.nowMicros() - stamp));
      if (ar.succeeded() && measuring) {
        published.add(batch);
      }
      publishLoop(t, me);
    });
  }

  /** Server CPU seconds, resident and heap memory at one moment; NaN or -1 where unknown. */
  private record Usage(double cpuSeconds, long rss, long heap, java.util.TreeMap<Double, Double> commitToWrite,
      double jsonBytes, double wireBytes) {
  }

  /**
   * The server's own freshness histogram over a step ({@code pricewire_feed_commit_to_write_seconds}):
   * the bucket bounds, in ms, under which half and 99% of the frames were written. Null when the
   * target is not Pricewire or wrote nothing.
   */
  private static double[] serverPercentiles(Usage before, Usage after) {
    if (before.commitToWrite == null || after.commitToWrite == null || after.commitToWrite.isEmpty()) {
      return null;
    }
    double total = after.commitToWrite.lastEntry().getValue()
        - before.commitToWrite.getOrDefault(after.commitToWrite.lastKey(), 0.0);
    if (total <= 0) {
      return null;
    }
    double[] result = {Double.NaN, Double.NaN};
    double[] quantiles = {0.5, 0.99};
    for (int q = 0; q < 2; q++) {
      for (var e : after.commitToWrite.entrySet()) {
        double count = e.getValue() - before.commitToWrite.getOrDefault(e.getKey(), 0.0);
        if (count >= quantiles[q] * total) {
          result[q] = e.getKey() * 1000;
          break;
        }
      }
    }
    return result;
  }

  private Usage usage() {
    double cpu = Double.NaN;
    long rss = -1;
    long heap = -1;
    java.util.TreeMap<Double, Double> buckets = null;
    double json = Double.NaN;
    double wire = Double.NaN;
    // With several targets, the process id given is Pricewire's.
    if (serverPid != null && (targets.size() == 1 || target.equals("pricewire"))) {
      ServerStats stats = new ServerStats(serverPid);
      cpu = stats.cpuSeconds();
      rss = stats.rssBytes();
    }
    if (target.equals("pricewire")) {
      String metrics = scrape();
      if (Double.isNaN(cpu)) {
        cpu = sum(metrics, "process_cpu_seconds_total");
      }
      heap = (long) sum(metrics, "jvm_memory_used_bytes{area=\"heap\"");
      json = sum(metrics, "pricewire_feed_sent_bytes_total{transport=\"" + transport + "\"");
      wire = sum(metrics, "pricewire_feed_wire_bytes_total{transport=\"" + transport + "\"");
      buckets = new java.util.TreeMap<>();
      Matcher b = Pattern.compile("^pricewire_feed_commit_to_write_seconds_bucket\\{le=\"([^\"]+)\"\\} (\\S+)$",
          Pattern.MULTILINE).matcher(metrics);
      while (b.find()) {
        buckets.put(b.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b.group(1)),
            Double.parseDouble(b.group(2)));
      }
    }
    return new Usage(cpu, rss, heap, buckets, json, wire);
  }

  private String scrape() {
    Vertx v = Vertx.vertx();
    try {
      HttpClientAgent http = v.createHttpClient();
      // A scrape that does not answer in time leaves the step's server figures out, not the run hung.
      return http.request(new RequestOptions().setAbsoluteURI(gateway.opsUrl.resolve("/metrics").toString())
              .setTimeout(10_000))
          .compose(r -> r.send()).compose(r -> r.body()).map(Buffer::toString).await();
    } catch (Exception e) {
      return "";
    } finally {
      v.close();
    }
  }

  private static double sum(String metrics, String prefix) {
    Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "[^\\n]* (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    double total = 0;
    boolean any = false;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
      any = true;
    }
    return any ? total : Double.NaN;
  }

  private void print(Step s) {
    System.out.printf("rate %-8s published %,9.0f/s  delivered %,11.0f/s  (offered %,.0f)  %s%n",
        s.rate == 0 ? "max" : String.format("%,d", s.rate), s.published, s.delivered, s.offered,
        s.sustained(sustainedP99Ms) ? "sustained" : "NOT sustained");
    System.out.println("  publish -> client  " + Percentiles.row(s.latency));
    System.out.println("  publish request    " + Percentiles.row(s.publishRequests) + "  (send to answer)");
    if (s.serverCommitToWriteMs != null) {
      System.out.printf("  commit -> write    (server histogram) p50 <= %s ms, p99 <= %s ms%n",
          bound(s.serverCommitToWriteMs[0]), bound(s.serverCommitToWriteMs[1]));
    }
    System.out.printf("  median             first third %s, last third %s%s%n",
        Percentiles.ms(s.firstThird.getValueAtPercentile(50)), Percentiles.ms(s.lastThird.getValueAtPercentile(50)),
        s.steady() ? "" : "  (growing: a backlog builds up)");
    System.out.printf("  server             %s CPU cores%s%s%s%n", Double.isNaN(s.cpuCores) ? "?"
        : String.format("%.2f", s.cpuCores), s.rss > 0 ? String.format(", RSS %,d MB", s.rss >> 20) : "",
        s.heap > 0 ? String.format(", heap in use %,d MB", s.heap >> 20) : "",
        s.skipped > 0 ? String.format(", %d publish ticks skipped (requests backed up)", s.skipped) : "");
    System.out.printf("  load generator     %.2f CPU cores (subscribers and publisher, this process)%n", s.clientCores);
    if (Double.isFinite(s.wireRatio)) {
      System.out.printf("  bytes on the wire  %.3f of the JSON written (server counters)%n", s.wireRatio);
    }
  }

  private JsonObject report(FanoutTarget t, List<Step> steps) {
    JsonArray all = new JsonArray();
    Step best = null;
    for (Step s : steps) {
      all.add(json(s));
      if (s.sustained(sustainedP99Ms) && (best == null || s.delivered > best.delivered)) {
        best = s;
      }
    }
    Step peak = steps.stream().max(java.util.Comparator.comparingDouble(Step::delivered)).orElseThrow();
    System.out.println();
    System.out.printf("%-24s %s%n", t.name(), best == null ? "no step was sustained"
        : String.format("max sustained: %,.0f updates/s delivered at %,d changes/s, p99 %s", best.delivered,
            best.rate, Percentiles.ms(best.latency.getValueAtPercentile(99))));
    System.out.printf("%-24s peak: %,.0f updates/s delivered%n", "", peak.delivered);
    JsonObject json = new JsonObject().put("workload", "fanout").put("target", target).put("name", t.name())
        .put("transport", transport).put("compress", compress).put("subscribers", subscribers).put("offers", offers)
        .put("interest", interest)
        .put("sustained_p99_ms", sustainedP99Ms).put("steps", all)
        .put("max_sustained", best == null ? null : json(best)).put("peak", json(peak));
    System.out.println(json.encode());
    return json;
  }

  private static String bound(double ms) {
    return Double.isInfinite(ms) ? "inf" : String.format("%.0f", ms);
  }

  private JsonObject json(Step s) {
    return new JsonObject().put("rate", s.rate).put("seconds", s.seconds)
        .put("published_per_second", Math.round(s.published))
        .put("delivered_per_second", Math.round(s.delivered))
        .put("offered_per_second", Math.round(s.offered))
        .put("sustained", s.sustained(sustainedP99Ms))
        .put("steady", s.steady())
        .put("median_first_third_ms", s.firstThird.getValueAtPercentile(50) / 1000.0)
        .put("median_last_third_ms", s.lastThird.getValueAtPercentile(50) / 1000.0)
        .put("latency", Percentiles.json(s.latency))
        .put("publish_request", Percentiles.json(s.publishRequests))
        .put("server_cpu_cores", Double.isNaN(s.cpuCores) ? null : s.cpuCores)
        .put("server_rss_bytes", s.rss > 0 ? s.rss : null)
        .put("server_heap_bytes", s.heap > 0 ? s.heap : null)
        .put("load_generator_cpu_cores", s.clientCores)
        .put("skipped_ticks", s.skipped)
        .put("wire_to_json_bytes", Double.isFinite(s.wireRatio) ? s.wireRatio : null)
        .put("server_commit_to_write_p50_ms_at_most", s.serverCommitToWriteMs == null
            || Double.isInfinite(s.serverCommitToWriteMs[0]) ? null : s.serverCommitToWriteMs[0])
        .put("server_commit_to_write_p99_ms_at_most", s.serverCommitToWriteMs == null
            || Double.isInfinite(s.serverCommitToWriteMs[1]) ? null : s.serverCommitToWriteMs[1]);
  }
}
