package io.pricewire.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.ClientView;
import io.pricewire.support.NodeProcess;
import io.pricewire.support.PostgresDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Clustered mode under faults, with real processes on loopback: three gateway nodes as separate
 * JVMs in one Hazelcast cluster on one PostgreSQL, suppliers writing to any node, storefronts
 * spread over the nodes that move to another node (resuming with {@code since}) when theirs goes.
 * Each test ends by checking, against PostgreSQL itself: every acknowledged write is in the
 * change log; every storefront holds exactly the committed state of what it follows; no
 * storefront saw an offer twice or out of order, nor had to start over (a resume that resets).
 */
class ClusterFaultsTest {

  private static final int SUPPLIERS = 3;
  private static final int SKUS = 30;
  private static final int CLIENTS_PER_NODE = 3;
  /** Short failure detection for the tests (production defaults are longer). */
  private static final long FAILURE_MS = 3_000;
  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(90);

  private PostgresDatabase db;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<Writer> writers = new ArrayList<>();
  private final List<Storefront> storefronts = new ArrayList<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private String testName;

  @BeforeEach
  void cluster(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    db = PostgresDatabase.create(ClusterFaultsTest.class);
    Path logs = Path.of("target", "cluster-logs", testName);
    int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    StringBuilder members = new StringBuilder();
    for (int p : clusterPorts) {
      members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    }
    String clusterName = "test-" + Long.toHexString(new Random().nextLong());
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("PRICEWIRE_STORE", "postgres");
      env.put("PRICEWIRE_PG_URI", db.uri());
      env.put("PRICEWIRE_PG_POOL_SIZE", "4");
      env.put("PRICEWIRE_AUTH", "off");
      env.put("PRICEWIRE_HTTP_HOST", "127.0.0.1");
      env.put("PRICEWIRE_OPS_HOST", "127.0.0.1");
      env.put("PRICEWIRE_HTTP_PORT", Integer.toString(NodeProcess.freePort()));
      env.put("PRICEWIRE_OPS_PORT", Integer.toString(NodeProcess.freePort()));
      env.put("PRICEWIRE_EVENT_LOOPS", "1");
      env.put("PRICEWIRE_INGEST_RATE_PER_SUPPLIER", "0");
      env.put("PRICEWIRE_SHUTDOWN_TIMEOUT_MS", "5000");
      env.put("PRICEWIRE_CLUSTER", "hazelcast");
      env.put("PRICEWIRE_CLUSTER_HOST", "127.0.0.1");
      env.put("PRICEWIRE_CLUSTER_PORT", Integer.toString(clusterPorts[i]));
      env.put("PRICEWIRE_CLUSTER_MEMBERS", members.toString());
      env.put("PRICEWIRE_CLUSTER_NAME", clusterName);
      env.put("PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS", Long.toString(FAILURE_MS));
      env.put("PRICEWIRE_CLUSTER_HEAD_CHECK_MS", "500");
      env.put("PRICEWIRE_CLUSTER_GAP_WAIT_MS", "100");
      env.put("PRICEWIRE_NODE_NAME", "node-" + (i + 1));
      nodes.add(new NodeProcess("node-" + (i + 1), env, logs));
    }
  }

  @AfterEach
  void stop() {
    writers.forEach(Writer::stop);
    storefronts.forEach(Storefront::close);
    timers.shutdownNow();
    for (NodeProcess n : nodes) {
      n.close();
    }
    db.close();
  }

  @Test
  @DisplayName("SIGKILL a node during ingest and fan-out: nothing acknowledged is lost, its storefronts resume elsewhere")
  void killANode() throws Exception {
    startAll();
    load();
    awaitDeliveries(200);
    NodeProcess victim = nodes.get(1);
    victim.kill();
    awaitDeliveries(writes() + 300);
    victim.start().awaitReady(READY);
    settleAndCheck("kill");
  }

  @Test
  @DisplayName("SIGSTOP a node beyond failure detection, then SIGCONT: it comes back, fills what it missed, its storefronts end right")
  void pauseANode() throws Exception {
    startAll();
    load();
    awaitDeliveries(200);
    NodeProcess paused = nodes.get(2);
    paused.pause();
    long before = writes();
    // Well beyond failure detection: the others remove it and go on.
    awaitWrites(before + 600);
    Thread.sleep(FAILURE_MS * 2);
    awaitCondition("the others to see two members", () -> nodes.get(0).metric("pricewire_cluster_members") == 2);
    paused.resume();
    awaitCondition("the paused node to be back in a cluster of three", () -> paused.ready()
        && paused.metric("pricewire_cluster_members") == 3 && nodes.get(0).metric("pricewire_cluster_members") == 3);
    settleAndCheck("pause");
    assertThat(paused.metric("pricewire_ledger_gaps_total")).as("the paused node filled what it missed from PostgreSQL")
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("rolling restart of all three, one at a time, under load: nothing missed, nothing lost")
  void rollingRestart() throws Exception {
    startAll();
    load();
    awaitDeliveries(200);
    for (NodeProcess n : nodes) {
      n.terminate();
      awaitWrites(writes() + 200);
      n.start().awaitReady(READY);
      awaitCondition(n.name + " to see three members", () -> n.metric("pricewire_cluster_members") == 3);
      awaitWrites(writes() + 200);
    }
    settleAndCheck("rolling restart");
  }

  @Test
  @DisplayName("a node starts while another listed member is down, and the late one joins them")
  void startWithAMemberDown() throws Exception {
    nodes.get(0).start();
    nodes.get(1).start();
    nodes.get(0).awaitReady(READY);
    nodes.get(1).awaitReady(READY);
    assertThat(nodes.get(0).metric("pricewire_cluster_members")).isEqualTo(2);
    load();
    awaitWrites(300);
    nodes.get(2).start().awaitReady(READY);
    awaitCondition("three members", () -> nodes.get(0).metric("pricewire_cluster_members") == 3);
    settleAndCheck("late member");
  }

  // ---- the cluster, the load, the check ----

  private void startAll() {
    nodes.forEach(NodeProcess::start);
    nodes.forEach(n -> n.awaitReady(READY));
    awaitCondition("three members", () -> nodes.stream().allMatch(n -> n.metric("pricewire_cluster_members") == 3));
  }

  /** Suppliers writing to any node, storefronts on every node. */
  private void load() {
    for (int s = 0; s < SUPPLIERS; s++) {
      Writer w = new Writer("supplier-" + s, s);
      writers.add(w);
      w.thread.start();
    }
    for (int i = 0; i < nodes.size() * CLIENTS_PER_NODE; i++) {
      Storefront f = new Storefront("storefront-" + i, "supplier-" + (i % SUPPLIERS), i % nodes.size());
      storefronts.add(f);
      f.connect();
    }
  }

  private long writes() {
    return writers.stream().mapToLong(w -> w.acked.get()).sum();
  }

  private long deliveries() {
    return storefronts.stream().mapToLong(f -> f.updates.get()).sum();
  }

  private void awaitWrites(long n) {
    awaitCondition(n + " acknowledged writes", () -> writes() >= n);
  }

  private void awaitDeliveries(long n) {
    awaitCondition(n + " updates delivered", () -> deliveries() >= n);
  }

  private void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      sleep(100);
    }
    throw new AssertionError("waited " + SETTLE + " for " + what + "; writes " + writes() + ", deliveries "
        + deliveries() + logs());
  }

  /** Stops the writers, waits for every storefront to hold the committed state, and checks. */
  private void settleAndCheck(String scenario) throws Exception {
    writers.forEach(Writer::stop);
    for (Writer w : writers) {
      w.thread.join(30_000);
    }
    Map<String, Map<String, Long>> committed = committedVersions();
    long end = System.nanoTime() + SETTLE.toNanos();
    List<String> mismatches = mismatches(committed);
    while (!mismatches.isEmpty() && System.nanoTime() < end) {
      sleep(200);
      mismatches = mismatches(committed);
    }
    long lost = 0;
    try (Connection c = connect(); var q = c.prepareStatement(
        "SELECT count(*) FROM changes WHERE supplier = ? AND sku = ? AND version = ?")) {
      for (Writer w : writers) {
        for (Map.Entry<String, List<Long>> e : w.ackedVersions.entrySet()) {
          for (long v : e.getValue()) {
            q.setString(1, w.supplier);
            q.setString(2, e.getKey());
            q.setLong(3, v);
            try (ResultSet r = q.executeQuery()) {
              r.next();
              if (r.getLong(1) != 1) {
                lost++;
              }
            }
          }
        }
      }
    }
    List<String> violations = new ArrayList<>();
    long resets = 0;
    for (Storefront f : storefronts) {
      if (f.violation() != null) {
        violations.add(f.name + ": " + f.violation());
      }
      resets += f.resets.get();
    }
    System.out.printf("cluster %s: %d acknowledged writes, %d storefronts, %d updates delivered, %d reconnects, "
        + "%d lost, %d mismatches, %d violations, %d resets%n", scenario, writes(), storefronts.size(), deliveries(),
        storefronts.stream().mapToLong(f -> f.connects.get() - 1).sum(), lost, mismatches.size(), violations.size(),
        resets);
    assertThat(lost).as("acknowledged writes missing from the change log").isZero();
    assertThat(violations).as("storefronts that saw an offer twice, out of order, or broke a feed promise").isEmpty();
    assertThat(mismatches).as("storefronts whose state differs from PostgreSQL's" + logs()).isEmpty();
    assertThat(resets).as("resumes that had to start over").isZero();
  }

  private String logs() {
    StringBuilder b = new StringBuilder();
    for (NodeProcess n : nodes) {
      b.append("\n---- ").append(n.name).append(" (last lines)\n").append(n.tail(25));
    }
    return b.toString();
  }

  private List<String> mismatches(Map<String, Map<String, Long>> committed) {
    List<String> out = new ArrayList<>();
    for (Storefront f : storefronts) {
      Map<String, Long> want = committed.getOrDefault(f.supplier, Map.of());
      Map<String, Long> have = f.versions();
      if (!want.equals(have)) {
        out.add(f.name + " on " + f.supplier + ": " + difference(want, have));
      }
    }
    return out;
  }

  private static String difference(Map<String, Long> want, Map<String, Long> have) {
    List<String> d = new ArrayList<>();
    want.forEach((k, v) -> {
      if (!v.equals(have.get(k))) {
        d.add(k + " committed v" + v + ", held " + have.get(k));
      }
    });
    have.keySet().stream().filter(k -> !want.containsKey(k)).forEach(k -> d.add(k + " held, not committed"));
    return d.size() > 5 ? d.subList(0, 5) + " and " + (d.size() - 5) + " more" : d.toString();
  }

  private Map<String, Map<String, Long>> committedVersions() throws Exception {
    Map<String, Map<String, Long>> out = new HashMap<>();
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT supplier, sku, version FROM offers")) {
      while (r.next()) {
        out.computeIfAbsent(r.getString(1), k -> new HashMap<>()).put(r.getString(2), r.getLong(3));
      }
    }
    return out;
  }

  private Connection connect() throws Exception {
    var o = io.vertx.pgclient.PgConnectOptions.fromUri(db.uri());
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", o.getUser());
    if (o.getPassword() != null) {
      p.setProperty("password", o.getPassword());
    }
    return DriverManager.getConnection("jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase(),
        p);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A supplier posting small NDJSON requests to any node, noting every version acknowledged. */
  private final class Writer {
    final String supplier;
    final Thread thread;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong acked = new AtomicLong();
    final Map<String, List<Long>> ackedVersions = new ConcurrentHashMap<>();
    private final Random random;

    Writer(String supplier, int seed) {
      this.supplier = supplier;
      this.random = new Random(seed * 7919L + System.nanoTime());
      this.thread = new Thread(this::run, "writer-" + supplier);
      this.thread.setDaemon(true);
    }

    void stop() {
      running.set(false);
    }

    /** Until when (nanos) a node that failed a request is left alone, as a load balancer would. */
    private final long[] avoidUntil = new long[3];

    private int pick(int current) {
      long now = System.nanoTime();
      for (int k = 0; k < nodes.size(); k++) {
        int n = (current + k) % nodes.size();
        if (avoidUntil[n] <= now) {
          return n;
        }
      }
      return current;
    }

    private int failed(int node) {
      avoidUntil[node] = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      return pick((node + 1) % nodes.size());
    }

    void run() {
      int node = random.nextInt(nodes.size());
      while (running.get()) {
        StringBuilder body = new StringBuilder();
        int items = 1 + random.nextInt(5);
        for (int i = 0; i < items; i++) {
          body.append(new JsonObject().put("sku", "k" + random.nextInt(SKUS))
              .put("price", new JsonObject().put("amount", (1 + random.nextInt(9000)) / 100.0 + "").put("currency", "CAD"))
              .put("availability", random.nextInt(6) == 0 ? "out_of_stock" : "in_stock")
              .put("quantity", random.nextInt(100)).encode()).append('\n');
        }
        NodeProcess target = nodes.get(node);
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + target.httpPort + "/v1/suppliers/" + supplier + "/offers"))
              .header("content-type", "application/x-ndjson").timeout(Duration.ofSeconds(3))
              .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            for (Object o : new JsonObject(r.body()).getJsonArray("items")) {
              JsonObject item = (JsonObject) o;
              if ("applied".equals(item.getString("status"))) {
                ackedVersions.computeIfAbsent(item.getString("sku"), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(item.getLong("version"));
                acked.incrementAndGet();
              }
            }
          } else {
            node = failed(node);
          }
        } catch (java.io.IOException e) {
          node = failed(node);
          sleep(50);
        } catch (InterruptedException e) {
          return;
        }
        if (random.nextInt(3) == 0) {
          node = pick(random.nextInt(nodes.size()));
        }
        sleep(5);
      }
    }
  }

  /**
   * A storefront following one supplier over a JDK WebSocket; when its connection ends it
   * reconnects to the next node and resumes with since. Besides the checks of {@link ClientView},
   * it requires every offer it gets (in updates and resumed snapshots) to be newer than what it
   * had: nothing twice, nothing out of order, across nodes.
   */
  private final class Storefront implements WebSocket.Listener {
    final String name;
    final String supplier;
    final ClientView view;
    final AtomicLong updates = new AtomicLong();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    private final Map<String, Long> lastSeq = new HashMap<>();
    private String violation;
    private int node;
    private WebSocket socket;
    private StringBuilder partial = new StringBuilder();
    private volatile boolean closed;
    private int generation;

    Storefront(String name, String supplier, int node) {
      this.name = name;
      this.supplier = supplier;
      this.node = node;
      this.view = new ClientView(name, new ClientView.Interest().suppliers(supplier));
    }

    synchronized String violation() {
      return violation != null ? violation : view.violation() != null ? view.violation() + "\n" + view.trace() : null;
    }

    synchronized Map<String, Long> versions() {
      Map<String, Long> out = new HashMap<>();
      view.offers().forEach((k, o) -> out.put(o.getString("sku"), o.getLong("version")));
      return out;
    }

    void connect() {
      if (closed) {
        return;
      }
      JsonObject subscribe;
      int gen;
      synchronized (this) {
        view.reconnecting();
        gen = ++generation;
        subscribe = new JsonObject().put("op", "subscribe").put("id", "s").mergeIn(view.interest().toJson());
        if (view.epoch() != null && view.resumePoint() >= 0) {
          subscribe.put("since", new JsonObject().put("epoch", view.epoch()).put("seq", view.resumePoint()));
        }
        partial = new StringBuilder();
      }
      NodeProcess target = nodes.get(node);
      connects.incrementAndGet();
      http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
          .buildAsync(URI.create("ws://127.0.0.1:" + target.httpPort + "/v1/feed"), this)
          .whenComplete((ws, e) -> {
            if (e != null) {
              retry(gen);
              return;
            }
            synchronized (this) {
              socket = ws;
            }
            ws.sendText(subscribe.encode(), true);
          });
    }

    private void retry(int gen) {
      synchronized (this) {
        if (gen != generation || closed) {
          return;
        }
        node = (node + 1) % nodes.size();
      }
      timers.schedule(this::connect, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      synchronized (this) {
        partial.append(data);
        if (last) {
          String text = partial.toString();
          partial = new StringBuilder();
          if (ws == socket) {
            frame(new JsonObject(text));
          }
        }
      }
      ws.request(1);
      return null;
    }

    private void frame(JsonObject f) {
      String type = f.getString("type", "");
      if (type.equals("snapshot") && f.getBoolean("reset", false)) {
        resets.incrementAndGet();
      }
      List<JsonObject> offers = new ArrayList<>();
      if (type.equals("update")) {
        offers.add(f.getJsonObject("offer"));
      } else if (type.equals("updates")) {
        for (Object u : f.getJsonArray("updates")) {
          offers.add(((JsonObject) u).getJsonObject("offer"));
        }
      } else if (type.equals("snapshot") && f.getBoolean("resumed", false)) {
        for (Object o : f.getJsonArray("offers", new JsonArray())) {
          offers.add((JsonObject) o);
        }
      } else if (type.equals("snapshot")) {
        for (Object o : f.getJsonArray("offers", new JsonArray())) {
          JsonObject offer = (JsonObject) o;
          lastSeq.put(offer.getString("sku"), offer.getLong("seq"));
        }
      }
      for (JsonObject o : offers) {
        Long had = lastSeq.get(o.getString("sku"));
        long seq = o.getLong("seq");
        if (had != null && seq <= had && violation == null) {
          violation = "offer " + o.getString("sku") + " at seq " + seq + " after seq " + had + " (" + type + ")";
        }
        lastSeq.put(o.getString("sku"), Math.max(seq, had == null ? 0 : had));
      }
      if (type.equals("update") || type.equals("updates")) {
        updates.addAndGet(offers.size());
      }
      view.apply(f);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended(ws);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended(ws);
    }

    private void ended(WebSocket ws) {
      int gen;
      synchronized (this) {
        if (ws != socket) {
          return;
        }
        socket = null;
        gen = generation;
      }
      retry(gen);
    }

    void close() {
      closed = true;
      WebSocket ws;
      synchronized (this) {
        ws = socket;
      }
      if (ws != null) {
        ws.abort();
      }
    }
  }
}
