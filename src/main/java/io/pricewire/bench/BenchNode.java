package io.pricewire.bench;

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
 * A gateway node the bench starts itself, as a separate JVM from a jar ({@code java -jar}), with
 * its settings in the environment and its output in a log file: for the benches that need
 * several nodes (clustered mode), or that stop one (SIGSTOP) to see what it costs to catch up.
 */
final class BenchNode implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1).build();

  final String name;
  final int httpPort;
  final int opsPort;
  private final Map<String, String> env;
  private final List<String> jvm;
  private final Path jar;
  private final Path log;
  private Process process;
  private volatile boolean paused;

  /**
   * @param env the node's PRICEWIRE_* settings; PRICEWIRE_HTTP_PORT and PRICEWIRE_OPS_PORT must be set
   * @param jvm options for the JVM, such as {@code -Xmx256m}
   */
  BenchNode(String name, Map<String, String> env, List<String> jvm, Path jar, Path log) {
    this.name = name;
    this.httpPort = Integer.parseInt(env.get("PRICEWIRE_HTTP_PORT"));
    this.opsPort = Integer.parseInt(env.get("PRICEWIRE_OPS_PORT"));
    this.env = new TreeMap<>(env);
    this.jvm = List.copyOf(jvm);
    this.jar = jar;
    this.log = log;
  }

  /** A free TCP port on 127.0.0.1 now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  URI opsUrl() {
    return URI.create("http://127.0.0.1:" + opsPort);
  }

  /** Starts the JVM; does not wait for it to be ready. */
  BenchNode start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm);
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Only the settings given: a PRICEWIRE_* variable of this shell must not change the run.
    pb.environment().keySet().removeIf(k -> k.startsWith("PRICEWIRE_"));
    pb.environment().putAll(env);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Files.writeString(log, "---- start " + name + "\n", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    process = pb.start();
    return this;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** True when /health/ready answers 200 now. */
  boolean ready() {
    String body = get("/health/ready");
    return body != null && body.contains("\"outcome\":\"UP\"");
  }

  /** Waits until the node is ready and sees this many members (itself included). */
  void awaitClustered(int members, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!alive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
      }
      if (ready() && metrics().value("pricewire_cluster_members") == members) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " was not ready in a cluster of " + members + " within " + deadline
        + "; see " + log);
  }

  /** Its metrics now; empty when it does not answer within 5 s. */
  Scrape metrics() {
    String body = get("/metrics");
    return new Scrape(body == null ? "" : body);
  }

  /** The body of a GET on the ops port, or null when it does not answer 200. */
  String get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(opsUrl().resolve(path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** SIGSTOP: the process stops on the spot, its sockets stay open. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
    paused = false;
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /** SIGTERM, then waits for the orderly shutdown; true when it ended by itself within the time. */
  boolean terminate(Duration deadline) throws InterruptedException {
    if (!alive()) {
      return true;
    }
    process.destroy();
    if (process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly().waitFor();
    return false;
  }

  /** Ends the process whatever its state (a paused one is continued first, so that it can die). */
  @Override
  public void close() {
    if (alive()) {
      try {
        if (paused) {
          resume();
        }
      } catch (IOException | InterruptedException e) {
        // killed anyway
      }
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One scrape of /metrics, read by series name. */
  static final class Scrape {

    private final String text;

    Scrape(String text) {
      this.text = text;
    }

    boolean empty() {
      return text.isEmpty();
    }

    /** The sum of every series of that name (any labels), or NaN when there is none. */
    double value(String metric) {
      double total = 0;
      boolean any = false;
      for (String line : text.split("\n")) {
        if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          any = true;
        }
      }
      return any ? total : Double.NaN;
    }

    /** A histogram's cumulative buckets: upper bound in seconds to count, +Inf included. */
    TreeMap<Double, Double> buckets(String histogram) {
      TreeMap<Double, Double> out = new TreeMap<>();
      String prefix = histogram + "_bucket{le=\"";
      for (String line : text.split("\n")) {
        if (line.startsWith(prefix)) {
          String le = line.substring(prefix.length(), line.indexOf('"', prefix.length()));
          out.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
              Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
      }
      return out;
    }
  }
}
