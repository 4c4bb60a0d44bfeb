package io.pricewire.store;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Supplier API keys, by hash. The keys themselves are never stored. */
public interface KeyStore {

  /** A stored key: never the key, only its hash. */
  record StoredKey(String id, String supplier, String keyHash, String label, Instant createdAt, Instant revokedAt) {

    public boolean active() {
      return revokedAt == null;
    }
  }

  /** Adds a key; adding one with a hash that exists already changes nothing (bootstrap is repeatable). */
  Future<Void> add(StoredKey key);

  /** The key with this hash, revoked or not, or null. */
  Future<StoredKey> findByHash(String keyHash);

  Future<List<StoredKey>> list(String supplier);

  /** Revokes a key of a supplier; returns it, or null when the supplier has no key with this id. */
  Future<StoredKey> revoke(String supplier, String id, Instant at);
}
