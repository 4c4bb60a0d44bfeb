package io.pricewire.cluster;

import io.pricewire.changelog.ChangeBatch;
import io.pricewire.config.Settings;
import io.pricewire.ledger.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peers over the clustered event bus: each commit is published once to
 * {@link #ADDRESS}, which every node consumes. The bus keeps order per sender only and loses what
 * was in flight to a node that died; the ledger's {@link io.pricewire.ledger.LogOrder} and head
 * check make up for both from PostgreSQL.
 */
final class ClusterPeers implements Peers {

  private static final Logger log = LoggerFactory.getLogger(ClusterPeers.class);

  /** Where every node publishes its commits. */
  static final String ADDRESS = "pricewire.cluster.log";
  private static final String ORIGIN = "origin";

  private final HazelcastClusterManager manager;
  private final Settings.Cluster settings;
  private Vertx vertx;
  private MessageConsumer<Buffer> consumer;
  private DeliveryOptions options;
  private String self;

  ClusterPeers(HazelcastClusterManager manager, Settings.Cluster settings) {
    this.manager = manager;
    this.settings = settings;
  }

  @Override
  public Future<Void> start(Vertx vertx, Consumer<ChangeBatch> fromPeers) {
    this.vertx = vertx;
    this.self = manager.getNodeId();
    this.options = new DeliveryOptions().addHeader(ORIGIN, self);
    consumer = vertx.eventBus().<Buffer>consumer(ADDRESS, m -> {
      if (self.equals(m.headers().get(ORIGIN))) {
        return;
      }
      ChangeBatch batch;
      try {
        batch = BatchCodec.decode(m.body(), ClusterPeers::localNanos).batch();
      } catch (RuntimeException e) {
        // A member of another version, or damage: the head check reads the entries instead.
        log.error("A commit from node {} could not be read; the head check will fill it in from the store: {}",
            m.headers().get(ORIGIN), e.toString());
        return;
      }
      fromPeers.accept(batch);
    });
    return consumer.completion();
  }

  /** A wall-clock instant on this process's monotonic clock. */
  private static long localNanos(Instant at) {
    return System.nanoTime() - Math.max(0, Duration.between(at, Instant.now()).toNanos());
  }

  @Override
  public void share(ChangeBatch committed) {
    if (vertx == null) {
      return;
    }
    vertx.eventBus().publish(ADDRESS, BatchCodec.encode(committed, Instant.now()), options);
  }

  @Override
  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  @Override
  public long headCheckMs() {
    return settings.headCheckMs();
  }

  @Override
  public long gapWaitMs() {
    return settings.gapWaitMs();
  }
}
