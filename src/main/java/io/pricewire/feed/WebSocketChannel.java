package io.pricewire.feed;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

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

  /**
   * Writes the UTF-8 bytes as they are, as one text frame: Vert.x's public API takes text frames
   * only as strings, which it would encode again for every client.
   */
  @Override
  public Future<Void> write(byte[] frame, long resumeSeq) {
    Future<Void> f = ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(frame), true));
    return f;
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
