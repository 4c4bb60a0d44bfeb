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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Idle connections: opens N WebSocket connections to Pricewire from several 127.x.y.z source
 * addresses (one address has only about 28,000 ephemeral ports), each with one small
 * subscription, and reports the server's heap and resident memory per connection (heap measured
 * after a full GC, which needs the server's pid) and the connect rate.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
    description = {"Heap and resident memory per idle WebSocket connection, and the connect rate.",
        "Give --server-pid to measure after a full GC (jcmd) and to read the resident memory."})
public final class ConnectionsBench implements Callable<Integer> {

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--count", defaultValue = "10000", description = "Connections to open (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--sources", defaultValue = "4", description = "Source addresses 127.0.0.2, 127.0.0.3, ... to connect from (default: ${DEFAULT-VALUE}).")
  int sources;

  @Option(names = "--subscribe", defaultValue = "true", fallbackValue = "true", negatable = true, description = "Each connection subscribes to one offer (default: ${DEFAULT-VALUE}).")
  boolean subscribe;

  @Option(names = "--compress", description = "Connections offer permessage-deflate, as browsers do.")
  boolean compress;

  @Option(names = "--server-pid", description = "Process id of the gateway: full GC before measuring, resident memory.")
  Long serverPid;

  @Option(names = "--hold", defaultValue = "0", description = "Keep the connections open this many seconds after "
      + "measuring, to inspect the gateway meanwhile (default: ${DEFAULT-VALUE}).")
  int hold;

  @Option(names = "--out", description = "Also write the result as JSON to this file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    HttpClientAgent http = vertx.createHttpClient();
    String token = BenchAuth.resolve(http, gateway).storefrontToken().await();
    Memory before = memory(http);
    System.out.printf("before: heap %,d KB, RSS %,d KB%n", before.heap >> 10, before.rss >> 10);
    List<WebSocketClient> clients = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.0." + (2 + i))
          .setMaxConnections(count).setTryUsePerMessageCompression(compress)));
    }
    List<WebSocket> open = java.util.Collections.synchronizedList(new ArrayList<>(count));
    Semaphore slots = new Semaphore(500);
    CountDownLatch done = new CountDownLatch(count);
    AtomicInteger failed = new AtomicInteger();
    String frame = new JsonObject().put("op", "subscribe").put("id", "idle")
        .put("skus", new JsonArray().add("bench-idle:one")).encode();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      WebSocketConnectOptions options = new WebSocketConnectOptions()
          .setHost(gateway.url().getHost()).setPort(gateway.url().getPort())
          .setURI("/v1/feed").setAllowOriginHeader(false);
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      clients.get(i % sources).connect(options).onComplete(ar -> {
        slots.release();
        if (ar.succeeded()) {
          open.add(ar.result());
          if (subscribe) {
            ar.result().writeTextMessage(frame);
          }
        } else if (failed.incrementAndGet() <= 3) {
          System.out.println("connect failed: " + ar.cause().getMessage());
        }
        done.countDown();
      });
    }
    done.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(2000);
    Memory after = memory(http);
    int n = open.size();
    double heapPer = n == 0 ? 0 : (after.heap - before.heap) / (double) n;
    double rssPer = n == 0 || after.rss < 0 ? 0 : (after.rss - before.rss) / (double) n;
    System.out.printf("connections open        %,d (%,d failed), %,.0f connects/s%n", n, failed.get(), n / seconds);
    System.out.printf("after: heap %,d KB, RSS %,d KB%n", after.heap >> 10, after.rss >> 10);
    System.out.printf("per connection          heap %,.0f bytes (%.1f KiB), RSS %,.0f bytes (%.1f KiB)%s%n", heapPer,
        heapPer / 1024, rssPer, rssPer / 1024, serverPid == null ? "  (no --server-pid: heap not after a full GC)" : "");
    JsonObject json = new JsonObject().put("workload", "connections").put("connections", n).put("failed", failed.get())
        .put("compress", compress).put("connects_per_second", Math.round(n / seconds)).put("heap_bytes_per_connection", Math.round(heapPer))
        .put("rss_bytes_per_connection", Math.round(rssPer)).put("subscribed", subscribe)
        .put("heap_before_bytes", before.heap).put("heap_after_bytes", after.heap)
        .put("rss_before_bytes", before.rss > 0 ? before.rss : null).put("rss_after_bytes", after.rss > 0 ? after.rss : null)
        .put("heap_after_full_gc", serverPid != null).put("seconds", seconds);
    System.out.println(json.encode());
    if (out != null) {
      Files.writeString(out, json.encodePrettily());
    }
    if (hold > 0) {
      System.out.printf("holding %,d connections for %d s%n", n, hold);
      Thread.sleep(hold * 1000L);
    }
    for (WebSocket ws : open) {
      ws.close();
    }
    vertx.close().await();
    return 0;
  }

  private record Memory(long heap, long rss) {
  }

  /** The server's heap in use (after a full GC when its pid is known) and resident memory. */
  private Memory memory(HttpClientAgent http) throws Exception {
    long heap = ServerStats.heapInUse(serverPid, http, gateway.opsUrl);
    long rss = serverPid == null ? -1 : new ServerStats(serverPid).rssBytes();
    return new Memory(heap, rss);
  }
}
