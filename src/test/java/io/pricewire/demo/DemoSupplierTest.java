package io.pricewire.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
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

  @Test
  @DisplayName("the storefront's config gives the development token only to a browser on this machine that names "
      + "the gateway by a loopback host; the marketplace catalog lists what the demo seeded")
  void storefrontEndpoints() {
    try (TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_AUTH", "on", "PRICEWIRE_DEMO", "true",
        "PRICEWIRE_DEMO_INTERVAL_MS", "3600000", "PRICEWIRE_DEMO_CATALOG_OFFERS", "250"))) {
      Vertx clients = Vertx.vertx();
      WebClient web = WebClient.create(clients);
      try {
        String token = io.pricewire.auth.DevCredentials.read(gateway.port()).getString("storefront_token");
        for (String host : new String[] {"localhost:" + gateway.port(), "127.0.0.1", "[::1]:8080", "LOCALHOST"}) {
          JsonObject config = web.get(gateway.port(), "127.0.0.1", "/demo/config.json").putHeader("Host", host)
              .send().await().bodyAsJsonObject();
          assertThat(config.getString("token")).as(host).isEqualTo(token);
          assertThat(config.getJsonArray("suppliers").getList()).contains("atlantic-seafood", "pacific-apparel");
          assertThat(config.getString("catalog_supplier")).isEqualTo(DemoCatalog.MARKETPLACE);
        }
        for (String host : new String[] {"shop.example.com", "localhost.example.com:8080", "127.0.0.1.nip.io"}) {
          HttpResponse<Buffer> r = web.get(gateway.port(), "127.0.0.1", "/demo/config.json").putHeader("Host", host)
              .send().await();
          assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
          assertThat(r.bodyAsJsonObject().getValue("token")).as(host).isNull();
        }
        JsonArray offers = web.get(gateway.port(), "127.0.0.1", "/demo/catalog.json").send().await()
            .bodyAsJsonObject().getJsonArray("offers");
        assertThat(offers).hasSize(250);
        java.util.Set<String> skus = new java.util.HashSet<>();
        offers.forEach(o -> skus.add(((JsonObject) o).getString("sku")));
        assertThat(skus).as("distinct skus").hasSize(250);
        JsonObject last = offers.getJsonObject(249);
        try (Http http = new Http(clients, gateway.port()).bearer(io.pricewire.auth.DevCredentials.read(gateway.port())
            .getJsonObject("supplier_keys").getString(DemoCatalog.MARKETPLACE))) {
          JsonObject stored = http.get("/v1/suppliers/" + DemoCatalog.MARKETPLACE + "/offers/" + last.getString("sku"))
              .bodyAsJsonObject();
          assertThat(stored.getJsonObject("title").getString("zh-CN"))
              .isEqualTo(last.getJsonObject("title").getString("zh-CN"));
          assertThat(stored.getString("category")).isEqualTo(last.getString("category"));
        }
        HttpResponse<Buffer> redirect = web.get(gateway.port(), "127.0.0.1", "/demo").followRedirects(false)
            .send().await();
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.getHeader("Location")).isEqualTo("/demo/");
      } finally {
        web.close();
        clients.close().await();
      }
    }
  }

  @Test
  @DisplayName("without the demo there is no storefront page")
  void noDemoNoPage() {
    try (TestGateway gateway = TestGateway.memory()) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, gateway.port())) {
        assertThat(http.get("/demo/config.json").statusCode()).isEqualTo(404);
      } finally {
        clients.close().await();
      }
    }
  }

  @Test
  @DisplayName("the marketplace catalog has distinct skus, both titles and a tax class for any size")
  void marketplaceCatalog() {
    java.util.List<DemoCatalog.Item> items = DemoCatalog.marketplace(3000);
    assertThat(items).hasSize(3000);
    assertThat(items.stream().map(DemoCatalog.Item::sku).distinct()).hasSize(3000);
    assertThat(items).allSatisfy(i -> {
      assertThat(i.sku().length()).isBetween(1, 50);
      assertThat(i.en()).isNotBlank();
      assertThat(i.zh()).isNotBlank();
      assertThat(i.taxClass()).isNotNull();
      assertThat(i.write().price().micros()).isPositive();
    });
  }
}
