package io.pricewire.feed;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import java.util.Map;

/**
 * The feed's writer on a WebSocket connection's Netty pipeline, just ahead of the reader of
 * {@link WebSocketChannel}: it writes text frames from UTF-8 bytes as they are (Vert.x's public
 * API takes text frames only as strings, which it would encode again for every client), and it
 * tells the feed when the socket drains. Everything else passes through untouched.
 *
 * <p>When the client negotiated permessage-deflate, the writer compresses the frames itself
 * ({@link Deflation}: shared parts compressed once for many connections) and takes Netty's
 * per-connection compressor off the pipeline: a compressor of its own on the same connection would
 * assume a window that the writer's messages change. The other frames written on the connection
 * (pongs, close frames) are control frames, which are never compressed.
 *
 * <p>Writability is Netty's: the channel's write buffer above its high water mark counts as full,
 * and the drain is the channel becoming writable again. Vert.x's own accounting does not see
 * the feed's connections once they are taken over, so its byte counters leave the feed's frames out
 * ({@code pricewire_feed_sent_bytes_total} counts them).
 */
final class FrameWriter extends ChannelDuplexHandler {

  static final String NAME = "pricewire-feed-writer";

  private ChannelHandlerContext ctx;
  private Runnable onDrain;
  private Deflation deflation;
  private Deflation.Stream stream;

  /**
   * Puts a writer on the pipeline of a WebSocket connection, ahead of the handler whose context
   * is given. Call on the connection's event loop.
   *
   * @param deflation this event loop's compressor, or null when the gateway does not compress
   * @param keepsContext false when the client asked for server_no_context_takeover
   */
  static FrameWriter install(ChannelHandlerContext next, Runnable onDrain, Deflation deflation,
      boolean keepsContext) {
    FrameWriter writer = new FrameWriter();
    writer.onDrain = onDrain;
    ChannelPipeline pipeline = next.pipeline();
    if (deflation != null && removeCompressor(pipeline)) {
      writer.deflation = deflation;
      writer.stream = new Deflation.Stream(keepsContext);
    }
    pipeline.addBefore(next.name(), NAME, writer);
    return writer;
  }

  /** Takes the negotiated compressor off the pipeline; false when none was negotiated. */
  private static boolean removeCompressor(ChannelPipeline pipeline) {
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      if (handler.getValue() instanceof WebSocketExtensionEncoder) {
        pipeline.remove(handler.getKey());
        return true;
      }
    }
    return false;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Writes a frame; returns the bytes of its payload as written (compressed, when negotiated). */
  int write(Frame frame) {
    TextWebSocketFrame message;
    if (stream != null) {
      message = new TextWebSocketFrame(true, WebSocketExtension.RSV1,
          Unpooled.wrappedBuffer(deflation.message(frame, stream)));
    } else if (frame.parts() == 1) {
      message = new TextWebSocketFrame(true, 0, Unpooled.wrappedBuffer(frame.bytes(0)));
    } else {
      byte[][] parts = new byte[frame.parts()][];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = frame.bytes(i);
      }
      message = new TextWebSocketFrame(true, 0, Unpooled.wrappedBuffer(parts));
    }
    int bytes = message.content().readableBytes();
    ctx.writeAndFlush(message, ctx.voidPromise());
    return bytes;
  }

  void ping() {
    ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER), ctx.voidPromise());
  }

  boolean full() {
    return !ctx.channel().isWritable();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      onDrain.run();
    }
    super.channelWritabilityChanged(ctx);
  }
}
