package io.pricewire.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input against a whole running gateway with authentication on: random bodies, content
 * types and frames never produce a 5xx or an exception that escapes, and a rejected item never
 * changes anything.
 */
class EndToEndFuzz {

  private static TestGateway gateway;
  private static Vertx clients;
  private static Http http;
  private static FeedClient feed;
  private static long pings;
  /** Exceptions that escaped to Vert.x (an unhandled failure in a handler); there must be none. */
  private static final java.util.List<Throwable> escaped = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeContainer
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_ADMIN_TOKEN", "fuzz-admin-token-0123456789",
        "PRICEWIRE_JWT_SECRET", "fuzz-jwt-secret-0123456789abcdefghij", "PRICEWIRE_SUPPLIER_KEYS",
        "fuzz:fuzz-supplier-key-0123456789abcdef", "PRICEWIRE_INGEST_MAX_BODY_BYTES", "65536",
        "PRICEWIRE_INGEST_RATE_PER_SUPPLIER", "0"));
    gateway.vertx.exceptionHandler(escaped::add);
    clients = Vertx.vertx();
    http = new Http(clients, gateway.port()).bearer("fuzz-supplier-key-0123456789abcdef");
    String token = io.vertx.ext.auth.jwt.JWTAuth.create(clients, new io.vertx.ext.auth.jwt.JWTAuthOptions()
        .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256")
            .setBuffer("fuzz-jwt-secret-0123456789abcdefghij")))
        .generateToken(new JsonObject().put("suppliers", new JsonArray().add("fuzz")));
    feed = FeedClient.connect(clients, gateway.port(), new io.vertx.core.http.WebSocketClientOptions(), token, null);
  }

  @net.jqwik.api.lifecycle.AfterProperty
  void nothingEscaped() {
    assertThat(escaped).as("exceptions that escaped to Vert.x").isEmpty();
  }

  @AfterContainer
  static void stop() {
    feed.close();
    http.close();
    clients.close().await();
    gateway.close();
  }

  @Property(tries = 1500)
  @Label("any body with any content type on any ingest path is answered below 500 with JSON")
  void bodies(@ForAll("paths") String path, @ForAll("contentTypes") String contentType, @ForAll("bodies") String body) {
    HttpResponse<Buffer> r = http.post(path, contentType, body);
    assertThat(r.statusCode()).as("%s %s %s", path, contentType, body).isBetween(200, 499);
    JsonObject json = r.bodyAsJsonObject();
    assertThat(json.containsKey("error") || json.containsKey("items")).isTrue();
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.of("/v1/suppliers/fuzz/offers", "/v1/suppliers/fuzz/feeds", "/v1/suppliers/other/offers",
        "/v1/suppliers/FUZZ/offers", "/v1/suppliers/fuzz/offers/x", "/v1/nothing");
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of("application/json", "application/x-ndjson", "text/tab-separated-values", "text/plain",
        "application/json; charset=utf-8", "application/json; charset=latin1", "multipart/form-data", "");
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> item = Combinators.combine(
        Arbitraries.of("\"sku\"", "\"price\"", "\"availability\"", "\"title\"", "\"gtin\"", "\"version\"", "\"x\""),
        Arbitraries.of("\"a\"", "1", "-1", "1.5", "null", "true", "[]", "{}", "\"12.50 CAD\"", "\"in_stock\"",
            "{\"en\": 1}", "\"\\u0000\"", "\"" + "x".repeat(60) + "\"", "9223372036854775808"))
        .as((k, v) -> k + ":" + v);
    Arbitrary<String> objects = item.list().ofMaxSize(5).map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.oneOf(
        objects.list().ofMaxSize(6).map(l -> "[" + String.join(",", l) + "]"),
        objects.list().ofMaxSize(6).map(l -> String.join("\n", l)),
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().withChars("id\tprice\n\"x 1.00 CAD").ofMaxLength(200),
        Arbitraries.of("", "[", "]", "{}", "[{}]", "\uFEFF[]", "null", "[null]", "\n\n\n", "x".repeat(70_000)));
  }

  @Property(tries = 500)
  @Label("an item with one bad field is rejected naming it, and the stored offer does not change")
  void nothingPartiallyApplied(@ForAll("sku") String sku, @ForAll("badFields") Map.Entry<String, Object> bad) {
    JsonObject good = new JsonObject().put("sku", sku).put("price", "10.00 CAD").put("availability", "in_stock")
        .put("quantity", 5).put("title", new JsonObject().put("en", "Live lobster"));
    http.offers("fuzz", new JsonArray().add(good));
    JsonObject before = http.get("/v1/suppliers/fuzz/offers/" + sku).bodyAsJsonObject();
    JsonObject write = new JsonObject().put("sku", sku).put("price", "11.00 CAD").put("quantity", 6)
        .put("brand", "New brand").put(bad.getKey(), bad.getValue());
    JsonObject item = http.offers("fuzz", new JsonArray().add(write)).getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("status")).isEqualTo("rejected");
    assertThat(item.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
        .anyMatch(f -> f != null && f.startsWith(bad.getKey()));
    JsonObject after = http.get("/v1/suppliers/fuzz/offers/" + sku).bodyAsJsonObject();
    assertThat(after).isEqualTo(before);
  }

  @Provide
  Arbitrary<String> sku() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20);
  }

  @Provide
  Arbitrary<Map.Entry<String, Object>> badFields() {
    return Arbitraries.of(
        Map.entry("gtin", (Object) "4006381333932"),
        Map.entry("sale_price", (Object) "20.00 CAD"),
        Map.entry("sale_price", (Object) "5.00 USD"),
        Map.entry("availability", (Object) "sold"),
        Map.entry("quantity", (Object) (-1)),
        Map.entry("title", (Object) new JsonObject().put("not a tag!", "x")),
        Map.entry("category", (Object) ""),
        Map.entry("version", (Object) "seven"),
        Map.entry("updated_at", (Object) "yesterday"),
        Map.entry("brand", (Object) "b".repeat(71)));
  }

  @Property(tries = 1500)
  @Label("any text frame gets an answer and the connection stays open")
  void frames(@ForAll("frames") String frame) {
    feed.sendText(frame);
    String id = "p" + (++pings);
    feed.send(new JsonObject().put("op", "ping").put("id", id));
    JsonObject f;
    do {
      f = feed.next();
    } while (!("pong".equals(f.getString("type")) && id.equals(f.getString("id"))));
    assertThat(feed.isClosed()).isFalse();
  }

  @Provide
  Arbitrary<String> frames() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(100),
        Arbitraries.of("{\"op\":\"subscribe\",\"id\":\"s\",\"suppliers\":[\"other\"]}",
            "{\"op\":\"subscribe\",\"id\":\"c\",\"categories\":[\"x\"]}",
            "{\"op\":\"unsubscribe\",\"id\":\"c\"}", "{\"op\":\"add\",\"id\":\"c\",\"skus\":[\"other:x\"]}",
            "{\"op\":\"remove\",\"id\":\"c\",\"suppliers\":[\"fuzz\"]}", "{\"op\":\"ping\"}", "[]", "{}", "\"\""));
  }
}
