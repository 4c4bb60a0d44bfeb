package io.pricewire.config;

import io.vertx.pgclient.PgConnectOptions;

/**
 * The gateway's typed configuration, read once at start by {@link SettingsLoader}. Each
 * component takes the part it needs.
 */
public record Settings(Http http, StoreSettings store, Ingest ingest, Ledger ledger, Feed feed, Auth auth, Demo demo, Fx fx,
    Cluster cluster, long shutdownTimeoutMs) {

  public enum StoreKind { MEMORY, POSTGRES }

  /**
   * @param eventLoops API verticle instances; each owns its event loop's client connections
   * @param eventLoopBlockedMs an event loop that runs no task for this long fails liveness
   */
  public record Http(String host, int port, String opsHost, int opsPort, int eventLoops, long eventLoopBlockedMs) {
  }

  /** @param offerCache offer states the ledger keeps between commits in postgres mode (0: none) */
  public record StoreSettings(StoreKind kind, PgConnectOptions pg, String pgUri, int poolSize, long timeoutMs,
      int offerCache) {
  }

  /**
   * @param maxBodyBytes limit for JSON array bodies, which are read whole
   * @param maxStreamBytes limit for NDJSON and feed-file bodies, which are streamed
   * @param chunkItems streamed items are committed in chunks of this many
   */
  public record Ingest(long maxBodyBytes, int maxItems, long maxStreamBytes, long maxStreamItems, int maxLineBytes,
      int chunkItems, long ratePerSupplier, long burstPerSupplier) {
  }

  public record Ledger(int maxBatchItems, int maxPendingItems) {
  }

  /**
   * @param slowTimeoutMs a client that takes no data this long is closed (4002)
   * @param sseRetryMs the reconnection delay SSE clients are told
   */
  public record Feed(long pingIntervalMs, long pingTimeoutMs, int maxFrameBytes, int maxSubscriptions,
      int maxInterest, int snapshotChunk, long slowTimeoutMs, boolean compression, int compressionLevel,
      long sseRetryMs, int maxConnectionsPerAddress) {
  }

  /**
   * @param adminToken null when none is configured
   * @param jwtSecret HS256 secret for storefront tokens, or null
   * @param jwtPublicKey RS256 public key (PEM) for storefront tokens, or null
   * @param supplierKeys keys from configuration, per supplier
   * @param allowedOrigins browser origins allowed on the feed; empty means any
   */
  public record Auth(boolean enabled, String adminToken, String jwtSecret, String jwtPublicKey, String jwtIssuer,
      String jwtAudience, java.util.Map<String, java.util.List<String>> supplierKeys,
      java.util.Set<String> allowedOrigins) {

    /** The same settings with generated development credentials filled in. */
    public Auth withDevelopment(String admin, String secret) {
      return new Auth(enabled, adminToken != null ? adminToken : admin, jwtSecret == null && jwtPublicKey == null
          ? secret : jwtSecret, jwtPublicKey, jwtIssuer, jwtAudience, supplierKeys, allowedOrigins);
    }
  }

  public Settings withAuth(Auth newAuth) {
    return new Settings(http, store, ingest, ledger, feed, newAuth, demo, fx, cluster, shutdownTimeoutMs);
  }

  /** @param valetUrl the Bank of Canada Valet FXCNYCAD observations to fetch each business day; null: off */
  public record Fx(String valetUrl) {
  }

  /**
   * Clustered mode.
   *
   * @param enabled PRICEWIRE_CLUSTER=hazelcast
   * @param host the address this node binds and announces to the others
   * @param port the Hazelcast member port
   * @param busPort the clustered event bus port (0: any free one)
   * @param members the other members' host:port, for the TCP/IP join (empty with Kubernetes)
   * @param kubernetesService the headless service whose DNS records list the members, or null
   * @param failureTimeoutMs a member silent this long is removed
   * @param headCheckMs how often the node compares its position with the log's head
   * @param gapWaitMs how long a skipped seq may take to arrive over the bus before it is read back
   * @param node this node's name
   */
  public record Cluster(boolean enabled, String host, int port, int busPort, java.util.List<String> members, String name,
      String kubernetesService, long failureTimeoutMs, long headCheckMs, long gapWaitMs, String node) {
  }

  /** @param catalogOffers offers of the larger demo catalog (the marketplace supplier) */
  public record Demo(boolean enabled, long intervalMs, int catalogOffers) {
  }
}
