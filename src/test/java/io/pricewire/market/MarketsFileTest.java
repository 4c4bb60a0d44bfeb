package io.pricewire.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the markets file")
class MarketsFileTest {

  @Test
  @DisplayName("the shipped file: the built-in markets and the additional-duty example, marked as an estimate")
  void shipped() throws Exception {
    Map<String, Market> markets = MarketsFile.read(Files.readString(Path.of("conf/markets.json")), "markets.json");
    assertThat(markets).containsKeys("ca", "cn-cbec");
    Market cn = markets.get("cn-cbec");
    assertThat(cn.duties()).hasSize(1);
    Duty duty = cn.duties().get(0);
    assertThat(duty.estimate()).isTrue();
    assertThat(duty.source()).startsWith("ESTIMATE");
    assertThat(cn.dutiesOn("Seafood > Crab", LocalDate.parse("2026-06-01"))).isEmpty();
    assertThat(cn.dutiesOn("Seafood > Crab", LocalDate.parse("2027-01-01"))).containsExactly(duty);
    assertThat(markets.get("ca").duties()).isEmpty();
  }

  @Test
  @DisplayName("a market from the file")
  void market() throws Exception {
    Market hk = MarketsFile.read("{\"markets\": [{\"id\": \"hk\", \"currency\": \"HKD\", \"locales\": [\"zh-HK\", \"en\"]}]}",
        "m.json").get("hk");
    assertThat(hk.currency()).isEqualTo("HKD");
    assertThat(hk.minorDigits()).isEqualTo(2);
    assertThat(hk.cbec()).isFalse();
    Market jp = MarketsFile.read("{\"markets\": [{\"id\": \"jp\", \"currency\": \"JPY\", \"locales\": [\"ja\"]}]}",
        "m.json").get("jp");
    assertThat(jp.minorDigits()).as("ISO 4217's minor unit").isZero();
  }

  @Test
  @DisplayName("errors name the file, the entry and what is wrong")
  void errors() {
    assertThatThrownBy(() -> MarketsFile.read("{", "m.json")).hasMessageStartingWith("m.json: not valid JSON");
    assertThatThrownBy(() -> MarketsFile.read("{\"market\": []}", "m.json")).hasMessageContaining("unknown key \"market\"");
    assertThatThrownBy(() -> MarketsFile.read("{\"markets\": [{\"id\": \"x\", \"currency\": \"XYZW\", \"locales\": [\"en\"]}]}",
        "m.json")).hasMessage("m.json: markets[0] (\"x\"): currency \"XYZW\" is not an ISO 4217 code");
    assertThatThrownBy(() -> MarketsFile.read("{\"markets\": [{\"id\": \"ca\", \"currency\": \"CAD\", \"locales\": [\"en\"]}]}",
        "m.json")).hasMessageContaining("markets[0] (\"ca\"): the market ca is already defined");
    assertThatThrownBy(() -> MarketsFile.read("{\"markets\": [{\"id\": \"x\", \"currency\": \"CAD\", \"locales\": []}]}",
        "m.json")).hasMessageContaining("\"locales\" must name at least one locale");
    assertThatThrownBy(() -> MarketsFile.read("{\"markets\": [{\"id\": \"x\", \"currency\": \"CNY\", \"locales\": [\"zh\"], "
        + "\"tax\": \"cbec\", \"default_class\": \"food\"}]}", "m.json"))
        .hasMessageContaining("default_class \"food\" is not one of");
    String duty = "{\"duties\": [{\"id\": \"d\", \"markets\": [%s], \"rate\": \"%s\", \"origin\": \"CA\", "
        + "\"categories\": [\"Seafood\"], \"from\": \"%s\", \"until\": \"%s\", \"source\": \"s\"}]}";
    assertThatThrownBy(() -> MarketsFile.read(duty.formatted("\"mars\"", "0.25", "2025-03-20", "2025-12-31"), "m.json"))
        .hasMessageContaining("duties[0] (\"d\"): unknown market mars");
    assertThatThrownBy(() -> MarketsFile.read(duty.formatted("\"ca\"", "0.25", "2025-03-20", "2025-12-31"), "m.json"))
        .hasMessageContaining("market ca has no import tax");
    assertThatThrownBy(() -> MarketsFile.read(duty.formatted("\"cn-cbec\"", "a quarter", "2025-03-20", "2025-12-31"),
        "m.json")).hasMessageContaining("\"rate\" is not a decimal");
    assertThatThrownBy(() -> MarketsFile.read(duty.formatted("\"cn-cbec\"", "0.25", "2025-03-20", "2025-01-01"),
        "m.json")).hasMessageContaining("until 2025-01-01 is before from 2025-03-20");
    assertThatThrownBy(() -> MarketsFile.read(duty.formatted("\"cn-cbec\"", "0.25", "20/03/2025", "2025-12-31"),
        "m.json")).hasMessageContaining("\"from\" is not a date YYYY-MM-DD");
  }
}
