package io.pricewire.bench;

import io.vertx.core.Future;
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
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fan-out: S WebSocket subscribers follow one supplier's O offers while prices change at R per
 * second. Reports delivered updates per second, latency from commit to client receipt (the
 * offer's committed_at against this machine's clock), and the gateway's own commit-to-write
 * histogram for the same window.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
    description = "Delivered updates per second and commit-to-client latency with S subscribers.")
public final class FanoutBench implements Callable<Integer> {

  private static final String SUPPLIER = "bench-fanout";

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--ops-url", defaultValue = "http://127.0.0.1:8081", description = "Gateway ops URL, for its own histogram (default: ${DEFAULT-VALUE}).")
  URI opsUrl;

  @Option(names = "--admin-token", description = "Admin token for a key and a storefront token (default: $PRICEWIRE_ADMIN, "
      + "else a local development gateway's; none: the gateway must run with PRICEWIRE_AUTH=off).")
  String adminToken;

  @Option(names = "--subscribers", defaultValue = "100", description = "WebSocket subscribers (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--offers", defaultValue = "1000", description = "Offers the supplier has; every subscriber follows all of them (default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--rate", defaultValue = "500", description = "Price changes per second ingested (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--duration", defaultValue = "20", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
  int duration;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong ingested = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong skippedTicks = new AtomicLong();
  private final Histogram latency = Percentiles.micros();
  private volatile boolean measuring;
  private String key;
  private String token;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(16));
    System.out.printf("fanout bench: %d subscribers x %d offers, %d changes/s, against %s%n", subscribers, offers,
        rate, url);
    BenchAuth auth = BenchAuth.resolve(http, url, opsUrl, adminToken);
    key = auth.keyFor(SUPPLIER).await();
    token = auth.storefrontToken().await();
    seed(http).await();
    List<WebSocket> sockets = connect(vertx).await();
    System.out.printf("%d subscribers connected and holding their snapshots%n", sockets.size());
    int perTick = Math.max(1, rate / 100);
    long timer = vertx.setPeriodic(10, t -> tick(http, perTick));
    Thread.sleep(warmup * 1000L);
    String before = scrape(http);
    delivered.set(0);
    ingested.set(0);
    synchronized (latency) {
      latency.reset();
    }
    measuring = true;
    long start = System.nanoTime();
    Thread.sleep(duration * 1000L);
    measuring = false;
    double seconds = (System.nanoTime() - start) / 1e9;
    String after = scrape(http);
    vertx.cancelTimer(timer);
    ServerHistogram server = ServerHistogram.parse(after, "pricewire_feed_commit_to_write_seconds")
        .minus(ServerHistogram.parse(before, "pricewire_feed_commit_to_write_seconds"));
    long d = delivered.get();
    System.out.printf("ingested changes/s     %,.0f  (target %d%s)%n", ingested.get() / seconds, rate,
        skippedTicks.get() > 0 ? ", " + skippedTicks.get() + " ticks skipped: ingest could not keep up" : "");
    System.out.printf("delivered updates/s    %,.0f  (%,d in %.1f s; expected about %,.0f)%n", d / seconds, d, seconds,
        ingested.get() / seconds * subscribers);
    synchronized (latency) {
      System.out.println("commit -> client       " + Percentiles.row(latency));
    }
    System.out.printf("gateway commit->write  p50 %.2f ms  p99 %.2f ms  (%,.0f frames; from its histogram buckets)%n",
        server.quantile(0.5) * 1000, server.quantile(0.99) * 1000, server.count());
    synchronized (latency) {
      System.out.println(new JsonObject().put("workload", "fanout").put("subscribers", subscribers)
          .put("offers", offers).put("rate", rate)
          .put("ingested_per_second", Math.round(ingested.get() / seconds))
          .put("delivered_per_second", Math.round(d / seconds))
          .put("commit_to_client", Percentiles.json(latency))
          .put("server_commit_to_write", new JsonObject().put("p50_ms", server.quantile(0.5) * 1000)
              .put("p99_ms", server.quantile(0.99) * 1000))
          .encode());
    }
    for (WebSocket ws : sockets) {
      ws.close();
    }
    vertx.close().await();
    return 0;
  }

  private Future<Void> seed(HttpClientAgent http) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < offers; i++) {
      body.append("{\"sku\":\"o").append(i).append("\",\"price\":\"10.00 CAD\",\"availability\":\"in_stock\"}\n");
    }
    return post(http, Buffer.buffer(body.toString())).mapEmpty();
  }

  private Future<List<WebSocket>> connect(Vertx vertx) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxMessageSize(64 * 1024 * 1024).setMaxConnections(subscribers + 1));
    List<Future<WebSocket>> all = new ArrayList<>();
    String subscribe = new JsonObject().put("op", "subscribe").put("id", "bench")
        .put("suppliers", new io.vertx.core.json.JsonArray().add(SUPPLIER)).encode();
    int port = url.getPort() > 0 ? url.getPort() : 80;
    for (int i = 0; i < subscribers; i++) {
      WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(url.getHost()).setPort(port)
          .setURI("/v1/feed").setAllowOriginHeader(false);
      if (token != null) {
        connect.addHeader("Authorization", "Bearer " + token);
      }
      all.add(client.connect(connect)
          .compose(ws -> {
            io.vertx.core.Promise<WebSocket> ready = io.vertx.core.Promise.promise();
            ws.textMessageHandler(text -> onFrame(text, ready, ws));
            return ws.writeTextMessage(subscribe).compose(v -> ready.future());
          }));
    }
    return Future.all(all).map(c -> {
      List<WebSocket> list = new ArrayList<>();
      all.forEach(f -> list.add(f.result()));
      return list;
    });
  }

  private void onFrame(String text, io.vertx.core.Promise<WebSocket> ready, WebSocket ws) {
    if (text.startsWith("{\"type\":\"update\"")) {
      if (measuring) {
        delivered.incrementAndGet();
        int at = text.indexOf("\"committed_at\":\"");
        if (at > 0) {
          int end = text.indexOf('"', at + 16);
          Instant committed = Instant.parse(text.substring(at + 16, end));
          long micros = ChronoUnit.MICROS.between(committed, Instant.now());
          synchronized (latency) {
            latency.recordValue(Math.max(0, micros));
          }
        }
      }
    } else if (text.contains("\"type\":\"snapshot\"") && text.contains("\"more\":false")) {
      ready.tryComplete(ws);
    } else if (text.contains("\"type\":\"error\"")) {
      ready.tryFail("the gateway refused the subscription: " + text);
    }
  }

  private void tick(HttpClientAgent http, int perTick) {
    if (inFlight.get() >= 16) {
      skippedTicks.incrementAndGet();
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder body = new StringBuilder(perTick * 60);
    for (int i = 0; i < perTick; i++) {
      body.append("{\"sku\":\"o").append(random.nextInt(offers)).append("\",\"price\":\"")
          .append(1 + random.nextInt(500)).append('.').append(String.format("%02d", random.nextInt(100)))
          .append(" CAD\"}\n");
    }
    inFlight.incrementAndGet();
    post(http, Buffer.buffer(body.toString())).onComplete(ar -> {
      inFlight.decrementAndGet();
      if (ar.succeeded() && measuring) {
        ingested.addAndGet(ar.result().getJsonObject("counts").getLong("applied"));
      }
    });
  }

  private Future<JsonObject> post(HttpClientAgent http, Buffer body) {
    RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(url.resolve("/v1/suppliers/" + SUPPLIER + "/offers").toString())
        .putHeader("Content-Type", "application/x-ndjson"), key);
    return http.request(request).compose(req -> req.send(body)).compose(resp -> resp.body())
        .map(Buffer::toJsonObject);
  }

  private String scrape(HttpClientAgent http) {
    try {
      return http.request(new RequestOptions().setAbsoluteURI(opsUrl.resolve("/metrics").toString()))
          .compose(req -> req.send()).compose(resp -> resp.body()).map(Buffer::toString).await();
    } catch (RuntimeException e) {
      System.out.println("could not read the gateway's metrics at " + opsUrl + ": " + e.getMessage());
      return "";
    }
  }
}
