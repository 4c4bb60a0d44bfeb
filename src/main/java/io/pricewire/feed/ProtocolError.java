package io.pricewire.feed;

/**
 * A client frame that cannot be acted on. The connection stays open; the client gets an
 * {@code error} frame naming the code and, where they could be read, the request's op and id.
 */
public final class ProtocolError extends Exception {

  private final String code;
  private final String op;
  private final String id;

  public ProtocolError(String code, String message, String op, String id) {
    super(message, null, false, false);
    this.code = code;
    this.op = op;
    this.id = id;
  }

  public String code() {
    return code;
  }

  public String op() {
    return op;
  }

  public String id() {
    return id;
  }
}
