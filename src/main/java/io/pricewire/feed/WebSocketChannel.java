package io.pricewire.feed;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A feed over WebSocket: JSON text frames, WebSocket pings, close codes, on the connection's own
 * Netty pipeline.
 *
 * <p>Vert.x does the upgrade (the handshake, the permessage-deflate negotiation, the frame codec
 * that Netty gives it); then this channel takes the connection over: its {@link Reader} replaces
 * Vert.x's WebSocket handler on the pipeline, and a {@link FrameWriter} writes the feed's frames.
 * Vert.x's WebSocket objects (its connection with a 1,024-slot write queue, the WebSocket with its
 * read queue, the upgrade request it keeps for {@code headers()}) are then garbage: an idle feed
 * connection holds only Netty's channel and the feed's own state. At the takeover Vert.x is told
 * the WebSocket closed, so that its metrics ({@code vertx_http_server_active_ws_connections},
 * {@code ..._active_connections}) count feed connections only during the upgrade; the feed's own
 * {@code pricewire_feed_connections} counts them while they live.
 *
 * <p>The reader answers pings, echoes the client's close frame, joins fragmented text messages up
 * to the message size limit, and closes the TCP connection once both sides have sent their close
 * frames, or {@link CloseCodes#CLOSING_TIMEOUT_SECONDS} after the gateway sent its own.
 *
 * <p>Vert.x 5's internal {@link WebSocketInternal} (meant for integrations) gives the Netty
 * context, and {@link ContextInternal#dispatch(Runnable)} runs the feed's callbacks on the
 * connection's context without a hop through its task queue; this is the one class that uses
 * Vert.x's internal packages.
 */
final class WebSocketChannel implements FeedChannel {

  private final Channel channel;
  /** Vert.x's WebSocket handler on the pipeline until {@link #start} takes over; then null, so that none of it stays reachable. */
  private ChannelHandlerContext vertxHandler;
  private final int maxMessageBytes;
  private final Deflation deflation;
  private final boolean keepsContext;
  private ContextInternal context;
  private FrameWriter writer;
  private boolean closeSent;
  private boolean closeReceived;
  /** True once the client's frames cannot be read any more (a broken frame): no close frame will come. */
  private boolean unreadable;

  /**
   * @param ws the WebSocket as Vert.x made it (not a router's wrapper), just accepted, on its
   *     connection's event loop
   * @param deflation the event loop's compressor, used when the client negotiated
   *     permessage-deflate; null when the gateway does not compress
   */
  WebSocketChannel(ServerWebSocket ws, int maxMessageBytes, Deflation deflation) {
    if (!(ws instanceof WebSocketInternal internal)) {
      throw new IllegalArgumentException("the feed needs the WebSocket Vert.x made, got " + ws.getClass().getName());
    }
    this.vertxHandler = internal.channelHandlerContext();
    this.channel = vertxHandler.channel();
    this.maxMessageBytes = maxMessageBytes;
    this.deflation = deflation;
    // Accepted offers with server_no_context_takeover (the gateway allows it) make the client
    // start every message with an empty window.
    String offer = ws.headers() == null ? null : ws.headers().get("Sec-WebSocket-Extensions");
    this.keepsContext = offer == null || !offer.toLowerCase(Locale.ROOT).contains("server_no_context_takeover");
  }

  @Override
  public String transport() {
    return "websocket";
  }

  @Override
  public void start(Listener listener) {
    context = (ContextInternal) Vertx.currentContext();
    if (context == null || !context.nettyEventLoop().inEventLoop()) {
      throw new IllegalStateException("a WebSocket is taken over on its connection's event loop");
    }
    writer = FrameWriter.install(vertxHandler, () -> context.dispatch(listener::onDrain), deflation, keepsContext);
    // Vert.x's handler sees the connection end (its metrics and WebSocket state), then leaves.
    ChannelHandler vertx = vertxHandler.handler();
    try {
      ((ChannelInboundHandler) vertx).channelInactive(vertxHandler);
    } catch (Exception e) {
      throw new IllegalStateException("Vert.x's WebSocket handler did not let go of the connection", e);
    }
    channel.pipeline().replace(vertx, Reader.NAME, new Reader(listener));
    vertxHandler = null;
    // The upgrade request was paused while its token was checked.
    channel.config().setAutoRead(true);
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
    return closeSent || closeReceived || !channel.isActive();
  }

  @Override
  public void pauseReading() {
    channel.config().setAutoRead(false);
  }

  @Override
  public void resumeReading() {
    channel.config().setAutoRead(true);
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
    if (closeSent || !channel.isActive()) {
      return;
    }
    closeSent = true;
    var sent = channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
    if (closeReceived || unreadable) {
      sent.addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.eventLoop().schedule(() -> {
        channel.close();
      }, CloseCodes.CLOSING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The feed's reader on the pipeline, where Vert.x's WebSocket handler was. */
  private final class Reader extends ChannelInboundHandlerAdapter {

    static final String NAME = "pricewire-feed-reader";

    private final Listener listener;
    /** The fragments of a text message read so far, or null between messages. */
    private CompositeByteBuf fragments;
    /** True while the rest of a fragmented message is skipped (binary, or refused). */
    private boolean skipping;
    private boolean ended;

    Reader(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof WebSocketFrame frame)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        read(ctx, frame);
      } finally {
        frame.release();
      }
    }

    private void read(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame) {
        skipping = false;
        dropFragments();
        if (frame.isFinalFragment()) {
          text(frame.content());
        } else {
          fragments = ctx.alloc().compositeBuffer();
          append(frame);
        }
      } else if (frame instanceof ContinuationWebSocketFrame) {
        if (skipping || fragments == null) {
          skipping = !frame.isFinalFragment() && skipping;
          return;
        }
        append(frame);
        if (fragments != null && frame.isFinalFragment()) {
          CompositeByteBuf whole = fragments;
          fragments = null;
          try {
            text(whole);
          } finally {
            whole.release();
          }
        }
      } else if (frame instanceof BinaryWebSocketFrame) {
        skipping = !frame.isFinalFragment();
        dropFragments();
        context.dispatch(() -> listener.onRefused(CloseCodes.UNSUPPORTED_DATA,
            "binary frames are not supported; send JSON text"));
      } else if (frame instanceof PingWebSocketFrame) {
        if (!closeSent) {
          ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
        }
      } else if (frame instanceof PongWebSocketFrame) {
        context.dispatch(listener::onHeard);
      } else if (frame instanceof CloseWebSocketFrame close) {
        closeReceived(ctx, close);
      }
    }

    private void append(WebSocketFrame frame) {
      if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
        dropFragments();
        skipping = !frame.isFinalFragment();
        context.dispatch(() -> listener.onRefused(CloseCodes.MESSAGE_TOO_BIG,
            "message larger than " + maxMessageBytes + " bytes"));
        return;
      }
      fragments.addComponent(true, frame.content().retain());
    }

    private void text(ByteBuf content) {
      String text = content.toString(StandardCharsets.UTF_8);
      context.dispatch(() -> listener.onText(text));
    }

    private void dropFragments() {
      if (fragments != null) {
        fragments.release();
        fragments = null;
      }
    }

    /** The client's close frame: answered with the same code (RFC 6455, 5.5.1), then the TCP close. */
    private void closeReceived(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
      if (closeReceived) {
        return;
      }
      closeReceived = true;
      if (closeSent) {
        ctx.close();
        return;
      }
      closeSent = true;
      int code = close.statusCode();
      CloseWebSocketFrame answer = code < 0
          ? new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)
          : new CloseWebSocketFrame(code, null);
      ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
      // Frames over the size limit or otherwise broken: answered with their close code.
      if (e instanceof CorruptedWebSocketFrameException corrupt && !closeSent) {
        // Netty's decoder reads nothing after a broken frame.
        unreadable = true;
        short code = (short) corrupt.closeStatus().code();
        context.dispatch(() -> listener.onRefused(code, code == CloseCodes.MESSAGE_TOO_BIG
            ? "frame larger than " + maxMessageBytes + " bytes" : "invalid frame: " + e.getMessage()));
        if (!closeSent) {
          // The listener did not close (the connection was already ending): end it here.
          ctx.close();
        }
      } else {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      dropFragments();
      if (!ended) {
        ended = true;
        context.dispatch(listener::onClosed);
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      dropFragments();
    }
  }
}
