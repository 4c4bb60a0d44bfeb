package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.Metrics;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Flow control with real slow clients: a client that stops reading (paused, with a tiny receive
 * buffer) fills the gateway's write queue within a few hundred kilobytes.
 */
@DisplayName("feed flow control")
class FlowControlTest {

  private static final String[] LOCALES = {"en", "fr", "de", "es", "it", "ja", "ko", "zh-CN", "zh-TW", "ru", "pt",
      "nl", "sv", "da", "fi", "nb", "pl", "cs", "tr", "ar", "he", "th", "vi", "id", "ms", "hi", "uk", "el", "hu", "ro"};
  private static final AtomicInteger suppliers = new AtomicInteger();

  private static TestGateway gateway;
  private Vertx clients;
  private Http http;
  private final List<FeedClient> opened = new ArrayList<>();

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_MAX_INTEREST", "50", "PRICEWIRE_FEED_SLOW_TIMEOUT_MS", "60000",
        "PRICEWIRE_EVENT_LOOPS", "1"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void clients() {
    clients = Vertx.vertx();
    http = new Http(clients, gateway.port());
  }

  @AfterEach
  void closeClients() {
    opened.forEach(FeedClient::close);
    http.close();
    clients.close().await();
  }

  static String supplier() {
    return "flow" + suppliers.incrementAndGet();
  }

  /** About 13 KB of titles: a few hundred updates fill any socket buffer. */
  static JsonObject bigTitle(int round) {
    JsonObject t = new JsonObject();
    for (String l : LOCALES) {
      t.put(l, ("活龙虾" + round).repeat(40).substring(0, 140));
    }
    return t;
  }

  FeedClient connect() {
    FeedClient c = FeedClient.connect(clients, gateway.port());
    opened.add(c);
    return c;
  }

  /** A client whose tiny receive buffer makes it slow as soon as it pauses. */
  FeedClient connectSlow() {
    FeedClient c = FeedClient.connect(clients, gateway.port(), new WebSocketClientOptions().setReceiveBufferSize(2048));
    opened.add(c);
    return c;
  }

  void ingest(String supplier, JsonObject... offers) {
    JsonObject answer = http.offers(supplier, new JsonArray(List.of((Object[]) offers)));
    for (Object i : answer.getJsonArray("items")) {
      assertThat(((JsonObject) i).getString("status")).isIn("applied", "unchanged");
    }
  }

  long pending() {
    return (long) Metrics.value(clients, gateway.opsPort(), "pricewire_feed_pending_offers");
  }

  /** Waits until at least {@code n} states wait (the gauge counts after each flush), failing after 30 s. */
  void awaitPending(long n) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (pending() < n) {
      assertThat(System.nanoTime()).as("%d states waiting", n).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  void seed(String s, int n) {
    JsonObject[] offers = new JsonObject[n];
    for (int i = 0; i < n; i++) {
      offers[i] = new JsonObject().put("sku", "o" + i).put("price", "1.00 CAD").put("availability", "in_stock")
          .put("title", bigTitle(0));
    }
    ingest(s, offers);
  }

  void priceRound(String s, int n, int round) {
    JsonObject[] offers = new JsonObject[n];
    for (int i = 0; i < n; i++) {
      offers[i] = new JsonObject().put("sku", "o" + i).put("price", round + "." + String.format("%02d", i % 100)
          + " CAD");
    }
    ingest(s, offers);
  }

  /** Every update a frame carries (one for update, several for updates). */
  static List<JsonObject> offersIn(JsonObject frame) {
    return FeedClient.offersIn(frame);
  }

  @Test
  @DisplayName("a slow subscriber's waiting updates conflate per offer, and it ends with the last committed state")
  void conflation() {
    String s = supplier();
    int n = 20;
    int rounds = 40;
    seed(s, n);
    FeedClient slow = connectSlow().send(subscribe("c").put("suppliers", new JsonArray().add(s)));
    slow.snapshot();
    slow.ws.pause();
    long maxPending = 0;
    for (int round = 1; round <= rounds; round++) {
      priceRound(s, n, round);
      if (round % 10 == 0) {
        maxPending = Math.max(maxPending, pending());
      }
    }
    assertThat(maxPending).as("waiting states never exceed the interest").isLessThanOrEqualTo(n);
    assertThat(Metrics.value(clients, gateway.opsPort(), "pricewire_feed_conflated_total")).isPositive();
    Map<String, Long> finalVersions = new HashMap<>();
    for (int i = 0; i < n; i++) {
      finalVersions.put("o" + i, http.get("/v1/suppliers/" + s + "/offers/o" + i).bodyAsJsonObject().getLong("version"));
    }
    slow.ws.resume();
    Map<String, Long> versions = new HashMap<>();
    Map<String, String> prices = new HashMap<>();
    long lastFrameSeq = -1;
    int updates = 0;
    while (!versions.equals(finalVersions)) {
      JsonObject f = slow.next();
      assertThat(f.getLong("seq")).as("resume points only grow").isGreaterThanOrEqualTo(lastFrameSeq);
      lastFrameSeq = f.getLong("seq");
      for (JsonObject o : offersIn(f)) {
        Long before = versions.put(o.getString("sku"), o.getLong("version"));
        assertThat(o.getLong("version")).as("versions of one offer only grow").isGreaterThan(before == null ? 0 : before);
        prices.put(o.getString("sku"), o.getJsonObject("price").getString("amount"));
        updates++;
      }
    }
    assertThat(updates).as("conflation sent fewer updates than changes").isLessThan(n * rounds);
    for (int i = 0; i < n; i++) {
      JsonObject stored = http.get("/v1/suppliers/" + s + "/offers/o" + i).bodyAsJsonObject();
      assertThat(prices.get("o" + i)).isEqualTo(stored.getJsonObject("price").getString("amount"));
    }
  }

  @Test
  @DisplayName("a sell-out overtakes price ticks waiting for a slow client, with a resume point below them")
  void urgentOvertakes() {
    String s = supplier();
    int n = 20;
    seed(s, n);
    ingest(s, new JsonObject().put("sku", "k").put("price", "9.00 CAD").put("availability", "in_stock"));
    FeedClient slow = connectSlow().send(subscribe("u").put("suppliers", new JsonArray().add(s)));
    slow.snapshot();
    slow.ws.pause();
    int round = 1;
    while (pending() < n / 2 && round < 200) {
      priceRound(s, n, round++);
    }
    awaitPending(n / 2);
    int lastRound = round - 1;
    JsonObject soldOut = http.offers(s, new JsonArray().add(new JsonObject().put("sku", "k").put("quantity", 0)
        .put("availability", "out_of_stock"))).getJsonArray("items").getJsonObject(0);
    long soldOutSeq = soldOut.getLong("seq");
    slow.ws.resume();
    // Read until the client holds the final state of every offer.
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < n; i++) {
      expected.put("o" + i, lastRound + "." + String.format("%02d", i % 100));
    }
    Map<String, String> prices = new HashMap<>();
    boolean soldSeen = false;
    List<JsonObject> frames = new ArrayList<>();
    while (!soldSeen || !prices.equals(expected)) {
      JsonObject f = slow.next();
      frames.add(f);
      for (JsonObject o : offersIn(f)) {
        if (o.getString("sku").equals("k")) {
          soldSeen = o.getString("availability").equals("out_of_stock");
        } else {
          prices.put(o.getString("sku"), o.getJsonObject("price").getString("amount"));
        }
      }
    }
    int soldAt = -1;
    for (int i = 0; i < frames.size(); i++) {
      if (offersIn(frames.get(i)).stream().anyMatch(o -> o.getString("sku").equals("k"))) {
        soldAt = i;
      }
    }
    assertThat(soldAt).as("the sell-out arrived").isGreaterThanOrEqualTo(0);
    JsonObject soldFrame = frames.get(soldAt);
    assertThat(soldFrame.getLong("seq")).as("resume point stays below the waiting ticks").isLessThan(soldOutSeq);
    boolean olderAfter = frames.subList(soldAt + 1, frames.size()).stream()
        .flatMap(fr -> offersIn(fr).stream()).anyMatch(o -> o.getLong("seq") < soldOutSeq);
    assertThat(olderAfter).as("older price ticks came after the sell-out").isTrue();
    assertThat(frames.get(frames.size() - 1).getLong("seq")).isGreaterThanOrEqualTo(soldOutSeq);
  }

  @Test
  @DisplayName("max_rate merges changes per offer and never holds back an availability change")
  void maxRate() {
    String s = supplier();
    ingest(s, new JsonObject().put("sku", "p").put("price", "1.00 CAD").put("availability", "in_stock"),
        new JsonObject().put("sku", "q").put("price", "1.00 CAD").put("availability", "in_stock"));
    // One update per offer every 1000 s: no window ends while the test runs, whatever the machine's speed.
    FeedClient c = connect().send(subscribe("r").put("suppliers", new JsonArray().add(s)).put("max_rate", 0.001));
    c.snapshot();
    ingest(s, new JsonObject().put("sku", "p").put("price", "2.00 CAD"));
    assertThat(c.next().getJsonObject("offer").getJsonObject("price").getString("amount"))
        .as("the first change of a window goes at once").isEqualTo("2.00");
    for (int i = 3; i <= 20; i++) {
      ingest(s, new JsonObject().put("sku", "p").put("price", i + ".00 CAD"));
    }
    ingest(s, new JsonObject().put("sku", "p").put("quantity", 5));
    // Another offer's first change goes at once, after anything of p that would not have waited.
    ingest(s, new JsonObject().put("sku", "q").put("price", "1.50 CAD"));
    assertThat(FeedClient.updatedSkus(c.framesUntil(FeedClient.updateOf("q")))).as("p's changes wait for its window")
        .containsExactly("q");
    ingest(s, new JsonObject().put("sku", "p").put("availability", "out_of_stock"));
    JsonObject urgent = c.next();
    assertThat(urgent.getJsonObject("offer").getString("availability")).isEqualTo("out_of_stock");
    assertThat(urgent.getJsonObject("offer").getJsonObject("price").getString("amount")).isEqualTo("20.00");
    assertThat(urgent.getJsonObject("offer").getLong("quantity")).isEqualTo(5);
    assertThat(urgent.getJsonArray("changed")).containsExactlyInAnyOrder("availability", "price", "quantity");
  }

  @Test
  @DisplayName("a max_rate window ends with the newest state")
  void maxRateWindowEnds() {
    String s = supplier();
    ingest(s, new JsonObject().put("sku", "p").put("price", "1.00 CAD").put("availability", "in_stock"));
    FeedClient c = connect().send(subscribe("r").put("suppliers", new JsonArray().add(s)).put("max_rate", 4));
    c.snapshot();
    for (int i = 2; i <= 30; i++) {
      ingest(s, new JsonObject().put("sku", "p").put("price", i + ".00 CAD"));
    }
    String price = null;
    while (!"30.00".equals(price)) {
      price = c.next().getJsonObject("offer").getJsonObject("price").getString("amount");
    }
  }

  @Test
  @DisplayName("max_rate must be a positive number")
  void maxRateValidation() {
    FeedClient c = connect().send(subscribe("r").put("suppliers", new JsonArray().add("x")).put("max_rate", -1));
    assertThat(c.next().getString("code")).isEqualTo("invalid_max_rate");
  }

  @Test
  @DisplayName("add grows a live subscription with a snapshot of just the added offers; remove stops them")
  void addAndRemove() {
    String s = supplier();
    String t = supplier();
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.00 CAD").put("availability", "in_stock"),
        new JsonObject().put("sku", "b").put("price", "2.00 CAD").put("availability", "in_stock"));
    ingest(t, new JsonObject().put("sku", "x").put("price", "3.00 CAD").put("availability", "in_stock"));
    FeedClient c = connect().send(subscribe("list").put("skus", new JsonArray().add(s + ":a")));
    assertThat(c.snapshot().get(0).getJsonArray("offers")).hasSize(1);
    c.send(new JsonObject().put("op", "add").put("id", "list").put("skus", new JsonArray().add(s + ":a").add(s + ":b"))
        .put("suppliers", new JsonArray().add(t)));
    JsonObject added = c.snapshot().get(0);
    assertThat(added.getBoolean("added")).isTrue();
    assertThat(added.getJsonArray("offers").stream().map(o -> ((JsonObject) o).getString("sku")))
        .containsExactlyInAnyOrder("b", "x");
    ingest(s, new JsonObject().put("sku", "b").put("price", "2.50 CAD"));
    assertThat(c.next().getJsonObject("offer").getString("sku")).isEqualTo("b");
    c.send(new JsonObject().put("op", "remove").put("id", "list").put("skus", new JsonArray().add(s + ":a")));
    JsonObject removed = c.next();
    assertThat(removed.getString("type")).isEqualTo("removed");
    assertThat(removed.getString("id")).isEqualTo("list");
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.50 CAD"));
    ingest(t, new JsonObject().put("sku", "x").put("price", "3.50 CAD"));
    assertThat(c.next().getJsonObject("offer").getString("sku")).as("a no longer arrives; x still does")
        .isEqualTo("x");
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.60 CAD"));
    ingest(t, new JsonObject().put("sku", "x").put("price", "3.60 CAD"));
    assertThat(FeedClient.updatedSkus(c.framesUntil(FeedClient.updateOf("x")))).containsExactly("x");
  }

  @Test
  @DisplayName("add beyond the interest limit is refused naming the limit, and the subscription goes on")
  void addLimit() {
    String s = supplier();
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.00 CAD").put("availability", "in_stock"));
    JsonArray many = new JsonArray();
    for (int i = 0; i < 50; i++) {
      many.add(s + ":n" + i);
    }
    FeedClient c = connect().send(subscribe("l").put("skus", new JsonArray().add(s + ":a")));
    c.snapshot();
    c.send(new JsonObject().put("op", "add").put("id", "l").put("skus", many));
    JsonObject error = c.next();
    assertThat(error.getString("code")).isEqualTo("interest_too_large");
    assertThat(error.getString("message")).contains("50").contains("PRICEWIRE_FEED_MAX_INTEREST");
    c.send(new JsonObject().put("op", "add").put("id", "nope").put("skus", new JsonArray().add(s + ":a")));
    assertThat(c.next().getString("code")).isEqualTo("unknown_subscription");
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.10 CAD"));
    assertThat(c.next().getString("type")).isEqualTo("update");
  }

  @Test
  @DisplayName("adds racing a stream of changes end with exactly the committed state")
  void addRacingChanges() throws Exception {
    String s = supplier();
    JsonObject[] seeds = new JsonObject[10];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = new JsonObject().put("sku", "r" + i).put("price", "1.00 CAD").put("availability", "in_stock");
    }
    ingest(s, seeds);
    FeedClient c = connect().send(subscribe("race").put("skus", new JsonArray().add(s + ":r0")));
    c.snapshot();
    Thread writer = new Thread(() -> {
      for (int round = 2; round <= 40; round++) {
        JsonObject[] offers = new JsonObject[10];
        for (int i = 0; i < 10; i++) {
          offers[i] = new JsonObject().put("sku", "r" + i).put("price", round + ".00 CAD");
        }
        ingest(s, offers);
      }
    });
    writer.start();
    for (int i = 1; i < 10; i++) {
      c.send(new JsonObject().put("op", "add").put("id", "race").put("skus", new JsonArray().add(s + ":r" + i)));
    }
    writer.join();
    Map<String, String> prices = new HashMap<>();
    Map<String, Long> versions = new HashMap<>();
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      expected.put("r" + i, "40.00");
    }
    while (!prices.equals(expected)) {
      JsonObject f = c.next();
      List<JsonObject> offers = "snapshot".equals(f.getString("type"))
          ? f.getJsonArray("offers").stream().map(o -> (JsonObject) o).toList() : offersIn(f);
      for (JsonObject o : offers) {
        Long before = versions.put(o.getString("sku"), o.getLong("version"));
        assertThat(o.getLong("version")).as("no older state after a newer one for " + o.getString("sku"))
            .isGreaterThanOrEqualTo(before == null ? 0 : before);
        prices.put(o.getString("sku"), o.getJsonObject("price").getString("amount"));
      }
    }
  }
}
