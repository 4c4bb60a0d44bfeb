package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.support.FeedClient;
import io.pricewire.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("feed heartbeats")
class HeartbeatTest {

  /** Long against the ping interval, so that a client answering a little late is still in time. */
  private static final long TIMEOUT_MS = 2000;
  private static TestGateway gateway;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_PING_INTERVAL_MS", "100",
        "PRICEWIRE_FEED_PING_TIMEOUT_MS", String.valueOf(TIMEOUT_MS)));
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    gateway.close();
  }

  @Test
  @DisplayName("a client that never answers pings is closed with 4001 after the timeout")
  void silentClientIsClosed() throws Exception {
    // A raw socket that completes the handshake and then ignores everything, pings included.
    NetSocket socket = clients.createNetClient().connect(gateway.port(), "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      synchronized (received) {
        received.appendBuffer(data);
      }
    });
    socket.write("GET /v1/feed HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").await();
    boolean sawPing = false;
    Integer closeCode = null;
    long deadline = System.currentTimeMillis() + 10 * TIMEOUT_MS;
    while (closeCode == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      byte[] bytes;
      synchronized (received) {
        bytes = received.getBytes();
      }
      String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      int body = text.indexOf("\r\n\r\n");
      if (body < 0) {
        continue;
      }
      assertThat(text).startsWith("HTTP/1.1 101");
      for (int i = body + 4; i + 1 < bytes.length; ) {
        int opcode = bytes[i] & 0x0F;
        int len = bytes[i + 1] & 0x7F;
        if (opcode == 0x9) {
          sawPing = true;
        } else if (opcode == 0x8 && len >= 2 && i + 3 < bytes.length) {
          closeCode = ((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF);
        }
        i += 2 + len;
      }
    }
    socket.close();
    assertThat(sawPing).as("the server pinged first").isTrue();
    assertThat(closeCode).isEqualTo((int) CloseCodes.HEARTBEAT_TIMEOUT);
  }

  @Test
  @DisplayName("a client that answers pings stays connected past the timeout")
  void answeringClientStays() {
    try (FeedClient c = FeedClient.connect(clients, gateway.port())) {
      // Pings arrive every 100 ms: by the 45th the timeout has passed twice.
      long deadline = System.currentTimeMillis() + 30 * TIMEOUT_MS;
      while (c.pings() < 45 && !c.isClosed() && System.currentTimeMillis() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(c.isClosed()).as("closed: %s", c.closeReason()).isFalse();
      assertThat(c.pings()).isGreaterThanOrEqualTo(45);
      c.send(new io.vertx.core.json.JsonObject().put("op", "ping"));
      assertThat(c.next().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  @DisplayName("a WebSocket client that asks for heartbeats gets one at once and then one per ping interval")
  void heartbeatFramesOnWebSocket() {
    try (FeedClient c = FeedClient.connect(clients, gateway.port(), new io.vertx.core.http.WebSocketClientOptions(),
        null, "heartbeat=1")) {
      for (int i = 0; i < 3; i++) {
        io.vertx.core.json.JsonObject beat = c.next();
        assertThat(beat.getString("type")).isEqualTo("heartbeat");
        assertThat(beat.getLong("interval_ms")).isEqualTo(100L);
      }
      c.send(new io.vertx.core.json.JsonObject().put("op", "ping").put("id", "p"));
      io.vertx.core.json.JsonObject next = c.next();
      while ("heartbeat".equals(next.getString("type"))) {
        next = c.next();
      }
      assertThat(next.getString("type")).isEqualTo("pong");
    }
    try (FeedClient plain = FeedClient.connect(clients, gateway.port())) {
      plain.send(new io.vertx.core.json.JsonObject().put("op", "ping"));
      assertThat(plain.next().getString("type")).as("no heartbeat frames unless asked").isEqualTo("pong");
      assertThat(plain.poll(500)).as("no heartbeat frames unless asked").isNull();
    }
  }

  @Test
  @DisplayName("an SSE client that asks for heartbeats gets them as events a page can see, before its snapshot")
  void heartbeatEventsOnSse() {
    try (io.pricewire.support.SseClient sse = io.pricewire.support.SseClient.connect(clients, gateway.port(),
        "suppliers=hb-nobody&heartbeat=1", null)) {
      assertThat(sse.next().data().getString("type")).isEqualTo("heartbeat");
      assertThat(sse.next().data().getString("type")).isEqualTo("snapshot");
      io.vertx.core.json.JsonObject beat = sse.next().data();
      assertThat(beat.getString("type")).isEqualTo("heartbeat");
      assertThat(beat.getLong("interval_ms")).isEqualTo(100L);
    }
  }
}
