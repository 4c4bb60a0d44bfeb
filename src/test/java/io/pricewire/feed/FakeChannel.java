package io.pricewire.feed;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport the test controls: it decides how much the client takes before the write queue is
 * full, when the client reads it, and when and how the connection closes. It behaves like a
 * Vert.x WebSocket where that matters: once the client's close frame is read, it says closed at
 * once, its close event comes later, and asking whether the queue is full then throws.
 */
final class FakeChannel implements FeedChannel {

  /** One frame the gateway wrote, with the resume point it gave the transport. */
  record Written(JsonObject frame, long resumeSeq) {
    String type() {
      return frame.getString("type");
    }
  }

  private final String transport;
  private Listener listener;
  private final List<Written> written = new ArrayList<>();
  private int taken;
  /** Bytes the client's side takes before the queue counts as full; unlimited by default. */
  private long capacity = Long.MAX_VALUE;
  private long queuedBytes;
  private boolean closing;
  private Short closeCode;
  private boolean readingPaused;
  private int pings;
  /** Set to make the next writes fail, as a bug in the transport layer would. */
  RuntimeException failWrites;

  FakeChannel() {
    this("websocket");
  }

  FakeChannel(String transport) {
    this.transport = transport;
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public void start(Listener listener) {
    this.listener = listener;
  }

  @Override
  public int write(Frame frame, long resumeSeq) {
    if (closing) {
      throw new AssertionError("the gateway wrote to a closed connection: " + frame);
    }
    if (failWrites != null) {
      throw failWrites;
    }
    written.add(new Written(new JsonObject(frame.toString()), resumeSeq));
    queuedBytes += frame.length();
    return frame.length();
  }

  @Override
  public boolean writeQueueFull() {
    if (closing) {
      throw new IllegalStateException("WebSocket is closed");
    }
    return queuedBytes >= capacity;
  }

  @Override
  public boolean isClosed() {
    return closing;
  }

  @Override
  public void pauseReading() {
    readingPaused = true;
  }

  @Override
  public void resumeReading() {
    readingPaused = false;
  }

  @Override
  public void ping() {
    if (closing) {
      throw new IllegalStateException("WebSocket is closed");
    }
    pings++;
    queuedBytes += 2;
  }

  @Override
  public boolean answersPings() {
    return transport.equals("websocket");
  }

  @Override
  public void close(short code, String reason) {
    if (!closing) {
      closing = true;
      closeCode = code;
    }
  }

  // ---- what the test does as the client ----

  /** The client takes at most this many bytes before the queue is full (from now, counting what is queued). */
  FakeChannel capacity(long bytes) {
    this.capacity = bytes;
    return this;
  }

  /** The client reads everything queued; the transport reports the drain if the queue was full. */
  void drain() {
    boolean wasFull = queuedBytes >= capacity;
    queuedBytes = 0;
    if (wasFull && !closing) {
      listener.onDrain();
    }
  }

  /** The client stops taking data altogether. */
  FakeChannel stall() {
    return capacity(0);
  }

  /** The client takes data again without limit, and reads what is queued. */
  void unstall() {
    capacity = Long.MAX_VALUE;
    queuedBytes = 0;
    if (!closing) {
      listener.onDrain();
    }
  }

  void send(JsonObject frame) {
    listener.onText(frame.encode());
  }

  void pong() {
    listener.onHeard();
  }

  /** The client's close frame was read: the transport says closed, its close event has not come yet. */
  void closeFrameArrives() {
    closing = true;
  }

  /** The transport's close event. */
  void closedEvent() {
    closing = true;
    listener.onClosed();
  }

  // ---- what the test checks ----

  /** Frames written since the last call. */
  List<Written> take() {
    List<Written> out = new ArrayList<>(written.subList(taken, written.size()));
    taken = written.size();
    return out;
  }

  List<Written> all() {
    return List.copyOf(written);
  }

  Short closeCode() {
    return closeCode;
  }

  boolean readingPaused() {
    return readingPaused;
  }

  int pings() {
    return pings;
  }

  long queuedBytes() {
    return queuedBytes;
  }
}
