package io.pricewire.offer;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact amount of one ISO 4217 currency, held as integer millionths ("micros") of the unit,
 * as Merchant Center does. Never floating point.
 */
public record Money(long micros, String currency) {

  public static final int MAX_FRACTION_DIGITS = 6;
  private static final Pattern AMOUNT = Pattern.compile("(\\d{1,12})(?:\\.(\\d{1,6}))?");
  private static final Pattern TEXT = Pattern.compile("\\s*(\\S+)\\s+(\\S+)\\s*");

  /** Thrown with a field-level code and message when a price cannot be read. */
  public static final class Invalid extends Exception {
    private final String code;

    Invalid(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** Reads Merchant Center's text form, {@code "12.50 CAD"}. */
  public static Money parse(String text) throws Invalid {
    Matcher m = TEXT.matcher(text);
    if (!m.matches()) {
      throw new Invalid("invalid_price",
          "expected an amount and a currency code such as \"12.50 CAD\", got \"" + clip(text) + "\"");
    }
    return of(m.group(1), m.group(2));
  }

  /** Reads an amount and a currency code given separately. */
  public static Money of(String amount, String currencyCode) throws Invalid {
    String currency = currency(currencyCode);
    Matcher m = AMOUNT.matcher(amount);
    if (!m.matches()) {
      if (amount.matches("-?\\d+(\\.\\d+)?") && amount.startsWith("-")) {
        throw new Invalid("negative_amount", "a price cannot be negative, got " + clip(amount));
      }
      if (amount.matches("\\d+\\.\\d{7,}")) {
        throw new Invalid("too_precise",
            "at most " + MAX_FRACTION_DIGITS + " decimal places are kept exactly, got " + clip(amount));
      }
      if (amount.matches("\\d{13,}(\\.\\d*)?")) {
        throw new Invalid("amount_too_large", "amounts are limited to 12 integer digits, got " + clip(amount));
      }
      throw new Invalid("invalid_amount",
          "expected a plain decimal amount such as 12.50 (no sign, exponent or separators), got \""
              + clip(amount) + "\"");
    }
    String fraction = m.group(2) == null ? "" : m.group(2);
    long units = Long.parseLong(m.group(1));
    long micros = units * 1_000_000L
        + (fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000").substring(0, 6)));
    return new Money(micros, currency);
  }

  /** Reads the object form, {@code {"amount": "12.50", "currency": "CAD"}}. */
  public static Money fromJson(JsonObject json) throws Invalid {
    Object amount = json.getValue("amount");
    Object currency = json.getValue("currency");
    if (amount == null || currency == null) {
      throw new Invalid("invalid_price", "a price object needs both \"amount\" and \"currency\"");
    }
    if (!(currency instanceof String code)) {
      throw new Invalid("invalid_currency", "currency must be a string such as \"CAD\"");
    }
    if (amount instanceof String text) {
      return of(text, code);
    }
    if (amount instanceof Integer || amount instanceof Long) {
      return of(String.valueOf(amount), code);
    }
    throw new Invalid("amount_not_string",
        "amount must be a string such as \"12.50\", so that it stays exact (got a JSON "
            + (amount instanceof Number ? "fraction" : "value") + ")");
  }

  private static boolean isAsciiUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  private static String currency(String code) throws Invalid {
    String upper = code.trim().toUpperCase(Locale.ROOT);
    if (upper.length() != 3 || !isAsciiUpper(upper.charAt(0)) || !isAsciiUpper(upper.charAt(1))
        || !isAsciiUpper(upper.charAt(2))) {
      throw new Invalid("invalid_currency", "expected a 3-letter ISO 4217 currency code, got \"" + clip(code) + "\"");
    }
    try {
      Currency.getInstance(upper);
    } catch (IllegalArgumentException e) {
      throw new Invalid("invalid_currency", "\"" + upper + "\" is not an ISO 4217 currency code");
    }
    return upper;
  }

  /** The amount as an exact decimal string with at least the currency's usual minor digits. */
  public String amount() {
    BigDecimal value = BigDecimal.valueOf(micros, MAX_FRACTION_DIGITS).stripTrailingZeros();
    int minor = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    if (value.scale() < minor) {
      value = value.setScale(minor);
    }
    return value.toPlainString();
  }

  public JsonObject toJson() {
    return new JsonObject().put("amount", amount()).put("currency", currency);
  }

  @Override
  public String toString() {
    return amount() + " " + currency;
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
