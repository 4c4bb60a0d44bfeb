package io.pricewire.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * NATS with its WebSocket listener: subscribers speak the NATS client protocol over WebSocket
 * (SUB, then MSG deliveries), the publisher publishes the same payloads over NATS's TCP port.
 */
final class NatsTarget implements FanoutTarget {

  private static final String SUBJECT = "bench.fanout";

  private final Vertx publisherVertx;
  private final URI wsUrl;
  private final URI tcpUrl;
  private final int offers;
  private final WebSocketClient ws;
  private final AtomicLong seq = new AtomicLong();
  private final java.util.Queue<Promise<Void>> awaitingPong = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private io.vertx.core.net.NetClient tcp;
  private NetSocket publisher;

  NatsTarget(Vertx vertx, Vertx publisher, URI wsUrl, URI tcpUrl, int offers, int subscribers, boolean compress) {
    this.publisherVertx = publisher;
    this.wsUrl = wsUrl;
    this.tcpUrl = tcpUrl;
    this.offers = offers;
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(subscribers + 16)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24).setTryUsePerMessageCompression(compress)
        // NATS answers an offer of permessage-deflate with no context takeover on both sides, which
        // browsers accept; Vert.x's client only when told to.
        .setCompressionAllowClientNoContext(true).setCompressionRequestServerNoContext(true));
  }

  @Override
  public String name() {
    return "NATS (WebSocket)";
  }

  @Override
  public Future<Void> prepare() {
    // Held in a field: a client nobody references is closed, with its connections, once collected.
    tcp = publisherVertx.createNetClient();
    return tcp.connect(tcpUrl.getPort(), tcpUrl.getHost()).compose(socket -> {
      publisher = socket;
      socket.closeHandler(v -> System.out.println("NATS publisher connection closed"));
      socket.handler(RecordParser.newDelimited("\r\n", line -> {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        if (text.equals("PING")) {
          socket.write("PONG\r\n");
        } else if (text.equals("PONG")) {
          Promise<Void> accepted = awaitingPong.poll();
          if (accepted != null) {
            accepted.tryComplete();
          }
        } else if (text.startsWith("-ERR")) {
          System.out.println("NATS publisher: " + text);
        }
      }));
      return socket.write("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
    });
  }

  @Override
  public Future<AutoCloseable> subscribe(int index, Consumer<Buffer> received) {
    return ws.connect(new WebSocketConnectOptions().setHost(wsUrl.getHost()).setPort(wsUrl.getPort()).setURI("/")
        .setAllowOriginHeader(false)).compose(socket -> {
          ClientInflate.install(socket);
          Promise<AutoCloseable> ready = Promise.promise();
          Protocol p = new Protocol(socket, received, () -> ready.tryComplete(socket::close));
          socket.handler(p::feed);
          return ready.future();
        });
  }

  /** A streaming reader of the NATS protocol as it arrives over WebSocket frames. */
  private static final class Protocol {
    private final WebSocket socket;
    private final Consumer<Buffer> received;
    private final Runnable ready;
    private Buffer pending = Buffer.buffer();
    private int payloadLength = -1;
    private boolean connected;

    Protocol(WebSocket socket, Consumer<Buffer> received, Runnable ready) {
      this.socket = socket;
      this.received = received;
      this.ready = ready;
    }

    void feed(Buffer data) {
      pending = pending.length() == 0 ? data : pending.appendBuffer(data);
      int pos = 0;
      while (true) {
        if (payloadLength >= 0) {
          if (pending.length() - pos < payloadLength + 2) {
            break;
          }
          received.accept(pending.getBuffer(pos, pos + payloadLength));
          pos += payloadLength + 2;
          payloadLength = -1;
          continue;
        }
        int eol = indexOfCrLf(pending, pos);
        if (eol < 0) {
          break;
        }
        String line = pending.getString(pos, eol, "ISO-8859-1");
        pos = eol + 2;
        if (line.startsWith("MSG ")) {
          payloadLength = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.startsWith("PING")) {
          socket.writeBinaryMessage(Buffer.buffer("PONG\r\n"));
        } else if (line.startsWith("PONG")) {
          ready.run();
        } else if (line.startsWith("INFO") && !connected) {
          connected = true;
          socket.writeBinaryMessage(Buffer.buffer("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB " + SUBJECT
              + " 1\r\nPING\r\n"));
        }
      }
      pending = pos >= pending.length() ? Buffer.buffer() : pending.getBuffer(pos, pending.length());
    }

    private static int indexOfCrLf(Buffer b, int from) {
      for (int i = from; i + 1 < b.length(); i++) {
        if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  @Override
  public Future<Void> publish(int n, long stampMicros) {
    Buffer out = Buffer.buffer(n * 440);
    for (int i = 0; i < n; i++) {
      byte[] payload = FanoutTarget.randomFrame(seq, offers, stampMicros).getBytes(StandardCharsets.UTF_8);
      out.appendString("PUB " + SUBJECT + " " + payload.length + "\r\n").appendBytes(payload).appendString("\r\n");
    }
    // A PING after the messages: its PONG means the server has taken them all, as a 200 does elsewhere.
    out.appendString("PING\r\n");
    Promise<Void> accepted = Promise.promise();
    awaitingPong.add(accepted);
    publisher.write(out);
    return accepted.future();
  }
}
