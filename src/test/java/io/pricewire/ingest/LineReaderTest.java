package io.pricewire.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private final List<String> seen = new ArrayList<>();
  private int pauseAfter = Integer.MAX_VALUE;

  private final LineReader reader = new LineReader(10, new LineReader.Sink() {
    @Override
    public boolean line(Buffer line, long number) {
      seen.add(number + ":" + line.toString());
      return seen.size() < pauseAfter;
    }

    @Override
    public boolean tooLong(long number) {
      seen.add(number + ":TOO LONG");
      return seen.size() < pauseAfter;
    }
  });

  @Test
  @DisplayName("lines split across pushes come out whole, numbered, without CR")
  void splitsAcrossPushes() {
    reader.push(Buffer.buffer("ab\r\ncd"));
    reader.push(Buffer.buffer("e\nf"));
    reader.end();
    assertThat(seen).containsExactly("1:ab", "2:cde", "3:f");
    assertThat(reader.finished()).isTrue();
  }

  @Test
  @DisplayName("a line over the limit is reported once and skipped, also when it spans pushes")
  void tooLong() {
    reader.push(Buffer.buffer("ok\n0123456789AB"));
    reader.push(Buffer.buffer("CDEFGHIJKLMNOP"));
    reader.push(Buffer.buffer("QR\nnext\n0123456789ABCDEF\nlast"));
    reader.end();
    assertThat(seen).containsExactly("1:ok", "2:TOO LONG", "3:next", "4:TOO LONG", "5:last");
  }

  @Test
  @DisplayName("the sink can pause mid-buffer and resume where it stopped")
  void pauseAndResume() {
    pauseAfter = 1;
    assertThat(reader.push(Buffer.buffer("a\nb\nc\n"))).isFalse();
    assertThat(seen).containsExactly("1:a");
    pauseAfter = 2;
    assertThat(reader.resume()).isFalse();
    assertThat(seen).containsExactly("1:a", "2:b");
    pauseAfter = 100;
    assertThat(reader.resume()).isTrue();
    reader.end();
    assertThat(seen).containsExactly("1:a", "2:b", "3:c");
    assertThat(reader.finished()).isTrue();
  }
}
