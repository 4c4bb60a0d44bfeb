package io.pricewire.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ItemOutcome;
import io.pricewire.changelog.ItemStatus;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every store must do, run against each store. Tests use their own supplier ids, so they
 * share one store without seeing each other's offers.
 */
abstract class StoreContract {

  private static final AtomicInteger suppliers = new AtomicInteger();

  protected abstract Store store();

  protected abstract Vertx vertx();

  static String newSupplier() {
    return "s" + suppliers.incrementAndGet();
  }

  static LedgerWrite write(String supplier, String json) {
    var parsed = OfferParser.fromJson(new JsonObject(json), new HashSet<>());
    assertThat(parsed.errors()).as(json).isEmpty();
    return new LedgerWrite(supplier, parsed.write(), System.nanoTime());
  }

  static String offer(String sku, String price) {
    return "{\"sku\": \"" + sku + "\", \"price\": \"" + price + " CAD\", \"availability\": \"in_stock\"}";
  }

  Committed commit(LedgerWrite... writes) {
    return store().commit(List.of(writes)).await();
  }

  static io.pricewire.market.MarketInputs inputs(String rate, String at) {
    java.time.Instant instant = java.time.Instant.parse(at);
    return io.pricewire.market.MarketInputs.of(instant, List.of(new io.pricewire.market.FxRate("CAD", "CNY",
        io.pricewire.market.Ratio.of(new java.math.BigDecimal(rate)).times(io.pricewire.market.Ratio.of(1, 3)),
        rate + "/3", java.time.LocalDate.parse(at.substring(0, 10)), "contract", instant)));
  }

  @Test
  @DisplayName("a market event takes the next seq between commits, and the log says which event is in force per market")
  void marketEvents() {
    String s = newSupplier();
    Committed before = commit(write(s, offer("a", "1.00")));
    long head = store().head().await().seq();
    var first = inputs("5.1432", "2026-11-30T09:00:00.123456Z");
    MarketLog before0 = store().marketLog().await();
    long lastEvent = before0.last() == null ? 0 : before0.last().seq();
    var e = store().commitEvent(first, List.of("cn-cbec"), "rate CAD/CNY", lastEvent).await();
    assertThat(e.seq()).isEqualTo(head + 1);
    assertThat(store().commitEvent(first, List.of("cn-cbec"), "the same, decided on another node", lastEvent).await())
        .as("an event decided against an older last event is not logged").isNull();
    assertThat(store().head().await().seq()).as("and takes no seq").isEqualTo(e.seq());
    assertThat(store().head().await().seq()).isEqualTo(e.seq());
    Committed after = commit(write(s, offer("a", "2.00")));
    assertThat(after.changes().get(0).seq()).as("a change after the event takes the seq after it").isEqualTo(e.seq() + 1);
    var second = inputs("5.2", "2026-12-01T09:00:00Z");
    var e2 = store().commitEvent(second, List.of("cn-cbec", "ca"), "rules", e.seq()).await();
    MarketLog log = store().marketLog().await();
    assertThat(log.last()).isEqualTo(e2);
    assertThat(log.last().inputs().rates().get("CAD/CNY").rate())
        .as("the rate reads back exact").isEqualTo(second.rates().get("CAD/CNY").rate());
    assertThat(log.lastSeqByMarket()).containsEntry("cn-cbec", e2.seq()).containsEntry("ca", e2.seq());
    assertThat(before.changes()).isNotEmpty();
  }

  @Test
  @DisplayName("applied writes get consecutive seqs right after the head, and the head moves")
  void seqsFollowTheHead() {
    String s = newSupplier();
    long head = store().head().await().seq();
    Committed c = commit(write(s, offer("a", "1.00")), write(s, offer("b", "2.00")), write(s, offer("c", "3.00")));
    assertThat(c.outcomes()).extracting(ItemOutcome::seq).containsExactly(head + 1, head + 2, head + 3);
    assertThat(c.changes()).extracting(Change::seq).containsExactly(head + 1, head + 2, head + 3);
    assertThat(store().head().await().seq()).isEqualTo(head + 3);
    assertThat(c.epoch()).isEqualTo(store().head().await().epoch());
  }

  @Test
  @DisplayName("a committed offer reads back exactly as published")
  void readBack() {
    String s = newSupplier();
    Committed c = commit(write(s, "{\"sku\": \"lobster\", \"price\": \"42.00 CAD\", \"sale_price\": \"39.99 CAD\", "
        + "\"availability\": \"limited_availability\", \"quantity\": 7, \"title\": {\"en\": \"Lobster\", "
        + "\"zh-CN\": \"龙虾\"}, \"category\": \"Seafood\", \"brand\": \"Atlantic\", \"gtin\": \"4006381333931\", "
        + "\"tax_class\": \"agri_9\"}"));
    Offer published = c.changes().get(0).offer();
    Offer stored = store().find(new OfferKey(s, "lobster")).await();
    assertThat(stored).isEqualTo(published);
    assertThat(stored.taxClass()).isEqualTo("agri_9");
    assertThat(store().find(new OfferKey(s, "nothing")).await()).isNull();
  }

  @Test
  @DisplayName("tax_class is kept in the offer, published with the change, listed in changed, and cleared by null")
  void taxClass() {
    String s = newSupplier();
    commit(write(s, "{\"sku\": \"wine\", \"price\": \"59.95 CAD\", \"availability\": \"in_stock\"}"));
    Committed set = commit(write(s, "{\"sku\": \"wine\", \"tax_class\": \"wine\"}"));
    assertThat(set.changes().get(0).changed()).containsExactly(Field.TAX_CLASS);
    assertThat(set.changes().get(0).offer().taxClass()).isEqualTo("wine");
    assertThat(store().find(new OfferKey(s, "wine")).await().taxClass()).isEqualTo("wine");
    Committed cleared = commit(write(s, "{\"sku\": \"wine\", \"tax_class\": null}"));
    assertThat(cleared.changes().get(0).changed()).containsExactly(Field.TAX_CLASS);
    assertThat(store().find(new OfferKey(s, "wine")).await().taxClass()).isNull();
  }

  @Test
  @DisplayName("exchange rates: every one kept, exact, newest day first; the latest day's last received is in force")
  void rates() {
    String quote = "X" + (char) ('A' + suppliers.get() % 26) + (char) ('A' + suppliers.incrementAndGet() / 26 % 26);
    java.time.Instant t = java.time.Instant.parse("2026-12-01T00:00:00Z");
    io.pricewire.market.Ratio inverse = io.pricewire.market.Ratio.parse("0.1944").inverse();
    var older = new io.pricewire.market.FxRate("CAD", quote, io.pricewire.market.Ratio.parse("5.1"), "5.1",
        java.time.LocalDate.parse("2026-11-27"), "desk", t);
    var first = new io.pricewire.market.FxRate("CAD", quote, inverse, "5.14403292",
        java.time.LocalDate.parse("2026-11-30"), "valet", t);
    var second = new io.pricewire.market.FxRate("CAD", quote, io.pricewire.market.Ratio.parse("5.2"), "5.2",
        java.time.LocalDate.parse("2026-11-30"), "desk", t.plusSeconds(60));
    store().rates().add(List.of(first, older)).await();
    store().rates().add(List.of(second)).await();
    String pair = "CAD/" + quote;
    assertThat(store().rates().latest().await().get(pair)).isEqualTo(second);
    assertThat(store().rates().history(pair, 10).await()).containsExactly(second, first, older);
    assertThat(store().rates().history(pair, 10).await().get(1).rate()).as("kept exact").isEqualTo(inverse);
    assertThat(store().rates().history(pair, 1).await()).containsExactly(second);
  }

  @Test
  @DisplayName("stale and unchanged writes leave state and head alone")
  void staleAndUnchanged() {
    String s = newSupplier();
    commit(write(s, "{\"sku\": \"a\", \"price\": \"5.00 CAD\", \"availability\": \"in_stock\", \"version\": 5}"));
    long head = store().head().await().seq();
    Committed c = commit(write(s, "{\"sku\": \"a\", \"price\": \"4.00 CAD\", \"version\": 4}"),
        write(s, "{\"sku\": \"a\", \"price\": \"5.00 CAD\", \"version\": 5}"));
    assertThat(c.outcomes()).extracting(ItemOutcome::status).containsExactly(ItemStatus.STALE, ItemStatus.UNCHANGED);
    assertThat(c.changes()).isEmpty();
    assertThat(store().head().await().seq()).isEqualTo(head);
    assertThat(store().find(new OfferKey(s, "a")).await().price().amount()).isEqualTo("5.00");
  }

  @Test
  @DisplayName("a rejected write beside applied ones changes nothing of its own")
  void rejectedBesideApplied() {
    String s = newSupplier();
    Committed c = commit(write(s, offer("ok", "1.00")), write(s, "{\"sku\": \"new-without-price\", \"quantity\": 1}"));
    assertThat(c.outcomes()).extracting(ItemOutcome::status).containsExactly(ItemStatus.APPLIED, ItemStatus.REJECTED);
    assertThat(store().find(new OfferKey(s, "new-without-price")).await()).isNull();
  }

  @Test
  @DisplayName("a snapshot holds the interest's offers at a seq, and after a seq only those changed since")
  void snapshots() {
    String s = newSupplier();
    String other = newSupplier();
    commit(write(s, offer("a", "1.00")), write(s, offer("b", "2.00")), write(other, offer("x", "9.00")));
    long middle = store().head().await().seq();
    commit(write(s, "{\"sku\": \"b\", \"price\": \"2.50 CAD\"}"));
    Interest bySupplier = new Interest(Set.of(), Set.of(s), Set.of());
    Snapshot full = store().snapshot(bySupplier, -1).await();
    assertThat(full.offers()).extracting(Offer::sku).containsExactly("a", "b");
    assertThat(full.seq()).isEqualTo(store().head().await().seq());
    Snapshot since = store().snapshot(bySupplier, middle).await();
    assertThat(since.offers()).extracting(Offer::sku).containsExactly("b");
    assertThat(since.offers().get(0).price().amount()).isEqualTo("2.50");
    Snapshot bySku = store().snapshot(new Interest(Set.of(new OfferKey(other, "x"), new OfferKey(s, "zzz")), Set.of(),
        Set.of()), -1).await();
    assertThat(bySku.offers()).extracting(Offer::key).containsExactly(new OfferKey(other, "x"));
  }

  @Test
  @DisplayName("category snapshots follow offers that move between categories")
  void categories() {
    String s = newSupplier();
    String fruit = "Fruit " + s;
    String gifts = "Gifts " + s;
    commit(write(s, "{\"sku\": \"c\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"category\": \""
        + fruit + "\"}"));
    assertThat(store().snapshot(new Interest(Set.of(), Set.of(), Set.of(fruit)), -1).await().offers()).hasSize(1);
    commit(write(s, "{\"sku\": \"c\", \"category\": \"" + gifts + "\"}"));
    assertThat(store().snapshot(new Interest(Set.of(), Set.of(), Set.of(fruit)), -1).await().offers()).isEmpty();
    assertThat(store().snapshot(new Interest(Set.of(), Set.of(), Set.of(gifts)), -1).await().offers()).hasSize(1);
  }

  static String inCategory(String sku, String category) {
    return "{\"sku\": \"" + sku + "\", \"category\": \"" + category + "\"}";
  }

  static Interest categoryInterest(String category) {
    return new Interest(Set.of(), Set.of(), Set.of(category));
  }

  @Test
  @DisplayName("a resume on a category brings an offer that entered and left it within one commit")
  void enterAndLeaveInOneCommit() {
    String s = newSupplier();
    String fruit = "Fruit " + s;
    String gifts = "Gifts " + s;
    String sale = "Sale " + s;
    commit(write(s, "{\"sku\": \"c\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"category\": \""
        + gifts + "\"}"));
    Committed both = commit(write(s, inCategory("c", fruit)), write(s, inCategory("c", sale)));
    long entered = both.changes().get(0).seq();
    // A client that saw the offer enter the category at that seq holds it there until told otherwise.
    Snapshot resumed = store().snapshot(categoryInterest(fruit), entered).await();
    assertThat(resumed.full()).isFalse();
    assertThat(resumed.offers()).extracting(Offer::sku).as("the offer left the category after the client's seq")
        .containsExactly("c");
    assertThat(resumed.offers().get(0).category()).isEqualTo(sale);
  }

  @Test
  @DisplayName("a move is recorded at its own seq, not at a later change of the same commit")
  void moveAtItsOwnSeq() {
    String s = newSupplier();
    String fruit = "Fruit " + s;
    String gifts = "Gifts " + s;
    commit(write(s, "{\"sku\": \"m\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"category\": \""
        + fruit + "\"}"));
    Committed both = commit(write(s, inCategory("m", gifts)), write(s, "{\"sku\": \"m\", \"price\": \"2.00 CAD\"}"));
    long moved = both.changes().get(0).seq();
    assertThat(store().snapshot(categoryInterest(fruit), moved).await().offers())
        .as("a client that saw the move needs nothing more for this category").isEmpty();
    assertThat(store().snapshot(categoryInterest(fruit), moved - 1).await().offers()).extracting(Offer::sku)
        .as("a client from before the move learns that it left").containsExactly("m");
  }

  @Test
  @DisplayName("an offer that left a category and came back is found by the category itself")
  void leaveAndComeBack() {
    String s = newSupplier();
    String fruit = "Fruit " + s;
    String gifts = "Gifts " + s;
    commit(write(s, "{\"sku\": \"b\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", \"category\": \""
        + fruit + "\"}"));
    long before = store().head().await().seq();
    commit(write(s, inCategory("b", gifts)));
    commit(write(s, inCategory("b", fruit)));
    long back = store().head().await().seq();
    assertThat(store().snapshot(categoryInterest(fruit), before).await().offers()).extracting(Offer::category)
        .containsExactly(fruit);
    assertThat(store().snapshot(categoryInterest(fruit), back).await().offers()).isEmpty();
    assertThat(store().snapshot(categoryInterest(gifts), before).await().offers()).extracting(Offer::category)
        .as("it left the other category too").containsExactly(fruit);
  }

  @Test
  @DisplayName("an empty snapshot still tells the log position")
  void emptySnapshot() {
    Snapshot snap = store().snapshot(new Interest(Set.of(), Set.of(newSupplier()), Set.of()), -1).await();
    assertThat(snap.offers()).isEmpty();
    assertThat(snap.seq()).isEqualTo(store().head().await().seq());
    assertThat(snap.epoch()).isEqualTo(store().head().await().epoch());
  }

  @Test
  @DisplayName("concurrent commits from several event loops get gapless, unique seqs")
  void concurrentCommitsAreGapless() throws Exception {
    String s = newSupplier();
    long head = store().head().await().seq();
    int writers = 4;
    int commitsEach = 40;
    List<Future<List<Long>>> all = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      var promise = io.vertx.core.Promise.<List<Long>>promise();
      vertx().getOrCreateContext().runOnContext(v -> {
        List<Long> seqs = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < commitsEach; i++) {
          int n = i;
          chain = chain.compose(x -> store().commit(List.of(write(s, offer("w" + writer + "-" + n, "1.00")),
              write(s, offer("shared", n + ".00")))).map(c -> {
                c.changes().forEach(ch -> seqs.add(ch.seq()));
                return null;
              }));
        }
        chain.map(x -> seqs).onComplete(promise);
      });
      all.add(promise.future());
    }
    List<Long> seqs = new ArrayList<>();
    for (Future<List<Long>> f : all) {
      seqs.addAll(f.await());
    }
    assertThat(seqs).doesNotHaveDuplicates();
    long last = store().head().await().seq();
    assertThat(seqs).hasSize((int) (last - head));
    assertThat(seqs.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(head + 1);
    assertThat(seqs.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(last);
  }
}
