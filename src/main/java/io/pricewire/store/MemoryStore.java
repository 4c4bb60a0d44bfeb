package io.pricewire.store;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.Decision;
import io.pricewire.changelog.LedgerRules;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.MarketInputs;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The embedded store: offer state in this process's memory, gone on exit. A new epoch each start
 * tells resuming clients that their log is gone. Keeps no change history: resume is by state,
 * with a bounded record of category moves ({@link CategoryMoves}) for clients that follow
 * categories.
 *
 * <p>A read-write lock makes a snapshot and its seq consistent with each other; the critical
 * sections are short map operations, never I/O.
 */
public final class MemoryStore implements Store {

  private final String epoch = UUID.randomUUID().toString();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<OfferKey, Offer> offers = new HashMap<>();
  private final Map<String, Set<OfferKey>> bySupplier = new HashMap<>();
  private final Map<String, Set<OfferKey>> byCategory = new HashMap<>();
  private final CategoryMoves moves;
  private long head;
  private MarketEvent lastEvent;
  private final Map<String, Long> lastEventByMarket = new HashMap<>();
  private final MemoryKeyStore keys = new MemoryKeyStore();
  private final MemoryRateStore rates = new MemoryRateStore();

  /** Category moves kept by default: about 100 bytes each. */
  public static final int DEFAULT_MAX_CATEGORY_MOVES = 100_000;

  public MemoryStore() {
    this(DEFAULT_MAX_CATEGORY_MOVES);
  }

  /** @param maxCategoryMoves how many category moves to remember for resuming clients */
  public MemoryStore(int maxCategoryMoves) {
    this.moves = new CategoryMoves(maxCategoryMoves);
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public Future<Void> open() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Committed> commit(List<LedgerWrite> writes) {
    lock.writeLock().lock();
    try {
      Map<OfferKey, Offer> current = new HashMap<>();
      for (LedgerWrite w : writes) {
        Offer o = offers.get(w.key());
        if (o != null) {
          current.put(w.key(), o);
        }
      }
      Decision d = LedgerRules.decide(writes, current, head, Instant.now().truncatedTo(ChronoUnit.MICROS));
      d.upserts().forEach(this::put);
      d.changes().forEach(this::recordMove);
      head = d.head();
      return Future.succeededFuture(new Committed(epoch, d.outcomes(), d.changes()));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void put(OfferKey key, Offer next) {
    Offer prev = offers.put(key, next);
    bySupplier.computeIfAbsent(key.supplier(), s -> new HashSet<>()).add(key);
    String oldCategory = prev == null ? null : prev.category();
    if (oldCategory != null && !oldCategory.equals(next.category())) {
      Set<OfferKey> keys = byCategory.get(oldCategory);
      keys.remove(key);
      if (keys.isEmpty()) {
        byCategory.remove(oldCategory);
      }
    }
    if (next.category() != null) {
      byCategory.computeIfAbsent(next.category(), c -> new HashSet<>()).add(key);
    }
  }

  /**
   * Per change, not per commit: an offer may move several times in one commit, and each move
   * has its own seq.
   */
  private void recordMove(Change c) {
    if (c.previousCategory() != null) {
      moves.left(c.previousCategory(), c.offer().key(), c.seq());
    }
    if (c.offer().category() != null) {
      moves.entered(c.offer().category(), c.offer().key());
    }
  }

  /** Category moves remembered now, for tests of the bound. */
  int categoryMoves() {
    lock.readLock().lock();
    try {
      return moves.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Future<Offer> find(OfferKey key) {
    lock.readLock().lock();
    try {
      return Future.succeededFuture(offers.get(key));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Future<Snapshot> snapshot(Interest interest, long requestedAfterSeq) {
    lock.readLock().lock();
    try {
      // Below the horizon the record no longer tells every offer that left a category.
      boolean full = requestedAfterSeq >= 0 && !interest.categories().isEmpty()
          && requestedAfterSeq < moves.horizon();
      long afterSeq = full ? -1 : requestedAfterSeq;
      Map<OfferKey, Offer> found = new LinkedHashMap<>();
      for (OfferKey key : interest.skus()) {
        take(key, afterSeq, found);
      }
      for (String supplier : interest.suppliers()) {
        for (OfferKey key : bySupplier.getOrDefault(supplier, Set.of())) {
          take(key, afterSeq, found);
        }
      }
      for (String category : interest.categories()) {
        for (OfferKey key : byCategory.getOrDefault(category, Set.of())) {
          take(key, afterSeq, found);
        }
        if (afterSeq >= 0) {
          moves.leftAfter(category, afterSeq, key -> take(key, afterSeq, found));
        }
      }
      List<Offer> list = new ArrayList<>(found.values());
      list.sort(Comparator.comparingLong(Offer::seq));
      return Future.succeededFuture(new Snapshot(epoch, head, list, full));
    } finally {
      lock.readLock().unlock();
    }
  }

  private void take(OfferKey key, long afterSeq, Map<OfferKey, Offer> found) {
    Offer o = offers.get(key);
    if (o != null && o.seq() > afterSeq) {
      found.putIfAbsent(key, o);
    }
  }

  @Override
  public Future<List<Change>> changesBetween(long afterSeq, long upToSeq) {
    // Commits here are instant and always published, so the ledger never sees a gap to repair.
    return Future.failedFuture(new UnsupportedOperationException("the memory store keeps no change history"));
  }

  @Override
  public Future<MarketEvent> commitEvent(MarketInputs inputs, List<String> markets, String reason,
      long afterEventSeq) {
    lock.writeLock().lock();
    try {
      long last = lastEvent == null ? 0 : lastEvent.seq();
      if (afterEventSeq != ANY_LAST_EVENT && afterEventSeq != last) {
        return Future.succeededFuture(null);
      }
      head++;
      lastEvent = new MarketEvent(head, inputs, markets, reason);
      for (String m : markets) {
        lastEventByMarket.put(m, head);
      }
      return Future.succeededFuture(lastEvent);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Future<MarketLog> marketLog() {
    lock.readLock().lock();
    try {
      return Future.succeededFuture(new MarketLog(lastEvent, lastEventByMarket));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Future<List<MarketEvent>> eventsBetween(long afterSeq, long upToSeq) {
    return Future.failedFuture(new UnsupportedOperationException("the memory store keeps no change history"));
  }

  @Override
  public Future<LogHead> head() {
    lock.readLock().lock();
    try {
      return Future.succeededFuture(new LogHead(epoch, head));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public KeyStore keys() {
    return keys;
  }

  @Override
  public RateStore rates() {
    return rates;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
