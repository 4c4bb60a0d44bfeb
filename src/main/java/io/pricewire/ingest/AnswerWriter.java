package io.pricewire.ingest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pricewire.changelog.ItemOutcome;
import io.pricewire.changelog.ItemStatus;
import io.pricewire.offer.FieldError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes an ingest answer, {@code {"supplier": ..., "source": ..., "items": [...], "counts": ...,
 * "warnings": [...]}}, item by item with Jackson's streaming generator. Items are held until there
 * are enough of them to be worth streaming; from then on the answer goes out as it grows (status
 * 200), so a million-line body never needs a million results in memory. Until then the status
 * can still be chosen at the end (413, 503, ...).
 */
final class AnswerWriter {

  private static final JsonFactory JSON = new JsonFactory();

  private final HttpServerResponse response;
  private final int streamAfterItems;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
  private final JsonGenerator json;
  private int heldItems;
  private boolean started;

  AnswerWriter(HttpServerResponse response, String supplier, IngestSource source, int streamAfterItems) {
    this.response = response;
    this.streamAfterItems = streamAfterItems;
    try {
      this.json = JSON.createGenerator(bytes, JsonEncoding.UTF8);
      json.writeStartObject();
      json.writeStringField("supplier", supplier);
      json.writeStringField("source", source.wireName());
      json.writeArrayFieldStart("items");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One item's result: its place, and its outcome or (with {@code errors}) why it was rejected. */
  void item(long index, long line, String sku, ItemOutcome outcome, List<FieldError> errors) {
    try {
      json.writeStartObject();
      json.writeNumberField("index", index);
      if (line > 0) {
        json.writeNumberField("line", line);
      }
      json.writeStringField("sku", sku);
      if (errors != null) {
        json.writeStringField("status", ItemStatus.REJECTED.wireName());
        json.writeNullField("version");
        writeErrors(errors);
      } else {
        json.writeStringField("status", outcome.status().wireName());
        if (outcome.version() == null) {
          json.writeNullField("version");
        } else {
          json.writeNumberField("version", outcome.version());
        }
        if (outcome.seq() != null) {
          json.writeNumberField("seq", outcome.seq());
        }
        if (!outcome.errors().isEmpty()) {
          writeErrors(outcome.errors());
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (started) {
      send();
    } else if (++heldItems >= streamAfterItems) {
      started = true;
      response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json; charset=utf-8");
      send();
    }
  }

  private void writeErrors(List<FieldError> errors) throws IOException {
    json.writeArrayFieldStart("errors");
    for (FieldError e : errors) {
      json.writeStartObject();
      if (e.field() == null) {
        json.writeNullField("field");
      } else {
        json.writeStringField("field", e.field());
      }
      json.writeStringField("code", e.code());
      json.writeStringField("message", e.message());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  /** Writes what the generator produced so far to the response. */
  private void send() {
    try {
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (bytes.size() > 0) {
      response.write(Buffer.buffer(bytes.toByteArray()));
      bytes.reset();
    }
  }

  boolean started() {
    return started;
  }

  /** True when the client reads the answer slower than it is produced. */
  boolean full() {
    return started && response.writeQueueFull();
  }

  /**
   * Ends the answer with its closing members.
   *
   * @param status used only when nothing was streamed yet
   * @param error the {@code error} member when processing stopped part way, or null
   */
  Future<Void> end(int status, Map<ItemStatus, Integer> counts, List<JsonObject> warnings, JsonObject error) {
    if (response.ended()) {
      return Future.succeededFuture();
    }
    try {
      json.writeEndArray();
      json.writeObjectFieldStart("counts");
      for (Map.Entry<ItemStatus, Integer> c : counts.entrySet()) {
        json.writeNumberField(c.getKey().wireName(), c.getValue());
      }
      json.writeEndObject();
      json.writeFieldName("warnings");
      json.writeRawValue(new io.vertx.core.json.JsonArray(List.copyOf(warnings)).encode());
      if (error != null) {
        json.writeFieldName("error");
        json.writeRawValue(error.encode());
      }
      json.writeEndObject();
      json.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Buffer rest = Buffer.buffer(bytes.toByteArray());
    bytes.reset();
    if (started) {
      return response.end(rest);
    }
    return response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(rest);
  }
}
