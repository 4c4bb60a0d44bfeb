package io.pricewire.support;

import io.vertx.core.Vertx;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads single values from a gateway's /metrics, for tests that check what the gateway reports. */
public final class Metrics {

  private Metrics() {
  }

  /** The value of a series given as it appears, e.g. {@code pricewire_feed_pending_offers}. */
  public static double value(Vertx vertx, int opsPort, String series) {
    try (Http ops = new Http(vertx, opsPort)) {
      String text = ops.get("/metrics").bodyAsString();
      Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
      if (!m.find()) {
        throw new AssertionError("no series " + series + " in /metrics");
      }
      return Double.parseDouble(m.group(1));
    }
  }

  /** The value of a series, or 0 while the gateway has not reported it yet. */
  public static double valueOrZero(Vertx vertx, int opsPort, String series) {
    try (Http ops = new Http(vertx, opsPort)) {
      String text = ops.get("/metrics").bodyAsString();
      Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
  }
}
