package io.pricewire;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pricewire.api.ApiVerticle;
import io.pricewire.auth.AdminApi;
import io.pricewire.auth.ApiKeys;
import io.pricewire.auth.Authenticator;
import io.pricewire.auth.DevCredentials;
import io.pricewire.auth.StorefrontTokens;
import io.pricewire.cluster.ClusterNode;
import io.pricewire.cluster.Membership;
import io.pricewire.config.Settings;
import io.pricewire.ledger.Peers;
import io.pricewire.config.SettingsException;
import io.pricewire.config.SettingsLoader;
import io.pricewire.demo.DemoCatalog;
import io.pricewire.demo.DemoPage;
import io.pricewire.demo.DemoSupplierVerticle;
import io.pricewire.feed.ConnectionLimiter;
import io.pricewire.feed.FeedMetrics;
import io.pricewire.ingest.IngestLimiter;
import io.pricewire.ingest.IngestMetrics;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.ledger.CommitReply;
import io.pricewire.ledger.CommitRequest;
import io.pricewire.ledger.LedgerVerticle;
import io.pricewire.ledger.LocalCodec;
import io.pricewire.ledger.MarketWatch;
import io.pricewire.ops.EventLoopWatch;
import io.pricewire.market.Market;
import io.pricewire.market.MarketsFile;
import io.pricewire.ops.FxAdmin;
import io.pricewire.ops.OpsVerticle;
import io.pricewire.ops.ValetFetch;
import io.pricewire.store.MemoryStore;
import io.pricewire.store.PgStore;
import io.pricewire.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the store, then deploys the ledger, the public API (one instance
 * per event loop), the ops port and, when asked, the demo supplier, in that order.
 */
public final class Gateway {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final Settings settings;
  private final Store store;
  private final Map<String, Market> markets;
  /** Decides which tax rules are in force and when rates turn stale; the system clock but in tests. */
  private final Clock clock;
  private final List<String> deployments = new ArrayList<>();
  private int httpPort;
  private int opsPort;
  /** The generated storefront token of a development run, for the demo page on this machine. */
  private final java.util.concurrent.atomic.AtomicReference<String> developmentToken =
      new java.util.concurrent.atomic.AtomicReference<>();

  private final ApiKeys keys;
  private final StorefrontTokens tokens;
  private EventLoopWatch watch;
  private final Membership membership;
  private final Peers peers;

  private Gateway(Vertx vertx, Settings settings, Store store, Map<String, Market> markets, Clock clock,
      ClusterNode cluster) {
    this.vertx = vertx;
    this.membership = cluster != null ? cluster : Membership.standalone(settings.cluster().node());
    this.peers = cluster != null ? cluster.peers() : Peers.NONE;
    this.clock = clock;
    this.markets = markets;
    this.settings = settings;
    this.store = store;
    this.keys = new ApiKeys(store.keys());
    this.tokens = new StorefrontTokens(vertx, settings.auth());
  }

  /**
   * A Vert.x instance whose built-in metrics go to the given registry, as ours do. Labels are
   * limited to small fixed sets: route templates (not paths), methods, codes, pool names, event
   * bus side (not addresses: reply addresses are random).
   */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** As {@link #newVertx}, for a node of a cluster: joins it before it completes. */
  public static Future<Vertx> newClusteredVertx(PrometheusMeterRegistry registry, ClusterNode node) {
    return Vertx.builder()
        .with(node.configure(new VertxOptions().setMetricsOptions(metricsOptions())))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(node.manager())
        .buildClustered()
        .onSuccess(node::joined);
  }

  /**
   * Reads the settings alone (with a Vert.x of its own, closed after), for a caller that must
   * know them before it builds the node's Vert.x: a clustered one or not.
   */
  public static Settings loadSettings(Map<String, String> overrides) {
    Vertx bootstrap = Vertx.vertx();
    try {
      return SettingsLoader.load(bootstrap, overrides).await();
    } finally {
      bootstrap.close();
    }
  }

  private static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(java.util.EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_SIDE));
  }

  /**
   * The registry every meter of the node goes to. A few meters of Micrometer's JVM binders break
   * Prometheus naming rules (abbreviated units, a "_count" gauge); they are replaced or renamed so
   * that a scrape passes {@code promtool check metrics}.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.denyNameStartsWith("jvm.compilation.time"))
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
          }
        })
        // Routes reached through a sub-router are reported as "a>b"; the last part is the route.
        .meterFilter(MeterFilter.replaceTagValues("route", v -> v.substring(v.lastIndexOf('>') + 1)));
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9)
          .description("CPU time used by the gateway process")
          .baseUnit("seconds")
          .register(registry);
    }
    return registry;
  }

  /** Loads settings (file, environment, then the overrides) and starts. */
  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry,
      java.util.Map<String, String> overrides) {
    return start(vertx, registry, overrides, Clock.systemUTC());
  }

  /** As {@link #start(Vertx, PrometheusMeterRegistry, Map)}, with the clock of the markets' rules. */
  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry,
      java.util.Map<String, String> overrides, Clock clock) {
    return SettingsLoader.load(vertx, overrides).compose(settings -> start(vertx, registry, settings, clock));
  }

  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry, Settings configured) {
    return start(vertx, registry, configured, Clock.systemUTC());
  }

  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry, Settings configured,
      Clock clock) {
    return start(vertx, registry, configured, clock, null);
  }

  /**
   * Starts the node; with a cluster node (and a Vert.x of {@link #newClusteredVertx}) as a member of
   * its cluster, otherwise alone.
   */
  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry, Settings configured,
      Clock clock, ClusterNode cluster) {
    if (configured.cluster().enabled() != (cluster != null)) {
      return Future.failedFuture(new SettingsException(List.of(cluster == null
          ? "PRICEWIRE_CLUSTER=hazelcast needs a clustered start (the pricewire command makes one)"
          : "a cluster node was given with PRICEWIRE_CLUSTER=off")));
    }
    LocalCodec.register(vertx.eventBus(), CommitRequest.class, CommitReply.class, ChangeBatch.class);
    Settings.Auth auth = configured.auth();
    boolean memory = configured.store().kind() == Settings.StoreKind.MEMORY;
    boolean noJwt = auth.jwtSecret() == null && auth.jwtPublicKey() == null;
    if (auth.enabled() && !memory && noJwt) {
      return Future.failedFuture(new SettingsException(List.of("PRICEWIRE_JWT_SECRET or PRICEWIRE_JWT_PUBLIC_KEY is "
          + "required with PRICEWIRE_STORE=postgres and PRICEWIRE_AUTH=on, so that storefronts can be let in "
          + "(or set PRICEWIRE_AUTH=off on a trusted network)")));
    }
    Map<String, Market> markets;
    try {
      markets = MarketsFile.load();
    } catch (MarketsFile.Invalid e) {
      return Future.failedFuture(new SettingsException(List.of(e.getMessage())));
    }
    // The embedded default needs no setup: what is missing is generated, and printed once running.
    boolean development = auth.enabled() && memory && (auth.adminToken() == null || noJwt);
    Settings settings = development ? configured.withAuth(auth.withDevelopment(ApiKeys.randomSecret("pwadm_", 24),
        ApiKeys.randomSecret("", 32))) : configured;
    if (!auth.enabled()) {
      log.warn("AUTHENTICATION IS OFF (PRICEWIRE_AUTH=off): anyone who reaches the public port can write any "
          + "supplier's offers and read every feed. Use this on a trusted network only.");
    }
    Store store = createStore(vertx, settings);
    Gateway gateway = new Gateway(vertx, settings, store, markets, clock, cluster);
    return store.open()
        .compose(v -> gateway.keys.bootstrap(settings.auth().supplierKeys()))
        .compose(v -> development ? gateway.developmentKeys() : Future.succeededFuture(Map.<String, String>of()))
        .compose(devKeys -> gateway.deployAll(registry).map(g -> {
          if (development) {
            String storefront = g.tokens.canMint() ? g.tokens.mint(List.of("*"), Duration.ofHours(24)) : null;
            g.developmentToken.set(storefront);
            DevCredentials.publish(DevCredentials.describe(settings.auth().adminToken(), storefront, devKeys,
                g.httpPort, g.opsPort));
          }
          return g;
        }))
        .recover(e -> store.close().transform(x -> Future.failedFuture(e)));
  }

  /** One key for each demo supplier, so that the README's ingest examples work on a first run. */
  private Future<Map<String, String>> developmentKeys() {
    Map<String, String> created = new java.util.TreeMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String supplier : DemoCatalog.allSuppliers()) {
      chain = chain.compose(v -> keys.create(supplier, "development").map(k -> {
        created.put(supplier, k.key());
        return null;
      }));
    }
    return chain.map(v -> created);
  }

  private static Store createStore(Vertx vertx, Settings settings) {
    Settings.StoreSettings s = settings.store();
    if (s.kind() == Settings.StoreKind.POSTGRES) {
      log.info("Store: PostgreSQL at {}", SettingsLoader.redact(s.pgUri()));
      return new PgStore(vertx, s.pg(), s.poolSize(), s.timeoutMs(), s.offerCache());
    }
    log.warn("Store: MEMORY. Offers and the change log live only in this process and are gone when it exits; "
        + "set PRICEWIRE_STORE=postgres to keep them.");
    return new MemoryStore();
  }

  private Future<Gateway> deployAll(PrometheusMeterRegistry registry) {
    IngestMetrics ingestMetrics = new IngestMetrics(registry);
    FeedMetrics feedMetrics = new FeedMetrics(registry);
    List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
    Authenticator auth = new Authenticator(settings.auth(), keys, tokens);
    IngestLimiter ingestLimiter = new IngestLimiter(settings.ingest().ratePerSupplier(),
        settings.ingest().burstPerSupplier());
    ConnectionLimiter connectionLimiter = new ConnectionLimiter(settings.feed().maxConnectionsPerAddress());
    watch = new EventLoopWatch(settings.http().eventLoopBlockedMs(), registry);
    io.micrometer.core.instrument.Gauge.builder("pricewire.cluster.members", membership, Membership::members)
        .description("Cluster members this node sees, itself included (1 when it runs alone)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("pricewire.cluster.joined", membership, m -> m.joined() ? 1 : 0)
        .description("1 while this node is a member of its cluster (always 1 alone), else 0")
        .register(registry);
    OpsVerticle ops = new OpsVerticle(settings.http(), store, registry, settings.store().timeoutMs(),
        new AdminApi(settings.auth().adminToken(), keys, tokens), new FxAdmin(vertx, store.rates(), clock),
        watch, membership);
    LedgerVerticle ledger = new LedgerVerticle(store, settings.ledger().maxBatchItems(),
        settings.ledger().maxPendingItems(), registry, new MarketWatch(markets.values(), clock), peers);
    int port = settings.http().port() == 0 ? freePort(settings.http().host()) : settings.http().port();
    DemoPage demoPage = settings.demo().enabled()
        ? new DemoPage(developmentToken::get, settings.demo().catalogOffers()) : null;
    return deploy(vertx.deployVerticle(ledger))
        .onSuccess(v -> watch.watch("ledger", ledger.context()))
        .compose(v -> deploy(vertx.deployVerticle(() -> {
          ApiVerticle api = new ApiVerticle(settings, port, store, ingestMetrics, feedMetrics, auth, ingestLimiter,
              connectionLimiter, markets, clock, demoPage);
          apis.add(api);
          return api;
        }, new DeploymentOptions().setInstances(settings.http().eventLoops()))))
        .onSuccess(v -> {
          for (int i = 0; i < apis.size(); i++) {
            watch.watch("api-" + (i + 1), apis.get(i).context());
          }
        })
        .compose(v -> deploy(vertx.deployVerticle(ops)))
        .onSuccess(v -> watch.watch("ops", ops.context()))
        .compose(v -> settings.demo().enabled()
            ? deploy(vertx.deployVerticle(new DemoSupplierVerticle(settings.demo().intervalMs(),
                settings.demo().catalogOffers(), store.rates(), clock)))
            : Future.succeededFuture())
        .compose(v -> settings.fx().valetUrl() != null
            ? deploy(vertx.deployVerticle(new ValetFetch(settings.fx().valetUrl(), store.rates(), clock)))
            : Future.succeededFuture())
        .map(v -> {
          httpPort = apis.get(0).actualPort();
          opsPort = ops.actualPort();
          log.info("Pricewire ready: API on port {} (ingest /v1/suppliers/..., feed /v1/feed), ops on port {} "
              + "(/metrics, /health/ready); {} API event loop(s), {} store{}", httpPort, opsPort,
              settings.http().eventLoops(), store.kind(), membership.clustered()
                  ? "; node " + membership.node() + " of a cluster of " + membership.members() : "");
          return this;
        });
  }

  /**
   * A port that is free now. Instances of one deployment share a fixed port, but each would bind
   * its own port for 0, so port 0 is resolved once here.
   */
  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  private Future<Void> deploy(Future<String> deployment) {
    return deployment.map(id -> {
      deployments.add(id);
      return null;
    });
  }

  /** Undeploys in reverse order (feed clients are told to resume elsewhere), then closes the store. */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return chain.compose(v -> store.close()).onComplete(v -> {
      if (watch != null) {
        watch.close();
      }
    });
  }

  public int httpPort() {
    return httpPort;
  }

  public int opsPort() {
    return opsPort;
  }

  public Settings settings() {
    return settings;
  }

  public Store store() {
    return store;
  }
}
