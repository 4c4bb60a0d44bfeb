package io.pricewire.feed;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The feed core on a Vert.x event loop: the context the hub was started on. */
final class VertxFeedLoop implements FeedLoop {

  private final Vertx vertx;
  private final Context context;

  /** Call from the event loop the feed is to run on. */
  VertxFeedLoop(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void runSoon(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMs), id -> task.run());
  }

  @Override
  public long setPeriodic(long periodMs, Runnable task) {
    return vertx.setPeriodic(periodMs, id -> task.run());
  }

  @Override
  public void cancel(long timerId) {
    vertx.cancelTimer(timerId);
  }
}
