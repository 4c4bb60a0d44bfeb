package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("an offer as a market shows it, over HTTP")
class MarketApiTest {

  static final String ADMIN = "admin-token-for-market-tests-0123456789";
  static final String KEY = "orchard-key-0123456789abcdef0123";
  static final String SECRET = "jwt-secret-for-market-tests-0123456789abcdef";

  private static TestGateway gateway;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_ADMIN_TOKEN", ADMIN,
        "PRICEWIRE_JWT_SECRET", SECRET,
        "PRICEWIRE_SUPPLIER_KEYS", "orchard:" + KEY + ",other:other-key-0123456789abcdef012345"));
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  private static String token(String suppliers) {
    return mint("{\"suppliers\": " + suppliers + "}").bodyAsJsonObject().getString("token");
  }

  private static HttpResponse<Buffer> mint(String body) {
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      return ops.post("/admin/storefront-tokens", "application/json", body);
    }
  }

  @Test
  @DisplayName("the worked example: CNY 198.90, tax CNY 12.53, landed CNY 211.43, the zh-CN title; errors are specific")
  void projection() {
    try (Http supplier = new Http(clients, gateway.port()).bearer(KEY)) {
      HttpResponse<Buffer> w = supplier.post("/v1/suppliers/orchard/offers", "application/json",
          "[{\"sku\": \"cherries-2kg\", \"price\": \"39.00 CAD\", \"availability\": \"in_stock\", "
              + "\"title\": {\"en\": \"Skeena cherries, 2 kg\", \"zh-CN\": \"斯基娜车厘子 2公斤\"}, "
              + "\"category\": \"Fruit > Cherries\", \"tax_class\": \"agri_9\"}]");
      assertThat(w.statusCode()).as(w.bodyAsString()).isEqualTo(200);
    }
    String path = "/v1/markets/cn-cbec/suppliers/orchard/offers/cherries-2kg";
    try (Http shop = new Http(clients, gateway.port()).bearer(token("[\"orchard\"]"))) {
      HttpResponse<Buffer> noRate = shop.get(path);
      assertThat(noRate.statusCode()).as("no rate yet: an error, never a price").isEqualTo(409);
      assertThat(noRate.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no_fx_rate");
      try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
        assertThat(ops.post("/admin/fx", "application/json", "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"CNY\", "
            + "\"rate\": \"5.10\", \"as_of\": \"2099-01-01\", \"source\": \"test desk\"}]}").statusCode()).isEqualTo(200);
      }
      HttpResponse<Buffer> r = shop.get(path);
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getJsonObject("price").getString("amount")).as("the offer as stored").isEqualTo("39.00");
      assertThat(body.getString("tax_class")).isEqualTo("agri_9");
      JsonObject m = body.getJsonObject("market");
      assertThat(m.getString("id")).isEqualTo("cn-cbec");
      assertThat(m.getJsonObject("price")).isEqualTo(new JsonObject().put("amount", "198.90").put("currency", "CNY"));
      assertThat(m.getJsonObject("tax").getJsonObject("amount").getString("amount")).isEqualTo("12.53");
      assertThat(m.getJsonObject("tax").getString("class_from")).isEqualTo("offer");
      assertThat(m.getJsonObject("landed_price").getString("amount")).isEqualTo("211.43");
      assertThat(m.getString("title")).isEqualTo("斯基娜车厘子 2公斤");
      assertThat(m.getJsonObject("fx").getString("rate")).isEqualTo("5.10");

      HttpResponse<Buffer> ca = shop.get("/v1/markets/ca/suppliers/orchard/offers/cherries-2kg");
      assertThat(ca.bodyAsJsonObject().getJsonObject("market").getJsonObject("landed_price").getString("amount"))
          .isEqualTo("39.00");
      assertThat(shop.get("/v1/markets/mars/suppliers/orchard/offers/cherries-2kg").statusCode()).isEqualTo(404);
      assertThat(shop.get("/v1/markets/cn-cbec/suppliers/orchard/offers/nothing").statusCode()).isEqualTo(404);
    }
    try (Http other = new Http(clients, gateway.port()).bearer(token("[\"other\"]"))) {
      HttpResponse<Buffer> forbidden = other.get(path);
      assertThat(forbidden.statusCode()).as("another supplier's offer is not shown").isEqualTo(403);
      assertThat(forbidden.bodyAsString()).doesNotContain("198.90");
    }
    try (Http anonymous = new Http(clients, gateway.port())) {
      assertThat(anonymous.get(path).statusCode()).isEqualTo(401);
    }
  }

  @Test
  @DisplayName("a token's markets claim: a market outside it gets an error, never data")
  void marketsClaim() {
    try (Http supplier = new Http(clients, gateway.port()).bearer(KEY)) {
      supplier.post("/v1/suppliers/orchard/offers", "application/json",
          "[{\"sku\": \"maple\", \"price\": \"18.99 CAD\", \"availability\": \"in_stock\"}]");
    }
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      ops.post("/admin/fx", "application/json", "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"CNY\", "
          + "\"rate\": \"5.10\", \"as_of\": \"2099-01-01\", \"source\": \"test desk\"}]}");
    }
    HttpResponse<Buffer> minted = mint("{\"suppliers\": [\"orchard\"], \"markets\": [\"ca\"]}");
    assertThat(minted.statusCode()).as(minted.bodyAsString()).isEqualTo(201);
    assertThat(minted.bodyAsJsonObject().getJsonArray("markets").getList()).containsExactly("ca");
    try (Http shop = new Http(clients, gateway.port()).bearer(minted.bodyAsJsonObject().getString("token"))) {
      assertThat(shop.get("/v1/markets/ca/suppliers/orchard/offers/maple").statusCode()).isEqualTo(200);
      HttpResponse<Buffer> outside = shop.get("/v1/markets/cn-cbec/suppliers/orchard/offers/maple");
      assertThat(outside.statusCode()).isEqualTo(403);
      assertThat(outside.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden_market");
      assertThat(outside.bodyAsString()).doesNotContain("CNY");
    }
    assertThat(mint("{\"suppliers\": [\"orchard\"], \"markets\": [\"Not A Market\"]}").statusCode()).isEqualTo(400);
    assertThat(mint("{\"suppliers\": [\"orchard\"], \"markets\": 7}").statusCode()).isEqualTo(400);
    // A token signed elsewhere with a markets claim that is not a list of market ids is refused.
    io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(clients,
        new io.vertx.ext.auth.jwt.JWTAuthOptions().addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions()
            .setAlgorithm("HS256").setBuffer(SECRET)));
    String bad = signer.generateToken(new JsonObject().put("suppliers", "*").put("markets", 5));
    try (Http shop = new Http(clients, gateway.port()).bearer(bad)) {
      HttpResponse<Buffer> refused = shop.get("/v1/markets/ca/suppliers/orchard/offers/maple");
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("markets claim");
    }
  }
}
