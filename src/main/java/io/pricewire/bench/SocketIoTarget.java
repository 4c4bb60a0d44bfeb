package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Socket.IO 4 server (bench/peers/socketio) broadcasting to a room: subscribers speak
 * Engine.IO 4 over WebSocket, the publisher posts the same payloads to the server, which emits
 * each one to the room.
 */
final class SocketIoTarget implements FanoutTarget {

  private final URI url;
  private final int offers;
  private final HttpClientAgent http;
  private final WebSocketClient ws;
  private final AtomicLong seq = new AtomicLong();

  SocketIoTarget(Vertx vertx, Vertx publisher, URI url, int offers, int subscribers) {
    this.url = url;
    this.offers = offers;
    this.http = publisher.createHttpClient();
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16)
        .setMaxMessageSize(1 << 24));
  }

  @Override
  public String name() {
    return "Socket.IO 4";
  }

  @Override
  public Future<Void> prepare() {
    return Future.succeededFuture();
  }

  @Override
  public Future<AutoCloseable> subscribe(int index, Consumer<Buffer> received) {
    return ws.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort())
        .setURI("/socket.io/?EIO=4&transport=websocket").setAllowOriginHeader(false)).compose(socket -> {
          Promise<AutoCloseable> ready = Promise.promise();
          socket.handler(data -> {
            byte first = data.length() > 0 ? data.getByte(0) : 0;
            if (first == '4' && data.length() > 1 && data.getByte(1) == '2') {
              received.accept(data);
            } else if (first == '2') {
              socket.writeTextMessage("3");
            } else if (first == '0') {
              socket.writeTextMessage("40");
            } else if (first == '4' && data.length() > 1 && data.getByte(1) == '0') {
              ready.tryComplete(socket::close);
            }
          });
          return ready.future();
        });
  }

  @Override
  public Future<Void> publish(int n, long stampMicros) {
    return FanoutTarget.postFrames(http, url, seq, offers, n, stampMicros);
  }
}
