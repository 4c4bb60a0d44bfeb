package io.pricewire.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pricewire.http.ErrorBody;
import io.pricewire.auth.AdminApi;
import io.pricewire.config.Settings;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.micrometer.core.instrument.Gauge;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.pricewire.cluster.Membership;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The ops port: Prometheus metrics at {@code /metrics}, liveness at {@code /health/live},
 * readiness at {@code /health/ready} (the store answers), and the admin API. Kept off the public
 * port so that operators can firewall it separately.
 */
public final class OpsVerticle extends VerticleBase {

  private final Settings.Http http;
  private final Store store;
  private final PrometheusMeterRegistry registry;
  private final long storeTimeoutMs;
  private final AdminApi admin;
  private final FxAdmin fx;
  private final EventLoopWatch watch;
  private final Membership membership;
  private final AtomicInteger storeUp = new AtomicInteger();
  private HttpServer server;
  private long storeProbe = -1;
  private long rateProbe = -1;
  /** The exchange rate in force per pair, as last read (every 5 s), for the age gauges. */
  private final java.util.Map<String, io.pricewire.market.FxRate> ratesInForce =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The header naming the node on every answer of the ops port. */
  public static final String NODE_HEADER = "Pricewire-Node";

  public OpsVerticle(Settings.Http http, Store store, PrometheusMeterRegistry registry, long storeTimeoutMs,
      AdminApi admin, FxAdmin fx, EventLoopWatch watch, Membership membership) {
    this.http = http;
    this.membership = membership;
    this.store = store;
    this.registry = registry;
    this.storeTimeoutMs = storeTimeoutMs;
    this.admin = admin;
    this.fx = fx;
    this.watch = watch;
    Gauge.builder("pricewire.store.up", storeUp, AtomicInteger::get)
        .description("1 when the store answered the last probe (every 5 s), else 0")
        .register(registry);
  }

  /** Keeps the rates in force; a pair seen for the first time gets its age gauge. */
  private void ratesRead(java.util.Map<String, io.pricewire.market.FxRate> latest) {
    latest.forEach((pair, rate) -> {
      if (ratesInForce.put(pair, rate) == null) {
        Gauge.builder("pricewire.fx.rate.age", () -> ageSeconds(ratesInForce.get(pair)))
            .description("Age of the exchange rate in force for the pair: seconds since its day began in China "
                + "(a projection marks it fx_stale after 4 days)")
            .baseUnit("seconds")
            .tag("pair", pair)
            .register(registry);
      }
    });
  }

  private static double ageSeconds(io.pricewire.market.FxRate rate) {
    java.time.Instant dayStart = rate.asOf().atStartOfDay(io.pricewire.market.Projection.CHINA).toInstant();
    return java.time.Duration.between(dayStart, java.time.Instant.now()).toMillis() / 1000.0;
  }

  /** The context this verticle runs on, for the event-loop watch. */
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public Future<?> start() {
    HealthChecks live = HealthChecks.create(vertx).register("event-loops", this::eventLoops);
    HealthChecks ready = HealthChecks.create(vertx)
        // Longer than the store's own timeout, so that an unreachable store answers DOWN (503), not a timeout.
        .register("store", storeTimeoutMs + 1000, promise -> store.head().onComplete(ar -> {
          storeUp.set(ar.succeeded() ? 1 : 0);
          if (ar.succeeded()) {
            promise.complete(Status.OK(new JsonObject().put("store", store.kind())
                .put("epoch", ar.result().epoch()).put("seq", ar.result().seq())));
          } else {
            promise.complete(Status.KO(new JsonObject().put("store", store.kind())
                .put("error", String.valueOf(ar.cause().getMessage()))));
          }
        }))
        .register("event-loops", this::eventLoops)
        .register("cluster", promise -> {
          JsonObject about = new JsonObject().put("node", membership.node()).put("members", membership.members());
          promise.complete(membership.joined() ? Status.OK(about) : Status.KO(about.put("error",
              "this node is not a member of its cluster")));
        });
    storeProbe = vertx.setPeriodic(0, 5000, t -> store.head().onComplete(ar -> storeUp.set(ar.succeeded() ? 1 : 0)));
    rateProbe = vertx.setPeriodic(0, 5000, t -> store.rates().latest().onSuccess(this::ratesRead));
    Router router = Router.router(vertx);
    // Every answer of the ops port says which node gave it.
    router.route().handler(ctx -> {
      ctx.response().putHeader(NODE_HEADER, membership.node());
      ctx.next();
    });
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    admin.mount(router);
    fx.mount(router);
    router.errorHandler(404, ctx -> ErrorBody.send(ctx.response(), 404, "not_found",
        "the ops port serves /metrics, /health/live, /health/ready and /admin/..."));
    router.errorHandler(405, ctx -> ErrorBody.send(ctx.response(), 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    return vertx.createHttpServer().requestHandler(router).listen(http.opsPort(), http.opsHost())
        .onSuccess(s -> server = s);
  }

  private void eventLoops(Promise<Status> promise) {
    List<EventLoopWatch.Blocked> blocked = watch.blocked();
    JsonObject data = new JsonObject().put("threshold_ms", watch.thresholdMs());
    if (blocked.isEmpty()) {
      promise.complete(Status.OK(data));
      return;
    }
    JsonArray list = new JsonArray();
    blocked.forEach(b -> list.add(new JsonObject().put("verticle", b.verticle()).put("blocked_ms", b.blockedMs())));
    promise.complete(Status.KO(data.put("blocked", list)));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(storeProbe);
    vertx.cancelTimer(rateProbe);
    return Future.succeededFuture();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
