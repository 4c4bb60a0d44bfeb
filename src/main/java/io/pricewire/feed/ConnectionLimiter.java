package io.pricewire.feed;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Feed connections per client address, across every event loop of the node. */
public final class ConnectionLimiter {

  private final int max;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  /** @param max 0 for no limit */
  public ConnectionLimiter(int max) {
    this.max = max;
  }

  public int max() {
    return max;
  }

  /** Counts a new connection from this address; false when the address is at the limit. */
  public boolean tryAcquire(String address) {
    if (max == 0) {
      return true;
    }
    boolean[] ok = {false};
    open.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) {
        return n;
      }
      ok[0] = true;
      return count + 1;
    });
    return ok[0];
  }

  public void release(String address) {
    if (max != 0) {
      open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }
  }
}
