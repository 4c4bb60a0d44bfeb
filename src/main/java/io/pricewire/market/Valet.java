package io.pricewire.market;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Bank of Canada's Valet observations of the daily series {@code FXCNYCAD} (Canadian
 * dollars per Chinese renminbi) into CAD/CNY rates, the inverse, kept exact. Both layouts Valet
 * serves: CSV (sections "TERMS AND CONDITIONS", "SERIES", "OBSERVATIONS", every field quoted,
 * perhaps a byte order mark and CRLF line ends, blank values on holidays) and JSON
 * ({@code {"observations": [{"d": "2024-10-21", "FXCNYCAD": {"v": "0.1944"}}]}}). Days without a
 * value are skipped.
 */
public final class Valet {

  public static final String SERIES = "FXCNYCAD";
  public static final String SOURCE = "Bank of Canada, Valet series FXCNYCAD (indicative)";

  private Valet() {
  }

  /** A file that is not a Valet FXCNYCAD observation list: says what and where. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads either layout: JSON when the text starts with "{", else CSV. */
  public static List<FxRate> read(String text, Instant receivedAt) throws Invalid {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    return body.stripLeading().startsWith("{") ? json(body, receivedAt) : csv(body, receivedAt);
  }

  static List<FxRate> json(String body, Instant receivedAt) throws Invalid {
    JsonObject root;
    try {
      root = new JsonObject(body);
    } catch (DecodeException e) {
      throw new Invalid("the Valet JSON is not valid JSON: " + e.getMessage());
    }
    Object observations = root.getValue("observations");
    if (!(observations instanceof JsonArray list)) {
      throw new Invalid("the Valet JSON has no \"observations\" list");
    }
    List<FxRate> rates = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "observations[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject o)) {
        throw new Invalid(where + " is not an object");
      }
      if (!(o.getValue("d") instanceof String day)) {
        throw new Invalid(where + " has no date \"d\"");
      }
      Object series = o.getValue(SERIES);
      if (series == null) {
        continue;
      }
      if (!(series instanceof JsonObject value)) {
        throw new Invalid(where + "." + SERIES + " is not an object with \"v\"");
      }
      Object v = value.getValue("v");
      if (v == null || (v instanceof String s && s.isBlank())) {
        continue;
      }
      if (!(v instanceof String s)) {
        throw new Invalid(where + "." + SERIES + ".v must be a string such as \"0.1944\", got " + v);
      }
      rates.add(rate(day, s, where, receivedAt));
    }
    return rates;
  }

  static List<FxRate> csv(String body, Instant receivedAt) throws Invalid {
    String[] lines = body.split("\r\n|\n|\r", -1);
    int at = -1;
    for (int i = 0; i < lines.length; i++) {
      List<String> cells = cells(lines[i], i + 1);
      if (cells.size() == 1 && cells.get(0).equals("OBSERVATIONS")) {
        at = i;
        break;
      }
    }
    if (at < 0 || at + 1 >= lines.length) {
      throw new Invalid("the Valet CSV has no \"OBSERVATIONS\" section");
    }
    List<String> header = cells(lines[at + 1], at + 2);
    int column = header.indexOf(SERIES);
    if (header.isEmpty() || !header.get(0).equals("date") || column < 0) {
      throw new Invalid("line " + (at + 2) + ": expected the header \"date\",\"" + SERIES + "\", got "
          + String.join(",", header));
    }
    List<FxRate> rates = new ArrayList<>();
    for (int i = at + 2; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        // A blank line ends the section (Valet may add others after it).
        break;
      }
      List<String> cells = cells(lines[i], i + 1);
      if (cells.size() != header.size()) {
        throw new Invalid("line " + (i + 1) + ": " + cells.size() + " fields, the header has " + header.size());
      }
      String value = cells.get(column);
      if (value.isBlank()) {
        continue;
      }
      rates.add(rate(cells.get(0), value, "line " + (i + 1), receivedAt));
    }
    return rates;
  }

  private static FxRate rate(String day, String value, String where, Instant receivedAt) throws Invalid {
    LocalDate date;
    try {
      date = LocalDate.parse(day);
    } catch (DateTimeParseException e) {
      throw new Invalid(where + ": the date \"" + day + "\" is not YYYY-MM-DD");
    }
    BigDecimal cadPerCny;
    try {
      cadPerCny = new BigDecimal(value.trim());
    } catch (NumberFormatException e) {
      throw new Invalid(where + ": the value \"" + value + "\" is not a decimal number");
    }
    if (cadPerCny.signum() <= 0) {
      throw new Invalid(where + ": the value " + value + " is not above 0");
    }
    Ratio cnyPerCad = Ratio.of(cadPerCny).inverse();
    return new FxRate("CAD", "CNY", cnyPerCad, cnyPerCad.round(8).stripTrailingZeros().toPlainString(), date,
        SOURCE, receivedAt);
  }

  /** The fields of one CSV line, every field quoted ("" for a quote inside one), or bare. */
  static List<String> cells(String line, int number) throws Invalid {
    List<String> cells = new ArrayList<>();
    if (line.isEmpty()) {
      return cells;
    }
    int i = 0;
    while (true) {
      StringBuilder cell = new StringBuilder();
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) {
            throw new Invalid("line " + number + ": a quoted field is not closed");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(c);
          }
        }
        if (i < line.length() && line.charAt(i) != ',') {
          throw new Invalid("line " + number + ": text after a quoted field, at column " + (i + 1));
        }
      } else {
        while (i < line.length() && line.charAt(i) != ',') {
          cell.append(line.charAt(i++));
        }
      }
      cells.add(cell.toString());
      if (i >= line.length()) {
        return cells;
      }
      i++; // the comma
    }
  }
}
