package io.pricewire.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ingest rate limiter")
class IngestLimiterTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final IngestLimiter limiter = new IngestLimiter(100, 1000, now::get);

  private void pass(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  @DisplayName("a supplier takes its burst, then waits for the rate; others have their own bucket")
  void rate() {
    assertThat(limiter.tryTake("a", 1000)).isZero();
    assertThat(limiter.tryTake("a", 10)).as("nanos until 10 more are there").isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(limiter.tryTake("b", 1000)).isZero();
    pass(100);
    assertThat(limiter.tryTake("a", 10)).isZero();
    assertThat(limiter.reserve("a", 50)).as("a stream borrows ahead and waits").isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  @DisplayName("buckets of suppliers that stopped writing are dropped once refilled, so ids that come and go stay bounded")
  void bounded() {
    for (int i = 0; i < 50_000; i++) {
      limiter.tryTake("supplier-" + i, 1);
      if (i % 1000 == 0) {
        // Each bucket is full again 10 ms after it took its item.
        pass(20);
      }
      assertThat(limiter.buckets()).isLessThanOrEqualTo(2 * IngestLimiter.SWEEP_AT);
    }
    // A supplier still paying back its burst keeps its bucket through every sweep.
    limiter.tryTake("busy", 1000);
    for (int i = 0; i < 3 * IngestLimiter.SWEEP_AT; i++) {
      limiter.tryTake("other-" + i, 1);
    }
    assertThat(limiter.tryTake("busy", 1)).as("not refilled: the bucket was kept").isPositive();
    pass(10_000);
    limiter.tryTake("late", 1);
    for (int i = 0; i < IngestLimiter.SWEEP_AT; i++) {
      limiter.tryTake("last-" + i, 1);
    }
    assertThat(limiter.buckets()).isLessThan(IngestLimiter.SWEEP_AT + 10);
  }
}
