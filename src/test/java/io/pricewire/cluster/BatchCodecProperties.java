package io.pricewire.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.FxRate;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.Ratio;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * A commit as it travels between nodes reads back as it was: every offer field (titles in any
 * script, absent fields absent), the changed fields, where it came from, and market events with
 * their exact rates.
 */
class BatchCodecProperties {

  private static final Instant AT = Instant.parse("2026-12-03T08:00:00.123456Z");

  @Provide
  Arbitrary<Offer> offers() {
    Arbitrary<String> text = Arbitraries.strings().withChars("abcXYZ 09-_/>加拿大龙虾冰酒樱桃\"\\é").ofMaxLength(40);
    Arbitrary<Money> money = Arbitraries.integers().between(0, 99_999_999).map(cents -> {
      try {
        return Money.of(String.format("%d.%02d", cents / 100, cents % 100), "CAD");
      } catch (Money.Invalid e) {
        throw new IllegalStateException(e);
      }
    });
    Arbitrary<TreeMap<String, String>> titles = Arbitraries.maps(Arbitraries.of("en", "zh-CN", "fr-CA"), text)
        .ofMaxSize(3).map(TreeMap::new);
    return Combinators.combine(text.filter(s -> !s.isEmpty()), Arbitraries.longs().between(1, 1_000_000),
        money, money.injectNull(0.5), Arbitraries.of(Availability.class), Arbitraries.longs().between(0, 99_999)
            .injectNull(0.3), titles, text.injectNull(0.3))
        .as((sku, version, price, sale, availability, quantity, t, category) -> new Offer(
            new OfferKey("supplier-" + (version % 3), sku), version, version + 10, price, sale, availability, quantity,
            t, category, version % 2 == 0 ? "Brand" : null, null, version % 5 == 0 ? "wine" : null,
            AT.plusMillis(version)));
  }

  @Provide
  Arbitrary<List<Offer>> offerLists() {
    return offers().list().ofMinSize(1).ofMaxSize(20);
  }

  @Property(tries = 400)
  void changesReadBackAsTheyWere(@ForAll("offerLists") List<Offer> offers) {
    if (offers.isEmpty()) {
      return;
    }
    List<Change> changes = new ArrayList<>();
    long seq = 100;
    for (Offer o : offers) {
      Set<Field> changed = EnumSet.of(Field.PRICE);
      if (o.quantity() != null) {
        changed.add(Field.QUANTITY);
      }
      changes.add(new Change(seq++, o, changed, seq % 2 == 0 ? "Seafood > Lobster" : null,
          seq % 3 == 0 ? Availability.IN_STOCK : null, 12345));
    }
    ChangeBatch batch = new ChangeBatch("epoch-1", changes, 0);
    BatchCodec.Decoded d = BatchCodec.decode(BatchCodec.encode(batch, AT), at -> 42L);
    assertThat(d.committedAt()).isEqualTo(AT);
    assertThat(d.batch().fromPeer()).isTrue();
    assertThat(d.batch().committedNanos()).isEqualTo(42L);
    assertThat(d.batch().epoch()).isEqualTo("epoch-1");
    assertThat(d.batch().changes()).hasSameSizeAs(changes);
    for (int i = 0; i < changes.size(); i++) {
      Change want = changes.get(i);
      Change got = d.batch().changes().get(i);
      assertThat(got.seq()).isEqualTo(want.seq());
      assertThat(got.offer()).isEqualTo(want.offer());
      assertThat(got.changed()).isEqualTo(want.changed());
      assertThat(got.previousCategory()).isEqualTo(want.previousCategory());
      assertThat(got.previousAvailability()).isEqualTo(want.previousAvailability());
      assertThat(got.receivedNanos()).as("another process's clock means nothing here").isZero();
    }
  }

  @Test
  void marketEventsReadBackExact() {
    FxRate rate = new FxRate("CAD", "CNY", new Ratio(BigInteger.valueOf(10_000), BigInteger.valueOf(1944)),
        "5.1440", LocalDate.parse("2026-12-02"), "valet", AT.truncatedTo(ChronoUnit.SECONDS));
    MarketEvent e = new MarketEvent(77, MarketInputs.of(AT, List.of(rate)), List.of("cn-cbec"), "rate CAD/CNY");
    ChangeBatch decoded = BatchCodec.decode(BatchCodec.encode(ChangeBatch.of("epoch-1", e, 0), AT), at -> 0L).batch();
    assertThat(decoded.event()).isEqualTo(e);
    assertThat(decoded.event().inputs().rates().get("CAD/CNY").rate()).isEqualTo(rate.rate());
  }

  @Test
  void sizeOfATypicalChange() throws Exception {
    Offer lobster = new Offer(new OfferKey("atlantic-seafood", "lobster-live-1lb"), 42, 1042,
        Money.of("24.99", "CAD"), Money.of("21.99", "CAD"), Availability.IN_STOCK, 120L,
        new TreeMap<>(java.util.Map.of("en", "Live Atlantic lobster, 1 lb", "zh-CN", "加拿大鲜活龙虾 1磅")),
        "Seafood > Lobster", "Atlantic Catch", "0628451000013", null, AT);
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      changes.add(new Change(1000 + i, lobster, EnumSet.of(Field.PRICE, Field.QUANTITY), null, null, 0));
    }
    int bytes = BatchCodec.encode(new ChangeBatch("8c2e7f0a-8d7b-4bb2-9b1f-3f0d7d2f4e11", changes, 0), AT).length();
    System.out.printf("cluster bus: %d bytes per change of a full offer (batches of 100)%n", bytes / 100);
    assertThat(bytes / 100).isBetween(200, 1000);
  }
}
