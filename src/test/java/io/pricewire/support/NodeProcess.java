package io.pricewire.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A gateway node as a separate JVM (the {@code pricewire} command from the test class path), for
 * tests of what only processes show: a SIGKILL, a SIGSTOP, a restart, a cluster of several.
 * Its output goes to a log file that a failing test prints the end of.
 */
public final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final String name;
  public final int httpPort;
  public final int opsPort;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  public NodeProcess(String name, Map<String, String> env, Path logDir) {
    this.name = name;
    this.httpPort = Integer.parseInt(env.get("PRICEWIRE_HTTP_PORT"));
    this.opsPort = Integer.parseInt(env.get("PRICEWIRE_OPS_PORT"));
    this.env = new TreeMap<>(env);
    this.log = logDir.resolve(name + ".log");
  }

  /** A free TCP port on 127.0.0.1 now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the JVM (again, after a stop); does not wait for it to be ready. */
  public NodeProcess start() {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-cp", System.getProperty("java.class.path"), "io.pricewire.Main"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("PRICEWIRE_"));
    pb.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "---- start " + name + "\n", java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits until /health/ready answers 200, failing with the log's end after the deadline. */
  public NodeProcess awaitReady(Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + "; its log:\n" + tail(60));
      }
      if (ready()) {
        return this;
      }
      sleep(200);
    }
    throw new AssertionError(name + " was not ready within " + deadline + "; its log:\n" + tail(60));
  }

  /** True when /health/ready answers 200 now. */
  public boolean ready() {
    String body = get("/health/ready");
    return body != null && body.contains("\"outcome\":\"UP\"");
  }

  /** The body of a GET on the ops port, or null when it does not answer 200. */
  public String get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + path))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** A metric's value from /metrics (the first series of that name), or NaN. */
  public double metric(String name) {
    String body = get("/metrics");
    if (body == null) {
      return Double.NaN;
    }
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown of any kind. */
  public void kill() {
    process.destroyForcibly();
    waitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM, then waits for the orderly shutdown to end. */
  public void terminate() {
    process.destroy();
    waitExit(Duration.ofSeconds(60));
  }

  /** SIGSTOP: the process stops on the spot, its sockets stay open. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void waitExit(Duration d) {
    try {
      if (!process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines of the node's log. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The whole log, for counting what a node said. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      resume();
      process.destroyForcibly();
      waitExit(Duration.ofSeconds(30));
    }
  }
}
