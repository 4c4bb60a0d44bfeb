package io.pricewire.market;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One accepted exchange rate: how many units of {@code quote} one unit of {@code base} buys, for
 * a day, from a source. Kept with the time it was received; rates are indicative (customs uses
 * its own monthly rate), so a projection made with one is an estimate.
 *
 * @param text the rate as it is shown: as given, or for an inverted rate (the Bank of Canada
 *     quotes CAD per CNY) rounded to 8 decimal places
 */
public record FxRate(String base, String quote, Ratio rate, String text, LocalDate asOf, String source,
    Instant receivedAt) {

  public FxRate {
    if (rate.signum() <= 0) {
      throw new IllegalArgumentException("a rate must be above 0");
    }
  }

  /** The pair, e.g. {@code CAD/CNY}. */
  public String pair() {
    return base + "/" + quote;
  }
}
