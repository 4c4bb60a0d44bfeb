package io.pricewire.store;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Supplier keys in this process's memory, gone on exit like the rest of the memory store. */
public final class MemoryKeyStore implements KeyStore {

  private final Map<String, StoredKey> byHash = new ConcurrentHashMap<>();

  @Override
  public Future<Void> add(StoredKey key) {
    byHash.putIfAbsent(key.keyHash(), key);
    return Future.succeededFuture();
  }

  @Override
  public Future<StoredKey> findByHash(String keyHash) {
    return Future.succeededFuture(byHash.get(keyHash));
  }

  @Override
  public Future<List<StoredKey>> list(String supplier) {
    List<StoredKey> keys = new ArrayList<>();
    for (StoredKey k : byHash.values()) {
      if (k.supplier().equals(supplier)) {
        keys.add(k);
      }
    }
    keys.sort(Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id));
    return Future.succeededFuture(keys);
  }

  @Override
  public synchronized Future<StoredKey> revoke(String supplier, String id, Instant at) {
    for (StoredKey k : byHash.values()) {
      if (k.supplier().equals(supplier) && k.id().equals(id)) {
        StoredKey revoked = k.active() ? new StoredKey(k.id(), k.supplier(), k.keyHash(), k.label(), k.createdAt(), at)
            : k;
        byHash.put(k.keyHash(), revoked);
        return Future.succeededFuture(revoked);
      }
    }
    return Future.succeededFuture(null);
  }
}
