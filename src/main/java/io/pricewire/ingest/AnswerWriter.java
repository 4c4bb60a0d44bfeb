package io.pricewire.ingest;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes an ingest answer, {@code {"supplier": ..., "items": [...], ...}}, item by item. Items are
 * held until there are enough of them to be worth streaming; from then on the answer goes out as
 * it grows (status 200), so a million-line body never needs a million results in memory. Until
 * then the status can still be chosen at the end (413, 503, ...).
 */
final class AnswerWriter {

  private final HttpServerResponse response;
  private final int streamAfterItems;
  private final String head;
  private Buffer held = Buffer.buffer();
  private int heldItems;
  private boolean started;
  private boolean first = true;

  AnswerWriter(HttpServerResponse response, String supplier, IngestSource source, int streamAfterItems) {
    this.response = response;
    this.streamAfterItems = streamAfterItems;
    this.head = "{\"supplier\":" + io.vertx.core.json.Json.encode(supplier) + ",\"source\":\"" + source.wireName()
        + "\",\"items\":[";
  }

  void item(JsonObject result) {
    Buffer b = Buffer.buffer(128);
    if (!first) {
      b.appendByte((byte) ',');
    }
    first = false;
    b.appendString(result.encode());
    if (started) {
      response.write(b);
      return;
    }
    held.appendBuffer(b);
    if (++heldItems >= streamAfterItems) {
      started = true;
      response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json; charset=utf-8");
      response.write(Buffer.buffer(head).appendBuffer(held));
      held = null;
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
   * Ends the answer with its closing members, e.g. {@code "counts": {...}}.
   *
   * @param status used only when nothing was streamed yet
   */
  Future<Void> end(int status, JsonObject closing) {
    if (response.ended()) {
      return Future.succeededFuture();
    }
    String members = closing.encode();
    Buffer tail = Buffer.buffer("]" + (closing.isEmpty() ? "" : "," + members.substring(1, members.length() - 1))
        + "}");
    if (started) {
      return response.end(tail);
    }
    return response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Buffer.buffer(head).appendBuffer(held).appendBuffer(tail));
  }
}
