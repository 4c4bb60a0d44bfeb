package io.pricewire.feed;

/**
 * The transport under a feed connection: a WebSocket, or a Server-Sent Events response. The seam
 * between the feed core and Vert.x: the core's unit tests put a channel here whose writability
 * and closing they control.
 */
interface FeedChannel {

  /** What the channel tells its connection. Called on the connection's event loop. */
  interface Listener {

    /** A text frame from the client. */
    void onText(String text);

    /** The client showed it is alive without sending a frame (a pong). */
    void onHeard();

    /** A frame the feed cannot take (binary, too large, malformed): close with this code. */
    void onRefused(short code, String reason);

    /** The client takes data again after {@link #writeQueueFull} was true. */
    void onDrain();

    /** The connection ended, from either side. */
    void onClosed();
  }

  /** "websocket" or "sse", for metrics. */
  String transport();

  /** Starts delivering the client's frames and the channel's events to the listener. */
  void start(Listener listener);

  /**
   * Writes one server frame. Only called while {@link #isClosed} is false.
   *
   * @param resumeSeq the seq (of the hub's epoch) a client may resume from after this frame, or -1
   *     when the frame is not a safe resume point (SSE sends it as the event id)
   * @return the bytes of the message as it goes on the wire (compressed, or the whole SSE event)
   */
  int write(Frame frame, long resumeSeq);

  /**
   * True while the client is not taking data as fast as it is written. Only called while
   * {@link #isClosed} is false: a transport may throw once the connection is closing.
   */
  boolean writeQueueFull();

  /**
   * True once the connection is closing or closed, from either side. The transport may say so
   * before its close event arrives (Vert.x does, as soon as the client's close frame is read).
   */
  boolean isClosed();

  /** Stops reading the client's frames (so that what it sends waits in its own buffers). */
  void pauseReading();

  void resumeReading();

  /** Keeps the connection alive through proxies, and probes the client where it can answer. */
  void ping();

  /** True when the client answers pings, so silence means it is gone. */
  boolean answersPings();

  void close(short code, String reason);
}
