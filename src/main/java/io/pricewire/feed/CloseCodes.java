package io.pricewire.feed;

/**
 * WebSocket close codes the feed uses. Codes 4000-4099 all mean "reconnect and resume with
 * since = the last epoch and seq you received": nothing is lost, because resume is by state.
 */
public final class CloseCodes {

  private CloseCodes() {
  }

  /** Seconds the gateway waits, after sending its close frame, for the client's before it drops the connection. */
  public static final int CLOSING_TIMEOUT_SECONDS = 5;

  /** The gateway is shutting down; resume on another node or after restart. */
  public static final short GOING_AWAY = 1001;
  /** The client sent a binary frame; the feed speaks JSON text. */
  public static final short UNSUPPORTED_DATA = 1003;
  /** A frame was larger than PRICEWIRE_FEED_MAX_FRAME_BYTES. */
  public static final short MESSAGE_TOO_BIG = 1009;
  /** Serving this connection failed inside the gateway (counted as a fault); reconnect and resume. */
  public static final short INTERNAL_ERROR = 1011;
  /** The node could not guarantee the stream (a gap in the log, or a new log); resume. */
  public static final short RESUME = 4000;
  /** The client answered no ping within PRICEWIRE_FEED_PING_TIMEOUT_MS. */
  public static final short HEARTBEAT_TIMEOUT = 4001;
  /** The client took no data for PRICEWIRE_FEED_SLOW_TIMEOUT_MS; resume. */
  public static final short SLOW_CONSUMER = 4002;
  /** The storefront token expired; reconnect with a fresh token, then resume. */
  public static final short TOKEN_EXPIRED = 4401;
}
