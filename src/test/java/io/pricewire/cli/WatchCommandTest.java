package io.pricewire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("pricewire watch")
class WatchCommandTest {

  @Test
  @DisplayName("finds the development token, prints the snapshot, then a line per update with old and new price")
  void printsUpdates() throws Exception {
    // Authentication on, nothing configured: the development credentials that watch finds by itself.
    try (TestGateway gateway = TestGateway.start(java.util.Map.of("PRICEWIRE_AUTH", "on"))) {
      Vertx clients = Vertx.vertx();
      String key = io.pricewire.auth.DevCredentials.read(gateway.port()).getJsonObject("supplier_keys")
          .getString("atlantic-seafood");
      try (Http http = new Http(clients, gateway.port()).bearer(key)) {
        http.offers("atlantic-seafood", new JsonArray().add(new JsonObject().put("sku", "lobster")
            .put("price", "42.00 CAD").put("availability", "in_stock")
            .put("title", new JsonObject().put("en", "Live lobster").put("zh-CN", "活龙虾"))));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(new WatchCommand(out));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
            "--url", "ws://127.0.0.1:" + gateway.port() + "/v1/feed", "--suppliers", "atlantic-seafood",
            "--locale", "zh-CN", "--count", "1"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!bytes.toString(StandardCharsets.UTF_8).contains("snapshot") && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        http.offers("atlantic-seafood", new JsonArray().add(new JsonObject().put("sku", "lobster")
            .put("price", "39.50 CAD")));
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("# snapshot at seq 1: 1 offer(s)");
        assertThat(printed).contains("atlantic-seafood:lobster");
        assertThat(printed).contains("price 42.00 -> 39.50 CAD");
        assertThat(printed).contains("活龙虾");
      } finally {
        clients.close().await();
      }
    }
  }

  @Test
  @DisplayName("with --market cn-cbec: landed CNY prices with the tax, the zh-CN title, and a line per repricing")
  void market() throws Exception {
    String admin = "admin-token-for-watch-tests-0123456789";
    try (TestGateway gateway = TestGateway.start(java.util.Map.of("PRICEWIRE_ADMIN_TOKEN", admin))) {
      Vertx clients = Vertx.vertx();
      try (Http http = new Http(clients, gateway.port()); Http ops = new Http(clients, gateway.opsPort()).bearer(admin)) {
        String today = java.time.LocalDate.now(io.pricewire.market.Projection.CHINA).toString();
        String rate = "{\"rates\": [{\"base\": \"CAD\", \"quote\": \"CNY\", \"rate\": \"%s\", \"as_of\": \""
            + today + "\", \"source\": \"test\"}]}";
        http.offers("okanagan-orchards", new JsonArray().add(new JsonObject().put("sku", "cherries-2kg")
            .put("price", "39.00 CAD").put("availability", "in_stock").put("category", "Fruit > Cherries")
            .put("title", new JsonObject().put("en", "Cherries 2 kg").put("zh-CN", "车厘子 2公斤"))));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(new WatchCommand(out));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
            "--url", "ws://127.0.0.1:" + gateway.port() + "/v1/feed", "--suppliers", "okanagan-orchards",
            "--market", "cn-cbec", "--count", "1"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!bytes.toString(StandardCharsets.UTF_8).contains("no_fx_rate") && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        // No rate yet: watch says so and subscribes again until there is one.
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("subscribing again in 2 s");
        assertThat(ops.post("/admin/fx", "application/json", String.format(rate, "5.10")).statusCode()).isEqualTo(200);
        deadline = System.currentTimeMillis() + 10_000;
        while (!bytes.toString(StandardCharsets.UTF_8).contains("snapshot") && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        assertThat(ops.post("/admin/fx", "application/json", String.format(rate, "5.20")).statusCode()).isEqualTo(200);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("211.43 CNY (tax 6.3% 12.53)");
        assertThat(printed).contains("车厘子 2公斤");
        assertThat(printed).contains("landed 215.58 CNY (tax 6.3% 12.78)");
      } finally {
        clients.close().await();
      }
    }
  }
}
