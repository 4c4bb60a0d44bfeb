package io.pricewire.market;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * An additional duty on goods of some categories from one origin, valid between two dates, with
 * periods in which it is suspended for some of those categories. Charged, as an estimate, at its
 * rate on the goods' converted price, on top of the CBEC tax.
 *
 * <p>Dates are China's calendar days (Asia/Shanghai); {@code from} and {@code until} are both
 * included, and {@code until} may be null for a duty without an end.
 *
 * @param categories category prefixes (case-insensitive) the duty covers, e.g. "Seafood" covers
 *     "Seafood > Lobster"
 * @param origin ISO 3166 country code of the goods' origin (the supplier's, for now), e.g. "CA"
 * @param source where the rule comes from, said in the README and in the rules file
 * @param estimate true when the seller must confirm the rule before relying on it
 */
public record Duty(String id, Ratio rate, String origin, List<String> categories, LocalDate from, LocalDate until,
    List<Suspension> suspensions, String source, boolean estimate) {

  /** A period in which the duty is not charged on some of its categories. */
  public record Suspension(List<String> categories, LocalDate from, LocalDate until) {

    boolean covers(String category, LocalDate day) {
      return within(day, from, until) && matches(categories, category);
    }
  }

  public Duty {
    categories = List.copyOf(categories);
    suspensions = List.copyOf(suspensions);
  }

  /** Whether the duty is charged on goods of this category and origin on this day. */
  public boolean applies(String category, String goodsOrigin, LocalDate day) {
    if (category == null || !origin.equalsIgnoreCase(goodsOrigin) || !within(day, from, until)
        || !matches(categories, category)) {
      return false;
    }
    for (Suspension s : suspensions) {
      if (s.covers(category, day)) {
        return false;
      }
    }
    return true;
  }

  /** The days on which whether the duty applies may change: its own and its suspensions' bounds. */
  public List<LocalDate> boundaries() {
    java.util.ArrayList<LocalDate> days = new java.util.ArrayList<>();
    days.add(from);
    if (until != null) {
      days.add(until.plusDays(1));
    }
    for (Suspension s : suspensions) {
      days.add(s.from());
      if (s.until() != null) {
        days.add(s.until().plusDays(1));
      }
    }
    return days;
  }

  static boolean within(LocalDate day, LocalDate from, LocalDate until) {
    return !day.isBefore(from) && (until == null || !day.isAfter(until));
  }

  static boolean matches(List<String> prefixes, String category) {
    String c = category.toLowerCase(Locale.ROOT);
    for (String p : prefixes) {
      String prefix = p.toLowerCase(Locale.ROOT);
      if (c.equals(prefix) || c.startsWith(prefix + " >") || c.startsWith(prefix + ">")) {
        return true;
      }
    }
    return false;
  }
}
