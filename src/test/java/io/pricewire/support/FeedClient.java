package io.pricewire.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket feed client for tests: frames are queued and read with timeouts. */
public final class FeedClient implements AutoCloseable {

  private final WebSocketClient client;
  public final WebSocket ws;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private volatile Short closeCode;
  private volatile String closeReason;
  private volatile Throwable failure;
  private final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();

  private FeedClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    // Vert.x answers pings by itself; this only counts them.
    ws.frameHandler(f -> {
      if (f.type() == io.vertx.core.http.WebSocketFrameType.PING) {
        pings.incrementAndGet();
      }
    });
    ws.exceptionHandler(e -> failure = e);
    ws.closeHandler(v -> {
      closeCode = ws.closeStatusCode();
      closeReason = ws.closeReason();
    });
  }

  public static FeedClient connect(Vertx vertx, int port) {
    return connect(vertx, port, new WebSocketClientOptions());
  }

  public static FeedClient connect(Vertx vertx, int port, WebSocketClientOptions options) {
    return connect(vertx, port, options, null, null);
  }

  /** @param bearer sent as "Authorization: Bearer", or null; @param query appended to /v1/feed, or null */
  public static FeedClient connect(Vertx vertx, int port, WebSocketClientOptions options, String bearer, String query) {
    WebSocketClient client = vertx.createWebSocketClient(options.setMaxMessageSize(64 * 1024 * 1024));
    // Like most server-side clients, send no Origin header (browsers always do).
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/feed" + (query == null ? "" : "?" + query)).setAllowOriginHeader(false);
    if (bearer != null) {
      connect.addHeader("Authorization", "Bearer " + bearer);
    }
    try {
      return new FeedClient(client, client.connect(connect).await());
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  public FeedClient send(JsonObject frame) {
    ws.writeTextMessage(frame.encode()).await();
    return this;
  }

  public FeedClient sendText(String text) {
    ws.writeTextMessage(text).await();
    return this;
  }

  /** The next frame, failing if none comes within 10 s. */
  public JsonObject next() {
    return next(10_000);
  }

  public JsonObject next(long timeoutMs) {
    try {
      JsonObject f = frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
      if (f == null) {
        throw new AssertionError("no frame within " + timeoutMs + " ms (closed: " + closeCode + " " + closeReason
            + (failure == null ? "" : ", client error: " + failure) + ")");
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame if one comes within the time, else null. */
  public JsonObject poll(long timeoutMs) {
    try {
      return frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Reads the whole answer to a subscribe: all snapshot frames until one without "more". */
  public List<JsonObject> snapshot() {
    List<JsonObject> parts = new ArrayList<>();
    while (true) {
      JsonObject f = next();
      if (!"snapshot".equals(f.getString("type"))) {
        throw new AssertionError("expected a snapshot frame, got " + f.encode());
      }
      parts.add(f);
      if (!f.getBoolean("more")) {
        return parts;
      }
    }
  }

  /**
   * Reads frames until n offer updates arrived, from {@code update} and {@code updates} frames
   * alike, failing on anything else. Each comes as {@code {"seq": offer.seq, "offer", "changed",
   * "frame_seq": the resume point of its frame}}.
   */
  public List<JsonObject> updates(int n) {
    List<JsonObject> updates = new ArrayList<>();
    while (updates.size() < n) {
      JsonObject f = next();
      if ("update".equals(f.getString("type"))) {
        updates.add(entry(f, f.getLong("seq")));
      } else if ("updates".equals(f.getString("type"))) {
        for (Object u : f.getJsonArray("updates")) {
          updates.add(entry((JsonObject) u, f.getLong("seq")));
        }
      } else {
        throw new AssertionError("expected an update or updates frame, got " + f.encode());
      }
    }
    return updates;
  }

  private static JsonObject entry(JsonObject update, long frameSeq) {
    JsonObject offer = update.getJsonObject("offer");
    return new JsonObject().put("seq", offer.getLong("seq")).put("offer", offer)
        .put("changed", update.getJsonArray("changed")).put("frame_seq", frameSeq);
  }

  /**
   * Reads frames until one matches {@code marker} and returns them all, the marker last. For
   * "nothing else arrives" checks without waiting on the clock: the test commits a marker change
   * after what it checks; the gateway writes each connection's changes in seq order (only
   * availability changes overtake, and only for a client that is behind), so anything that
   * should not have arrived and was committed before the marker is among the frames returned.
   */
  public List<JsonObject> framesUntil(java.util.function.Predicate<JsonObject> marker) {
    List<JsonObject> frames = new ArrayList<>();
    while (true) {
      JsonObject f = next();
      frames.add(f);
      if (marker.test(f)) {
        return frames;
      }
    }
  }

  /** The offers an update or updates frame carries (none for other frames). */
  public static List<JsonObject> offersIn(JsonObject frame) {
    List<JsonObject> out = new ArrayList<>();
    if ("update".equals(frame.getString("type"))) {
      out.add(frame.getJsonObject("offer"));
    } else if ("updates".equals(frame.getString("type"))) {
      for (Object u : frame.getJsonArray("updates")) {
        out.add(((JsonObject) u).getJsonObject("offer"));
      }
    }
    return out;
  }

  /** Matches an update frame carrying the offer with this sku. */
  public static java.util.function.Predicate<JsonObject> updateOf(String sku) {
    return f -> offersIn(f).stream().anyMatch(o -> sku.equals(o.getString("sku")));
  }

  /** The skus of the offers that the frames carry in updates, in order. */
  public static List<String> updatedSkus(List<JsonObject> frames) {
    List<String> skus = new ArrayList<>();
    for (JsonObject f : frames) {
      offersIn(f).forEach(o -> skus.add(o.getString("sku")));
    }
    return skus;
  }

  /** Reads the frames that reached the client before the server closed the connection. */
  public List<JsonObject> framesUntilClosed(long timeoutMs) {
    List<JsonObject> frames = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      JsonObject f = poll(50);
      if (f != null) {
        frames.add(f);
      } else if (closeCode != null) {
        // Frames are handed over before the close event, so none can follow it.
        frames.addAll(drained());
        return frames;
      }
    }
    throw new AssertionError("the connection was not closed within " + timeoutMs + " ms");
  }

  private List<JsonObject> drained() {
    List<JsonObject> rest = new ArrayList<>();
    this.frames.drainTo(rest);
    return rest;
  }

  /** Waits for the server to close the connection; returns the close code. */
  public short awaitClose(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (closeCode == null && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    if (closeCode == null) {
      throw new AssertionError("the connection was not closed within " + timeoutMs + " ms");
    }
    return closeCode;
  }

  /** WebSocket pings received from the server (each answered by Vert.x). */
  public int pings() {
    return pings.get();
  }

  public String closeReason() {
    return closeReason;
  }

  public boolean isClosed() {
    return closeCode != null || ws.isClosed();
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
    client.close();
  }

  public static JsonObject subscribe(String id) {
    return new JsonObject().put("op", "subscribe").put("id", id);
  }
}
