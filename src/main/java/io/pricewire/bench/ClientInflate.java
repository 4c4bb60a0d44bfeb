package io.pricewire.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.vertx.core.http.WebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The load generator's reader of permessage-deflate messages (RFC 7692): one
 * {@link java.util.zip.Inflater} per connection, in place of the decoder Netty puts on the
 * pipeline, which runs a zlib decoder inside an embedded channel for every message. A browser
 * inflates in native code at its own expense; one process playing a thousand browsers on the
 * cores the servers under test also use must inflate as cheaply as it can, or the figures measure
 * the load generator. Used alike for every target that negotiates compression.
 *
 * <p>The window is kept across messages, which reads both kinds of sender: one that keeps its
 * context, and one that starts every message afresh (server_no_context_takeover) and so never
 * refers back past a message's start. Vert.x's internal {@link WebSocketInternal} gives the
 * connection's Netty context.
 */
final class ClientInflate extends ChannelInboundHandlerAdapter {

  private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
  private static final int RSV1 = 0x4;

  private final Inflater inflater = new Inflater(true);
  private byte[] out = new byte[4096];
  /** Inside a message whose first frame was compressed. */
  private boolean compressed;

  /**
   * Replaces Netty's decoder on the connection, if compression was negotiated. Call it where the
   * connection was handed over (its event loop), before anything more is read: what arrives from
   * then on is read here.
   */
  static void install(WebSocket ws) {
    ChannelHandlerContext ctx = ((WebSocketInternal) ws).channelHandlerContext();
    if (!ctx.executor().inEventLoop()) {
      throw new IllegalStateException("install on the connection's event loop");
    }
    ChannelPipeline pipeline = ctx.pipeline();
    for (Map.Entry<String, ChannelHandler> h : pipeline) {
      if (h.getValue() instanceof WebSocketExtensionDecoder) {
        pipeline.replace(h.getKey(), "bench-inflate", new ClientInflate());
        return;
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof WebSocketFrame frame && isData(frame)) {
      if (!(frame instanceof ContinuationWebSocketFrame)) {
        compressed = (frame.rsv() & RSV1) != 0;
      }
      if (compressed) {
        try {
          ctx.fireChannelRead(inflated(frame));
        } finally {
          frame.release();
        }
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean isData(WebSocketFrame f) {
    return f instanceof TextWebSocketFrame || f instanceof BinaryWebSocketFrame
        || f instanceof ContinuationWebSocketFrame;
  }

  private WebSocketFrame inflated(WebSocketFrame frame) throws DataFormatException {
    ByteBuf content = frame.content();
    int length = content.readableBytes();
    boolean last = frame.isFinalFragment();
    byte[] in = new byte[length + (last ? TAIL.length : 0)];
    content.getBytes(content.readerIndex(), in, 0, length);
    if (last) {
      System.arraycopy(TAIL, 0, in, length, TAIL.length);
    }
    inflater.setInput(in);
    int n = 0;
    while (true) {
      if (n == out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      int k = inflater.inflate(out, n, out.length - n);
      n += k;
      if (k == 0 && (inflater.needsInput() || inflater.finished())) {
        break;
      }
    }
    if (inflater.finished()) {
      // The sender ended its deflate stream with the message: the next one starts a new stream.
      inflater.reset();
    }
    ByteBuf plain = Unpooled.wrappedBuffer(Arrays.copyOf(out, n));
    int rsv = frame.rsv() & ~RSV1;
    if (frame instanceof TextWebSocketFrame) {
      return new TextWebSocketFrame(last, rsv, plain);
    }
    if (frame instanceof BinaryWebSocketFrame) {
      return new BinaryWebSocketFrame(last, rsv, plain);
    }
    return new ContinuationWebSocketFrame(last, rsv, plain);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    inflater.end();
  }
}
