package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.ClientView;
import io.pricewire.support.Http;
import io.pricewire.support.PostgresDatabase;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed against a model of what every storefront must hold, under chaos. A seeded generator
 * writes (new offers, partial updates, category moves, availability flips, stale and rejected
 * items, batches of 1 to 500, as JSON and NDJSON) while storefronts with mixed interests come
 * and go: WebSocket clients (some offering permessage-deflate) and SSE clients, growing and
 * shrinking their interest, with and without {@code max_rate}, pausing, closing abruptly or
 * politely, resuming with {@code since} or starting fresh; in PostgreSQL mode the gateway is
 * restarted half-way. Every frame is checked as it arrives ({@link ClientView}: resume points
 * never go down, versions never go back, nothing outside the interest, {@code changed} lists every
 * field that differs), and once the writes stop every client must hold exactly the store's state
 * for its interest.
 *
 * <p>{@code -Dpricewire.chaos.steps=N} sets the length (default 500, CI runs longer ones),
 * {@code -Dpricewire.chaos.seed=S} repeats a run; a failure prints the seed and the first
 * broken promise with the frame that broke it.
 */
@DisplayName("feed against a model, under chaos")
class FeedModelTest {

  private static final Logger log = LoggerFactory.getLogger(FeedModelTest.class);
  private static final int STEPS = Integer.getInteger("pricewire.chaos.steps", 500);
  private static final String[] SUPPLIERS = {"chaos-a", "chaos-b", "chaos-c"};
  private static final int SKUS = 25;
  private static final String[] CATEGORIES = {"Seafood", "Beef", "Fruit", "Wine", "Apparel"};
  private static final Map<String, String> SETTINGS = Map.of(
      "PRICEWIRE_EVENT_LOOPS", "2",
      "PRICEWIRE_FEED_SLOW_TIMEOUT_MS", "3000",
      "PRICEWIRE_FEED_PING_INTERVAL_MS", "1000",
      "PRICEWIRE_FEED_PING_TIMEOUT_MS", "8000",
      "PRICEWIRE_FEED_SNAPSHOT_CHUNK", "7",
      "PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS", "0",
      "PRICEWIRE_INGEST_RATE_PER_SUPPLIER", "0",
      "PRICEWIRE_ADMIN_TOKEN", Chaos.ADMIN);

  private static long seed() {
    Long given = Long.getLong("pricewire.chaos.seed");
    return given != null ? given : new SecureRandom().nextLong();
  }

  @Test
  @DisplayName("memory store: every storefront ends with the store's state and no promise is broken on the way")
  void memory() throws Exception {
    long seed = seed();
    try (Chaos chaos = new Chaos(seed, "memory", () -> TestGateway.start(SETTINGS), false)) {
      chaos.run();
    }
  }

  @Test
  @DisplayName("PostgreSQL with a restart half-way: every storefront ends with the store's state")
  void postgres() throws Exception {
    long seed = seed();
    try (PostgresDatabase db = PostgresDatabase.create(FeedModelTest.class);
        Chaos chaos = new Chaos(seed, "postgres", () -> TestGateway.postgres(db, SETTINGS), true)) {
      chaos.run();
    }
  }

  /** One run: the gateway, the writer, the storefronts and what they count. */
  private static final class Chaos implements AutoCloseable {
    static final String ADMIN = "admin-token-for-the-chaos-run-0123456789";
    /** The market that storefronts with one follow; new rates re-price it while they come and go. */
    static final String MARKET = "cn-cbec";
    private final long seed;
    private final String store;
    private final Supplier<TestGateway> start;
    private final boolean restart;
    private final Random random;
    private final Vertx clients = Vertx.vertx();
    private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final WebSocketClient deflating;
    /** Asks for server_no_context_takeover, as some non-browser clients do. */
    private final WebSocketClient deflatingWithoutContext;
    private volatile TestGateway gateway;
    private final List<Storefront> storefronts = new ArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Map<String, AtomicLong> counts = new TreeMap<>();
    private boolean loggedRefusal;

    Chaos(long seed, String store, Supplier<TestGateway> start, boolean restart) {
      this.seed = seed;
      this.store = store;
      this.start = start;
      this.restart = restart;
      this.random = new Random(seed);
      this.gateway = start.get();
      // Small receive buffers, so that a paused client soon fills the gateway's write queue.
      this.deflating = clients.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true)
          .setMaxMessageSize(1 << 24).setReceiveBufferSize(4096));
      this.deflatingWithoutContext = clients.createWebSocketClient(new WebSocketClientOptions()
          .setTryUsePerMessageCompression(true).setCompressionRequestServerNoContext(true)
          .setMaxMessageSize(1 << 24).setReceiveBufferSize(4096));
      log.info("Chaos run on the {} store: seed {} (repeat with -Dpricewire.chaos.seed={}), {} steps", store, seed,
          seed, STEPS);
    }

    void count(String what) {
      synchronized (counts) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
      }
    }

    int port() {
      return gateway.port();
    }

    String failure(String what) {
      return "seed " + seed + " (" + store + "): " + what;
    }

    void run() throws Exception {
      seedOffers();
      postRate();
      Thread writer = new Thread(this::write, "chaos-writer");
      java.util.concurrent.atomic.AtomicReference<Throwable> writerFailed = new java.util.concurrent.atomic.AtomicReference<>();
      writer.setUncaughtExceptionHandler((t, e) -> writerFailed.set(e));
      writer.start();
      for (int i = 0; i < 8; i++) {
        storefronts.add(newStorefront(i));
      }
      storefronts.forEach(s -> s.connect(true));
      // Once in a short run, a few times in a long one.
      int restartEvery = Math.max(250, STEPS / 3);
      for (int step = 0; step < STEPS; step++) {
        if (restart && step > 0 && step % restartEvery == 0) {
          restartGateway();
        }
        act();
        checkViolations();
        Thread.sleep(2 + random.nextInt(14));
      }
      writing.set(false);
      writer.join();
      if (writerFailed.get() != null) {
        throw new AssertionError(failure("the writer failed"), writerFailed.get());
      }
      settle();
      long updates = 0;
      long frames = 0;
      for (Storefront s : storefronts) {
        updates += s.view.updates();
        frames += s.view.frames();
      }
      synchronized (counts) {
        log.info("FIGURES chaos ({}): seed {}, {} steps, {} storefronts, {} frames and {} offer updates checked; {}",
            store, seed, STEPS, storefronts.size(), frames, updates, counts);
      }
    }

    private void seedOffers() {
      try (Http http = new Http(clients, port())) {
        for (String supplier : SUPPLIERS) {
          JsonArray items = new JsonArray();
          for (int i = 0; i < SKUS; i++) {
            items.add(new JsonObject().put("sku", "s" + i).put("price", (1 + i) + ".00 CAD")
                .put("availability", "in_stock").put("category", CATEGORIES[random.nextInt(CATEGORIES.length)]));
          }
          http.offers(supplier, items);
        }
      }
    }

    // ---- the writer ----

    private void write() {
      Random r = new Random(seed ^ 0x5DEECE66DL);
      Http http = new Http(clients, port());
      int httpPort = port();
      try {
        while (writing.get()) {
          if (port() != httpPort) {
            http.close();
            httpPort = port();
            http = new Http(clients, httpPort);
          }
          String supplier = SUPPLIERS[r.nextInt(SUPPLIERS.length)];
          int size = switch (r.nextInt(20)) {
            case 0 -> 1 + r.nextInt(500);
            case 1, 2, 3 -> 1 + r.nextInt(100);
            default -> 1 + r.nextInt(8);
          };
          StringBuilder ndjson = new StringBuilder();
          JsonArray array = new JsonArray();
          for (int i = 0; i < size; i++) {
            JsonObject item = item(r);
            array.add(item);
            ndjson.append(item.encode()).append('\n');
          }
          try {
            boolean lines = r.nextBoolean();
            var answer = http.post("/v1/suppliers/" + supplier + "/offers",
                lines ? "application/x-ndjson" : "application/json", lines ? ndjson.toString() : array.encode());
            if (answer.statusCode() == 200) {
              synchronized (counts) {
                counts.computeIfAbsent("items written", k -> new AtomicLong()).addAndGet(size);
              }
            } else {
              count("ingest answered " + answer.statusCode());
              if (!loggedRefusal) {
                loggedRefusal = true;
                log.info("Chaos: ingest answered {}: {}", answer.statusCode(), answer.bodyAsString());
              }
            }
          } catch (Exception e) {
            // The gateway is restarting: the items are lost or committed, the store will tell.
            count("ingest requests cut by the restart");
          }
          Thread.sleep(r.nextInt(12));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        http.close();
      }
    }

    private static JsonObject item(Random r) {
      JsonObject item = new JsonObject().put("sku", "s" + r.nextInt(SKUS));
      switch (r.nextInt(13)) {
        case 12 -> {
          // Large states now and then, so that a client that stops reading soon fills its socket.
          JsonObject titles = new JsonObject();
          for (String locale : List.of("en", "fr", "de", "es", "it", "ja", "ko", "zh-CN", "zh-TW", "ru", "pt", "nl")) {
            titles.put(locale, (locale + " " + r.nextInt(1000) + " ").repeat(50).substring(0, 140));
          }
          item.put("title", titles);
        }
        case 0, 1, 2, 3 -> item.put("price", (1 + r.nextInt(200)) + "." + (10 + r.nextInt(90)) + " CAD");
        case 4 -> item.put("quantity", r.nextInt(100));
        case 5 -> item.put("category", CATEGORIES[r.nextInt(CATEGORIES.length)]);
        case 6 -> item.put("availability", r.nextBoolean() ? "out_of_stock" : "in_stock");
        case 7 -> item.put("title", new JsonObject().put("en", "Item " + r.nextInt(1000)).put("zh-CN", "商品" + r.nextInt(1000)));
        case 8 -> item.put("price", (1 + r.nextInt(50)) + ".00 CAD").put("availability", "limited_availability")
            .put("quantity", r.nextInt(5));
        case 9 -> item.put("price", "2.00 CAD").put("version", 1);
        case 10 -> item.put("price", "not a price");
        default -> item.put("sale_price", "0.50 CAD");
      }
      return item;
    }

    // ---- the storefronts ----

    private Storefront newStorefront(int n) {
      String transport = switch (n % 5) {
        case 0 -> "sse";
        case 1 -> "deflate";
        case 2 -> "deflate-no-context";
        default -> "websocket";
      };
      ClientView.Interest interest = randomInterest();
      double maxRate = random.nextInt(4) == 0 ? 2 + random.nextInt(20) : 0;
      String market = random.nextBoolean() ? MARKET : null;
      return new Storefront(this, n, transport, interest, maxRate, market);
    }

    private ClientView.Interest randomInterest() {
      ClientView.Interest interest = new ClientView.Interest();
      while (interest.isEmpty()) {
        if (random.nextInt(4) == 0) {
          interest.suppliers(SUPPLIERS[random.nextInt(SUPPLIERS.length)]);
        }
        for (int i = random.nextInt(6); i > 0; i--) {
          interest.skus(SUPPLIERS[random.nextInt(SUPPLIERS.length)] + ":s" + random.nextInt(SKUS));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
          interest.categories(CATEGORIES[random.nextInt(CATEGORIES.length)]);
        }
      }
      return interest;
    }

    /** One entry not yet in the storefront's interest, as an interest of its own. */
    private ClientView.Interest randomEntry(ClientView.Interest current) {
      for (int attempt = 0; attempt < 20; attempt++) {
        ClientView.Interest e = new ClientView.Interest();
        switch (random.nextInt(5)) {
          case 0 -> e.suppliers(SUPPLIERS[random.nextInt(SUPPLIERS.length)]);
          case 1 -> e.categories(CATEGORIES[random.nextInt(CATEGORIES.length)]);
          default -> e.skus(SUPPLIERS[random.nextInt(SUPPLIERS.length)] + ":s" + random.nextInt(SKUS));
        }
        if (!overlaps(current, e)) {
          return e;
        }
      }
      return null;
    }

    private static boolean overlaps(ClientView.Interest a, ClientView.Interest b) {
      JsonObject x = a.toJson();
      JsonObject y = b.toJson();
      for (String kind : List.of("suppliers", "skus", "categories")) {
        for (Object v : y.getJsonArray(kind)) {
          if (x.getJsonArray(kind).contains(v)) {
            return true;
          }
        }
      }
      return false;
    }

    /** One random step of some storefront, and whatever is due. */
    private void act() {
      long now = System.nanoTime();
      for (Storefront s : storefronts) {
        s.due(now);
      }
      Storefront s = storefronts.get(random.nextInt(storefronts.size()));
      int what = random.nextInt(100);
      if (what < 20) {
        s.add();
      } else if (what < 30) {
        s.remove();
      } else if (what < 40) {
        // Now and then longer than the slow-client timeout: the gateway closes it (4002), it resumes.
        s.pause(now, random.nextInt(6) == 0 ? 4000 + random.nextInt(4000) : 50 + random.nextInt(1500));
      } else if (what < 46) {
        s.drop(now, random.nextInt(800), true);
      } else if (what < 52) {
        s.drop(now, random.nextInt(800), false);
      } else if (what < 55) {
        s.startOver();
      } else if (what < 60) {
        // A new rate in force: a market event that re-prices every storefront of the market.
        postRate();
      } else if (what < 62 && storefronts.size() < 16) {
        Storefront joined = newStorefront(storefronts.size());
        storefronts.add(joined);
        joined.connect(true);
        count("storefronts joined");
      }
    }

    private int rates;

    /** Posts a new CAD/CNY rate for today (each one different), as an operator or the Valet fetch does. */
    private void postRate() {
      String rate = "5." + (1000 + rates++ % 9000);
      String day = java.time.LocalDate.now(io.pricewire.market.Projection.CHINA).toString();
      try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
        var r = ops.post("/admin/fx", "application/json", "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"CNY\", "
            + "\"rate\": \"" + rate + "\", \"as_of\": \"" + day + "\", \"source\": \"chaos\"}]}");
        count(r.statusCode() == 200 ? "rates posted" : "rate posts answered " + r.statusCode());
      } catch (RuntimeException e) {
        count("rate posts cut by the restart");
      }
    }

    private void restartGateway() {
      log.info("Chaos: restarting the gateway (seed {})", seed);
      TestGateway old = gateway;
      old.close();
      gateway = start.get();
      count("gateway restarts");
    }

    private void checkViolations() {
      for (Storefront s : storefronts) {
        String v;
        synchronized (s) {
          v = s.view.violation();
        }
        assertThat(v).as(failure("a storefront saw a broken promise")).isNull();
      }
    }

    /**
     * Writes have stopped: every storefront reads again, reconnects if it is not connected, and
     * must end with exactly the store's state for its interest.
     */
    private void settle() throws InterruptedException {
      Map<String, JsonObject> plain = new HashMap<>();
      Map<String, JsonObject> priced = new HashMap<>();
      try (Http http = new Http(clients, port())) {
        for (String supplier : SUPPLIERS) {
          for (int i = 0; i < SKUS; i++) {
            var r = http.get("/v1/suppliers/" + supplier + "/offers/s" + i);
            if (r.statusCode() == 200) {
              plain.put(supplier + ":s" + i, r.bodyAsJsonObject());
              // The offer as the market shows it now: what a fresh snapshot of the market holds.
              var m = http.get("/v1/markets/" + MARKET + "/suppliers/" + supplier + "/offers/s" + i);
              assertThat(m.statusCode()).as(m.bodyAsString()).isEqualTo(200);
              priced.put(supplier + ":s" + i, m.bodyAsJsonObject());
            }
          }
        }
      }
      Truth truth = new Truth(plain, priced);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      List<Storefront> waiting = new ArrayList<>(storefronts);
      while (!waiting.isEmpty()) {
        checkViolations();
        long now = System.nanoTime();
        for (Storefront s : waiting) {
          s.settle(now);
        }
        waiting.removeIf(s -> s.holds(truth));
        if (now > deadline) {
          Storefront s = waiting.get(0);
          synchronized (s) {
            Map<String, JsonObject> expected = s.expected(truth);
            throw new AssertionError(failure(s.name() + " did not reach the store's state; interest "
                + s.view.interest() + (s.view.pendingAdds().isEmpty() ? "" : ", adds pending " + s.view.pendingAdds())
                + ", connected " + s.connected() + "\n  missing or different: " + diff(expected, s.view.offers())
                + "\n  extra: " + diff(s.view.offers(), expected) + "\n  the store has for the extra ones: "
                + extraTruth(s.view.offers(), expected, truth) + "\n  the frames before, oldest first:\n    "
                + s.view.trace()));
          }
        }
        Thread.sleep(20);
      }
    }

    /** The store's state after the writes: offers as written, and as the market shows them. */
    record Truth(Map<String, JsonObject> plain, Map<String, JsonObject> priced) {
      Map<String, JsonObject> of(Storefront s) {
        return s.market == null ? plain : priced;
      }
    }

    private static String extraTruth(Map<String, JsonObject> have, Map<String, JsonObject> expected,
        Truth all) {
      Map<String, JsonObject> truth = all.plain();
      StringBuilder sb = new StringBuilder();
      have.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> sb.append("\n    ").append(k)
          .append(": ").append(truth.get(k) == null ? "nothing" : truth.get(k).encode()));
      return sb.length() == 0 ? "none" : sb.toString();
    }

    private static String diff(Map<String, JsonObject> want, Map<String, JsonObject> have) {
      StringBuilder sb = new StringBuilder();
      want.forEach((k, v) -> {
        if (!v.equals(have.get(k))) {
          sb.append("\n    ").append(k).append(": ").append(v.encode()).append(" vs ")
              .append(have.get(k) == null ? "nothing" : have.get(k).encode());
        }
      });
      return sb.length() == 0 ? "none" : sb.toString();
    }

    @Override
    public void close() {
      writing.set(false);
      for (Storefront s : storefronts) {
        s.shut();
      }
      try {
        gateway.close();
      } finally {
        clients.close().await();
      }
    }
  }

  /**
   * A storefront: one subscription over one transport, reconnecting and resuming as the README
   * tells clients to. Frames of an earlier connection that arrive late are ignored. Only the
   * driver thread acts on it; frames and closes arrive on client threads. Nothing blocking runs
   * while its lock is held.
   */
  private static final class Storefront {
    private final Chaos chaos;
    private final int n;
    private final String transport;
    private final double maxRate;
    /** The market the storefront names, or null. */
    final String market;
    final ClientView view;
    private int generation;
    private int closedGeneration;
    private Link link;
    private boolean paused;
    private long resumeAt;
    private long reconnectAt;

    Storefront(Chaos chaos, int n, String transport, ClientView.Interest interest, double maxRate, String market) {
      this.chaos = chaos;
      this.market = market;
      this.n = n;
      this.transport = transport;
      this.maxRate = maxRate;
      this.view = new ClientView(subscriptionId(), interest);
    }

    String name() {
      return "storefront " + n + " (" + transport + (maxRate > 0 ? ", max_rate " + maxRate : "")
          + (market != null ? ", market " + market : "") + ")";
    }

    private String subscriptionId() {
      return transport.equals("sse") ? "sse" : "shop";
    }

    synchronized boolean connected() {
      return link != null;
    }

    /** What a new connection needs, read under the lock. */
    private record Opening(int gen, boolean since, JsonObject subscribe, ClientView.Interest interest,
        String lastEventId) {
    }

    /** Opens a connection and subscribes: resuming from the view's position unless told not to. */
    void connect(boolean resume) {
      Opening o;
      synchronized (this) {
        view.reconnecting();
        int gen = ++generation;
        boolean since = resume && view.epoch() != null && view.resumePoint() >= 0;
        JsonObject subscribe = new JsonObject().put("op", "subscribe").put("id", subscriptionId())
            .mergeIn(view.interest().toJson());
        if (maxRate > 0) {
          subscribe.put("max_rate", maxRate);
        }
        if (market != null) {
          subscribe.put("market", market);
        }
        if (since) {
          subscribe.put("since", new JsonObject().put("epoch", view.epoch()).put("seq", view.resumePoint()));
        }
        o = new Opening(gen, since, subscribe, view.interest(), since ? view.epoch() + ":" + view.resumePoint() : null);
        link = null;
        paused = false;
        reconnectAt = 0;
      }
      chaos.count(o.since ? "subscribes with since" : "fresh subscribes");
      Link opened;
      try {
        opened = switch (transport) {
          case "sse" -> SseLink.open(this, o);
          case "deflate" -> VertxLink.open(this, o, chaos.deflating);
          case "deflate-no-context" -> VertxLink.open(this, o, chaos.deflatingWithoutContext);
          default -> JdkLink.open(this, o);
        };
      } catch (Exception e) {
        // The gateway may be restarting; try again shortly.
        synchronized (this) {
          reconnectAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        }
        chaos.count("failed connects");
        return;
      }
      synchronized (this) {
        if (o.gen == generation && closedGeneration != o.gen) {
          link = opened;
          return;
        }
        if (o.gen == generation) {
          reconnectAt = System.nanoTime();
        }
      }
      opened.abort();
    }

    void onFrame(int gen, JsonObject frame) {
      synchronized (this) {
        if (gen == generation && subscriptionId().equals(frame.getString("id"))) {
          view.apply(frame);
        }
      }
    }

    void onClosed(int gen, int code) {
      synchronized (this) {
        if (gen != generation || closedGeneration == gen) {
          return;
        }
        closedGeneration = gen;
        link = null;
        reconnectAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      }
      chaos.count("closed by the gateway with " + code);
    }

    void due(long now) {
      wake(now, false);
    }

    void add() {
      Link l;
      ClientView.Interest entry;
      synchronized (this) {
        if (link == null || transport.equals("sse") || !view.snapshotDone()) {
          return;
        }
        ClientView.Interest all = view.interest();
        for (ClientView.Interest pending : view.pendingAdds()) {
          JsonObject j = pending.toJson();
          j.getJsonArray("suppliers").forEach(v -> all.suppliers((String) v));
          j.getJsonArray("skus").forEach(v -> all.skus((String) v));
          j.getJsonArray("categories").forEach(v -> all.categories((String) v));
        }
        entry = chaos.randomEntry(all);
        if (entry == null) {
          return;
        }
        view.adding(entry);
        l = link;
      }
      l.send(new JsonObject().put("op", "add").put("id", subscriptionId()).mergeIn(entry.toJson()));
      chaos.count("adds");
    }

    void remove() {
      Link l;
      ClientView.Interest part = new ClientView.Interest();
      synchronized (this) {
        if (link == null || transport.equals("sse") || !view.snapshotDone() || !view.pendingAdds().isEmpty()) {
          return;
        }
        JsonObject all = view.interest().toJson();
        List<String[]> entries = new ArrayList<>();
        for (String kind : List.of("suppliers", "skus", "categories")) {
          all.getJsonArray(kind).forEach(v -> entries.add(new String[] {kind, (String) v}));
        }
        if (entries.size() < 2) {
          return;
        }
        String[] gone = entries.get(chaos.random.nextInt(entries.size()));
        switch (gone[0]) {
          case "suppliers" -> part.suppliers(gone[1]);
          case "skus" -> part.skus(gone[1]);
          default -> part.categories(gone[1]);
        }
        view.removing(part);
        l = link;
      }
      l.send(new JsonObject().put("op", "remove").put("id", subscriptionId()).mergeIn(part.toJson()));
      chaos.count("removes");
    }

    void pause(long now, long ms) {
      Link l;
      synchronized (this) {
        if (link == null || paused) {
          return;
        }
        paused = true;
        resumeAt = now + TimeUnit.MILLISECONDS.toNanos(ms);
        l = link;
      }
      l.pause();
      chaos.count("pauses");
    }

    /** Drops the connection (abruptly, or politely), to come back after {@code awayMs}. */
    void drop(long now, long awayMs, boolean abrupt) {
      Link l;
      synchronized (this) {
        if (link == null) {
          return;
        }
        l = link;
        link = null;
        generation++;
        reconnectAt = now + TimeUnit.MILLISECONDS.toNanos(awayMs) + 1;
      }
      if (abrupt) {
        l.abort();
      } else {
        l.close();
      }
      chaos.count(abrupt ? "abrupt closes" : "polite closes");
    }

    /** Drops everything and subscribes afresh, as a storefront that lost its stored position would. */
    void startOver() {
      Link l = detach();
      if (l != null) {
        l.close();
      }
      connect(false);
    }

    /** Takes the connection away from the storefront: whatever it still brings is ignored. */
    private synchronized Link detach() {
      Link l = link;
      link = null;
      generation++;
      return l;
    }

    /** For the end: reading, and connected. */
    void settle(long now) {
      wake(now, true);
    }

    /**
     * Reconnects when it is time (at once when settling), or reads again when its pause is over
     * (at once when settling).
     */
    private void wake(long now, boolean settling) {
      Link resume = null;
      boolean reconnect = false;
      synchronized (this) {
        if (link == null) {
          reconnect = settling ? reconnectAt == 0 || now >= reconnectAt : reconnectAt != 0 && now >= reconnectAt;
        } else if (paused && (settling || now >= resumeAt)) {
          paused = false;
          resume = link;
        }
      }
      if (reconnect) {
        connect(true);
      } else if (resume != null) {
        resume.resume();
      }
    }

    synchronized Map<String, JsonObject> expected(Chaos.Truth all) {
      ClientView.Interest interest = view.interest();
      Map<String, JsonObject> expected = new HashMap<>();
      all.of(this).forEach((k, o) -> {
        if (interest.matches(o)) {
          expected.put(k, o);
        }
      });
      return expected;
    }

    synchronized boolean holds(Chaos.Truth truth) {
      return link != null && view.snapshotDone() && view.pendingAdds().isEmpty()
          && view.offers().equals(expected(truth));
    }

    void shut() {
      Link l = detach();
      if (l != null) {
        l.abort();
      }
    }
  }

  /** A storefront's connection. */
  private interface Link {
    void send(JsonObject frame);

    void pause();

    void resume();

    /** Drops the connection without a goodbye. */
    void abort();

    /** Closes politely (a close frame, or the end of the event stream). */
    void close();
  }

  /** WebSocket from the JDK's HTTP client: reads only as asked (so it can stop), and can abort. */
  private static final class JdkLink implements Link, WebSocket.Listener {
    private final Storefront owner;
    private final int gen;
    private WebSocket ws;
    private final StringBuilder partial = new StringBuilder();
    /** Guards only the reading state, never held while the storefront is called. */
    private final Object flow = new Object();
    private boolean paused;
    private boolean owed;

    private JdkLink(Storefront owner, int gen) {
      this.owner = owner;
      this.gen = gen;
    }

    static JdkLink open(Storefront owner, Storefront.Opening o) {
      JdkLink link = new JdkLink(owner, o.gen());
      try {
        link.ws = owner.chaos.jdk.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(10))
            .buildAsync(URI.create("ws://127.0.0.1:" + owner.chaos.port() + "/v1/feed"), link)
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("WebSocket connect failed", e);
      }
      link.send(o.subscribe());
      return link;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject frame = new JsonObject(partial.toString());
        partial.setLength(0);
        owner.onFrame(gen, frame);
      }
      more(webSocket);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
      more(webSocket);
      return null;
    }

    private void more(WebSocket webSocket) {
      synchronized (flow) {
        if (paused) {
          owed = true;
          return;
        }
      }
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      owner.onClosed(gen, statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      owner.onClosed(gen, -1);
    }

    @Override
    public void send(JsonObject frame) {
      try {
        ws.sendText(frame.encode(), true).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closed meanwhile: the close event brings the storefront back
      }
    }

    @Override
    public void pause() {
      synchronized (flow) {
        paused = true;
      }
    }

    @Override
    public void resume() {
      boolean request;
      synchronized (flow) {
        paused = false;
        request = owed;
        owed = false;
      }
      if (request) {
        ws.request(1);
      }
    }

    @Override
    public void abort() {
      ws.abort();
    }

    @Override
    public void close() {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
  }

  /** WebSocket from Vert.x, offering permessage-deflate as browsers do. */
  private static final class VertxLink implements Link {
    private final io.vertx.core.http.WebSocket ws;

    private VertxLink(io.vertx.core.http.WebSocket ws) {
      this.ws = ws;
    }

    static VertxLink open(Storefront owner, Storefront.Opening o, WebSocketClient client) {
      io.vertx.core.http.WebSocket ws = client.connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(owner.chaos.port()).setURI("/v1/feed").setAllowOriginHeader(false)).await();
      ws.textMessageHandler(text -> {
        JsonObject frame;
        try {
          frame = new JsonObject(text);
        } catch (RuntimeException e) {
          owner.view.unreadable("a frame that is not JSON", e);
          return;
        }
        owner.onFrame(o.gen(), frame);
      });
      ws.closeHandler(v -> owner.onClosed(o.gen(), ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
      // Resets and closes mid-frame are part of the run; a frame that does not decode is a fault.
      ws.exceptionHandler(e -> {
        for (Throwable c = e; c != null; c = c.getCause()) {
          if (c instanceof io.netty.handler.codec.DecoderException || c instanceof java.util.zip.DataFormatException) {
            owner.view.unreadable("a frame that does not decode", e);
          }
        }
      });
      VertxLink link = new VertxLink(ws);
      link.send(o.subscribe());
      return link;
    }

    @Override
    public void send(JsonObject frame) {
      if (!ws.isClosed()) {
        ws.writeTextMessage(frame.encode());
      }
    }

    @Override
    public void pause() {
      ws.pause();
    }

    @Override
    public void resume() {
      ws.resume();
    }

    @Override
    public void abort() {
      close();
    }

    @Override
    public void close() {
      if (!ws.isClosed()) {
        ws.close();
      }
    }
  }

  /** An event stream, reconnecting with Last-Event-ID as EventSource does. */
  private static final class SseLink implements Link {
    private final io.pricewire.support.SseClient stream;

    private SseLink(io.pricewire.support.SseClient stream) {
      this.stream = stream;
    }

    static SseLink open(Storefront owner, Storefront.Opening o) {
      JsonObject interest = o.interest().toJson();
      StringBuilder query = new StringBuilder();
      for (String kind : List.of("suppliers", "skus", "categories")) {
        for (Object v : interest.getJsonArray(kind)) {
          query.append(query.length() == 0 ? "" : "&").append(kind).append('=')
              .append(URLEncoder.encode((String) v, StandardCharsets.UTF_8));
        }
      }
      if (owner.maxRate > 0) {
        query.append("&max_rate=").append(owner.maxRate);
      }
      if (owner.market != null) {
        query.append("&market=").append(owner.market);
      }
      io.pricewire.support.SseClient stream = io.pricewire.support.SseClient.open(owner.chaos.port(),
          query.toString(), o.lastEventId(), (id, json) -> owner.onFrame(o.gen(), json),
          () -> owner.onClosed(o.gen(), 0));
      if (stream.statusCode() != 200) {
        stream.close();
        throw new IllegalStateException("SSE answered " + stream.statusCode());
      }
      return new SseLink(stream);
    }

    @Override
    public void send(JsonObject frame) {
      throw new UnsupportedOperationException("an event stream takes no frames");
    }

    @Override
    public void pause() {
      stream.pause();
    }

    @Override
    public void resume() {
      stream.resume();
    }

    @Override
    public void abort() {
      stream.close();
    }

    @Override
    public void close() {
      stream.close();
    }
  }
}
