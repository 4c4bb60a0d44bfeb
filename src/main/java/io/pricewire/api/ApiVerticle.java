package io.pricewire.api;

import io.pricewire.config.Settings;
import io.pricewire.feed.CloseCodes;
import io.pricewire.feed.FeedHub;
import io.pricewire.feed.FeedMetrics;
import io.pricewire.ingest.IngestApi;
import io.pricewire.ingest.IngestMetrics;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port, one instance per event loop: the ingest API and the live feed. Each instance
 * owns a {@link FeedHub} for the WebSocket clients accepted on its event loop; the instances share
 * the listening port.
 *
 * <p>Consumes {@code pricewire.changes} (through its hub); sends to {@code pricewire.ledger.commit}
 * (through ingest).
 */
public final class ApiVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ApiVerticle.class);

  private final Settings settings;
  private final int port;
  private final Store store;
  private final IngestMetrics ingestMetrics;
  private final FeedMetrics feedMetrics;
  private FeedHub hub;
  private HttpServer server;

  /** @param port the port to listen on; instances given the same port share it */
  public ApiVerticle(Settings settings, int port, Store store, IngestMetrics ingestMetrics, FeedMetrics feedMetrics) {
    this.settings = settings;
    this.port = port;
    this.store = store;
    this.ingestMetrics = ingestMetrics;
    this.feedMetrics = feedMetrics;
  }

  @Override
  public Future<?> start() {
    hub = new FeedHub(vertx, store, settings.feed(), feedMetrics);
    Router router = Router.router(vertx);
    new IngestApi(vertx, store, settings.ingest(), settings.store().timeoutMs() * 2, ingestMetrics).mount(router);
    router.get("/v1/feed").handler(this::upgrade);
    router.get("/v1/feed/sse").handler(ctx -> hub.acceptSse(ctx.request()));
    router.errorHandler(404, ctx -> ErrorBody.send(ctx.response(), 404, "not_found",
        "no endpoint " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> ErrorBody.send(ctx.response(), 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(500, ctx -> {
      log.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      ErrorBody.send(ctx.response(), 500, "internal_error", "the gateway failed to handle this request");
    });
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.http().host())
        .setPort(port)
        .setHandle100ContinueAutomatically(true)
        .setMaxWebSocketFrameSize(settings.feed().maxFrameBytes())
        .setMaxWebSocketMessageSize(settings.feed().maxFrameBytes())
        .setPerMessageWebSocketCompressionSupported(settings.feed().compression())
        .setPerFrameWebSocketCompressionSupported(false)
        .setWebSocketCompressionLevel(settings.feed().compressionLevel())
        // A client that does not answer the close handshake is dropped after this many seconds.
        .setWebSocketClosingTimeout(5);
    return hub.start()
        .compose(v -> vertx.createHttpServer(options).requestHandler(router).listen())
        .onSuccess(s -> server = s);
  }

  private void upgrade(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ErrorBody.send(ctx.response(), 400, "websocket_required",
          "/v1/feed speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)");
      return;
    }
    ctx.request().toWebSocket().onSuccess(hub::accept)
        .onFailure(e -> log.debug("WebSocket handshake failed: {}", e.getMessage()));
  }

  @Override
  public Future<?> stop() {
    Future<Void> feed = hub == null ? Future.succeededFuture()
        : hub.stop(CloseCodes.GOING_AWAY, "the gateway is shutting down; resume elsewhere or after restart");
    return feed.compose(v -> server == null ? Future.succeededFuture() : server.close());
  }

  /** The port this instance listens on (all instances share it). */
  public int actualPort() {
    return server.actualPort();
  }
}
