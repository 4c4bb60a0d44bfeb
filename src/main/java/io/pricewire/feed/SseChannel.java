package io.pricewire.feed;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A feed over Server-Sent Events: each frame is one event whose data is the same JSON as on
 * WebSocket, with {@code id: epoch:seq} where the frame is a safe resume point; comment lines
 * keep idle connections open through proxies. A close ends the response; the browser's
 * EventSource then reconnects with Last-Event-ID.
 */
final class SseChannel implements FeedChannel {

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private boolean ended;

  SseChannel(HttpServerRequest request) {
    this.request = request;
    this.response = request.response();
  }

  /** Sends the headers and the reconnection delay. */
  void start(long retryMs) {
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .write("retry: " + retryMs + "\n: pricewire feed\n\n");
  }

  @Override
  public String transport() {
    return "sse";
  }

  @Override
  public Future<Void> write(String frame, String resumePoint) {
    if (ended) {
      return Future.failedFuture("the event stream has ended");
    }
    StringBuilder event = new StringBuilder(frame.length() + 48);
    if (resumePoint != null) {
      event.append("id: ").append(resumePoint).append('\n');
    }
    // JSON from the encoder holds no raw newlines, so one data line carries the whole frame.
    event.append("data: ").append(frame).append("\n\n");
    return response.write(event.toString());
  }

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable onDrain) {
    response.drainHandler(v -> onDrain.run());
  }

  @Override
  public void closeHandler(Runnable onClose) {
    response.closeHandler(v -> onClose.run());
  }

  @Override
  public void ping() {
    if (!ended) {
      response.write(": keep-alive\n\n");
    }
  }

  @Override
  public boolean answersPings() {
    return false;
  }

  @Override
  public void close(short code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    if (!response.writeQueueFull()) {
      response.end(": closing (" + code + " " + reason + ")\n\n");
    }
    // A stuck client would hold the end back; drop the connection instead of waiting for it.
    request.connection().close();
  }
}
