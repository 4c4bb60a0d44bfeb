package io.pricewire.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Merchant Center's tab-separated feed format: a header row of attribute names, then one offer per
 * row. Cells are split on tabs; a cell wrapped in double quotes has them removed ({@code ""}
 * inside stands for one quote). Cells cannot span lines.
 */
final class TsvFeed {

  /** Attributes the gateway reads; every other column is reported and ignored. */
  static final Set<String> KNOWN = Set.of("id", "title", "price", "sale_price", "availability", "quantity", "brand",
      "gtin", "tax_class", "product_type", "google_product_category", "version", "updated_at");

  /** The header, read once. {@code names[i]} is the attribute of column i, or null when ignored. */
  record Header(String[] names, List<String> unknown) {
  }

  static final class HeaderException extends Exception {
    final String code;

    HeaderException(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  static Header header(String line) throws HeaderException {
    String[] cells = split(line);
    String[] names = new String[cells.length];
    List<String> unknown = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < cells.length; i++) {
      String name = cells[i].strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      Integer before = seen.put(name, i);
      if (before != null) {
        throw new HeaderException("duplicate_column", "the header names column \"" + name + "\" twice (columns "
            + (before + 1) + " and " + (i + 1) + ")");
      }
      if (KNOWN.contains(name)) {
        names[i] = name;
      } else {
        unknown.add(name);
      }
    }
    if (!seen.containsKey("id")) {
      throw new HeaderException("missing_id_column", "the header row has no \"id\" column; the first line must name "
          + "the attributes, tab-separated, for example: id<TAB>title<TAB>price<TAB>availability");
    }
    return new Header(names, unknown);
  }

  /** The known cells of one row, by attribute name; null when the row has more cells than the header. */
  static Map<String, String> row(Header header, String line) {
    String[] cells = split(line);
    if (cells.length > header.names().length) {
      return null;
    }
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < cells.length; i++) {
      String name = header.names()[i];
      if (name != null) {
        row.put(name, cells[i]);
      }
    }
    return row;
  }

  static String[] split(String line) {
    List<String> cells = new ArrayList<>();
    int from = 0;
    while (true) {
      int tab = line.indexOf('\t', from);
      String cell = tab < 0 ? line.substring(from) : line.substring(from, tab);
      cells.add(unquote(cell));
      if (tab < 0) {
        break;
      }
      from = tab + 1;
    }
    // Trailing empty cells are common in exported sheets; they carry nothing.
    int n = cells.size();
    while (n > 1 && cells.get(n - 1).isEmpty()) {
      n--;
    }
    return cells.subList(0, n).toArray(String[]::new);
  }

  private static String unquote(String cell) {
    if (cell.length() >= 2 && cell.charAt(0) == '"' && cell.charAt(cell.length() - 1) == '"') {
      return cell.substring(1, cell.length() - 1).replace("\"\"", "\"");
    }
    return cell;
  }
}
