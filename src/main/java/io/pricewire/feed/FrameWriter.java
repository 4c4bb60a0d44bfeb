package io.pricewire.feed;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * The feed's writer on a WebSocket connection's Netty pipeline, just ahead of Vert.x's own
 * handler: it writes text frames from UTF-8 bytes as they are (Vert.x's public API takes text
 * frames only as strings, which it would encode again for every client), through the
 * connection's WebSocket encoders (and permessage-deflate, when negotiated), and it tells the
 * feed when the socket drains. Everything else passes through to Vert.x untouched.
 *
 * <p>Writability is Netty's: the channel's write buffer above its high water mark counts as full,
 * and the drain is the channel becoming writable again. Vert.x's own accounting does not see
 * these writes, so its byte counters for WebSocket connections leave the feed's frames out
 * ({@code pricewire_feed_sent_bytes_total} counts them).
 */
final class FrameWriter extends ChannelDuplexHandler {

  static final String NAME = "pricewire-feed-writer";

  private ChannelHandlerContext ctx;
  private Runnable onDrain;

  /**
   * Puts a writer on the pipeline of a WebSocket connection, ahead of the handler whose context
   * is given (Vert.x's). Call on the connection's event loop.
   */
  static FrameWriter install(ChannelHandlerContext vertxHandler, Runnable onDrain) {
    FrameWriter writer = new FrameWriter();
    writer.onDrain = onDrain;
    vertxHandler.pipeline().addBefore(vertxHandler.name(), NAME, writer);
    return writer;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  void write(byte[] utf8) {
    ctx.writeAndFlush(new TextWebSocketFrame(true, 0, Unpooled.wrappedBuffer(utf8)), ctx.voidPromise());
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
