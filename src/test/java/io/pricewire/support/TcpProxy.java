package io.pricewire.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a real server, for fault tests: it forwards, refuses (as if the server
 * were down), or swallows traffic (as if the network dropped it), and can cut open connections.
 */
public final class TcpProxy implements AutoCloseable {

  public enum Mode { FORWARD, REFUSE, BLACKHOLE }

  private final Vertx vertx;
  private final NetServer server;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;

  private TcpProxy(Vertx vertx, NetServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static TcpProxy start(Vertx vertx, String targetHost, int targetPort) {
    TcpProxy[] self = new TcpProxy[1];
    NetServer server = vertx.createNetServer().connectHandler(client -> self[0].accept(client, targetHost, targetPort));
    self[0] = new TcpProxy(vertx, server);
    server.listen(0, "127.0.0.1").await();
    return self[0];
  }

  private void accept(NetSocket client, String host, int port) {
    switch (mode) {
      case REFUSE -> client.close();
      case BLACKHOLE -> {
        open.add(client);
        client.handler(data -> { });
      }
      case FORWARD -> {
        client.pause();
        open.add(client);
        vertx.createNetClient().connect(port, host).onSuccess(upstream -> {
          open.add(upstream);
          client.handler(data -> {
            if (mode == Mode.FORWARD) {
              upstream.write(data);
            }
          });
          upstream.handler(data -> {
            if (mode == Mode.FORWARD) {
              client.write(data);
            }
          });
          client.closeHandler(v -> upstream.close());
          upstream.closeHandler(v -> client.close());
          client.resume();
        }).onFailure(e -> client.close());
      }
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** Cuts every open connection; new ones get the given treatment. */
  public void set(Mode newMode) {
    mode = newMode;
    if (newMode != Mode.FORWARD) {
      for (NetSocket s : open) {
        if (newMode == Mode.REFUSE) {
          s.close();
        }
      }
      if (newMode == Mode.REFUSE) {
        open.clear();
      }
    }
  }

  @Override
  public void close() {
    open.forEach(NetSocket::close);
    server.close().await();
  }
}
