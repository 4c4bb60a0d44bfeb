package io.pricewire.ledger;

import io.pricewire.changelog.ChangeBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * The other gateway nodes of a cluster, as the ledger sees them: where its commits go, whence
 * theirs come. Fast but not complete: a commit may never arrive, or arrive after later ones; the
 * ledger fills what is missing from the store ({@link LogOrder}), and compares its position with
 * the log's head every {@link #headCheckMs()}.
 */
public interface Peers {

  /** A node alone: no peers, no head check. */
  Peers NONE = new Peers() {
    @Override
    public Future<Void> start(Vertx vertx, Consumer<ChangeBatch> fromPeers) {
      return Future.succeededFuture();
    }

    @Override
    public void share(ChangeBatch committed) {
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public long headCheckMs() {
      return 0;
    }

    @Override
    public long gapWaitMs() {
      return 0;
    }
  };

  /**
   * Starts taking the peers' commits. Called on the ledger's context; {@code fromPeers} is
   * called on it too.
   */
  Future<Void> start(Vertx vertx, Consumer<ChangeBatch> fromPeers);

  /** Tells the peers of a commit of this node (best effort). */
  void share(ChangeBatch committed);

  Future<Void> stop();

  /** How often to compare the position with the log's head; 0: never (no peers to miss). */
  long headCheckMs();

  /** How long a skipped seq may take to arrive before it is read from the store. */
  long gapWaitMs();
}
