package io.pricewire.ingest;

import io.pricewire.http.Failure;
import io.pricewire.offer.ParsedItem;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Reads one request body into parsed items, in order, with back-pressure: the ingest run pauses
 * it while a chunk commits or while the client is slow to read the answer.
 */
interface BodyReader {

  /** Where a reader hands what it reads. */
  interface Items {

    /** One item and where it came from; returns false to pause the reader until {@link #resume}. */
    boolean item(ParsedItem item, long line, long receivedNanos);

    /** A member or column the gateway ignored, for the answer's {@code warnings}. */
    void warning(JsonObject warning);

    /** The whole request is refused before any item was read (a bad header, a body too large to take). */
    void refuse(Failure failure);

    /** Reading stopped part way (a limit): items read so far are answered, the rest is not read. */
    void stop(Failure failure);

    /** Every item was handed on. */
    void end();
  }

  /** Starts reading the request's body. */
  void start(HttpServerRequest request, Items items);

  /** Reads on after {@link Items#item} returned false. */
  void resume();

  /** True once the body has been read to its end. */
  boolean inputEnded();

  /** The {@code Content-Length} the client declared, or -1. */
  static long declaredLength(HttpServerRequest request) {
    String v = request.getHeader("Content-Length");
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The first line of a parser's message (Jackson's go on about its settings). */
  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
