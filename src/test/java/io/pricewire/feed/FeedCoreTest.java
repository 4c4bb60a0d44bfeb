package io.pricewire.feed;

import static io.pricewire.feed.FeedHarness.offer;
import static io.pricewire.feed.FeedHarness.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.store.Committed;
import io.pricewire.support.ClientView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The feed core on its own: a hub on a loop the test drives, connections over channels whose
 * writability and closing the test controls, a clock that moves only when the test moves it. No
 * sleeps, no sockets: each test states an order of events and checks what every client got.
 */
@DisplayName("feed core")
class FeedCoreTest {

  private final FeedHarness h = new FeedHarness();

  /** Applies the frames a channel got since last time to the views (by subscription id). */
  private static void read(FakeChannel ch, ClientView... views) {
    for (FakeChannel.Written w : ch.take()) {
      String id = w.frame().getString("id");
      for (ClientView v : views) {
        if (v.name().equals(id)) {
          v.apply(w.frame());
        }
      }
    }
    for (ClientView v : views) {
      assertThat(v.violation()).as("promises kept").isNull();
    }
  }

  /** Lets time pass for a client that answers every ping and otherwise does nothing. */
  private static void idle(FeedHarness fh, FakeChannel ch, long ms) {
    for (long left = ms; left > 0; left -= 10_000) {
      fh.loop.advance(Math.min(10_000, left));
      ch.pong();
    }
    assertThat(ch.closeCode()).as("the client stayed connected").isNull();
  }

  private static ClientView view(String id, ClientView.Interest interest) {
    return new ClientView(id, interest);
  }

  /** A client that subscribes with the view's interest and reads its snapshot. */
  private FakeChannel subscribed(ClientView v) {
    FakeChannel ch = h.connect();
    ch.send(subscribeFrame(v.name(), v.interest()));
    read(ch, v);
    return ch;
  }

  /** Fills the client's queue with one change of a filler offer, so that later changes wait. */
  private void fill(FakeChannel ch, ClientView v) {
    ch.stall();
    h.write("s", price("filler", String.valueOf(100 + fills++) + ".00"));
    read(ch, v);
  }

  private int fills;

  private static JsonObject subscribeFrame(String id, ClientView.Interest interest) {
    return subscribe(id).mergeIn(interest.toJson());
  }

  /** The store's current state of every offer the interest covers, as the feed writes offers. */
  private Map<String, JsonObject> stored(ClientView.Interest interest) {
    JsonObject json = interest.toJson();
    Set<OfferKey> skus = new HashSet<>();
    for (Object s : json.getJsonArray("skus")) {
      String text = (String) s;
      skus.add(new OfferKey(text.substring(0, text.indexOf(':')), text.substring(text.indexOf(':') + 1)));
    }
    Set<String> suppliers = json.getJsonArray("suppliers").stream().map(String.class::cast).collect(Collectors.toSet());
    Set<String> categories = json.getJsonArray("categories").stream().map(String.class::cast)
        .collect(Collectors.toSet());
    List<Offer> offers = h.memory.snapshot(new io.pricewire.offer.Interest(skus, suppliers, categories), -1).await()
        .offers();
    Map<String, JsonObject> out = new HashMap<>();
    for (Offer o : offers) {
      out.put(o.supplier() + ":" + o.sku(), o.toJson());
    }
    return out;
  }

  private static List<JsonObject> offersIn(FakeChannel.Written w) {
    List<JsonObject> out = new ArrayList<>();
    JsonObject f = w.frame();
    switch (f.getString("type")) {
      case "update" -> out.add(f.getJsonObject("offer"));
      case "updates" -> f.getJsonArray("updates").forEach(u -> out.add(((JsonObject) u).getJsonObject("offer")));
      case "snapshot" -> f.getJsonArray("offers").forEach(o -> out.add((JsonObject) o));
      default -> {
      }
    }
    return out;
  }

  private static String price(String sku, String amount) {
    return "{\"sku\": \"" + sku + "\", \"price\": \"" + amount + " CAD\"}";
  }

  private static String category(String sku, String category) {
    return "{\"sku\": \"" + sku + "\", \"category\": \"" + category + "\"}";
  }

  private static String availability(String sku, String availability) {
    return "{\"sku\": \"" + sku + "\", \"availability\": \"" + availability + "\"}";
  }

  @Nested
  @DisplayName("slow clients")
  class SlowClients {

    @Test
    @DisplayName("a stalled client's waiting states conflate to the newest per offer, and it ends with them")
    void conflation() {
      h.write("s", offer("a", "1.00"), offer("b", "1.00"));
      ClientView.Interest interest = new ClientView.Interest().suppliers("s");
      ClientView v = view("c", interest);
      FakeChannel ch = subscribed(v);
      ch.stall();
      for (int round = 2; round <= 30; round++) {
        h.write("s", price("a", round + ".00"), price("b", round + ".50"));
      }
      assertThat(h.hub.connectionCount()).isOne();
      List<FakeChannel.Written> whileStalled = ch.take();
      assertThat(whileStalled).as("the write that filled the queue, then nothing").hasSize(1);
      v.apply(whileStalled.get(0).frame());
      assertThat(h.counter("pricewire.feed.conflated")).isPositive();
      assertThat(ch.readingPaused()).as("a stalled client's frames wait unread").isTrue();
      ch.unstall();
      assertThat(ch.readingPaused()).isFalse();
      List<FakeChannel.Written> after = ch.take();
      assertThat(after).as("the newest state of both offers, in one frame").hasSize(1);
      assertThat(after.get(0).type()).isEqualTo("updates");
      v.apply(after.get(0).frame());
      assertThat(v.violation()).isNull();
      assertThat(v.offers()).isEqualTo(stored(interest));
    }

    @Test
    @DisplayName("a sell-out overtakes waiting price ticks, with a resume point below the oldest still waiting")
    void urgentFirst() {
      h.write("s", offer("a", "1.00"), offer("b", "1.00"), offer("k", "9.00"));
      ClientView.Interest interest = new ClientView.Interest().suppliers("s");
      ClientView v = view("u", interest);
      FakeChannel ch = subscribed(v);
      ch.stall();
      h.write("s", price("a", "2.00"));
      read(ch, v);
      long bSeq = FeedHarness.lastSeq(h.write("s", price("b", "2.00")));
      h.write("s", price("a", "3.00"));
      long soldSeq = FeedHarness.lastSeq(h.write("s", availability("k", "out_of_stock")));
      assertThat(ch.take()).isEmpty();
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames).hasSize(2);
      assertThat(offersIn(frames.get(0))).extracting(o -> o.getString("sku")).as("the sell-out first")
          .containsExactly("k");
      assertThat(frames.get(0).frame().getLong("seq")).as("below the waiting price tick of b")
          .isEqualTo(bSeq - 1).isLessThan(soldSeq);
      assertThat(offersIn(frames.get(1))).extracting(o -> o.getString("sku")).containsExactly("b", "a");
      assertThat(frames.get(1).frame().getLong("seq")).isEqualTo(soldSeq);
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
      assertThat(v.offers()).isEqualTo(stored(interest));
    }

    @Test
    @DisplayName("a client that takes no data is closed with 4002 after the slow timeout, not before")
    void slowClientClose() {
      h.write("s", offer("a", "1.00"));
      FakeChannel ch = h.connect();
      ch.send(subscribe("x").put("suppliers", new JsonArray().add("s")));
      ch.stall();
      h.write("s", price("a", "2.00"));
      h.loop.advance(FeedHarness.SLOW_TIMEOUT_MS - 1000);
      assertThat(ch.closeCode()).isNull();
      h.loop.advance(2000);
      assertThat(ch.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
      assertThat(h.counter("pricewire.feed.slow.closes")).isEqualTo(1);
      assertThat(h.hub.connectionCount()).isZero();
    }

    @Test
    @DisplayName("a client that keeps sending pings without reading stops being read, and is closed as slow")
    void pingsWithoutReading() {
      FakeChannel ch = h.connect().capacity(1000);
      int sent = 0;
      while (!ch.readingPaused() && sent < 10_000) {
        ch.send(new JsonObject().put("op", "ping").put("id", "p" + sent));
        sent++;
      }
      assertThat(ch.readingPaused()).as("reading stops once the pongs fill the queue").isTrue();
      assertThat(ch.queuedBytes()).as("what waits for the client is bounded").isLessThan(1100);
      h.loop.advance(FeedHarness.SLOW_TIMEOUT_MS + 2000);
      assertThat(ch.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
    }

    @Test
    @DisplayName("heartbeats count toward the stall like any frame")
    void pingsStall() {
      FakeChannel ch = h.connect().capacity(1);
      h.loop.advance(FeedHarness.PING_INTERVAL_MS + 1000);
      assertThat(ch.pings()).isEqualTo(1);
      assertThat(ch.readingPaused()).isTrue();
      // The pongs still come back (a stalled socket reads them late, but here the test answers).
      for (int i = 0; i < 3; i++) {
        ch.pong();
        h.loop.advance(10_000);
      }
      assertThat(ch.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
    }
  }

  @Nested
  @DisplayName("heartbeats")
  class Heartbeats {

    @Test
    @DisplayName("a client that answers pings stays connected past the timeout; a silent one is closed with 4001")
    void answersAndSilence() {
      FakeChannel answering = h.connect();
      FakeChannel silent = h.connect();
      FakeChannel sse = h.connect(new FakeChannel("sse"));
      long elapsed = 0;
      while (elapsed < 3 * FeedHarness.PING_TIMEOUT_MS) {
        h.loop.advance(FeedHarness.PING_INTERVAL_MS);
        elapsed += FeedHarness.PING_INTERVAL_MS;
        answering.pong();
        if (elapsed <= FeedHarness.PING_TIMEOUT_MS) {
          assertThat(silent.closeCode()).as("still within the timeout at %d ms", elapsed).isNull();
        }
      }
      assertThat(answering.closeCode()).isNull();
      assertThat(answering.pings()).isGreaterThanOrEqualTo(8);
      assertThat(silent.closeCode()).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
      assertThat(sse.closeCode()).as("an event stream cannot answer; its comments keep it open").isNull();
      assertThat(sse.pings()).isGreaterThanOrEqualTo(8);
    }

    @Test
    @DisplayName("any frame from the client counts as an answer")
    void framesCount() {
      FakeChannel ch = h.connect();
      for (int i = 0; i < 8; i++) {
        h.loop.advance(FeedHarness.PING_INTERVAL_MS);
        ch.send(new JsonObject().put("op", "ping"));
      }
      assertThat(ch.closeCode()).isNull();
    }
  }

  @Nested
  @DisplayName("max_rate")
  class MaxRate {

    @Test
    @DisplayName("the first change of a window goes at once, later ones merge, the newest goes when it ends")
    void windows() {
      h.write("s", offer("p", "1.00"));
      FakeChannel ch = h.connect();
      ch.send(subscribe("r").put("suppliers", new JsonArray().add("s")).put("max_rate", 1));
      ch.take();
      h.write("s", price("p", "2.00"));
      assertThat(ch.take()).extracting(w -> offersIn(w).get(0).getJsonObject("price").getString("amount"))
          .containsExactly("2.00");
      for (int i = 3; i <= 10; i++) {
        h.write("s", price("p", i + ".00"));
      }
      h.write("s", "{\"sku\": \"p\", \"quantity\": 7}");
      h.loop.advance(900);
      assertThat(ch.take()).as("every change but availability waits for the window").isEmpty();
      h.loop.advance(200);
      List<FakeChannel.Written> trailing = ch.take();
      assertThat(trailing).hasSize(1);
      JsonObject frame = trailing.get(0).frame();
      assertThat(frame.getJsonObject("offer").getJsonObject("price").getString("amount")).isEqualTo("10.00");
      assertThat(frame.getJsonObject("offer").getLong("quantity")).isEqualTo(7);
      assertThat(frame.getJsonArray("changed")).containsExactlyInAnyOrder("price", "quantity");
    }

    @Test
    @DisplayName("an availability change never waits for the window and carries the newest state")
    void availabilityGoesAtOnce() {
      h.write("s", offer("p", "1.00"));
      FakeChannel ch = h.connect();
      ch.send(subscribe("r").put("suppliers", new JsonArray().add("s")).put("max_rate", 0.5));
      ch.take();
      h.write("s", price("p", "2.00"));
      ch.take();
      h.write("s", price("p", "3.00"));
      h.write("s", availability("p", "out_of_stock"));
      List<FakeChannel.Written> urgent = ch.take();
      assertThat(urgent).hasSize(1);
      JsonObject o = urgent.get(0).frame().getJsonObject("offer");
      assertThat(o.getString("availability")).isEqualTo("out_of_stock");
      assertThat(o.getJsonObject("price").getString("amount")).isEqualTo("3.00");
      assertThat(urgent.get(0).frame().getJsonArray("changed")).containsExactlyInAnyOrder("availability", "price");
      h.write("s", price("p", "4.00"));
      h.loop.advance(1900);
      assertThat(ch.take()).as("the sell-out started a new window").isEmpty();
      h.loop.advance(200);
      assertThat(ch.take()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("closing connections")
  class Closing {

    @Test
    @DisplayName("clients whose close arrived before their close event do not stop the others, now or later")
    void closeFrameMidFlush() {
      h.write("s", offer("a", "1.00"));
      List<FakeChannel> observers = new ArrayList<>();
      List<FakeChannel> leaving = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        FakeChannel ch = h.connect();
        ch.send(subscribe("o").put("suppliers", new JsonArray().add("s")));
        ch.take();
        (i % 3 == 0 ? observers : leaving).add(ch);
      }
      leaving.forEach(FakeChannel::closeFrameArrives);
      for (int round = 2; round <= 4; round++) {
        h.write("s", price("a", round + ".00"));
        for (FakeChannel o : observers) {
          List<FakeChannel.Written> got = o.take();
          assertThat(got).as("round %d", round).hasSize(1);
          assertThat(got.get(0).frame().getJsonObject("offer").getJsonObject("price").getString("amount"))
              .isEqualTo(round + ".00");
        }
      }
      assertThat(h.hub.connectionCount()).isEqualTo(observers.size());
      assertThat(h.counter("pricewire.feed.faults")).as("a client closing is not a fault").isZero();
      leaving.forEach(FakeChannel::closedEvent);
      assertThat(h.hub.connectionCount()).isEqualTo(observers.size());
    }

    @Test
    @DisplayName("a close arriving while a change is matched leaves the other subscriptions' matching whole")
    void closeDuringMatching() {
      h.write("s", offer("a", "1.00"), offer("b", "1.00"));
      List<FakeChannel> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        FakeChannel ch = h.connect();
        ch.send(subscribe("o").put("suppliers", new JsonArray().add("s")));
        ch.take();
        all.add(ch);
      }
      // Two changes of one offer in one batch: the second makes each outbox write the first at once,
      // which is where a connection finds out its client closed.
      all.subList(0, 10).forEach(FakeChannel::closeFrameArrives);
      h.write("s", price("a", "2.00"), price("a", "3.00"), price("b", "2.00"));
      for (FakeChannel ch : all.subList(10, 20)) {
        List<JsonObject> got = ch.take().stream().flatMap(w -> offersIn(w).stream()).toList();
        assertThat(got).extracting(o -> o.getString("sku") + "=" + o.getJsonObject("price").getString("amount"))
            .containsExactly("a=2.00", "a=3.00", "b=2.00");
      }
      assertThat(h.hub.connectionCount()).isEqualTo(10);
    }

    @Test
    @DisplayName("a connection whose writes fail is closed with 1011 and counted; the others go on")
    void faultContained() {
      h.write("s", offer("a", "1.00"));
      List<FakeChannel> good = new ArrayList<>();
      FakeChannel failsInFlush = h.connect();
      for (int i = 0; i < 6; i++) {
        good.add(h.connect());
      }
      FakeChannel failsInMatching = h.connect();
      List<FakeChannel> everyone = new ArrayList<>(good);
      everyone.add(failsInFlush);
      everyone.add(failsInMatching);
      for (FakeChannel ch : everyone) {
        ch.send(subscribe("o").put("suppliers", new JsonArray().add("s")));
        ch.take();
      }
      // One change: written by the hub's flush of all connections.
      failsInFlush.failWrites = new IllegalStateException("a bug in a transport");
      h.write("s", price("a", "2.00"));
      // Two changes of one offer in a batch: the second writes the first at once, while matching.
      failsInMatching.failWrites = new IllegalStateException("another bug");
      h.write("s", price("a", "3.00"), price("a", "4.00"));
      h.write("s", price("a", "5.00"));
      for (FakeChannel ch : good) {
        assertThat(ch.take().stream().flatMap(w -> offersIn(w).stream())
            .map(o -> o.getJsonObject("price").getString("amount"))).containsExactly("2.00", "3.00", "4.00", "5.00");
      }
      assertThat(failsInFlush.closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      assertThat(failsInMatching.closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
      assertThat(h.counter("pricewire.feed.faults")).isEqualTo(2);
      assertThat(h.hub.connectionCount()).isEqualTo(good.size());
    }
  }

  @Nested
  @DisplayName("growing and shrinking while entries wait")
  class AddRemove {

    @Test
    @DisplayName("an add whose snapshot carries a newer state drops the older one waiting (full socket)")
    void addSupersedesWaitingLeave() {
      h.write("s", offer("o", "1.00", "A"), offer("filler", "1.00", "A"));
      ClientView.Interest interest = new ClientView.Interest().categories("A");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      h.write("s", category("o", "B"));
      h.store.hold();
      ClientView.Interest more = new ClientView.Interest().categories("B");
      v.adding(more);
      ch.send(new JsonObject().put("op", "add").put("id", "l").mergeIn(more.toJson()));
      h.write("s", price("o", "2.00"));
      h.store.release();
      ch.unstall();
      read(ch, v);
      assertThat(v.offers().get("s:o").getJsonObject("price").getString("amount")).isEqualTo("2.00");
      ClientView.Interest all = interest.copy().categories("B");
      assertThat(v.offers()).isEqualTo(stored(all));
    }

    @Test
    @DisplayName("an add whose snapshot carries a newer state drops the older one waiting in a max_rate window")
    void addSupersedesTimedLeave() {
      h.write("s", offer("o", "1.00", "A"));
      ClientView.Interest interest = new ClientView.Interest().categories("A");
      ClientView v = view("l", interest);
      FakeChannel ch = h.connect();
      ch.send(subscribeFrame("l", interest).put("max_rate", 0.001));
      read(ch, v);
      h.write("s", price("o", "1.50"));
      read(ch, v);
      h.write("s", category("o", "B"));
      assertThat(ch.take()).as("the move waits for the window").isEmpty();
      h.store.hold();
      ClientView.Interest more = new ClientView.Interest().categories("B");
      v.adding(more);
      ch.send(new JsonObject().put("op", "add").put("id", "l").mergeIn(more.toJson()));
      h.write("s", price("o", "2.00"));
      h.store.release();
      read(ch, v);
      idle(h, ch, 2_000_000);
      read(ch, v);
      assertThat(v.offers().get("s:o").getJsonObject("price").getString("amount")).isEqualTo("2.00");
      assertThat(v.offers()).isEqualTo(stored(interest.copy().categories("B")));
    }

    @Test
    @DisplayName("a remove drops the waiting entries it no longer covers; an unsubscribe drops them all")
    void removeDropsWaiting() {
      h.write("s", offer("a", "1.00"), offer("b", "1.00"), offer("filler", "1.00"));
      ClientView.Interest interest = new ClientView.Interest().skus("s:a", "s:b", "s:filler");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      h.write("s", price("a", "2.00"), price("b", "2.00"));
      ClientView.Interest gone = new ClientView.Interest().skus("s:a");
      v.removing(gone);
      ch.send(new JsonObject().put("op", "remove").put("id", "l").mergeIn(gone.toJson()));
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames.get(0).type()).as("the acknowledgement goes first").isEqualTo("removed");
      assertThat(frames.stream().flatMap(w -> offersIn(w).stream()).map(o -> o.getString("sku")))
          .containsExactly("b");
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
      fill(ch, v);
      h.write("s", price("b", "3.00"));
      ch.send(new JsonObject().put("op", "unsubscribe").put("id", "l"));
      ch.unstall();
      assertThat(ch.take()).extracting(FakeChannel.Written::type).containsExactly("unsubscribed");
      assertThat(h.metrics.pendingOffers.sum()).isZero();
    }

    @Test
    @DisplayName("after a remove, a waiting entry whose held state the client dropped comes as new, or not at all")
    void removeLetsGoOfHeldState() {
      h.write("s", offer("o", "1.00", "A"), offer("q", "1.00", "A"), offer("filler", "1.00", "B"));
      ClientView.Interest interest = new ClientView.Interest().categories("A", "B");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      // Both move from A to B while the client is behind; it holds them in A.
      h.write("s", category("o", "B"), category("q", "B"));
      ClientView.Interest gone = new ClientView.Interest().categories("A");
      v.removing(gone);
      ch.send(new JsonObject().put("op", "remove").put("id", "l").mergeIn(gone.toJson()));
      // q then leaves B as well: the client, which let go of it, hears nothing of q.
      h.write("s", category("q", "C"));
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames.stream().flatMap(w -> offersIn(w).stream()).map(o -> o.getString("sku")))
          .containsExactly("o");
      JsonObject update = frames.stream().map(FakeChannel.Written::frame).filter(f -> "update".equals(f.getString("type")))
          .findFirst().orElseThrow();
      assertThat(update.getJsonArray("changed")).as("new to the client: every field")
          .contains("price", "availability", "category", "quantity", "title");
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
      assertThat(v.offers()).isEqualTo(stored(new ClientView.Interest().categories("B")));
    }

    @Test
    @DisplayName("an add read while the bus lags the store drops the late changes its snapshot already carries")
    void lateChangesAfterAdd() {
      h.write("s", offer("o", "1.00", "Apparel"));
      ClientView.Interest interest = new ClientView.Interest().categories("Apparel");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      // Committed, not yet published to this hub: the store is ahead.
      Committed priced = h.commitUnpublished("s", price("o", "2.00"));
      Committed moved = h.commitUnpublished("s", category("o", "Seafood"));
      ClientView.Interest more = new ClientView.Interest().skus("s:o");
      v.adding(more);
      ch.send(new JsonObject().put("op", "add").put("id", "l").mergeIn(more.toJson()));
      read(ch, v);
      assertThat(v.offers().get("s:o").getLong("version")).as("the added snapshot carries the newest state").isEqualTo(3);
      h.publish(priced);
      h.publish(moved);
      read(ch, v);
      assertThat(v.offers()).isEqualTo(stored(interest.copy().skus("s:o")));
    }

    @Test
    @DisplayName("an offer that passes through a category being added, late, and is back before the snapshot, misses no field")
    void throughAddedCategory() {
      h.write("s", offer("o", "1.00", "Seafood"));
      ClientView.Interest interest = new ClientView.Interest().categories("Seafood");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      // Committed, not yet published to this hub: the added snapshot is read where "o" is back.
      Committed moved = h.commitUnpublished("s", category("o", "Beef"));
      Committed priced = h.commitUnpublished("s", price("o", "9.00"));
      Committed back = h.commitUnpublished("s", category("o", "Seafood"));
      ClientView.Interest more = new ClientView.Interest().categories("Beef");
      v.adding(more);
      ch.send(new JsonObject().put("op", "add").put("id", "l").mergeIn(more.toJson()));
      read(ch, v);
      h.publish(moved);
      h.publish(priced);
      h.publish(back);
      read(ch, v);
      assertThat(v.violation()).isNull();
      assertThat(v.offers()).isEqualTo(stored(interest.copy().categories("Beef")));
    }

    @Test
    @DisplayName("after a remove, an entry whose newest and held states are both outside is dropped")
    void removeDropsWhatIsOutsideEitherWay() {
      h.write("s", offer("o", "1.00", "A"), offer("filler", "1.00", "B"));
      ClientView.Interest interest = new ClientView.Interest().categories("A", "B");
      ClientView v = view("l", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      h.write("s", category("o", "B"));
      h.write("s", category("o", "A"));
      ClientView.Interest gone = new ClientView.Interest().categories("A");
      v.removing(gone);
      ch.send(new JsonObject().put("op", "remove").put("id", "l").mergeIn(gone.toJson()));
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames.stream().flatMap(w -> offersIn(w).stream()).map(o -> o.getString("sku"))).isEmpty();
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
    }

    @Test
    @DisplayName("an add's snapshot is written in chunks between updates of the live interest")
    void chunkedAdd() {
      FeedHarness small = new FeedHarness(2);
      for (int i = 0; i < 7; i++) {
        small.write("s", offer("n" + i, "1.00", "New"));
      }
      small.write("s", offer("live", "1.00"));
      ClientView.Interest interest = new ClientView.Interest().skus("s:live");
      ClientView v = view("l", interest);
      FakeChannel ch = small.connect().capacity(600);
      ch.send(subscribeFrame("l", interest));
      read(ch, v);
      ch.drain();
      ClientView.Interest more = new ClientView.Interest().categories("New");
      v.adding(more);
      ch.send(new JsonObject().put("op", "add").put("id", "l").mergeIn(more.toJson()));
      int round = 2;
      while (v.pendingAdds().size() > 0 && round < 100) {
        small.write("s", price("live", round + ".00"), price("n" + (round % 7), round + ".00"));
        read(ch, v);
        ch.drain();
        round++;
      }
      read(ch, v);
      assertThat(v.pendingAdds()).as("the added snapshot ended").isEmpty();
      assertThat(ch.all().stream().filter(w -> w.type().equals("snapshot")).count())
          .as("in several chunks").isGreaterThan(3);
      assertThat(ch.all().stream().filter(w -> w.type().equals("snapshot") && w.frame().getBoolean("more"))
          .map(FakeChannel.Written::resumeSeq)).as("only a complete snapshot is a resume point").allMatch(s -> s == -1);
      ch.unstall();
      read(ch, v);
      assertThat(v.offers().keySet()).hasSize(8);
      assertThat(v.offers().get("s:live").getJsonObject("price").getString("amount")).isEqualTo((round - 1) + ".00");
    }
  }

  @Nested
  @DisplayName("leaving and entering categories")
  class LeaveEnter {

    @Test
    @DisplayName("an offer that left while its leave waited, changed outside, and came back lists every changed field")
    void backAfterChangingOutside() {
      h.write("s", offer("o", "1.00", "A"), offer("filler", "1.00", "A"));
      ClientView.Interest interest = new ClientView.Interest().categories("A");
      ClientView v = view("c", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      h.write("s", category("o", "B"));
      h.write("s", price("o", "9.00"));
      h.write("s", category("o", "A"));
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames).hasSize(1);
      assertThat(frames.get(0).frame().getJsonArray("changed")).contains("price", "category");
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
      assertThat(v.offers()).isEqualTo(stored(interest));
    }

    @Test
    @DisplayName("an offer that enters the interest is news in every field it has")
    void entering() {
      h.write("s", offer("o", "1.00", "B"));
      ClientView.Interest interest = new ClientView.Interest().categories("A");
      FakeChannel ch = h.connect();
      ch.send(subscribeFrame("c", interest));
      ch.take();
      h.write("s", category("o", "A"));
      JsonObject update = ch.take().get(0).frame();
      assertThat(update.getJsonArray("changed")).containsExactlyInAnyOrder("price", "availability", "category");
    }

    @Test
    @DisplayName("an offer that came in and went out again while its entry waited is never sent")
    void inAndOutUnseen() {
      h.write("s", offer("o", "1.00", "B"), offer("filler", "1.00", "A"));
      ClientView.Interest interest = new ClientView.Interest().categories("A");
      ClientView v = view("c", interest);
      FakeChannel ch = subscribed(v);
      fill(ch, v);
      h.write("s", category("o", "A"));
      long out = FeedHarness.lastSeq(h.write("s", category("o", "C")));
      long last = FeedHarness.lastSeq(h.write("s", price("filler", "3.00")));
      ch.unstall();
      List<FakeChannel.Written> frames = ch.take();
      assertThat(frames.stream().flatMap(w -> offersIn(w).stream()).map(o -> o.getString("sku")))
          .containsExactly("filler");
      assertThat(frames.get(frames.size() - 1).frame().getLong("seq")).isEqualTo(last).isGreaterThan(out);
      frames.forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).isNull();
    }
  }

  @Nested
  @DisplayName("resume points")
  class ResumePoints {

    @Test
    @DisplayName("over random changes, stalls and drains, resume points only grow and never pass a change still waiting")
    void neverPassWaiting() {
      for (long seed = 1; seed <= 20; seed++) {
        run(seed);
      }
    }

    private void run(long seed) {
      FeedHarness fh = new FeedHarness(3);
      Random random = new Random(seed);
      String[] skus = {"a", "b", "c", "d", "e", "f"};
      String[] categories = {"A", "B", "C"};
      for (String sku : skus) {
        fh.write("s", offer(sku, "1.00", categories[random.nextInt(3)]));
      }
      ClientView.Interest interest = new ClientView.Interest().categories("A").skus("s:a");
      ClientView v = new ClientView("r", interest);
      FakeChannel ch = fh.connect().capacity(400);
      JsonObject subscribe = subscribeFrame("r", interest);
      if (random.nextBoolean()) {
        subscribe.put("max_rate", 2);
      }
      ch.send(subscribe);
      List<Committed> commits = new ArrayList<>();
      for (int step = 0; step < 300; step++) {
        int what = random.nextInt(10);
        if (what < 6) {
          String sku = skus[random.nextInt(skus.length)];
          String item = switch (random.nextInt(3)) {
            case 0 -> price(sku, random.nextInt(90) + 1 + ".00");
            case 1 -> category(sku, categories[random.nextInt(3)]);
            default -> availability(sku, random.nextBoolean() ? "in_stock" : "out_of_stock");
          };
          commits.add(fh.write("s", item));
        } else if (what < 8) {
          ch.drain();
        } else {
          fh.loop.advance(random.nextInt(700));
          ch.pong();
        }
        for (FakeChannel.Written w : ch.take()) {
          v.apply(w.frame());
          assertThat(v.violation()).as("seed %d", seed).isNull();
          if (w.type() == null || !w.type().startsWith("update")) {
            continue;
          }
          // Every change in the interest up to the frame's seq must be at the client by now.
          long point = w.frame().getLong("seq");
          for (Committed c : commits) {
            for (var change : c.changes()) {
              if (change.seq() <= point && interest.matches(change.offer().toJson())) {
                JsonObject held = v.offers().get("s:" + change.offer().sku());
                assertThat(held == null ? Long.MAX_VALUE : held.getLong("version"))
                    .as("seed %d: change %d of %s is covered by resume point %d", seed, change.seq(),
                        change.offer().sku(), point)
                    .isGreaterThanOrEqualTo(change.offer().version());
              }
            }
          }
        }
      }
      ch.unstall();
      fh.loop.advance(2000);
      ch.take().forEach(w -> v.apply(w.frame()));
      assertThat(v.violation()).as("seed %d", seed).isNull();
      Map<String, JsonObject> stored = new HashMap<>();
      for (Offer o : fh.memory.snapshot(new io.pricewire.offer.Interest(Set.of(new OfferKey("s", "a")), Set.of(),
          Set.of("A")), -1).await().offers()) {
        stored.put("s:" + o.sku(), o.toJson());
      }
      assertThat(ch.closeCode()).as("seed %d: the client kept its connection", seed).isNull();
      assertThat(v.offers()).as("seed %d: the client ends with the store's state (%d frames, %d updates)", seed,
          v.frames(), v.updates()).isEqualTo(stored);
    }
  }
}
