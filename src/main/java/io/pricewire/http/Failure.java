package io.pricewire.http;

import io.pricewire.ledger.LedgerFailure;
import io.pricewire.store.StoreUnavailableException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a failed step is answered over HTTP: the one mapping from a failure to a status, a code, a
 * message and a {@code Retry-After}, used by every API. Expected failures (the store unavailable,
 * the ledger overloaded or not answering) are told as they are; anything else is a defect: it is
 * logged with its stack trace under a fresh id, and the client gets "internal error" with that id,
 * never the exception's text.
 *
 * @param retryAfter seconds for a {@code Retry-After} header, or null for none
 */
public record Failure(int status, String code, String message, String retryAfter) {

  private static final Logger log = LoggerFactory.getLogger(Failure.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The answer to a failure of {@code what} (a few words, such as "the commit" or "the key
   * check"), logging it when it is a defect.
   */
  public static Failure of(Throwable cause, String what) {
    StoreUnavailableException down = find(cause, StoreUnavailableException.class);
    if (down != null) {
      return unavailable(what + " failed: " + down.getMessage());
    }
    if (cause instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return unavailable(what + " got no answer from the change log in time; what it carried may or may not have "
            + "been committed (retrying is safe: the same content again is unchanged)");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return unavailable(what + " failed: the change log is not running (the gateway may be stopping)");
      }
      if (reply.failureCode() == LedgerFailure.UNAVAILABLE) {
        return unavailable(what + " failed: " + reply.getMessage());
      }
      if (reply.failureCode() == LedgerFailure.OVERLOADED) {
        return new Failure(429, "ledger_overloaded", reply.getMessage(), "1");
      }
    }
    return internal(cause, what);
  }

  /** A defect: logged under a fresh id, answered without its details. */
  public static Failure internal(Throwable cause, String what) {
    String id = newId();
    log.error("Internal error {} in {}", id, what, cause);
    return new Failure(500, "internal_error", "internal error (id " + id + "; the gateway's log has the details)",
        null);
  }

  private static Failure unavailable(String message) {
    return new Failure(503, "store_unavailable", message + "; retry after the Retry-After seconds", "2");
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The {@code error} member of an answer. */
  public JsonObject toJson() {
    return ErrorBody.of(status, code, message);
  }

  /** Ends the response with this failure (and its Retry-After); ignored if the response already ended. */
  public void send(HttpServerResponse response) {
    if (retryAfter != null && !response.headWritten()) {
      response.putHeader("Retry-After", retryAfter);
    }
    ErrorBody.send(response, status, code, message);
  }

  /** Like {@link #send}, before the body was read to its end (see {@link ErrorBody#refuseUnread}). */
  public void refuseUnread(HttpServerRequest request) {
    if (retryAfter != null && !request.response().headWritten()) {
      request.response().putHeader("Retry-After", retryAfter);
    }
    ErrorBody.refuseUnread(request, status, code, message);
  }
}
