package io.pricewire.market;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a projection depends on besides the offer: the rate in force per pair and the
 * instant that decides which rules are in force and whether a rate is stale. A market event in
 * the change log carries the inputs from its seq on, so that every node, and a client resuming
 * across the event, projects with the same ones.
 *
 * @param at the instant of the rules and of rate staleness
 * @param rates the rate in force, by pair ("CAD/CNY")
 */
public record MarketInputs(Instant at, Map<String, FxRate> rates) {

  public MarketInputs {
    Objects.requireNonNull(at, "at");
    rates = Map.copyOf(rates);
  }

  /** The inputs with the rates in force from a list (the last of a pair wins). */
  public static MarketInputs of(Instant at, Collection<FxRate> rates) {
    Map<String, FxRate> byPair = new TreeMap<>();
    for (FxRate r : rates) {
      byPair.put(r.pair(), r);
    }
    return new MarketInputs(at, byPair);
  }

  /** The same rates at another instant. */
  public MarketInputs at(Instant instant) {
    return new MarketInputs(instant, rates);
  }

  /** The rates, ordered by pair. */
  public List<FxRate> rateList() {
    return List.copyOf(new TreeMap<>(rates).values());
  }

  /**
   * What of these inputs decides a market's projections: each rate into its currency with its
   * staleness, and each rule's state on the day (in force or not, each suspension running or
   * not). Two inputs with equal fingerprints project every offer of the market alike.
   */
  public String fingerprint(Market market) {
    StringBuilder f = new StringBuilder();
    for (FxRate r : new TreeMap<>(rates).values()) {
      if (r.quote().equals(market.currency())) {
        f.append(r.pair()).append('=').append(r.rate().numerator()).append('/').append(r.rate().denominator())
            .append(' ').append(r.text()).append(' ').append(r.asOf()).append(' ').append(r.source())
            .append(Projection.stale(r, market, at) ? " stale" : "").append(';');
      }
    }
    LocalDate day = at.atZone(Projection.CHINA).toLocalDate();
    for (Duty d : market.duties()) {
      f.append(d.id()).append(Duty.within(day, d.from(), d.until()) ? "+" : "-");
      for (Duty.Suspension s : d.suspensions()) {
        f.append(Duty.within(day, s.from(), s.until()) ? "s" : ".");
      }
      f.append(';');
    }
    return f.toString();
  }

  /** The markets whose projections differ between these inputs and {@code next}. */
  public List<String> affected(MarketInputs next, Collection<Market> markets) {
    List<String> ids = new ArrayList<>();
    for (Market m : markets) {
      if (!fingerprint(m).equals(next.fingerprint(m))) {
        ids.add(m.id());
      }
    }
    return ids;
  }

  /**
   * The first instant after {@code now} at which a market's fingerprint may change with these
   * rates: a rule starting or ending (midnight in China), or a rate becoming stale; null when
   * nothing is due.
   */
  public static Instant nextBoundary(Instant now, Map<String, FxRate> rates, Collection<Market> markets) {
    Instant next = null;
    for (Market m : markets) {
      for (Duty d : m.duties()) {
        for (LocalDate day : d.boundaries()) {
          next = earliestAfter(now, day.atStartOfDay(Projection.CHINA).toInstant(), next);
        }
      }
      for (FxRate r : rates.values()) {
        if (r.quote().equals(m.currency())) {
          // Stale once the allowed age has passed: the first instant strictly after it.
          Instant staleAt = r.asOf().atStartOfDay(Projection.CHINA).toInstant().plus(m.fxMaxAge()).plusMillis(1);
          next = earliestAfter(now, staleAt, next);
        }
      }
    }
    return next;
  }

  private static Instant earliestAfter(Instant now, Instant candidate, Instant best) {
    if (candidate.isAfter(now) && (best == null || candidate.isBefore(best))) {
      return candidate;
    }
    return best;
  }

  /** The rates as JSON, exactly (numerator and denominator as text): how the log and the cluster keep them. */
  public io.vertx.core.json.JsonArray ratesJson() {
    io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
    for (FxRate r : rateList()) {
      list.add(new io.vertx.core.json.JsonObject().put("base", r.base()).put("quote", r.quote())
          .put("num", r.rate().numerator().toString()).put("den", r.rate().denominator().toString())
          .put("text", r.text()).put("as_of", r.asOf().toString()).put("source", r.source())
          .put("received_at", r.receivedAt().toString()));
    }
    return list;
  }

  /** Reads what {@link #ratesJson()} wrote. */
  public static MarketInputs fromJson(Instant at, io.vertx.core.json.JsonArray rates) {
    List<FxRate> list = new ArrayList<>();
    for (Object o : rates) {
      io.vertx.core.json.JsonObject j = (io.vertx.core.json.JsonObject) o;
      list.add(new FxRate(j.getString("base"), j.getString("quote"),
          new Ratio(new java.math.BigInteger(j.getString("num")), new java.math.BigInteger(j.getString("den"))),
          j.getString("text"), LocalDate.parse(j.getString("as_of")), j.getString("source"),
          Instant.parse(j.getString("received_at"))));
    }
    return of(at, list);
  }
}
