package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.feed.CloseCodes;
import io.pricewire.support.FeedClient;
import io.pricewire.support.PostgresDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGTERM to a real gateway process: stop accepting, finish what is in flight, close feeds with 1001. */
@DisplayName("graceful shutdown")
class GracefulShutdownTest {

  private static final Logger log = LoggerFactory.getLogger(GracefulShutdownTest.class);

  @Test
  @DisplayName("on SIGTERM an in-flight ingest is finished and answered, feeds get 1001, and the process exits")
  void sigterm() throws Exception {
    int port = freePort();
    int opsPort = freePort();
    Vertx clients = Vertx.vertx();
    try (PostgresDatabase db = PostgresDatabase.create(GracefulShutdownTest.class)) {
      ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp",
          System.getProperty("java.class.path"), "io.pricewire.Main")
          .redirectErrorStream(true).redirectOutput(new File("target/graceful-shutdown-gateway.log"));
      pb.environment().put("PRICEWIRE_STORE", "postgres");
      pb.environment().put("PRICEWIRE_PG_URI", db.uri());
      pb.environment().put("PRICEWIRE_AUTH", "off");
      pb.environment().put("PRICEWIRE_HTTP_PORT", String.valueOf(port));
      pb.environment().put("PRICEWIRE_OPS_PORT", String.valueOf(opsPort));
      pb.environment().put("PRICEWIRE_HTTP_HOST", "127.0.0.1");
      pb.environment().put("PRICEWIRE_SHUTDOWN_TIMEOUT_MS", "8000");
      Process gateway = pb.start();
      try {
        HttpClientAgent http = clients.createHttpClient();
        waitReady(http, opsPort);
        FeedClient feed = FeedClient.connect(clients, port);
        feed.send(FeedClient.subscribe("g").put("suppliers", new JsonArray().add("shutdown")));
        feed.snapshot();

        // An NDJSON body that is still being sent when SIGTERM arrives.
        HttpClientRequest request = http.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port)
            .setHost("127.0.0.1").setURI("/v1/suppliers/shutdown/offers")
            .putHeader("Content-Type", "application/x-ndjson")).await();
        request.setChunked(true);
        // Read the body as the response arrives, on its event loop, so none of it is missed.
        var response = request.response().compose(r -> r.body().map(b -> java.util.Map.entry(r.statusCode(), b)));
        for (int i = 0; i < 50; i++) {
          request.write(line(i)).await();
        }
        // SIGTERM only once the gateway is processing the request.
        long deadline = System.currentTimeMillis() + 10_000;
        while (io.pricewire.support.Metrics.valueOrZero(clients, opsPort,
            "vertx_http_server_active_requests{method=\"POST\"}") < 1) {
          assertThat(System.currentTimeMillis()).as("the ingest request is in flight").isLessThan(deadline);
        }
        long signalled = System.nanoTime();
        gateway.destroy();
        assertThat(feed.awaitClose(5000)).as("feeds are told to go elsewhere").isEqualTo(CloseCodes.GOING_AWAY);
        for (int i = 50; i < 100; i++) {
          request.write(line(i)).await();
        }
        request.end().await();
        var answer = response.await();
        JsonObject body = answer.getValue().toJsonObject();
        assertThat(answer.getKey()).isEqualTo(200);
        assertThat(body.getJsonObject("counts").getInteger("applied")).as("the in-flight request was finished")
            .isEqualTo(100);
        assertThat(gateway.waitFor(15, TimeUnit.SECONDS)).as("the process exited").isTrue();
        long millis = (System.nanoTime() - signalled) / 1_000_000;
        log.info("FIGURES graceful shutdown: SIGTERM to exit {} ms with one ingest in flight", millis);
        assertThat(db.queryLong("SELECT count(*) FROM offers WHERE supplier = 'shutdown'")).isEqualTo(100);
      } finally {
        gateway.destroyForcibly();
      }
    } finally {
      clients.close().await();
    }
  }

  private static Buffer line(int i) {
    return Buffer.buffer(new JsonObject().put("sku", "s" + i).put("price", "1.00 CAD").put("availability", "in_stock")
        .encode() + "\n");
  }

  private static void waitReady(HttpClientAgent http, int opsPort) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try {
        int status = http.request(new RequestOptions().setPort(opsPort).setHost("127.0.0.1").setURI("/health/ready"))
            .compose(r -> r.send()).map(HttpClientResponse::statusCode).await();
        if (status == 200) {
          return;
        }
      } catch (Exception e) {
        // not up yet (await() rethrows the connect failure as it is)
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the gateway did not become ready; see target/graceful-shutdown-gateway.log");
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
