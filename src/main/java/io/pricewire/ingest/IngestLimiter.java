package io.pricewire.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Items per second per supplier: a token bucket per supplier, shared by every API verticle of the
 * node. JSON requests take their items at once or are refused (429); streams reserve each chunk's
 * items and wait until the bucket covers them, so a long feed file is slowed, not cut.
 */
public final class IngestLimiter {

  private final double perNano;
  private final double burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** @param ratePerSecond 0 for no limit */
  public IngestLimiter(long ratePerSecond, long burst) {
    this.perNano = ratePerSecond / 1e9;
    this.burst = burst;
  }

  public boolean unlimited() {
    return perNano == 0;
  }

  public long burst() {
    return (long) burst;
  }

  public long ratePerSecond() {
    return Math.round(perNano * 1e9);
  }

  private final class Bucket {
    private double tokens = burst;
    private long refilled = System.nanoTime();

    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - refilled) * perNano);
      refilled = now;
    }

    synchronized long tryTake(long n) {
      refill(System.nanoTime());
      if (tokens >= n) {
        tokens -= n;
        return 0;
      }
      return (long) Math.ceil((n - tokens) / perNano);
    }

    synchronized long reserve(long n) {
      refill(System.nanoTime());
      tokens -= n;
      return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }
  }

  /** Takes n items now; returns 0, or how many nanos until they would be there (nothing taken). */
  public long tryTake(String supplier, long n) {
    return unlimited() ? 0 : bucket(supplier).tryTake(n);
  }

  /** Takes n items, borrowing ahead; returns how many nanos to wait before using them. */
  public long reserve(String supplier, long n) {
    return unlimited() ? 0 : bucket(supplier).reserve(n);
  }

  private Bucket bucket(String supplier) {
    return buckets.computeIfAbsent(supplier, s -> new Bucket());
  }

  /** Whole seconds to tell a client in Retry-After for a wait of this many nanos. */
  public static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos) + 1);
  }
}
