package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.FxRate;
import io.pricewire.market.Market;
import io.pricewire.market.MarketInputs;
import io.pricewire.market.MarketsFile;
import io.pricewire.market.Projection;
import io.pricewire.market.Ratio;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.support.ClientView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Markets in the feed core: subscriptions that name a market get every offer with its projection,
 * a market event re-prices every offer its subscribers hold (and only theirs), and a client that
 * resumes from before an event of its market starts over. Driven step by step on the harness's
 * loop, with the clients' views checking that versions never go back and {@code changed} tells
 * every difference.
 */
@DisplayName("markets in the feed")
class MarketFeedTest {

  private final FeedHarness h = new FeedHarness();
  private static final Instant NOW = Instant.parse("2026-12-01T04:00:00Z");

  private static MarketInputs rate(String rate, String day) {
    return MarketInputs.of(NOW, List.of(new FxRate("CAD", "CNY", Ratio.of(new BigDecimal(rate)), rate,
        LocalDate.parse(day), "test", NOW)));
  }

  private static JsonObject subscribe(String id, String market) {
    JsonObject f = new JsonObject().put("op", "subscribe").put("id", id).put("suppliers", new JsonArray().add("s"));
    return market == null ? f : f.put("market", market);
  }

  private static JsonObject subscribeSince(String id, String market, String epoch, long seq) {
    return subscribe(id, market).put("since", new JsonObject().put("epoch", epoch).put("seq", seq));
  }

  private static String item(String sku, String price, String category) {
    return "{\"sku\": \"" + sku + "\", \"price\": \"" + price + " CAD\", \"availability\": \"in_stock\", "
        + "\"category\": \"" + category + "\", \"title\": {\"en\": \"" + sku + "\", \"zh-CN\": \"" + sku + " 中文\"}}";
  }

  private static void read(FakeChannel ch, ClientView v) {
    for (FakeChannel.Written w : ch.take()) {
      if (v.name().equals(w.frame().getString("id"))) {
        v.apply(w.frame());
      }
    }
    assertThat(v.violation()).as("promises kept: %s", v.trace()).isNull();
  }

  private List<JsonObject> frames(FakeChannel ch) {
    List<JsonObject> out = new ArrayList<>();
    ch.take().forEach(w -> out.add(w.frame()));
    return out;
  }

  /** What a fresh snapshot would show for the offer in the market with these inputs. */
  private JsonObject expected(String sku, MarketInputs inputs) throws Exception {
    Offer o = h.memory.find(new OfferKey("s", sku)).await();
    Market m = MarketsFile.load().get("cn-cbec");
    return Projection.of(o, m, inputs.rates(), inputs.at());
  }

  /** After a first rate (5.10) and a catalog of n offers of supplier s: a client of cn-cbec holding them. */
  private ClientView marketClient(FakeChannel ch, int offers) {
    h.marketEvent(rate("5.10", "2026-11-30"), "cn-cbec");
    catalog(offers);
    ClientView cn = new ClientView("cn", new ClientView.Interest().suppliers("s"));
    ch.send(subscribe("cn", "cn-cbec"));
    read(ch, cn);
    return cn;
  }

  private void catalog(int n) {
    String[] items = new String[n];
    for (int i = 0; i < n; i++) {
      items[i] = item("c" + i, (10 + i) + ".00", i % 2 == 0 ? "Fruit > Cherries" : "Apparel");
    }
    h.write("s", items);
  }

  @Test
  @DisplayName("a market's subscriber gets each offer with its projection; one without a market gets none")
  void projectionsInSnapshotAndUpdates() throws Exception {
    MarketInputs inputs = rate("5.10", "2026-11-30");
    h.marketEvent(inputs, "cn-cbec");
    h.write("s", item("cherries", "39.00", "Fruit > Cherries"));
    FakeChannel ch = h.connect();
    ch.send(subscribe("cn", "cn-cbec"));
    ch.send(subscribe("plain", null));
    List<JsonObject> got = frames(ch);
    JsonObject cn = got.stream().filter(f -> f.getString("id").equals("cn")).findFirst().orElseThrow();
    JsonObject market = cn.getJsonArray("offers").getJsonObject(0).getJsonObject("market");
    assertThat(market.getString("id")).isEqualTo("cn-cbec");
    assertThat(market.getJsonObject("price")).isEqualTo(new JsonObject().put("amount", "198.90").put("currency", "CNY"));
    assertThat(market.getJsonObject("tax").getJsonObject("amount").getString("amount")).isEqualTo("12.53");
    assertThat(market.getJsonObject("landed_price").getString("amount")).isEqualTo("211.43");
    assertThat(market.getString("title")).isEqualTo("cherries 中文");
    assertThat(market.getString("title_locale")).isEqualTo("zh-CN");
    JsonObject plain = got.stream().filter(f -> f.getString("id").equals("plain")).findFirst().orElseThrow();
    assertThat(plain.getJsonArray("offers").getJsonObject(0).containsKey("market")).isFalse();

    h.write("s", item("cherries", "40.00", "Fruit > Cherries"));
    got = frames(ch);
    JsonObject update = got.stream().filter(f -> f.getString("id").equals("cn")).findFirst().orElseThrow();
    assertThat(update.getString("type")).isEqualTo("update");
    assertThat(update.getJsonArray("changed")).contains("price", "market");
    assertThat(update.getJsonObject("offer").getJsonObject("market")).isEqualTo(expected("cherries", inputs));
    JsonObject plainUpdate = got.stream().filter(f -> f.getString("id").equals("plain")).findFirst().orElseThrow();
    assertThat(plainUpdate.getJsonObject("offer").containsKey("market")).isFalse();
    assertThat(plainUpdate.getJsonArray("changed")).doesNotContain("market");
  }

  @Test
  @DisplayName("a market without a rate into its currency, an unknown market: clear errors, never a price")
  void refusals() {
    h.write("s", item("cherries", "39.00", "Fruit > Cherries"));
    FakeChannel ch = h.connect();
    ch.send(subscribe("cn", "cn-cbec"));
    ch.send(subscribe("moon", "moon"));
    ch.send(subscribe("ca", "ca"));
    List<JsonObject> got = frames(ch);
    assertThat(got).filteredOn(f -> "cn".equals(f.getString("id"))).singleElement()
        .satisfies(f -> assertThat(f.getString("code")).isEqualTo("no_fx_rate"));
    assertThat(got).filteredOn(f -> "moon".equals(f.getString("id"))).singleElement()
        .satisfies(f -> assertThat(f.getString("code")).isEqualTo("unknown_market"));
    JsonObject ca = got.stream().filter(f -> "ca".equals(f.getString("id"))).findFirst().orElseThrow();
    assertThat(ca.getString("type")).isEqualTo("snapshot");
    assertThat(ca.getJsonArray("offers").getJsonObject(0).getJsonObject("market").getJsonObject("landed_price")
        .getString("amount")).isEqualTo("39.00");
  }

  @Test
  @DisplayName("a new rate re-prices every offer for the market's subscribers; the resume point passes it at the end")
  void eventReprices() throws Exception {
    FakeChannel ch = h.connect();
    ClientView cn = marketClient(ch, 250);
    FakeChannel other = h.connect();
    other.send(subscribe("plain", null));
    other.take();

    MarketInputs next = rate("5.20", "2026-12-01");
    MarketEvent e = h.marketEvent(next, "cn-cbec");
    List<FakeChannel.Written> written = ch.take();
    int entries = 0;
    for (int i = 0; i < written.size(); i++) {
      JsonObject f = written.get(i).frame();
      cn.apply(f);
      assertThat(f.getString("type")).isEqualTo("updates");
      for (Object u : f.getJsonArray("updates")) {
        assertThat(((JsonObject) u).getJsonArray("changed")).containsExactly("market");
        entries++;
      }
      long seq = f.getLong("seq");
      if (i < written.size() - 1) {
        assertThat(seq).as("mid-way, resuming must start over").isLessThan(e.seq());
      } else {
        assertThat(seq).as("the last frame passes the event").isGreaterThanOrEqualTo(e.seq());
      }
    }
    assertThat(cn.violation()).isNull();
    assertThat(entries).isEqualTo(250);
    assertThat(written.size()).as("in frames of at most %d", Outbox.MAX_BATCH).isEqualTo(3);
    for (int i = 0; i < 250; i++) {
      assertThat(cn.offers().get("s:c" + i).getJsonObject("market")).isEqualTo(expected("c" + i, next));
    }
    assertThat(other.take()).as("a subscriber without a market hears nothing of it").isEmpty();
    assertThat(h.counter("pricewire.feed.repriced.offers")).isEqualTo(250);
    assertThat(h.counter("pricewire.feed.reprices")).isEqualTo(1);

    h.marketEvent(rate("5.30", "2026-12-01"), "ca");
    assertThat(ch.take()).as("an event of another market re-prices nothing here").isEmpty();
  }

  @Test
  @DisplayName("repricing a stalled client: newer changes win, a sell-out goes first, the end equals a fresh snapshot")
  void repricingWithChangesAndSellOut() throws Exception {
    FakeChannel ch = h.connect();
    ClientView cn = marketClient(ch, 300);

    ch.stall();
    // This write fills the client's queue: it goes out, and what follows waits.
    h.write("s", item("c7", "99.00", "Apparel"));
    read(ch, cn);
    MarketInputs next = rate("5.25", "2026-12-01");
    h.marketEvent(next, "cn-cbec");
    h.write("s", item("c250", "77.00", "Apparel"));
    h.write("s", "{\"sku\": \"c299\", \"price\": \"39.00 CAD\", \"availability\": \"out_of_stock\", "
        + "\"category\": \"Apparel\"}");
    ch.drain();
    List<FakeChannel.Written> written = ch.take();
    JsonObject first = written.get(0).frame();
    assertThat(first.toString()).as("the sell-out overtakes the repricing").contains("out_of_stock");
    for (FakeChannel.Written w : written) {
      cn.apply(w.frame());
    }
    // The stall held back the rest; the client now takes everything.
    while (true) {
      ch.drain();
      List<FakeChannel.Written> more = ch.take();
      if (more.isEmpty()) {
        break;
      }
      more.forEach(w -> cn.apply(w.frame()));
    }
    assertThat(cn.violation()).as(cn.trace()).isNull();
    for (int i = 0; i < 300; i++) {
      JsonObject held = cn.offers().get("s:c" + i);
      Offer stored = h.memory.find(new OfferKey("s", "c" + i)).await();
      assertThat(held.getLong("version")).as("c%d newest", i).isEqualTo(stored.version());
      assertThat(held.getJsonObject("market")).as("c%d projected with the new rate", i).isEqualTo(expected("c" + i, next));
    }
  }

  @Test
  @DisplayName("resume from before an event of the market starts over with the new prices; from after, it continues")
  void resumeAcrossEvent() throws Exception {
    FakeChannel ch = h.connect();
    ClientView cn = marketClient(ch, 20);
    long before = cn.resumePoint();
    ch.close((short) 1000, "away");

    MarketInputs next = rate("5.40", "2026-12-01");
    MarketEvent e = h.marketEvent(next, "cn-cbec");
    FakeChannel back = h.connect();
    back.send(subscribeSince("cn", "cn-cbec", h.epoch(), before));
    List<JsonObject> got = frames(back);
    JsonObject snap = got.get(0);
    assertThat(snap.getBoolean("reset")).isTrue();
    assertThat(snap.getJsonArray("offers")).hasSize(20);
    assertThat(snap.getLong("seq")).isGreaterThanOrEqualTo(e.seq());
    for (Object o : snap.getJsonArray("offers")) {
      JsonObject offer = (JsonObject) o;
      assertThat(offer.getJsonObject("market")).isEqualTo(expected(offer.getString("sku"), next));
    }

    FakeChannel after = h.connect();
    after.send(subscribeSince("cn", "cn-cbec", h.epoch(), snap.getLong("seq")));
    JsonObject continued = frames(after).get(0);
    assertThat(continued.getBoolean("reset")).isFalse();
    assertThat(continued.getBoolean("resumed")).isTrue();
    assertThat(continued.getJsonArray("offers")).isEmpty();

    FakeChannel plain = h.connect();
    plain.send(subscribeSince("p", null, h.epoch(), before));
    JsonObject plainSnap = frames(plain).get(0);
    assertThat(plainSnap.getBoolean("reset")).as("without a market the event changes nothing").isFalse();
    assertThat(plainSnap.getJsonArray("offers")).isEmpty();
  }

  @Test
  @DisplayName("an event while a resumed snapshot is read: the client starts over rather than keep old prices")
  void eventDuringResumeRead() throws Exception {
    h.marketEvent(rate("5.10", "2026-11-30"), "cn-cbec");
    catalog(10);
    long before = h.memory.head().await().seq();
    h.store.hold();
    FakeChannel ch = h.connect();
    ch.send(subscribeSince("cn", "cn-cbec", h.epoch(), before));
    MarketInputs next = rate("5.50", "2026-12-01");
    h.marketEvent(next, "cn-cbec");
    h.store.release();
    h.loop.runTasks();
    List<JsonObject> got = frames(ch);
    JsonObject snap = got.stream().filter(f -> "snapshot".equals(f.getString("type"))).findFirst().orElseThrow();
    assertThat(snap.getBoolean("reset")).isTrue();
    assertThat(snap.getJsonArray("offers")).hasSize(10);
    for (Object o : snap.getJsonArray("offers")) {
      JsonObject offer = (JsonObject) o;
      assertThat(offer.getJsonObject("market")).isEqualTo(expected(offer.getString("sku"), next));
    }
  }

  @Test
  @DisplayName("an event while an added part loads: the repricing waits for it, and then covers everything")
  void eventDuringAdd() throws Exception {
    h.write("t", item("t1", "12.00", "Apparel"));
    FakeChannel ch = h.connect();
    ClientView cn = marketClient(ch, 30);
    h.store.hold();
    ClientView.Interest added = new ClientView.Interest().suppliers("t");
    cn.adding(added);
    ch.send(new JsonObject().put("op", "add").put("id", "cn").put("suppliers", new JsonArray().add("t")));
    MarketInputs next = rate("5.60", "2026-12-01");
    h.marketEvent(next, "cn-cbec");
    assertThat(ch.take()).as("nothing before the added part's snapshot").isEmpty();
    h.store.release();
    h.loop.runTasks();
    read(ch, cn);
    for (int i = 0; i < 30; i++) {
      assertThat(cn.offers().get("s:c" + i).getJsonObject("market")).isEqualTo(expected("c" + i, next));
    }
    Offer t1 = h.memory.find(new OfferKey("t", "t1")).await();
    assertThat(cn.offers().get("t:t1").getJsonObject("market"))
        .isEqualTo(Projection.of(t1, MarketsFile.load().get("cn-cbec"), next.rates(), next.at()));
  }

  @Test
  @DisplayName("an event's repricing read ahead of the hub: the offer changed after it is not sent early, without its fields")
  void repricingSkipsOffersTheHubHasNotHandedOut() throws Exception {
    FakeChannel ch = h.connect();
    ClientView cn = marketClient(ch, 10);
    MarketInputs next = rate("5.30", "2026-12-01");
    MarketEvent e = h.memory.commitEvent(next, List.of("cn-cbec"), "test", io.pricewire.store.Store.ANY_LAST_EVENT).await();
    // After the event, committed but not yet handed out when the event is: the read sees it.
    var after = h.commitUnpublished("s", item("c3", "55.00", "Seafood > Crab"));
    h.hub.onBatch(io.pricewire.changelog.ChangeBatch.of(h.epoch(), e, h.loop.nanoTime()));
    h.loop.runTasks();
    read(ch, cn);
    assertThat(cn.offers().get("s:c3").getString("category")).as("not yet: its change is on its way")
        .isNotEqualTo("Seafood > Crab");
    h.publish(after);
    read(ch, cn);
    for (int i = 0; i < 10; i++) {
      assertThat(cn.offers().get("s:c" + i).getJsonObject("market")).as("c%d", i).isEqualTo(expected("c" + i, next));
    }
    assertThat(cn.offers().get("s:c3").getString("category")).isEqualTo("Seafood > Crab");
  }
}
