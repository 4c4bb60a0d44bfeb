package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live feed end to end over real HTTP and WebSocket clients, run against each store. Each
 * test uses its own suppliers.
 */
abstract class FeedContract {

  private static final AtomicInteger suppliers = new AtomicInteger();
  protected Vertx clients;
  protected Http http;
  private final List<FeedClient> opened = new ArrayList<>();

  protected abstract TestGateway gateway();

  @BeforeEach
  void clients() {
    clients = Vertx.vertx();
    http = new Http(clients, gateway().port());
  }

  @AfterEach
  void closeClients() {
    opened.forEach(FeedClient::close);
    http.close();
    clients.close().await();
  }

  protected FeedClient connect() {
    FeedClient c = FeedClient.connect(clients, gateway().port());
    opened.add(c);
    return c;
  }

  static String supplier() {
    return "feed" + suppliers.incrementAndGet();
  }

  static JsonObject offer(String sku, String price) {
    return new JsonObject().put("sku", sku).put("price", price + " CAD").put("availability", "in_stock");
  }

  JsonArray ingest(String supplier, JsonObject... offers) {
    JsonArray items = http.offers(supplier, new JsonArray(List.of((Object[]) offers))).getJsonArray("items");
    for (Object i : items) {
      assertThat(((JsonObject) i).getString("status")).as(((JsonObject) i).encode()).isIn("applied", "unchanged");
    }
    return items;
  }

  static JsonArray list(String... values) {
    return new JsonArray(List.of((Object[]) values));
  }

  @Test
  @DisplayName("a subscriber gets a snapshot of the current state, then each new change as an update")
  void snapshotThenUpdate() {
    String s = supplier();
    ingest(s, offer("lobster", "42.00").put("quantity", 10), offer("crab", "89.00"));
    FeedClient c = connect().send(subscribe("sub-1").put("suppliers", list(s)));
    JsonObject snap = c.snapshot().get(0);
    assertThat(snap.getString("id")).isEqualTo("sub-1");
    assertThat(snap.getBoolean("reset")).isFalse();
    assertThat(snap.getBoolean("resumed")).isFalse();
    assertThat(snap.getValue("seq")).isInstanceOf(Number.class);
    assertThat(snap.getValue("epoch")).isInstanceOf(String.class);
    assertThat(snap.getJsonArray("offers").stream().map(o -> ((JsonObject) o).getString("sku")))
        .containsExactlyInAnyOrder("lobster", "crab");
    long seq = ingest(s, new JsonObject().put("sku", "lobster").put("quantity", 0)
        .put("availability", "out_of_stock")).getJsonObject(0).getLong("seq");
    JsonObject update = c.next();
    assertThat(update.getString("type")).isEqualTo("update");
    assertThat(update.getString("id")).isEqualTo("sub-1");
    assertThat(update.getLong("seq")).isEqualTo(seq);
    assertThat(update.getString("epoch")).isEqualTo(snap.getString("epoch"));
    assertThat(update.getJsonArray("changed")).containsExactlyInAnyOrder("availability", "quantity");
    JsonObject o = update.getJsonObject("offer");
    assertThat(o.getString("sku")).isEqualTo("lobster");
    assertThat(o.getLong("version")).isEqualTo(2);
    assertThat(o.getString("availability")).isEqualTo("out_of_stock");
    assertThat(o.getLong("quantity")).isZero();
    assertThat(o.getJsonObject("price").getString("amount")).isEqualTo("42.00");
  }

  @Test
  @DisplayName("the changes of one ingest request reach a subscriber as one updates frame, in seq order")
  void batchAsOneFrame() {
    String s = supplier();
    FeedClient c = connect().send(subscribe("b").put("suppliers", list(s)));
    c.snapshot();
    JsonObject[] offers = new JsonObject[10];
    for (int i = 0; i < offers.length; i++) {
      offers[i] = offer("sku-" + i, (10 + i) + ".00");
    }
    JsonArray items = ingest(s, offers);
    JsonObject frame = c.next();
    assertThat(frame.getString("type")).isEqualTo("updates");
    assertThat(frame.getString("id")).isEqualTo("b");
    JsonArray updates = frame.getJsonArray("updates");
    assertThat(updates).hasSize(10);
    for (int i = 0; i < 10; i++) {
      JsonObject offer = updates.getJsonObject(i).getJsonObject("offer");
      assertThat(offer.getString("sku")).isEqualTo("sku-" + i);
      assertThat(offer.getLong("seq")).isEqualTo(items.getJsonObject(i).getLong("seq"));
      assertThat(offer.getJsonObject("price").getString("amount")).isEqualTo((10 + i) + ".00");
    }
    assertThat(frame.getLong("seq")).as("the resume point is the last change").isEqualTo(items.getJsonObject(9)
        .getLong("seq"));
    ingest(s, offer("sku-3", "99.00"));
    JsonObject single = c.next();
    assertThat(single.getString("type")).as("a lone change is a plain update").isEqualTo("update");
    ingest(s, offer("marker", "1.00"));
    assertThat(FeedClient.updatedSkus(c.framesUntil(FeedClient.updateOf("marker")))).as("nothing else came")
        .containsExactly("marker");
  }

  @Test
  @DisplayName("interest by sku, by supplier and by category each match, and nothing else arrives")
  void interestKinds() {
    String a = supplier();
    String b = supplier();
    String category = "Cherries " + a;
    ingest(a, offer("one", "1.00"), offer("two", "2.00"));
    ingest(b, offer("three", "3.00").put("category", category), offer("four", "4.00"));
    FeedClient bySku = connect().send(subscribe("k").put("skus", new JsonArray()
        .add(new JsonObject().put("supplier", a).put("sku", "one")).add(b + ":four")));
    FeedClient byCategory = connect().send(subscribe("c").put("categories", list(category)));
    assertThat(bySku.snapshot().get(0).getJsonArray("offers")).hasSize(2);
    assertThat(byCategory.snapshot().get(0).getJsonArray("offers")).hasSize(1);
    ingest(a, new JsonObject().put("sku", "two").put("price", "2.50 CAD"));
    ingest(a, new JsonObject().put("sku", "one").put("price", "1.50 CAD"));
    ingest(b, new JsonObject().put("sku", "three").put("category", "Moved " + a));
    assertThat(bySku.next().getJsonObject("offer").getString("sku")).isEqualTo("one");
    JsonObject moved = byCategory.next();
    assertThat(moved.getJsonObject("offer").getString("category")).isEqualTo("Moved " + a);
    ingest(b, new JsonObject().put("sku", "three").put("price", "3.50 CAD"));
    ingest(b, new JsonObject().put("sku", "four").put("price", "4.50 CAD"), offer("marker", "1.00")
        .put("category", category));
    assertThat(FeedClient.updatedSkus(bySku.framesUntil(FeedClient.updateOf("four")))).as("nothing else by sku")
        .containsExactly("four");
    assertThat(FeedClient.updatedSkus(byCategory.framesUntil(FeedClient.updateOf("marker"))))
        .as("the offer left the category: its later change is not sent").containsExactly("marker");
  }

  @Test
  @DisplayName("changes racing a subscribe arrive exactly once, in seq order, after the snapshot")
  void noGapNoDuplicate() throws Exception {
    String s = supplier();
    ingest(s, offer("p", "1.00"));
    Thread writer = new Thread(() -> {
      for (int i = 2; i <= 60; i++) {
        ingest(s, new JsonObject().put("sku", "p").put("price", i + ".00 CAD"));
      }
    });
    writer.start();
    FeedClient c = connect().send(subscribe("race").put("suppliers", list(s)));
    JsonObject snap = c.snapshot().get(0);
    writer.join();
    long last = snap.getLong("seq");
    String price = snap.getJsonArray("offers").getJsonObject(0).getJsonObject("price").getString("amount");
    while (!price.equals("60.00")) {
      JsonObject u = c.next();
      assertThat(u.getLong("seq")).isGreaterThan(last);
      last = u.getLong("seq");
      String next = u.getJsonObject("offer").getJsonObject("price").getString("amount");
      assertThat(Double.parseDouble(next)).as("prices only go up in this test").isGreaterThan(Double.parseDouble(price));
      price = next;
    }
    ingest(s, offer("marker", "1.00"));
    assertThat(FeedClient.updatedSkus(c.framesUntil(FeedClient.updateOf("marker")))).as("no change twice")
        .containsExactly("marker");
  }

  /** Whether snapshot reads take long enough that subscribes arriving together share them. */
  protected boolean sharesSnapshotReads() {
    return false;
  }

  private double snapshotReads() {
    return io.pricewire.support.Metrics.value(clients, gateway().opsPort(),
        "pricewire_feed_snapshots_total{source=\"read\"}");
  }

  @Test
  @DisplayName("storefronts subscribing all at once, also while the supplier writes, each end with the committed state")
  void subscribeStorm() throws Exception {
    String s = supplier();
    List<JsonObject> seed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      seed.add(offer("o" + i, "1.00"));
    }
    ingest(s, seed.toArray(JsonObject[]::new));
    List<FeedClient> storefronts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      storefronts.add(connect());
    }
    double readsBefore = snapshotReads();
    storefronts.forEach(c -> c.send(subscribe("calm").put("suppliers", list(s))));
    for (FeedClient c : storefronts) {
      int offers = 0;
      for (JsonObject part : c.snapshot()) {
        offers += part.getJsonArray("offers").size();
      }
      assertThat(offers).isEqualTo(20);
    }
    if (sharesSnapshotReads()) {
      assertThat(snapshotReads() - readsBefore).as("store reads for 60 identical subscribes sent together")
          .isLessThan(60);
    }

    Map<String, String> truth = new java.util.concurrent.ConcurrentHashMap<>();
    Thread writer = new Thread(() -> {
      for (int i = 2; i <= 40; i++) {
        String sku = "o" + (i % 20);
        ingest(s, new JsonObject().put("sku", sku).put("price", i + ".00 CAD"));
        truth.put(sku, i + ".00");
      }
    });
    writer.start();
    storefronts.forEach(c -> c.send(new JsonObject().put("op", "unsubscribe").put("id", "calm"))
        .send(subscribe("storm").put("suppliers", list(s))));
    writer.join();
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      expected.put("o" + i, truth.getOrDefault("o" + i, "1.00"));
    }
    for (FeedClient c : storefronts) {
      Map<String, String> view = new HashMap<>();
      long last = -1;
      while (!view.equals(expected)) {
        JsonObject f = c.next(5000);
        List<JsonObject> offers = new ArrayList<>();
        switch (f.getString("type")) {
          case "snapshot" -> {
            if ("storm".equals(f.getString("id"))) {
              f.getJsonArray("offers").forEach(o -> offers.add((JsonObject) o));
            }
          }
          case "update" -> offers.add(f.getJsonObject("offer"));
          case "updates" -> f.getJsonArray("updates").forEach(u -> offers.add(((JsonObject) u).getJsonObject("offer")));
          default -> { }
        }
        if (!"storm".equals(f.getString("id", "storm")) || offers.isEmpty()) {
          continue;
        }
        for (JsonObject o : offers) {
          view.put(o.getString("sku"), o.getJsonObject("price").getString("amount"));
        }
        if (!"snapshot".equals(f.getString("type"))) {
          assertThat(f.getLong("seq")).as("seqs only grow").isGreaterThan(last);
          last = f.getLong("seq");
        } else {
          last = Math.max(last, f.getLong("seq"));
        }
      }
    }
  }

  @Test
  @DisplayName("resume brings exactly the offers in the interest that changed while away, then live updates")
  void resume() {
    String s = supplier();
    String other = supplier();
    ingest(s, offer("a", "1.00"), offer("b", "2.00"), offer("c", "3.00"));
    FeedClient first = connect().send(subscribe("r").put("suppliers", list(s)));
    JsonObject snap = first.snapshot().get(0);
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.10 CAD"));
    JsonObject lastSeen = first.next();
    first.close();
    ingest(s, new JsonObject().put("sku", "b").put("price", "2.20 CAD"));
    ingest(s, new JsonObject().put("sku", "b").put("price", "2.30 CAD"));
    ingest(other, offer("x", "9.00"));
    ingest(s, offer("d", "4.00"));
    FeedClient again = connect().send(subscribe("r").put("suppliers", list(s))
        .put("since", new JsonObject().put("epoch", lastSeen.getString("epoch")).put("seq", lastSeen.getLong("seq"))));
    JsonObject resumed = again.snapshot().get(0);
    assertThat(resumed.getBoolean("resumed")).isTrue();
    assertThat(resumed.getBoolean("reset")).isFalse();
    assertThat(resumed.getString("epoch")).isEqualTo(snap.getString("epoch"));
    Map<String, String> prices = new HashMap<>();
    resumed.getJsonArray("offers").forEach(o -> prices.put(((JsonObject) o).getString("sku"),
        ((JsonObject) o).getJsonObject("price").getString("amount")));
    assertThat(prices).containsExactlyInAnyOrderEntriesOf(Map.of("b", "2.30", "d", "4.00"));
    ingest(s, new JsonObject().put("sku", "c").put("price", "3.30 CAD"));
    assertThat(again.next().getJsonObject("offer").getString("sku")).isEqualTo("c");
  }

  @Test
  @DisplayName("resume by category brings the new state of offers that left the category while away")
  void resumeAfterLeavingCategory() {
    String s = supplier();
    String seafood = s + "-seafood";
    String beef = s + "-beef";
    ingest(s, offer("lobster", "42.00").put("category", seafood), offer("crab", "89.00").put("category", seafood),
        offer("ribeye", "60.00").put("category", beef));
    FeedClient first = connect().send(subscribe("c").put("categories", list(seafood)));
    JsonObject snap = first.snapshot().get(0);
    assertThat(snap.getJsonArray("offers")).hasSize(2);
    first.close();
    // While away: the lobster moves to another category; a beef price changes (not followed).
    ingest(s, new JsonObject().put("sku", "lobster").put("category", beef));
    ingest(s, new JsonObject().put("sku", "ribeye").put("price", "61.00 CAD"));
    FeedClient again = connect().send(subscribe("c").put("categories", list(seafood))
        .put("since", new JsonObject().put("epoch", snap.getString("epoch")).put("seq", snap.getLong("seq"))));
    JsonObject resumed = again.snapshot().get(0);
    assertThat(resumed.getBoolean("resumed")).isTrue();
    Map<String, String> categories = new HashMap<>();
    resumed.getJsonArray("offers").forEach(o -> categories.put(((JsonObject) o).getString("sku"),
        ((JsonObject) o).getString("category")));
    assertThat(categories).as("only the offer that left, with its new category")
        .containsExactlyInAnyOrderEntriesOf(Map.of("lobster", beef));
    // A fresh subscribe to the category does not list offers that left it.
    FeedClient fresh = connect().send(subscribe("f").put("categories", list(seafood)));
    List<String> skus = new ArrayList<>();
    fresh.snapshot().forEach(part -> part.getJsonArray("offers").forEach(o -> skus.add(((JsonObject) o).getString("sku"))));
    assertThat(skus).containsExactly("crab");
  }

  @Test
  @DisplayName("a since from another log gets the full state marked as a reset")
  void epochMismatch() {
    String s = supplier();
    ingest(s, offer("a", "1.00"), offer("b", "2.00"));
    FeedClient c = connect().send(subscribe("e").put("suppliers", list(s))
        .put("since", new JsonObject().put("epoch", "not-this-log").put("seq", 5)));
    JsonObject snap = c.snapshot().get(0);
    assertThat(snap.getBoolean("reset")).isTrue();
    assertThat(snap.getBoolean("resumed")).isFalse();
    assertThat(snap.getJsonArray("offers")).hasSize(2);
  }

  @Test
  @DisplayName("large snapshots come in several frames, the last without more")
  void chunkedSnapshot() {
    String s = supplier();
    JsonObject[] offers = new JsonObject[7];
    for (int i = 0; i < offers.length; i++) {
      offers[i] = offer("o" + i, "1.00");
    }
    ingest(s, offers);
    List<JsonObject> parts = connect().send(subscribe("big").put("suppliers", list(s))).snapshot();
    assertThat(parts).hasSize(3);
    assertThat(parts.stream().mapToInt(p -> p.getJsonArray("offers").size()).sum()).isEqualTo(7);
    assertThat(parts.stream().map(p -> p.getLong("seq")).distinct()).hasSize(1);
  }

  @Test
  @DisplayName("unsubscribe is confirmed and stops updates; other subscriptions go on")
  void unsubscribe() {
    String s = supplier();
    ingest(s, offer("a", "1.00"));
    FeedClient c = connect().send(subscribe("one").put("suppliers", list(s)));
    c.snapshot();
    c.send(subscribe("two").put("skus", list(s + ":a")));
    c.snapshot();
    c.send(new JsonObject().put("op", "unsubscribe").put("id", "one"));
    assertThat(c.next()).isEqualTo(new JsonObject().put("type", "unsubscribed").put("id", "one"));
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.50 CAD"));
    ingest(s, new JsonObject().put("sku", "a").put("price", "1.60 CAD"));
    List<JsonObject> frames = c.framesUntil(f -> FeedClient.offersIn(f).stream()
        .anyMatch(o -> o.getJsonObject("price").getString("amount").equals("1.60")));
    assertThat(frames).extracting(f -> f.getString("id")).as("only the other subscription").containsOnly("two");
  }

  @Test
  @DisplayName("malformed frames and unknown ops get errors and the connection stays open")
  void protocolErrors() {
    FeedClient c = connect();
    c.sendText("{not json");
    assertThat(c.next().getString("code")).isEqualTo("malformed_json");
    c.sendText("[1, 2]");
    assertThat(c.next().getString("code")).isEqualTo("not_an_object");
    c.send(new JsonObject().put("op", "subscrib").put("id", "x"));
    JsonObject unknown = c.next();
    assertThat(unknown.getString("type")).isEqualTo("error");
    assertThat(unknown.getString("code")).isEqualTo("unknown_op");
    assertThat(unknown.getString("op")).isEqualTo("subscrib");
    assertThat(unknown.getString("id")).isEqualTo("x");
    c.send(subscribe("empty"));
    assertThat(c.next().getString("code")).isEqualTo("empty_interest");
    c.send(subscribe("bad").put("suppliers", list("Not A Supplier")));
    assertThat(c.next().getString("code")).isEqualTo("invalid_interest");
    c.send(subscribe("since").put("suppliers", list("a")).put("since", new JsonObject().put("seq", "x")));
    assertThat(c.next().getString("code")).isEqualTo("invalid_since");
    c.send(new JsonObject().put("op", "unsubscribe").put("id", "never"));
    assertThat(c.next().getString("code")).isEqualTo("unknown_subscription");
    c.send(subscribe("dup").put("suppliers", list("a")));
    c.snapshot();
    c.send(subscribe("dup").put("suppliers", list("b")));
    assertThat(c.next().getString("code")).isEqualTo("duplicate_id");
    c.send(new JsonObject().put("op", "ping").put("id", "p1"));
    assertThat(c.next()).isEqualTo(new JsonObject().put("type", "pong").put("id", "p1"));
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("a binary frame closes the connection with 1003")
  void binaryFrame() {
    FeedClient c = connect();
    c.ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    assertThat(c.awaitClose(5000)).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
  }

  @Test
  @DisplayName("a frame over the size limit closes the connection with 1009")
  void frameTooBig() {
    FeedClient c = connect();
    String big = subscribe("big").put("suppliers", list("a")).put("pad", "x".repeat(1_100_000)).encode();
    c.ws.writeFrame(WebSocketFrame.textFrame(big, true));
    assertThat(c.awaitClose(5000)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  @DisplayName("a text message sent in fragments is read as one message")
  void fragmentedMessage() {
    String s = supplier();
    ingest(s, offer("f", "1.00"));
    FeedClient c = connect();
    String text = subscribe("frag").put("suppliers", list(s)).encode();
    int third = text.length() / 3;
    c.ws.writeFrame(WebSocketFrame.textFrame(text.substring(0, third), false));
    c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(text.substring(third, 2 * third)), false));
    c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(text.substring(2 * third)), true));
    List<JsonObject> parts = c.snapshot();
    assertThat(parts).flatExtracting(p -> p.getJsonArray("offers").getList()).hasSize(1);
    assertThat(parts.get(0).getJsonArray("offers").getJsonObject(0).getString("sku")).isEqualTo("f");
    // The connection reads whole frames as before.
    c.send(new JsonObject().put("op", "ping").put("id", "after"));
    assertThat(c.next()).isEqualTo(new JsonObject().put("type", "pong").put("id", "after"));
  }

  @Test
  @DisplayName("a fragmented message over the size limit closes the connection with 1009")
  void fragmentedMessageTooBig() {
    FeedClient c = connect();
    String part = "x".repeat(400_000);
    c.ws.writeFrame(WebSocketFrame.textFrame("{\"op\":\"ping\",\"pad\":\"" + part, false));
    c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), false));
    c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), false));
    c.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"}"), true));
    assertThat(c.awaitClose(10_000)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    assertThat(c.closeReason()).contains("message larger than");
  }

  @Test
  @DisplayName("a WebSocket ping from the client is answered with a pong carrying its bytes")
  void clientPing() throws Exception {
    FeedClient c = connect();
    java.util.concurrent.CompletableFuture<String> pong = new java.util.concurrent.CompletableFuture<>();
    c.ws.pongHandler(b -> pong.complete(b.toString()));
    c.ws.writePing(Buffer.buffer("are-you-there"));
    assertThat(pong.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("are-you-there");
  }

  @Test
  @DisplayName("a client's close is answered with its code, the TCP connection ends, and the gauges count it out")
  void clientClose() throws Exception {
    String s = supplier();
    ingest(s, offer("c", "1.00"));
    FeedClient c = connect().send(subscribe("bye").put("suppliers", list(s)));
    c.snapshot();
    // Vert.x counts a feed WebSocket only during its upgrade; the feed counts it while it lives.
    awaitMetric("vertx_http_server_active_ws_connections", v -> v == 0);
    assertThat(io.pricewire.support.Metrics.value(clients, gateway().opsPort(),
        "pricewire_feed_connections{transport=\"websocket\"}"))
        .isGreaterThanOrEqualTo(1);
    c.ws.close((short) 4100, "leaving").toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(c.ws.closeStatusCode()).as("the gateway echoes the client's code").isEqualTo((short) 4100);
    awaitMetric("pricewire_feed_connections{transport=\"websocket\"}", v -> v == 0);
  }

  private void awaitMetric(String series, java.util.function.DoublePredicate ok) {
    long deadline = System.currentTimeMillis() + 10_000;
    double v = io.pricewire.support.Metrics.valueOrZero(clients, gateway().opsPort(), series);
    while (!ok.test(v) && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      v = io.pricewire.support.Metrics.valueOrZero(clients, gateway().opsPort(), series);
    }
    assertThat(ok.test(v)).as(series + " = " + v).isTrue();
  }
}
