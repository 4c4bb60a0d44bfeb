package io.pricewire.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Conversion then rounding never drifts from a reference computed with BigDecimal at 200 digits
 * (each amount one division at the end, so that exact half cents stay exact):
 * for any price (micros), any rate given directly or as the inverse of a Valet value, and any tax
 * class, the projection's price, tax and landed price equal the reference's, rounded half up once.
 */
class MoneyArithmeticProperties {

  private static final MathContext REFERENCE = new MathContext(200, RoundingMode.HALF_EVEN);
  private static final Instant NOW = Instant.parse("2026-12-01T04:00:00Z");

  @Provide
  Arbitrary<Long> micros() {
    return Arbitraries.oneOf(Arbitraries.longs().between(0, 1_000_000_000_000L),
        Arbitraries.longs().between(0, 100_000_000L), Arbitraries.longs().between(0, 1_000L).map(x -> x * 5_000L));
  }

  @Provide
  Arbitrary<String> rates() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(1, 99_999_999).map(x -> BigDecimal.valueOf(x, 4).toPlainString()),
        Arbitraries.integers().between(1, 9_999).map(x -> BigDecimal.valueOf(x, 4).toPlainString()));
  }

  @Provide
  Arbitrary<TaxClass> classes() {
    return Arbitraries.of(TaxClass.GENERAL, TaxClass.AGRI_9, TaxClass.WINE, TaxClass.COSMETICS_HIGH);
  }

  @Property(tries = 2000)
  void projectionMatchesReference(@ForAll("micros") long micros, @ForAll("rates") String rate,
      @ForAll boolean inverse, @ForAll("classes") TaxClass taxClass) throws Exception {
    BigDecimal given = new BigDecimal(rate);
    Ratio exactRate = inverse ? Ratio.of(given).inverse() : Ratio.of(given);
    FxRate fx = new FxRate("CAD", "CNY", exactRate, rate, LocalDate.parse("2026-11-30"), "test", NOW);
    Offer offer = new Offer(new OfferKey("s", "k"), 1, 1, new Money(micros, "CAD"), null, Availability.IN_STOCK,
        null, new TreeMap<>(), null, null, null, taxClass.id(), NOW);
    JsonObject m = Projection.of(offer, Market.CN_CBEC, Map.of(fx.pair(), fx), NOW);

    // Each reference amount is one quotient of exact products, divided once at 200 digits: an
    // amount exactly on a half cent (0.065 CAD / 0.0006 x 0.063 = 6.825) stays exactly there.
    BigDecimal cad = BigDecimal.valueOf(micros, 6);
    BigDecimal ct = taxClass.consumptionTax();
    BigDecimal taxShare = taxClass.vat().add(ct).multiply(new BigDecimal("0.7"));
    BigDecimal taxBase = BigDecimal.ONE.subtract(ct);
    BigDecimal price = (inverse ? cad.divide(given, REFERENCE) : cad.multiply(given))
        .setScale(2, RoundingMode.HALF_UP);
    BigDecimal tax = (inverse
        ? cad.multiply(taxShare).divide(given.multiply(taxBase), REFERENCE)
        : cad.multiply(given).multiply(taxShare).divide(taxBase, REFERENCE))
        .setScale(2, RoundingMode.HALF_UP);

    assertThat(m.getJsonObject("price").getString("amount")).isEqualTo(price.toPlainString());
    assertThat(m.getJsonObject("tax").getJsonObject("amount").getString("amount")).isEqualTo(tax.toPlainString());
    assertThat(m.getJsonObject("landed_price").getString("amount")).isEqualTo(price.add(tax).toPlainString());
    assertThat(m.getBoolean("cbec_limit_exceeded")).isEqualTo(price.compareTo(new BigDecimal("5000")) > 0);
  }

  /** Found by the property: 0.065 CAD at 1 / 0.0006 is CNY 108.33...; its 6.3% tax is exactly 6.825, so 6.83. */
  @net.jqwik.api.Example
  void exactHalfCentRoundsUp() throws Exception {
    projectionMatchesReference(65_000L, "0.0006", true, TaxClass.AGRI_9);
    FxRate fx = new FxRate("CAD", "CNY", Ratio.parse("0.0006").inverse(), "1666.67", LocalDate.parse("2026-11-30"),
        "test", NOW);
    Offer offer = new Offer(new OfferKey("s", "k"), 1, 1, new Money(65_000L, "CAD"), null, Availability.IN_STOCK,
        null, new TreeMap<>(), null, null, null, "agri_9", NOW);
    JsonObject m = Projection.of(offer, Market.CN_CBEC, Map.of(fx.pair(), fx), NOW);
    assertThat(m.getJsonObject("tax").getJsonObject("amount").getString("amount")).isEqualTo("6.83");
  }

  @Property(tries = 500)
  void ratioArithmeticIsExact(@ForAll("rates") String a, @ForAll("rates") String b) {
    Ratio x = Ratio.parse(a);
    Ratio y = Ratio.parse(b);
    assertThat(x.times(y).dividedBy(y)).isEqualTo(x);
    assertThat(x.plus(y).minus(y)).isEqualTo(x);
    assertThat(x.inverse().inverse()).isEqualTo(x);
    assertThat(x.times(y).exactDecimal()).isEqualByComparingTo(new BigDecimal(a).multiply(new BigDecimal(b)));
  }
}
