package io.pricewire.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.pricewire.config.Settings;
import io.pricewire.config.SettingsLoader;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration a node starts with, from its settings: the join, the timings, no phone home. */
class HazelcastSetupTest {

  private static Settings.Cluster cluster(String... pairs) {
    JsonObject raw = new JsonObject(new java.util.HashMap<>(SettingsLoader.defaults()));
    raw.put("PRICEWIRE_STORE", "postgres").put("PRICEWIRE_CLUSTER", "hazelcast");
    for (int i = 0; i < pairs.length; i += 2) {
      raw.put(pairs[i], pairs[i + 1]);
    }
    return SettingsLoader.map(raw).cluster();
  }

  @Test
  void tcpJoinWithTheListedMembers() {
    Settings.Cluster c = cluster("PRICEWIRE_CLUSTER_HOST", "10.0.0.5", "PRICEWIRE_CLUSTER_PORT", "5801",
        "PRICEWIRE_CLUSTER_MEMBERS", "10.0.0.6:5801, 10.0.0.7:5801", "PRICEWIRE_CLUSTER_NAME", "shop-eu",
        "PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS", "10000");
    Config config = HazelcastSetup.config(c);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.6:5801", "10.0.0.7:5801", "10.0.0.5:5801");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("10.0.0.5:5801");
    assertThat(config.getClusterName()).isEqualTo("shop-eu");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(System.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("2");
    // Vert.x's own structures stay as its default configuration has them.
    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(c.node()).isEqualTo("10.0.0.5:5801");
  }

  @Test
  void kubernetesDnsDiscovery() {
    Settings.Cluster c = cluster("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE", "pricewire-cluster.shop.svc.cluster.local",
        "PRICEWIRE_NODE_NAME", "pricewire-2");
    JoinConfig join = HazelcastSetup.config(c).getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("pricewire-cluster.shop.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(c.node()).isEqualTo("pricewire-2");
  }

  @Test
  void clusteringNeedsPostgresAndAWayToFindMembers() {
    JsonObject raw = new JsonObject(new java.util.HashMap<>(SettingsLoader.defaults()));
    raw.put("PRICEWIRE_CLUSTER", "hazelcast");
    try {
      SettingsLoader.map(raw);
      throw new AssertionError("accepted clustering on the memory store without members");
    } catch (io.pricewire.config.SettingsException e) {
      assertThat(e.getMessage()).contains("PRICEWIRE_CLUSTER=hazelcast needs PRICEWIRE_STORE=postgres")
          .contains("PRICEWIRE_CLUSTER_MEMBERS");
    }
    raw.put("PRICEWIRE_CLUSTER", "zookeeper");
    try {
      SettingsLoader.map(raw);
      throw new AssertionError("accepted an unknown cluster manager");
    } catch (io.pricewire.config.SettingsException e) {
      assertThat(e.getMessage()).contains("PRICEWIRE_CLUSTER=\"zookeeper\" is not valid: expected off or hazelcast");
    }
    assertThat(List.of(SettingsLoader.knownKeys().toArray())).contains("PRICEWIRE_CLUSTER_BUS_PORT", "PRICEWIRE_NODE_NAME");
  }
}
