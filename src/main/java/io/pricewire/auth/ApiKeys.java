package io.pricewire.auth;

import io.pricewire.store.KeyStore;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Supplier API keys: {@code pwk_<id>_<secret>}, 32 random bytes of secret. Only a SHA-256 hash is
 * stored; a fast hash is right here because the keys are random and long, not passwords. Checks
 * are cached for a few seconds per node, so ingest does not ask the store on every request; a
 * revocation made on this node takes effect at once, on other nodes within {@link #CACHE_SECONDS}.
 * The cache holds at most {@link #CACHE_LIMIT} checks, least recently used out first, so that a
 * client presenting endless made-up keys costs store reads, never memory.
 */
public final class ApiKeys {

  public static final String PREFIX = "pwk_";
  public static final int CACHE_SECONDS = 5;
  public static final int CACHE_LIMIT = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyStore store;
  /** Key hash to check, in access order; every event loop uses it, hence the lock. */
  private final Map<String, Cached> cache;

  /** @param supplier null when the key is unknown or revoked */
  private record Cached(String supplier, long expiresNanos) {
  }

  /** A key as created: the only time the key itself is seen. */
  public record Created(String id, String supplier, String key, String label, Instant createdAt) {
  }

  public ApiKeys(KeyStore store) {
    this(store, CACHE_LIMIT);
  }

  /** @param cacheLimit most key checks kept */
  ApiKeys(KeyStore store, int cacheLimit) {
    this.store = store;
    this.cache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > cacheLimit;
      }
    });
  }

  /** Key checks held now, for tests of the bound. */
  int cachedChecks() {
    return cache.size();
  }

  public Future<Created> create(String supplier, String label) {
    String id = randomId();
    String key = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return store.add(new KeyStore.StoredKey(id, supplier, hash(key), label, now, null))
        .map(v -> new Created(id, supplier, key, label, now));
  }

  /** Adds keys given in configuration; repeating it with the same keys changes nothing. */
  public Future<Void> bootstrap(Map<String, List<String>> keys) {
    List<Future<Void>> adds = new ArrayList<>();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    keys.forEach((supplier, list) -> {
      for (String key : list) {
        String hash = hash(key);
        adds.add(store.add(new KeyStore.StoredKey("cfg-" + hash.substring(0, 12), supplier, hash, "configuration",
            now, null)));
      }
    });
    return Future.all(adds).mapEmpty();
  }

  /** The supplier a presented key belongs to, or null when it is unknown or revoked. */
  public Future<String> supplierOf(String presented) {
    String hash = hash(presented);
    long now = System.nanoTime();
    Cached hit = cache.get(hash);
    if (hit != null && hit.expiresNanos > now) {
      return Future.succeededFuture(hit.supplier);
    }
    return store.findByHash(hash).map(k -> {
      String supplier = k != null && k.active() ? k.supplier() : null;
      long ttl = TimeUnit.SECONDS.toNanos(supplier == null ? 1 : CACHE_SECONDS);
      cache.put(hash, new Cached(supplier, System.nanoTime() + ttl));
      return supplier;
    });
  }

  public Future<List<KeyStore.StoredKey>> list(String supplier) {
    return store.list(supplier);
  }

  public Future<KeyStore.StoredKey> revoke(String supplier, String id) {
    return store.revoke(supplier, id, Instant.now().truncatedTo(ChronoUnit.MICROS)).map(k -> {
      if (k != null) {
        cache.remove(k.keyHash());
      }
      return k;
    });
  }

  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** A random secret for tokens, URL-safe. */
  public static String randomSecret(String prefix, int bytes) {
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(bytes));
  }

  private static String randomId() {
    String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    StringBuilder sb = new StringBuilder(12);
    for (byte b : bytes(12)) {
      sb.append(alphabet.charAt((b & 0xFF) % alphabet.length()));
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
