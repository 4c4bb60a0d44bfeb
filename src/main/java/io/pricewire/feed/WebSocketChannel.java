package io.pricewire.feed;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * A feed over WebSocket: JSON text frames, WebSocket pings, close codes. Frames go out through a
 * {@link FrameWriter} on the connection's pipeline; reading, pongs, closing and the close
 * handshake stay with Vert.x.
 */
final class WebSocketChannel implements FeedChannel {

  private final ServerWebSocket ws;
  private final int maxFrameBytes;
  private final Deflation deflation;
  private final boolean keepsContext;
  private FrameWriter writer;

  /**
   * @param ws the WebSocket as Vert.x made it (not a router's wrapper): Vert.x 5's internal
   *     {@link WebSocketInternal}, meant for integrations, gives its Netty context
   * @param deflation the event loop's compressor, used when the client negotiated
   *     permessage-deflate; null when the gateway does not compress
   */
  WebSocketChannel(ServerWebSocket ws, int maxFrameBytes, Deflation deflation) {
    if (!(ws instanceof WebSocketInternal)) {
      throw new IllegalArgumentException("the feed needs the WebSocket Vert.x made, got " + ws.getClass().getName());
    }
    this.ws = ws;
    this.maxFrameBytes = maxFrameBytes;
    this.deflation = deflation;
    // Accepted offers with server_no_context_takeover (the gateway allows it) make the client
    // start every message with an empty window.
    String offer = ws.headers() == null ? null : ws.headers().get("Sec-WebSocket-Extensions");
    this.keepsContext = offer == null || !offer.toLowerCase(java.util.Locale.ROOT).contains("server_no_context_takeover");
  }

  @Override
  public String transport() {
    return "websocket";
  }

  @Override
  public void start(Listener listener) {
    // Netty tells of the drain outside any Vert.x context: hand it to this connection's context,
    // on which the feed core runs (and whose timers and futures it expects).
    Context context = Vertx.currentContext();
    writer = FrameWriter.install(((WebSocketInternal) ws).channelHandlerContext(),
        () -> context.runOnContext(v -> listener.onDrain()), deflation, keepsContext);
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
    ws.closeHandler(v -> listener.onClosed());
  }

  @Override
  public int write(Frame frame, long resumeSeq) {
    return writer.write(frame);
  }

  @Override
  public boolean writeQueueFull() {
    return writer.full();
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
    writer.ping();
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
