package io.pricewire.store;

import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Offer states this node's ledger read and wrote, kept between commits so that a commit reads
 * from the database only the offers it does not hold.
 *
 * <p>They are current only while nobody else wrote. Every commit stamps the log row with a new
 * writer token, and the next commit reads it back under the log lock: when it is the token of the
 * states held, or the token of a commit of this node whose answer is not back yet (which then
 * went through), the states are current; otherwise another node wrote and they are dropped. A
 * commit whose outcome is unknown (an error, a timeout) leaves its token unknown too, so the next
 * commit drops the states as well.
 *
 * <p>Bounded: the least recently used states go first. Used from the ledger's event loop only.
 */
final class OfferCache {

  private final int capacity;
  private final LinkedHashMap<OfferKey, Offer> states;
  private final String node = UUID.randomUUID().toString();
  private long commits;
  /** The token whose log state the held states reflect; null when unknown. */
  private String token;
  /** Commits sent whose answer is not back: their token, the token they followed, their states. */
  private final Map<String, Sent> sent = new HashMap<>();

  private record Sent(String after, Collection<Offer> states) {
  }

  OfferCache(int capacity) {
    this.capacity = capacity;
    this.states = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<OfferKey, Offer> eldest) {
        return size() > OfferCache.this.capacity;
      }
    };
  }

  boolean enabled() {
    return capacity > 0;
  }

  /** A fresh token for the next commit. */
  String nextToken() {
    return node + ":" + (++commits);
  }

  /** The state held for a key, or null (not held; it may still exist in the database). */
  Offer get(OfferKey key) {
    return states.get(key);
  }

  boolean holds(OfferKey key) {
    return states.containsKey(key);
  }

  /**
   * Under the log lock, with the token read there: true when the held states are current. When
   * not, they are dropped, and states read from the database from now on reflect {@code writer}.
   */
  boolean validate(String writer) {
    if (writer != null && writer.equals(token)) {
      return true;
    }
    Sent before = writer == null ? null : sent.remove(writer);
    if (before != null && Objects.equals(before.after, token)) {
      // A commit of ours whose answer is still on its way: the log shows it went through.
      put(before.states);
      token = writer;
      return true;
    }
    states.clear();
    token = writer;
    return false;
  }

  /** A commit is sent: after the log state {@code after}, it writes {@code written} as {@code newToken}. */
  void sending(String newToken, String after, Collection<Offer> written) {
    sent.put(newToken, new Sent(after, written));
  }

  /** The commit went through: its states are current now, unless a later commit already moved on. */
  void committed(String newToken) {
    Sent s = sent.remove(newToken);
    if (s != null && Objects.equals(s.after, token)) {
      put(s.states);
      token = newToken;
    }
  }

  /** The commit's outcome is unknown: forget it; the next commit then finds a token it cannot vouch for. */
  void unknown(String newToken) {
    sent.remove(newToken);
  }

  /** States read from the database under the lock: current as of the token validated. */
  void loaded(Collection<Offer> read) {
    put(read);
  }

  private void put(Collection<Offer> offers) {
    for (Offer o : offers) {
      states.put(o.key(), o);
    }
  }

  int size() {
    return states.size();
  }
}
