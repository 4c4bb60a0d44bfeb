package io.pricewire.api;

import io.pricewire.ledger.Addresses;
import io.pricewire.auth.Authenticator;
import io.pricewire.config.Settings;
import io.pricewire.feed.ConnectionLimiter;
import io.pricewire.feed.CloseCodes;
import io.pricewire.feed.FeedApi;
import io.pricewire.feed.FeedHub;
import io.pricewire.feed.FeedMetrics;
import io.pricewire.feed.MarketApi;
import io.pricewire.market.Market;
import java.util.Map;
import io.pricewire.http.ErrorBody;
import io.pricewire.http.Failure;
import io.pricewire.ingest.IngestApi;
import io.pricewire.ingest.IngestLimiter;
import io.pricewire.ingest.IngestMetrics;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.pricewire.demo.DemoPage;

/**
 * The public port, one instance per event loop: the ingest API and the live feed. Each instance
 * owns a {@link FeedHub} for the WebSocket clients accepted on its event loop; the instances share
 * the listening port.
 *
 * <p>Consumes {@link Addresses#CHANGES} (a local consumer per instance, handing each batch to its
 * hub); sends to {@link Addresses#LEDGER_COMMIT} (through ingest).
 */
public final class ApiVerticle extends VerticleBase {

  private final Settings settings;
  private final Map<String, Market> markets;
  private final java.time.Clock clock;
  private final int port;
  private final Store store;
  private final IngestMetrics ingestMetrics;
  private final FeedMetrics feedMetrics;
  private final Authenticator auth;
  private final IngestLimiter ingestLimiter;
  private final ConnectionLimiter connectionLimiter;
  private final DemoPage demoPage;
  private FeedHub hub;
  private MessageConsumer<ChangeBatch> changes;
  private HttpServer server;

  /**
   * @param port the port to listen on; instances given the same port share it
   * @param ingestLimiter shared by every instance: the rate is per supplier and node
   * @param connectionLimiter shared by every instance: the count is per client address and node
   * @param demoPage the demo storefront to serve, or null when the demo is off
   */
  public ApiVerticle(Settings settings, int port, Store store, IngestMetrics ingestMetrics, FeedMetrics feedMetrics,
      Authenticator auth, IngestLimiter ingestLimiter, ConnectionLimiter connectionLimiter,
      Map<String, Market> markets, java.time.Clock clock, DemoPage demoPage) {
    this.demoPage = demoPage;
    this.markets = markets;
    this.clock = clock;
    this.settings = settings;
    this.port = port;
    this.store = store;
    this.ingestMetrics = ingestMetrics;
    this.feedMetrics = feedMetrics;
    this.auth = auth;
    this.ingestLimiter = ingestLimiter;
    this.connectionLimiter = connectionLimiter;
  }

  /** The context this verticle runs on, for the event-loop watch. */
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public Future<?> start() {
    hub = FeedHub.onEventLoop(vertx, store, settings.feed(), feedMetrics, markets, clock);
    Router router = Router.router(vertx);
    new IngestApi(vertx, store, settings.ingest(), settings.store().timeoutMs() * 2, ingestMetrics, auth,
        ingestLimiter).mount(router);
    FeedApi feed = new FeedApi(hub, auth, connectionLimiter);
    feed.mount(router);
    new MarketApi(store, hub, auth).mount(router);
    // The JavaScript client, so that any page can import it from the gateway it talks to.
    router.get("/client/*").handler(StaticHandler.create("web/client").setMaxAgeSeconds(300)
        .setDefaultContentEncoding("UTF-8"));
    if (demoPage != null) {
      demoPage.mount(router);
    }
    router.errorHandler(404, ctx -> ErrorBody.send(ctx.response(), 404, "not_found",
        "no endpoint " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> ErrorBody.send(ctx.response(), 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(500, ctx -> Failure.internal(ctx.failure(), ctx.request().method() + " "
        + ctx.request().path()).send(ctx.response()));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.http().host())
        .setPort(port)
        .setHandle100ContinueAutomatically(true)
        // Everything that writes to a connection runs on its event loop: the connection writes
        // straight to the channel, without a queue for other threads (4 KiB per connection).
        .setStrictThreadMode(true)
        .setMaxWebSocketFrameSize(settings.feed().maxFrameBytes())
        .setMaxWebSocketMessageSize(settings.feed().maxFrameBytes())
        .setPerMessageWebSocketCompressionSupported(settings.feed().compression())
        .setPerFrameWebSocketCompressionSupported(false)
        .setWebSocketCompressionLevel(settings.feed().compressionLevel())
        // The feed never compresses with a window it cannot share, so it grants this when asked.
        .setWebSocketAllowServerNoContext(true)
        // A client that does not answer the close handshake is dropped after this many seconds.
        .setWebSocketClosingTimeout(CloseCodes.CLOSING_TIMEOUT_SECONDS);
    return hub.start()
        .compose(v -> {
          changes = vertx.eventBus().<ChangeBatch>localConsumer(Addresses.CHANGES, m -> hub.onBatch(m.body()));
          return vertx.createHttpServer(options).requestHandler(request -> {
            if (!feed.takeUpgrade(request)) {
              router.handle(request);
            }
          }).listen();
        })
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (hub != null) {
      hub.stop(CloseCodes.GOING_AWAY, "the gateway is shutting down; resume elsewhere or after restart");
    }
    Future<Void> feed = changes == null ? Future.succeededFuture() : changes.unregister();
    // Stop accepting, let requests in flight finish (their commits are answered), then close.
    return feed.compose(v -> server == null ? Future.succeededFuture()
        : server.shutdown(settings.shutdownTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  /** The port this instance listens on (all instances share it). */
  public int actualPort() {
    return server.actualPort();
  }
}
