package io.pricewire.feed;

import io.pricewire.auth.AuthException;
import io.pricewire.auth.Authenticator;
import io.pricewire.auth.Scope;
import io.pricewire.http.ErrorBody;
import io.pricewire.http.Failure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed's HTTP side on the public port: the WebSocket upgrade at {@code /v1/feed} and the
 * event stream at {@code /v1/feed/sse}, and the admission of every feed client (connections per
 * address, origin, storefront token) before its hub serves it.
 *
 * <p>Upgrades are taken before the router ({@link #takeUpgrade}), so that the hub holds the
 * WebSocket as Vert.x made it (its writes go to the connection's own pipeline, see
 * {@link WebSocketChannel}), not the router's wrapper of it.
 */
public final class FeedApi {

  private static final Logger log = LoggerFactory.getLogger(FeedApi.class);
  static final String PATH = "/v1/feed";

  private final FeedHub hub;
  private final Authenticator auth;
  private final ConnectionLimiter connections;

  /** @param connections shared by every event loop: the count is per client address and node */
  public FeedApi(FeedHub hub, Authenticator auth, ConnectionLimiter connections) {
    this.hub = hub;
    this.auth = auth;
    this.connections = connections;
  }

  /** Serves a WebSocket upgrade to the feed; returns false for any other request (the router's). */
  public boolean takeUpgrade(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET || !PATH.equals(request.path()) || !request.canUpgradeToWebSocket()) {
      return false;
    }
    boolean heartbeats = wantsHeartbeats(request);
    admit(request, (scope, release) -> request.toWebSocket()
        .onSuccess(ws -> hub.accept(ws, scope, release, heartbeats))
        .onFailure(e -> {
          release.run();
          log.debug("WebSocket handshake failed: {}", e.getMessage());
        }));
    return true;
  }

  /** The feed's routes that are plain HTTP: the event stream, and the answer to a non-WebSocket GET. */
  public void mount(Router router) {
    router.get(PATH).handler(this::notUpgraded);
    router.get(PATH + "/sse").handler(this::eventStream);
  }

  /**
   * A GET of the WebSocket path without an upgrade. A browser cannot read why a WebSocket
   * handshake was refused, so clients ask here: the token is checked as the handshake would check
   * it (401, 403), and a good one is told that only the upgrade is missing (400), which means
   * something between the client and the gateway drops upgrades.
   */
  private void notUpgraded(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    allowOrigin(request);
    auth.storefront(request).onComplete(ar -> {
      if (ar.failed()) {
        refuse(request, ar.cause());
      } else {
        ErrorBody.send(ctx.response(), 400, "websocket_required", "/v1/feed speaks WebSocket: connect with a "
            + "WebSocket client (Upgrade: websocket), or use /v1/feed/sse; the storefront token is good");
      }
    });
  }

  /** Lets a page of an allowed origin read the answer (EventSource and fetch honour it). */
  private void allowOrigin(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin != null && auth.originAllowed(origin)) {
      request.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
  }

  /** {@code heartbeat=1} (or {@code true}): the client wants heartbeat frames it can see. */
  private static boolean wantsHeartbeats(HttpServerRequest request) {
    String value = request.getParam("heartbeat");
    return "1".equals(value) || "true".equalsIgnoreCase(value);
  }

  private void eventStream(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    ClientOp.Subscribe op;
    try {
      op = hub.parseSse(request);
    } catch (ProtocolError e) {
      ErrorBody.send(ctx.response(), 400, e.code(), e.getMessage());
      return;
    }
    allowOrigin(request);
    boolean heartbeats = wantsHeartbeats(request);
    admit(request, (scope, release) -> hub.acceptSse(request, op, scope, release, heartbeats));
  }

  /**
   * Checks a feed client's address count, origin and token before it is served; answers 429, 403
   * or 401 with a JSON error otherwise.
   */
  private void admit(HttpServerRequest request, BiConsumer<Scope, Runnable> serve) {
    String address = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (!connections.tryAcquire(address)) {
      ErrorBody.send(request.response(), 429, "too_many_connections", "this address has "
          + connections.max() + " feed connections open already (PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS)");
      return;
    }
    Runnable release = new Runnable() {
      private boolean done;

      @Override
      public void run() {
        if (!done) {
          done = true;
          connections.release(address);
        }
      }
    };
    request.pause();
    auth.storefront(request).onComplete(ar -> {
      if (ar.succeeded()) {
        serve.accept(ar.result(), release);
        return;
      }
      release.run();
      refuse(request, ar.cause());
    });
  }

  /** Answers a failed storefront token check: the refusal's status and code, or the failure's. */
  static void refuse(HttpServerRequest request, Throwable cause) {
    if (cause instanceof AuthException e) {
      if (e.status() == 401) {
        request.response().putHeader("WWW-Authenticate", "Bearer");
      }
      ErrorBody.send(request.response(), e.status(), e.code(), e.getMessage());
    } else {
      Failure.of(cause, "the storefront token check").send(request.response());
    }
  }
}
