package io.pricewire.feed;

import io.pricewire.changelog.Change;
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
import java.nio.charset.StandardCharsets;
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
            since(frame, op, id), maxRate(frame.getValue("max_rate"), op, id), market(frame.getValue("market"), op, id));
      case "add":
        return new ClientOp.Add(requireId(op, idValue), interest(frame, op, id, maxInterest));
      case "remove":
        return new ClientOp.Remove(requireId(op, idValue), interest(frame, op, id, maxInterest));
      case "unsubscribe":
        return new ClientOp.Unsubscribe(requireId(op, idValue));
      case "ping":
        return new ClientOp.Ping(id);
      default:
        throw new ProtocolError("unknown_op", "unknown op \"" + clip(op)
            + "\"; the feed knows subscribe, add, remove, unsubscribe and ping", op, id);
    }
  }

  public static final double MAX_RATE_LIMIT = 1000;

  /** Reads max_rate: a number of updates per second per offer, above 0 and at most 1000. */
  static double maxRate(Object value, String op, String id) throws ProtocolError {
    if (value == null) {
      return 0;
    }
    double rate;
    if (value instanceof Number n) {
      rate = n.doubleValue();
    } else if (value instanceof String s) {
      try {
        rate = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        rate = Double.NaN;
      }
    } else {
      rate = Double.NaN;
    }
    if (!(rate > 0 && rate <= MAX_RATE_LIMIT)) {
      throw new ProtocolError("invalid_max_rate", "max_rate is updates per second per offer: a number above 0 and "
          + "at most " + (int) MAX_RATE_LIMIT, op, id);
    }
    return rate;
  }

  public static final int MAX_MARKET_ID = 32;

  /** Reads {@code market}: absent, or a market id (which markets exist is the connection's to check). */
  static String market(Object value, String op, String id) throws ProtocolError {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_MARKET_ID) {
      throw new ProtocolError("invalid_market", "market is the id of a market, such as \"ca\" or \"cn-cbec\": a "
          + "string of 1 to " + MAX_MARKET_ID + " characters", op, id);
    }
    return s.strip();
  }

  private static String requireId(String op, Object id) throws ProtocolError {
    if (!(id instanceof String s) || s.isEmpty() || s.length() > MAX_ID_LENGTH) {
      throw new ProtocolError("invalid_id", op + " needs an \"id\": a string of 1 to " + MAX_ID_LENGTH
          + " characters naming the subscription", op, null);
    }
    return s;
  }

  static Interest interest(JsonObject frame, String op, String id, int maxInterest) throws ProtocolError {
    return interest(array(frame, "suppliers", op, id), array(frame, "skus", op, id),
        array(frame, "categories", op, id), op, id, maxInterest);
  }

  static Interest interest(Iterable<?> supplierValues, Iterable<?> skuValues, Iterable<?> categoryValues, String op,
      String id, int maxInterest) throws ProtocolError {
    Set<String> suppliers = new HashSet<>();
    Set<OfferKey> skus = new HashSet<>();
    Set<String> categories = new HashSet<>();
    for (Object s : supplierValues) {
      if (!(s instanceof String supplier) || !SupplierId.valid(supplier)) {
        throw new ProtocolError("invalid_interest", "suppliers holds " + describe(s) + "; a supplier id is "
            + SupplierId.RULE, op, id);
      }
      suppliers.add(supplier);
    }
    for (Object s : skuValues) {
      skus.add(offerKey(s, op, id));
    }
    for (Object c : categoryValues) {
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

  /**
   * The heartbeat a client asked for ({@code heartbeat=1}): browsers do not show WebSocket pings
   * or SSE comments to pages, so a client that must notice a dead connection needs a frame it can
   * see, and the interval to expect it at.
   */
  public static String heartbeat(long intervalMs) {
    return new JsonObject().put("type", "heartbeat").put("interval_ms", intervalMs).encode();
  }

  public static String unsubscribed(String id) {
    return new JsonObject().put("type", "unsubscribed").put("id", id).encode();
  }

  /** Confirms a remove; {@code seq} is the subscription's resume point at that moment. */
  public static String removed(String id, String epoch, long seq) {
    return new JsonObject().put("type", "removed").put("id", id).put("epoch", epoch).put("seq", seq).encode();
  }

  /**
   * Messages are kept below this many UTF-8 bytes, so that they travel as a single WebSocket frame
   * within the 64 KiB that common client libraries accept by default.
   */
  public static final int MESSAGE_BUDGET = 60 * 1024;

  /**
   * One frame of a snapshot, from offers already encoded as JSON. Large snapshots span several
   * frames; all but the last carry {@code "more": true}.
   *
   * @param resumed true when the offers are only those changed after the client's {@code since}
   * @param reset true when the client's {@code since} named another log, so this is a full state
   * @param added true when the offers are the part an {@code add} asked for
   */
  public static String snapshot(String id, String epoch, long seq, List<String> offers, boolean resumed,
      boolean reset, boolean added, boolean more) {
    StringBuilder f = new StringBuilder(256 + offers.size() * 300);
    f.append("{\"type\":\"snapshot\",\"id\":").append(Json.encode(id))
        .append(",\"epoch\":").append(Json.encode(epoch))
        .append(",\"seq\":").append(seq)
        .append(",\"resumed\":").append(resumed)
        .append(",\"reset\":").append(reset);
    if (added) {
      f.append(",\"added\":true");
    }
    f.append(",\"more\":").append(more).append(",\"offers\":[");
    for (int i = 0; i < offers.size(); i++) {
      if (i > 0) {
        f.append(',');
      }
      f.append(offers.get(i));
    }
    return f.append("]}").toString();
  }

  /** UTF-8 length of a string, without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  /**
   * An update whose frame seq (the resume point) differs from the change's own seq, or whose
   * changed fields were merged: encoded for this subscription alone.
   */
  public static String update(String id, String epoch, long seq, Offer offer, java.util.Set<Field> changed) {
    return new JsonObject().put("type", "update").put("epoch", epoch).put("seq", seq)
        .put("offer", offer.toJson()).put("changed", changedJson(changed)).put("id", id).encode();
  }

  /** Several updates of one subscription in one frame, sent when the client is behind. */
  public static String updates(String id, String epoch, long seq, List<Offer> offers,
      List<java.util.Set<Field>> changed) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < offers.size(); i++) {
      list.add(new JsonObject().put("offer", offers.get(i).toJson()).put("changed", changedJson(changed.get(i))));
    }
    return new JsonObject().put("type", "updates").put("updates", list).put("epoch", epoch).put("seq", seq)
        .put("id", id).encode();
  }

  /** The fields a market's subscriber is told changed: the offer's, and always its {@code market} object. */
  static String marketChanged(java.util.Set<Field> changed) {
    JsonArray a = changedJson(changed);
    a.add("market");
    return a.encode();
  }

  /** An update for a market's subscriber, around the offer with its market object already encoded. */
  static String marketUpdate(String id, String epoch, long seq, String offerJson, java.util.Set<Field> changed) {
    return "{\"type\":\"update\",\"epoch\":" + Json.encode(epoch) + ",\"seq\":" + seq + ",\"offer\":" + offerJson
        + ",\"changed\":" + marketChanged(changed) + ",\"id\":" + Json.encode(id) + "}";
  }

  /** One entry of an {@code updates} list for a market's subscriber. */
  static String marketItem(String offerJson, java.util.Set<Field> changed) {
    return "{\"offer\":" + offerJson + ",\"changed\":" + marketChanged(changed) + "}";
  }

  /** The entry a market event writes for an offer whose state did not change, only its projection. */
  static String repricedItem(String offerJson) {
    return "{\"offer\":" + offerJson + ",\"changed\":[\"market\"]}";
  }

  private static JsonArray changedJson(java.util.Set<Field> changed) {
    JsonArray a = new JsonArray();
    for (Field f : changed) {
      a.add(f.wireName());
    }
    return a;
  }

  /**
   * The part of an update frame shared by every subscriber: everything up to the subscription
   * id, which ends the frame ({@link #updateEnd}). Encoded once per change and node. The same
   * JSON as {@link #update} when the frame's seq is the change's and its fields are the change's.
   */
  public static String updateBody(String epoch, Change change) {
    String json = new JsonObject()
        .put("type", "update")
        .put("epoch", epoch)
        .put("seq", change.seq())
        .put("offer", change.offer().toJson())
        .put("changed", changedJson(change.changed()))
        .encode();
    return json.substring(0, json.length() - 1) + ",\"id\":";
  }

  /** What ends a subscription's update frames after {@link #updateBody}: its id and the brace. */
  public static byte[] updateEnd(String subscriptionId) {
    return (Json.encode(subscriptionId) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** The key that ends an update body, as UTF-8. */
  static final byte[] ID_KEY = ",\"id\":".getBytes(StandardCharsets.US_ASCII);

  /** Where {@code "offer"} starts in an update body: after its type, epoch and seq, which are ASCII. */
  static int offerStart(String body) {
    return body.indexOf("\"offer\":");
  }

  /** One entry of an {@code updates} list, for a state that merged several changes. */
  static String updateItem(Offer offer, java.util.Set<Field> changed) {
    return new JsonObject().put("offer", offer.toJson()).put("changed", changedJson(changed)).encode();
  }

  /**
   * An {@code updates} frame is laid out as its shared part first: {@link #UPDATES_START}, the
   * entries separated by {@link #COMMA}, then {@link #updatesEnd}; then its own:
   * {@link #updatesSeqAndId}. The same JSON as {@link #updates}.
   */
  static final byte[] UPDATES_START = "{\"type\":\"updates\",\"updates\":[".getBytes(StandardCharsets.US_ASCII);
  static final byte[] COMMA = {','};

  /** What closes the list of entries, up to the seq's value: {@code ],"epoch":E,"seq":}. */
  static byte[] updatesEnd(byte[] epochJson) {
    return concat("],\"epoch\":".getBytes(StandardCharsets.US_ASCII), epochJson,
        ",\"seq\":".getBytes(StandardCharsets.US_ASCII));
  }

  /** The end of one subscription's updates frame: {@code N,"id":"..."}}. */
  static byte[] updatesSeqAndId(long seq, byte[] updateEnd) {
    byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
    return concat(digits, ID_KEY, updateEnd);
  }

  /** The parts, one after the other, in one array. */
  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
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
