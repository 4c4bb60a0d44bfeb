package io.pricewire.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("demo mode")
class DemoSupplierTest {

  @Test
  @DisplayName("seeds Canadian goods with Chinese titles and keeps changing them")
  void demo() {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_DEMO", "true", "PRICEWIRE_DEMO_INTERVAL_MS", "20"))) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, gateway.port()); FeedClient feed = FeedClient.connect(clients, gateway.port())) {
        JsonObject lobster = http.get("/v1/suppliers/atlantic-seafood/offers/lobster-live-1lb").bodyAsJsonObject();
        assertThat(lobster.getJsonObject("title").getString("zh-CN")).isEqualTo("加拿大鲜活龙虾 1磅");
        assertThat(lobster.getJsonObject("price").getString("currency")).isEqualTo("CAD");
        assertThat(lobster.getString("tax_class")).isEqualTo("agri_9");
        // The demo gives the cn-cbec market a CAD/CNY rate, so its projection works from the start.
        JsonObject inChina = http.get("/v1/markets/cn-cbec/suppliers/atlantic-seafood/offers/lobster-live-1lb")
            .bodyAsJsonObject().getJsonObject("market");
        assertThat(inChina.getJsonObject("price").getString("currency")).isEqualTo("CNY");
        assertThat(inChina.getJsonObject("fx").getString("source")).contains("demo rate");
        assertThat(inChina.getString("title_locale")).isEqualTo("zh-CN");
        feed.send(FeedClient.subscribe("d").put("suppliers", new JsonArray().add("atlantic-seafood")
            .add("okanagan-orchards").add("prairie-beef").add("laurentian-maple").add("niagara-icewine")
            .add("pacific-apparel")));
        assertThat(feed.snapshot().get(0).getJsonArray("offers")).hasSize(DemoCatalog.ITEMS.size());
        assertThat(feed.updates(5)).allSatisfy(u -> assertThat(u.getJsonArray("changed")).isNotEmpty());
      } finally {
        clients.close().await();
      }
    }
  }
}
