package io.pricewire.bench;

import picocli.CommandLine.Command;

/** {@code pricewire bench}: load generators that measure a running gateway and print figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure a running gateway. Start it first (for durable figures with PRICEWIRE_STORE=postgres),",
        "then run one of the workloads below from another terminal: the load runs in this separate process.",
        "cluster starts its own gateways (clustered mode, PostgreSQL) and stops them at the end.",
        "bench/compare.sh runs them all, with NATS and Socket.IO side by side, and writes bench/RESULTS.md."},
    subcommands = {FanoutBench.class, ClusterBench.class, IngestBench.class, ConnectionsBench.class, ResumeBench.class,
        RepriceBench.class, BroadcasterServer.class, ReportCommand.class, WireBench.class, DurabilityWriter.class})
public final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
