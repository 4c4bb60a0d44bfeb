package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Bytes on the wire for a typical update stream, with and without permessage-deflate. Two
 * subscribers, one offering compression and one not, connect through a relay that counts what
 * the gateway sends each of them (TCP payload, WebSocket framing included).
 */
@Command(name = "wire", mixinStandardHelpOptions = true,
    description = "Bytes per update on the wire with and without permessage-deflate.")
public final class WireBench implements Callable<Integer> {

  private static final String SUPPLIER = "bench-wire";

  private String key;
  private String token;

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--offers", defaultValue = "50", description = "Offers in the catalog (default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--changes", defaultValue = "5000", description = "Changes to stream (default: ${DEFAULT-VALUE}).")
  int changes;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClientAgent http = vertx.createHttpClient();
    BenchAuth auth = BenchAuth.resolve(http, gateway);
    key = auth.keyFor(SUPPLIER).await();
    token = auth.storefrontToken().await();
    post(http, catalog()).await();
    AtomicLong plainBytes = new AtomicLong();
    AtomicLong deflateBytes = new AtomicLong();
    int port = gateway.url().getPort() > 0 ? gateway.url().getPort() : 80;
    NetServer plainRelay = relay(vertx, port, plainBytes).await();
    NetServer deflateRelay = relay(vertx, port, deflateBytes).await();
    AtomicInteger plainUpdates = new AtomicInteger();
    AtomicInteger deflateUpdates = new AtomicInteger();
    WebSocket plain = subscribe(vertx, plainRelay.actualPort(), false, plainUpdates).await();
    WebSocket deflate = subscribe(vertx, deflateRelay.actualPort(), true, deflateUpdates).await();
    String extension = deflate.headers().get("Sec-WebSocket-Extensions");
    long plainStart = plainBytes.get();
    long deflateStart = deflateBytes.get();
    int sent = 0;
    while (sent < changes) {
      int n = Math.min(20, changes - sent);
      post(http, changes(n)).await();
      sent += n;
      Thread.sleep(5);
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while ((plainUpdates.get() < changes || deflateUpdates.get() < changes) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    double plainPer = (plainBytes.get() - plainStart) / (double) plainUpdates.get();
    double deflatePer = (deflateBytes.get() - deflateStart) / (double) deflateUpdates.get();
    System.out.printf("negotiated extension   %s%n", extension);
    System.out.printf("without compression    %,d bytes for %,d updates: %.0f bytes per update%n",
        plainBytes.get() - plainStart, plainUpdates.get(), plainPer);
    System.out.printf("with permessage-deflate %,d bytes for %,d updates: %.0f bytes per update%n",
        deflateBytes.get() - deflateStart, deflateUpdates.get(), deflatePer);
    System.out.printf("ratio                  %.2f (compressed / plain); %.1fx fewer bytes%n", deflatePer / plainPer,
        plainPer / deflatePer);
    System.out.println(new JsonObject().put("workload", "wire").put("changes", changes)
        .put("plain_bytes_per_update", Math.round(plainPer)).put("deflate_bytes_per_update", Math.round(deflatePer))
        .put("ratio", deflatePer / plainPer).encode());
    plain.close();
    deflate.close();
    vertx.close().await();
    return 0;
  }

  /** A TCP relay to the gateway that counts the bytes flowing from the gateway to the client. */
  /** Held so that they stay open while the measure runs. */
  private final java.util.List<io.vertx.core.http.WebSocketClient> wsClients = new java.util.ArrayList<>();

  private Future<NetServer> relay(Vertx vertx, int targetPort, AtomicLong downstream) {
    // The handler holds the client: one nobody references is closed, with its connections, once collected.
    io.vertx.core.net.NetClient tcp = vertx.createNetClient();
    return vertx.createNetServer().connectHandler(client -> {
      client.pause();
      tcp.connect(targetPort, gateway.url().getHost()).onSuccess(server -> {
        pipe(client, server, null);
        pipe(server, client, downstream);
        client.resume();
      }).onFailure(e -> client.close());
    }).listen(0, "127.0.0.1");
  }

  private static void pipe(NetSocket from, NetSocket to, AtomicLong counter) {
    from.handler(data -> {
      if (counter != null) {
        counter.addAndGet(data.length());
      }
      to.write(data);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
    from.closeHandler(v -> to.close());
  }

  private Future<WebSocket> subscribe(Vertx vertx, int port, boolean compress, AtomicInteger updates) {
    Promise<WebSocket> ready = Promise.promise();
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setTryUsePerMessageCompression(compress).setMaxMessageSize(1 << 24));
    wsClients.add(client);
    client.connect(withToken(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/feed")
            .setAllowOriginHeader(false)))
        .onSuccess(ws -> {
          ws.textMessageHandler(text -> {
            JsonObject f = new JsonObject(text);
            switch (f.getString("type")) {
              case "snapshot" -> ready.tryComplete(ws);
              case "update" -> updates.incrementAndGet();
              case "updates" -> updates.addAndGet(f.getJsonArray("updates").size());
              default -> {
              }
            }
          });
          ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("id", "wire")
              .put("suppliers", new JsonArray().add(SUPPLIER)).encode());
        })
        .onFailure(ready::tryFail);
    return ready.future();
  }

  private WebSocketConnectOptions withToken(WebSocketConnectOptions options) {
    return token == null ? options : options.addHeader("Authorization", "Bearer " + token);
  }

  private Buffer catalog() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < offers; i++) {
      b.append(new JsonObject().put("sku", "item-" + i).put("price", (20 + i) + ".00 CAD")
          .put("availability", "in_stock").put("quantity", 100)
          .put("title", new JsonObject().put("en", "Live Atlantic lobster, 1 lb, item " + i)
              .put("zh-CN", "加拿大鲜活龙虾 1磅 " + i))
          .put("category", "Seafood > Shellfish").put("brand", "Atlantic Seafood Co.").encode()).append('\n');
    }
    return Buffer.buffer(b.toString());
  }

  /** A typical stream: mostly price ticks, some stock movements, the odd sell-out. */
  private Buffer changes(int n) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      JsonObject c = new JsonObject().put("sku", "item-" + r.nextInt(offers));
      int roll = r.nextInt(10);
      if (roll < 7) {
        c.put("price", (20 + r.nextInt(80)) + "." + String.format("%02d", r.nextInt(100)) + " CAD");
      } else if (roll < 9) {
        c.put("quantity", r.nextInt(200)).put("availability", "in_stock");
      } else {
        c.put("quantity", 0).put("availability", "out_of_stock");
      }
      b.append(c.encode()).append('\n');
    }
    return Buffer.buffer(b.toString());
  }

  private Future<JsonObject> post(HttpClientAgent http, Buffer body) {
    return http.request(BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
            .setAbsoluteURI(gateway.url().resolve("/v1/suppliers/" + SUPPLIER + "/offers").toString())
            .putHeader("Content-Type", "application/x-ndjson"), key))
        .compose(req -> req.send(body)).compose(resp -> resp.body()).map(Buffer::toJsonObject);
  }
}
