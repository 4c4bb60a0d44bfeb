package io.pricewire.bench;

import io.pricewire.auth.DevCredentials;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * Credentials for the bench tools, the way an operator gets them: with an admin token (given,
 * from PRICEWIRE_ADMIN, or the development credentials of a local gateway) keys are created for
 * the bench's suppliers and a storefront token is minted through the admin API. Without one, the
 * gateway is assumed to run with PRICEWIRE_AUTH=off.
 */
final class BenchAuth {

  private final HttpClientAgent http;
  private final URI opsUrl;
  private final String adminToken;

  private BenchAuth(HttpClientAgent http, URI opsUrl, String adminToken) {
    this.http = http;
    this.opsUrl = opsUrl;
    this.adminToken = adminToken;
  }

  /** Credentials for the gateway the shared options name. */
  static BenchAuth resolve(HttpClientAgent http, GatewayOptions gateway) {
    return resolve(http, gateway.url(), gateway.opsUrl, gateway.adminToken);
  }

  static BenchAuth resolve(HttpClientAgent http, URI url, URI opsUrl, String given) {
    String admin = given;
    if (admin == null) {
      String env = System.getenv("PRICEWIRE_ADMIN");
      admin = env == null || env.isBlank() ? null : env;
    }
    if (admin == null) {
      JsonObject dev = DevCredentials.read(url.getPort() > 0 ? url.getPort() : 80);
      admin = dev == null ? null : dev.getString("admin_token");
    }
    if (admin == null) {
      System.out.println("no admin token (--admin-token, PRICEWIRE_ADMIN or a local development gateway): "
          + "assuming the gateway runs with PRICEWIRE_AUTH=off");
    }
    return new BenchAuth(http, opsUrl, admin);
  }

  /** A new key for the supplier, or null without an admin token. */
  Future<String> keyFor(String supplier) {
    if (adminToken == null) {
      return Future.succeededFuture(null);
    }
    return admin("/admin/suppliers/" + supplier + "/keys", new JsonObject().put("label", "bench"))
        .map(j -> j.getString("key"));
  }

  /** A storefront token for every supplier, or null without an admin token. */
  Future<String> storefrontToken() {
    if (adminToken == null) {
      return Future.succeededFuture(null);
    }
    return admin("/admin/storefront-tokens", new JsonObject().put("suppliers", "*").put("ttl_seconds", 86_400))
        .map(j -> j.getString("token"));
  }

  private Future<JsonObject> admin(String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(opsUrl.resolve(path).toString())
            .putHeader("Authorization", "Bearer " + adminToken).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() != 201) {
            throw new IllegalStateException("the admin API answered " + resp.statusCode() + ": " + b);
          }
          return b.toJsonObject();
        }));
  }

  static RequestOptions withBearer(RequestOptions options, String token) {
    return token == null ? options : options.putHeader("Authorization", "Bearer " + token);
  }

}
