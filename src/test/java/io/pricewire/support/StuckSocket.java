package io.pricewire.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A feed client that sends one text frame (a subscribe) and then never reads again: a storefront
 * whose link stalled. A plain socket with a small receive buffer, so what the gateway writes
 * piles up in the kernel and in the gateway, never in this JVM's heap.
 */
public final class StuckSocket implements AutoCloseable {

  private final Socket socket;

  private StuckSocket(Socket socket) {
    this.socket = socket;
  }

  public static StuckSocket open(int port, String text) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(2048);
    socket.setSoTimeout(10_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    OutputStream out = socket.getOutputStream();
    out.write(("GET /v1/feed HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    String head = RawHttp.readHead(socket.getInputStream());
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("the gateway refused the WebSocket upgrade: " + head);
    }
    out.write(maskedText(text.getBytes(StandardCharsets.UTF_8)));
    out.flush();
    return new StuckSocket(socket);
  }

  /** A client-to-server text frame: FIN, opcode 1, masked as RFC 6455 requires of clients. */
  private static byte[] maskedText(byte[] payload) {
    if (payload.length > 0xFFFF) {
      throw new IllegalArgumentException("frame too long for this client");
    }
    int header = payload.length < 126 ? 2 : 4;
    byte[] frame = new byte[header + 4 + payload.length];
    frame[0] = (byte) 0x81;
    if (payload.length < 126) {
      frame[1] = (byte) (0x80 | payload.length);
    } else {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (payload.length >> 8);
      frame[3] = (byte) payload.length;
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, frame, header, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return frame;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
