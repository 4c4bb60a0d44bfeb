package io.pricewire.feed;

import io.vertx.core.Future;

/** The transport under a feed connection: a WebSocket, or a Server-Sent Events response. */
interface FeedChannel {

  /** "websocket" or "sse", for metrics. */
  String transport();

  /**
   * Writes one server frame: JSON, as UTF-8.
   *
   * @param resumeSeq the seq (of the hub's epoch) a client may resume from after this frame, or -1
   *     when the frame is not a safe resume point (SSE sends it as the event id)
   */
  Future<Void> write(byte[] frame, long resumeSeq);

  /** True while the client is not taking data as fast as it is written. */
  boolean writeQueueFull();

  void drainHandler(Runnable onDrain);

  void closeHandler(Runnable onClose);

  /** Keeps the connection alive through proxies, and probes the client where it can answer. */
  void ping();

  /** True when the client answers pings, so silence means it is gone. */
  boolean answersPings();

  void close(short code, String reason);
}
