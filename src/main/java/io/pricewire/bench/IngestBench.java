package io.pricewire.bench;

import io.pricewire.changelog.Change;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.store.PgDirectWrite;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Closed-loop ingest: N suppliers each keep one request of B price changes in flight, as fast as
 * the gateway answers. Reports applied (committed) updates per second and request latency.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Maximum committed updates per second with N concurrent suppliers sending batches of B.")
public final class IngestBench implements Callable<Integer> {

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--suppliers", defaultValue = "8", description = "Concurrent suppliers, one request in flight each (default: ${DEFAULT-VALUE}).")
  int suppliers;

  @Option(names = "--batch", defaultValue = "500", description = "Offers per request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--offers", defaultValue = "10000", description = "Distinct offers per supplier (default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--format", defaultValue = "ndjson", description = "Body format: json or ndjson (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--duration", defaultValue = "20", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--server-pid", description = "Process id of the gateway, for its CPU and resident memory (from /proc).")
  Long serverPid;

  @Option(names = "--db-process", defaultValue = "postgres", description = "Name of the database's processes on this machine, "
      + "whose CPU is reported too (default: ${DEFAULT-VALUE}).")
  String dbProcess;

  @Option(names = "--direct", description = {"Then measure the limit: the same rows (suppliers, batch, offers) written "
      + "straight into the gateway's database by the store's own statements, in one transaction each with the same log "
      + "lock, no gateway; for as long, right after. Reports the gateway's figure as a fraction of it."})
  boolean direct;

  @Option(names = "--pg-uri", description = "With --direct: the gateway's database (default: $PRICEWIRE_PG_URI, else "
      + "postgresql://postgres@127.0.0.1:5432/pricewire_bench).")
  String pgUri;

  @Option(names = "--out", description = "Also write the result as JSON to this file.")
  Path out;

  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong reported = new AtomicLong();
  private final Histogram latency = Percentiles.micros();
  private volatile boolean measuring;
  private volatile boolean stopping;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(suppliers));
    System.out.printf("ingest bench: %d suppliers x %d offers per %s request against %s%n", suppliers, batch, format,
        gateway.url());
    BenchAuth auth = BenchAuth.resolve(client, gateway);
    String store = client.request(new RequestOptions().setAbsoluteURI(gateway.opsUrl.resolve("/health/ready").toString()))
        .compose(r -> r.send()).compose(r -> r.body()).map(b -> {
          for (Object check : b.toJsonObject().getJsonArray("checks")) {
            JsonObject c = (JsonObject) check;
            if ("store".equals(c.getString("id")) && c.getJsonObject("data") != null) {
              return c.getJsonObject("data").getString("store");
            }
          }
          return "unknown";
        }).otherwise((String) null).await();
    if (store == null) {
      System.err.println("no gateway answers at " + gateway.opsUrl.resolve("/health/ready") + "; start it first (or set --ops-url)");
      vertx.close().await();
      return 1;
    }
    System.out.println("gateway store: " + store);
    CountDownLatch done = new CountDownLatch(suppliers);
    for (int s = 0; s < suppliers; s++) {
      String supplier = "bench-ingest-" + s;
      String key = auth.keyFor(supplier).await();
      vertx.runOnContext(v -> loop(client, supplier, key, done));
    }
    Thread.sleep(warmup * 1000L);
    applied.set(0);
    other.set(0);
    failed.set(0);
    synchronized (latency) {
      latency.reset();
    }
    double serverCpu0 = serverPid == null ? Double.NaN : new ServerStats(serverPid).cpuSeconds();
    long clientCpu0 = ServerStats.ownCpuNanos();
    double dbCpu0 = dbCpu();
    measuring = true;
    long start = System.nanoTime();
    Thread.sleep(duration * 1000L);
    measuring = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    double serverCores = serverPid == null ? Double.NaN : (new ServerStats(serverPid).cpuSeconds() - serverCpu0) / seconds;
    double dbCores = (dbCpu() - dbCpu0) / seconds;
    double clientCores = (ServerStats.ownCpuNanos() - clientCpu0) / 1e9 / seconds;
    long rss = serverPid == null ? -1 : new ServerStats(serverPid).rssBytes();
    stopping = true;
    done.await();
    long a = applied.get();
    System.out.printf("applied updates/s      %,.0f  (%,d applied, %,d unchanged/stale/rejected, %d failed requests, "
        + "%.1f s)%n", a / seconds, a, other.get(), failed.get(), seconds);
    if (!Double.isNaN(serverCores) || !Double.isNaN(dbCores)) {
      System.out.printf("CPU cores              gateway %s, database %s%s%n", Double.isNaN(serverCores) ? "?"
          : String.format("%.2f", serverCores), Double.isNaN(dbCores) ? "?" : String.format("%.2f", dbCores),
          rss > 0 ? String.format("; gateway RSS %,d MB", rss >> 20) : "");
    }
    System.out.printf("load generator         %.2f CPU cores (this process)%n", clientCores);
    synchronized (latency) {
      System.out.println("request latency        " + Percentiles.row(latency));
      JsonObject json = new JsonObject().put("workload", "ingest").put("store", store).put("suppliers", suppliers)
          .put("batch", batch).put("format", format).put("seconds", seconds)
          .put("applied_per_second", Math.round(a / seconds))
          .put("failed_requests", failed.get()).put("latency", Percentiles.json(latency))
          .put("server_cpu_cores", Double.isNaN(serverCores) ? null : serverCores)
          .put("database_cpu_cores", Double.isNaN(dbCores) ? null : dbCores)
          .put("load_generator_cpu_cores", clientCores)
          .put("server_rss_bytes", rss > 0 ? rss : null);
      if (direct) {
        JsonObject limit = direct(vertx, seconds);
        json.put("direct", limit).put("ratio_to_direct", a / seconds / Math.max(1, limit.getLong("rows_per_second")));
        System.out.printf("gateway / direct SQL   %.2f%n", json.getDouble("ratio_to_direct"));
      }
      System.out.println(json.encode());
      if (out != null) {
        Files.writeString(out, json.encodePrettily());
      }
    }
    vertx.close().await();
    return 0;
  }

  /**
   * The limit: each supplier commits batches of the same rows straight into the database, one
   * transaction after the other, through the store's own statements ({@link PgDirectWrite}).
   */
  private JsonObject direct(Vertx vertx, double seconds) throws InterruptedException {
    String uri = pgUri != null ? pgUri : System.getenv().getOrDefault("PRICEWIRE_PG_URI",
        "postgresql://postgres@127.0.0.1:5432/pricewire_bench");
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(uri).setCachePreparedStatements(true))
        .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(suppliers)).using(vertx).build();
    PgDirectWrite writer = new PgDirectWrite(pool);
    AtomicLong rows = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    Histogram commits = Percentiles.micros();
    java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch done = new CountDownLatch(suppliers);
    for (int s = 0; s < suppliers; s++) {
      String supplier = "bench-ingest-" + s;
      vertx.runOnContext(v -> directLoop(writer, supplier, rows, failures, commits, counting, stop, done));
    }
    Thread.sleep(warmup * 1000L);
    long cpu0 = ServerStats.ownCpuNanos();
    double db0 = dbCpu();
    rows.set(0);
    synchronized (commits) {
      commits.reset();
    }
    counting.set(true);
    long start = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    counting.set(false);
    double took = (System.nanoTime() - start) / 1e9;
    double dbCores = (dbCpu() - db0) / took;
    double clientCores = (ServerStats.ownCpuNanos() - cpu0) / 1e9 / took;
    stop.set(true);
    done.await();
    pool.close().await();
    long perSecond = Math.round(rows.get() / took);
    System.out.printf("direct SQL limit       %,d rows/s (each an offer upserted and a change logged; %d failed "
        + "commits), database %.2f cores, writer %.2f cores%n", perSecond, failures.get(), dbCores, clientCores);
    synchronized (commits) {
      System.out.println("direct commit latency  " + Percentiles.row(commits));
      return new JsonObject().put("rows_per_second", perSecond).put("failed_commits", failures.get())
          .put("latency", Percentiles.json(commits)).put("database_cpu_cores", Double.isNaN(dbCores) ? null : dbCores)
          .put("writer_cpu_cores", clientCores);
    }
  }

  private void directLoop(PgDirectWrite writer, String supplier, AtomicLong rows, AtomicLong failures,
      Histogram commits, java.util.concurrent.atomic.AtomicBoolean counting,
      java.util.concurrent.atomic.AtomicBoolean stop, CountDownLatch done) {
    if (stop.get()) {
      done.countDown();
      return;
    }
    long sent = System.nanoTime();
    writer.commit(head -> changes(supplier, head)).onComplete(ar -> {
      if (counting.get()) {
        if (ar.succeeded()) {
          rows.addAndGet(ar.result());
          synchronized (commits) {
            commits.recordValue((System.nanoTime() - sent) / 1000);
          }
        } else {
          failures.incrementAndGet();
        }
      }
      if (ar.failed() && failures.get() <= 3) {
        System.out.println("direct commit failed: " + ar.cause().getMessage());
      }
      directLoop(writer, supplier, rows, failures, commits, counting, stop, done);
    });
  }

  /** The rows of one request of the bench, as committed changes with seqs after {@code head}. */
  private List<Change> changes(String supplier, long head) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    List<Change> changes = new java.util.ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      long seq = head + 1 + i;
      Offer offer = new Offer(new OfferKey(supplier, "o" + random.nextInt(offers)), seq, seq,
          new Money((1 + random.nextInt(1000)) * 1_000_000L + random.nextInt(100) * 10_000L, "CAD"), null,
          Availability.IN_STOCK, null, new java.util.TreeMap<>(), null, null, null, null, now);
      changes.add(new Change(seq, offer, java.util.EnumSet.of(Field.PRICE), null, Availability.IN_STOCK, 0));
    }
    return changes;
  }

  /** CPU seconds used so far by the database server's processes here, or NaN when none runs here. */
  private double dbCpu() {
    return ServerStats.cpuSecondsOfProcessesNamed(dbProcess);
  }

  private void loop(HttpClientAgent client, String supplier, String key, CountDownLatch done) {
    if (stopping) {
      done.countDown();
      return;
    }
    Buffer body = body();
    long sent = System.nanoTime();
    RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(gateway.url()
        .resolve("/v1/suppliers/" + supplier + "/offers").toString())
        .putHeader("Content-Type", format.equals("json") ? "application/json" : "application/x-ndjson"), key);
    client.request(request)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + resp.statusCode() + ": " + b.toString().substring(0,
                Math.min(200, b.length())));
          }
          return b.toJsonObject().getJsonObject("counts");
        }))
        .onComplete(ar -> {
          if (measuring) {
            if (ar.succeeded()) {
              applied.addAndGet(ar.result().getLong("applied"));
              other.addAndGet(ar.result().getLong("unchanged") + ar.result().getLong("stale")
                  + ar.result().getLong("rejected"));
              synchronized (latency) {
                latency.recordValue((System.nanoTime() - sent) / 1000);
              }
            } else {
              failed.incrementAndGet();
            }
          }
          if (ar.failed() && reported.incrementAndGet() <= 3) {
            System.out.println("request failed: " + ar.cause().getMessage());
          }
          loop(client, supplier, key, done);
        });
  }

  private Buffer body() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Buffer b = Buffer.buffer(batch * 90);
    boolean json = format.equals("json");
    if (json) {
      b.appendString("[");
    }
    for (int i = 0; i < batch; i++) {
      if (json && i > 0) {
        b.appendString(",");
      }
      b.appendString("{\"sku\":\"o").appendString(Integer.toString(random.nextInt(offers)))
          .appendString("\",\"price\":\"").appendString(Integer.toString(1 + random.nextInt(1000))).appendString(".")
          .appendString(String.format("%02d", random.nextInt(100)))
          .appendString(" CAD\",\"availability\":\"in_stock\"}");
      if (!json) {
        b.appendString("\n");
      }
    }
    if (json) {
      b.appendString("]");
    }
    return b;
  }
}
