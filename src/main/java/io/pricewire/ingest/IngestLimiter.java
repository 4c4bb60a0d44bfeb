package io.pricewire.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Items per second per supplier: a token bucket per supplier, shared by every API verticle of the
 * node. JSON requests take their items at once or are refused (429); streams reserve each chunk's
 * items and wait until the bucket covers them, so a long feed file is slowed, not cut.
 *
 * <p>A bucket that has filled up again is the same as no bucket, so full ones are dropped once
 * many are held: the buckets kept are those of suppliers that wrote within the last
 * burst / rate seconds, however many supplier ids have ever written.
 */
public final class IngestLimiter {

  /** Buckets held before full ones are swept out. */
  static final int SWEEP_AT = 10_000;

  private final double perNano;
  private final double burst;
  private final LongSupplier clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile int sweepAt = SWEEP_AT;

  /** @param ratePerSecond 0 for no limit */
  public IngestLimiter(long ratePerSecond, long burst) {
    this(ratePerSecond, burst, System::nanoTime);
  }

  /** @param clock monotonic nanos */
  IngestLimiter(long ratePerSecond, long burst, LongSupplier clock) {
    this.perNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.clock = clock;
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

  /** One supplier's bucket; every use holds its lock, and a swept one is never used again. */
  private final class Bucket {
    private double tokens = burst;
    private long refilled = clock.getAsLong();
    private boolean swept;

    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - refilled) * perNano);
      refilled = now;
    }

    private boolean fullAt(long now) {
      return tokens + (now - refilled) * perNano >= burst;
    }

    private long tryTake(long n, long now) {
      refill(now);
      if (tokens >= n) {
        tokens -= n;
        return 0;
      }
      return (long) Math.ceil((n - tokens) / perNano);
    }

    private long reserve(long n, long now) {
      refill(now);
      tokens -= n;
      return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }
  }

  /** Takes n items now; returns 0, or how many nanos until they would be there (nothing taken). */
  public long tryTake(String supplier, long n) {
    return take(supplier, n, false);
  }

  /** Takes n items, borrowing ahead; returns how many nanos to wait before using them. */
  public long reserve(String supplier, long n) {
    return take(supplier, n, true);
  }

  private long take(String supplier, long n, boolean borrow) {
    if (unlimited()) {
      return 0;
    }
    while (true) {
      Bucket b = bucket(supplier);
      synchronized (b) {
        if (!b.swept) {
          long now = clock.getAsLong();
          return borrow ? b.reserve(n, now) : b.tryTake(n, now);
        }
      }
      // Swept between the lookup and the lock: a new bucket takes its place.
    }
  }

  private Bucket bucket(String supplier) {
    Bucket b = buckets.get(supplier);
    if (b != null) {
      return b;
    }
    if (buckets.size() >= sweepAt) {
      sweep();
    }
    return buckets.computeIfAbsent(supplier, s -> new Bucket());
  }

  /** Drops full buckets; next time sweeps when twice as many are held as are left now. */
  private synchronized void sweep() {
    if (buckets.size() < sweepAt) {
      return;
    }
    long now = clock.getAsLong();
    buckets.forEach((supplier, b) -> {
      synchronized (b) {
        if (b.fullAt(now)) {
          b.swept = true;
          buckets.remove(supplier, b);
        }
      }
    });
    sweepAt = Math.max(SWEEP_AT, 2 * buckets.size());
  }

  /** Buckets held now, for tests of the bound. */
  int buckets() {
    return buckets.size();
  }

  /** Whole seconds to tell a client in Retry-After for a wait of this many nanos. */
  public static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos) + 1);
  }
}
