package io.pricewire.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("markets: conversion, CBEC tax, duties, titles")
class MarketTest {

  static final Instant NOW = Instant.parse("2026-12-01T04:00:00Z");

  static FxRate cadCny(String rate, String asOf) {
    return new FxRate("CAD", "CNY", Ratio.parse(rate), rate, LocalDate.parse(asOf), "test", NOW);
  }

  static Offer offer(String price, String sale, String category, Map<String, String> titles) throws Money.Invalid {
    return new Offer(new OfferKey("orchard", "cherries-2kg"), 1, 1, Money.parse(price),
        sale == null ? null : Money.parse(sale), Availability.IN_STOCK, null, new TreeMap<>(titles), category, null,
        null, null, NOW);
  }

  static JsonObject project(Offer o, String taxClass, Market m, FxRate fx) throws Projection.NoRate {
    Offer classed = new Offer(o.key(), o.version(), o.seq(), o.price(), o.salePrice(), o.availability(), o.quantity(),
        o.titles(), o.category(), o.brand(), o.gtin(), taxClass, o.committedAt());
    return Projection.of(classed, m, Map.of(fx.pair(), fx), NOW);
  }

  @Test
  @DisplayName("the README's worked example: 2 kg of cherries at 39.00 CAD, rate 5.10")
  void workedExample() throws Exception {
    Offer cherries = offer("39.00 CAD", null, "Fruit > Cherries", Map.of("en", "Cherries 2 kg", "zh-CN", "车厘子 2公斤"));
    JsonObject m = project(cherries, null, Market.CN_CBEC, cadCny("5.10", "2026-11-30"));
    assertThat(m.getJsonObject("price")).isEqualTo(new JsonObject().put("amount", "198.90").put("currency", "CNY"));
    JsonObject tax = m.getJsonObject("tax");
    assertThat(tax.getString("rate")).isEqualTo("0.063");
    assertThat(tax.getJsonObject("amount").getString("amount")).isEqualTo("12.53");
    assertThat(tax.getString("class")).isEqualTo("agri_9");
    assertThat(tax.getString("class_from")).isEqualTo("category");
    assertThat(tax.getJsonArray("rules").getList()).containsExactly("cbec-agri_9");
    assertThat(m.getJsonObject("landed_price").getString("amount")).isEqualTo("211.43");
    assertThat(m.getString("title")).isEqualTo("车厘子 2公斤");
    assertThat(m.getString("title_locale")).isEqualTo("zh-CN");
    assertThat(m.getJsonObject("fx")).isEqualTo(new JsonObject().put("rate", "5.10").put("as_of", "2026-11-30")
        .put("source", "test"));
    assertThat(m.getBoolean("fx_stale")).isFalse();
    assertThat(m.getBoolean("cbec_limit_exceeded")).isFalse();
  }

  @Test
  @DisplayName("the comprehensive CBEC rates: 9.1%, 6.3%, 17.9%, 23.1%")
  void cbecRates() {
    assertThat(TaxClass.GENERAL.cbecRate().exactDecimal()).isEqualByComparingTo("0.091");
    assertThat(TaxClass.AGRI_9.cbecRate().exactDecimal()).isEqualByComparingTo("0.063");
    // (0.13 + 0.10) / 0.9 x 0.7 and (0.13 + 0.15) / 0.85 x 0.7 have no finite decimal form.
    assertThat(TaxClass.WINE.cbecRate()).isEqualTo(Ratio.of(161, 900));
    assertThat(TaxClass.WINE.cbecRate().round(3)).isEqualByComparingTo("0.179");
    assertThat(TaxClass.COSMETICS_HIGH.cbecRate().round(3)).isEqualByComparingTo("0.231");
  }

  @Test
  @DisplayName("the tax class comes from the offer, else its category, else the market's default")
  void classChoice() throws Exception {
    Offer wine = offer("80.00 CAD", null, "Wine > Ice wine", Map.of("en", "Vidal ice wine"));
    FxRate fx = cadCny("5.00", "2026-11-30");
    JsonObject byCategory = project(wine, null, Market.CN_CBEC, fx).getJsonObject("tax");
    assertThat(byCategory.getString("class")).isEqualTo("wine");
    assertThat(byCategory.getString("rate")).isEqualTo("0.1789");
    // 400.00 x 161/900 = 71.5555...
    assertThat(byCategory.getJsonObject("amount").getString("amount")).isEqualTo("71.56");
    JsonObject named = project(wine, "general", Market.CN_CBEC, fx).getJsonObject("tax");
    assertThat(named.getString("class")).isEqualTo("general");
    assertThat(named.getString("class_from")).isEqualTo("offer");
    Offer parka = offer("500.00 CAD", null, "Apparel > Parkas", Map.of("en", "Parka"));
    JsonObject fallback = project(parka, null, Market.CN_CBEC, fx).getJsonObject("tax");
    assertThat(fallback.getString("class")).isEqualTo("general");
    assertThat(fallback.getString("class_from")).isEqualTo("default");
    assertThat(fallback.getJsonObject("amount").getString("amount")).isEqualTo("227.50");
  }

  @Test
  @DisplayName("the sale price is the goods price; over CNY 5,000 of goods is flagged")
  void saleAndLimit() throws Exception {
    FxRate fx = cadCny("5.10", "2026-11-30");
    JsonObject sale = project(offer("1000.00 CAD", "900.00 CAD", "Apparel", Map.of()), null, Market.CN_CBEC, fx);
    assertThat(sale.getJsonObject("sale_price").getString("amount")).isEqualTo("4590.00");
    assertThat(sale.getJsonObject("landed_price").getString("amount")).isEqualTo("5007.69");
    assertThat(sale.getBoolean("cbec_limit_exceeded")).as("4,590 of goods is within the limit").isFalse();
    JsonObject over = project(offer("1000.00 CAD", null, "Apparel", Map.of()), null, Market.CN_CBEC, fx);
    assertThat(over.getBoolean("cbec_limit_exceeded")).isTrue();
  }

  @Test
  @DisplayName("a duty applies from its first day, not within its suspensions, and ends after its last")
  void dutyDates() throws Exception {
    Duty aquatic = new Duty("cn-2025-ca-aquatic-pork", Ratio.parse("0.25"), "CA", List.of("Seafood", "Meat > Pork"),
        LocalDate.parse("2025-03-20"), null,
        List.of(new Duty.Suspension(List.of("Seafood > Lobster", "Seafood > Crab"), LocalDate.parse("2026-03-01"),
            LocalDate.parse("2026-12-31"))),
        "test", true);
    Market market = Market.CN_CBEC.withDuties(List.of(aquatic));
    assertThat(market.dutiesOn("Seafood > Lobster", LocalDate.parse("2025-03-19"))).isEmpty();
    assertThat(market.dutiesOn("Seafood > Lobster", LocalDate.parse("2025-03-20"))).containsExactly(aquatic);
    assertThat(market.dutiesOn("Seafood > Lobster", LocalDate.parse("2026-03-01"))).isEmpty();
    assertThat(market.dutiesOn("Seafood > Lobster", LocalDate.parse("2026-12-31"))).isEmpty();
    assertThat(market.dutiesOn("Seafood > Lobster", LocalDate.parse("2027-01-01"))).containsExactly(aquatic);
    assertThat(market.dutiesOn("Seafood > Salmon", LocalDate.parse("2026-06-01"))).containsExactly(aquatic);
    assertThat(market.dutiesOn("Meat > Pork > Belly", LocalDate.parse("2026-06-01"))).containsExactly(aquatic);
    assertThat(market.dutiesOn("Meat > Beef", LocalDate.parse("2026-06-01"))).isEmpty();
    assertThat(aquatic.boundaries()).contains(LocalDate.parse("2025-03-20"), LocalDate.parse("2026-03-01"),
        LocalDate.parse("2027-01-01"));

    // In the projection: China's calendar day decides (16:00 UTC on 2026-02-28 is already 1 March there).
    Offer lobster = new Offer(new OfferKey("atlantic", "lobster"), 1, 1, Money.parse("100.00 CAD"), null,
        Availability.IN_STOCK, null, new TreeMap<>(), "Seafood > Lobster", null, null, null, NOW);
    FxRate fx = cadCny("5.00", "2026-02-27");
    JsonObject before = Projection.of(lobster, market, Map.of(fx.pair(), fx), Instant.parse("2026-02-28T15:59:59Z"))
        .getJsonObject("tax");
    assertThat(before.getJsonArray("rules").getList()).containsExactly("cbec-agri_9", "cn-2025-ca-aquatic-pork");
    assertThat(before.getString("rate")).isEqualTo("0.313");
    assertThat(before.getJsonObject("amount").getString("amount")).isEqualTo("156.50");
    JsonObject after = Projection.of(lobster, market, Map.of(fx.pair(), fx), Instant.parse("2026-02-28T16:00:00Z"))
        .getJsonObject("tax");
    assertThat(after.getJsonArray("rules").getList()).containsExactly("cbec-agri_9");
    assertThat(after.getJsonObject("amount").getString("amount")).isEqualTo("31.50");
  }

  @Test
  @DisplayName("titles: the market's locales in order, else the offer's first, and which one was used")
  void titles() throws Exception {
    FxRate fx = cadCny("5.10", "2026-11-30");
    JsonObject zh = project(offer("1.00 CAD", null, null, Map.of("en", "Maple syrup", "zh", "枫糖浆")), null,
        Market.CN_CBEC, fx);
    assertThat(zh.getString("title_locale")).isEqualTo("zh");
    JsonObject fr = project(offer("1.00 CAD", null, null, Map.of("fr", "Sirop d'érable")), null, Market.CN_CBEC, fx);
    assertThat(fr.getString("title")).isEqualTo("Sirop d'érable");
    assertThat(fr.getString("title_locale")).isEqualTo("fr");
    JsonObject none = project(offer("1.00 CAD", null, null, Map.of()), null, Market.CN_CBEC, fx);
    assertThat(none.containsKey("title")).isFalse();
  }

  @Test
  @DisplayName("no rate: a clear error, never a price; an old rate is marked stale")
  void noRateAndStale() throws Exception {
    Offer o = offer("10.00 CAD", null, null, Map.of());
    assertThatThrownBy(() -> Projection.of(o, Market.CN_CBEC, Map.of(), NOW))
        .isInstanceOf(Projection.NoRate.class).hasMessageContaining("no CAD/CNY rate");
    // 2026-11-27 began at 16:00 UTC on the 26th in China; four days later is 16:00 UTC on the 30th.
    assertThat(project(o, null, Market.CN_CBEC, cadCny("5.10", "2026-11-27")).getBoolean("fx_stale")).isTrue();
    assertThat(project(o, null, Market.CN_CBEC, cadCny("5.10", "2026-11-28")).getBoolean("fx_stale")).isFalse();
  }

  @Test
  @DisplayName("the ca market shows CAD offers as written, with no tax and no rate")
  void canada() throws Exception {
    JsonObject m = Projection.of(offer("39.00 CAD", null, "Fruit", Map.of("en", "Cherries")), Market.CA,
        Map.of(), NOW);
    assertThat(m.getJsonObject("price").getString("amount")).isEqualTo("39.00");
    assertThat(m.getJsonObject("tax").getString("rate")).isEqualTo("0");
    assertThat(m.getJsonObject("landed_price").getString("amount")).isEqualTo("39.00");
    assertThat(m.containsKey("fx")).isFalse();
    assertThat(m.getString("title_locale")).isEqualTo("en");
  }

  @Test
  @DisplayName("the offer field tax_class accepts exactly the markets' classes")
  void offerClassesAreTheMarketsClasses() {
    assertThat(io.pricewire.offer.OfferParser.TAX_CLASSES).isEqualTo(Market.CBEC_CLASSES.keySet());
  }
}
