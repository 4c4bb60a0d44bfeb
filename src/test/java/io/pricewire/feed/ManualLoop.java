package io.pricewire.feed;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A feed loop whose clock and tasks the test drives: nothing runs until the test says so, and
 * time moves only when the test moves it. Single-threaded, like an event loop.
 */
final class ManualLoop implements FeedLoop {

  private static final class Timer {
    final long id;
    long due;
    final long periodNanos;
    final Runnable task;
    boolean cancelled;

    Timer(long id, long due, long periodNanos, Runnable task) {
      this.id = id;
      this.due = due;
      this.periodNanos = periodNanos;
      this.task = task;
    }
  }

  private long now = TimeUnit.SECONDS.toNanos(1000);
  private long nextId = 1;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(
      Comparator.comparingLong((Timer t) -> t.due).thenComparingLong(t -> t.id));
  private final java.util.Map<Long, Timer> byId = new java.util.HashMap<>();

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void runSoon(Runnable task) {
    tasks.add(task);
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    return add(delayMs, 0, task);
  }

  @Override
  public long setPeriodic(long periodMs, Runnable task) {
    return add(periodMs, TimeUnit.MILLISECONDS.toNanos(periodMs), task);
  }

  private long add(long delayMs, long periodNanos, Runnable task) {
    Timer t = new Timer(nextId++, now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs)), periodNanos, task);
    timers.add(t);
    byId.put(t.id, t);
    return t.id;
  }

  @Override
  public void cancel(long timerId) {
    Timer t = byId.remove(timerId);
    if (t != null) {
      t.cancelled = true;
    }
  }

  /** Runs queued tasks, and the tasks they queue, until none is left. */
  void runTasks() {
    Runnable r;
    while ((r = tasks.poll()) != null) {
      r.run();
    }
  }

  /** Moves the clock forward by {@code ms}, running each due timer at its time, then the tasks. */
  void advance(long ms) {
    long until = now + TimeUnit.MILLISECONDS.toNanos(ms);
    runTasks();
    Timer t;
    while ((t = timers.peek()) != null && t.due <= until) {
      timers.poll();
      if (t.cancelled) {
        continue;
      }
      now = Math.max(now, t.due);
      if (t.periodNanos > 0) {
        t.due += t.periodNanos;
        timers.add(t);
      } else {
        byId.remove(t.id);
      }
      t.task.run();
      runTasks();
    }
    now = until;
  }
}
