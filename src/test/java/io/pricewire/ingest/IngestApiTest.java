package io.pricewire.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.RawHttp;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ingest API over real HTTP")
class IngestApiTest {

  private static TestGateway gateway;
  private static Vertx clientVertx;
  private static Http http;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of(
        "PRICEWIRE_INGEST_MAX_BODY_BYTES", "20000",
        "PRICEWIRE_INGEST_MAX_ITEMS", "50",
        "PRICEWIRE_INGEST_MAX_STREAM_BYTES", "2000000",
        "PRICEWIRE_INGEST_MAX_STREAM_ITEMS", "5000",
        "PRICEWIRE_INGEST_MAX_LINE_BYTES", "300",
        "PRICEWIRE_INGEST_CHUNK_ITEMS", "100"));
    clientVertx = Vertx.vertx();
    http = new Http(clientVertx, gateway.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    clientVertx.close().await();
    gateway.close();
  }

  private static JsonObject offer(String sku, String price, String availability) {
    return new JsonObject().put("sku", sku).put("price", price).put("availability", availability);
  }

  private static JsonObject get(String supplier, String sku) {
    HttpResponse<Buffer> r = http.get("/v1/suppliers/" + supplier + "/offers/" + sku);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName("a JSON array is applied and every item is answered with status, version and seq")
  void jsonArray() {
    JsonObject answer = http.offers("json-a", new JsonArray()
        .add(offer("lobster", "42.00 CAD", "in_stock").put("title", new JsonObject().put("en", "Live lobster")
            .put("zh-CN", "活龙虾")).put("quantity", 12))
        .add(offer("crab", "89.00 CAD", "in_stock")));
    JsonArray items = answer.getJsonArray("items");
    assertThat(items).hasSize(2);
    JsonObject first = items.getJsonObject(0);
    assertThat(first.getInteger("index")).isZero();
    assertThat(first.getString("sku")).isEqualTo("lobster");
    assertThat(first.getString("status")).isEqualTo("applied");
    assertThat(first.getLong("version")).isEqualTo(1);
    assertThat(items.getJsonObject(1).getLong("seq")).isEqualTo(first.getLong("seq") + 1);
    assertThat(answer.getJsonObject("counts").getInteger("applied")).isEqualTo(2);
    JsonObject state = get("json-a", "lobster");
    assertThat(state.getJsonObject("price")).isEqualTo(new JsonObject().put("amount", "42.00").put("currency", "CAD"));
    assertThat(state.getJsonObject("title").getString("zh-CN")).isEqualTo("活龙虾");
    assertThat(state.getLong("quantity")).isEqualTo(12);
    assertThat(state.getLong("seq")).isEqualTo(first.getLong("seq"));
  }

  @Test
  @DisplayName("rejected items are answered with field errors while the others still apply")
  void rejectedBesideApplied() {
    JsonObject answer = http.offers("json-b", new JsonArray()
        .add(offer("good", "1.00 CAD", "in_stock"))
        .add(offer("bad", "1,00 CAD", "in_stock"))
        .add("not an object")
        .add(offer("also-good", "2.00 CAD", "preorder")));
    JsonArray items = answer.getJsonArray("items");
    assertThat(items.stream().map(i -> ((JsonObject) i).getString("status")))
        .containsExactly("applied", "rejected", "rejected", "applied");
    JsonObject bad = items.getJsonObject(1);
    assertThat(bad.getString("sku")).isEqualTo("bad");
    assertThat(bad.containsKey("version")).isTrue();
    JsonObject error = bad.getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("field")).isEqualTo("price");
    assertThat(error.getString("code")).isEqualTo("invalid_amount");
    assertThat(error.getString("message")).contains("1,00");
    assertThat(items.getJsonObject(2).getJsonArray("errors").getJsonObject(0).getString("code"))
        .isEqualTo("not_an_object");
    assertThat(http.get("/v1/suppliers/json-b/offers/bad").statusCode()).isEqualTo(404);
    assertThat(get("json-b", "also-good").getString("availability")).isEqualTo("preorder");
  }

  @Test
  @DisplayName("a new offer the ledger refuses (no availability) is answered rejected, with its reason and no version")
  void refusedByTheLedger() {
    JsonObject answer = http.offers("json-r", new JsonArray().add(offer("ok", "1.00 CAD", "in_stock"))
        .add(new JsonObject().put("sku", "half").put("price", "2.00 CAD")));
    JsonObject half = answer.getJsonArray("items").getJsonObject(1);
    assertThat(half.getString("status")).isEqualTo("rejected");
    assertThat(half.containsKey("version")).isTrue();
    assertThat(half.getValue("version")).isNull();
    assertThat(half.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("availability");
    assertThat(half.getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("required");
    assertThat(answer.getJsonObject("counts").getInteger("rejected")).isEqualTo(1);
  }

  @Test
  @DisplayName("retries are unchanged, older versions are stale, and neither rolls state back")
  void staleAndDuplicate() {
    JsonArray v5 = new JsonArray().add(offer("cherries", "78.00 CAD", "in_stock").put("version", 5));
    assertThat(http.offers("json-c", v5).getJsonArray("items").getJsonObject(0).getString("status"))
        .isEqualTo("applied");
    JsonObject retry = http.offers("json-c", v5).getJsonArray("items").getJsonObject(0);
    assertThat(retry.getString("status")).isEqualTo("unchanged");
    assertThat(retry.getLong("version")).isEqualTo(5);
    assertThat(retry.containsKey("seq")).isFalse();
    JsonObject old = http.offers("json-c", new JsonArray().add(new JsonObject().put("sku", "cherries")
        .put("price", "70.00 CAD").put("version", 4))).getJsonArray("items").getJsonObject(0);
    assertThat(old.getString("status")).isEqualTo("stale");
    assertThat(old.getLong("version")).isEqualTo(5);
    assertThat(get("json-c", "cherries").getJsonObject("price").getString("amount")).isEqualTo("78.00");
  }

  @Test
  @DisplayName("a partial write changes only its fields and the ledger assigns the next version")
  void partialWrite() {
    http.offers("json-d", new JsonArray().add(offer("beef", "58.00 CAD", "in_stock").put("quantity", 80)
        .put("brand", "Prairie")));
    JsonObject item = http.offers("json-d", new JsonArray().add(new JsonObject().put("sku", "beef")
        .put("quantity", 0).put("availability", "out_of_stock"))).getJsonArray("items").getJsonObject(0);
    assertThat(item.getLong("version")).isEqualTo(2);
    JsonObject state = get("json-d", "beef");
    assertThat(state.getLong("quantity")).isZero();
    assertThat(state.getString("availability")).isEqualTo("out_of_stock");
    assertThat(state.getString("brand")).isEqualTo("Prairie");
    assertThat(state.getJsonObject("price").getString("amount")).isEqualTo("58.00");
  }

  @Test
  @DisplayName("NDJSON is streamed in chunks; a malformed line rejects that line only")
  void ndjson() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      body.append(offer("sku-" + i, (i + 1) + ".00 CAD", "in_stock").encode()).append('\n');
      if (i == 100) {
        body.append("{\"sku\": \"broken\", \"price\": \n");
        body.append("\n");
      }
    }
    HttpResponse<Buffer> r = http.post("/v1/suppliers/nd-a/offers", "application/x-ndjson", body.toString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject answer = r.bodyAsJsonObject();
    JsonArray items = answer.getJsonArray("items");
    assertThat(items).hasSize(251);
    JsonObject broken = items.getJsonObject(101);
    assertThat(broken.getString("status")).isEqualTo("rejected");
    assertThat(broken.getLong("line")).isEqualTo(102);
    assertThat(broken.getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("malformed_json");
    assertThat(items.getJsonObject(102).getLong("line")).isEqualTo(104);
    assertThat(answer.getJsonObject("counts")).isEqualTo(new JsonObject().put("applied", 250).put("unchanged", 0)
        .put("stale", 0).put("rejected", 1));
    assertThat(get("nd-a", "sku-249").getJsonObject("price").getString("amount")).isEqualTo("250.00");
  }

  @Test
  @DisplayName("an NDJSON line over the line limit is rejected alone")
  void ndjsonLineTooLong() {
    String body = offer("a", "1.00 CAD", "in_stock").encode() + "\n"
        + offer("b", "1.00 CAD", "in_stock").put("brand", "x".repeat(400)).encode() + "\n"
        + offer("c", "1.00 CAD", "in_stock").encode() + "\n";
    JsonArray items = http.post("/v1/suppliers/nd-b/offers", "application/x-ndjson", body).bodyAsJsonObject()
        .getJsonArray("items");
    assertThat(items.stream().map(i -> ((JsonObject) i).getString("status")))
        .containsExactly("applied", "rejected", "applied");
    assertThat(items.getJsonObject(1).getJsonArray("errors").getJsonObject(0).getString("code"))
        .isEqualTo("line_too_long");
  }

  @Test
  @DisplayName("a Merchant Center feed file maps id to sku and warns about unknown columns")
  void tsvFeed() {
    String feed = "\uFEFFid\ttitle\tprice\tsale_price\tavailability\tquantity\tbrand\tgtin\tproduct_type\tlink\n"
        + "cherry-5kg\tLapins cherries 5 kg\t78.00 CAD\t69.00 CAD\tin stock\t200\tOkanagan\t4006381333931\t"
        + "Fruit > Cherries\thttps://example.com/c\n"
        + "\n"
        + "cherry-2kg\t\"Skeena \"\"cherries\"\"\"\t39.00 CAD\t\tout_of_stock\t0\t\t\tFruit > Cherries\n"
        + "bad-row\tBad\tforty CAD\t\tin_stock\n";
    HttpResponse<Buffer> r = http.post("/v1/suppliers/tsv-a/feeds", "text/tab-separated-values", feed);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject answer = r.bodyAsJsonObject();
    assertThat(answer.getString("source")).isEqualTo("tsv");
    JsonArray items = answer.getJsonArray("items");
    assertThat(items.stream().map(i -> ((JsonObject) i).getString("status")))
        .containsExactly("applied", "applied", "rejected");
    assertThat(items.getJsonObject(2).getLong("line")).isEqualTo(5);
    assertThat(items.getJsonObject(2).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("price");
    JsonObject warning = answer.getJsonArray("warnings").getJsonObject(0);
    assertThat(warning.getString("code")).isEqualTo("unknown_column");
    assertThat(warning.getString("field")).isEqualTo("link");
    JsonObject c5 = get("tsv-a", "cherry-5kg");
    assertThat(c5.getJsonObject("sale_price").getString("amount")).isEqualTo("69.00");
    assertThat(c5.getString("category")).isEqualTo("Fruit > Cherries");
    assertThat(c5.getString("gtin")).isEqualTo("4006381333931");
    assertThat(get("tsv-a", "cherry-2kg").getJsonObject("title").getString("en")).isEqualTo("Skeena \"cherries\"");
  }

  @Test
  @DisplayName("a feed without an id column is refused before anything applies")
  void tsvWithoutId() {
    HttpResponse<Buffer> r = http.post("/v1/suppliers/tsv-b/feeds", "text/tab-separated-values",
        "sku\tprice\tavailability\nx\t1.00 CAD\tin_stock\n");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("missing_id_column");
    assertThat(http.get("/v1/suppliers/tsv-b/offers/x").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("bodies and item counts over the limits are answered 413 with a JSON error naming the limit")
  void limits() {
    HttpResponse<Buffer> big = http.post("/v1/suppliers/lim/offers", "application/json", "[" + " ".repeat(30000) + "]");
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("PRICEWIRE_INGEST_MAX_BODY_BYTES");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 51; i++) {
      many.add(offer("m" + i, "1.00 CAD", "in_stock"));
    }
    HttpResponse<Buffer> tooMany = http.post("/v1/suppliers/lim/offers", "application/json", many.encode());
    assertThat(tooMany.statusCode()).isEqualTo(413);
    assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too_many_items");
    assertThat(http.get("/v1/suppliers/lim/offers/m0").statusCode()).isEqualTo(404);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 5001; i++) {
      lines.append(offer("n" + i, "1.00 CAD", "in_stock").encode()).append('\n');
    }
    HttpResponse<Buffer> stream = http.post("/v1/suppliers/lim/offers", "application/x-ndjson", lines.toString());
    assertThat(stream.statusCode()).isIn(200, 413);
    JsonObject answer = stream.bodyAsJsonObject();
    assertThat(answer.getJsonObject("error").getString("code")).isEqualTo("too_many_items");
    assertThat(answer.getJsonArray("items")).hasSize(5000);
    assertThat(http.get("/v1/suppliers/lim/offers/n4999").statusCode()).isEqualTo(200);
    assertThat(http.get("/v1/suppliers/lim/offers/n5000").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("malformed bodies, wrong content types and unknown paths get 4xx JSON errors, never 500")
  void badRequests() {
    assertError(http.post("/v1/suppliers/bad/offers", "application/json", "[{\"sku\": "), 400, "malformed_json");
    assertError(http.post("/v1/suppliers/bad/offers", "application/json", "{\"sku\": \"a\"}"), 400, "expected_array");
    assertError(http.post("/v1/suppliers/bad/offers", "application/x-www-form-urlencoded", "a=b"), 415,
        "unsupported_media_type");
    assertError(http.post("/v1/suppliers/bad/offers", null, "[]"), 415, "unsupported_media_type");
    assertError(http.post("/v1/suppliers/bad/offers", "application/json; charset=latin1", "[]"), 415,
        "unsupported_charset");
    assertError(http.post("/v1/suppliers/Not%20Valid/offers", "application/json", "[]"), 400, "invalid_supplier");
    assertError(http.post("/v1/nothing", "application/json", "[]"), 404, "not_found");
    assertError(http.get("/v1/suppliers/bad/feeds"), 405, "method_not_allowed");
    assertError(http.get("/v1/suppliers/bad/offers/none"), 404, "offer_not_found");
    assertError(http.get("/v1/feed"), 400, "websocket_required");
  }

  @Test
  @DisplayName("one keep-alive connection carries request after request: JSON, NDJSON, TSV and a rejected body")
  void keepAlive() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(5000);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      String[][] requests = {
          {"application/json", "[{\"sku\": \"ka\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\"}]", "200"},
          {"application/x-ndjson", "{\"sku\": \"kb\", \"price\": \"2.00 CAD\", \"availability\": \"in_stock\"}\n", "200"},
          {"application/json", "[{\"sku\": ", "400"},
          {"text/tab-separated-values", "id\tprice\tavailability\nkc\t3.00 CAD\tin stock\n", "200"},
          {"application/json", "[{\"sku\": \"kd\", \"price\": \"4.00 CAD\", \"availability\": \"in_stock\"}]", "200"}};
      for (String[] r : requests) {
        byte[] body = r[1].getBytes(StandardCharsets.UTF_8);
        String path = r[0].startsWith("text/") ? "/v1/suppliers/keep/feeds" : "/v1/suppliers/keep/offers";
        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + r[0]
            + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        String head = RawHttp.readHead(in);
        assertThat(head).as("answer to " + r[0] + " on the same connection").startsWith("HTTP/1.1 " + r[2]);
        assertThat(head.toLowerCase()).doesNotContain("connection: close");
        String answer = RawHttp.readBody(in, head);
        assertThat(answer).as(head).contains(r[2].equals("200") ? "\"applied\":1" : "\"malformed_json\"");
      }
    }
    assertThat(get("keep", "kd").getLong("version")).isEqualTo(1);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
  }
}
