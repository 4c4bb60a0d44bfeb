package io.pricewire.offer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GtinTest {

  @Test
  @DisplayName("valid GTIN-8, -12, -13 and -14 pass the check digit")
  void valid() {
    assertThat(Gtin.problem("96385074")).isNull();
    assertThat(Gtin.problem("036000291452")).isNull();
    assertThat(Gtin.problem("4006381333931")).isNull();
    assertThat(Gtin.problem("10012345678902")).isNull();
  }

  @Test
  @DisplayName("a wrong check digit, length or character is named")
  void invalid() {
    assertThat(Gtin.problem("4006381333932")).contains("check digit is 2 but should be 1");
    assertThat(Gtin.problem("12345")).contains("8, 12, 13 or 14 digits");
    assertThat(Gtin.problem("40063813339a1")).contains("digits only");
  }
}
