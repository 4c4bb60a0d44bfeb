package io.pricewire.feed;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** A feed over WebSocket: JSON text frames, WebSocket pings, close codes. */
final class WebSocketChannel implements FeedChannel {

  private static final Buffer PING = Buffer.buffer();
  final ServerWebSocket ws;

  WebSocketChannel(ServerWebSocket ws) {
    this.ws = ws;
  }

  @Override
  public String transport() {
    return "websocket";
  }

  @Override
  public Future<Void> write(String frame, String resumePoint) {
    return ws.writeTextMessage(frame);
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable onDrain) {
    ws.drainHandler(v -> onDrain.run());
  }

  @Override
  public void closeHandler(Runnable onClose) {
    ws.closeHandler(v -> onClose.run());
  }

  @Override
  public void ping() {
    ws.writePing(PING);
  }

  @Override
  public boolean answersPings() {
    return true;
  }

  @Override
  public void close(short code, String reason) {
    if (!ws.isClosed()) {
      ws.close(code, reason);
    }
  }
}
