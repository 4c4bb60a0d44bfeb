package io.pricewire.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading HTTP/1.1 answers off a plain socket, for tests that need the bytes on the wire. */
public final class RawHttp {

  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

  private RawHttp() {
  }

  /** The status line and headers, up to and with the empty line. */
  public static String readHead(InputStream in) throws IOException {
    return readUntil(in, "\r\n\r\n");
  }

  /** The body after {@code head}, sized by Content-Length or sent in chunks. */
  public static String readBody(InputStream in, String head) throws IOException {
    Matcher length = CONTENT_LENGTH.matcher(head);
    if (length.find()) {
      return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }
    if (!head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      throw new IOException("an answer with neither Content-Length nor chunks: " + head);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(readUntil(in, "\r\n").trim(), 16);
      body.write(in.readNBytes(size));
      readUntil(in, "\r\n");
      if (size == 0) {
        return body.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder read = new StringBuilder();
    while (!read.toString().endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the gateway closed the connection; read so far: " + read);
      }
      read.append((char) b);
    }
    return read.toString();
  }
}
