package io.pricewire.auth;

import io.pricewire.http.ErrorBody;
import io.pricewire.http.Failure;
import io.pricewire.offer.SupplierId;
import io.pricewire.store.KeyStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin API on the ops port, guarded by the admin token: supplier keys (create, list,
 * revoke) and storefront tokens (minted with the HS256 secret).
 */
public final class AdminApi {

  private static final long MAX_TOKEN_TTL_SECONDS = 366L * 24 * 3600;

  private final String adminToken;
  private final ApiKeys keys;
  private final StorefrontTokens tokens;

  public AdminApi(String adminToken, ApiKeys keys, StorefrontTokens tokens) {
    this.adminToken = adminToken;
    this.keys = keys;
    this.tokens = tokens;
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(this::guard);
    // Behind the token; large enough for a Valet file with years of daily rates.
    router.route("/admin/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.post("/admin/suppliers/:supplier/keys").handler(this::createKey);
    router.get("/admin/suppliers/:supplier/keys").handler(this::listKeys);
    router.delete("/admin/suppliers/:supplier/keys/:id").handler(this::revokeKey);
    router.post("/admin/storefront-tokens").handler(this::mintToken);
  }

  private void guard(RoutingContext ctx) {
    if (adminToken == null) {
      ErrorBody.send(ctx.response(), 403, "admin_disabled", "the admin API is off: set PRICEWIRE_ADMIN_TOKEN");
      return;
    }
    String presented = Authenticator.bearer(ctx.request());
    if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
        adminToken.getBytes(StandardCharsets.UTF_8))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ErrorBody.send(ctx.response(), 401, "unauthorized", "the admin API needs \"Authorization: Bearer <admin token>\"");
      return;
    }
    ctx.next();
  }

  private void createKey(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    Object label = body.getValue("label");
    if (label != null && (!(label instanceof String l) || l.length() > 200)) {
      ErrorBody.send(ctx.response(), 400, "invalid_label", "label must be a string of at most 200 characters");
      return;
    }
    keys.create(supplier, (String) label).onComplete(ar -> {
      if (ar.failed()) {
        failed(ctx, ar.cause());
        return;
      }
      ApiKeys.Created k = ar.result();
      ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("id", k.id()).put("supplier", k.supplier()).put("key", k.key())
              .put("label", k.label()).put("created_at", k.createdAt().toString()).encode());
    });
  }

  private void listKeys(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    keys.list(supplier).onComplete(ar -> {
      if (ar.failed()) {
        failed(ctx, ar.cause());
        return;
      }
      JsonArray list = new JsonArray();
      for (KeyStore.StoredKey k : ar.result()) {
        list.add(describe(k));
      }
      ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("supplier", supplier).put("keys", list).encode());
    });
  }

  private void revokeKey(RoutingContext ctx) {
    String supplier = supplier(ctx);
    if (supplier == null) {
      return;
    }
    keys.revoke(supplier, ctx.pathParam("id")).onComplete(ar -> {
      if (ar.failed()) {
        failed(ctx, ar.cause());
      } else if (ar.result() == null) {
        ErrorBody.send(ctx.response(), 404, "key_not_found", "supplier " + supplier + " has no key " + ctx.pathParam("id"));
      } else {
        ctx.response().putHeader("Content-Type", "application/json").end(describe(ar.result()).encode());
      }
    });
  }

  private void mintToken(RoutingContext ctx) {
    if (!tokens.canMint()) {
      ErrorBody.send(ctx.response(), 409, "cannot_mint", "minting storefront tokens needs PRICEWIRE_JWT_SECRET "
          + "(with RS256 keys, tokens are signed by whoever holds the private key)");
      return;
    }
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    Object suppliers = body.getValue("suppliers");
    List<String> list = new ArrayList<>();
    if ("*".equals(suppliers)) {
      list.add("*");
    } else if (suppliers instanceof JsonArray a && !a.isEmpty()) {
      for (Object s : a) {
        if (!(s instanceof String id) || !(id.equals("*") || SupplierId.valid(id))) {
          ErrorBody.send(ctx.response(), 400, "invalid_suppliers", "suppliers holds something that is not a "
              + "supplier id: " + SupplierId.RULE);
          return;
        }
        list.add(id);
      }
    } else {
      ErrorBody.send(ctx.response(), 400, "invalid_suppliers", "suppliers must be \"*\" or a non-empty list of "
          + "supplier ids");
      return;
    }
    List<String> markets = null;
    Object marketsValue = body.getValue("markets");
    if (marketsValue instanceof JsonArray a && !a.isEmpty()) {
      markets = new ArrayList<>();
      for (Object m : a) {
        if (!(m instanceof String id) || !(id.equals("*") || id.matches("[a-z0-9][a-z0-9-]{0,31}"))) {
          ErrorBody.send(ctx.response(), 400, "invalid_markets", "markets holds something that is not a market id");
          return;
        }
        markets.add(id);
      }
    } else if (marketsValue != null && !"*".equals(marketsValue)) {
      ErrorBody.send(ctx.response(), 400, "invalid_markets", "markets must be \"*\" or a non-empty list of market ids");
      return;
    }
    long ttl = body.getValue("ttl_seconds") instanceof Number n ? n.longValue() : 3600;
    if (ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
      ErrorBody.send(ctx.response(), 400, "invalid_ttl", "ttl_seconds must be between 1 and " + MAX_TOKEN_TTL_SECONDS);
      return;
    }
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("token", tokens.mint(list, markets, Duration.ofSeconds(ttl))).put("suppliers",
            new JsonArray(list)).put("markets", markets == null ? "*" : new JsonArray(markets))
            .put("ttl_seconds", ttl).encode());
  }

  private static JsonObject describe(KeyStore.StoredKey k) {
    return new JsonObject().put("id", k.id()).put("supplier", k.supplier()).put("label", k.label())
        .put("created_at", k.createdAt().toString())
        .put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
  }

  private static String supplier(RoutingContext ctx) {
    String supplier = ctx.pathParam("supplier");
    if (!SupplierId.valid(supplier)) {
      ErrorBody.send(ctx.response(), 400, "invalid_supplier", "\"" + supplier + "\" is not a supplier id: "
          + SupplierId.RULE);
      return null;
    }
    return supplier;
  }

  /** The JSON object body, {} when empty, or null after answering 400. */
  private static JsonObject body(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new JsonObject();
    }
    try {
      return new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      ErrorBody.send(ctx.response(), 400, "malformed_json", "the body must be a JSON object");
      return null;
    }
  }

  private static void failed(RoutingContext ctx, Throwable e) {
    Failure.of(e, "the key store").send(ctx.response());
  }
}
