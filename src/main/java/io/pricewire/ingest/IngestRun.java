package io.pricewire.ingest;

import io.pricewire.Addresses;
import io.pricewire.config.Settings;
import io.pricewire.ledger.CommitReply;
import io.pricewire.ledger.CommitRequest;
import io.pricewire.ledger.ItemOutcome;
import io.pricewire.ledger.ItemStatus;
import io.pricewire.ledger.LedgerFailure;
import io.pricewire.ledger.LedgerWrite;
import io.pricewire.offer.FieldError;
import io.pricewire.offer.OfferParser;
import io.pricewire.offer.ParsedItem;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One ingest request, from body to answer. Items are read, validated, and committed through the
 * ledger in chunks, one chunk in flight at a time; reading pauses while a chunk commits or while
 * the client is slow to read the answer. Every item read gets a result in the answer, in order.
 * If processing must stop (a limit, the store unavailable), the answer lists what was done and
 * ends with an {@code error} member; items not listed were not processed.
 */
final class IngestRun {

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final String supplier;
  private final IngestSource source;
  private final Settings.Ingest limits;
  private final long ledgerTimeoutMs;
  private final IngestMetrics metrics;
  private final IngestLimiter limiter;
  private final long startedNanos = System.nanoTime();
  private final AnswerWriter answer;
  private final Set<String> unknownFields = new TreeSet<>();
  private final List<JsonObject> warnings = new ArrayList<>();
  private final Map<ItemStatus, Integer> counts = new EnumMap<>(ItemStatus.class);

  private List<Slot> slots = new ArrayList<>();
  private List<LedgerWrite> writes = new ArrayList<>();
  private boolean committing;
  /** Items already sent to the ledger: the index of the next item starts after them. */
  private long answered;
  private long items;
  private long bytes;
  private LineReader reader;
  private TsvFeed.Header header;
  private boolean inputEnded;
  private boolean finished;
  private JsonObject stopError;
  private String retryAfter;

  /** One read item: its place, and either its errors or the position of its write in the chunk. */
  private record Slot(long index, long line, String sku, List<FieldError> errors, int write) {
  }

  IngestRun(Vertx vertx, HttpServerRequest request, String supplier, IngestSource source, Settings.Ingest limits,
      long ledgerTimeoutMs, IngestMetrics metrics, IngestLimiter limiter) {
    this.vertx = vertx;
    this.request = request;
    this.response = request.response();
    this.supplier = supplier;
    this.source = source;
    this.limits = limits;
    this.ledgerTimeoutMs = ledgerTimeoutMs;
    this.metrics = metrics;
    this.limiter = limiter;
    this.answer = new AnswerWriter(response, supplier, source,
        source == IngestSource.JSON ? Integer.MAX_VALUE : limits.chunkItems());
    for (ItemStatus s : ItemStatus.values()) {
      counts.put(s, 0);
    }
  }

  // ---- JSON arrays: read whole, then one commit ----

  void readJsonArray() {
    if (declaredLength() > limits.maxBodyBytes()) {
      refuseBody(413, "body_too_large", "the body has " + declaredLength() + " bytes; JSON arrays are limited to "
          + limits.maxBodyBytes() + " (PRICEWIRE_INGEST_MAX_BODY_BYTES); send larger batches as NDJSON");
      return;
    }
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (finished) {
        return;
      }
      bytes += chunk.length();
      if (bytes > limits.maxBodyBytes()) {
        refuseBody(413, "body_too_large", "the body exceeds " + limits.maxBodyBytes()
            + " bytes (PRICEWIRE_INGEST_MAX_BODY_BYTES); send larger batches as NDJSON");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> finished = true);
    request.endHandler(v -> {
      inputEnded = true;
      if (!finished) {
        parseJsonArray(body);
      }
    });
    request.resume();
  }

  private void parseJsonArray(Buffer body) {
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      refuse(400, "malformed_json", "the body is not valid JSON: " + firstLine(e.getMessage()));
      return;
    }
    if (!(value instanceof JsonArray array)) {
      refuse(400, "expected_array", "the body must be a JSON array of offers; wrap a single offer in [ ]");
      return;
    }
    if (array.size() > limits.maxItems()) {
      refuse(413, "too_many_items", "the array has " + array.size() + " items; at most " + limits.maxItems()
          + " per request (PRICEWIRE_INGEST_MAX_ITEMS); send larger batches as NDJSON");
      return;
    }
    long received = System.nanoTime();
    for (Object item : array) {
      add(OfferParser.fromJson(item, unknownFields), 0, received);
    }
    long wait = limiter.tryTake(supplier, writes.size());
    if (wait > 0) {
      response.putHeader("Retry-After", String.valueOf(IngestLimiter.retryAfterSeconds(wait)));
      refuse(429, "rate_limited", "supplier " + supplier + " is over its ingest rate ("
          + "PRICEWIRE_INGEST_RATE_PER_SUPPLIER = " + limiter.ratePerSecond() + " items/s, bursts up to "
          + "PRICEWIRE_INGEST_BURST_PER_SUPPLIER = " + limiter.burst() + "); this request has " + writes.size()
          + " items: retry after " + IngestLimiter.retryAfterSeconds(wait) + " s"
          + (writes.size() > limiter.burst() ? ", in smaller requests" : ""));
      return;
    }
    submit();
  }

  // ---- NDJSON and feed files: streamed ----

  void readStream() {
    if (declaredLength() > limits.maxStreamBytes()) {
      refuseBody(413, "body_too_large", "the body has " + declaredLength() + " bytes; at most "
          + limits.maxStreamBytes() + " (PRICEWIRE_INGEST_MAX_STREAM_BYTES)");
      return;
    }
    reader = new LineReader(limits.maxLineBytes(), new LineReader.Sink() {
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
      if (stopError != null || finished) {
        return;
      }
      bytes += chunk.length();
      if (bytes > limits.maxStreamBytes()) {
        stop(413, "body_too_large", "the body exceeds " + limits.maxStreamBytes()
            + " bytes (PRICEWIRE_INGEST_MAX_STREAM_BYTES); items up to here were processed");
        return;
      }
      if (!reader.push(chunk)) {
        request.pause();
      }
    });
    request.exceptionHandler(e -> finished = true);
    request.endHandler(v -> {
      inputEnded = true;
      if (stopError == null && !finished && reader.end()) {
        endOfInput();
      }
    });
    request.resume();
  }

  private boolean onLine(Buffer line, long number) {
    if (stopError != null) {
      return false;
    }
    if (isBlank(line)) {
      return true;
    }
    if (source == IngestSource.TSV && header == null) {
      return onHeader(line);
    }
    if (++items > limits.maxStreamItems()) {
      stop(413, "too_many_items", "more than " + limits.maxStreamItems() + " items in one request "
          + "(PRICEWIRE_INGEST_MAX_STREAM_ITEMS); items up to here were processed");
      return false;
    }
    add(source == IngestSource.TSV ? tsvItem(line) : ndjsonItem(line, number), number, System.nanoTime());
    return slots.size() < limits.chunkItems() || submit();
  }

  private boolean onTooLong(long number) {
    if (stopError != null) {
      return false;
    }
    if (++items > limits.maxStreamItems()) {
      stop(413, "too_many_items", "more than " + limits.maxStreamItems() + " items in one request "
          + "(PRICEWIRE_INGEST_MAX_STREAM_ITEMS); items up to here were processed");
      return false;
    }
    add(ParsedItem.rejected(null, new FieldError(null, "line_too_long", "the line is longer than "
        + limits.maxLineBytes() + " bytes (PRICEWIRE_INGEST_MAX_LINE_BYTES) and was skipped")), number, 0);
    return slots.size() < limits.chunkItems() || submit();
  }

  private boolean onHeader(Buffer line) {
    try {
      header = TsvFeed.header(strictUtf8(stripBom(line)));
      for (String column : header.unknown()) {
        warnings.add(new JsonObject().put("code", "unknown_column").put("field", column)
            .put("message", "column \"" + column + "\" is not an attribute the gateway reads; it was ignored"));
      }
      return true;
    } catch (TsvFeed.HeaderException e) {
      refuseBody(400, e.code, e.getMessage());
      return false;
    } catch (CharacterCodingException e) {
      refuseBody(400, "invalid_encoding", "the header row is not valid UTF-8");
      return false;
    }
  }

  private ParsedItem ndjsonItem(Buffer line, long number) {
    Object value;
    try {
      value = Json.decodeValue(number == 1 ? stripBom(line) : line);
    } catch (DecodeException e) {
      return ParsedItem.rejected(null, new FieldError(null, "malformed_json",
          "the line is not valid JSON: " + firstLine(e.getMessage())));
    }
    return OfferParser.fromJson(value, unknownFields);
  }

  private ParsedItem tsvItem(Buffer line) {
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

  private void endOfInput() {
    if (source == IngestSource.TSV && header == null && stopError == null) {
      refuseBody(400, "missing_header", "the feed is empty: the first line must be a header row of attribute names");
      return;
    }
    if (!slots.isEmpty()) {
      submit();
    } else if (!committing) {
      finish();
    }
  }

  // ---- chunks through the ledger ----

  private void add(ParsedItem parsed, long line, long receivedNanos) {
    long index = answered + slots.size();
    if (parsed.accepted()) {
      writes.add(new LedgerWrite(supplier, parsed.write(), receivedNanos));
      slots.add(new Slot(index, line, parsed.sku(), null, writes.size() - 1));
    } else {
      slots.add(new Slot(index, line, parsed.sku(), parsed.errors(), -1));
    }
  }

  /** Sends the current chunk; returns false, which tells the reader to pause until it is answered. */
  private boolean submit() {
    List<Slot> chunkSlots = slots;
    List<LedgerWrite> chunkWrites = writes;
    slots = new ArrayList<>();
    writes = new ArrayList<>();
    answered += chunkSlots.size();
    committing = true;
    if (chunkWrites.isEmpty()) {
      vertx.runOnContext(v -> committed(chunkSlots, List.of()));
      return false;
    }
    long wait = source == IngestSource.JSON ? 0 : limiter.reserve(supplier, chunkWrites.size());
    if (wait > 0) {
      // Over the supplier's rate: the stream is slowed down, not cut.
      vertx.setTimer(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(wait)),
          t -> commit(chunkSlots, chunkWrites));
    } else {
      commit(chunkSlots, chunkWrites);
    }
    return false;
  }

  private void commit(List<Slot> chunkSlots, List<LedgerWrite> chunkWrites) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(ledgerTimeoutMs);
    vertx.eventBus().<CommitReply>request(Addresses.LEDGER_COMMIT, new CommitRequest(chunkWrites), options)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            committed(chunkSlots, ar.result().body().outcomes());
          } else {
            failed(ar.cause());
          }
        });
  }

  private void committed(List<Slot> chunkSlots, List<ItemOutcome> outcomes) {
    committing = false;
    for (Slot slot : chunkSlots) {
      JsonObject r = new JsonObject().put("index", slot.index);
      if (slot.line > 0) {
        r.put("line", slot.line);
      }
      r.put("sku", slot.sku);
      if (slot.errors != null) {
        r.put("status", ItemStatus.REJECTED.wireName()).putNull("version");
        r.put("errors", errors(slot.errors));
        count(ItemStatus.REJECTED);
        for (FieldError e : slot.errors) {
          metrics.rejection(e.code());
        }
      } else {
        ItemOutcome o = outcomes.get(slot.write);
        r.put("status", o.status().wireName()).put("version", o.version());
        if (o.seq() != null) {
          r.put("seq", o.seq());
        }
        if (!o.errors().isEmpty()) {
          r.put("errors", errors(o.errors()));
          for (FieldError e : o.errors()) {
            metrics.rejection(e.code());
          }
        }
        count(o.status());
      }
      answer.item(r);
    }
    if (stopError != null || source == IngestSource.JSON) {
      finish();
    } else if (answer.full()) {
      response.drainHandler(v -> continueReading());
    } else {
      continueReading();
    }
  }

  private void failed(Throwable cause) {
    committing = false;
    int code = cause instanceof ReplyException re ? re.failureCode() : LedgerFailure.INTERNAL;
    if (code == LedgerFailure.UNAVAILABLE || code == -1) {
      retryAfter = "2";
      stop(503, "store_unavailable", "the change log is unavailable (" + cause.getMessage()
          + "); nothing from this point was committed, retry shortly");
    } else if (code == LedgerFailure.OVERLOADED) {
      retryAfter = "1";
      stop(429, "ledger_overloaded", cause.getMessage());
    } else {
      stop(500, "commit_failed", cause.getMessage());
    }
  }

  private void continueReading() {
    if (finished || stopError != null) {
      return;
    }
    if (reader.resume()) {
      if (inputEnded && reader.finished()) {
        endOfInput();
      } else {
        request.resume();
      }
    }
  }

  // ---- the end ----

  private void stop(int status, String code, String message) {
    if (stopError != null) {
      return;
    }
    stopError = new JsonObject().put("status", status).put("code", code).put("message", message);
    request.pause();
    if (!committing) {
      finish();
    }
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    for (String field : unknownFields) {
      warnings.add(new JsonObject().put("code", "unknown_field").put("field", field)
          .put("message", "\"" + field + "\" is not an offer field; it was ignored"));
    }
    JsonObject countsJson = new JsonObject();
    counts.forEach((status, n) -> countsJson.put(status.wireName(), n));
    JsonObject closing = new JsonObject().put("counts", countsJson).put("warnings", new JsonArray(warnings));
    int status = 200;
    if (stopError != null) {
      closing.put("error", stopError);
      status = stopError.getInteger("status");
      if (!answer.started()) {
        if (retryAfter != null) {
          response.putHeader("Retry-After", retryAfter);
        }
        if (!inputEnded) {
          response.putHeader("Connection", "close");
        }
      }
    }
    boolean unread = !inputEnded;
    answer.end(status, closing).onComplete(v -> {
      if (unread) {
        // The rest of the body will not be read: the connection cannot carry another request.
        request.connection().close();
      }
    });
    metrics.request(source, System.nanoTime() - startedNanos);
  }

  /** Refuses the whole request before any item was processed. */
  private void refuse(int status, String code, String message) {
    finished = true;
    io.pricewire.api.ErrorBody.send(response, status, code, message);
  }

  /** Refuses while the body may still be arriving: answer, then close rather than read the rest. */
  private void refuseBody(int status, String code, String message) {
    finished = true;
    request.pause();
    io.pricewire.api.ErrorBody.refuseUnread(request, status, code, message);
  }

  private void count(ItemStatus status) {
    counts.merge(status, 1, Integer::sum);
    metrics.item(source, status);
  }

  private long declaredLength() {
    String v = request.getHeader("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static JsonArray errors(List<FieldError> errors) {
    JsonArray a = new JsonArray();
    for (FieldError e : errors) {
      a.add(e.toJson());
    }
    return a;
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

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
