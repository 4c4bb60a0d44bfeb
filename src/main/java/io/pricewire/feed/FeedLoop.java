package io.pricewire.feed;

/**
 * What the feed core needs from the event loop it runs on: the time, tasks that run after the
 * ones already queued, and timers. The gateway runs the core on a Vert.x event loop
 * ({@link VertxFeedLoop}); its unit tests run it on a loop whose clock and tasks they drive.
 *
 * <p>Every method is called on the loop itself: for Vert.x, within its context (events that arrive
 * from elsewhere, such as Netty's, are handed to the context first).
 */
interface FeedLoop {

  /** Monotonic time in nanos. */
  long nanoTime();

  /** Runs the task on this loop once the tasks already queued have run. */
  void runSoon(Runnable task);

  /** Runs the task once, after at least {@code delayMs}; returns an id for {@link #cancel}. */
  long setTimer(long delayMs, Runnable task);

  /** Runs the task every {@code periodMs}; returns an id for {@link #cancel}. */
  long setPeriodic(long periodMs, Runnable task);

  void cancel(long timerId);
}
