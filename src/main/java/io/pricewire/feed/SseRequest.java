package io.pricewire.feed;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an SSE subscription from the query string:
 * {@code ?suppliers=a,b&skus=a:x,b:y&categories=Fruit&max_rate=2&market=cn-cbec&since=epoch:seq}. Parameters may
 * repeat; supplier and sku values may also be comma-separated lists, category values never are
 * (a category may hold a comma). A {@code Last-Event-ID} header, sent by a reconnecting
 * EventSource, wins over {@code since}.
 */
final class SseRequest {

  static final String SUBSCRIPTION_ID = "sse";

  private SseRequest() {
  }

  static ClientOp.Subscribe parse(MultiMap params, String lastEventId, int maxInterest) throws ProtocolError {
    List<Object> suppliers = split(params.getAll("suppliers"));
    List<Object> skus = split(params.getAll("skus"));
    List<Object> categories = new ArrayList<>(params.getAll("categories"));
    var interest = FeedProtocol.interest(suppliers, skus, categories, "subscribe", SUBSCRIPTION_ID, maxInterest);
    String sinceText = lastEventId != null && !lastEventId.isBlank() ? lastEventId : params.get("since");
    ClientOp.Since since = sinceText == null || sinceText.isBlank() ? null : since(sinceText.strip());
    return new ClientOp.Subscribe(SUBSCRIPTION_ID, interest, since,
        FeedProtocol.maxRate(params.get("max_rate"), "subscribe", SUBSCRIPTION_ID),
        FeedProtocol.market(params.get("market"), "subscribe", SUBSCRIPTION_ID));
  }

  /** Reads {@code epoch:seq}, the event id the feed gives every resume point. */
  static ClientOp.Since since(String text) throws ProtocolError {
    int colon = text.lastIndexOf(':');
    if (colon > 0 && colon < text.length() - 1 && colon <= 64) {
      try {
        long seq = Long.parseLong(text.substring(colon + 1));
        if (seq >= 0) {
          return new ClientOp.Since(text.substring(0, colon), seq);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new ProtocolError("invalid_since", "since (or Last-Event-ID) must be epoch:seq as sent in event ids, got \""
        + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "\"", "subscribe", SUBSCRIPTION_ID);
  }

  private static List<Object> split(List<String> values) {
    List<Object> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }
}
