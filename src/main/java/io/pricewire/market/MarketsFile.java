package io.pricewire.market;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The markets file ({@code conf/markets.json}): markets beyond the built-in {@code ca} and
 * {@code cn-cbec}, and duties by origin and category with their dates. Read at start; any entry
 * that is wrong stops the start with a message naming it.
 *
 * <pre>{@code
 * {"markets": [{"id": "hk", "currency": "HKD", "locales": ["zh-HK", "en"]}],
 *  "duties": [{"id": "...", "markets": ["cn-cbec"], "rate": "0.25", "origin": "CA",
 *              "categories": ["Seafood"], "from": "2025-03-20", "until": null,
 *              "suspensions": [{"categories": ["Seafood > Lobster"], "from": "2026-03-01", "until": "2026-12-31"}],
 *              "source": "...", "estimate": true}]}
 * }</pre>
 */
public final class MarketsFile {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  private MarketsFile() {
  }

  /** A wrong entry: the message names the file, the entry and what is wrong with it. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Where the file is read from: the working directory, else the copy in the jar. */
  public static final String PATH = "conf/markets.json";

  /** The markets file from {@link #PATH} (the working directory's, else the jar's); the built-ins alone without one. */
  public static Map<String, Market> load() throws Invalid {
    java.nio.file.Path local = java.nio.file.Path.of(PATH);
    try {
      if (java.nio.file.Files.isRegularFile(local)) {
        return read(java.nio.file.Files.readString(local), local.toAbsolutePath().toString());
      }
      try (java.io.InputStream in = MarketsFile.class.getClassLoader().getResourceAsStream(PATH)) {
        if (in == null) {
          return builtIn();
        }
        return read(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), PATH + " (in the jar)");
      }
    } catch (java.io.IOException e) {
      throw new Invalid(PATH + ": cannot be read: " + e.getMessage());
    }
  }

  /** The built-in markets, by id. */
  public static Map<String, Market> builtIn() {
    Map<String, Market> markets = new LinkedHashMap<>();
    markets.put(Market.CA.id(), Market.CA);
    markets.put(Market.CN_CBEC.id(), Market.CN_CBEC);
    return markets;
  }

  /** The built-in markets with the file's markets and duties; {@code name} is used in errors. */
  public static Map<String, Market> read(String text, String name) throws Invalid {
    JsonObject root;
    try {
      root = new JsonObject(text);
    } catch (DecodeException e) {
      throw new Invalid(name + ": not valid JSON: " + e.getMessage());
    }
    for (String key : root.fieldNames()) {
      if (!key.equals("markets") && !key.equals("duties")) {
        throw new Invalid(name + ": unknown key \"" + key + "\" (expected \"markets\" and \"duties\")");
      }
    }
    Map<String, Market> markets = builtIn();
    JsonArray list = array(root, "markets", name);
    for (int i = 0; i < list.size(); i++) {
      String where = name + ": markets[" + i + "]";
      JsonObject m = object(list.getValue(i), where);
      String id = string(m, "id", where, true);
      where += " (\"" + id + "\")";
      if (!ID.matcher(id).matches()) {
        throw new Invalid(where + ": an id is 1 to 32 lowercase letters, digits and dashes");
      }
      if (markets.containsKey(id)) {
        throw new Invalid(where + ": the market " + id + " is already defined");
      }
      markets.put(id, market(m, id, where));
    }
    Map<String, List<Duty>> duties = new LinkedHashMap<>();
    JsonArray dutyList = array(root, "duties", name);
    java.util.Set<String> dutyIds = new java.util.HashSet<>();
    for (int i = 0; i < dutyList.size(); i++) {
      String where = name + ": duties[" + i + "]";
      JsonObject d = object(dutyList.getValue(i), where);
      String id = string(d, "id", where, true);
      where += " (\"" + id + "\")";
      if (!dutyIds.add(id)) {
        throw new Invalid(where + ": the duty " + id + " is already defined");
      }
      Duty duty = duty(d, id, where);
      JsonArray in = d.getValue("markets") instanceof JsonArray a ? a : null;
      if (in == null || in.isEmpty()) {
        throw new Invalid(where + ": \"markets\" must list the markets the duty applies in");
      }
      for (Object market : in) {
        if (!(market instanceof String mid) || !markets.containsKey(mid)) {
          throw new Invalid(where + ": unknown market " + market + " (markets: " + markets.keySet() + ")");
        }
        if (!markets.get(mid).cbec()) {
          throw new Invalid(where + ": market " + mid + " has no import tax, so no duties");
        }
        duties.computeIfAbsent(mid, k -> new ArrayList<>()).add(duty);
      }
    }
    duties.forEach((mid, list2) -> markets.put(mid, markets.get(mid).withDuties(list2)));
    return markets;
  }

  private static Market market(JsonObject m, String id, String where) throws Invalid {
    String currency = string(m, "currency", where, true);
    Currency c;
    try {
      c = Currency.getInstance(currency);
    } catch (IllegalArgumentException e) {
      throw new Invalid(where + ": currency \"" + currency + "\" is not an ISO 4217 code");
    }
    int minor = m.getValue("minor_digits") == null ? Math.max(c.getDefaultFractionDigits(), 0)
        : integer(m, "minor_digits", where, 0, 4);
    List<String> locales = strings(m, "locales", where);
    if (locales.isEmpty()) {
      throw new Invalid(where + ": \"locales\" must name at least one locale, such as \"en\"");
    }
    String tax = m.getValue("tax") == null ? "none" : string(m, "tax", where, true);
    boolean cbec = switch (tax) {
      case "none" -> false;
      case "cbec" -> true;
      default -> throw new Invalid(where + ": tax must be \"none\" or \"cbec\", got \"" + tax + "\"");
    };
    Map<String, String> categories = new LinkedHashMap<>();
    if (m.getValue("category_classes") != null) {
      JsonObject map = object(m.getValue("category_classes"), where + ".category_classes");
      for (String k : map.fieldNames()) {
        String cls = map.getValue(k) instanceof String s ? s : null;
        if (cls == null || !Market.CBEC_CLASSES.containsKey(cls)) {
          throw new Invalid(where + ".category_classes: \"" + k + "\" maps to " + map.getValue(k)
              + ", not one of " + Market.CBEC_CLASSES.keySet());
        }
        categories.put(k, cls);
      }
    }
    String defaultClass = cbec ? (m.getValue("default_class") == null ? "general"
        : string(m, "default_class", where, true)) : null;
    if (cbec && !Market.CBEC_CLASSES.containsKey(defaultClass)) {
      throw new Invalid(where + ": default_class \"" + defaultClass + "\" is not one of "
          + Market.CBEC_CLASSES.keySet());
    }
    BigDecimal limit = m.getValue("item_limit") == null ? (cbec ? new BigDecimal("5000") : null)
        : decimal(m, "item_limit", where);
    Duration maxAge = m.getValue("fx_max_age_hours") == null ? Market.DEFAULT_FX_MAX_AGE
        : Duration.ofHours(integer(m, "fx_max_age_hours", where, 1, 24 * 60));
    String origin = m.getValue("goods_origin") == null ? "CA" : string(m, "goods_origin", where, true);
    return new Market(id, currency, minor, locales, cbec, cbec ? Market.CBEC_CLASSES : Map.of(), categories,
        defaultClass, List.of(), limit, origin, maxAge);
  }

  private static Duty duty(JsonObject d, String id, String where) throws Invalid {
    BigDecimal rate = decimal(d, "rate", where);
    if (rate.signum() < 0 || rate.compareTo(BigDecimal.TEN) > 0) {
      throw new Invalid(where + ": rate must be between 0 and 10, got " + rate.toPlainString());
    }
    String origin = string(d, "origin", where, true);
    if (!origin.matches("[A-Z]{2}")) {
      throw new Invalid(where + ": origin must be an ISO 3166 code such as \"CA\", got \"" + origin + "\"");
    }
    List<String> categories = strings(d, "categories", where);
    if (categories.isEmpty()) {
      throw new Invalid(where + ": \"categories\" must name at least one category");
    }
    LocalDate from = date(d, "from", where, true);
    LocalDate until = date(d, "until", where, false);
    if (until != null && until.isBefore(from)) {
      throw new Invalid(where + ": until " + until + " is before from " + from);
    }
    List<Duty.Suspension> suspensions = new ArrayList<>();
    if (d.getValue("suspensions") != null) {
      JsonArray list = array(d, "suspensions", where);
      for (int i = 0; i < list.size(); i++) {
        String w = where + ".suspensions[" + i + "]";
        JsonObject s = object(list.getValue(i), w);
        LocalDate sf = date(s, "from", w, true);
        LocalDate su = date(s, "until", w, false);
        if (su != null && su.isBefore(sf)) {
          throw new Invalid(w + ": until " + su + " is before from " + sf);
        }
        List<String> sc = strings(s, "categories", w);
        if (sc.isEmpty()) {
          throw new Invalid(w + ": \"categories\" must name at least one category");
        }
        suspensions.add(new Duty.Suspension(sc, sf, su));
      }
    }
    String source = string(d, "source", where, true);
    boolean estimate = !(d.getValue("estimate") instanceof Boolean b) || b;
    return new Duty(id, Ratio.of(rate), origin, categories, from, until, suspensions, source, estimate);
  }

  private static JsonArray array(JsonObject o, String key, String where) throws Invalid {
    Object v = o.getValue(key);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray a)) {
      throw new Invalid(where + ": \"" + key + "\" must be a list");
    }
    return a;
  }

  private static JsonObject object(Object v, String where) throws Invalid {
    if (!(v instanceof JsonObject o)) {
      throw new Invalid(where + ": must be an object");
    }
    return o;
  }

  private static String string(JsonObject o, String key, String where, boolean required) throws Invalid {
    Object v = o.getValue(key);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new Invalid(where + ": \"" + key + "\" must be a non-empty string");
    }
    return s;
  }

  private static List<String> strings(JsonObject o, String key, String where) throws Invalid {
    List<String> out = new ArrayList<>();
    for (Object v : array(o, key, where)) {
      if (!(v instanceof String s) || s.isBlank()) {
        throw new Invalid(where + ": \"" + key + "\" must list non-empty strings, got " + v);
      }
      out.add(s);
    }
    return out;
  }

  private static int integer(JsonObject o, String key, String where, int min, int max) throws Invalid {
    Object v = o.getValue(key);
    if (!(v instanceof Integer i) || i < min || i > max) {
      throw new Invalid(where + ": \"" + key + "\" must be a whole number from " + min + " to " + max + ", got " + v);
    }
    return i;
  }

  private static BigDecimal decimal(JsonObject o, String key, String where) throws Invalid {
    Object v = o.getValue(key);
    if (!(v instanceof String s)) {
      throw new Invalid(where + ": \"" + key + "\" must be a decimal in a string, such as \"0.25\", got " + v);
    }
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      throw new Invalid(where + ": \"" + key + "\" is not a decimal: \"" + s + "\"");
    }
  }

  private static LocalDate date(JsonObject o, String key, String where, boolean required) throws Invalid {
    Object v = o.getValue(key);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new Invalid(where + ": \"" + key + "\" must be a date such as \"2025-03-20\"");
    }
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new Invalid(where + ": \"" + key + "\" is not a date YYYY-MM-DD: \"" + s + "\"");
    }
  }
}
