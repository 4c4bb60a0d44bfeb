package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("large interests")
class LargeInterestTest {

  @Test
  @DisplayName("one subscribe may name 10,000 offers (snapshot in frames under 64 KiB); 10,001 is refused naming the limit")
  void tenThousandOffers() {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_INGEST_MAX_ITEMS", "10000"))) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, gateway.port()); FeedClient c = FeedClient.connect(clients, gateway.port())) {
        JsonArray offers = new JsonArray();
        JsonArray skus = new JsonArray();
        for (int i = 0; i < 10_000; i++) {
          offers.add(new JsonObject().put("sku", "listing-" + i).put("price", "1.00 CAD").put("availability", "in_stock"));
          skus.add("big:listing-" + i);
        }
        http.offers("big", offers);
        c.send(subscribe("page").put("skus", skus));
        List<JsonObject> parts = c.snapshot();
        assertThat(parts.stream().mapToInt(p -> p.getJsonArray("offers").size()).sum()).isEqualTo(10_000);
        assertThat(parts.stream().allMatch(p -> p.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            < 64 * 1024)).isTrue();
        http.offers("big", new JsonArray().add(new JsonObject().put("sku", "listing-9999").put("price", "2.00 CAD")));
        assertThat(c.next().getJsonObject("offer").getString("sku")).isEqualTo("listing-9999");
        c.send(subscribe("too-big").put("skus", skus.copy().add("big:one-more")));
        JsonObject error = c.next();
        assertThat(error.getString("code")).isEqualTo("interest_too_large");
        assertThat(error.getString("message")).contains("10000");
      } finally {
        clients.close().await();
      }
    }
  }
}
