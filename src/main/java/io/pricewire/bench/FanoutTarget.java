package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A push server under the fan-out workload: how to subscribe a client to its stream and how to
 * publish changes into it. Every published change carries {@code t=<micros>}, its wall-clock
 * send time, which the subscribers find in what they receive.
 */
interface FanoutTarget {

  String name();

  /** Seeds and credentials, before any subscriber connects. */
  Future<Void> prepare();

  /**
   * Connects and subscribes one client; completes when the client is ready to receive.
   *
   * @param received gets every message the client receives, raw
   */
  Future<AutoCloseable> subscribe(int index, Consumer<Buffer> received);

  /** Publishes n changes stamped with the given time; completes when the server accepted them. */
  Future<Void> publish(int n, long stampMicros);

  /** A payload the size and shape of a Pricewire update frame, for the servers that only relay. */
  static String updateFrame(long seq, int offer, String price, long stampMicros) {
    return "{\"type\":\"update\",\"epoch\":\"f22f4505-ab5e-4183-a68f-65eaaafff603\",\"seq\":" + seq
        + ",\"offer\":{\"supplier\":\"bench-fanout\",\"sku\":\"o" + offer + "\",\"version\":" + seq + ",\"seq\":" + seq
        + ",\"price\":{\"amount\":\"" + price + "\",\"currency\":\"CAD\"},\"availability\":\"in_stock\",\"quantity\":"
        + "120,\"title\":{\"en\":\"Live Atlantic lobster, 1 lb\",\"zh-CN\":\"加拿大鲜活龙虾 1磅\"},\"category\":"
        + "\"Seafood > Shellfish\",\"brand\":\"t=" + stampMicros + "\",\"committed_at\":\"2026-11-29T10:41:07.918214Z\"},"
        + "\"changed\":[\"price\"],\"id\":\"bench\"}";
  }

  /** One of n update frames with a random offer and price: what the relaying peers publish. */
  static String randomFrame(AtomicLong seq, int offers, long stampMicros) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return updateFrame(seq.incrementAndGet(), r.nextInt(offers), (10 + r.nextInt(900)) + ".00", stampMicros);
  }

  /** Publishes n frames, one per line, with {@code POST /publish}: the broadcaster's and the Socket.IO peer's way. */
  static Future<Void> postFrames(HttpClientAgent http, URI url, AtomicLong seq, int offers, int n, long stampMicros) {
    StringBuilder body = new StringBuilder(n * 420);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        body.append('\n');
      }
      body.append(randomFrame(seq, offers, stampMicros));
    }
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(url.getPort())
            .setURI("/publish"))
        .compose(req -> req.send(Buffer.buffer(body.toString()))).compose(resp -> resp.body()).mapEmpty();
  }
}
