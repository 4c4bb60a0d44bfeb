package io.pricewire.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.pricewire.config.Settings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast configuration of a node: the Vert.x default (its maps and multimap for event-bus
 * subscriptions) with the join made explicit. Multicast and auto-detection are off; members are
 * found at the listed addresses (TCP/IP join), or through the DNS records of a headless
 * Kubernetes service. Nothing is sent to the vendor (phone home off).
 */
final class HazelcastSetup {

  private HazelcastSetup() {
  }

  static final String PHONE_HOME = "hazelcast.phone.home.enabled";

  static Config config(Settings.Cluster cluster) {
    // Read by Hazelcast before any configuration is: set for the whole process.
    System.setProperty(PHONE_HOME, "false");
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setInstanceName("pricewire-" + cluster.node());
    config.setProperty(PHONE_HOME, "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // The gateway's own shutdown hook stops Vert.x, which leaves the cluster in order.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    long failureSeconds = Math.max(2, (cluster.failureTimeoutMs() + 999) / 1000);
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(failureSeconds));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(Math.max(1, failureSeconds / 5)));
    // A node paused or cut off longer than that comes back through a split-brain merge.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Long.toString(Math.max(5, failureSeconds)));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Long.toString(Math.max(5, failureSeconds)));
    // A first node whose listed peers are all down forms the cluster alone after this long.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.socket.bind.any", "false");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.setPublicAddress(cluster.host() + ":" + cluster.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetesService() != null) {
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.kubernetesService())
          .setProperty("service-port", Integer.toString(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true)
          .setConnectionTimeoutSeconds(Math.max(1, (int) Math.min(10, failureSeconds / 2)));
      for (String member : cluster.members()) {
        join.getTcpIpConfig().addMember(member);
      }
      // Listing itself too is harmless, so one list serves every node.
      join.getTcpIpConfig().addMember(cluster.host() + ":" + cluster.port());
    }
    return config;
  }
}
