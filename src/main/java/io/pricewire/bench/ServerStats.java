package io.pricewire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a server process, read from /proc. */
final class ServerStats {

  private final long pid;

  ServerStats(long pid) {
    this.pid = pid;
  }

  /** CPU seconds (user + system) the process used so far, or NaN. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Resident set size in bytes, or -1. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  /** CPU time used so far by this process (all its threads), in nanoseconds. */
  static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * The gateway's heap in use, from its metrics: after two full GCs when its pid is known, so
   * that what is measured is what stays.
   */
  static long heapInUse(Long pid, io.vertx.core.http.HttpClientAgent http, java.net.URI opsUrl) throws Exception {
    if (pid != null) {
      for (int i = 0; i < 2; i++) {
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
      }
      Thread.sleep(500);
    }
    String metrics = http.request(new io.vertx.core.http.RequestOptions()
            .setAbsoluteURI(opsUrl.resolve("/metrics").toString()))
        .compose(r -> r.send()).compose(r -> r.body()).map(io.vertx.core.buffer.Buffer::toString).await();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\"[^\\n]* (\\S+)$",
        java.util.regex.Pattern.MULTILINE).matcher(metrics);
    long heap = 0;
    while (m.find()) {
      heap += (long) Double.parseDouble(m.group(1));
    }
    return heap;
  }

  /**
   * CPU seconds used so far by every process here whose name ({@code /proc/<pid>/comm}) is
   * {@code name}, such as the database server's; NaN when none runs here.
   */
  static double cpuSecondsOfProcessesNamed(String name) {
    double total = 0;
    boolean any = false;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readString(p.resolve("comm")).trim().equals(name)) {
            double cpu = new ServerStats(Long.parseLong(pid)).cpuSeconds();
            if (!Double.isNaN(cpu)) {
              total += cpu;
              any = true;
            }
          }
        } catch (IOException | RuntimeException e) {
          // the process ended
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return any ? total : Double.NaN;
  }
}
