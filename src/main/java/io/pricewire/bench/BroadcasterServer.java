package io.pricewire.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ceiling of our own stack: a bare Vert.x WebSocket broadcaster with no storage, no
 * matching and no flow control. {@code POST /publish} takes frames, one per line, and every
 * connected socket ({@code /ws}) gets each of them with the same write call the feed uses.
 */
@Command(name = "broadcaster", mixinStandardHelpOptions = true,
    description = {"Run a bare Vert.x WebSocket broadcaster: the ceiling the fan-out of Pricewire is compared to.",
        "Clients connect to ws://host:PORT/ws; POST /publish with frames, one per line, sends each to every client."})
public final class BroadcasterServer implements Callable<Integer> {

  private static final String ADDRESS = "bench.broadcast";

  @Option(names = "--port", defaultValue = "9100", description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--event-loops", defaultValue = "0", description = "Server instances, one per event loop; 0: one per core.")
  int eventLoops;

  /** One instance per event loop: holds the sockets accepted there. */
  static final class Instance extends VerticleBase {
    private final int port;
    private final Set<ServerWebSocket> sockets = new HashSet<>();

    Instance(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      vertx.eventBus().<Buffer>localConsumer(ADDRESS, m -> {
        String[] frames = m.body().toString().split("\n");
        for (String frame : frames) {
          for (ServerWebSocket ws : sockets) {
            ws.writeTextMessage(frame);
          }
        }
      });
      return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1"))
          .webSocketHandler(ws -> {
            sockets.add(ws);
            ws.closeHandler(v -> sockets.remove(ws));
          })
          .requestHandler(req -> req.body().onSuccess(body -> {
            vertx.eventBus().publish(ADDRESS, body);
            req.response().end();
          }))
          .listen();
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    int instances = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    vertx.deployVerticle(() -> new Instance(port), new DeploymentOptions().setInstances(instances)).await();
    System.out.println("broadcaster listening on 127.0.0.1:" + port + " with " + instances + " event loop(s)");
    new CountDownLatch(1).await();
    return 0;
  }
}
