package io.pricewire.store;

import io.pricewire.offer.OfferKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The memory store's record of offers leaving categories, so that a client resuming on a category
 * learns which offers left it while it was away. One entry per category and offer: the seq of the
 * latest change that took the offer out of it. An offer that comes back into the category drops
 * its entry, since its current state (with a seq above the move) is found by the category itself.
 *
 * <p>The record is bounded: past {@code max} entries the oldest moves are forgotten and the
 * {@link #horizon()} rises to their seq. A resume from below the horizon can no longer be told
 * exactly which offers left, so the store answers it with the full state instead.
 *
 * <p>Not thread-safe: the store calls it under its lock.
 */
final class CategoryMoves {

  private record Move(String category, OfferKey key) {
  }

  private final int max;
  /** Every move, oldest first (a repeated move is taken out and put back at the end). */
  private final LinkedHashMap<Move, Long> byAge = new LinkedHashMap<>();
  private final Map<String, Map<OfferKey, Long>> byCategory = new HashMap<>();
  private long horizon = -1;

  CategoryMoves(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("the record must hold at least one move, got " + max);
    }
    this.max = max;
  }

  /** A change at {@code seq} took the offer out of {@code category}. */
  void left(String category, OfferKey key, long seq) {
    Move move = new Move(category, key);
    byAge.remove(move);
    byAge.put(move, seq);
    byCategory.computeIfAbsent(category, c -> new HashMap<>()).put(key, seq);
    if (byAge.size() > max) {
      Iterator<Map.Entry<Move, Long>> oldest = byAge.entrySet().iterator();
      Map.Entry<Move, Long> e = oldest.next();
      oldest.remove();
      forget(e.getKey());
      horizon = Math.max(horizon, e.getValue());
    }
  }

  /** The offer is in {@code category} again: its own state now tells the category about it. */
  void entered(String category, OfferKey key) {
    Move move = new Move(category, key);
    if (byAge.remove(move) != null) {
      forget(move);
    }
  }

  private void forget(Move move) {
    Map<OfferKey, Long> keys = byCategory.get(move.category());
    if (keys != null) {
      keys.remove(move.key());
      if (keys.isEmpty()) {
        byCategory.remove(move.category());
      }
    }
  }

  /** Calls {@code visitor} with each offer that left {@code category} after {@code afterSeq}. */
  void leftAfter(String category, long afterSeq, Consumer<OfferKey> visitor) {
    Map<OfferKey, Long> keys = byCategory.get(category);
    if (keys != null) {
      keys.forEach((key, seq) -> {
        if (seq > afterSeq) {
          visitor.accept(key);
        }
      });
    }
  }

  /** The highest seq of a forgotten move, -1 while none was: resumes from below it are not exact. */
  long horizon() {
    return horizon;
  }

  int size() {
    return byAge.size();
  }
}
