package io.pricewire.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the event loops the gateway's verticles run on, from a thread of its own: every 100 ms
 * it posts a no-op task to each verticle's context and notes how long the task waited. A loop
 * whose task waits past the threshold is blocked (someone ran blocking code on it); liveness then
 * fails, naming the verticle. The longest wait is exported as a gauge.
 */
public final class EventLoopWatch {

  private static final long PERIOD_MS = 100;

  private final long thresholdNanos;
  private final Map<String, Probe> probes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  /** One watched context: when its outstanding task was posted (0: none), and its last wait. */
  private static final class Probe {
    final Context context;
    volatile long postedNanos;
    volatile long lastLagNanos;

    Probe(Context context) {
      this.context = context;
    }

    long lagNanos(long now) {
      long posted = postedNanos;
      return posted != 0 ? Math.max(lastLagNanos, now - posted) : lastLagNanos;
    }
  }

  /** A verticle whose event loop is blocked, and for how long so far. */
  public record Blocked(String verticle, long blockedMs) {
  }

  public EventLoopWatch(long thresholdMs, MeterRegistry registry) {
    this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMs);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pricewire-event-loop-watch");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::probe, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    Gauge.builder("pricewire.event.loop.lag", this, w -> w.maxLagNanos() / 1e9)
        .description("Longest time a task waited for one of the gateway's event loops (over the last probes)")
        .baseUnit("seconds")
        .register(registry);
  }

  public void watch(String verticle, Context context) {
    probes.put(verticle, new Probe(context));
  }

  public void forget(String verticle) {
    probes.remove(verticle);
  }

  private void probe() {
    long now = System.nanoTime();
    for (Probe p : probes.values()) {
      if (p.postedNanos == 0) {
        p.postedNanos = now;
        p.context.runOnContext(v -> {
          p.lastLagNanos = System.nanoTime() - p.postedNanos;
          p.postedNanos = 0;
        });
      }
    }
  }

  private long maxLagNanos() {
    long now = System.nanoTime();
    long max = 0;
    for (Probe p : probes.values()) {
      max = Math.max(max, p.lagNanos(now));
    }
    return max;
  }

  /** Verticles whose loop has not run a task for longer than the threshold, by name. */
  public List<Blocked> blocked() {
    long now = System.nanoTime();
    List<Blocked> blocked = new ArrayList<>();
    new TreeMap<>(probes).forEach((name, p) -> {
      long posted = p.postedNanos;
      if (posted != 0 && now - posted > thresholdNanos) {
        blocked.add(new Blocked(name, TimeUnit.NANOSECONDS.toMillis(now - posted)));
      }
    });
    return blocked;
  }

  public long thresholdMs() {
    return TimeUnit.NANOSECONDS.toMillis(thresholdNanos);
  }

  public void close() {
    timer.shutdownNow();
  }
}
