package io.pricewire;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pricewire.cli.WatchCommand;
import io.pricewire.cluster.ClusterNode;
import io.pricewire.config.Settings;
import io.pricewire.config.SettingsException;
import io.pricewire.ops.LogNode;
import java.time.Clock;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code pricewire} command: runs the gateway, or one of its tools. */
@Command(name = "pricewire", mixinStandardHelpOptions = true, version = "pricewire 0.1.0",
    description = {"Real-time product feed gateway: supplier ingest, ordered change log, live WebSocket feed.",
        "Without a subcommand, runs the gateway. Settings come from conf/pricewire.properties and PRICEWIRE_* "
            + "environment variables (see the README)."},
    subcommands = {WatchCommand.class, io.pricewire.cli.CredentialsCommand.class,
        io.pricewire.bench.BenchCommand.class})
public final class Main implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(names = "--demo", description = "Seed a demo catalog and run a simulated supplier (PRICEWIRE_DEMO=true).")
  boolean demo;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file of PRICEWIRE_* settings, read "
      + "after conf/pricewire.properties and before the environment (PRICEWIRE_CONFIG).")
  String config;

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    Map<String, String> overrides = new HashMap<>();
    if (demo) {
      overrides.put("PRICEWIRE_DEMO", "true");
    }
    if (config != null) {
      overrides.put("PRICEWIRE_CONFIG", config);
    }
    Settings settings;
    try {
      settings = Gateway.loadSettings(overrides);
    } catch (SettingsException e) {
      log.error("Cannot start: {}", e.getMessage());
      return 2;
    }
    Settings.Cluster clustering = settings.cluster();
    if (clustering.enabled() || System.getenv("PRICEWIRE_NODE_NAME") != null) {
      LogNode.name(clustering.node());
    }
    PrometheusMeterRegistry registry = Gateway.newRegistry();
    ClusterNode cluster = clustering.enabled() ? new ClusterNode(clustering) : null;
    Vertx vertx;
    try {
      vertx = cluster == null ? Gateway.newVertx(registry) : Gateway.newClusteredVertx(registry, cluster).await();
    } catch (RuntimeException e) {
      log.error("Cannot join cluster {} at {}:{}: {}", clustering.name(), clustering.host(), clustering.port(),
          e.getMessage(), e);
      return 1;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, registry, settings, Clock.systemUTC(), cluster).await();
    } catch (SettingsException e) {
      log.error("Cannot start: {}", e.getMessage());
      vertx.close();
      return 2;
    } catch (RuntimeException e) {
      log.error("Cannot start: {}", e.getMessage(), e);
      vertx.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down");
      try {
        long timeout = gateway.settings().shutdownTimeoutMs();
        gateway.stop().await(timeout + 1000, TimeUnit.MILLISECONDS);
        vertx.close().await(5, TimeUnit.SECONDS);
        log.info("Stopped");
      } catch (Exception e) {
        log.warn("Shutdown did not finish cleanly: {}", e.toString());
      }
    }, "pricewire-shutdown"));
    return 0;
  }
}
