package io.pricewire.feed;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A feed over Server-Sent Events: each frame is one event whose data is the same JSON as on
 * WebSocket, with {@code id: epoch:seq} where the frame is a safe resume point; comment lines
 * keep idle connections open through proxies. A close ends the response; the browser's
 * EventSource then reconnects with Last-Event-ID.
 */
final class SseChannel implements FeedChannel {

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final Supplier<String> epoch;
  private final long retryMs;
  private boolean ended;

  /**
   * @param epoch the epoch of the log the hub serves, for event ids
   * @param retryMs the reconnection delay told to the browser
   */
  SseChannel(HttpServerRequest request, Supplier<String> epoch, long retryMs) {
    this.request = request;
    this.response = request.response();
    this.epoch = epoch;
    this.retryMs = retryMs;
  }

  @Override
  public String transport() {
    return "sse";
  }

  /** Sends the headers and the reconnection delay. */
  @Override
  public void start(Listener listener) {
    response.drainHandler(v -> listener.onDrain());
    response.closeHandler(v -> listener.onClosed());
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .write("retry: " + retryMs + "\n: pricewire feed\n\n");
  }

  @Override
  public int write(Frame frame, long resumeSeq) {
    Buffer event = Buffer.buffer(frame.length() + 64);
    if (resumeSeq >= 0) {
      event.appendString("id: " + epoch.get() + ":" + resumeSeq + "\n");
    }
    // JSON from the encoder holds no raw newlines, so one data line carries the whole frame.
    event.appendBytes(DATA);
    for (int i = 0; i < frame.parts(); i++) {
      event.appendBytes(frame.bytes(i));
    }
    event.appendBytes(END);
    response.write(event);
    return event.length();
  }

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public boolean isClosed() {
    return ended || response.closed();
  }

  /** The client sends nothing after its request, so there is nothing to stop reading. */
  @Override
  public void pauseReading() {
  }

  @Override
  public void resumeReading() {
  }

  @Override
  public void ping() {
    response.write(": keep-alive\n\n");
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
    if (!response.closed() && !response.writeQueueFull()) {
      response.end(": closing (" + code + " " + reason + ")\n\n");
    }
    // A stuck client would hold the end back; drop the connection instead of waiting for it.
    request.connection().close();
  }
}
