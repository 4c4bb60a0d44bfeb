package io.pricewire.auth;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pricewire.feed.CloseCodes;
import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.SseClient;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("authentication and scopes")
class SecurityTest {

  static final String ADMIN = "admin-token-for-tests-0123456789";
  static final String SECRET = "jwt-secret-for-tests-0123456789abcdef";

  private static TestGateway gateway;
  private static Vertx clients;
  private static JWTAuth signer;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_ADMIN_TOKEN", ADMIN,
        "PRICEWIRE_JWT_SECRET", SECRET, "PRICEWIRE_SUPPLIER_KEYS", "boot-supplier:bootstrap-key-0123456789abcdef",
        "PRICEWIRE_ALLOWED_ORIGINS", "https://shop.example.com"));
    clients = Vertx.vertx();
    signer = JWTAuth.create(clients, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  static String token(Object suppliers, int ttlSeconds) {
    return signer.generateToken(new JsonObject().put("suppliers", suppliers),
        new JWTOptions().setExpiresInSeconds(ttlSeconds));
  }

  static String createKey(String supplier) {
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      HttpResponse<Buffer> r = ops.post("/admin/suppliers/" + supplier + "/keys", "application/json",
          "{\"label\": \"test\"}");
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      String key = r.bodyAsJsonObject().getString("key");
      assertThat(key).startsWith("pwk_");
      return key;
    }
  }

  static JsonArray offers(String... skus) {
    JsonArray a = new JsonArray();
    for (String sku : skus) {
      a.add(new JsonObject().put("sku", sku).put("price", "10.00 CAD").put("availability", "in_stock")
          .put("category", "Shared Category"));
    }
    return a;
  }

  static FeedClient feed(String token) {
    return FeedClient.connect(clients, gateway.port(), new WebSocketClientOptions(), token, null);
  }

  @Test
  @DisplayName("the admin API needs the admin token, shows a key once, lists without secrets, and revokes")
  void adminApi() {
    try (Http ops = new Http(clients, gateway.opsPort())) {
      assertThat(ops.post("/admin/suppliers/adm/keys", "application/json", "{}").statusCode()).isEqualTo(401);
      ops.bearer("wrong-token-wrong-token");
      assertThat(ops.post("/admin/suppliers/adm/keys", "application/json", "{}").statusCode()).isEqualTo(401);
    }
    String key = createKey("adm");
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN);
        Http http = new Http(clients, gateway.port()).bearer(key)) {
      JsonObject listed = ops.get("/admin/suppliers/adm/keys").bodyAsJsonObject();
      JsonObject entry = listed.getJsonArray("keys").getJsonObject(0);
      assertThat(entry.encode()).doesNotContain(key.substring(4));
      assertThat(entry.getString("label")).isEqualTo("test");
      assertThat(http.post("/v1/suppliers/adm/offers", "application/json", offers("a").encode()).statusCode())
          .isEqualTo(200);
      JsonObject revoked = ops.delete("/admin/suppliers/adm/keys/" + entry.getString("id")).bodyAsJsonObject();
      assertThat(revoked.getString("revoked_at")).isNotNull();
      assertThat(http.post("/v1/suppliers/adm/offers", "application/json", offers("b").encode()).statusCode())
          .isEqualTo(401);
      assertThat(ops.delete("/admin/suppliers/adm/keys/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  @DisplayName("ingest needs the supplier's own key: none or unknown is 401, another supplier's is 403")
  void supplierKeys() {
    String keyA = createKey("iso-a");
    String keyB = createKey("iso-b");
    try (Http a = new Http(clients, gateway.port()).bearer(keyA); Http b = new Http(clients, gateway.port()).bearer(keyB);
        Http anonymous = new Http(clients, gateway.port());
        Http stranger = new Http(clients, gateway.port()).bearer("pwk_unknown_AAAAAAAAAAAAAAAAAAAAAAAA")) {
      assertThat(b.post("/v1/suppliers/iso-b/offers", "application/json", offers("secret-b").encode()).statusCode())
          .isEqualTo(200);
      HttpResponse<Buffer> none = anonymous.post("/v1/suppliers/iso-a/offers", "application/json", "[]");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
      assertThat(none.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
      assertThat(stranger.post("/v1/suppliers/iso-a/offers", "application/json", "[]").statusCode()).isEqualTo(401);
      HttpResponse<Buffer> cross = a.post("/v1/suppliers/iso-b/offers", "application/json", offers("x").encode());
      assertThat(cross.statusCode()).isEqualTo(403);
      assertThat(cross.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden");
      assertThat(a.post("/v1/suppliers/iso-b/feeds", "text/tab-separated-values", "id\tprice\nx\t1.00 CAD\n")
          .statusCode()).isEqualTo(403);
      // Reading another supplier's offer is refused the same way whether it exists or not.
      HttpResponse<Buffer> existing = a.get("/v1/suppliers/iso-b/offers/secret-b");
      HttpResponse<Buffer> missing = a.get("/v1/suppliers/iso-b/offers/no-such-offer");
      assertThat(existing.statusCode()).isEqualTo(403);
      assertThat(missing.statusCode()).isEqualTo(403);
      assertThat(existing.bodyAsString()).isEqualTo(missing.bodyAsString());
      assertThat(b.get("/v1/suppliers/iso-b/offers/secret-b").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("keys from configuration work for their supplier")
  void bootstrapKeys() {
    try (Http http = new Http(clients, gateway.port()).bearer("bootstrap-key-0123456789abcdef")) {
      assertThat(http.post("/v1/suppliers/boot-supplier/offers", "application/json", offers("a").encode())
          .statusCode()).isEqualTo(200);
      assertThat(http.post("/v1/suppliers/other/offers", "application/json", offers("a").encode()).statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  @DisplayName("the feed refuses the handshake without a valid token, by header or access_token")
  void feedTokens() {
    String expired = signer.generateToken(new JsonObject().put("suppliers", "*")
        .put("exp", System.currentTimeMillis() / 1000 - 120));
    for (String bad : new String[] {null, "not-a-jwt", expired,
        JWTAuth.create(clients, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
            .setBuffer("another-secret-another-secret-another"))).generateToken(new JsonObject().put("suppliers", "*"))}) {
      assertThatThrownBy(() -> feed(bad)).as(String.valueOf(bad)).isInstanceOf(UpgradeRejectedException.class)
          .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(401));
    }
    String noClaim = signer.generateToken(new JsonObject().put("sub", "x"));
    assertThatThrownBy(() -> feed(noClaim)).isInstanceOf(UpgradeRejectedException.class);
    try (FeedClient byHeader = feed(token("*", 60));
        FeedClient byQuery = FeedClient.connect(clients, gateway.port(), new WebSocketClientOptions(), null,
            "access_token=" + token(new JsonArray().add("iso-a"), 60))) {
      byHeader.send(new JsonObject().put("op", "ping"));
      assertThat(byHeader.next().getString("type")).isEqualTo("pong");
      byQuery.send(new JsonObject().put("op", "ping"));
      assertThat(byQuery.next().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  @DisplayName("a plain GET of the feed tells why a handshake would fail: 401 for a bad token, 403 for an origin, "
      + "400 websocket_required for a good one")
  void handshakeProbe() {
    try (Http open = new Http(clients, gateway.port())) {
      HttpResponse<Buffer> none = open.get("/v1/feed");
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
      HttpResponse<Buffer> bad = open.get("/v1/feed?access_token=not-a-jwt");
      assertThat(bad.statusCode()).isEqualTo(401);
      assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_token");
      HttpResponse<Buffer> good = open.get("/v1/feed?access_token=" + token("*", 60));
      assertThat(good.statusCode()).isEqualTo(400);
      assertThat(good.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("websocket_required");
    }
    WebClient web = WebClient.create(clients);
    try {
      HttpResponse<Buffer> evil = web.get(gateway.port(), "127.0.0.1", "/v1/feed?access_token=" + token("*", 60))
          .putHeader("Origin", "https://evil.example.com").send().await();
      assertThat(evil.statusCode()).isEqualTo(403);
      assertThat(evil.getHeader("Access-Control-Allow-Origin")).isNull();
      HttpResponse<Buffer> shop = web.get(gateway.port(), "127.0.0.1", "/v1/feed?access_token=" + token("*", 60))
          .putHeader("Origin", "https://shop.example.com").send().await();
      assertThat(shop.statusCode()).isEqualTo(400);
      assertThat(shop.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example.com");
    } finally {
      web.close();
    }
  }

  @Test
  @DisplayName("a scoped token never yields another supplier's data: named suppliers are refused, categories filtered")
  void scopes() {
    String keyA = createKey("scope-a");
    String keyB = createKey("scope-b");
    try (Http a = new Http(clients, gateway.port()).bearer(keyA); Http b = new Http(clients, gateway.port()).bearer(keyB);
        FeedClient c = feed(token(new JsonArray().add("scope-a"), 60))) {
      a.offers("scope-a", offers("a1"));
      b.offers("scope-b", offers("b1"));
      c.send(subscribe("s1").put("suppliers", new JsonArray().add("scope-b")));
      JsonObject refused = c.next();
      assertThat(refused.getString("code")).isEqualTo("forbidden");
      assertThat(refused.getString("message")).contains("scope-b");
      c.send(subscribe("s2").put("skus", new JsonArray().add("scope-b:b1")));
      assertThat(c.next().getString("code")).isEqualTo("forbidden");
      c.send(subscribe("s3").put("categories", new JsonArray().add("Shared Category")));
      JsonObject snap = c.snapshot().get(0);
      assertThat(snap.getJsonArray("offers").stream().map(o -> ((JsonObject) o).getString("supplier")))
          .containsOnly("scope-a");
      c.send(new JsonObject().put("op", "add").put("id", "s3").put("suppliers", new JsonArray().add("scope-b")));
      assertThat(c.next().getString("code")).isEqualTo("forbidden");
      b.offers("scope-b", offers("b2"));
      a.offers("scope-a", offers("a2"));
      JsonObject update = c.next();
      assertThat(update.getJsonObject("offer").getString("supplier")).isEqualTo("scope-a");
      b.offers("scope-b", offers("b3"));
      a.offers("scope-a", offers("a3"));
      assertThat(c.framesUntil(FeedClient.updateOf("a3"))).flatExtracting(FeedClient::offersIn)
          .extracting(o -> o.getString("supplier")).as("nothing of the other supplier").containsOnly("scope-a");
    }
    try (SseClient sse = SseClient.connect(clients, gateway.port(), "categories=Shared%20Category&access_token="
        + token(new JsonArray().add("scope-a"), 60), null)) {
      assertThat(sse.next().data().getJsonArray("offers").stream()
          .map(o -> ((JsonObject) o).getString("supplier"))).containsOnly("scope-a");
    }
    try (Http open = new Http(clients, gateway.port())) {
      HttpResponse<Buffer> sseForbidden = open.get("/v1/feed/sse?suppliers=scope-b&access_token="
          + token(new JsonArray().add("scope-a"), 60));
      assertThat(sseForbidden.statusCode()).isEqualTo(403);
      assertThat(sseForbidden.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("a connection is closed with 4401 when its token expires")
  void tokenExpiry() {
    try (FeedClient c = feed(token("*", 2))) {
      assertThat(c.awaitClose(6000)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
    }
  }

  @Test
  @DisplayName("browser origins outside the allow-list are refused; listed ones and non-browser clients pass")
  void origins() {
    WebSocketConnectOptions evil = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
        .setURI("/v1/feed").addHeader("Authorization", "Bearer " + token("*", 60))
        .addHeader("Origin", "https://evil.example.com");
    assertThatThrownBy(() -> clients.createWebSocketClient().connect(evil).await())
        .isInstanceOf(UpgradeRejectedException.class)
        .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(403));
    WebSocketConnectOptions shop = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
        .setURI("/v1/feed").addHeader("Authorization", "Bearer " + token("*", 60))
        .addHeader("Origin", "https://shop.example.com");
    clients.createWebSocketClient().connect(shop).await().close();
  }

  @Test
  @DisplayName("RS256 tokens are checked with the configured public key")
  void rs256() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    java.security.KeyPair pair = g.generateKeyPair();
    String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
    String privatePem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    try (TestGateway rsa = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_JWT_PUBLIC_KEY", publicPem))) {
      JWTAuth rsaSigner = JWTAuth.create(clients, new JWTAuthOptions()
          .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(privatePem)));
      String good = rsaSigner.generateToken(new JsonObject().put("suppliers", "*"), new JWTOptions().setAlgorithm("RS256"));
      try (FeedClient c = FeedClient.connect(clients, rsa.port(), new WebSocketClientOptions(), good, null)) {
        c.send(new JsonObject().put("op", "ping"));
        assertThat(c.next().getString("type")).isEqualTo("pong");
      }
      assertThatThrownBy(() -> FeedClient.connect(clients, rsa.port(), new WebSocketClientOptions(), token("*", 60),
          null)).isInstanceOf(UpgradeRejectedException.class);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  @DisplayName("admin-minted storefront tokens carry the asked scope")
  void mintedTokens() {
    try (Http ops = new Http(clients, gateway.opsPort()).bearer(ADMIN)) {
      HttpResponse<Buffer> r = ops.post("/admin/storefront-tokens", "application/json",
          "{\"suppliers\": [\"iso-a\"], \"ttl_seconds\": 120}");
      assertThat(r.statusCode()).isEqualTo(201);
      try (FeedClient c = feed(r.bodyAsJsonObject().getString("token"))) {
        c.send(subscribe("x").put("suppliers", new JsonArray().add("iso-b")));
        assertThat(c.next().getString("code")).isEqualTo("forbidden");
      }
      assertThat(ops.post("/admin/storefront-tokens", "application/json", "{\"suppliers\": []}").statusCode())
          .isEqualTo(400);
    }
  }

  @Test
  @DisplayName("postgres mode with authentication on refuses to start without a token key")
  void postgresNeedsJwtKey() {
    assertThatThrownBy(() -> TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_STORE", "postgres",
        "PRICEWIRE_PG_URI", "postgresql://postgres@127.0.0.1:1/none")))
        .hasMessageContaining("PRICEWIRE_JWT_SECRET or PRICEWIRE_JWT_PUBLIC_KEY is required");
  }

  @Test
  @DisplayName("the embedded default generates development credentials that work, and publishes them")
  void developmentCredentials() {
    try (TestGateway dev = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on"))) {
      JsonObject creds = DevCredentials.read(dev.port());
      assertThat(creds).isNotNull();
      Map<String, Object> keys = new HashMap<>(creds.getJsonObject("supplier_keys").getMap());
      assertThat(keys).containsKeys("atlantic-seafood", "okanagan-orchards");
      try (Http http = new Http(clients, dev.port()).bearer((String) keys.get("atlantic-seafood"));
          Http ops = new Http(clients, dev.opsPort()).bearer(creds.getString("admin_token"));
          FeedClient c = FeedClient.connect(clients, dev.port(), new WebSocketClientOptions(),
              creds.getString("storefront_token"), null)) {
        assertThat(http.post("/v1/suppliers/atlantic-seafood/offers", "application/json",
            offers("lobster").encode()).statusCode()).isEqualTo(200);
        assertThat(ops.get("/admin/suppliers/atlantic-seafood/keys").statusCode()).isEqualTo(200);
        c.send(subscribe("d").put("suppliers", new JsonArray().add("atlantic-seafood")));
        assertThat(c.snapshot().get(0).getJsonArray("offers")).hasSize(1);
      }
      assertThat(List.of(java.nio.file.Files.getPosixFilePermissions(DevCredentials.file(dev.port())).toArray()))
          .hasSize(2);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
