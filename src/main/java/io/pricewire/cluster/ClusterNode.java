package io.pricewire.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.pricewire.config.Settings;
import io.pricewire.ledger.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway node of a cluster: the Vert.x cluster manager on Hazelcast, the clustered event
 * bus bound to the cluster address, and what the rest of the gateway asks of them (membership,
 * the peers its ledger talks to).
 */
public final class ClusterNode implements Membership {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  private final Settings.Cluster settings;
  private final HazelcastClusterManager manager;

  public ClusterNode(Settings.Cluster settings) {
    this.settings = settings;
    this.manager = new HazelcastClusterManager(HazelcastSetup.config(settings));
  }

  public HazelcastClusterManager manager() {
    return manager;
  }

  /** The event bus options of a clustered node: bound to and announced at the cluster host. */
  public VertxOptions configure(VertxOptions options) {
    EventBusOptions bus = options.getEventBusOptions();
    bus.setHost(settings.host()).setPort(settings.busPort()).setClusterPublicHost(settings.host());
    return options;
  }

  /** Logs members that join and leave; called once the node has joined. */
  public void joined(Vertx vertx) {
    HazelcastInstance hz = manager.getHazelcastInstance();
    log.info("Node {} joined cluster {} ({} member(s): {})", settings.node(), settings.name(), members(),
        hz.getCluster().getMembers());
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        log.info("Cluster member joined: {} ({} member(s))", e.getMember().getAddress(), e.getMembers().size());
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        log.warn("Cluster member left: {} ({} member(s))", e.getMember().getAddress(), e.getMembers().size());
      }
    });
    hz.getLifecycleService().addLifecycleListener(e -> log.info("Cluster state of this node: {}", e.getState()));
  }

  /** The peers the ledger shares commits with. */
  public Peers peers() {
    return new ClusterPeers(manager, settings);
  }

  @Override
  public String node() {
    return settings.node();
  }

  @Override
  public int members() {
    if (!joined()) {
      return 0;
    }
    try {
      return manager.getHazelcastInstance().getCluster().getMembers().size();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public boolean joined() {
    try {
      return manager.isActive() && manager.getHazelcastInstance().getLifecycleService().isRunning();
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean clustered() {
    return true;
  }
}
