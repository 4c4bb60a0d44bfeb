package io.pricewire.auth;

import io.pricewire.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Set;

/**
 * Who may do what on the public port. Suppliers write and read their own offers with an API key;
 * storefronts read the feed with a token that names the suppliers they may see. With
 * authentication off, everything is allowed (trusted networks only).
 */
public final class Authenticator {

  private final boolean enabled;
  private final ApiKeys keys;
  private final StorefrontTokens tokens;
  private final Set<String> allowedOrigins;

  public Authenticator(Settings.Auth auth, ApiKeys keys, StorefrontTokens tokens) {
    this.enabled = auth.enabled();
    this.keys = keys;
    this.tokens = tokens;
    this.allowedOrigins = auth.allowedOrigins();
  }

  public boolean enabled() {
    return enabled;
  }

  /** Succeeds when the request carries an active key of this supplier; else 401 or 403. */
  public Future<Void> supplier(HttpServerRequest request, String supplier) {
    if (!enabled) {
      return Future.succeededFuture();
    }
    String key = bearer(request);
    if (key == null) {
      return Future.failedFuture(AuthException.missing("a supplier API key"));
    }
    return keys.supplierOf(key).compose(owner -> {
      if (owner == null) {
        return Future.failedFuture(new AuthException(401, "unauthorized", "the API key is unknown or revoked"));
      }
      if (!owner.equals(supplier)) {
        return Future.failedFuture(new AuthException(403, "forbidden",
            "this API key belongs to another supplier; it may only read and write its own offers"));
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The scope of a storefront: from {@code Authorization: Bearer} or, for browsers that cannot set
   * headers on a WebSocket or an EventSource, the {@code access_token} query parameter.
   */
  public Future<Scope> storefront(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin != null && !originAllowed(origin)) {
      return Future.failedFuture(new AuthException(403, "origin_not_allowed", "origin " + origin
          + " is not in PRICEWIRE_ALLOWED_ORIGINS"));
    }
    if (!enabled) {
      return Future.succeededFuture(Scope.EVERYTHING);
    }
    String token = bearer(request);
    if (token == null) {
      token = request.getParam("access_token");
    }
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new AuthException(401, "unauthorized", "the feed needs a storefront token: "
          + "\"Authorization: Bearer <token>\" or the access_token query parameter"));
    }
    return tokens.verify(token.strip());
  }

  public boolean originAllowed(String origin) {
    return allowedOrigins.isEmpty() || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
  }

  static String bearer(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String value = header.substring(7).strip();
    return value.isEmpty() ? null : value;
  }
}
