package io.pricewire.feed;

import io.pricewire.ledger.Change;
import io.pricewire.offer.Field;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferParser;
import io.pricewire.offer.SupplierId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The feed's wire format, both ways: client frames name their operation in {@code op}, server
 * frames name their kind in {@code type}. JSON text frames throughout.
 */
public final class FeedProtocol {

  public static final int MAX_ID_LENGTH = 64;

  private FeedProtocol() {
  }

  /** Reads one client frame. */
  public static ClientOp parse(String text, int maxInterest) throws ProtocolError {
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ProtocolError("malformed_json", "the frame is not valid JSON: " + firstLine(e.getMessage()), null, null);
    }
    if (!(value instanceof JsonObject frame)) {
      throw new ProtocolError("not_an_object", "a frame must be a JSON object with an \"op\" member", null, null);
    }
    Object opValue = frame.getValue("op");
    if (!(opValue instanceof String op)) {
      throw new ProtocolError("missing_op", "the frame has no \"op\" string; use subscribe, unsubscribe or ping",
          null, null);
    }
    Object idValue = frame.getValue("id");
    String id = idValue instanceof String s ? s : null;
    switch (op) {
      case "subscribe":
        return new ClientOp.Subscribe(requireId(op, idValue), interest(frame, op, id, maxInterest),
            since(frame, op, id));
      case "unsubscribe":
        return new ClientOp.Unsubscribe(requireId(op, idValue));
      case "ping":
        return new ClientOp.Ping(id);
      default:
        throw new ProtocolError("unknown_op",
            "unknown op \"" + clip(op) + "\"; the feed knows subscribe, unsubscribe and ping", op, id);
    }
  }

  private static String requireId(String op, Object id) throws ProtocolError {
    if (!(id instanceof String s) || s.isEmpty() || s.length() > MAX_ID_LENGTH) {
      throw new ProtocolError("invalid_id", op + " needs an \"id\": a string of 1 to " + MAX_ID_LENGTH
          + " characters naming the subscription", op, null);
    }
    return s;
  }

  static Interest interest(JsonObject frame, String op, String id, int maxInterest) throws ProtocolError {
    Set<String> suppliers = new HashSet<>();
    Set<OfferKey> skus = new HashSet<>();
    Set<String> categories = new HashSet<>();
    for (Object s : array(frame, "suppliers", op, id)) {
      if (!(s instanceof String supplier) || !SupplierId.valid(supplier)) {
        throw new ProtocolError("invalid_interest", "suppliers holds " + describe(s) + "; a supplier id is "
            + SupplierId.RULE, op, id);
      }
      suppliers.add(supplier);
    }
    for (Object s : array(frame, "skus", op, id)) {
      skus.add(offerKey(s, op, id));
    }
    for (Object c : array(frame, "categories", op, id)) {
      if (!(c instanceof String category) || category.isBlank() || category.length() > OfferParser.MAX_CATEGORY) {
        throw new ProtocolError("invalid_interest", "categories holds " + describe(c)
            + "; a category is a non-empty string", op, id);
      }
      categories.add(category.strip());
    }
    Interest interest = new Interest(skus, suppliers, categories);
    if (interest.isEmpty()) {
      throw new ProtocolError("empty_interest",
          "name at least one of suppliers, skus or categories to subscribe to", op, id);
    }
    if (interest.size() > maxInterest) {
      throw new ProtocolError("interest_too_large", "an interest holds at most " + maxInterest
          + " entries (suppliers + skus + categories), got " + interest.size(), op, id);
    }
    return interest;
  }

  /** Reads {"supplier": "a", "sku": "b"} or the short form "a:b" (supplier ids hold no ':'). */
  static OfferKey offerKey(Object s, String op, String id) throws ProtocolError {
    String supplier;
    String sku;
    if (s instanceof JsonObject o && o.getValue("supplier") instanceof String sup && o.getValue("sku") instanceof String k) {
      supplier = sup;
      sku = k;
    } else if (s instanceof String text && text.indexOf(':') > 0) {
      supplier = text.substring(0, text.indexOf(':'));
      sku = text.substring(text.indexOf(':') + 1);
    } else {
      throw new ProtocolError("invalid_interest", "skus holds " + describe(s)
          + "; name an offer as {\"supplier\": \"...\", \"sku\": \"...\"} or \"supplier:sku\"", op, id);
    }
    if (!SupplierId.valid(supplier)) {
      throw new ProtocolError("invalid_interest", "skus names supplier \"" + clip(supplier) + "\"; a supplier id is "
          + SupplierId.RULE, op, id);
    }
    String trimmed = sku.strip();
    if (trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > OfferParser.MAX_SKU) {
      throw new ProtocolError("invalid_interest", "skus names sku \"" + clip(sku) + "\"; a sku has 1 to "
          + OfferParser.MAX_SKU + " characters", op, id);
    }
    return new OfferKey(supplier, trimmed);
  }

  private static JsonArray array(JsonObject frame, String name, String op, String id) throws ProtocolError {
    Object v = frame.getValue(name);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray a)) {
      throw new ProtocolError("invalid_interest", name + " must be an array", op, id);
    }
    return a;
  }

  private static ClientOp.Since since(JsonObject frame, String op, String id) throws ProtocolError {
    Object v = frame.getValue("since");
    if (v == null) {
      return null;
    }
    if (v instanceof JsonObject o && o.getValue("epoch") instanceof String epoch
        && (o.getValue("seq") instanceof Integer || o.getValue("seq") instanceof Long)
        && o.getLong("seq") >= 0 && !epoch.isEmpty() && epoch.length() <= 64) {
      return new ClientOp.Since(epoch, o.getLong("seq"));
    }
    throw new ProtocolError("invalid_since", "since must be {\"epoch\": \"<epoch string>\", \"seq\": <number >= 0>}",
        op, id);
  }

  // ---- server frames ----

  public static String error(String code, String message, String op, String id) {
    JsonObject f = new JsonObject().put("type", "error").put("code", code).put("message", message);
    if (op != null) {
      f.put("op", op);
    }
    if (id != null) {
      f.put("id", id);
    }
    return f.encode();
  }

  public static String pong(String id) {
    JsonObject f = new JsonObject().put("type", "pong");
    if (id != null) {
      f.put("id", id);
    }
    return f.encode();
  }

  public static String unsubscribed(String id) {
    return new JsonObject().put("type", "unsubscribed").put("id", id).encode();
  }

  /**
   * One frame of a snapshot. Large snapshots span several frames; all but the last carry
   * {@code "more": true}.
   *
   * @param resumed true when the offers are only those changed after the client's {@code since}
   * @param reset true when the client's {@code since} named another log, so this is a full state
   */
  public static String snapshot(String id, String epoch, long seq, List<Offer> offers, boolean resumed,
      boolean reset, boolean more) {
    JsonArray list = new JsonArray();
    for (Offer o : offers) {
      list.add(o.toJson());
    }
    return new JsonObject()
        .put("type", "snapshot")
        .put("id", id)
        .put("epoch", epoch)
        .put("seq", seq)
        .put("resumed", resumed)
        .put("reset", reset)
        .put("more", more)
        .put("offers", list)
        .encode();
  }

  /**
   * The part of an update frame shared by every subscriber: everything after the subscription
   * id. Encoded once per change and node, then prefixed per subscription.
   */
  public static String updateTail(String epoch, Change change) {
    JsonArray changed = new JsonArray();
    for (Field f : change.changed()) {
      changed.add(f.wireName());
    }
    String body = new JsonObject()
        .put("epoch", epoch)
        .put("seq", change.seq())
        .put("offer", change.offer().toJson())
        .put("changed", changed)
        .encode();
    return body.substring(1);
  }

  /** The start of an update frame for one subscription, up to and including the comma. */
  public static String updateHead(String subscriptionId) {
    return "{\"type\":\"update\",\"id\":" + Json.encode(subscriptionId) + ",";
  }

  private static String describe(Object v) {
    if (v instanceof String s) {
      return "\"" + clip(s) + "\"";
    }
    return v == null ? "null" : v instanceof JsonObject ? "an object" : String.valueOf(v);
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
