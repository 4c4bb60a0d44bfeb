package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Resume storm: N clients hold the state of a supplier's offers, all disconnect, changes happen,
 * then all reconnect at once with {@code since}. Reports the time until every client has caught
 * up and checks that every client ends with exactly the committed state (nothing missed).
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
    description = "Time for N clients to resume at once after changes, and a check that none missed a change.")
public final class ResumeBench implements Callable<Integer> {

  private static final String SUPPLIER = "bench-resume";
  private static final long TIMEOUT_MS = 120_000;

  @Mixin
  GatewayOptions gateway = new GatewayOptions();

  @Option(names = "--clients", defaultValue = "1000", description = "Clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--offers", defaultValue = "1000", description = "Offers of the supplier (default: ${DEFAULT-VALUE}).")
  int offers;

  @Option(names = "--changes", defaultValue = "2000", description = "Changes made while the clients are away (default: ${DEFAULT-VALUE}).")
  int changes;

  @Option(names = "--out", description = "Also write the result as JSON to this file.")
  Path out;

  /** One client's view: offer to version, and where it left off. */
  private static final class View {
    final Map<String, Long> versions = new HashMap<>();
    String epoch;
    long seq;
    int resumedOffers;
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    HttpClientAgent http = vertx.createHttpClient();
    BenchAuth auth = BenchAuth.resolve(http, gateway);
    String key = auth.keyFor(SUPPLIER).await();
    String token = auth.storefrontToken().await();
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients + 16)
        .setMaxMessageSize(1 << 26));
    Map<String, Long> truth = new HashMap<>();
    ingest(http, key, seed(), truth).await();

    List<View> views = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      views.add(new View());
    }
    System.out.printf("resume bench: %,d clients x %,d offers, %,d changes while away%n", clients, offers, changes);
    runAll(vertx, ws, token, views, false).await();
    System.out.printf("%,d clients hold the snapshot; all disconnect%n", clients);

    for (int done = 0; done < changes; done += 500) {
      ingest(http, key, changes(Math.min(500, changes - done)), truth).await();
    }
    long start = System.nanoTime();
    runAll(vertx, ws, token, views, true).await();
    double seconds = (System.nanoTime() - start) / 1e9;
    int wrong = 0;
    long resumedOffers = 0;
    for (View v : views) {
      resumedOffers += v.resumedOffers;
      if (!v.versions.equals(truth)) {
        wrong++;
      }
    }
    System.out.printf("all %,d clients caught up in %.2f s (%,.0f resumes/s); offers sent on resume %,d (%,.0f per client)%n",
        clients, seconds, clients / seconds, resumedOffers, resumedOffers / (double) clients);
    System.out.printf("clients whose state differs from the committed state: %d%n", wrong);
    JsonObject json = new JsonObject().put("workload", "resume").put("clients", clients).put("offers", offers)
        .put("changes", changes).put("seconds", seconds).put("resumed_offers", resumedOffers)
        .put("clients_with_wrong_state", wrong);
    System.out.println(json.encode());
    if (out != null) {
      Files.writeString(out, json.encodePrettily());
    }
    vertx.close().await();
    return wrong == 0 ? 0 : 1;
  }

  /** Connects every client (resuming with since when asked), reads its snapshot, then disconnects it. */
  private Future<Void> runAll(Vertx vertx, WebSocketClient ws, String token, List<View> views, boolean resume) {
    List<Future<Void>> all = new ArrayList<>();
    for (View view : views) {
      all.add(once(ws, token, view, resume));
    }
    Promise<Void> done = Promise.promise();
    long timer = vertx.setTimer(TIMEOUT_MS, t -> done.tryFail(all.stream().filter(f -> !f.isComplete()).count()
        + " of " + all.size() + " clients had no complete snapshot after " + TIMEOUT_MS / 1000 + " s"));
    Future.all(all).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        done.tryComplete();
      } else {
        done.tryFail(ar.cause());
      }
    });
    return done.future();
  }

  private Future<Void> once(WebSocketClient ws, String token, View view, boolean resume) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(gateway.url().getHost()).setPort(gateway.url().getPort())
        .setURI("/v1/feed").setAllowOriginHeader(false);
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    return ws.connect(options).compose(socket -> {
      Promise<Void> done = Promise.promise();
      socket.textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        if ("error".equals(f.getString("type"))) {
          done.tryFail("the gateway answered with an error: " + text);
          return;
        }
        if (!"snapshot".equals(f.getString("type"))) {
          return;
        }
        if (f.getBoolean("reset", false)) {
          view.versions.clear();
        }
        for (Object o : f.getJsonArray("offers")) {
          JsonObject offer = (JsonObject) o;
          view.versions.put(offer.getString("sku"), offer.getLong("version"));
          if (resume) {
            view.resumedOffers++;
          }
        }
        if (!f.getBoolean("more")) {
          view.epoch = f.getString("epoch");
          view.seq = f.getLong("seq");
          socket.close();
          done.tryComplete();
        }
      });
      socket.closeHandler(v -> done.tryFail("the gateway closed the connection before the snapshot ended (code "
          + socket.closeStatusCode() + ", " + socket.closeReason() + ")"));
      socket.exceptionHandler(e -> done.tryFail(e));
      JsonObject sub = new JsonObject().put("op", "subscribe").put("id", "r")
          .put("suppliers", new JsonArray().add(SUPPLIER));
      if (resume) {
        sub.put("since", new JsonObject().put("epoch", view.epoch).put("seq", view.seq));
      }
      socket.writeTextMessage(sub.encode());
      return done.future();
    });
  }

  private String seed() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < offers; i++) {
      body.append("{\"sku\":\"o").append(i).append("\",\"price\":\"10.00 CAD\",\"availability\":\"in_stock\"}\n");
    }
    return body.toString();
  }

  private String changes(int n) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < n; i++) {
      body.append("{\"sku\":\"o").append(r.nextInt(offers)).append("\",\"price\":\"").append(10 + r.nextInt(900))
          .append(".").append(10 + r.nextInt(90)).append(" CAD\"}\n");
    }
    return body.toString();
  }

  /** Ingests NDJSON and records the resulting version of each offer in {@code truth}. */
  private Future<Void> ingest(HttpClientAgent http, String key, String body, Map<String, Long> truth) {
    RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(gateway.url().resolve("/v1/suppliers/" + SUPPLIER + "/offers").toString())
        .putHeader("Content-Type", "application/x-ndjson"), key);
    return http.request(request).compose(req -> req.send(Buffer.buffer(body))).compose(resp -> resp.body())
        .map(b -> {
          for (Object o : b.toJsonObject().getJsonArray("items")) {
            JsonObject item = (JsonObject) o;
            if (item.getValue("version") != null) {
              truth.merge(item.getString("sku"), item.getLong("version"), Math::max);
            }
          }
          return null;
        });
  }
}
