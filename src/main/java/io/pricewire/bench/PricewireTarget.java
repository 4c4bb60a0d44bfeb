package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Pricewire under the fan-out workload: subscribers follow one supplier (or a slice of its
 * offers) over WebSocket or SSE; changes are ingested as NDJSON with the stamp in {@code brand}.
 */
final class PricewireTarget implements FanoutTarget {

  static final String SUPPLIER = "bench-fanout";

  private final URI url;
  private final URI opsUrl;
  private final String adminToken;
  private final String transport;
  private final int offers;
  private final int interest;
  private final HttpClientAgent http;
  private final HttpClientAgent sse;
  private final WebSocketClient ws;
  private String key;
  private String token;

  PricewireTarget(Vertx vertx, Vertx publisher, URI url, URI opsUrl, String adminToken, String transport, int offers, int interest,
      int subscribers, boolean compress) {
    this.url = url;
    this.opsUrl = opsUrl;
    this.adminToken = adminToken;
    this.transport = transport;
    this.offers = offers;
    this.interest = interest;
    this.http = publisher.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(8192),
        new PoolOptions().setHttp1MaxSize(16));
    this.sse = vertx.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(8192),
        new PoolOptions().setHttp1MaxSize(subscribers + 16));
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16)
        .setMaxMessageSize(64 * 1024 * 1024).setTryUsePerMessageCompression(compress));
  }

  @Override
  public String name() {
    return "pricewire (" + transport + ")";
  }

  @Override
  public Future<Void> prepare() {
    BenchAuth auth = BenchAuth.resolve(http, url, opsUrl, adminToken);
    return auth.keyFor(SUPPLIER).compose(k -> {
      key = k;
      return auth.storefrontToken();
    }).compose(t -> {
      token = t;
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < offers; i++) {
        body.append("{\"sku\":\"o").append(i).append("\",\"price\":\"10.00 CAD\",\"availability\":\"in_stock\",")
            .append("\"quantity\":120,\"title\":{\"en\":\"Live Atlantic lobster, 1 lb\",\"zh-CN\":\"加拿大鲜活龙虾 1磅\"},")
            .append("\"category\":\"Seafood > Shellfish\",\"brand\":\"seed\"}\n");
      }
      return post(Buffer.buffer(body.toString())).mapEmpty();
    });
  }

  /** The subscribe frame of subscriber i: the whole supplier, or {@code interest} of its offers. */
  private JsonObject subscription(int index) {
    JsonObject sub = new JsonObject().put("op", "subscribe").put("id", "bench");
    if (interest <= 0 || interest >= offers) {
      return sub.put("suppliers", new JsonArray().add(SUPPLIER));
    }
    JsonArray skus = new JsonArray();
    for (int j = 0; j < interest; j++) {
      skus.add(SUPPLIER + ":o" + ((index * 7919L + j) % offers));
    }
    return sub.put("skus", skus);
  }

  @Override
  public Future<AutoCloseable> subscribe(int index, Consumer<Buffer> received) {
    return transport.equals("sse") ? subscribeSse(index, received) : subscribeWebSocket(index, received);
  }

  private Future<AutoCloseable> subscribeWebSocket(int index, Consumer<Buffer> received) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort())
        .setURI("/v1/feed").setAllowOriginHeader(false);
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    return ws.connect(options).compose(socket -> {
      ClientInflate.install(socket);
      Promise<AutoCloseable> ready = Promise.promise();
      socket.handler(data -> {
        if (startsWith(data, "{\"type\":\"snapshot\"")) {
          if (contains(data, "\"more\":false")) {
            ready.tryComplete(socket::close);
          }
        } else if (startsWith(data, "{\"type\":\"error\"")) {
          ready.tryFail(data.toString());
        } else {
          received.accept(data);
        }
      });
      return socket.writeTextMessage(subscription(index).encode()).compose(v -> ready.future());
    });
  }

  private Future<AutoCloseable> subscribeSse(int index, Consumer<Buffer> received) {
    JsonObject sub = subscription(index);
    StringBuilder query = new StringBuilder();
    if (sub.containsKey("suppliers")) {
      query.append("suppliers=").append(SUPPLIER);
    } else {
      query.append("skus=").append(URLEncoder.encode(String.join(",", sub.getJsonArray("skus").getList()),
          StandardCharsets.UTF_8));
    }
    if (token != null) {
      query.append("&access_token=").append(token);
    }
    RequestOptions options = new RequestOptions().setHost(url.getHost()).setPort(url.getPort())
        .setURI("/v1/feed/sse?" + query).setMethod(HttpMethod.GET);
    return sse.request(options).compose(req -> req.send()).compose(resp -> {
      Promise<AutoCloseable> ready = Promise.promise();
      if (resp.statusCode() != 200) {
        return Future.failedFuture("SSE answered " + resp.statusCode());
      }
      RecordParser events = RecordParser.newDelimited("\n\n", event -> {
        if (contains(event, "\"type\":\"snapshot\"")) {
          if (contains(event, "\"more\":false")) {
            ready.tryComplete(() -> resp.request().connection().close());
          }
        } else if (contains(event, "data: ")) {
          received.accept(event);
        }
      });
      resp.handler(events);
      return ready.future();
    });
  }

  @Override
  public Future<Void> publish(int n, long stampMicros) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder body = new StringBuilder(n * 80);
    for (int i = 0; i < n; i++) {
      body.append("{\"sku\":\"o").append(r.nextInt(offers)).append("\",\"price\":\"").append(10 + r.nextInt(900))
          .append('.').append(r.nextInt(10)).append(r.nextInt(10)).append(" CAD\",\"brand\":\"t=").append(stampMicros)
          .append("\"}\n");
    }
    return post(Buffer.buffer(body.toString())).mapEmpty();
  }

  private Future<JsonObject> post(Buffer body) {
    RequestOptions request = BenchAuth.withBearer(new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(url.resolve("/v1/suppliers/" + SUPPLIER + "/offers").toString())
        .putHeader("Content-Type", "application/x-ndjson"), key);
    return http.request(request).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> {
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("ingest answered " + resp.statusCode() + ": " + b);
      }
      return b.toJsonObject();
    }));
  }

  static boolean startsWith(Buffer data, String prefix) {
    if (data.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (data.getByte(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean contains(Buffer data, String needle) {
    return data.toString(StandardCharsets.ISO_8859_1).contains(needle);
  }
}
