package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.ledger.MarketChecks;
import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.PostgresDatabase;
import io.pricewire.support.SseClient;
import io.pricewire.support.TestClock;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Markets end to end, on real gateways: offers ingested over HTTP, rates posted to the ops port,
 * storefronts over WebSocket and SSE. A new rate re-prices what every subscriber of the market
 * holds, to exactly what the market API (and a fresh snapshot) shows; a client resuming from
 * before the rate starts over with the new prices, on both stores and across a restart; a tax
 * rule ending at midnight in China re-prices the offers it covered at that moment.
 */
@DisplayName("markets end to end")
class MarketEndToEndTest {

  private static PostgresDatabase db;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    db = PostgresDatabase.create(MarketEndToEndTest.class);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    db.close();
  }

  private static final String ADMIN = "admin-token-for-market-tests-0123456789";
  private static final Map<String, String> SETTINGS = Map.of("PRICEWIRE_ADMIN_TOKEN", ADMIN);

  private static TestGateway gateway(String store) {
    return store.equals("postgres") ? TestGateway.postgres(db, SETTINGS) : TestGateway.start(SETTINGS);
  }

  private static JsonArray catalog() {
    return new JsonArray()
        .add(new JsonObject().put("sku", "cherries-2kg").put("price", "39.00 CAD").put("availability", "in_stock")
            .put("category", "Fruit > Cherries").put("title", new JsonObject().put("en", "Cherries 2 kg")
                .put("zh-CN", "车厘子 2公斤")))
        .add(new JsonObject().put("sku", "lobster-1kg").put("price", "80.00 CAD").put("availability", "in_stock")
            .put("category", "Seafood > Lobster").put("title", new JsonObject().put("en", "Live lobster")))
        .add(new JsonObject().put("sku", "icewine").put("price", "65.00 CAD").put("sale_price", "59.00 CAD")
            .put("availability", "in_stock").put("category", "Wine > Ice Wine"));
  }

  private static void postRate(TestGateway g, String rate, String day) {
    try (Http ops = new Http(clients, g.opsPort()).bearer(ADMIN)) {
      var r = ops.post("/admin/fx", "application/json", "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"CNY\", "
          + "\"rate\": \"" + rate + "\", \"as_of\": \"" + day + "\", \"source\": \"test desk\"}]}");
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getLong("market_event_seq")).as("the rate is logged as a market event")
          .isNotNull();
    }
  }

  /** What the market API answers for an offer: the projection a fresh snapshot shows. */
  private static JsonObject marketApi(TestGateway g, String sku) {
    try (Http http = new Http(clients, g.port())) {
      var r = http.get("/v1/markets/cn-cbec/suppliers/orchard/offers/" + sku);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject().getJsonObject("market");
    }
  }

  private static String today() {
    return java.time.LocalDate.now(io.pricewire.market.Projection.CHINA).toString();
  }

  /** Reads updates until every sku's market object shows the given rate; returns the last frame's seq. */
  private static long untilRepriced(FeedClient c, Map<String, JsonObject> held, String rate) {
    long seq = -1;
    while (held.values().stream().anyMatch(o -> !rate.equals(o.getJsonObject("market").getJsonObject("fx")
        .getString("rate")))) {
      JsonObject f = c.next();
      for (JsonObject o : FeedClient.offersIn(f)) {
        held.put(o.getString("sku"), o);
      }
      if (f.containsKey("seq")) {
        seq = f.getLong("seq");
      }
    }
    return seq;
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"memory", "postgres"})
  @DisplayName("a new rate re-prices every subscriber's offers; resume across it starts over with the new prices")
  void repriceAndResume(String store) {
    try (TestGateway g = gateway(store); Http http = new Http(clients, g.port())) {
      String supplier = "orchard";
      http.offers(supplier, catalog());
      postRate(g, "5.10", today());
      Map<String, JsonObject> held = new HashMap<>();
      long resumeFrom;
      try (FeedClient c = FeedClient.connect(clients, g.port())) {
        c.send(subscribe("cn").put("suppliers", new JsonArray().add(supplier)).put("market", "cn-cbec"));
        JsonObject snap = c.snapshot().get(0);
        for (Object o : snap.getJsonArray("offers")) {
          held.put(((JsonObject) o).getString("sku"), (JsonObject) o);
        }
        JsonObject cherries = held.get("cherries-2kg").getJsonObject("market");
        assertThat(cherries.getJsonObject("price").getString("amount")).isEqualTo("198.90");
        assertThat(cherries.getJsonObject("tax").getJsonObject("amount").getString("amount")).isEqualTo("12.53");
        assertThat(cherries.getJsonObject("landed_price").getString("amount")).isEqualTo("211.43");
        assertThat(cherries.getString("title")).isEqualTo("车厘子 2公斤");
        resumeFrom = snap.getLong("seq");

        postRate(g, "5.20", today());
        long seq = untilRepriced(c, held, "5.20");
        assertThat(seq).isGreaterThan(resumeFrom);
        for (String sku : held.keySet()) {
          assertThat(held.get(sku).getJsonObject("market")).as(sku).isEqualTo(marketApi(g, sku));
        }
        assertThat(held.get("cherries-2kg").getJsonObject("market").getJsonObject("price").getString("amount"))
            .isEqualTo("202.80");
      }
      postRate(g, "5.30", today());
      try (FeedClient back = FeedClient.connect(clients, g.port())) {
        back.send(subscribe("cn").put("suppliers", new JsonArray().add(supplier)).put("market", "cn-cbec")
            .put("since", new JsonObject().put("epoch", epoch(g))
                .put("seq", resumeFrom)));
        JsonObject snap = back.snapshot().get(0);
        assertThat(snap.getBoolean("reset")).as("resumed from before two rates: starts over").isTrue();
        assertThat(snap.getJsonArray("offers")).hasSize(3);
        for (Object o : snap.getJsonArray("offers")) {
          JsonObject offer = (JsonObject) o;
          assertThat(offer.getJsonObject("market")).isEqualTo(marketApi(g, offer.getString("sku")));
          assertThat(offer.getJsonObject("market").getJsonObject("fx").getString("rate")).isEqualTo("5.30");
        }
      }
    }
  }

  private static String epoch(TestGateway g) {
    return g.gateway.store().head().await().epoch();
  }

  @Test
  @DisplayName("PostgreSQL: resume across a rate posted before a restart starts over; from after it, it continues")
  void resumeAcrossRestart() {
    long before;
    long after;
    String epoch;
    try (TestGateway first = TestGateway.postgres(db, SETTINGS); Http http = new Http(clients, first.port())) {
      http.offers("orchard", catalog());
      postRate(first, "5.10", today());
      epoch = epoch(first);
      before = first.gateway.store().head().await().seq();
      postRate(first, "5.15", today());
      after = first.gateway.store().head().await().seq();
    }
    try (TestGateway second = TestGateway.postgres(db, SETTINGS)) {
      try (FeedClient c = FeedClient.connect(clients, second.port())) {
        c.send(subscribe("cn").put("suppliers", new JsonArray().add("orchard")).put("market", "cn-cbec")
            .put("since", new JsonObject().put("epoch", epoch).put("seq", before)));
        JsonObject snap = c.snapshot().get(0);
        assertThat(snap.getBoolean("reset")).isTrue();
        assertThat(snap.getJsonArray("offers")).hasSize(3);
        assertThat(snap.getJsonArray("offers").getJsonObject(0).getJsonObject("market").getJsonObject("fx")
            .getString("rate")).as("the rate in force came back from the log").isEqualTo("5.15");
      }
      try (FeedClient c = FeedClient.connect(clients, second.port())) {
        c.send(subscribe("cn").put("suppliers", new JsonArray().add("orchard")).put("market", "cn-cbec")
            .put("since", new JsonObject().put("epoch", epoch).put("seq", after)));
        JsonObject snap = c.snapshot().get(0);
        assertThat(snap.getBoolean("reset")).isFalse();
        assertThat(snap.getBoolean("resumed")).isTrue();
        assertThat(snap.getJsonArray("offers")).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("SSE: market as a query parameter, re-priced events, Last-Event-ID across a rate starts over")
  void sse() throws Exception {
    try (TestGateway g = TestGateway.start(SETTINGS); Http http = new Http(clients, g.port())) {
      http.offers("orchard", catalog());
      try (SseClient refused = SseClient.connect(clients, g.port(), "suppliers=orchard&market=cn-cbec", null)) {
        assertThat(refused.statusCode()).as("no rate into CNY yet").isEqualTo(409);
      }
      postRate(g, "5.10", today());
      String lastId;
      try (SseClient sse = SseClient.connect(clients, g.port(), "suppliers=orchard&market=cn-cbec", null)) {
        assertThat(sse.statusCode()).isEqualTo(200);
        SseClient.Event snap = sse.next();
        assertThat(snap.data().getJsonArray("offers").getJsonObject(0).getJsonObject("market").getString("id"))
            .isEqualTo("cn-cbec");
        postRate(g, "5.25", today());
        int repriced = 0;
        SseClient.Event e = null;
        while (repriced < 3) {
          e = sse.next();
          for (JsonObject o : FeedClient.offersIn(e.data())) {
            assertThat(o.getJsonObject("market").getJsonObject("fx").getString("rate")).isEqualTo("5.25");
            repriced++;
          }
        }
        lastId = snap.id();
      }
      postRate(g, "5.35", today());
      try (SseClient again = SseClient.connect(clients, g.port(), "suppliers=orchard&market=cn-cbec", lastId)) {
        SseClient.Event snap = again.next();
        assertThat(snap.data().getBoolean("reset")).isTrue();
        assertThat(snap.data().getJsonArray("offers")).hasSize(3);
        assertThat(snap.data().getJsonArray("offers").getJsonObject(0).getJsonObject("market").getJsonObject("fx")
            .getString("rate")).isEqualTo("5.35");
      }
    }
  }

  @Test
  @DisplayName("a tax rule ending at midnight in China re-prices live the offers it covered, at that moment")
  void ruleBoundary() {
    TestClock clock = new TestClock(Instant.parse("2026-12-31T15:59:00Z"));
    Map<String, String> settings = new HashMap<>(SETTINGS);
    try (TestGateway g = TestGateway.start(settings, clock); Http http = new Http(clients, g.port())) {
      http.offers("orchard", catalog());
      postRate(g, "5.10", "2026-12-31");
      try (FeedClient c = FeedClient.connect(clients, g.port())) {
        c.send(subscribe("cn").put("suppliers", new JsonArray().add("orchard")).put("market", "cn-cbec"));
        Map<String, JsonObject> held = new HashMap<>();
        for (Object o : c.snapshot().get(0).getJsonArray("offers")) {
          held.put(((JsonObject) o).getString("sku"), (JsonObject) o);
        }
        JsonObject lobster = held.get("lobster-1kg").getJsonObject("market").getJsonObject("tax");
        assertThat(lobster.getString("rate")).as("the 25% duty is suspended for lobster in 2026").isEqualTo("0.063");
        // Midnight in China: the suspension ends; the ledger's check (its timer in production) logs it.
        clock.set(Instant.parse("2026-12-31T16:00:01Z"));
        assertThat(MarketChecks.ask(g.vertx).await()).isPositive();
        List<JsonObject> frames = c.framesUntil(f -> FeedClient.offersIn(f).stream()
            .anyMatch(o -> o.getString("sku").equals("lobster-1kg")));
        JsonObject repriced = frames.stream().flatMap(f -> FeedClient.offersIn(f).stream())
            .filter(o -> o.getString("sku").equals("lobster-1kg")).findFirst().orElseThrow();
        JsonObject tax = repriced.getJsonObject("market").getJsonObject("tax");
        assertThat(tax.getString("rate")).isEqualTo("0.313");
        assertThat(tax.getJsonArray("rules")).contains("cn-2025-ca-aquatic-pork");
        assertThat(repriced.getJsonObject("market")).isEqualTo(marketApi(g, "lobster-1kg"));
      }
    }
  }

  @Test
  @DisplayName("a storefront token's markets claim: a market outside it is refused, over WebSocket and SSE, never data")
  void marketsClaim() {
    Map<String, String> settings = new HashMap<>(SETTINGS);
    settings.put("PRICEWIRE_AUTH", "on");
    settings.put("PRICEWIRE_JWT_SECRET", "jwt-secret-for-market-tests-0123456789abcdef");
    try (TestGateway g = TestGateway.start(settings); Http ops = new Http(clients, g.opsPort()).bearer(ADMIN)) {
      String key = ops.post("/admin/suppliers/orchard/keys", "application/json", "{}").bodyAsJsonObject()
          .getString("key");
      try (Http http = new Http(clients, g.port()).bearer(key)) {
        http.offers("orchard", catalog());
      }
      postRate(g, "5.10", today());
      String token = ops.post("/admin/storefront-tokens", "application/json",
          "{\"suppliers\": \"*\", \"markets\": [\"ca\"], \"ttl_seconds\": 600}").bodyAsJsonObject().getString("token");
      try (FeedClient c = FeedClient.connect(clients, g.port(), new io.vertx.core.http.WebSocketClientOptions(), token,
          null)) {
        c.send(subscribe("cn").put("suppliers", new JsonArray().add("orchard")).put("market", "cn-cbec"));
        JsonObject refused = c.next();
        assertThat(refused.getString("type")).isEqualTo("error");
        assertThat(refused.getString("code")).isEqualTo("forbidden_market");
        c.send(subscribe("ca").put("suppliers", new JsonArray().add("orchard")).put("market", "ca"));
        JsonObject snap = c.snapshot().get(0);
        assertThat(snap.getJsonArray("offers")).hasSize(3);
        assertThat(snap.getJsonArray("offers").getJsonObject(0).getJsonObject("market").getString("id")).isEqualTo("ca");
      }
      try (SseClient sse = SseClient.connect(clients, g.port(), "suppliers=orchard&market=cn-cbec&access_token="
          + token, null)) {
        assertThat(sse.statusCode()).isEqualTo(403);
      }
    }
  }
}
