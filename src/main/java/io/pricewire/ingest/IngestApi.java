package io.pricewire.ingest;

import io.pricewire.http.ErrorBody;
import io.pricewire.auth.AuthException;
import io.pricewire.auth.Authenticator;
import io.pricewire.config.Settings;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.SupplierId;
import io.pricewire.store.Store;
import io.pricewire.http.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/**
 * The supplier-facing HTTP API: writes offers (JSON arrays, NDJSON streams, Merchant Center feed
 * files) and reads one back. Writing goes through the ledger; reading asks the store.
 */
public final class IngestApi {

  private static final Set<String> NDJSON_TYPES = Set.of("application/x-ndjson", "application/ndjson",
      "application/jsonl", "application/x-jsonlines");
  private static final Set<String> TSV_TYPES = Set.of("text/tab-separated-values", "text/tsv", "text/plain");

  private final Vertx vertx;
  private final Store store;
  private final Settings.Ingest limits;
  private final long ledgerTimeoutMs;
  private final IngestMetrics metrics;
  private final Authenticator auth;
  private final IngestLimiter limiter;

  public IngestApi(Vertx vertx, Store store, Settings.Ingest limits, long ledgerTimeoutMs, IngestMetrics metrics,
      Authenticator auth, IngestLimiter limiter) {
    this.vertx = vertx;
    this.store = store;
    this.limits = limits;
    this.ledgerTimeoutMs = ledgerTimeoutMs;
    this.metrics = metrics;
    this.auth = auth;
    this.limiter = limiter;
  }

  public void mount(Router router) {
    router.route("/v1/suppliers/:supplier/*").handler(this::authenticate);
    router.post("/v1/suppliers/:supplier/offers").handler(this::writeOffers);
    router.post("/v1/suppliers/:supplier/feeds").handler(this::writeFeed);
    router.get("/v1/suppliers/:supplier/offers/:sku").handler(this::readOffer);
  }

  /** Every supplier endpoint needs that supplier's key. The body waits (paused) meanwhile. */
  private void authenticate(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    ctx.request().pause();
    auth.supplier(ctx.request(), supplier).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.next();
      } else if (ar.cause() instanceof AuthException e) {
        if (e.status() == 401) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        refuseBody(ctx, e.status(), e.code(), e.getMessage());
      } else {
        Failure.of(ar.cause(), "the API key check").refuseUnread(ctx.request());
      }
    });
  }

  private void writeOffers(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    String type = mediaType(ctx.request());
    if (type == null) {
      return;
    }
    if (type.equals("application/json")) {
      run(ctx, supplier, IngestSource.JSON).start();
    } else if (NDJSON_TYPES.contains(type)) {
      run(ctx, supplier, IngestSource.NDJSON).start();
    } else {
      refuseBody(ctx, 415, "unsupported_media_type", "Content-Type \"" + type + "\" is not accepted here; send "
          + "application/json (an array of offers) or application/x-ndjson (one offer per line)");
    }
  }

  private void writeFeed(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    String type = mediaType(ctx.request());
    if (type == null) {
      return;
    }
    if (TSV_TYPES.contains(type)) {
      run(ctx, supplier, IngestSource.TSV).start();
    } else {
      refuseBody(ctx, 415, "unsupported_media_type", "Content-Type \"" + type + "\" is not accepted here; send a "
          + "Merchant Center feed as text/tab-separated-values");
    }
  }

  private IngestRun run(RoutingContext ctx, String supplier, IngestSource source) {
    return new IngestRun(vertx, ctx.request(), supplier, source, limits, ledgerTimeoutMs, metrics, limiter);
  }

  private void readOffer(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    String sku = ctx.pathParam("sku");
    store.find(new OfferKey(supplier, sku.strip())).onComplete(ar -> {
      if (ar.failed()) {
        Failure.of(ar.cause(), "reading the offer").send(ctx.response());
      } else if (ar.result() == null) {
        ErrorBody.send(ctx.response(), 404, "offer_not_found", "supplier " + supplier + " has no offer with sku \""
            + sku + "\"");
      } else {
        ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
            .end(ar.result().toJson().encode());
      }
    });
  }

  private static String supplier(RoutingContext ctx) {
    String supplier = ctx.pathParam("supplier");
    if (!SupplierId.valid(supplier)) {
      refuseBody(ctx, 400, "invalid_supplier", "\"" + supplier + "\" is not a supplier id: " + SupplierId.RULE);
      return null;
    }
    return supplier;
  }

  /** The request's media type in lower case, or null after refusing a missing or non-UTF-8 one. */
  private static String mediaType(HttpServerRequest request) {
    String header = request.getHeader("Content-Type");
    if (header == null || header.isBlank()) {
      refuseBody(request, 415, "unsupported_media_type", "the request has no Content-Type; send application/json, "
          + "application/x-ndjson, or text/tab-separated-values for feed files");
      return null;
    }
    String[] parts = header.split(";");
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].strip().toLowerCase(Locale.ROOT);
      if (param.startsWith("charset=") && !param.equals("charset=utf-8") && !param.equals("charset=\"utf-8\"")) {
        refuseBody(request, 415, "unsupported_charset", "bodies must be UTF-8, got " + param);
        return null;
      }
    }
    return parts[0].strip().toLowerCase(Locale.ROOT);
  }

  private static void refuseBody(RoutingContext ctx, int status, String code, String message) {
    refuseBody(ctx.request(), status, code, message);
  }

  private static void refuseBody(HttpServerRequest request, int status, String code, String message) {
    ErrorBody.refuseUnread(request, status, code, message);
  }
}
