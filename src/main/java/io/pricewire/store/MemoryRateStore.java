package io.pricewire.store;

import io.pricewire.market.FxRate;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exchange rates in this process only, like the memory store's offers; each pair keeps its
 * {@link #MAX_HISTORY} newest rates.
 */
final class MemoryRateStore implements RateStore {

  static final int MAX_HISTORY = 10_000;

  /** Per pair: newest day first; of one day, the last received first. */
  private final Map<String, List<FxRate>> byPair = new HashMap<>();

  @Override
  public synchronized Future<Void> add(List<FxRate> rates) {
    for (FxRate r : rates) {
      List<FxRate> list = byPair.computeIfAbsent(r.pair(), k -> new ArrayList<>());
      // Stable insertion: before every rate of an earlier day, after none of the same day.
      int at = 0;
      while (at < list.size() && list.get(at).asOf().isAfter(r.asOf())) {
        at++;
      }
      list.add(at, r);
      if (list.size() > MAX_HISTORY) {
        list.remove(list.size() - 1);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Map<String, FxRate>> latest() {
    Map<String, FxRate> latest = new HashMap<>();
    byPair.forEach((pair, list) -> latest.put(pair, list.get(0)));
    return Future.succeededFuture(latest);
  }

  @Override
  public synchronized Future<List<FxRate>> history(String pair, int limit) {
    List<FxRate> list = byPair.getOrDefault(pair, List.of());
    return Future.succeededFuture(List.copyOf(list.subList(0, Math.min(limit, list.size()))));
  }
}
