package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("permessage-deflate")
class CompressionTest {

  @Test
  @DisplayName("is negotiated when the client offers it, not when it does not, and not when turned off")
  void negotiation() {
    Vertx clients = Vertx.vertx();
    try {
      try (TestGateway on = TestGateway.memory()) {
        try (FeedClient c = FeedClient.connect(clients, on.port(),
            new WebSocketClientOptions().setTryUsePerMessageCompression(true))) {
          assertThat(c.ws.headers().get("Sec-WebSocket-Extensions")).contains("permessage-deflate");
          c.send(new io.vertx.core.json.JsonObject().put("op", "ping"));
          assertThat(c.next().getString("type")).isEqualTo("pong");
        }
        try (FeedClient c = FeedClient.connect(clients, on.port(), new WebSocketClientOptions())) {
          assertThat(c.ws.headers().get("Sec-WebSocket-Extensions")).isNull();
        }
      }
      try (TestGateway off = TestGateway.start(Map.of("PRICEWIRE_FEED_COMPRESSION", "false"));
          FeedClient c = FeedClient.connect(clients, off.port(),
              new WebSocketClientOptions().setTryUsePerMessageCompression(true))) {
        assertThat(c.ws.headers().get("Sec-WebSocket-Extensions")).isNull();
      }
    } finally {
      clients.close().await();
    }
  }
}
