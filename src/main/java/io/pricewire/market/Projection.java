package io.pricewire.market;

import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An offer as one market shows it: prices converted into the market's currency, the estimated
 * import tax, the landed price, the title in the market's locale.
 *
 * <p>The arithmetic is exact until the end: a price in micros times the rate (a {@link Ratio}),
 * times the tax rate (a ratio too), each displayed amount rounded once, half up, to the market
 * currency's minor unit. The goods price is the sale price where one is set, else the price; the
 * tax is the rounded product of the exact converted goods price and the total rate (the CBEC rate
 * of the offer's class plus any duties in force); the landed price is the rounded goods price
 * plus the rounded tax, so that the amounts a shopper sees add up.
 */
public final class Projection {

  /** China's calendar decides on which day a rule starts or ends. */
  public static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  private Projection() {
  }

  /** Raised when an offer cannot be shown in a market: no rate for its currency. */
  public static final class NoRate extends Exception {
    public NoRate(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The {@code market} object of an offer.
   *
   * @param rates the latest rate per pair ("CAD/CNY"); the identity needs none
   * @param now decides which rules are in force and whether the rate is stale
   */
  public static JsonObject of(Offer offer, Market market, Map<String, FxRate> rates, Instant now)
      throws NoRate {
    JsonObject json = new JsonObject().put("id", market.id());
    Money price = offer.price();
    Money sale = offer.salePrice();
    FxRate fx = null;
    Ratio rate = Ratio.ONE;
    String from = price != null ? price.currency() : sale != null ? sale.currency() : null;
    if (from != null && !from.equals(market.currency())) {
      fx = rates.get(from + "/" + market.currency());
      if (fx == null) {
        throw new NoRate("market " + market.id() + " has no " + from + "/" + market.currency()
            + " rate yet: post one to /admin/fx on the ops port");
      }
      rate = fx.rate();
    }
    if (price != null) {
      json.put("price", amount(converted(price, rate), market));
    }
    if (sale != null) {
      json.put("sale_price", amount(converted(sale, rate), market));
    }
    Money goods = sale != null ? sale : price;
    LocalDate day = now.atZone(CHINA).toLocalDate();
    if (goods != null) {
      Ratio exact = converted(goods, rate);
      BigDecimal goodsAmount = exact.round(market.minorDigits());
      JsonObject tax = new JsonObject();
      Ratio taxRate = Ratio.ZERO;
      List<String> rules = new ArrayList<>();
      if (market.cbec()) {
        Market.ClassChoice choice = market.taxClassOf(offer.taxClass(), offer.category());
        taxRate = choice.taxClass().cbecRate();
        rules.add(choice.taxClass().cbecRuleId());
        tax.put("class", choice.taxClass().id()).put("class_from", choice.from());
        for (Duty d : market.dutiesOn(offer.category(), day)) {
          taxRate = taxRate.plus(d.rate());
          rules.add(d.id());
        }
      }
      BigDecimal taxAmount = exact.times(taxRate).round(market.minorDigits());
      tax.put("rate", rateText(taxRate))
          .put("amount", money(taxAmount, market))
          .put("rules", new JsonArray(rules));
      json.put("tax", tax);
      json.put("landed_price", money(goodsAmount.add(taxAmount), market));
      json.put("cbec_limit_exceeded", market.itemLimit() != null && goodsAmount.compareTo(market.itemLimit()) > 0);
    } else {
      json.put("cbec_limit_exceeded", false);
    }
    if (fx != null) {
      json.put("fx", new JsonObject().put("rate", fx.text()).put("as_of", fx.asOf().toString())
          .put("source", fx.source()));
      json.put("fx_stale", stale(fx, market, now));
    } else {
      json.put("fx_stale", false);
    }
    putTitle(json, offer, market);
    return json;
  }

  /** Whether a rate is older than the market allows: its day began more than the allowed age ago. */
  public static boolean stale(FxRate fx, Market market, Instant now) {
    Instant dayStart = fx.asOf().atStartOfDay(CHINA).toInstant();
    return dayStart.plus(market.fxMaxAge()).isBefore(now);
  }

  /** The price in micros times the rate, exact. */
  public static Ratio converted(Money money, Ratio rate) {
    return Ratio.of(money.micros(), 1_000_000L).times(rate);
  }

  private static JsonObject amount(Ratio exact, Market market) {
    return money(exact.round(market.minorDigits()), market);
  }

  private static JsonObject money(BigDecimal amount, Market market) {
    return new JsonObject().put("amount", amount.setScale(market.minorDigits()).toPlainString())
        .put("currency", market.currency());
  }

  /** A tax rate as shown: exact when it has at most 4 decimal places, else rounded to 4. */
  static String rateText(Ratio rate) {
    BigDecimal shown = rate.round(4).stripTrailingZeros();
    return shown.signum() == 0 ? "0" : shown.toPlainString();
  }

  private static void putTitle(JsonObject json, Offer offer, Market market) {
    Map<String, String> titles = offer.titles();
    if (titles.isEmpty()) {
      return;
    }
    for (String locale : market.locales()) {
      String title = titles.get(locale);
      if (title != null) {
        json.put("title", title).put("title_locale", locale);
        return;
      }
    }
    // None of the market's locales: the first the offer has, and the answer says which.
    Map.Entry<String, String> first = offer.titles().entrySet().iterator().next();
    json.put("title", first.getValue()).put("title_locale", first.getKey());
  }
}
