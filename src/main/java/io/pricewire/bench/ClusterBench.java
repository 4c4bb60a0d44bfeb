package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fan-out against a cluster of 1, 2, 3 ... nodes in one invocation: for each size, a fresh
 * database and that many gateway processes in clustered mode (a single node too, as a cluster of
 * one, so that every size pays for clustering alike), subscribers spread round-robin over the
 * nodes, one supplier posting small requests at a set rate to node 1. Latency is split by the
 * node that served the client: node 1 commits, the others receive each commit over the clustered
 * event bus. Gateway CPU comes from each node's own {@code process_cpu_seconds_total}. Then, with
 * two nodes, what it costs a node to catch up: node 2 stopped (SIGSTOP) while node 1 ingests
 * fast, continued, timed until it holds the log's head again and its clients the final state.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fan-out against a cluster of 1, 2 and 3 nodes (clustered mode on PostgreSQL), in one invocation.",
        "Starts everything itself: for each --nodes size a fresh database on --pg-admin-uri and that many gateways "
            + "(java -jar --jar), authentication on; stops them (SIGTERM) and drops the database at the end.",
        "Per size: delivered updates/s, latency from the supplier's send to the client's receipt for clients of node 1 "
            + "(where the commit happens) and of the other nodes, gateway CPU per 1,000 delivered updates (each node's "
            + "process_cpu_seconds_total), the peer commit-to-write p99, gaps filled, and a check that every "
            + "subscriber ends with the committed version of every offer (read from PostgreSQL).",
        "--repair (on by default, --no-repair to skip): with 2 nodes, SIGSTOP node 2 for --repair-pause seconds while "
            + "node 1 ingests at --repair-rate; ingest stops, node 2 is continued and timed until it holds the log's "
            + "head and its clients the final state: entries read back from PostgreSQL "
            + "(pricewire_ledger_gap_entries_total), repair time, entries per second, CPU.",
        "Only one such run at a time on a machine: it loads every core."})
public final class ClusterBench implements Callable<Integer> {

  static final String SUPPLIER = "bench-cluster";
  private static final Duration READY = Duration.ofSeconds(120);

  @Option(names = "--nodes", defaultValue = "1,2,3", split = ",", description = "Cluster sizes, one after the other "
      + "(default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--subscribers", defaultValue = "300", description = "WebSocket subscribers, spread round-robin over "
      + "the nodes, each following the supplier's whole catalog (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--offers", defaultValue = "1000", description = "Offers of the supplier's catalog, seeded first "
      + "(default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--rate", defaultValue = "200", description = "Changes per second the supplier posts to node 1, in "
      + "NDJSON requests of 1 to 10 items (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--duration", defaultValue = "20", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--compress", defaultValue = "true", fallbackValue = "true", negatable = true, description = "Subscribers offer "
      + "permessage-deflate, as browsers do (default: ${DEFAULT-VALUE}; --no-compress for plain frames).")
  boolean compress;

  @Option(names = "--pg-admin-uri", description = "PostgreSQL whose user may create databases; the bench creates one "
      + "per cluster and drops it (default: $PRICEWIRE_TEST_PG_URI, else postgresql://postgres@127.0.0.1:5432/postgres).")
  String pgAdminUri;

  @Option(names = "--jar", description = "The gateway's jar, run as java -jar by every node (default: the jar this "
      + "command runs from, else target/pricewire.jar). Do not rebuild it while a run uses it.")
  Path jar;

  @Option(names = "--node-heap", defaultValue = "256m", description = "Heap of each node (-Xmx) (default: ${DEFAULT-VALUE}).")
  String nodeHeap;

  @Option(names = "--settle", defaultValue = "30", description = "Seconds the subscribers may take, after the last "
      + "write, to hold the committed state (default: ${DEFAULT-VALUE}).")
  int settle;

  @Option(names = "--repair", defaultValue = "true", fallbackValue = "true", negatable = true, description = "Run the repair phase after the "
      + "fan-out (default: ${DEFAULT-VALUE}; --no-repair to skip it).")
  boolean repair;

  @Option(names = "--repair-rate", defaultValue = "5000", description = "Changes per second posted to node 1 while "
      + "node 2 is stopped (default: ${DEFAULT-VALUE}).")
  int repairRate;

  @Option(names = "--repair-pause", defaultValue = "15", description = "Seconds node 2 stays stopped (default: "
      + "${DEFAULT-VALUE}).")
  int repairPause;

  @Option(names = "--repair-subscribers", defaultValue = "20", description = "Subscribers during the repair phase, "
      + "half on each node: few, so that the figures are the catch-up's and not a fan-out's (default: ${DEFAULT-VALUE}).")
  int repairSubscribers;

  @Option(names = "--repair-failure-timeout-ms", defaultValue = "30000,5000", split = ",", description = {
      "PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS of the repair cluster; one repair run for each value (default: "
          + "${DEFAULT-VALUE}).",
      "Longer than --repair-pause (30000 is the gateway's default): node 2 stays a member through the stop, and what "
          + "the bus held for it arrives late, racing what it reads back. Shorter: node 1 drops it from the cluster, "
          + "and it reads what it missed from PostgreSQL, then merges back."})
  List<Long> repairFailureTimeoutsMs;

  @Option(names = "--db-process", defaultValue = "postgres", description = "Process name of the database server, for "
      + "its CPU when it runs on this machine (default: ${DEFAULT-VALUE}).")
  String dbProcess;

  @Option(names = "--out", description = "Write the result as JSON to this file (default: bench/results/"
      + "cluster-<date>.json).")
  Path out;

  @Option(names = "--log-dir", description = "Where the nodes' logs go (default: the --out file's directory).")
  Path logDir;

  private Vertx vertx;
  private Vertx publisherVertx;
  private HttpClientAgent http;
  private WebSocketClient ws;
  private final String adminToken = secret(24);
  private final String jwtSecret = secret(32);
  private final String runId = secret(4);
  /** Everything started, for the shutdown hook when the run is interrupted. */
  private final List<AutoCloseable> live = new CopyOnWriteArrayList<>();
  private volatile boolean measuring;

  @Override
  public Integer call() throws Exception {
    if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1) || subscribers < 1 || offers < 1 || rate < 1) {
      System.out.println("--nodes, --subscribers, --offers and --rate must be positive");
      return 2;
    }
    if (pgAdminUri == null) {
      String env = System.getenv("PRICEWIRE_TEST_PG_URI");
      pgAdminUri = env != null && !env.isBlank() ? env : "postgresql://postgres@127.0.0.1:5432/postgres";
    }
    if (jar == null) {
      jar = ownJar();
    }
    if (!Files.isRegularFile(jar)) {
      System.out.println("no gateway jar at " + jar + " (--jar; build it with mvn package)");
      return 2;
    }
    if (out == null) {
      out = Path.of("bench", "results", "cluster-" + LocalDate.now() + ".json");
    }
    if (logDir == null) {
      logDir = out.toAbsolutePath().getParent();
    }
    Thread hook = new Thread(this::closeLive, "cluster-bench-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int cores = Runtime.getRuntime().availableProcessors();
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    // The publisher has its own event loop, so that the subscribers' traffic cannot hold it back.
    publisherVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    http = publisherVertx.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(8192),
        new PoolOptions().setHttp1MaxSize(16));
    int most = Math.max(subscribers, repairSubscribers);
    ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(most + 16)
        .setMaxMessageSize(64 * 1024 * 1024).setTryUsePerMessageCompression(compress));
    System.out.printf("cluster bench: nodes %s, %,d subscribers%s, %,d offers of one supplier, %,d changes/s to node 1, "
            + "%d s warm-up, %d s measured; jar %s, -Xmx%s per node; %d cores here%n", sizes, subscribers,
        compress ? " offering permessage-deflate" : "", offers, rate, warmup, duration, jar, nodeHeap, cores);
    JsonArray runs = new JsonArray();
    JsonArray repaired = new JsonArray();
    try {
      // A size that fails (a node that does not start, say) is reported, and the others still run.
      for (int n : sizes) {
        runs.add(attempt(() -> fanout(n), new JsonObject().put("nodes", n)));
      }
      if (repair) {
        for (long timeout : repairFailureTimeoutsMs) {
          repaired.add(attempt(() -> repair(timeout), new JsonObject().put("failure_timeout_ms", timeout)));
        }
      }
    } finally {
      closeLive();
      vertx.close().await();
      publisherVertx.close().await();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    table(runs, repaired);
    JsonObject json = new JsonObject().put("workload", "cluster").put("date", java.time.Instant.now().toString())
        .put("cores", cores).put("subscribers", subscribers).put("offers", offers).put("rate", rate)
        .put("compress", compress).put("warmup_seconds", warmup).put("duration_seconds", duration)
        .put("node_heap", nodeHeap).put("runs", runs).put("repair", repair ? repaired : null);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json.encodePrettily());
    System.out.println("written to " + out);
    return 0;
  }

  private JsonObject attempt(Callable<JsonObject> run, JsonObject what) {
    try {
      return run.call();
    } catch (Exception e) {
      System.out.println("FAILED: " + e);
      closeLive();
      return what.put("error", e.toString());
    }
  }

  // ---- one cluster size ----

  private JsonObject fanout(int n) throws Exception {
    System.out.printf("%n== %d node(s), %,d subscribers, %,d changes/s%n", n, subscribers, rate);
    try (Cluster cluster = Cluster.start(this, n, Integer.toString(n), 0)) {
      cluster.seed();
      List<Subscriber> subs = connect(cluster, subscribers);
      Load load = new Load(n);
      for (Subscriber s : subs) {
        s.load = load;
      }
      List<BenchNode.Scrape> start = cluster.scrapeAll();
      Publisher pub = new Publisher(cluster, rate, 16);
      pub.start();
      Thread.sleep(warmup * 1000L);

      List<BenchNode.Scrape> before = cluster.scrapeAll();
      double db0 = dbCpu();
      long own0 = ServerStats.ownCpuNanos();
      load.reset();
      pub.count(true);
      measuring = true;
      long t0 = System.nanoTime();
      Thread.sleep(duration * 1000L);
      measuring = false;
      pub.count(false);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double ownCores = (ServerStats.ownCpuNanos() - own0) / 1e9 / seconds;
      double dbCores = (dbCpu() - db0) / seconds;
      List<BenchNode.Scrape> after = cluster.scrapeAll();
      Histogram[] latency = load.histograms();
      pub.stop();

      JsonObject state = finalState(cluster, subs, pub);
      List<BenchNode.Scrape> end = cluster.scrapeAll();
      JsonObject result = report(n, cluster, subs, load, latency, seconds, pub, before, after, start, end, ownCores,
          dbCores).put("final_state", state);
      closeAll(subs);
      cluster.stop();
      return result;
    }
  }

  /** Waits until every subscriber holds the committed version of every offer, and says how it ended. */
  private JsonObject finalState(Cluster cluster, List<Subscriber> subs, Publisher pub) throws InterruptedException {
    long[] committed = committed(cluster);
    long t0 = System.nanoTime();
    long deadline = t0 + settle * 1_000_000_000L;
    int current = current(subs, committed);
    while (current < subs.size() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      current = current(subs, committed);
    }
    double took = (System.nanoTime() - t0) / 1e9;
    long closed = subs.stream().filter(s -> s.closed).count();
    System.out.printf("final state: %,d of %,d subscribers hold the committed version of all %,d offers (%s after the "
            + "last write acknowledged; %,d changes written in all)%s%n", current, subs.size(), offers,
        current == subs.size() ? String.format("%.1f s", took) : "not within " + settle + " s", pub.sent(),
        closed > 0 ? String.format("; %,d connections closed by the gateway", closed) : "");
    JsonObject json = new JsonObject().put("subscribers", subs.size()).put("current", current)
        .put("seconds", current == subs.size() ? took : null).put("closed", closed).put("changes_written", pub.sent());
    if (current < subs.size()) {
      for (Subscriber s : subs) {
        String d = s.difference(committed);
        if (d != null) {
          System.out.println("  e.g. subscriber " + s.index + " on node-" + (s.node + 1) + ": " + d);
          json.put("example", "subscriber " + s.index + " on node-" + (s.node + 1) + ": " + d);
          break;
        }
      }
    }
    return json;
  }

  private long[] committed(Cluster cluster) {
    long[] versions = new long[offers];
    java.util.Arrays.fill(versions, -1);
    cluster.db.committedVersions(SUPPLIER).forEach((sku, v) -> {
      int i = Integer.parseInt(sku.substring(1));
      if (i < offers) {
        versions[i] = v;
      }
    });
    return versions;
  }

  private static int current(List<Subscriber> subs, long[] committed) {
    int n = 0;
    for (Subscriber s : subs) {
      if (s.difference(committed) == null) {
        n++;
      }
    }
    return n;
  }

  private JsonObject report(int n, Cluster cluster, List<Subscriber> subs, Load load, Histogram[] latency,
      double seconds, Publisher pub, List<BenchNode.Scrape> before, List<BenchNode.Scrape> after,
      List<BenchNode.Scrape> start, List<BenchNode.Scrape> end, double ownCores, double dbCores) {
    Histogram all = Percentiles.micros();
    Histogram others = Percentiles.micros();
    long delivered = 0;
    double cpu = 0;
    double gaps = 0;
    double gapEntries = 0;
    TreeMap<Double, Double> peer = new TreeMap<>();
    JsonArray nodes = new JsonArray();
    Histogram requests = pub.requests();
    System.out.printf("%d node(s): published %,.0f changes/s (%,d publish ticks skipped, %,d requests failed), "
            + "publish request %s%n", n, pub.counted() / seconds, pub.skipped.get(), pub.failed.get(),
        Percentiles.row(requests));
    for (int i = 0; i < n; i++) {
      int index = i;
      all.add(latency[i]);
      if (i > 0) {
        others.add(latency[i]);
      }
      long got = load.delivered[i].sum();
      delivered += got;
      double nodeCpu = after.get(i).value("process_cpu_seconds_total") - before.get(i).value("process_cpu_seconds_total");
      cpu += nodeCpu;
      double nodeGaps = end.get(i).value("pricewire_ledger_gaps_total") - start.get(i).value("pricewire_ledger_gaps_total");
      double nodeEntries = end.get(i).value("pricewire_ledger_gap_entries_total")
          - start.get(i).value("pricewire_ledger_gap_entries_total");
      gaps += nodeGaps;
      gapEntries += nodeEntries;
      TreeMap<Double, Double> peerHere = delta(after.get(i).buckets("pricewire_feed_peer_commit_to_write_seconds"),
          before.get(i).buckets("pricewire_feed_peer_commit_to_write_seconds"));
      peerHere.forEach((k, v) -> peer.merge(k, v, Double::sum));
      double[] local = bounds(delta(after.get(i).buckets("pricewire_feed_commit_to_write_seconds"),
          before.get(i).buckets("pricewire_feed_commit_to_write_seconds")));
      double[] peerBounds = bounds(peerHere);
      long clients = subs.stream().filter(s -> s.node == index).count();
      System.out.printf("  node-%d: %,d subscribers, delivered %,.0f updates/s, %s%n", i + 1, clients, got / seconds,
          Percentiles.row(latency[i]));
      System.out.printf("          CPU %.2f cores (%.1f ms per 1,000 of its updates), commit -> write p99 <= %s ms%s, "
              + "gaps %.0f (%.0f entries read back), behind at the end %.0f%n", nodeCpu / seconds,
          got > 0 ? nodeCpu * 1e6 / got : Double.NaN, bound(local[1]),
          i == 0 ? "" : ", peer commit -> write p99 <= " + bound(peerBounds[1]) + " ms", nodeGaps, nodeEntries,
          end.get(i).value("pricewire_ledger_behind"));
      nodes.add(new JsonObject().put("node", "node-" + (i + 1)).put("subscribers", clients)
          .put("delivered_per_second", Math.round(got / seconds)).put("latency", Percentiles.json(latency[i]))
          .put("cpu_seconds", nodeCpu).put("cpu_cores", nodeCpu / seconds)
          .put("cpu_ms_per_1000_updates", got > 0 ? nodeCpu * 1e6 / got : null)
          .put("commit_to_write_p50_ms_at_most", finite(local[0])).put("commit_to_write_p99_ms_at_most", finite(local[1]))
          .put("peer_commit_to_write_p50_ms_at_most", i == 0 ? null : finite(peerBounds[0]))
          .put("peer_commit_to_write_p99_ms_at_most", i == 0 ? null : finite(peerBounds[1]))
          .put("gaps", nodeGaps).put("gap_entries", nodeEntries)
          .put("behind_at_end", end.get(i).value("pricewire_ledger_behind"))
          .put("members_at_end", end.get(i).value("pricewire_cluster_members")));
    }
    double published = pub.counted() / seconds;
    double[] peerBounds = bounds(peer);
    double msPer1000 = delivered > 0 ? cpu * 1e6 / delivered : Double.NaN;
    System.out.printf("  all: delivered %,.0f updates/s of %,.0f offered, %s%n", delivered / seconds,
        published * subs.size(), Percentiles.row(all));
    System.out.printf("  gateways %.2f CPU cores in all, %.1f ms per 1,000 delivered updates; database %s cores; "
            + "load generator %.2f cores%n", cpu / seconds, msPer1000,
        Double.isNaN(dbCores) ? "?" : String.format("%.2f", dbCores), ownCores);
    return new JsonObject().put("nodes", n).put("subscribers", subs.size()).put("seconds", seconds)
        .put("rate", rate).put("published_per_second", Math.round(published))
        .put("offered_per_second", Math.round(published * subs.size()))
        .put("delivered_per_second", Math.round(delivered / seconds))
        .put("latency", Percentiles.json(all))
        .put("latency_local", Percentiles.json(latency[0]))
        .put("latency_other_nodes", n > 1 ? Percentiles.json(others) : null)
        .put("publish_request", Percentiles.json(requests))
        .put("skipped_ticks", pub.skipped.get()).put("failed_requests", pub.failed.get())
        .put("gateway_cpu_seconds", cpu).put("gateway_cpu_cores", cpu / seconds)
        .put("cpu_ms_per_1000_updates", Double.isFinite(msPer1000) ? msPer1000 : null)
        .put("database_cpu_cores", Double.isNaN(dbCores) ? null : dbCores)
        .put("load_generator_cpu_cores", ownCores)
        .put("peer_commit_to_write_p99_ms_at_most", n > 1 ? finite(peerBounds[1]) : null)
        .put("gaps", gaps).put("gap_entries", gapEntries)
        .put("per_node", nodes);
  }

  // ---- the repair phase ----

  private JsonObject repair(long failureTimeoutMs) throws Exception {
    System.out.printf("%n== repair: 2 nodes (failure timeout %,d ms), node-2 stopped for %d s while node-1 takes %,d "
        + "changes/s, %,d subscribers%n", failureTimeoutMs, repairPause, repairRate, repairSubscribers);
    try (Cluster cluster = Cluster.start(this, 2, "repair-" + failureTimeoutMs, failureTimeoutMs)) {
      cluster.seed();
      List<Subscriber> subs = connect(cluster, repairSubscribers);
      List<Subscriber> onTwo = subs.stream().filter(s -> s.node == 1).toList();
      BenchNode one = cluster.nodes.get(0);
      BenchNode two = cluster.nodes.get(1);
      // More requests in flight than in the fan-out: the point is many log entries, not small requests.
      Publisher pub = new Publisher(cluster, repairRate, 64);
      pub.start();
      Thread.sleep(Math.min(warmup, 5) * 1000L);

      BenchNode.Scrape twoBefore = two.metrics();
      long sentBefore = pub.sent();
      two.pause();
      long paused = System.nanoTime();
      Thread.sleep(repairPause * 1000L);
      pub.stop();
      double stopped = (System.nanoTime() - paused) / 1e9;
      long written = pub.sent() - sentBefore;
      long head = (long) one.metrics().value("pricewire_ledger_head_seq");
      long position = (long) twoBefore.value("pricewire_ledger_head_seq");
      long[] committed = committed(cluster);
      BenchNode.Scrape oneBefore = one.metrics();
      double db0 = dbCpu();
      long own0 = ServerStats.ownCpuNanos();
      System.out.printf("node-2 stopped %.1f s at seq %,d; %,d changes written meanwhile (%,.0f/s); log head %,d; "
          + "continuing it%n", stopped, position, written, written / stopped, head);

      double oneSaw = oneBefore.value("pricewire_cluster_members");
      two.resume();
      long resumed = System.nanoTime();
      double ledgerAt = -1;
      double clientsAt = -1;
      // Back in the cluster: both nodes see two members and node-2 is ready, for 5 s on end (a
      // node continued after it was dropped still believes for a moment that nothing happened).
      double togetherFrom = -1;
      boolean apart = false;
      BenchNode.Scrape twoCaught = null;
      BenchNode.Scrape oneCaught = null;
      double dbCaught = Double.NaN;
      long ownCaught = 0;
      long deadline = resumed + 180_000_000_000L;
      while (System.nanoTime() < deadline) {
        BenchNode.Scrape m = two.metrics();
        BenchNode.Scrape o = one.metrics();
        // After the scrapes, which a busy node answers late: the times are upper bounds.
        double at = (System.nanoTime() - resumed) / 1e9;
        if (ledgerAt < 0 && m.value("pricewire_ledger_head_seq") >= head) {
          ledgerAt = at;
        }
        if (clientsAt < 0 && current(onTwo, committed) == onTwo.size()) {
          clientsAt = at;
        }
        if (twoCaught == null && ledgerAt >= 0 && clientsAt >= 0) {
          // The CPU figures end here, when node-2 holds the head and its clients are current.
          twoCaught = m;
          oneCaught = o;
          dbCaught = dbCpu();
          ownCaught = ServerStats.ownCpuNanos();
        }
        boolean together = m.value("pricewire_cluster_members") == 2 && o.value("pricewire_cluster_members") == 2
            && two.ready();
        if (!together) {
          apart = true;
          togetherFrom = -1;
        } else if (togetherFrom < 0) {
          togetherFrom = at;
        }
        if (twoCaught != null && togetherFrom >= 0 && at - togetherFrom >= 5) {
          break;
        }
        Thread.sleep(100);
      }
      double rejoinedAt = togetherFrom;
      double caughtUp = ledgerAt < 0 || clientsAt < 0 ? -1 : Math.max(ledgerAt, clientsAt);
      if (twoCaught == null) {
        twoCaught = two.metrics();
        oneCaught = one.metrics();
        dbCaught = dbCpu();
        ownCaught = ServerStats.ownCpuNanos();
      }
      double ownSeconds = (ownCaught - own0) / 1e9;
      double dbSeconds = dbCaught - db0;
      BenchNode.Scrape twoAfter = two.metrics();
      double entries = twoAfter.value("pricewire_ledger_gap_entries_total")
          - twoBefore.value("pricewire_ledger_gap_entries_total");
      double gaps = twoAfter.value("pricewire_ledger_gaps_total") - twoBefore.value("pricewire_ledger_gaps_total");
      double repairs = twoAfter.value("pricewire_ledger_gap_repair_seconds_count")
          - twoBefore.value("pricewire_ledger_gap_repair_seconds_count");
      double repairSum = twoAfter.value("pricewire_ledger_gap_repair_seconds_sum")
          - twoBefore.value("pricewire_ledger_gap_repair_seconds_sum");
      double repairMax = twoAfter.value("pricewire_ledger_gap_repair_seconds_max");
      double twoCpu = twoCaught.value("process_cpu_seconds_total") - twoBefore.value("process_cpu_seconds_total");
      double oneCpu = oneCaught.value("process_cpu_seconds_total") - oneBefore.value("process_cpu_seconds_total");
      long behind = head - position;
      long closed = subs.stream().filter(s -> s.closed).count();
      int current = current(subs, committed);
      System.out.printf("node-2 back: log head reached after %s, its %,d clients current after %s; node-1 saw %.0f "
              + "member(s) at the end of the stop; %s%n", seconds(ledgerAt), onTwo.size(), seconds(clientsAt), oneSaw,
          apart ? "the two were apart after it, together again (both see 2 members, node-2 ready) after "
              + seconds(rejoinedAt) : "they stayed one cluster");
      System.out.printf("  %,d entries behind; %,.0f read back from PostgreSQL in %.0f gap(s) (repair time %.2f s in "
              + "all, %.0f repairs, longest %.2f s), the rest over the bus; %s entries/s caught up%n", behind, entries,
          gaps, repairSum, repairs, repairMax, caughtUp > 0 ? String.format("%,.0f", behind / caughtUp) : "?");
      System.out.printf("  CPU from the stop to the catch-up: node-2 %.2f s (%.0f ms per 1,000 entries caught up), "
              + "node-1 %.2f s, database %s s, load generator %.2f s%n", twoCpu,
          behind > 0 ? twoCpu * 1e6 / behind : Double.NaN, oneCpu,
          Double.isNaN(dbSeconds) ? "?" : String.format("%.2f", dbSeconds), ownSeconds);
      System.out.printf("  at the end: %,d of %,d subscribers hold the committed state%s; gaps on node-1 %.0f%n",
          current, subs.size(), closed > 0 ? String.format(", %,d connections closed by the gateway", closed) : "",
          oneCaught.value("pricewire_ledger_gaps_total"));
      JsonObject result = new JsonObject().put("nodes", 2).put("subscribers", subs.size())
          .put("rate", repairRate).put("pause_seconds", repairPause).put("failure_timeout_ms", failureTimeoutMs)
          .put("stopped_seconds", stopped).put("changes_while_paused", written)
          .put("ingested_per_second_while_paused", Math.round(written / stopped))
          .put("position_at_stop", position).put("log_head", head).put("entries_behind", behind)
          .put("entries_read_back", entries).put("gaps", gaps).put("repairs", repairs)
          .put("repair_seconds_sum", repairSum).put("repair_seconds_max", repairMax)
          .put("ledger_caught_up_seconds", ledgerAt >= 0 ? ledgerAt : null)
          .put("clients_current_seconds", clientsAt >= 0 ? clientsAt : null)
          .put("node1_members_at_end_of_stop", oneSaw).put("apart_after_stop", apart)
          .put("together_again_seconds", rejoinedAt >= 0 ? rejoinedAt : null)
          .put("entries_per_second", caughtUp > 0 ? behind / caughtUp : null)
          .put("node2_cpu_seconds", twoCpu).put("node1_cpu_seconds", oneCpu)
          .put("node2_cpu_ms_per_1000_entries", behind > 0 ? twoCpu * 1e6 / behind : null)
          .put("database_cpu_seconds", Double.isNaN(dbSeconds) ? null : dbSeconds)
          .put("load_generator_cpu_seconds", ownSeconds)
          .put("subscribers_current", current).put("closed", closed)
          .put("node1_gaps_total", oneCaught.value("pricewire_ledger_gaps_total"));
      closeAll(subs);
      cluster.stop();
      return result;
    }
  }

  // ---- the table ----

  private void table(JsonArray runs, JsonArray repaired) {
    System.out.println();
    System.out.println("| nodes | subscribers | changes/s offered | updates/s delivered | p50 | p99 (local node) "
        + "| p99 (other nodes) | CPU ms per 1,000 updates | gaps |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Object o : runs) {
      JsonObject r = (JsonObject) o;
      if (r.containsKey("error")) {
        System.out.printf("| %d | failed: %s |%n", r.getInteger("nodes"), r.getString("error"));
        continue;
      }
      JsonObject other = r.getJsonObject("latency_other_nodes");
      System.out.printf("| %d | %,d | %,d | %,d | %s | %s | %s | %s | %.0f |%n", r.getInteger("nodes"),
          r.getInteger("subscribers"), r.getLong("published_per_second"), r.getLong("delivered_per_second"),
          ms(r.getJsonObject("latency").getDouble("p50_ms")), ms(r.getJsonObject("latency_local").getDouble("p99_ms")),
          other == null ? "" : ms(other.getDouble("p99_ms")),
          r.getDouble("cpu_ms_per_1000_updates") == null ? "" : String.format("%.1f", r.getDouble("cpu_ms_per_1000_updates")),
          r.getDouble("gaps"));
    }
    if (repaired.isEmpty()) {
      return;
    }
    System.out.println();
    System.out.println("| failure timeout | node-2 stopped | node-1 dropped it | changes meanwhile | entries behind "
        + "| read back from PostgreSQL | log head reached | its clients current | entries/s caught up | node-2 CPU "
        + "| CPU ms per 1,000 entries |");
    System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Object o : repaired) {
      JsonObject r = (JsonObject) o;
      if (r.containsKey("error")) {
        System.out.printf("| %,d ms | failed: %s |%n", r.getLong("failure_timeout_ms"), r.getString("error"));
        continue;
      }
      Double perSecond = r.getDouble("entries_per_second");
      Double perEntry = r.getDouble("node2_cpu_ms_per_1000_entries");
      System.out.printf("| %,d ms | %.1f s | %s | %,d (%,d/s) | %,d | %,.0f | %s | %s | %s | %.2f s | %s |%n",
          r.getLong("failure_timeout_ms"), r.getDouble("stopped_seconds"),
          r.getDouble("node1_members_at_end_of_stop") == 1 ? "yes" : "no", r.getLong("changes_while_paused"),
          r.getLong("ingested_per_second_while_paused"), r.getLong("entries_behind"), r.getDouble("entries_read_back"),
          seconds(orNone(r.getDouble("ledger_caught_up_seconds"))), seconds(orNone(r.getDouble("clients_current_seconds"))),
          perSecond == null ? "?" : String.format("%,.0f", perSecond), r.getDouble("node2_cpu_seconds"),
          perEntry == null ? "?" : String.format("%.0f", perEntry));
    }
  }

  private static String ms(double ms) {
    return ms >= 100 ? String.format("%,.0f ms", ms) : String.format("%.1f ms", ms);
  }

  private static double orNone(Double seconds) {
    return seconds == null ? -1 : seconds;
  }

  private static String seconds(double s) {
    return s < 0 ? "not within 180 s" : String.format("%.1f s", s);
  }

  // ---- subscribers ----

  /** Opens the subscribers, subscriber i on node i mod N, a few hundred handshakes at a time. */
  private List<Subscriber> connect(Cluster cluster, int count) throws InterruptedException {
    List<Subscriber> subs = new ArrayList<>();
    Semaphore slots = new Semaphore(100);
    AtomicInteger failed = new AtomicInteger();
    java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(count);
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      Subscriber s = new Subscriber(i, i % cluster.nodes.size(), offers);
      subs.add(s);
      s.connect(cluster.nodes.get(s.node), cluster.token).onComplete(ar -> {
        slots.release();
        if (ar.failed() && failed.incrementAndGet() <= 3) {
          System.out.println("subscriber failed: " + ar.cause().getMessage());
        }
        all.countDown();
      });
    }
    all.await();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " subscribers could not connect");
    }
    System.out.printf("%,d subscribers connected and holding the snapshot in %.1f s%n", count,
        (System.nanoTime() - t0) / 1e9);
    return subs;
  }

  private static void closeAll(List<Subscriber> subs) {
    for (Subscriber s : subs) {
      s.close();
    }
  }

  /** What the clients of each node received during the measured window. */
  private static final class Load {
    final Recorder[] latency;
    final LongAdder[] delivered;

    Load(int nodes) {
      latency = new Recorder[nodes];
      delivered = new LongAdder[nodes];
      for (int i = 0; i < nodes; i++) {
        latency[i] = new Recorder(3);
        delivered[i] = new LongAdder();
      }
    }

    void reset() {
      for (int i = 0; i < latency.length; i++) {
        latency[i].reset();
        delivered[i].reset();
      }
    }

    Histogram[] histograms() {
      Histogram[] h = new Histogram[latency.length];
      for (int i = 0; i < h.length; i++) {
        h[i] = latency[i].getIntervalHistogram();
      }
      return h;
    }
  }

  /**
   * One storefront on one node, following the supplier: keeps the version it holds of each offer
   * (from its snapshot and every update, in the order received, as a client applies them) and,
   * while measuring, each update's latency from its send stamp.
   */
  private final class Subscriber {
    final int index;
    final int node;
    final AtomicLongArray versions;
    volatile Load load;
    volatile boolean closed;
    private volatile boolean closing;
    private WebSocket socket;

    Subscriber(int index, int node, int offers) {
      this.index = index;
      this.node = node;
      this.versions = new AtomicLongArray(offers);
      for (int i = 0; i < offers; i++) {
        versions.set(i, -1);
      }
    }

    Future<Void> connect(BenchNode to, String token) {
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(to.httpPort)
          .setURI("/v1/feed").setAllowOriginHeader(false);
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      return ws.connect(options).compose(s -> {
        socket = s;
        ClientInflate.install(s);
        Promise<Void> ready = Promise.promise();
        s.closeHandler(v -> {
          if (!closing) {
            closed = true;
          }
          ready.tryFail("closed by the gateway before its snapshot");
        });
        s.handler(data -> received(data, ready));
        JsonObject subscribe = new JsonObject().put("op", "subscribe").put("id", "bench")
            .put("suppliers", new JsonArray().add(SUPPLIER));
        return s.writeTextMessage(subscribe.encode()).compose(v -> ready.future());
      });
    }

    private void received(Buffer data, Promise<Void> ready) {
      byte[] bytes = data.getBytes();
      if (PricewireTarget.startsWith(data, "{\"type\":\"snapshot\"")) {
        OfferVersions.scan(bytes, versions::set);
        if (PricewireTarget.contains(data, "\"more\":false")) {
          ready.tryComplete();
        }
        return;
      }
      if (PricewireTarget.startsWith(data, "{\"type\":\"error\"")) {
        ready.tryFail(data.toString());
        return;
      }
      OfferVersions.scan(bytes, versions::set);
      Load l = load;
      if (measuring && l != null) {
        long now = Stamps.nowMicros();
        Recorder r = l.latency[node];
        LongAdder d = l.delivered[node];
        Stamps.scan(bytes, stamp -> {
          d.increment();
          r.recordValue(Math.max(0, Math.min(now - stamp, 60_000_000L)));
        });
      }
    }

    /** Null when every offer is at the committed version, else the first that is not. */
    String difference(long[] committed) {
      int wrong = 0;
      String first = null;
      for (int i = 0; i < committed.length; i++) {
        long held = versions.get(i);
        if (held != committed[i]) {
          wrong++;
          if (first == null) {
            first = "o" + i + " committed v" + committed[i] + ", held v" + held;
          }
        }
      }
      return first == null ? null : first + (wrong > 1 ? " (" + wrong + " offers differ)" : "");
    }

    void close() {
      closing = true;
      if (socket != null) {
        socket.close();
      }
    }
  }

  // ---- the supplier ----

  /**
   * One supplier posting NDJSON requests of 1 to 10 items to node 1 at a set rate: every 10 ms
   * it sends what the rate owes since the start, a bounded number of requests in flight, each item
   * stamped with the request's send time in {@code brand}.
   */
  private final class Publisher {
    private final Cluster cluster;
    private final int perSecond;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final LongAdder counted = new LongAdder();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final Recorder requests = new Recorder(3);
    private volatile boolean counting;
    private long timer = -1;
    private long scheduled;
    private int next = 1 + ThreadLocalRandom.current().nextInt(10);

    Publisher(Cluster cluster, int perSecond, int maxInFlight) {
      this.cluster = cluster;
      this.perSecond = perSecond;
      this.maxInFlight = maxInFlight;
    }

    void start() {
      long begin = System.nanoTime();
      timer = publisherVertx.setPeriodic(10, x -> {
        long owed = (long) ((System.nanoTime() - begin) / 1e9 * perSecond) - scheduled;
        long most = Math.max(perSecond, 10);
        if (owed > most) {
          // More than a second (or one largest request) behind: that much is dropped rather than
          // sent in a burst later; the published rate shows the shortfall.
          scheduled += owed - most;
          owed = most;
        }
        while (owed >= next) {
          if (inFlight.get() >= maxInFlight) {
            skipped.incrementAndGet();
            return;
          }
          post(next);
          scheduled += next;
          owed -= next;
          next = 1 + ThreadLocalRandom.current().nextInt(10);
        }
      });
    }

    /** Counts acknowledged changes from now on (true), or stops counting (false), resetting the request figures. */
    void count(boolean on) {
      if (on) {
        counted.reset();
        requests.reset();
      }
      counting = on;
    }

    long counted() {
      return counted.sum();
    }

    /** Changes acknowledged since the start. */
    long sent() {
      return sent.get();
    }

    Histogram requests() {
      return requests.getIntervalHistogram();
    }

    private void post(int n) {
      inFlight.incrementAndGet();
      long stamp = Stamps.nowMicros();
      ThreadLocalRandom r = ThreadLocalRandom.current();
      StringBuilder body = new StringBuilder(n * 80);
      for (int i = 0; i < n; i++) {
        body.append("{\"sku\":\"o").append(r.nextInt(offers)).append("\",\"price\":\"").append(10 + r.nextInt(900))
            .append('.').append(r.nextInt(10)).append(r.nextInt(10)).append(" CAD\",\"brand\":\"t=").append(stamp)
            .append("\"}\n");
      }
      cluster.ingest(Buffer.buffer(body.toString())).onComplete(ar -> {
        inFlight.decrementAndGet();
        if (ar.succeeded()) {
          sent.addAndGet(n);
          if (counting) {
            counted.add(n);
            requests.recordValue(Math.max(0, Math.min(Stamps.nowMicros() - stamp, 60_000_000L)));
          }
        } else if (failed.incrementAndGet() <= 3) {
          System.out.println("publish failed: " + ar.cause().getMessage());
        }
      });
    }

    /** Stops sending and waits for the requests in flight to be answered. */
    void stop() throws InterruptedException {
      publisherVertx.cancelTimer(timer);
      long end = System.nanoTime() + 30_000_000_000L;
      while (inFlight.get() > 0 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
    }
  }

  // ---- the cluster ----

  /** A fresh database and N gateway processes in one cluster on it, with the bench's credentials. */
  private static final class Cluster implements AutoCloseable {
    final ClusterBench bench;
    final ScratchDatabase db;
    final List<BenchNode> nodes = new ArrayList<>();
    String key;
    String token;

    private Cluster(ClusterBench bench, ScratchDatabase db) {
      this.bench = bench;
      this.db = db;
    }

    /**
     * @param label names the cluster and its nodes' log files
     * @param failureTimeoutMs PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS; 0: the gateway's default
     */
    static Cluster start(ClusterBench bench, int n, String label, long failureTimeoutMs) throws Exception {
      ScratchDatabase db = ScratchDatabase.create(bench.vertx, bench.pgAdminUri, "pricewire_cluster_bench");
      Cluster c = new Cluster(bench, db);
      bench.live.add(c);
      int[] clusterPorts = new int[n];
      StringBuilder members = new StringBuilder();
      for (int i = 0; i < n; i++) {
        clusterPorts[i] = BenchNode.freePort();
        members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clusterPorts[i]);
      }
      String name = "bench-" + bench.runId + "-" + label;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Map<String, String> env = new HashMap<>();
        env.put("PRICEWIRE_STORE", "postgres");
        env.put("PRICEWIRE_PG_URI", db.uri());
        env.put("PRICEWIRE_ADMIN_TOKEN", bench.adminToken);
        env.put("PRICEWIRE_JWT_SECRET", bench.jwtSecret);
        env.put("PRICEWIRE_HTTP_HOST", "127.0.0.1");
        env.put("PRICEWIRE_OPS_HOST", "127.0.0.1");
        env.put("PRICEWIRE_HTTP_PORT", Integer.toString(BenchNode.freePort()));
        env.put("PRICEWIRE_OPS_PORT", Integer.toString(BenchNode.freePort()));
        // One machine plays every client: no per-address or per-supplier limits, as in the other benches.
        env.put("PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS", "0");
        env.put("PRICEWIRE_INGEST_RATE_PER_SUPPLIER", "0");
        env.put("PRICEWIRE_CLUSTER", "hazelcast");
        env.put("PRICEWIRE_CLUSTER_HOST", "127.0.0.1");
        env.put("PRICEWIRE_CLUSTER_PORT", Integer.toString(clusterPorts[i]));
        env.put("PRICEWIRE_CLUSTER_MEMBERS", members.toString());
        env.put("PRICEWIRE_CLUSTER_NAME", name);
        if (failureTimeoutMs > 0) {
          env.put("PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS", Long.toString(failureTimeoutMs));
        }
        env.put("PRICEWIRE_NODE_NAME", "node-" + (i + 1));
        String file = "cluster-" + label + "-node-" + (i + 1) + ".log";
        BenchNode node = new BenchNode("node-" + (i + 1), env,
            List.of("-Xmx" + bench.nodeHeap, "-XX:+ExitOnOutOfMemoryError"), bench.jar, bench.logDir.resolve(file));
        c.nodes.add(node);
        node.start();
      }
      // Every node ready and seeing all the others, not only itself and one.
      for (BenchNode node : c.nodes) {
        node.awaitClustered(n, READY);
      }
      System.out.printf("%d node(s) ready in one cluster in %.1f s (database %s; pids %s; logs in %s)%n", n,
          (System.nanoTime() - t0) / 1e9, db.name(), c.nodes.stream().map(x -> Long.toString(x.pid())).toList(),
          bench.logDir);
      BenchAuth auth = BenchAuth.resolve(bench.http, c.nodes.get(0).url(), c.nodes.get(0).opsUrl(), bench.adminToken);
      c.key = auth.keyFor(SUPPLIER).await();
      c.token = auth.storefrontToken().await();
      return c;
    }

    /** Seeds the catalog on node 1 and waits until every node has published it. */
    void seed() throws InterruptedException {
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < bench.offers; i++) {
        body.append("{\"sku\":\"o").append(i).append("\",\"price\":\"10.00 CAD\",\"availability\":\"in_stock\",")
            .append("\"quantity\":120,\"title\":{\"en\":\"Live Atlantic lobster, 1 lb\",\"zh-CN\":\"加拿大鲜活龙虾 1磅\"},")
            .append("\"category\":\"Seafood > Shellfish\",\"brand\":\"seed\"}\n");
      }
      ingest(Buffer.buffer(body.toString())).await();
      double head = nodes.get(0).metrics().value("pricewire_ledger_head_seq");
      long end = System.nanoTime() + 30_000_000_000L;
      while (nodes.stream().anyMatch(n -> n.metrics().value("pricewire_ledger_head_seq") < head)
          && System.nanoTime() < end) {
        Thread.sleep(100);
      }
    }

    Future<Void> ingest(Buffer body) {
      RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(nodes.get(0).url().resolve("/v1/suppliers/" + SUPPLIER + "/offers").toString())
          .putHeader("Content-Type", "application/x-ndjson").setTimeout(30_000), key);
      return bench.http.request(request).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> {
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("ingest answered " + resp.statusCode() + ": " + b);
        }
        return null;
      }));
    }

    List<BenchNode.Scrape> scrapeAll() {
      List<BenchNode.Scrape> out = new ArrayList<>();
      for (BenchNode n : nodes) {
        out.add(n.metrics());
      }
      return out;
    }

    /** SIGTERM to every node at once, then waits for each; drops the database. */
    void stop() throws InterruptedException {
      long t0 = System.nanoTime();
      List<Thread> stops = new ArrayList<>();
      List<String> unclean = new CopyOnWriteArrayList<>();
      for (BenchNode n : nodes) {
        Thread t = new Thread(() -> {
          try {
            if (!n.terminate(Duration.ofSeconds(60))) {
              unclean.add(n.name);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        t.start();
        stops.add(t);
      }
      for (Thread t : stops) {
        t.join();
      }
      System.out.printf("nodes stopped (SIGTERM) in %.1f s%s%n", (System.nanoTime() - t0) / 1e9,
          unclean.isEmpty() ? "" : "; killed after 60 s: " + unclean);
      db.drop(bench.vertx);
      bench.live.remove(this);
    }

    /** Ends whatever is left (an interrupted run): the nodes at once, then the database. */
    @Override
    public void close() {
      if (!bench.live.contains(this)) {
        return;
      }
      bench.live.remove(this);
      nodes.forEach(BenchNode::close);
      try {
        db.close();
      } catch (RuntimeException e) {
        System.out.println("could not drop database " + db.name() + ": " + e.getMessage());
      }
    }
  }

  // ---- helpers ----

  private void closeLive() {
    for (AutoCloseable c : live) {
      try {
        c.close();
      } catch (Exception e) {
        // ending anyway
      }
    }
  }

  /** The jar this class was loaded from, else target/pricewire.jar. */
  private static Path ownJar() {
    try {
      Path p = Path.of(ClusterBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (p.toString().endsWith(".jar")) {
        return p;
      }
    } catch (Exception e) {
      // fall back
    }
    return Path.of("target", "pricewire.jar");
  }

  private static String secret(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** CPU seconds used so far by the database server's processes here, or NaN when none runs here. */
  private double dbCpu() {
    return ServerStats.cpuSecondsOfProcessesNamed(dbProcess);
  }

  private static TreeMap<Double, Double> delta(TreeMap<Double, Double> after, TreeMap<Double, Double> before) {
    TreeMap<Double, Double> out = new TreeMap<>();
    after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0.0)));
    return out;
  }

  /** The bucket bounds, in ms, under which half and 99% of a histogram's samples fall; NaN when empty. */
  private static double[] bounds(TreeMap<Double, Double> buckets) {
    double[] result = {Double.NaN, Double.NaN};
    if (buckets.isEmpty() || buckets.lastEntry().getValue() <= 0) {
      return result;
    }
    double total = buckets.lastEntry().getValue();
    double[] q = {0.5, 0.99};
    for (int i = 0; i < 2; i++) {
      for (var e : buckets.entrySet()) {
        if (e.getValue() >= q[i] * total) {
          result[i] = e.getKey() * 1000;
          break;
        }
      }
    }
    return result;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String bound(double ms) {
    return Double.isNaN(ms) ? "?" : Double.isInfinite(ms) ? "inf" : String.format("%.0f", ms);
  }
}
