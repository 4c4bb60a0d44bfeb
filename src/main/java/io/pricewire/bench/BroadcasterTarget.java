package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** The bare Vert.x broadcaster ({@code pricewire bench broadcaster}) under the same workload. */
final class BroadcasterTarget implements FanoutTarget {

  private final URI url;
  private final int offers;
  private final HttpClientAgent http;
  private final WebSocketClient ws;
  private final AtomicLong seq = new AtomicLong();

  BroadcasterTarget(Vertx vertx, Vertx publisher, URI url, int offers, int subscribers) {
    this.url = url;
    this.offers = offers;
    this.http = publisher.createHttpClient();
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16));
  }

  @Override
  public String name() {
    return "bare Vert.x broadcaster";
  }

  @Override
  public Future<Void> prepare() {
    return Future.succeededFuture();
  }

  @Override
  public Future<AutoCloseable> subscribe(int index, Consumer<Buffer> received) {
    return ws.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort()).setURI("/ws")
        .setAllowOriginHeader(false)).map(socket -> {
          socket.handler(received::accept);
          return socket::close;
        });
  }

  @Override
  public Future<Void> publish(int n, long stampMicros) {
    return FanoutTarget.postFrames(http, url, seq, offers, n, stampMicros);
  }
}
