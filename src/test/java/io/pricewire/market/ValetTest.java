package io.pricewire.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bank of Canada Valet FXCNYCAD observations")
class ValetTest {

  static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

  static final String CSV = "\uFEFF\"TERMS AND CONDITIONS\"\r\n"
      + "\"https://www.bankofcanada.ca/terms/\"\r\n"
      + "\r\n"
      + "\"SERIES\"\r\n"
      + "\"id\",\"label\",\"description\"\r\n"
      + "\"FXCNYCAD\",\"CNY/CAD\",\"Chinese renminbi to Canadian dollar daily exchange rate\"\r\n"
      + "\r\n"
      + "\"OBSERVATIONS\"\r\n"
      + "\"date\",\"FXCNYCAD\"\r\n"
      + "\"2024-10-21\",\"0.1944\"\r\n"
      + "\"2024-10-22\",\"\"\r\n"
      + "\"2024-10-23\",\"0.1950\"\r\n";

  @Test
  @DisplayName("CSV with a byte order mark, CRLF, quoted fields and a holiday without a value")
  void csv() throws Exception {
    List<FxRate> rates = Valet.read(CSV, AT);
    assertThat(rates).extracting(FxRate::asOf).containsExactly(LocalDate.parse("2024-10-21"),
        LocalDate.parse("2024-10-23"));
    FxRate first = rates.get(0);
    assertThat(first.pair()).isEqualTo("CAD/CNY");
    assertThat(first.rate()).as("the inverse, exact").isEqualTo(Ratio.parse("0.1944").inverse());
    assertThat(first.text()).isEqualTo("5.14403292");
    assertThat(first.source()).contains("Bank of Canada");
    assertThat(first.receivedAt()).isEqualTo(AT);
  }

  @Test
  @DisplayName("the JSON layout, values as strings, days without a value skipped")
  void json() throws Exception {
    String body = "{\"terms\":{\"url\":\"https://www.bankofcanada.ca/terms/\"},"
        + "\"seriesDetail\":{\"FXCNYCAD\":{\"label\":\"CNY/CAD\"}},"
        + "\"observations\":[{\"d\":\"2024-10-21\",\"FXCNYCAD\":{\"v\":\"0.1944\"}},{\"d\":\"2024-10-22\"},"
        + "{\"d\":\"2024-10-23\",\"FXCNYCAD\":{\"v\":\"0.1950\"}}]}";
    List<FxRate> rates = Valet.read(body, AT);
    assertThat(rates).extracting(FxRate::asOf).containsExactly(LocalDate.parse("2024-10-21"),
        LocalDate.parse("2024-10-23"));
    assertThat(rates.get(1).rate()).isEqualTo(Ratio.parse("0.1950").inverse());
  }

  @Test
  @DisplayName("malformed files are refused with what and where")
  void malformed() {
    assertThatThrownBy(() -> Valet.read("\"SERIES\"\n\"id\"\n", AT)).hasMessageContaining("no \"OBSERVATIONS\"");
    assertThatThrownBy(() -> Valet.read("\"OBSERVATIONS\"\n\"date\",\"FXUSDCAD\"\n", AT))
        .hasMessageContaining("line 2").hasMessageContaining("FXCNYCAD");
    assertThatThrownBy(() -> Valet.read("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2024-10-21\",\"abc\"\n", AT))
        .hasMessageContaining("line 3").hasMessageContaining("not a decimal");
    assertThatThrownBy(() -> Valet.read("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"21/10/2024\",\"0.19\"\n", AT))
        .hasMessageContaining("line 3").hasMessageContaining("YYYY-MM-DD");
    assertThatThrownBy(() -> Valet.read("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2024-10-21,\"0.19\"\n", AT))
        .hasMessageContaining("line 3");
    assertThatThrownBy(() -> Valet.read("\"OBSERVATIONS\"\n\"date\",\"FXCNYCAD\"\n\"2024-10-21\",\"0\"\n", AT))
        .hasMessageContaining("not above 0");
    assertThatThrownBy(() -> Valet.read("{\"observations\": 3}", AT)).hasMessageContaining("no \"observations\"");
    assertThatThrownBy(() -> Valet.read("{\"observations\": [{\"d\":\"2024-10-21\",\"FXCNYCAD\":{\"v\":0.19}}]}", AT))
        .hasMessageContaining("observations[0]").hasMessageContaining("must be a string");
    assertThatThrownBy(() -> Valet.read("{not json", AT)).hasMessageContaining("not valid JSON");
  }
}
