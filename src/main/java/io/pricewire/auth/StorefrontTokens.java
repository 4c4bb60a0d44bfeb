package io.pricewire.auth;

import io.pricewire.config.Settings;
import io.pricewire.offer.SupplierId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Storefront access tokens: JWTs signed with HS256 (a shared secret) or RS256 (the gateway holds
 * the public key only), checked with vertx-auth-jwt. The {@code suppliers} claim lists the
 * suppliers the holder may see, or {@code "*"} for all.
 */
public final class StorefrontTokens {

  public static final String SUPPLIERS_CLAIM = "suppliers";
  /** The markets the holder may use: a list of market ids, or "*"; without it, every market. */
  public static final String MARKETS_CLAIM = "markets";
  private static final java.util.regex.Pattern MARKET_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  private final JWTAuth verifier;
  private final JWTAuth signer;

  public StorefrontTokens(Vertx vertx, Settings.Auth auth) {
    JWTOptions checks = new JWTOptions().setLeeway(30);
    if (auth.jwtIssuer() != null) {
      checks.setIssuer(auth.jwtIssuer());
    }
    if (auth.jwtAudience() != null) {
      checks.setAudience(List.of(auth.jwtAudience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    if (auth.jwtSecret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(auth.jwtSecret()));
    }
    if (auth.jwtPublicKey() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(auth.jwtPublicKey()));
    }
    boolean anyKey = auth.jwtSecret() != null || auth.jwtPublicKey() != null;
    this.verifier = anyKey ? JWTAuth.create(vertx, options) : null;
    this.signer = auth.jwtSecret() == null ? null : JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(auth.jwtSecret())));
  }

  /** Checks a token; fails with an {@link AuthException} (401) saying what is wrong. */
  public Future<Scope> verify(String token) {
    if (verifier == null) {
      return Future.failedFuture(new AuthException(401, "unauthorized",
          "storefront tokens cannot be checked: no PRICEWIRE_JWT_SECRET or PRICEWIRE_JWT_PUBLIC_KEY is configured"));
    }
    return verifier.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(new AuthException(401, "invalid_token",
            "the storefront token was refused: " + e.getMessage())))
        .compose(user -> {
          JsonObject claims = user.principal();
          Object suppliers = claims.getValue(SUPPLIERS_CLAIM);
          // vertx-auth-jwt keeps the registered claims (exp, iat) in the user's attributes.
          Long exp = user.attributes().getLong("exp", claims.getLong("exp"));
          Instant expires = exp == null ? null : Instant.ofEpochSecond(exp);
          Object marketClaim = claims.getValue(MARKETS_CLAIM);
          Set<String> markets = null;
          if (marketClaim instanceof JsonArray list && !list.contains("*")) {
            markets = new HashSet<>();
            for (Object m : list) {
              if (!(m instanceof String id) || !MARKET_ID.matcher(id).matches()) {
                return Future.failedFuture(new AuthException(401, "invalid_token",
                    "the token's markets claim holds something that is not a market id"));
              }
              markets.add(id);
            }
          } else if (marketClaim != null && !"*".equals(marketClaim) && !(marketClaim instanceof JsonArray)) {
            return Future.failedFuture(new AuthException(401, "invalid_token",
                "the token's markets claim must be a list of market ids, or \"*\""));
          }
          if ("*".equals(suppliers)) {
            return Future.succeededFuture(new Scope(true, Set.of(), markets, expires));
          }
          if (suppliers instanceof JsonArray list) {
            Set<String> allowed = new HashSet<>();
            for (Object s : list) {
              if ("*".equals(s)) {
                return Future.succeededFuture(new Scope(true, Set.of(), markets, expires));
              }
              if (s instanceof String id && SupplierId.valid(id)) {
                allowed.add(id);
              } else {
                return Future.failedFuture(new AuthException(401, "invalid_token",
                    "the token's suppliers claim holds something that is not a supplier id"));
              }
            }
            return Future.succeededFuture(new Scope(false, allowed, markets, expires));
          }
          return Future.failedFuture(new AuthException(401, "invalid_token",
              "the token has no suppliers claim: a list of supplier ids, or \"*\" for all"));
        });
  }

  public boolean canMint() {
    return signer != null;
  }

  /** Signs a token with the HS256 secret (development credentials, the admin API). */
  public String mint(Collection<String> suppliers, Duration ttl) {
    return mint(suppliers, null, ttl);
  }

  /** @param markets the markets the token may use; null for every market */
  public String mint(Collection<String> suppliers, Collection<String> markets, Duration ttl) {
    if (signer == null) {
      throw new IllegalStateException("minting needs PRICEWIRE_JWT_SECRET");
    }
    Object claim = suppliers.contains("*") ? "*" : new JsonArray(List.copyOf(suppliers));
    JsonObject claims = new JsonObject().put(SUPPLIERS_CLAIM, claim);
    if (markets != null && !markets.contains("*")) {
      claims.put(MARKETS_CLAIM, new JsonArray(List.copyOf(markets)));
    }
    return signer.generateToken(claims,
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttl.toSeconds())));
  }
}
