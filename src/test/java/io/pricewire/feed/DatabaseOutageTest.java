package io.pricewire.feed;

import static io.pricewire.support.FeedClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.Http;
import io.pricewire.support.PostgresDatabase;
import io.pricewire.support.TcpProxy;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL going away under a running gateway, through a proxy that refuses connections (server
 * down) or swallows traffic (network black hole): ingest answers 503 quickly, readiness goes down,
 * feed clients stay connected, and everything comes back without a restart.
 */
@DisplayName("database outages")
class DatabaseOutageTest {

  private static final Logger log = LoggerFactory.getLogger(DatabaseOutageTest.class);

  @Test
  @DisplayName("with PostgreSQL gone, ingest answers 503 with Retry-After, feeds stay, and all comes back on its own")
  void outageAndRecovery() throws Exception {
    Vertx clients = Vertx.vertx();
    try (PostgresDatabase db = PostgresDatabase.create(DatabaseOutageTest.class)) {
      PgConnectOptions real = PgConnectOptions.fromUri(db.uri());
      try (TcpProxy proxy = TcpProxy.start(clients, real.getHost(), real.getPort());
          TestGateway gateway = TestGateway.start(Map.of("PRICEWIRE_STORE", "postgres", "PRICEWIRE_PG_URI",
              "postgresql://" + real.getUser() + "@127.0.0.1:" + proxy.port() + "/" + db.name(),
              "PRICEWIRE_STORE_TIMEOUT_MS", "1000"));
          Http http = new Http(clients, gateway.port()); Http ops = new Http(clients, gateway.opsPort());
          FeedClient feed = FeedClient.connect(clients, gateway.port())) {
        http.offers("outage", new JsonArray().add(offer("a", "1.00")));
        feed.send(subscribe("o").put("suppliers", new JsonArray().add("outage")));
        feed.snapshot();

        for (TcpProxy.Mode mode : new TcpProxy.Mode[] {TcpProxy.Mode.REFUSE, TcpProxy.Mode.BLACKHOLE}) {
          proxy.set(mode);
          long started = System.nanoTime();
          HttpResponse<Buffer> refused = http.post("/v1/suppliers/outage/offers", "application/json",
              new JsonArray().add(offer("b", "2.00")).encode());
          long millis = (System.nanoTime() - started) / 1_000_000;
          log.info("FIGURES outage ({}): ingest answered {} in {} ms", mode, refused.statusCode(), millis);
          assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
          assertThat(refused.getHeader("Retry-After")).isNotNull();
          assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code"))
              .isEqualTo("store_unavailable");
          HttpResponse<Buffer> ready = ops.get("/health/ready");
          assertThat(ready.statusCode()).isEqualTo(503);
          assertThat(ready.bodyAsString()).contains("store").contains("DOWN");
          feed.send(new JsonObject().put("op", "ping").put("id", mode.name()));
          assertThat(feed.next().getString("type")).as("the feed client stays connected").isEqualTo("pong");
        }

        proxy.set(TcpProxy.Mode.FORWARD);
        HttpResponse<Buffer> back = null;
        for (int i = 0; i < 50 && (back == null || back.statusCode() != 200); i++) {
          Thread.sleep(200);
          back = http.post("/v1/suppliers/outage/offers", "application/json",
              new JsonArray().add(offer("c", "3.00")).encode());
        }
        assertThat(back.statusCode()).as("ingest works again without a restart").isEqualTo(200);
        assertThat(ops.get("/health/ready").statusCode()).isEqualTo(200);
        JsonObject update = feed.next();
        while (!update.getJsonObject("offer").getString("sku").equals("c")) {
          update = feed.next();
        }
        assertThat(update.getJsonObject("offer").getJsonObject("price").getString("amount")).isEqualTo("3.00");
        assertThat(db.queryLong("SELECT count(*) FROM offers WHERE supplier = 'outage' AND sku = 'a'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT count(*) FROM changes")).isEqualTo(db.queryLong("SELECT max(seq) FROM changes"));
      }
    } finally {
      clients.close().await();
    }
  }

  private static JsonObject offer(String sku, String price) {
    return new JsonObject().put("sku", sku).put("price", price + " CAD").put("availability", "in_stock");
  }
}
