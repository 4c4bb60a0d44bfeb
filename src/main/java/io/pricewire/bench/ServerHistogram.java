package io.pricewire.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one Prometheus histogram from a gateway's /metrics text, and estimates quantiles of what
 * was recorded between two scrapes the way PromQL's histogram_quantile does (linear within a
 * bucket), so figures are comparable with the dashboards.
 */
final class ServerHistogram {

  private final Map<Double, Double> buckets;

  private ServerHistogram(Map<Double, Double> buckets) {
    this.buckets = buckets;
  }

  static ServerHistogram parse(String metrics, String name) {
    Pattern p = Pattern.compile("^" + Pattern.quote(name) + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} (\\S+)$",
        Pattern.MULTILINE);
    Matcher m = p.matcher(metrics);
    Map<Double, Double> buckets = new TreeMap<>();
    while (m.find()) {
      double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
      buckets.merge(le, Double.parseDouble(m.group(2)), Double::sum);
    }
    return new ServerHistogram(buckets);
  }

  /** This histogram's counts minus an earlier scrape's. */
  ServerHistogram minus(ServerHistogram earlier) {
    Map<Double, Double> d = new TreeMap<>();
    buckets.forEach((le, n) -> d.put(le, n - earlier.buckets.getOrDefault(le, 0.0)));
    return new ServerHistogram(d);
  }

  double count() {
    return buckets.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
  }

  /** @return seconds, or NaN without samples */
  double quantile(double q) {
    double total = count();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        double inBucket = e.getValue() - below;
        return inBucket <= 0 ? e.getKey() : lower + (e.getKey() - lower) * (rank - below) / inBucket;
      }
      lower = e.getKey();
      below = e.getValue();
    }
    return lower;
  }
}
