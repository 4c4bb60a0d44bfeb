package io.pricewire.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.offer.FieldError;
import io.pricewire.offer.Gtin;
import io.pricewire.offer.Money;
import io.pricewire.offer.OfferParser;
import io.pricewire.offer.ParsedItem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.Scale;

/** Properties of the offer parsers over generated and hostile input. */
class ParserProperties {

  static final List<String> FIELDS = List.of("sku", "price", "sale_price", "availability", "quantity", "title",
      "category", "brand", "gtin", "version", "updated_at", "id", "link", "");

  @Property
  @Label("any text is either a price or refused with a price error code, nothing else")
  void priceText(@ForAll("priceLike") String text) {
    try {
      Money m = Money.parse(text);
      assertThat(m.micros()).isNotNegative();
      assertThat(m.currency()).hasSize(3);
    } catch (Money.Invalid e) {
      assertThat(e.code()).isNotBlank();
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> priceLike() {
    Arbitrary<String> amounts = Arbitraries.oneOf(
        Arbitraries.bigDecimals().ofScale(Arbitraries.integers().between(0, 8).sample()).map(BigDecimal::toPlainString),
        Arbitraries.strings().withChars("0123456789.,-+eE ").ofMaxLength(20));
    Arbitrary<String> currencies = Arbitraries.oneOf(Arbitraries.of("CAD", "CNY", "USD", "JPY", "KWD", "XXX", "cad"),
        Arbitraries.strings().ofMaxLength(5));
    return Arbitraries.oneOf(Combinators.combine(amounts, currencies).as((a, c) -> a + " " + c),
        Arbitraries.strings().ofMaxLength(40));
  }

  @Property
  @Label("exact decimals with at most six places read back exactly")
  void exactAmounts(@ForAll @BigRange(min = "0", max = "999999999999") @Scale(6) BigDecimal amount) throws Exception {
    Money m = Money.parse(amount.toPlainString() + " CAD");
    assertThat(BigDecimal.valueOf(m.micros(), 6).compareTo(amount)).isZero();
    assertThat(new BigDecimal(m.amount()).compareTo(amount)).isZero();
  }

  @Property
  @Label("a GTIN with a computed check digit passes, any other last digit fails, and nothing throws")
  void gtins(@ForAll("gtinBodies") String body, @ForAll("anyText") String junk) {
    int check = checkDigit(body);
    assertThat(Gtin.problem(body + check)).isNull();
    assertThat(Gtin.problem(body + ((check + 1) % 10))).isNotNull();
    Gtin.problem(junk);
  }

  @Provide
  Arbitrary<String> gtinBodies() {
    return Arbitraries.of(7, 11, 12, 13).flatMap(n -> Arbitraries.strings().numeric().ofLength(n));
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().ofMaxLength(30);
  }

  static int checkDigit(String body) {
    int n = body.length() + 1;
    int sum = 0;
    for (int i = 0; i < body.length(); i++) {
      int d = body.charAt(i) - '0';
      sum += ((n - 1 - i) % 2 == 1) ? d * 3 : d;
    }
    return (10 - sum % 10) % 10;
  }

  @Property(tries = 3000)
  @Label("any JSON item is read or refused with named, coded errors, never an exception")
  void jsonItems(@ForAll("jsonItems") Object item) {
    ParsedItem p = OfferParser.fromJson(item, new HashSet<>());
    if (p.accepted()) {
      assertThat(p.errors()).isEmpty();
      assertThat(p.write().sku()).isNotBlank();
    } else {
      assertThat(p.write()).as("a refused item carries nothing to apply").isNull();
      assertThat(p.errors()).isNotEmpty();
      for (FieldError e : p.errors()) {
        assertThat(e.code()).isNotBlank();
        assertThat(e.message()).isNotBlank();
        if (!List.of("not_an_object", "no_fields").contains(e.code())) {
          assertThat(e.field()).as("error %s names its field", e.code()).isNotBlank();
        }
      }
    }
  }

  @Provide
  Arbitrary<Object> jsonItems() {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(60).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just(null),
        Arbitraries.of("12.50 CAD", "in_stock", "out of stock", "4006381333931", "2026-11-29T08:00:00Z", "zh-CN")
            .map(s -> (Object) s));
    Arbitrary<Object> nested = Arbitraries.oneOf(scalars,
        Arbitraries.maps(Arbitraries.of("amount", "currency", "en", "zh-CN", "x y"), scalars).ofMaxSize(3)
            .map(m -> (Object) new JsonObject(new HashMap<>(m))),
        scalars.list().ofMaxSize(3).map(l -> (Object) new JsonArray(l)));
    Arbitrary<Object> objects = Arbitraries.maps(Arbitraries.of(FIELDS), nested).ofMaxSize(8)
        .map(m -> (Object) new JsonObject(new HashMap<>(m)));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, objects), net.jqwik.api.Tuple.of(1, nested));
  }

  @Property(tries = 2000)
  @Label("any feed row is read or refused with named errors, never an exception")
  void feedRows(@ForAll("rows") Map<String, String> row) {
    ParsedItem p = OfferParser.fromRow(row);
    if (!p.accepted()) {
      assertThat(p.write()).isNull();
      p.errors().forEach(e -> assertThat(e.code()).isNotBlank());
    }
  }

  @Provide
  Arbitrary<Map<String, String>> rows() {
    return Arbitraries.maps(Arbitraries.of("id", "title", "price", "sale_price", "availability", "quantity", "brand",
        "gtin", "product_type", "google_product_category", "version", "updated_at"),
        Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
            Arbitraries.of("", "1.00 CAD", "in stock", "-3", "99999999999999999999", "\"quoted\"")))
        .ofMaxSize(12);
  }
}
