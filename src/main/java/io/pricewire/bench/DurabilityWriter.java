package io.pricewire.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Load for the crash test: several suppliers write offers with explicit, ever-growing versions,
 * and every write the gateway answered {@code applied} is appended to a file as
 * {@code supplier,sku,version} before the next request. After the gateway is killed and
 * restarted, each of those lines must be in the change log.
 */
@Command(name = "durability", mixinStandardHelpOptions = true,
    description = {"Write with explicit versions and record every acknowledged (applied) write in a file,",
        "for the crash test (scripts/crash-test.sh). Runs until stopped or for --duration seconds."})
public final class DurabilityWriter implements Callable<Integer> {

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--clients", defaultValue = "4", description = "Concurrent suppliers (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--batch", defaultValue = "50", description = "Offers per request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--acked", required = true, description = "File the acknowledged writes are appended to.")
  String acked;

  @Option(names = "--duration", defaultValue = "0", description = "Seconds to run; 0 until stopped (default: ${DEFAULT-VALUE}).")
  int duration;

  private final AtomicLong ackedCount = new AtomicLong();
  private Vertx vertx;

  @Override
  public Integer call() throws Exception {
    vertx = Vertx.vertx();
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1000).setIdleTimeout(5),
        new PoolOptions().setHttp1MaxSize(clients));
    BenchAuth auth = BenchAuth.resolve(http, gateway);
    try (PrintWriter out = new PrintWriter(new FileWriter(acked, true))) {
      CountDownLatch stop = new CountDownLatch(1);
      // Versions start from the clock, so a restarted writer still writes newer versions.
      long base = System.currentTimeMillis() * 1000;
      for (int c = 0; c < clients; c++) {
        String supplier = "crash-" + c;
        String key = auth.keyFor(supplier).await();
        AtomicLong version = new AtomicLong(base);
        vertx.runOnContext(v -> next(http, supplier, key, version, out));
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        synchronized (out) {
          out.flush();
        }
      }));
      if (duration > 0) {
        stop.await(duration, java.util.concurrent.TimeUnit.SECONDS);
      } else {
        stop.await();
      }
    }
    System.out.println("acknowledged writes recorded: " + ackedCount.get());
    vertx.close().await();
    return 0;
  }

  private void next(HttpClientAgent http, String supplier, String key, AtomicLong version, PrintWriter out) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < batch; i++) {
      items.add(new JsonObject().put("sku", "o" + (i % 100)).put("price", (1 + i) + ".00 CAD")
          .put("availability", "in_stock").put("quantity", version.get() % 1000).put("version", version.incrementAndGet()));
    }
    RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(gateway.url().resolve("/v1/suppliers/" + supplier + "/offers").toString())
        .putHeader("Content-Type", "application/json").setTimeout(10_000), key);
    http.request(request).compose(req -> req.send(Buffer.buffer(items.encode())))
        .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? b.toJsonObject() : null))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() != null) {
            StringBuilder lines = new StringBuilder();
            int n = 0;
            for (Object o : ar.result().getJsonArray("items")) {
              JsonObject item = (JsonObject) o;
              if ("applied".equals(item.getString("status"))) {
                lines.append(supplier).append(',').append(item.getString("sku")).append(',')
                    .append(item.getLong("version")).append('\n');
                n++;
              }
            }
            synchronized (out) {
              out.print(lines);
              out.flush();
            }
            ackedCount.addAndGet(n);
            next(http, supplier, key, version, out);
          } else {
            // Not acknowledged: nothing is recorded. Try again shortly with new versions.
            vertx.setTimer(200, t -> next(http, supplier, key, version, out));
          }
        });
  }

}
