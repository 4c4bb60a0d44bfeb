package io.pricewire.ingest;

import io.pricewire.config.Settings;
import io.pricewire.http.Failure;
import io.pricewire.offer.OfferParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import java.util.Set;

/** A JSON array of offers: read whole (within the body and item limits), then handed on at once. */
final class JsonArrayBody implements BodyReader {

  private final Settings.Ingest limits;
  private final Set<String> unknownFields;
  private boolean ended;
  private boolean refused;

  /** @param unknownFields collects the members no offer field matched */
  JsonArrayBody(Settings.Ingest limits, Set<String> unknownFields) {
    this.limits = limits;
    this.unknownFields = unknownFields;
  }

  @Override
  public void start(HttpServerRequest request, Items items) {
    long declared = BodyReader.declaredLength(request);
    if (declared > limits.maxBodyBytes()) {
      items.refuse(new Failure(413, "body_too_large", "the body has " + declared + " bytes; JSON arrays are limited to "
          + limits.maxBodyBytes() + " (PRICEWIRE_INGEST_MAX_BODY_BYTES); send larger batches as NDJSON", null));
      return;
    }
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (refused) {
        return;
      }
      if (body.length() + chunk.length() > limits.maxBodyBytes()) {
        refused = true;
        items.refuse(new Failure(413, "body_too_large", "the body exceeds " + limits.maxBodyBytes()
            + " bytes (PRICEWIRE_INGEST_MAX_BODY_BYTES); send larger batches as NDJSON", null));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> refused = true);
    request.endHandler(v -> {
      ended = true;
      if (!refused) {
        parse(body, items);
      }
    });
    request.resume();
  }

  private void parse(Buffer body, Items items) {
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      items.refuse(new Failure(400, "malformed_json", "the body is not valid JSON: "
          + BodyReader.firstLine(e.getMessage()), null));
      return;
    }
    if (!(value instanceof JsonArray array)) {
      items.refuse(new Failure(400, "expected_array",
          "the body must be a JSON array of offers; wrap a single offer in [ ]", null));
      return;
    }
    if (array.size() > limits.maxItems()) {
      items.refuse(new Failure(413, "too_many_items", "the array has " + array.size() + " items; at most "
          + limits.maxItems() + " per request (PRICEWIRE_INGEST_MAX_ITEMS); send larger batches as NDJSON", null));
      return;
    }
    long received = System.nanoTime();
    for (Object item : array) {
      items.item(OfferParser.fromJson(item, unknownFields), 0, received);
    }
    items.end();
  }

  /** The array is handed on whole: there is nothing to resume. */
  @Override
  public void resume() {
  }

  @Override
  public boolean inputEnded() {
    return ended;
  }
}
