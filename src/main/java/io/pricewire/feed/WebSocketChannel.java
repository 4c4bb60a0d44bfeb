package io.pricewire.feed;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/** A feed over WebSocket: JSON text frames, WebSocket pings, close codes. */
final class WebSocketChannel implements FeedChannel {

  private static final Buffer PING = Buffer.buffer();
  private final ServerWebSocket ws;
  private final int maxFrameBytes;

  WebSocketChannel(ServerWebSocket ws, int maxFrameBytes) {
    this.ws = ws;
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public String transport() {
    return "websocket";
  }

  @Override
  public void start(Listener listener) {
    ws.textMessageHandler(listener::onText);
    ws.binaryMessageHandler(b -> listener.onRefused(CloseCodes.UNSUPPORTED_DATA,
        "binary frames are not supported; send JSON text"));
    ws.pongHandler(b -> listener.onHeard());
    ws.exceptionHandler(e -> {
      // Frames over the size limit or otherwise broken arrive here; answer with their close code.
      if (e instanceof CorruptedWebSocketFrameException corrupt) {
        short code = (short) corrupt.closeStatus().code();
        listener.onRefused(code, code == CloseCodes.MESSAGE_TOO_BIG
            ? "frame larger than " + maxFrameBytes + " bytes" : "invalid frame: " + e.getMessage());
      }
    });
    ws.drainHandler(v -> listener.onDrain());
    ws.closeHandler(v -> listener.onClosed());
  }

  /**
   * Writes the UTF-8 bytes as they are, as one text frame: Vert.x's public API takes text frames
   * only as strings, which it would encode again for every client.
   */
  @Override
  public void write(byte[] frame, long resumeSeq) {
    ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(frame), true));
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public boolean isClosed() {
    return ws.isClosed();
  }

  @Override
  public void pauseReading() {
    ws.pause();
  }

  @Override
  public void resumeReading() {
    ws.resume();
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
