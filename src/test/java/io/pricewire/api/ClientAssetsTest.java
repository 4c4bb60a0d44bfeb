package io.pricewire.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.Http;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the JavaScript client served by the gateway")
class ClientAssetsTest {

  private static TestGateway gateway;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    gateway = TestGateway.memory();
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  @Test
  @DisplayName("/client/pricewire.js is the module in clients/js, as JavaScript a page can import, with its types")
  void servesTheClient() throws Exception {
    try (Http http = new Http(clients, gateway.port())) {
      HttpResponse<Buffer> js = http.get("/client/pricewire.js");
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.getHeader("Content-Type")).contains("javascript");
      assertThat(js.bodyAsString()).isEqualTo(Files.readString(Path.of("clients/js/pricewire.js")));
      assertThat(js.bodyAsString()).contains("export class Pricewire");
      HttpResponse<Buffer> types = http.get("/client/pricewire.d.ts");
      assertThat(types.statusCode()).isEqualTo(200);
      assertThat(types.bodyAsString()).isEqualTo(Files.readString(Path.of("clients/js/pricewire.d.ts")));
      assertThat(http.get("/client/package.json").statusCode()).as("only the module and its types").isEqualTo(404);
      assertThat(http.get("/client/../conf/pricewire.properties").statusCode()).isNotEqualTo(200);
    }
  }
}
