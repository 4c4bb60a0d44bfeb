package io.pricewire.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A blocking HTTP client for tests, talking to a gateway on localhost. */
public final class Http implements AutoCloseable {

  private final WebClient client;
  private final int port;
  private String bearer;

  public Http(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(false));
    this.port = port;
  }

  /** Sends {@code Authorization: Bearer <token>} with every request from now on (null: none). */
  public Http bearer(String token) {
    this.bearer = token;
    return this;
  }

  public HttpResponse<Buffer> post(String path, String contentType, String body) {
    return post(path, contentType, Buffer.buffer(body));
  }

  public HttpResponse<Buffer> post(String path, String contentType, Buffer body) {
    var request = client.post(port, "127.0.0.1", path);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return request.sendBuffer(body).await();
  }

  /** Posts a JSON array of offers for a supplier and returns the parsed answer. */
  public JsonObject offers(String supplier, JsonArray offers) {
    HttpResponse<Buffer> r = post("/v1/suppliers/" + supplier + "/offers", "application/json", offers.encode());
    if (r.statusCode() != 200) {
      throw new AssertionError("ingest answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  public HttpResponse<Buffer> get(String path) {
    var request = client.get(port, "127.0.0.1", path);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    return request.send().await();
  }

  public HttpResponse<Buffer> delete(String path) {
    var request = client.delete(port, "127.0.0.1", path);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    return request.send().await();
  }

  @Override
  public void close() {
    client.close();
  }
}
