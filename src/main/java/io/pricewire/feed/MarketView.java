package io.pricewire.feed;

import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.Market;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.Projection;
import io.pricewire.offer.Offer;
import io.pricewire.store.MarketLog;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The markets as one hub shows them, at the hub's place in the log: the projection inputs of the
 * last market event it handed out (before the first event: no rates, and the clock for the
 * rules), and each market's last event seq, which decides whether a client of that market can
 * resume from its seq or must start over. Lives on the hub's event loop.
 */
public final class MarketView {

  /** The currency suppliers price in: a market in it shows offers without any rate. */
  public static final String HOME_CURRENCY = "CAD";

  private final Map<String, Market> markets;
  private final Clock clock;
  private MarketInputs inputs;
  /** Seq of the event whose inputs are in force; -1 before the first. */
  private long generation = -1;
  private final Map<String, Long> lastSeqByMarket = new HashMap<>();
  private final FeedMetrics metrics;
  /**
   * Offers encoded with their projection under the inputs in force, by the offer object: a
   * change's offer is one object for all its subscribers, and the subscriptions that share a
   * snapshot read share its offer objects, so each is projected and encoded once per market.
   * Bounded; emptied by each event (before the first, the rules follow the clock, but a rule
   * boundary is an event too).
   */
  private final Map<Same, String> encoded = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Same, String> eldest) {
      return size() > MAX_ENCODED;
    }
  };

  /** An offer object (by identity: equal states read twice are two entries) in a market. */
  private record Same(Offer offer, String market) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Same s && s.offer == offer && s.market.equals(market);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(offer) * 31 + market.hashCode();
    }
  }

  /** Most offers kept encoded per hub (about 0.7 KiB each). */
  static final int MAX_ENCODED = 8_192;

  MarketView(Map<String, Market> markets, Clock clock, FeedMetrics metrics) {
    this.markets = Map.copyOf(markets);
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Takes the log's state (at start, and after a gap). */
  void load(MarketLog log) {
    encoded.clear();
    lastSeqByMarket.clear();
    lastSeqByMarket.putAll(log.lastSeqByMarket());
    if (log.last() != null) {
      inputs = log.last().inputs();
      generation = log.last().seq();
    } else {
      inputs = null;
      generation = -1;
    }
  }

  /** An event handed out by the hub, in seq order. */
  void apply(MarketEvent event) {
    encoded.clear();
    inputs = event.inputs();
    generation = event.seq();
    for (String m : event.markets()) {
      lastSeqByMarket.put(m, event.seq());
    }
  }

  Market market(String id) {
    return markets.get(id);
  }

  String known() {
    return String.join(", ", new TreeSet<>(markets.keySet()));
  }

  /** Seq of the event in force; changes whenever projections may. */
  long generation() {
    return generation;
  }

  /** Whether a market had an event after {@code seq}: a client of it resuming from there starts over. */
  boolean changedAfter(Market market, long seq) {
    Long last = lastSeqByMarket.get(market.id());
    return last != null && last > seq;
  }

  MarketInputs inputs() {
    return inputs != null ? inputs : new MarketInputs(clock.instant(), Map.of());
  }

  /**
   * The market a subscription names, checked against the markets, the token's {@code markets}
   * claim and the rates: refused with {@code unknown_market}, {@code forbidden_market} or
   * {@code no_fx_rate}, whatever the transport.
   */
  Market admit(String id, io.pricewire.auth.Scope scope, String op, String subscription) throws ProtocolError {
    Market market = markets.get(id);
    if (market == null) {
      throw new ProtocolError("unknown_market", "no market \"" + id + "\"; markets: " + known(), op, subscription);
    }
    if (!scope.allowsMarket(market.id())) {
      throw new ProtocolError("forbidden_market", "the storefront token does not cover market " + market.id(), op,
          subscription);
    }
    String refusal = refusal(market);
    if (refusal != null) {
      throw new ProtocolError("no_fx_rate", refusal, op, subscription);
    }
    return market;
  }

  /** The HTTP status an SSE request is refused with for a refusal of {@link #admit}. */
  static int status(ProtocolError refusal) {
    return switch (refusal.code()) {
      case "unknown_market" -> 404;
      case "forbidden_market" -> 403;
      default -> 409;
    };
  }

  /**
   * Why a subscription to this market cannot be served now, or null: a market in a currency
   * other than the suppliers' has no rate into it yet, so it could show no price at all.
   */
  private String refusal(Market market) {
    if (market.currency().equals(HOME_CURRENCY)) {
      return null;
    }
    for (var r : inputs().rates().values()) {
      if (r.quote().equals(market.currency())) {
        return null;
      }
    }
    return "market " + market.id() + " has no exchange rate into " + market.currency()
        + " yet, so it can show no price; the operator posts one to /admin/fx on the ops port";
  }

  /**
   * The {@code market} object of an offer; for an offer in a currency without a rate, an object
   * that says so and carries no price, never a wrong one.
   */
  JsonObject project(Offer offer, Market market) {
    metrics.projections.increment();
    try {
      return Projection.of(offer, market, inputs().rates(), inputs().at());
    } catch (Projection.NoRate e) {
      return new JsonObject().put("id", market.id())
          .put("error", new JsonObject().put("code", "no_fx_rate").put("message", e.getMessage()));
    }
  }

  /** The offer as a market's subscriber sees it: every field, and the {@code market} object. */
  String offerJson(Offer offer, Market market) {
    String cached = encoded.get(new Same(offer, market.id()));
    if (cached == null) {
      cached = encode(offer, market);
      encoded.put(new Same(offer, market.id()), cached);
    }
    return cached;
  }

  private String encode(Offer offer, Market market) {
    return offer.toJson().put("market", project(offer, market)).encode();
  }
}
