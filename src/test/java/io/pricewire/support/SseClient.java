package io.pricewire.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A real Server-Sent Events client for tests: the JDK's HTTP client, its body read by a thread of
 * its own from the first byte (nothing can arrive before a handler is there), parsed into events
 * with their ids. {@link #pause} stops reading, as a busy browser tab would.
 */
public final class SseClient implements AutoCloseable {

  /** One event: its id (null when the event has none) and its JSON data. */
  public record Event(String id, JsonObject data) {
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<String> comments = new ArrayList<>();
  private final Object flow = new Object();
  private boolean paused;
  private volatile boolean ended;

  private SseClient(HttpResponse<InputStream> response, BiConsumer<String, JsonObject> onEvent, Runnable onEnd) {
    this.response = response;
    Thread reader = new Thread(() -> read(onEvent, onEnd), "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** @param vertx unused; kept so that tests read alike for every client */
  public static SseClient connect(Vertx vertx, int port, String query, String lastEventId) {
    return open(port, query, lastEventId, null, null);
  }

  /**
   * Opens a stream whose events go to {@code onEvent} (on the reader thread) instead of the
   * queue; {@code onEnd} runs once when the stream ends, from either side.
   */
  public static SseClient open(int port, String query, String lastEventId, BiConsumer<String, JsonObject> onEvent,
      Runnable onEnd) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/feed/sse?"
        + query)).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    try {
      return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()), onEvent, onEnd);
    } catch (IOException e) {
      throw new IllegalStateException("the event stream could not be opened: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int statusCode() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  private void read(BiConsumer<String, JsonObject> onEvent, Runnable onEnd) {
    Events parser = new Events();
    byte[] chunk = new byte[8192];
    try (InputStream body = response.body()) {
      while (true) {
        synchronized (flow) {
          while (paused) {
            flow.wait();
          }
        }
        int n = body.read(chunk);
        if (n < 0) {
          break;
        }
        parser.feed(Buffer.buffer().appendBytes(chunk, 0, n), (id, json) -> {
          if (onEvent != null) {
            onEvent.accept(id, json);
          } else {
            events.add(new Event(id, json));
          }
        }, c -> {
          synchronized (comments) {
            comments.add(c);
          }
        });
      }
    } catch (IOException | InterruptedException e) {
      // closed from either side
    } finally {
      ended = true;
      if (onEnd != null) {
        onEnd.run();
      }
    }
  }

  /**
   * Splits an event stream into events as its bytes arrive. Blocks end at a blank line, and are
   * decoded only once whole: a chunk may end inside a character.
   */
  public static final class Events {
    private Buffer pending = Buffer.buffer();

    /** Feeds bytes; calls {@code event} with each whole event's id (or null) and data, {@code comment} per comment. */
    public void feed(Buffer data, BiConsumer<String, JsonObject> event, Consumer<String> comment) {
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

  public List<String> comments() {
    synchronized (comments) {
      return new ArrayList<>(comments);
    }
  }

  /** Stops reading the stream (its bytes wait in the socket), until {@link #resume}. */
  public void pause() {
    synchronized (flow) {
      paused = true;
    }
  }

  public void resume() {
    synchronized (flow) {
      paused = false;
      flow.notifyAll();
    }
  }

  @Override
  public void close() {
    resume();
    try {
      response.body().close();
    } catch (IOException e) {
      // closed already
    }
  }
}
