package io.pricewire.offer;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IllformedLocaleException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads offer writes from JSON objects and from feed rows, checking every field against
 * Merchant Center's rules. Collects every problem of an item rather than stopping at the first.
 */
public final class OfferParser {

  public static final int MAX_SKU = 50;
  public static final int MAX_TITLE = 150;
  public static final int MAX_LOCALES = 32;
  public static final int MAX_CATEGORY = 750;
  public static final int MAX_BRAND = 70;
  /** Largest integer a JavaScript client can hold exactly. */
  public static final long MAX_VERSION = 9_007_199_254_740_991L;
  /** Locale a plain-string title is filed under. */
  public static final String DEFAULT_LOCALE = "en";

  /** JSON member names an offer object may carry. */
  public static final Set<String> JSON_FIELDS = Set.of("sku", "price", "sale_price", "availability", "quantity",
      "title", "category", "brand", "gtin", "tax_class", "version", "updated_at");

  /**
   * The tax classes an offer's {@code tax_class} may name: the classes of the markets' import tax
   * (their rates are the markets'; a test keeps the two lists equal).
   */
  public static final Set<String> TAX_CLASSES = Set.of("general", "agri_9", "wine", "cosmetics_high");

  private OfferParser() {
  }

  /**
   * Reads one JSON item. Members not in {@link #JSON_FIELDS} are ignored and added to
   * {@code unknown}, so the caller can warn about them once per request.
   */
  public static ParsedItem fromJson(Object item, Set<String> unknown) {
    if (!(item instanceof JsonObject json)) {
      return ParsedItem.rejected(null, new FieldError(null, "not_an_object",
          "each item must be a JSON object, got " + describe(item)));
    }
    Builder b = new Builder();
    for (String name : json.fieldNames()) {
      if (!JSON_FIELDS.contains(name)) {
        unknown.add(name);
      }
    }
    Object sku = json.getValue("sku");
    if (sku == null) {
      b.error("sku", "required", json.containsKey("id")
          ? "sku is required (\"id\" is the feed-file name for it; JSON items use \"sku\")"
          : "sku is required");
    } else if (sku instanceof String s) {
      b.sku("sku", s);
    } else {
      b.error("sku", "wrong_type", "sku must be a string, got " + describe(sku));
    }
    if (json.containsKey("price")) {
      b.price("price", Field.PRICE, json.getValue("price"), false);
    }
    if (json.containsKey("sale_price")) {
      b.price("sale_price", Field.SALE_PRICE, json.getValue("sale_price"), true);
    }
    if (json.containsKey("availability")) {
      Object v = json.getValue("availability");
      if (v instanceof String s) {
        b.availability("availability", s);
      } else {
        b.error("availability", v == null ? "required" : "wrong_type",
            "availability must be one of " + Availability.allowed() + (v == null ? "; it cannot be cleared" : ""));
      }
    }
    if (json.containsKey("quantity")) {
      Object v = json.getValue("quantity");
      if (v == null) {
        b.fields.add(Field.QUANTITY);
      } else if (v instanceof Integer || v instanceof Long) {
        b.quantity("quantity", ((Number) v).longValue());
      } else {
        b.error("quantity", "wrong_type", "quantity must be a whole number >= 0, got " + describe(v));
      }
    }
    if (json.containsKey("title")) {
      b.title("title", json.getValue("title"));
    }
    if (json.containsKey("category")) {
      b.text("category", Field.CATEGORY, json.getValue("category"), MAX_CATEGORY);
    }
    if (json.containsKey("brand")) {
      b.text("brand", Field.BRAND, json.getValue("brand"), MAX_BRAND);
    }
    if (json.containsKey("gtin")) {
      Object v = json.getValue("gtin");
      if (v == null) {
        b.fields.add(Field.GTIN);
      } else if (v instanceof String s) {
        b.gtin("gtin", s);
      } else {
        b.error("gtin", "wrong_type", "gtin must be a string of digits (a number would lose leading zeros)");
      }
    }
    if (json.containsKey("tax_class")) {
      Object v = json.getValue("tax_class");
      if (v == null) {
        b.fields.add(Field.TAX_CLASS);
      } else if (v instanceof String s) {
        b.taxClass("tax_class", s);
      } else {
        b.error("tax_class", "wrong_type", "tax_class must be a string, one of " + new java.util.TreeSet<>(TAX_CLASSES));
      }
    }
    Object version = json.getValue("version");
    Object updatedAt = json.getValue("updated_at");
    if (version != null && updatedAt != null) {
      b.error("version", "conflicting_version", "give either version or updated_at, not both");
    } else if (version != null) {
      if (version instanceof Integer || version instanceof Long) {
        b.version("version", ((Number) version).longValue());
      } else {
        b.error("version", "wrong_type", "version must be a whole number, got " + describe(version));
      }
    } else if (updatedAt != null) {
      if (updatedAt instanceof String s) {
        b.updatedAt("updated_at", s);
      } else {
        b.error("updated_at", "wrong_type", "updated_at must be an RFC 3339 timestamp string");
      }
    }
    return b.build();
  }

  /**
   * Reads one row of a Merchant Center feed file. Cells hold text; an empty cell leaves the field
   * as it is. Keys are the feed's attribute names ({@code id}, {@code price}, ...).
   */
  public static ParsedItem fromRow(Map<String, String> cells) {
    Builder b = new Builder();
    String id = cells.get("id");
    if (id == null || id.isBlank()) {
      b.error("id", "required", "id is required");
    } else {
      b.sku("id", id);
    }
    cell(cells, "price").ifPresent(v -> b.price("price", Field.PRICE, v, false));
    cell(cells, "sale_price").ifPresent(v -> b.price("sale_price", Field.SALE_PRICE, v, true));
    cell(cells, "availability").ifPresent(v -> b.availability("availability", v));
    cell(cells, "quantity").ifPresent(v -> {
      try {
        b.quantity("quantity", Long.parseLong(v.trim()));
      } catch (NumberFormatException e) {
        b.error("quantity", "wrong_type", "quantity must be a whole number >= 0, got \"" + clip(v) + "\"");
      }
    });
    cell(cells, "title").ifPresent(v -> b.title("title", v));
    var productType = cell(cells, "product_type");
    if (productType.isPresent()) {
      b.text("product_type", Field.CATEGORY, productType.get(), MAX_CATEGORY);
    } else {
      cell(cells, "google_product_category")
          .ifPresent(v -> b.text("google_product_category", Field.CATEGORY, v, MAX_CATEGORY));
    }
    cell(cells, "brand").ifPresent(v -> b.text("brand", Field.BRAND, v, MAX_BRAND));
    cell(cells, "gtin").ifPresent(v -> b.gtin("gtin", v.trim()));
    cell(cells, "tax_class").ifPresent(v -> b.taxClass("tax_class", v.trim()));
    var version = cell(cells, "version");
    var updatedAt = cell(cells, "updated_at");
    if (version.isPresent() && updatedAt.isPresent()) {
      b.error("version", "conflicting_version", "give either version or updated_at, not both");
    } else if (version.isPresent()) {
      try {
        b.version("version", Long.parseLong(version.get().trim()));
      } catch (NumberFormatException e) {
        b.error("version", "wrong_type", "version must be a whole number, got \"" + clip(version.get()) + "\"");
      }
    } else {
      updatedAt.ifPresent(v -> b.updatedAt("updated_at", v.trim()));
    }
    return b.build();
  }

  private static java.util.Optional<String> cell(Map<String, String> cells, String name) {
    String v = cells.get(name);
    return v == null || v.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(v);
  }

  /** Accumulates one item's fields and problems. */
  private static final class Builder {
    final List<FieldError> errors = new ArrayList<>(0);
    final Set<Field> fields = EnumSet.noneOf(Field.class);
    String sku;
    Money price;
    Money salePrice;
    Availability availability;
    Long quantity;
    Map<String, String> titles;
    String category;
    String brand;
    String gtin;
    String taxClass;
    Long version;

    void error(String field, String code, String message) {
      errors.add(new FieldError(field, code, message));
    }

    void sku(String field, String raw) {
      String s = raw.strip();
      if (s.isEmpty()) {
        error(field, "required", field + " cannot be empty");
      } else if (s.codePointCount(0, s.length()) > MAX_SKU) {
        error(field, "too_long", field + " has at most " + MAX_SKU + " characters, got " + s.codePointCount(0, s.length()));
      } else if (hasControl(s)) {
        error(field, "invalid_characters", field + " cannot contain control characters");
      } else {
        sku = s;
      }
    }

    void price(String field, Field target, Object value, boolean clearable) {
      if (value == null) {
        if (clearable) {
          fields.add(target);
        } else {
          error(field, "required", field + " cannot be cleared; every offer has a price");
        }
        return;
      }
      try {
        Money m;
        if (value instanceof String s) {
          m = Money.parse(s);
        } else if (value instanceof JsonObject o) {
          m = Money.fromJson(o);
        } else {
          error(field, "wrong_type", field + " must be a string such as \"12.50 CAD\" or an object "
              + "{\"amount\": \"12.50\", \"currency\": \"CAD\"}, got " + describe(value));
          return;
        }
        fields.add(target);
        if (target == Field.PRICE) {
          price = m;
        } else {
          salePrice = m;
        }
      } catch (Money.Invalid e) {
        error(field, e.code(), e.getMessage());
      }
    }

    void availability(String field, String value) {
      Availability a = Availability.parse(value);
      if (a == null) {
        error(field, "invalid_value", "availability must be one of " + Availability.allowed() + ", got \""
            + clip(value) + "\"");
      } else {
        fields.add(Field.AVAILABILITY);
        availability = a;
      }
    }

    void quantity(String field, long value) {
      if (value < 0) {
        error(field, "negative", "quantity cannot be negative, got " + value);
      } else {
        fields.add(Field.QUANTITY);
        quantity = value;
      }
    }

    void title(String field, Object value) {
      Map<String, String> parsed = new LinkedHashMap<>();
      if (value instanceof String s) {
        String t = titleText(field, s);
        if (t == null) {
          return;
        }
        parsed.put(DEFAULT_LOCALE, t);
      } else if (value instanceof JsonObject o) {
        if (o.size() > MAX_LOCALES) {
          error(field, "too_many_locales", "at most " + MAX_LOCALES + " locales per title, got " + o.size());
          return;
        }
        for (Map.Entry<String, Object> e : o) {
          String locale = localeTag(field, e.getKey());
          if (locale == null) {
            return;
          }
          if (e.getValue() == null) {
            parsed.put(locale, null);
          } else if (e.getValue() instanceof String s) {
            String t = titleText(field + "." + e.getKey(), s);
            if (t == null) {
              return;
            }
            parsed.put(locale, t);
          } else {
            error(field + "." + e.getKey(), "wrong_type", "a title must be a string, got " + describe(e.getValue()));
            return;
          }
        }
      } else if (value == null) {
        error(field, "wrong_type", "title cannot be null; set a locale to null to remove that title");
        return;
      } else {
        error(field, "wrong_type", "title must be a string or an object of locale to string, such as "
            + "{\"en\": \"Live lobster\", \"zh-CN\": \"活龙虾\"}");
        return;
      }
      fields.add(Field.TITLE);
      titles = parsed;
    }

    private String titleText(String field, String s) {
      String t = s.strip();
      if (t.isEmpty()) {
        error(field, "empty", "a title cannot be empty; use null to remove it");
        return null;
      }
      if (t.codePointCount(0, t.length()) > MAX_TITLE) {
        error(field, "too_long", "a title has at most " + MAX_TITLE + " characters");
        return null;
      }
      if (hasControl(t)) {
        error(field, "invalid_characters", "a title cannot contain control characters");
        return null;
      }
      return t;
    }

    private String localeTag(String field, String tag) {
      try {
        Locale locale = new Locale.Builder().setLanguageTag(tag).build();
        if (locale.getLanguage().isEmpty()) {
          throw new IllformedLocaleException("no language");
        }
        return locale.toLanguageTag();
      } catch (IllformedLocaleException e) {
        error(field, "invalid_locale", "\"" + clip(tag) + "\" is not a BCP 47 language tag such as en or zh-CN");
        return null;
      }
    }

    void text(String field, Field target, Object value, int max) {
      if (value == null) {
        fields.add(target);
        return;
      }
      if (!(value instanceof String s)) {
        error(field, "wrong_type", field + " must be a string, got " + describe(value));
        return;
      }
      String t = s.strip();
      if (t.isEmpty()) {
        error(field, "empty", field + " cannot be empty; use null to clear it");
      } else if (t.codePointCount(0, t.length()) > max) {
        error(field, "too_long", field + " has at most " + max + " characters");
      } else if (hasControl(t)) {
        error(field, "invalid_characters", field + " cannot contain control characters");
      } else {
        fields.add(target);
        switch (target) {
          case CATEGORY -> category = t;
          case BRAND -> brand = t;
          default -> throw new IllegalArgumentException(target.name());
        }
      }
    }

    void gtin(String field, String value) {
      String problem = Gtin.problem(value);
      if (problem != null) {
        error(field, "invalid_gtin", problem);
      } else {
        fields.add(Field.GTIN);
        gtin = value;
      }
    }

    void taxClass(String field, String value) {
      if (!TAX_CLASSES.contains(value)) {
        error(field, "unknown_tax_class", "tax_class must be one of " + new java.util.TreeSet<>(TAX_CLASSES)
            + ", got \"" + clip(value) + "\"");
      } else {
        fields.add(Field.TAX_CLASS);
        taxClass = value;
      }
    }

    void version(String field, long value) {
      if (value < 0 || value > MAX_VERSION) {
        error(field, "out_of_range", "version must be between 0 and " + MAX_VERSION + ", got " + value);
      } else {
        version = value;
      }
    }

    void updatedAt(String field, String value) {
      try {
        OffsetDateTime t = OffsetDateTime.parse(value);
        long micros = ChronoUnit.MICROS.between(java.time.Instant.EPOCH, t.toInstant());
        if (micros < 0 || micros > MAX_VERSION) {
          error(field, "out_of_range", "updated_at must lie between 1970 and 2255");
        } else {
          version = micros;
        }
      } catch (DateTimeParseException e) {
        error(field, "invalid_timestamp",
            "updated_at must be an RFC 3339 timestamp with an offset, such as 2026-11-29T08:15:00Z, got \""
                + clip(value) + "\"");
      }
    }

    ParsedItem build() {
      if (!errors.isEmpty()) {
        return ParsedItem.rejected(sku, errors);
      }
      if (fields.isEmpty()) {
        return ParsedItem.rejected(sku, new FieldError(null, "no_fields",
            "the item changes nothing: give at least one of price, sale_price, availability, quantity, "
                + "title, category, brand, gtin, tax_class"));
      }
      return ParsedItem.ok(new OfferWrite(sku, fields, price, salePrice, availability, quantity, titles, category,
          brand, gtin, taxClass, version));
    }
  }

  static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return true;
      }
    }
    return false;
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Integer || v instanceof Long) {
      return "a whole number";
    }
    if (v instanceof Number) {
      return "a fractional number";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof io.vertx.core.json.JsonArray) {
      return "an array";
    }
    return v.getClass().getSimpleName();
  }

  static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
