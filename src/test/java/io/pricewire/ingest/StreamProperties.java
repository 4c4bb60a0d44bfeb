package io.pricewire.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Streamed bodies: lines come out the same however the bytes are cut, and feed rows never throw. */
class StreamProperties {

  @Property(tries = 2000)
  @Label("a body cut into any pieces yields the same lines as the whole body")
  void linesDoNotDependOnChunking(@ForAll("bodies") String body, @ForAll @IntRange(min = 1, max = 64) int piece) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<String> whole = read(List.of(bytes));
    List<byte[]> pieces = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += piece) {
      pieces.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
    }
    assertThat(read(pieces)).isEqualTo(whole);
  }

  private static List<String> read(List<byte[]> pieces) {
    List<String> lines = new ArrayList<>();
    LineReader reader = new LineReader(40, new LineReader.Sink() {
      @Override
      public boolean line(Buffer line, long number) {
        lines.add(number + ":" + line.toString(StandardCharsets.UTF_8));
        return true;
      }

      @Override
      public boolean tooLong(long number) {
        lines.add(number + ":TOO LONG");
        return true;
      }
    });
    for (byte[] p : pieces) {
      reader.push(Buffer.buffer(p));
    }
    reader.end();
    return lines;
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars("ab\n\r{}\"").ofMaxLength(200),
        Arbitraries.strings().withChars("x\n").ofMaxLength(300),
        Arbitraries.strings().ofMaxLength(120));
  }

  @Property(tries = 2000)
  @Label("any feed header is accepted or refused with a code; any row is read or refused, never an exception")
  void tsv(@ForAll("tsvLines") String header, @ForAll("tsvLines") String row) {
    try {
      TsvFeed.Header h = TsvFeed.header(header);
      TsvFeed.row(h, row);
    } catch (TsvFeed.HeaderException e) {
      assertThat(e.code).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> tsvLines() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(80),
        Arbitraries.of("id", "price", "title", "\"", "\"\"", "", "ID", "link", "id", "x y").list().ofMaxSize(8)
            .map(l -> String.join("\t", l)));
  }
}
