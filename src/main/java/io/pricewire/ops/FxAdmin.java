package io.pricewire.ops;

import io.pricewire.http.ErrorBody;
import io.pricewire.http.Failure;
import io.pricewire.ledger.MarketChecks;
import io.pricewire.market.FxRate;
import io.pricewire.market.Ratio;
import io.pricewire.market.Valet;
import io.pricewire.store.RateStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exchange rates on the ops port, behind the admin token (the admin API's guard covers
 * {@code /admin/*}): {@code POST /admin/fx} takes rates as JSON, {@code POST /admin/fx/valet} a
 * Bank of Canada Valet FXCNYCAD file (CSV or JSON), {@code GET /admin/fx} shows the rate in force
 * per pair, and with {@code ?pair=CAD/CNY} its history. A request with any wrong rate keeps none.
 */
public final class FxAdmin {

  /** Most rates one request may carry. */
  public static final int MAX_RATES = 10_000;
  private static final int MAX_SOURCE = 200;

  private final io.vertx.core.Vertx vertx;
  private final RateStore rates;
  private final Clock clock;

  public FxAdmin(io.vertx.core.Vertx vertx, RateStore rates, Clock clock) {
    this.vertx = vertx;
    this.rates = rates;
    this.clock = clock;
  }

  /** A wrong rate in a request: the message names it. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public void mount(Router router) {
    router.post("/admin/fx").handler(this::post);
    router.post("/admin/fx/valet").handler(this::valet);
    router.get("/admin/fx").handler(this::get);
  }

  private void post(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    List<FxRate> parsed;
    try {
      JsonObject body;
      try {
        body = raw == null ? null : new JsonObject(raw);
      } catch (DecodeException | ClassCastException e) {
        throw new Invalid("the body must be a JSON object {\"rates\": [...]}");
      }
      if (body == null) {
        throw new Invalid("the body must be a JSON object {\"rates\": [...]}");
      }
      parsed = parse(body, clock.instant());
    } catch (Invalid e) {
      ErrorBody.send(ctx.response(), 400, "invalid_rates", e.getMessage());
      return;
    }
    keep(ctx, parsed);
  }

  private void valet(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    List<FxRate> parsed;
    try {
      parsed = Valet.read(raw == null ? "" : raw.toString(StandardCharsets.UTF_8), clock.instant());
    } catch (Valet.Invalid e) {
      ErrorBody.send(ctx.response(), 400, "invalid_valet_file", e.getMessage());
      return;
    }
    if (parsed.isEmpty()) {
      ErrorBody.send(ctx.response(), 400, "invalid_valet_file", "the file has no " + Valet.SERIES
          + " observation with a value");
      return;
    }
    keep(ctx, parsed);
  }

  private void keep(RoutingContext ctx, List<FxRate> parsed) {
    // Answered once the markets re-price: a rate now in force is logged as a market event first.
    long[] event = {-1};
    rates.add(parsed).compose(v -> MarketChecks.ask(vertx)).compose(seq -> {
      event[0] = seq;
      return rates.latest();
    }).onSuccess(latest -> {
      JsonObject answer = new JsonObject().put("accepted", parsed.size()).put("rates", describeAll(latest));
      answer.put("market_event_seq", event[0] >= 0 ? event[0] : null);
      ctx.response().putHeader("Content-Type", "application/json").end(answer.encode());
    }).onFailure(e -> Failure.of(e, "the rate store").send(ctx.response()));
  }

  private void get(RoutingContext ctx) {
    String pair = ctx.request().getParam("pair");
    if (pair != null) {
      rates.history(pair.toUpperCase(java.util.Locale.ROOT), 100).onSuccess(list -> {
        JsonArray history = new JsonArray();
        list.forEach(r -> history.add(describe(r)));
        ctx.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("pair", pair).put("history", history).encode());
      }).onFailure(e -> Failure.of(e, "the rate store").send(ctx.response()));
      return;
    }
    rates.latest().onSuccess(latest -> {
      ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("rates", describeAll(latest)).encode());
    }).onFailure(e -> Failure.of(e, "the rate store").send(ctx.response()));
  }

  static JsonObject describe(FxRate r) {
    return new JsonObject().put("base", r.base()).put("quote", r.quote()).put("rate", r.text())
        .put("as_of", r.asOf().toString()).put("source", r.source()).put("received_at", r.receivedAt().toString());
  }

  /** Reads {@code {"rates": [{"base", "quote", "rate", "as_of", "source"}]}}; any wrong entry refuses all. */
  static List<FxRate> parse(JsonObject body, Instant receivedAt) throws Invalid {
    if (!(body.getValue("rates") instanceof JsonArray list) || list.isEmpty()) {
      throw new Invalid("\"rates\" must be a non-empty list of rates");
    }
    if (list.size() > MAX_RATES) {
      throw new Invalid("at most " + MAX_RATES + " rates per request, got " + list.size());
    }
    List<FxRate> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String where = "rates[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject o)) {
        throw new Invalid(where + " must be an object");
      }
      String base = currency(o, "base", where);
      String quote = currency(o, "quote", where);
      if (base.equals(quote)) {
        throw new Invalid(where + ": base and quote are both " + base);
      }
      if (!(o.getValue("rate") instanceof String text)) {
        throw new Invalid(where + ".rate must be a decimal in a string, such as \"5.1432\" (a JSON number would "
            + "not stay exact)");
      }
      BigDecimal rate;
      try {
        rate = new BigDecimal(text.trim());
      } catch (NumberFormatException e) {
        throw new Invalid(where + ".rate is not a decimal: \"" + text + "\"");
      }
      if (rate.signum() <= 0 || rate.precision() - rate.scale() > 12 || rate.scale() > 12) {
        throw new Invalid(where + ".rate must be above 0, with at most 12 digits before and after the point, got "
            + text);
      }
      if (!(o.getValue("as_of") instanceof String day)) {
        throw new Invalid(where + ".as_of must be a date such as \"2026-11-30\"");
      }
      LocalDate asOf;
      try {
        asOf = LocalDate.parse(day);
      } catch (DateTimeParseException e) {
        throw new Invalid(where + ".as_of is not a date YYYY-MM-DD: \"" + day + "\"");
      }
      if (!(o.getValue("source") instanceof String source) || source.isBlank() || source.length() > MAX_SOURCE) {
        throw new Invalid(where + ".source must say where the rate comes from (1 to " + MAX_SOURCE
            + " characters)");
      }
      out.add(new FxRate(base, quote, Ratio.of(rate), rate.toPlainString(), asOf, source, receivedAt));
    }
    return out;
  }

  private static String currency(JsonObject o, String key, String where) throws Invalid {
    if (!(o.getValue(key) instanceof String code) || !code.matches("[A-Z]{3}")) {
      throw new Invalid(where + "." + key + " must be an ISO 4217 code such as \"CAD\"");
    }
    try {
      Currency.getInstance(code);
    } catch (IllegalArgumentException e) {
      throw new Invalid(where + "." + key + ": \"" + code + "\" is not an ISO 4217 code");
    }
    return code;
  }

  /** The rates in force, by pair. */
  static JsonObject describeAll(Map<String, FxRate> latest) {
    JsonObject json = new JsonObject();
    new TreeMap<>(latest).forEach((p, r) -> json.put(p, describe(r)));
    return json;
  }
}
