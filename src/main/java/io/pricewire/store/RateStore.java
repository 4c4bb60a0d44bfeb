package io.pricewire.store;

import io.pricewire.market.FxRate;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Exchange rates with their history: every accepted rate is kept with the time it was received.
 * The rate in force for a pair is the one for the latest day; of several for that day, the last
 * received.
 */
public interface RateStore {

  /** Keeps the rates, all or none. */
  Future<Void> add(List<FxRate> rates);

  /** The rate in force per pair ("CAD/CNY"). */
  Future<Map<String, FxRate>> latest();

  /** The accepted rates of a pair, newest day first, at most {@code limit}. */
  Future<List<FxRate>> history(String pair, int limit);
}
