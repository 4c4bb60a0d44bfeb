package io.pricewire.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** Latency summaries from an HdrHistogram recorded in microseconds. */
final class Percentiles {

  private Percentiles() {
  }

  static Histogram micros() {
    return new Histogram(60_000_000L, 3);
  }

  static String row(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "no samples";
    }
    return String.format("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%d samples)", ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()), h.getTotalCount());
  }

  static JsonObject json(Histogram h) {
    return new JsonObject()
        .put("samples", h.getTotalCount())
        .put("p50_ms", h.getValueAtPercentile(50) / 1000.0)
        .put("p90_ms", h.getValueAtPercentile(90) / 1000.0)
        .put("p99_ms", h.getValueAtPercentile(99) / 1000.0)
        .put("p999_ms", h.getValueAtPercentile(99.9) / 1000.0)
        .put("max_ms", h.getMaxValue() / 1000.0);
  }

  static String ms(long micros) {
    return String.format("%.2f ms", micros / 1000.0);
  }
}
