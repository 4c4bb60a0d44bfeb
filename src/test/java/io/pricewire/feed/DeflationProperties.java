package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The feed's own permessage-deflate against the reference decoder (zlib's inflate, as a client
 * runs it: one window per connection kept across messages, or a fresh one per message when the
 * client asked for server_no_context_takeover, with {@code 00 00 ff ff} put back at each end).
 */
class DeflationProperties {

  /** One part of a message: shared part {@code shared}, or (when it is negative) own bytes. */
  record Part(int shared, String own) {
  }

  /** One message: which connection, and its parts. */
  record Step(int stream, List<Part> parts) {
  }

  @Provide
  Arbitrary<List<String>> parts() {
    Arbitrary<String> json = Arbitraries.strings().withChars("{}[]\":,.0123456789abcdefghijklmnop加拿大鲜活龙虾磅 ")
        .ofMinLength(0).ofMaxLength(600);
    Arbitrary<String> update = Arbitraries.integers().between(0, 999).map(i -> "{\"type\":\"update\",\"epoch\":\"e\","
        + "\"seq\":" + i + ",\"offer\":{\"sku\":\"o" + (i % 50) + "\",\"price\":\"" + i + ".00 CAD\",\"title\":"
        + "{\"zh-CN\":\"加拿大鲜活龙虾 1磅\"}},\"changed\":[\"price\"],\"id\":");
    return Arbitraries.oneOf(json, update).list().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<String> own = Arbitraries.oneOf(
        Arbitraries.of("\"s1\"}", "\"bench\"}", "\"a-much-longer-subscription-id\"}", ""),
        Arbitraries.strings().withChars("{}\":,abc0123龙虾").ofMaxLength(400));
    Arbitrary<Part> part = Combinators.combine(Arbitraries.integers().between(-1, 11), own).as(Part::new);
    return Combinators.combine(Arbitraries.integers().between(0, 3), part.list().ofMinSize(0).ofMaxSize(5))
        .as(Step::new).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 400)
  @Label("every message decodes to the frame's bytes, on connections with and without context takeover")
  void decodes(@ForAll("parts") List<String> texts, @ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 9) int level, @ForAll boolean[] keepsContext) throws Exception {
    List<SharedBytes> shared = new ArrayList<>();
    for (String t : texts) {
      shared.add(new SharedBytes(t.getBytes(StandardCharsets.UTF_8)));
    }
    Deflation deflation = new Deflation(level);
    Deflation.Stream[] streams = new Deflation.Stream[4];
    Client[] clients = new Client[4];
    for (int i = 0; i < 4; i++) {
      boolean keeps = keepsContext.length <= i || keepsContext[i];
      streams[i] = new Deflation.Stream(keeps);
      clients[i] = new Client(keeps);
    }
    for (Step s : steps) {
      Frame.Builder b = new Frame.Builder(s.parts().size());
      for (Part p : s.parts()) {
        if (p.shared() < 0) {
          b.add(p.own().getBytes(StandardCharsets.UTF_8));
        } else {
          b.add(shared.get(p.shared() % shared.size()));
        }
      }
      Frame frame = b.build();
      byte[] message = deflation.message(frame, streams[s.stream()]);
      assertThat(clients[s.stream()].decode(message)).as("message %s on connection %d", s, s.stream())
          .isEqualTo(frame.bytes());
    }
    deflation.end();
  }

  @Test
  @DisplayName("connections sent the same frames share one compressed form per change, and it is small")
  void lockstep() throws Exception {
    Deflation deflation = new Deflation(6);
    List<Deflation.Stream> streams = new ArrayList<>();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      streams.add(new Deflation.Stream(true));
      clients.add(new Client(true));
    }
    long plain = 0;
    long compressed = 0;
    for (int change = 0; change < 200; change++) {
      SharedBytes body = new SharedBytes(("{\"type\":\"update\",\"epoch\":\"f22f4505\",\"seq\":" + (1000 + change)
          + ",\"offer\":{\"supplier\":\"atlantic\",\"sku\":\"o" + (change % 40) + "\",\"price\":{\"amount\":\""
          + (10 + change) + ".00\",\"currency\":\"CAD\"},\"title\":{\"en\":\"Live Atlantic lobster\","
          + "\"zh-CN\":\"加拿大鲜活龙虾 1磅\"}},\"changed\":[\"price\"],\"id\":").getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < streams.size(); i++) {
        byte[] own = ("\"s" + (i % 10) + "\"}").getBytes(StandardCharsets.UTF_8);
        Frame frame = Frame.of(body, own);
        byte[] message = deflation.message(frame, streams.get(i));
        assertThat(clients.get(i).decode(message)).isEqualTo(frame.bytes());
        plain += frame.length();
        compressed += message.length;
      }
      assertThat(body.forms()).as("forms of change %d", change).isEqualTo(1);
    }
    assertThat((double) compressed / plain).as("compressed / plain bytes").isLessThan(0.3);
  }

  /** A client's decompressor, as RFC 7692 runs it. */
  static final class Client {
    private final boolean keepsContext;
    private Inflater inflater = new Inflater(true);

    Client(boolean keepsContext) {
      this.keepsContext = keepsContext;
    }

    byte[] decode(byte[] message) throws DataFormatException {
      if (!keepsContext) {
        inflater.end();
        inflater = new Inflater(true);
      }
      byte[] input = java.util.Arrays.copyOf(message, message.length + 4);
      input[message.length + 2] = (byte) 0xff;
      input[message.length + 3] = (byte) 0xff;
      inflater.setInput(input);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[1024];
      while (true) {
        int n = inflater.inflate(buffer);
        out.write(buffer, 0, n);
        if (n == 0 && (inflater.needsInput() || inflater.finished())) {
          break;
        }
      }
      assertThat(inflater.finished()).as("a message never ends the stream").isFalse();
      assertThat(inflater.getRemaining()).as("input left after the message").isZero();
      return out.toByteArray();
    }
  }
}
