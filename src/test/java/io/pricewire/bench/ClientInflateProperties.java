package io.pricewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The load generator's inflater against the reference encoder (zlib's deflate, as a server runs
 * it for permessage-deflate: sync flush, the {@code 00 00 ff ff} taken off each message), with and
 * without context takeover, messages whole or in fragments, compressed or sent plain.
 */
class ClientInflateProperties {

  @Provide
  Arbitrary<List<String>> messages() {
    return Arbitraries.oneOf(
            Arbitraries.strings().withChars("{}[]\":,.0123456789abcdefghij加拿大鲜活龙虾磅 ").ofMaxLength(3000),
            Arbitraries.integers().between(0, 999).map(i -> "{\"type\":\"update\",\"seq\":" + i
                + ",\"offer\":{\"sku\":\"o" + (i % 40) + "\",\"price\":\"" + i + ".00 CAD\"},\"id\":\"bench\"}"))
        .list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 300)
  @Label("every message reads back as it was sent")
  void readsBack(@ForAll("messages") List<String> messages, @ForAll boolean keepsContext,
      @ForAll @IntRange(min = 1, max = 9) int level, @ForAll @IntRange(min = 0, max = 3) int fragments,
      @ForAll boolean[] plain) {
    Deflater deflater = new Deflater(level, true);
    EmbeddedChannel channel = new EmbeddedChannel(new ClientInflate());
    try {
      for (int i = 0; i < messages.size(); i++) {
        byte[] text = messages.get(i).getBytes(StandardCharsets.UTF_8);
        boolean compressed = plain.length <= i || !plain[i];
        byte[] payload = compressed ? deflate(deflater, text, keepsContext) : text;
        for (WebSocketFrame f : frames(payload, compressed, fragments)) {
          channel.writeInbound(f);
        }
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        WebSocketFrame out;
        while ((out = channel.readInbound()) != null) {
          assertThat(out.rsv() & 0x4).as("no RSV1 once read").isZero();
          byte[] bytes = new byte[out.content().readableBytes()];
          out.content().readBytes(bytes);
          read.writeBytes(bytes);
          out.release();
        }
        // Fragments may split a character: the message is read whole.
        assertThat(read.toString(StandardCharsets.UTF_8)).isEqualTo(messages.get(i));
      }
    } finally {
      channel.finishAndReleaseAll();
      deflater.end();
    }
  }

  private static byte[] deflate(Deflater deflater, byte[] text, boolean keepsContext) {
    if (!keepsContext) {
      deflater.reset();
    }
    deflater.setInput(text);
    byte[] buf = new byte[text.length + 64];
    int n = 0;
    while (true) {
      int k = deflater.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
      n += k;
      if (n < buf.length) {
        break;
      }
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    if (n == 0) {
      // Nothing to flush (an empty message): RFC 7692 7.2.3.6, a single 00 byte.
      return new byte[] {0};
    }
    // RFC 7692 7.2.1: the sender takes off the empty block's 00 00 ff ff.
    return Arrays.copyOf(buf, n - 4);
  }

  /** The message as one frame or in up to {@code fragments + 1} pieces; RSV1 on the first when compressed. */
  private static List<WebSocketFrame> frames(byte[] payload, boolean compressed, int fragments) {
    int pieces = Math.max(1, Math.min(fragments + 1, payload.length));
    java.util.ArrayList<WebSocketFrame> frames = new java.util.ArrayList<>();
    int from = 0;
    for (int p = 0; p < pieces; p++) {
      int to = p == pieces - 1 ? payload.length : from + payload.length / pieces;
      ByteBuf part = Unpooled.wrappedBuffer(Arrays.copyOfRange(payload, from, to));
      boolean last = p == pieces - 1;
      frames.add(p == 0 ? new TextWebSocketFrame(last, compressed ? 0x4 : 0, part)
          : new ContinuationWebSocketFrame(last, 0, part));
      from = to;
    }
    return frames;
  }
}
