package io.pricewire.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real Server-Sent Events client for tests: parses the stream into events with their ids. */
public final class SseClient implements AutoCloseable {

  /** One event: its id (null when the event has none) and its JSON data. */
  public record Event(String id, JsonObject data) {
  }

  private final HttpClientAgent client;
  public final HttpClientResponse response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<String> comments = new ArrayList<>();
  private final Events parser = new Events();
  private volatile boolean ended;

  private SseClient(HttpClientAgent client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
    response.handler(this::onData);
    response.endHandler(v -> ended = true);
    response.exceptionHandler(e -> ended = true);
  }

  public static SseClient connect(Vertx vertx, int port, String query, String lastEventId) {
    HttpClientAgent client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/feed/sse?" + query).putHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    // Handlers are set as the response arrives, on its event loop, so no early event is missed.
    return client.request(options).compose(r -> r.send()).map(response -> new SseClient(client, response)).await();
  }

  private synchronized void onData(Buffer data) {
    parser.feed(data, (id, json) -> events.add(new Event(id, json)), comments::add);
  }

  /**
   * Splits an event stream into events as its bytes arrive. Blocks end at a blank line, and are
   * decoded only once whole: a chunk may end inside a character.
   */
  public static final class Events {
    private Buffer pending = Buffer.buffer();

    /** Feeds bytes; calls {@code event} with each whole event's id (or null) and data, {@code comment} per comment. */
    public void feed(Buffer data, java.util.function.BiConsumer<String, JsonObject> event,
        java.util.function.Consumer<String> comment) {
      pending.appendBuffer(data);
      int start = 0;
      int end;
      while ((end = indexOfBlankLine(pending, start)) >= 0) {
        String block = pending.getString(start, end, "UTF-8");
        start = end + 2;
        String id = null;
        StringBuilder json = new StringBuilder();
        for (String line : block.split("\n")) {
          if (line.startsWith(":")) {
            comment.accept(line);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            json.append(line.substring(6));
          }
        }
        if (json.length() > 0) {
          event.accept(id, new JsonObject(json.toString()));
        }
      }
      if (start > 0) {
        pending = pending.getBuffer(start, pending.length());
      }
    }

    private static int indexOfBlankLine(Buffer b, int from) {
      for (int i = from; i + 1 < b.length(); i++) {
        if (b.getByte(i) == '\n' && b.getByte(i + 1) == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  public Event next() {
    try {
      Event e = events.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no event within 10 s (stream ended: " + ended + ")");
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public Event poll(long ms) {
    try {
      return events.poll(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public synchronized List<String> comments() {
    return new ArrayList<>(comments);
  }

  @Override
  public void close() {
    response.request().connection().close();
    client.close();
  }
}
