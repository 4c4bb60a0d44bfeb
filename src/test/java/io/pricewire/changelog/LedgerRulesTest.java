package io.pricewire.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferParser;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LedgerRulesTest {

  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

  private static LedgerWrite write(String json) {
    var parsed = OfferParser.fromJson(new JsonObject(json), new HashSet<>());
    assertThat(parsed.errors()).isEmpty();
    return new LedgerWrite("acme", parsed.write(), 0);
  }

  private static Decision decide(Map<OfferKey, Offer> current, long head, LedgerWrite... writes) {
    return LedgerRules.decide(List.of(writes), current, head, NOW);
  }

  private static Offer stored(String json, long seq) {
    Decision d = decide(Map.of(), seq - 1, write(json));
    return d.upserts().values().iterator().next();
  }

  @Test
  @DisplayName("a new offer gets version 1 and the next seq")
  void newOffer() {
    Decision d = decide(Map.of(), 41, write("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\"}"));
    assertThat(d.outcomes()).containsExactly(ItemOutcome.applied(1, 42));
    assertThat(d.head()).isEqualTo(42);
    assertThat(d.changes().get(0).changed()).containsExactlyInAnyOrder(Field.PRICE, Field.AVAILABILITY);
  }

  @Test
  @DisplayName("a new offer without price or availability is rejected naming both fields")
  void newOfferNeedsPriceAndAvailability() {
    Decision d = decide(Map.of(), 0, write("{\"sku\": \"a\", \"quantity\": 3}"));
    assertThat(d.outcomes().get(0).status()).isEqualTo(ItemStatus.REJECTED);
    assertThat(d.outcomes().get(0).errors()).extracting(e -> e.field()).containsExactly("price", "availability");
    assertThat(d.changes()).isEmpty();
    assertThat(d.head()).isZero();
  }

  @Test
  @DisplayName("a partial write keeps the other fields and lists only what changed")
  void partialWrite() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"quantity\": 5, "
        + "\"title\": {\"en\": \"Apple\"}}", 1);
    Decision d = decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"quantity\": 4, \"title\": {\"zh-CN\": \"苹果\"}}"));
    Offer next = d.upserts().get(a.key());
    assertThat(next.price()).isEqualTo(a.price());
    assertThat(next.quantity()).isEqualTo(4L);
    assertThat(next.titles()).containsEntry("en", "Apple").containsEntry("zh-CN", "苹果");
    assertThat(next.version()).isEqualTo(2);
    assertThat(d.changes().get(0).changed()).containsExactlyInAnyOrder(Field.QUANTITY, Field.TITLE);
  }

  @Test
  @DisplayName("an older or equal explicit version is stale and changes nothing")
  void staleVersions() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"version\": 10}", 1);
    Decision older = decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"price\": \"2.00 CAD\", \"version\": 9}"));
    Decision sameVersionOtherState = decide(Map.of(a.key(), a), 1,
        write("{\"sku\": \"a\", \"price\": \"2.00 CAD\", \"version\": 10}"));
    assertThat(older.outcomes()).containsExactly(ItemOutcome.stale(10));
    assertThat(sameVersionOtherState.outcomes()).containsExactly(ItemOutcome.stale(10));
    assertThat(older.upserts()).isEmpty();
    assertThat(older.changes()).isEmpty();
  }

  @Test
  @DisplayName("a retry of the stored state is unchanged, with or without its version")
  void retries() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"version\": 10}", 1);
    assertThat(decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"version\": 10}"))
        .outcomes()).containsExactly(ItemOutcome.unchanged(10));
    assertThat(decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"price\": \"1.00 CAD\"}")).outcomes())
        .containsExactly(ItemOutcome.unchanged(10));
  }

  @Test
  @DisplayName("a newer version with the same state is a change of the version alone, so that older writes stay stale")
  void sameStateNewerVersion() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"version\": 10}", 1);
    Decision d = decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"version\": 20}"),
        write("{\"sku\": \"a\", \"price\": \"3.00 CAD\", \"version\": 15}"));
    assertThat(d.outcomes()).containsExactly(ItemOutcome.applied(20, 2), ItemOutcome.stale(20));
    assertThat(d.changes()).hasSize(1);
    Change raised = d.changes().get(0);
    assertThat(raised.seq()).isEqualTo(2);
    assertThat(raised.changed()).as("no field of the content changed").isEmpty();
    assertThat(raised.offer().version()).isEqualTo(20);
    assertThat(raised.offer().sameContent(a)).isTrue();
    assertThat(d.upserts().get(a.key()).version()).isEqualTo(20);
    assertThat(d.upserts().get(a.key()).seq()).as("the stored state carries the seq the feed published").isEqualTo(2);
  }

  @Test
  @DisplayName("several writes of one offer in a batch apply in order, each with its own seq, one final row")
  void sameOfferTwiceInBatch() {
    Decision d = decide(new HashMap<>(), 0,
        write("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\"}"),
        write("{\"sku\": \"a\", \"availability\": \"out_of_stock\"}"));
    assertThat(d.outcomes()).containsExactly(ItemOutcome.applied(1, 1), ItemOutcome.applied(2, 2));
    assertThat(d.upserts()).hasSize(1);
    assertThat(d.upserts().values().iterator().next().availability()).isEqualTo(Availability.OUT_OF_STOCK);
    assertThat(d.changes()).extracting(Change::seq).containsExactly(1L, 2L);
    assertThat(d.changes().get(1).previousAvailability()).isEqualTo(Availability.IN_STOCK);
  }

  @Test
  @DisplayName("a sale price must share the price's currency and be below it")
  void salePriceRules() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"10.00 CAD\", \"availability\": \"in_stock\"}", 1);
    assertThat(decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"sale_price\": \"9.00 USD\"}")).outcomes()
        .get(0).errors()).extracting(e -> e.code()).containsExactly("currency_mismatch");
    assertThat(decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"sale_price\": \"10.00 CAD\"}")).outcomes()
        .get(0).errors()).extracting(e -> e.code()).containsExactly("not_below_price");
    assertThat(decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"sale_price\": \"9.99 CAD\"}")).outcomes()
        .get(0).status()).isEqualTo(ItemStatus.APPLIED);
  }

  @Test
  @DisplayName("moving an offer to another category records where it came from")
  void categoryMove() {
    Offer a = stored("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"category\": \"Fruit\"}",
        1);
    Change c = decide(Map.of(a.key(), a), 1, write("{\"sku\": \"a\", \"category\": \"Gifts\"}")).changes().get(0);
    assertThat(c.previousCategory()).isEqualTo("Fruit");
    assertThat(c.offer().category()).isEqualTo("Gifts");
  }

  @Test
  @DisplayName("a change's list of changed fields cannot be changed after the fact, and keeps the fields' order")
  void changedIsImmutable() {
    java.util.EnumSet<Field> fields = java.util.EnumSet.of(Field.QUANTITY, Field.PRICE);
    Decision d = decide(new HashMap<>(), 0, write("{\"sku\": \"a\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\"}"));
    Change c = new Change(7, d.changes().get(0).offer(), fields, null, null, 0);
    fields.add(Field.TITLE);
    assertThat(c.changed()).containsExactly(Field.PRICE, Field.QUANTITY);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.changed().add(Field.BRAND))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(new Change(8, c.offer(), java.util.Set.of(), null, null, 0).changed()).isEmpty();
  }
}
