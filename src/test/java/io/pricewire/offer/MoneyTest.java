package io.pricewire.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  @DisplayName("a text price is read exactly into integer micros")
  void textPrice() throws Exception {
    Money m = Money.parse("12.50 CAD");
    assertThat(m.micros()).isEqualTo(12_500_000L);
    assertThat(m.currency()).isEqualTo("CAD");
    assertThat(Money.parse("0.1 USD").micros()).isEqualTo(100_000L);
    assertThat(Money.parse("999999999999.999999 CNY").micros()).isEqualTo(999_999_999_999_999_999L);
  }

  @Test
  @DisplayName("amounts that a double cannot hold exactly stay exact")
  void exact() throws Exception {
    assertThat(Money.parse("0.30 CAD").micros()).isEqualTo(300_000L);
    assertThat(Money.parse("1234567.891234 CAD").amount()).isEqualTo("1234567.891234");
  }

  @Test
  @DisplayName("amounts print with the currency's usual minor digits and no trailing noise")
  void format() throws Exception {
    assertThat(Money.parse("12.5 CAD").amount()).isEqualTo("12.50");
    assertThat(Money.parse("1200 JPY").amount()).isEqualTo("1200");
    assertThat(Money.parse("0.4525 USD").amount()).isEqualTo("0.4525");
    assertThat(Money.parse("7.5 KWD").amount()).isEqualTo("7.500");
  }

  @Test
  @DisplayName("the object form takes a string amount and refuses fractions as JSON numbers")
  void objectForm() throws Exception {
    assertThat(Money.fromJson(new JsonObject().put("amount", "228.00").put("currency", "CNY")))
        .isEqualTo(new Money(228_000_000L, "CNY"));
    assertThat(Money.fromJson(new JsonObject().put("amount", 15).put("currency", "CAD")).micros())
        .isEqualTo(15_000_000L);
    assertThatThrownBy(() -> Money.fromJson(new JsonObject().put("amount", 12.5).put("currency", "CAD")))
        .isInstanceOf(Money.Invalid.class)
        .satisfies(e -> assertThat(((Money.Invalid) e).code()).isEqualTo("amount_not_string"));
  }

  @Test
  @DisplayName("bad prices are refused with a specific code")
  void refusals() {
    assertCode("12.50", "invalid_price");
    assertCode("12.50 XYZ", "invalid_currency");
    assertCode("12.50 CA", "invalid_currency");
    assertCode("-1.00 CAD", "negative_amount");
    assertCode("1.0000001 CAD", "too_precise");
    assertCode("1e3 CAD", "invalid_amount");
    assertCode("1,000.00 CAD", "invalid_amount");
    assertCode("1234567890123 CAD", "amount_too_large");
  }

  private static void assertCode(String text, String code) {
    assertThatThrownBy(() -> Money.parse(text)).isInstanceOf(Money.Invalid.class)
        .satisfies(e -> assertThat(((Money.Invalid) e).code()).as(text).isEqualTo(code));
  }
}
