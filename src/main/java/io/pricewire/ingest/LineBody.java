package io.pricewire.ingest;

import io.pricewire.config.Settings;
import io.pricewire.http.Failure;
import io.pricewire.offer.FieldError;
import io.pricewire.offer.OfferParser;
import io.pricewire.offer.ParsedItem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * A streamed body of lines: NDJSON (one offer per line) or a Merchant Center feed file (a header
 * row of attribute names, then one offer per row). Lines are read as they arrive, in constant
 * memory; a line that cannot be read rejects that item alone.
 */
final class LineBody implements BodyReader {

  private final IngestSource source;
  private final Settings.Ingest limits;
  private final Set<String> unknownFields;
  private HttpServerRequest request;
  private Items items;
  private LineReader lines;
  private TsvFeed.Header header;
  private long bytes;
  private long count;
  private boolean ended;
  private boolean done;

  /** @param source NDJSON or TSV */
  LineBody(IngestSource source, Settings.Ingest limits, Set<String> unknownFields) {
    this.source = source;
    this.limits = limits;
    this.unknownFields = unknownFields;
  }

  @Override
  public void start(HttpServerRequest request, Items items) {
    this.request = request;
    this.items = items;
    long declared = BodyReader.declaredLength(request);
    if (declared > limits.maxStreamBytes()) {
      items.refuse(new Failure(413, "body_too_large", "the body has " + declared + " bytes; at most "
          + limits.maxStreamBytes() + " (PRICEWIRE_INGEST_MAX_STREAM_BYTES)", null));
      return;
    }
    lines = new LineReader(limits.maxLineBytes(), new LineReader.Sink() {
      @Override
      public boolean line(Buffer line, long number) {
        return onLine(line, number);
      }

      @Override
      public boolean tooLong(long number) {
        return onTooLong(number);
      }
    });
    request.handler(chunk -> {
      if (done) {
        return;
      }
      bytes += chunk.length();
      if (bytes > limits.maxStreamBytes()) {
        stop(new Failure(413, "body_too_large", "the body exceeds " + limits.maxStreamBytes()
            + " bytes (PRICEWIRE_INGEST_MAX_STREAM_BYTES); items up to here were processed", null));
        return;
      }
      if (!lines.push(chunk)) {
        request.pause();
      }
    });
    request.exceptionHandler(e -> done = true);
    request.endHandler(v -> {
      ended = true;
      if (!done && lines.end()) {
        endOfInput();
      }
    });
    request.resume();
  }

  @Override
  public void resume() {
    if (done) {
      return;
    }
    if (lines.resume()) {
      if (ended && lines.finished()) {
        endOfInput();
      } else {
        request.resume();
      }
    }
  }

  @Override
  public boolean inputEnded() {
    return ended;
  }

  private void stop(Failure failure) {
    done = true;
    request.pause();
    items.stop(failure);
  }

  private void refuse(Failure failure) {
    done = true;
    request.pause();
    items.refuse(failure);
  }

  private void endOfInput() {
    if (done) {
      return;
    }
    done = true;
    if (source == IngestSource.TSV && header == null) {
      items.refuse(new Failure(400, "missing_header",
          "the feed is empty: the first line must be a header row of attribute names", null));
      return;
    }
    items.end();
  }

  private boolean onLine(Buffer line, long number) {
    if (done) {
      return false;
    }
    if (isBlank(line)) {
      return true;
    }
    if (source == IngestSource.TSV && header == null) {
      return onHeader(line);
    }
    if (!counted()) {
      return false;
    }
    return items.item(source == IngestSource.TSV ? row(line) : ndjson(line, number), number, System.nanoTime());
  }

  private boolean onTooLong(long number) {
    if (done || !counted()) {
      return false;
    }
    return items.item(ParsedItem.rejected(null, new FieldError(null, "line_too_long", "the line is longer than "
        + limits.maxLineBytes() + " bytes (PRICEWIRE_INGEST_MAX_LINE_BYTES) and was skipped")), number, 0);
  }

  /** Counts one more item; false (after stopping) past the item limit. */
  private boolean counted() {
    if (++count > limits.maxStreamItems()) {
      stop(new Failure(413, "too_many_items", "more than " + limits.maxStreamItems() + " items in one request "
          + "(PRICEWIRE_INGEST_MAX_STREAM_ITEMS); items up to here were processed", null));
      return false;
    }
    return true;
  }

  private boolean onHeader(Buffer line) {
    try {
      header = TsvFeed.header(strictUtf8(stripBom(line)));
      for (String column : header.unknown()) {
        items.warning(new JsonObject().put("code", "unknown_column").put("field", column)
            .put("message", "column \"" + column + "\" is not an attribute the gateway reads; it was ignored"));
      }
      return true;
    } catch (TsvFeed.HeaderException e) {
      refuse(new Failure(400, e.code, e.getMessage(), null));
      return false;
    } catch (CharacterCodingException e) {
      refuse(new Failure(400, "invalid_encoding", "the header row is not valid UTF-8", null));
      return false;
    }
  }

  private ParsedItem ndjson(Buffer line, long number) {
    Object value;
    try {
      value = Json.decodeValue(number == 1 ? stripBom(line) : line);
    } catch (DecodeException e) {
      return ParsedItem.rejected(null, new FieldError(null, "malformed_json",
          "the line is not valid JSON: " + BodyReader.firstLine(e.getMessage())));
    }
    return OfferParser.fromJson(value, unknownFields);
  }

  private ParsedItem row(Buffer line) {
    String text;
    try {
      text = strictUtf8(line);
    } catch (CharacterCodingException e) {
      return ParsedItem.rejected(null, new FieldError(null, "invalid_encoding", "the row is not valid UTF-8"));
    }
    Map<String, String> row = TsvFeed.row(header, text);
    if (row == null) {
      return ParsedItem.rejected(null, new FieldError(null, "too_many_cells",
          "the row has more cells than the header has columns"));
    }
    return OfferParser.fromRow(row);
  }

  private static boolean isBlank(Buffer line) {
    for (int i = 0; i < line.length(); i++) {
      byte b = line.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private static Buffer stripBom(Buffer line) {
    if (line.length() >= 3 && line.getByte(0) == (byte) 0xEF && line.getByte(1) == (byte) 0xBB
        && line.getByte(2) == (byte) 0xBF) {
      return line.getBuffer(3, line.length());
    }
    return line;
  }

  private static String strictUtf8(Buffer line) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(line.getBytes()))
        .toString();
  }
}
