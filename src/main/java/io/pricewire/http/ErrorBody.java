package io.pricewire.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The JSON error body every HTTP endpoint answers failures with. */
public final class ErrorBody {

  private ErrorBody() {
  }

  public static JsonObject of(int status, String code, String message) {
    return new JsonObject().put("status", status).put("code", code).put("message", message);
  }

  /**
   * Answers before the request body was read to its end: the connection is closed after the
   * answer instead of reading (and discarding) the rest of the body.
   */
  public static void refuseUnread(HttpServerRequest request, int status, String code, String message) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    boolean unread = !request.isEnded();
    if (unread) {
      response.putHeader("Connection", "close");
      response.endHandler(v -> request.connection().close());
    }
    send(response, status, code, message);
  }

  /** Ends the response with {@code {"error": {...}}}; ignored if the response already ended. */
  public static void send(HttpServerResponse response, int status, String code, String message) {
    if (response.ended() || response.headWritten()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", of(status, code, message)).encode());
  }
}
