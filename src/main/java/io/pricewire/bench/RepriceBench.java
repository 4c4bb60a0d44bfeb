package io.pricewire.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pricewire bench reprice}: how long a new FX rate takes to reach every storefront of a
 * market, and what it costs the gateway. Loads a catalog, opens subscribers of the market (each
 * follows one supplier), posts a new rate to the admin API, and times until every subscriber
 * holds every one of its offers at the new rate; meanwhile samples the gateway's resident memory.
 */
@Command(name = "reprice", mixinStandardHelpOptions = true,
    description = "Time a market-wide repricing: a new FX rate posted, until every subscriber has every offer re-priced.")
public final class RepriceBench implements java.util.concurrent.Callable<Integer> {

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--suppliers", defaultValue = "100", description = "Suppliers in the catalog (default: ${DEFAULT-VALUE}).")
  int suppliers;

  @Option(names = "--offers", defaultValue = "1000", description = "Offers per supplier (default: ${DEFAULT-VALUE}).")
  int offersPerSupplier;

  @Option(names = "--subscribers", defaultValue = "1000", description = "Subscribers; subscriber i follows supplier "
      + "i mod suppliers (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--market", defaultValue = "cn-cbec", description = "Market the subscribers name (default: ${DEFAULT-VALUE}).")
  String market;

  @Option(names = "--compress", defaultValue = "true", fallbackValue = "true", negatable = true, description = "Subscribers offer "
      + "permessage-deflate, as browsers do (default: ${DEFAULT-VALUE}; --compress=false for plain frames).")
  boolean compress;

  @Option(names = "--sources", defaultValue = "4", description = "Source addresses 127.0.0.2, ... (default: ${DEFAULT-VALUE}).")
  int sources;

  @Option(names = "--server-pid", description = "Process id of the gateway: its resident memory, and heap after a full GC.")
  Long serverPid;

  @Option(names = "--out", description = "Also write the result as JSON to this file.")
  Path out;

  private HttpClientAgent http;
  /** Admin and ingest calls go over the JDK's client, off the event loops the subscribers use. */
  private java.net.http.HttpClient jdk;
  private String admin;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    http = vertx.createHttpClient();
    jdk = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    admin = gateway.adminToken != null ? gateway.adminToken : System.getenv("PRICEWIRE_ADMIN");
    if (admin == null || admin.isBlank()) {
      System.out.println("this bench needs the admin token (--admin-token or PRICEWIRE_ADMIN): it posts rates");
      return 2;
    }
    String day = LocalDate.now(ZoneId.of("Asia/Shanghai")).toString();
    rate("5.1000", day);
    long loadStart = System.nanoTime();
    for (int s = 0; s < suppliers; s++) {
      load("reprice-" + s);
    }
    System.out.printf("catalog: %,d offers of %d suppliers loaded in %.1f s%n", suppliers * offersPerSupplier,
        suppliers, (System.nanoTime() - loadStart) / 1e9);
    String token = post(gateway.opsUrl, "/admin/storefront-tokens", admin,
        new JsonObject().put("suppliers", "*").put("ttl_seconds", 86_400), 201).getString("token");

    List<WebSocketClient> clients = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.0." + (2 + i))
          .setMaxConnections(subscribers).setTryUsePerMessageCompression(compress)
          .setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024)));
    }
    String newRate = "5.2345";
    String marker = "\"fx\":{\"rate\":\"" + newRate + "\"";
    Subscriber[] subs = new Subscriber[subscribers];
    CountDownLatch snapshots = new CountDownLatch(subscribers);
    CountDownLatch repriced = new CountDownLatch(subscribers);
    // At most this many subscriptions wait for their snapshot at once, as storefronts coming
    // online over a few seconds would; one refused (the store busy) subscribes again.
    Semaphore slots = new Semaphore(100);
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < subscribers; i++) {
      slots.acquire();
      Subscriber sub = new Subscriber(offersPerSupplier, marker, snapshots, repriced, slots, retries);
      subs[i] = sub;
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(gateway.url().getHost())
          .setPort(gateway.url().getPort()).setURI("/v1/feed").setAllowOriginHeader(false);
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      String frame = new JsonObject().put("op", "subscribe").put("id", "r").put("market", market)
          .put("suppliers", new JsonArray().add("reprice-" + (i % suppliers))).encode();
      clients.get(i % sources).connect(options).onComplete(ar -> {
        if (ar.failed()) {
          slots.release();
          if (failed.incrementAndGet() <= 3) {
            System.out.println("connect failed: " + ar.cause().getMessage());
          }
          snapshots.countDown();
          return;
        }
        sub.start(ar.result(), frame);
        ar.result().writeTextMessage(frame);
      });
    }
    if (!snapshots.await(10, TimeUnit.MINUTES)) {
      System.out.printf("not every snapshot arrived: %d of %d missing%n", snapshots.getCount(), subscribers);
      return 1;
    }
    long before = rss();
    long heapBefore = heapAfterGc();
    System.out.printf("subscribers: %,d with their snapshots (%,d failed, %,d subscribes retried); gateway RSS %,d MiB, heap after GC %,d MiB%n",
        subscribers - failed.get(), failed.get(), retries.get(), before >> 20, heapBefore >> 20);

    AtomicLong peak = new AtomicLong(before);
    long sampler = vertx.setPeriodic(50, id -> peak.accumulateAndGet(rss(), Math::max));
    double serverCpu0 = serverPid == null ? Double.NaN : new ServerStats(serverPid).cpuSeconds();
    long ownCpu0 = ServerStats.ownCpuNanos();
    long start = System.nanoTime();
    for (Subscriber s : subs) {
      s.since(start);
    }
    long eventSeq = rate(newRate, day);
    long answered = System.nanoTime();
    boolean all = repriced.await(10, TimeUnit.MINUTES);
    long end = System.nanoTime();
    double serverCpu = serverPid == null ? Double.NaN : new ServerStats(serverPid).cpuSeconds() - serverCpu0;
    double ownCpu = (ServerStats.ownCpuNanos() - ownCpu0) / 1e9;
    vertx.cancelTimer(sampler);
    peak.accumulateAndGet(rss(), Math::max);
    long heapAfter = heapAfterGc();

    double[] done = Arrays.stream(subs).filter(s -> s.doneNanos > 0).mapToDouble(s -> (s.doneNanos - start) / 1e6)
        .sorted().toArray();
    long entries = Arrays.stream(subs).mapToLong(s -> s.repricedEntries.get()).sum();
    long frames = Arrays.stream(subs).mapToLong(s -> s.frames.get()).sum();
    double seconds = (end - start) / 1e9;
    System.out.printf("repricing: %,d offers x %,d subscribers (%,d offer updates in %,d frames)%n",
        suppliers * offersPerSupplier, subscribers, entries, frames);
    System.out.printf("  admin API answered (event logged) after %.1f ms, event seq %d%n", (answered - start) / 1e6,
        eventSeq);
    System.out.printf("  every subscriber re-priced: %s after %.2f s (first %.0f ms, p50 %.0f ms, p99 %.0f ms); "
        + "%,.0f offer updates/s%n", all ? "yes" : "NO", seconds, done.length == 0 ? 0 : done[0],
        at(done, 0.5), at(done, 0.99), entries / seconds);
    System.out.printf("  CPU: gateway %.1f s, subscribers (this process) %.1f s%n", serverCpu, ownCpu);
    System.out.printf("  gateway RSS %,d MiB before, peak %,d MiB (+%,d MiB); heap after GC %,d -> %,d MiB%n",
        before >> 20, peak.get() >> 20, (peak.get() - before) >> 20, heapBefore >> 20, heapAfter >> 20);
    JsonObject json = new JsonObject().put("workload", "reprice").put("offers", suppliers * offersPerSupplier)
        .put("suppliers", suppliers).put("subscribers", subscribers).put("compress", compress)
        .put("market", market).put("all_repriced", all).put("seconds", seconds)
        .put("p50_ms", at(done, 0.5)).put("p99_ms", at(done, 0.99))
        .put("offer_updates", entries).put("frames", frames).put("event_logged_ms", (answered - start) / 1e6)
        .put("rss_before_bytes", before > 0 ? before : null).put("rss_peak_bytes", peak.get() > 0 ? peak.get() : null)
        .put("gateway_cpu_seconds", serverCpu).put("subscribers_cpu_seconds", ownCpu)
        .put("heap_after_gc_before_bytes", heapBefore).put("heap_after_gc_after_bytes", heapAfter);
    System.out.println(json.encode());
    if (out != null) {
      Files.writeString(out, json.encodePrettily());
    }
    vertx.close().await();
    return all ? 0 : 1;
  }

  /** One storefront: counts the offers of its snapshot, then those that arrive at the new rate. */
  private static final class Subscriber {
    final int offers;
    final String marker;
    final CountDownLatch snapshots;
    final CountDownLatch repriced;
    final AtomicLong repricedEntries = new AtomicLong();
    final AtomicLong frames = new AtomicLong();
    volatile long startNanos;
    volatile long doneNanos;
    private boolean snapshotDone;
    private final Semaphore slots;
    private final AtomicInteger retries;

    Subscriber(int offers, String marker, CountDownLatch snapshots, CountDownLatch repriced, Semaphore slots,
        AtomicInteger retries) {
      this.offers = offers;
      this.marker = marker;
      this.snapshots = snapshots;
      this.repriced = repriced;
      this.slots = slots;
      this.retries = retries;
    }

    void since(long start) {
      startNanos = start;
    }

    void start(WebSocket ws, String subscribe) {
      ws.closeHandler(v -> {
        if (doneNanos == 0) {
          System.out.println("a subscriber was closed before it was re-priced: " + ws.closeStatusCode() + " "
              + ws.closeReason());
        }
      });
      ws.textMessageHandler(text -> {
        if (!snapshotDone) {
          if (text.startsWith("{\"type\":\"error\"") && text.contains("store_unavailable")) {
            if (retries.incrementAndGet() <= 3) {
              System.out.println("subscribe refused, trying again: " + text);
            }
            io.vertx.core.Vertx.currentContext().owner().setTimer(500, t -> ws.writeTextMessage(subscribe));
          } else if (text.startsWith("{\"type\":\"error\"")) {
            System.out.println("subscribe refused: " + text);
          }
          if (text.startsWith("{\"type\":\"snapshot\"") && !text.contains("\"more\":true")) {
            snapshotDone = true;
            slots.release();
            snapshots.countDown();
          }
          return;
        }
        frames.incrementAndGet();
        int n = 0;
        for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
          n++;
        }
        if (n > 0 && repricedEntries.addAndGet(n) >= offers && doneNanos == 0) {
          doneNanos = System.nanoTime();
          repriced.countDown();
        }
      });
    }
  }

  /** The q-quantile of sorted values (nearest rank), 0 for none. */
  private static double at(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** Posts a CAD/CNY rate; the seq of the market event it caused. */
  private long rate(String rate, String day) throws Exception {
    JsonObject body = new JsonObject().put("rates", new JsonArray().add(new JsonObject().put("base", "CAD")
        .put("quote", "CNY").put("rate", rate).put("as_of", day).put("source", "bench")));
    return post(gateway.opsUrl, "/admin/fx", admin, body, 200).getLong("market_event_seq", -1L);
  }

  /** Loads one supplier's offers with a key of its own. */
  private void load(String supplier) throws Exception {
    JsonArray items = new JsonArray();
    for (int i = 0; i < offersPerSupplier; i++) {
      items.add(new JsonObject().put("sku", "o" + i).put("price", (10 + i % 90) + "." + (i % 100 < 10 ? "0" : "")
          + (i % 100) + " CAD").put("availability", "in_stock").put("quantity", 100).put("category",
          i % 3 == 0 ? "Fruit > Cherries" : i % 3 == 1 ? "Seafood > Lobster" : "Apparel")
          .put("title", new JsonObject().put("en", "Item " + i).put("zh-CN", "商品 " + i)));
    }
    String key = post(gateway.opsUrl, "/admin/suppliers/" + supplier + "/keys", admin,
        new JsonObject().put("label", "bench"), 201).getString("key");
    post(gateway.url(), "/v1/suppliers/" + supplier + "/offers", key, items, 200);
  }

  private JsonObject post(java.net.URI base, String path, String bearer, Object body, int expected) throws Exception {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(base.resolve(path))
        .timeout(java.time.Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + bearer)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(String.valueOf(body))).build();
    var answer = jdk.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != expected) {
      throw new IllegalStateException(path + " answered " + answer.statusCode() + ": " + answer.body());
    }
    return new JsonObject(answer.body());
  }

  private long rss() {
    return serverPid == null ? -1 : new ServerStats(serverPid).rssBytes();
  }

  /** The gateway's heap in use after a full GC (when its pid is given). */
  private long heapAfterGc() throws Exception {
    return ServerStats.heapInUse(serverPid, http, gateway.opsUrl);
  }
}
