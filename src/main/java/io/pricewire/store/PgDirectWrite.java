package io.pricewire.store;

import io.pricewire.changelog.Change;
import io.pricewire.offer.Offer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * The most direct write of changes into the store's tables, with no gateway in front: in one
 * transaction, the log lock, one upsert of every offer and one insert of every change (each a
 * single {@code unnest} statement, the store's own), and the head moved. What the gateway's
 * commit adds to this (reading the stored states, the version rules, the answers, the feed) is
 * its cost; {@code bench ingest --direct} measures the gateway against this limit.
 */
public final class PgDirectWrite {

  private final Pool pool;
  private final String token = "direct-" + UUID.randomUUID();

  public PgDirectWrite(Pool pool) {
    this.pool = pool;
  }

  /**
   * Commits the changes {@code after} makes from the log's head (their seqs follow it, gapless).
   * Completes with how many were written, once committed.
   */
  public Future<Integer> commit(LongFunction<List<Change>> after) {
    return pool.withTransaction(conn -> conn.query(PgSql.LOCK_HEAD).execute().compose(head -> {
      long from = head.iterator().next().getLong("head_seq");
      List<Change> changes = after.apply(from);
      // One row per offer in the upsert (its newest state), one per change in the log.
      java.util.Map<io.pricewire.offer.OfferKey, Offer> offers = new java.util.LinkedHashMap<>(changes.size() * 2);
      long last = from;
      for (Change c : changes) {
        offers.put(c.offer().key(), c.offer());
        last = Math.max(last, c.seq());
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      return Future.all(
              conn.preparedQuery(PgSql.UPSERT_OFFERS).execute(PgStore.offerRows(offers.values())),
              conn.preparedQuery(PgSql.INSERT_CHANGES).execute(PgStore.changeRows(changes, now)),
              conn.preparedQuery(PgSql.SET_HEAD).execute(Tuple.of(last, token)))
          .map(changes.size());
    }));
  }
}
