package io.pricewire.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads settings with vertx-config, later sources winning: {@code conf/pricewire.properties}
 * (from the working directory, else from the jar), the file named by {@code PRICEWIRE_CONFIG},
 * environment variables, then explicit overrides (command-line flags, tests). Then maps them once
 * into {@link Settings}, reporting every invalid key at once.
 */
public final class SettingsLoader {

  private static final Logger log = LoggerFactory.getLogger(SettingsLoader.class);
  public static final String DEFAULTS = "conf/pricewire.properties";
  public static final String CONFIG_FILE_KEY = "PRICEWIRE_CONFIG";
  /** Keys read by other parts (the file list above, the logging configuration), not mapped here. */
  private static final Set<String> READ_ELSEWHERE = Set.of(CONFIG_FILE_KEY, "PRICEWIRE_LOG_LEVEL");

  private SettingsLoader() {
  }

  public static Future<Settings> load(Vertx vertx, Map<String, String> overrides) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(propertiesFile(DEFAULTS, false));
    String extra = overrides.getOrDefault(CONFIG_FILE_KEY, System.getenv(CONFIG_FILE_KEY));
    if (extra != null && !extra.isBlank()) {
      options.addStore(propertiesFile(extra, false));
    }
    options.addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(new JsonObject(Map.copyOf(overrides))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(new SettingsException(List.of("could not read configuration: "
            + e.getMessage()))))
        .map(SettingsLoader::map);
  }

  private static ConfigStoreOptions propertiesFile(String path, boolean optional) {
    return new ConfigStoreOptions().setType("file").setFormat("properties").setOptional(optional)
        .setConfig(new JsonObject().put("path", path).put("raw-data", true));
  }

  /** Maps raw key-value settings to typed ones. Public for tests. */
  public static Settings map(JsonObject raw) {
    Reader r = new Reader(raw);
    int cores = Runtime.getRuntime().availableProcessors();
    int loops = r.integer("PRICEWIRE_EVENT_LOOPS", 0, 1024);
    Settings.Http http = new Settings.Http(
        r.host("PRICEWIRE_HTTP_HOST"),
        r.port("PRICEWIRE_HTTP_PORT"),
        r.host("PRICEWIRE_OPS_HOST"),
        r.port("PRICEWIRE_OPS_PORT"),
        loops == 0 ? cores : loops,
        r.longValue("PRICEWIRE_EVENT_LOOP_BLOCKED_MS", 100, 600_000));
    Settings.StoreKind kind = r.choice("PRICEWIRE_STORE", Settings.StoreKind.class);
    String uri = r.text("PRICEWIRE_PG_URI");
    PgConnectOptions pg = r.pgUri("PRICEWIRE_PG_URI", uri);
    Settings.StoreSettings store = new Settings.StoreSettings(kind, pg, uri,
        r.integer("PRICEWIRE_PG_POOL_SIZE", 1, 1000),
        r.longValue("PRICEWIRE_STORE_TIMEOUT_MS", 1, 3_600_000),
        r.integer("PRICEWIRE_PG_OFFER_CACHE", 0, 100_000_000));
    Settings.Ingest ingest = new Settings.Ingest(
        r.longValue("PRICEWIRE_INGEST_MAX_BODY_BYTES", 1, Integer.MAX_VALUE),
        r.integer("PRICEWIRE_INGEST_MAX_ITEMS", 1, 10_000_000),
        r.longValue("PRICEWIRE_INGEST_MAX_STREAM_BYTES", 1, Long.MAX_VALUE),
        r.longValue("PRICEWIRE_INGEST_MAX_STREAM_ITEMS", 1, Long.MAX_VALUE),
        r.integer("PRICEWIRE_INGEST_MAX_LINE_BYTES", 64, 64 * 1024 * 1024),
        r.integer("PRICEWIRE_INGEST_CHUNK_ITEMS", 1, 100_000),
        r.longValue("PRICEWIRE_INGEST_RATE_PER_SUPPLIER", 0, 1_000_000_000),
        r.longValue("PRICEWIRE_INGEST_BURST_PER_SUPPLIER", 1, 1_000_000_000));
    Settings.Ledger ledger = new Settings.Ledger(
        r.integer("PRICEWIRE_LEDGER_MAX_BATCH_ITEMS", 1, 1_000_000),
        r.integer("PRICEWIRE_LEDGER_MAX_PENDING_ITEMS", 1, 100_000_000));
    Settings.Feed feed = new Settings.Feed(
        r.longValue("PRICEWIRE_FEED_PING_INTERVAL_MS", 100, 3_600_000),
        r.longValue("PRICEWIRE_FEED_PING_TIMEOUT_MS", 100, 3_600_000),
        r.integer("PRICEWIRE_FEED_MAX_FRAME_BYTES", 256, 64 * 1024 * 1024),
        r.integer("PRICEWIRE_FEED_MAX_SUBSCRIPTIONS", 1, 100_000),
        r.integer("PRICEWIRE_FEED_MAX_INTEREST", 1, 10_000_000),
        r.integer("PRICEWIRE_FEED_SNAPSHOT_CHUNK", 1, 100_000),
        r.longValue("PRICEWIRE_FEED_SLOW_TIMEOUT_MS", 100, 3_600_000),
        r.bool("PRICEWIRE_FEED_COMPRESSION"),
        r.integer("PRICEWIRE_FEED_COMPRESSION_LEVEL", 1, 9),
        r.longValue("PRICEWIRE_FEED_SSE_RETRY_MS", 100, 600_000),
        r.integer("PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS", 0, 10_000_000));
    Settings.Auth auth = new Settings.Auth(
        r.onOff("PRICEWIRE_AUTH"),
        r.secret("PRICEWIRE_ADMIN_TOKEN", 16),
        r.secret("PRICEWIRE_JWT_SECRET", 32),
        r.pem("PRICEWIRE_JWT_PUBLIC_KEY"),
        r.optionalText("PRICEWIRE_JWT_ISSUER"),
        r.optionalText("PRICEWIRE_JWT_AUDIENCE"),
        r.supplierKeys("PRICEWIRE_SUPPLIER_KEYS"),
        r.origins("PRICEWIRE_ALLOWED_ORIGINS"));
    Settings.Demo demo = new Settings.Demo(
        r.bool("PRICEWIRE_DEMO"),
        r.longValue("PRICEWIRE_DEMO_INTERVAL_MS", 10, 3_600_000),
        r.integer("PRICEWIRE_DEMO_CATALOG_OFFERS", 0, 20_000));
    String valet = r.optionalText("PRICEWIRE_FX_VALET_URL");
    if (valet != null && !valet.matches("(?i)https?://\\S+")) {
      r.problems.add("PRICEWIRE_FX_VALET_URL=\"" + valet + "\" is not valid: expected an http:// or https:// URL");
    }
    Settings.Fx fx = new Settings.Fx(valet);
    Settings.Cluster cluster = cluster(r, kind);
    long shutdown = r.longValue("PRICEWIRE_SHUTDOWN_TIMEOUT_MS", 100, 3_600_000);
    if (!r.problems.isEmpty()) {
      throw new SettingsException(r.problems);
    }
    warnAboutUnknownKeys(raw, r.known);
    return new Settings(http, store, ingest, ledger, feed, auth, demo, fx, cluster, shutdown);
  }

  private static Settings.Cluster cluster(Reader r, Settings.StoreKind kind) {
    String mode = r.text("PRICEWIRE_CLUSTER");
    boolean enabled = false;
    if (mode != null) {
      switch (mode.toLowerCase(Locale.ROOT)) {
        case "off" -> enabled = false;
        case "hazelcast" -> enabled = true;
        default -> r.problems.add("PRICEWIRE_CLUSTER=\"" + mode + "\" is not valid: expected off or hazelcast");
      }
    }
    String host = r.host("PRICEWIRE_CLUSTER_HOST");
    int port = r.integer("PRICEWIRE_CLUSTER_PORT", 1, 65535, "a TCP port number from 1 to 65535");
    int busPort = r.port("PRICEWIRE_CLUSTER_BUS_PORT");
    List<String> members = new ArrayList<>();
    String listed = r.optionalText("PRICEWIRE_CLUSTER_MEMBERS");
    if (listed != null) {
      for (String m : listed.split(",")) {
        String member = m.trim();
        if (member.isEmpty()) {
          continue;
        }
        if (!member.matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?")) {
          r.problems.add("PRICEWIRE_CLUSTER_MEMBERS: \"" + member + "\" is not host or host:port, "
              + "for example 10.0.0.5:5701");
        } else {
          members.add(member);
        }
      }
    }
    String name = r.text("PRICEWIRE_CLUSTER_NAME");
    if (name != null && !name.matches("[A-Za-z0-9._\\-]{1,64}")) {
      r.problems.add("PRICEWIRE_CLUSTER_NAME=\"" + name + "\" is not valid: expected 1 to 64 letters, digits, "
          + "dots, dashes or underscores");
    }
    String service = r.optionalText("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE");
    if (service != null && !service.matches("[a-z0-9]([a-z0-9.\\-]*[a-z0-9])?")) {
      r.problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE=\"" + service + "\" is not a DNS name, for example "
          + "pricewire-cluster.shop.svc.cluster.local");
    }
    long failure = r.longValue("PRICEWIRE_CLUSTER_FAILURE_TIMEOUT_MS", 2_000, 600_000);
    long headCheck = r.longValue("PRICEWIRE_CLUSTER_HEAD_CHECK_MS", 50, 600_000);
    long gapWait = r.longValue("PRICEWIRE_CLUSTER_GAP_WAIT_MS", 0, 60_000);
    String node = r.optionalText("PRICEWIRE_NODE_NAME");
    if (node != null && !node.matches("[A-Za-z0-9._:\\-]{1,64}")) {
      r.problems.add("PRICEWIRE_NODE_NAME=\"" + node + "\" is not valid: expected 1 to 64 letters, digits, "
          + "dots, colons, dashes or underscores");
    }
    if (enabled) {
      if (kind != Settings.StoreKind.POSTGRES) {
        r.problems.add("PRICEWIRE_CLUSTER=hazelcast needs PRICEWIRE_STORE=postgres: the nodes share one change log "
            + "in PostgreSQL (set PRICEWIRE_STORE=postgres and PRICEWIRE_PG_URI, or PRICEWIRE_CLUSTER=off)");
      }
      if (members.isEmpty() && service == null) {
        r.problems.add("PRICEWIRE_CLUSTER=hazelcast needs PRICEWIRE_CLUSTER_MEMBERS (host:port of the other nodes) "
            + "or PRICEWIRE_CLUSTER_KUBERNETES_SERVICE (the headless service that lists them)");
      }
      if (!members.isEmpty() && service != null) {
        r.problems.add("PRICEWIRE_CLUSTER_MEMBERS and PRICEWIRE_CLUSTER_KUBERNETES_SERVICE are both set: "
            + "choose one way for the nodes to find each other");
      }
    }
    if (node == null) {
      node = enabled ? host + ":" + port : localHostName();
    }
    return new Settings.Cluster(enabled, host, port, busPort, List.copyOf(members), name, service, failure, headCheck, gapWait,
        node);
  }

  private static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /**
   * Every key the gateway reads: those with a default in {@link #DEFAULTS}, and those read
   * elsewhere. What the README's table and deployment files may name.
   */
  public static Set<String> knownKeys() {
    Set<String> keys = new TreeSet<>(defaults().keySet());
    keys.addAll(READ_ELSEWHERE);
    return keys;
  }

  /** The defaults file as packed with the gateway: every key it has a default for, and that default. */
  public static Map<String, String> defaults() {
    java.util.Properties file = new java.util.Properties();
    try (java.io.InputStream in = SettingsLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is not on the class path");
      }
      file.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> values = new java.util.TreeMap<>();
    file.stringPropertyNames().forEach(k -> values.put(k, file.getProperty(k)));
    return values;
  }

  private static void warnAboutUnknownKeys(JsonObject raw, Set<String> known) {
    Set<String> unknown = new TreeSet<>();
    for (String key : raw.fieldNames()) {
      if (key.startsWith("PRICEWIRE_") && !known.contains(key) && !READ_ELSEWHERE.contains(key)
          && !key.startsWith("PRICEWIRE_TEST_")) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      log.warn("Ignoring unknown setting(s) {}: check the spelling against the README's configuration table",
          unknown);
    }
  }

  /** Reads one key at a time, collecting every problem instead of stopping at the first. */
  private static final class Reader {
    final JsonObject raw;
    final List<String> problems = new ArrayList<>();
    final Set<String> known = new TreeSet<>();

    Reader(JsonObject raw) {
      this.raw = raw;
    }

    /** A value that may be left empty; null then. */
    String optionalText(String key) {
      known.add(key);
      Object v = raw.getValue(key);
      return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v).trim();
    }

    /** A credential: empty for none. One shorter than {@code minLength} is accepted with a warning. */
    String secret(String key, int minLength) {
      String v = optionalText(key);
      if (v != null && v.length() < minLength) {
        log.warn("{} is only {} characters long: use at least {} random characters, for example "
            + "`openssl rand -hex {}`", key, v.length(), minLength, minLength / 2);
      }
      return v;
    }

    boolean onOff(String key) {
      String v = text(key);
      if (v == null) {
        return true;
      }
      switch (v.toLowerCase(Locale.ROOT)) {
        case "on", "true", "yes", "1":
          return true;
        case "off", "false", "no", "0":
          return false;
        default:
          problems.add(key + "=\"" + v + "\" is not valid: expected on or off");
          return true;
      }
    }

    /** A PEM public key, given inline or as the path of a file holding it. */
    String pem(String key) {
      String v = optionalText(key);
      if (v == null) {
        return null;
      }
      String pem = v;
      if (!v.startsWith("-----BEGIN")) {
        try {
          pem = java.nio.file.Files.readString(java.nio.file.Path.of(v));
        } catch (java.io.IOException | RuntimeException e) {
          problems.add(key + " names a file that cannot be read (" + e.getMessage() + "): expected a PEM public key, "
              + "inline (-----BEGIN PUBLIC KEY-----...) or as a file path");
          return null;
        }
      }
      if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
        problems.add(key + " does not hold a PEM public key (-----BEGIN PUBLIC KEY-----)");
        return null;
      }
      return pem;
    }

    /** {@code supplier:key,supplier:key}; keys are hashed at start and never logged. */
    java.util.Map<String, java.util.List<String>> supplierKeys(String key) {
      String v = optionalText(key);
      java.util.Map<String, java.util.List<String>> keys = new java.util.TreeMap<>();
      if (v == null) {
        return keys;
      }
      for (String entry : v.split(",")) {
        String e = entry.strip();
        int colon = e.indexOf(':');
        String supplier = colon > 0 ? e.substring(0, colon) : "";
        String secret = colon > 0 ? e.substring(colon + 1) : "";
        if (!io.pricewire.offer.SupplierId.valid(supplier) || secret.length() < 24) {
          problems.add(key + " has an entry that is not supplier:key with a valid supplier id and a key of at least 24 "
              + "characters (entry " + (keys.values().stream().mapToInt(java.util.List::size).sum() + 1) + ")");
          continue;
        }
        keys.computeIfAbsent(supplier, s -> new java.util.ArrayList<>()).add(secret);
      }
      return keys;
    }

    /** {@code *} (any) or a comma-separated list of origins such as https://shop.example.com. */
    java.util.Set<String> origins(String key) {
      String v = text(key);
      java.util.Set<String> origins = new java.util.TreeSet<>();
      if (v == null || v.equals("*")) {
        return origins;
      }
      for (String o : v.split(",")) {
        String origin = o.strip();
        if (!origin.matches("https?://[^/\\s]+")) {
          problems.add(key + " holds \"" + origin + "\": expected * or origins such as https://shop.example.com "
              + "(scheme and host, no path)");
        } else {
          origins.add(origin.toLowerCase(Locale.ROOT));
        }
      }
      return origins;
    }

    String text(String key) {
      known.add(key);
      Object v = raw.getValue(key);
      if (v == null || String.valueOf(v).isBlank()) {
        problems.add(key + " is missing; it has a default in " + DEFAULTS + ", so check that file");
        return null;
      }
      return String.valueOf(v).trim();
    }

    int port(String key) {
      return integer(key, 0, 65535, "a TCP port number from 0 to 65535 (0 picks a free port)");
    }

    String host(String key) {
      String v = text(key);
      if (v != null && !v.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
        problems.add(key + "=\"" + v + "\" is not a host name or IP address, for example 0.0.0.0 or 127.0.0.1");
      }
      return v;
    }

    int integer(String key, int min, int max) {
      return integer(key, min, max, "a whole number from " + min + " to " + max);
    }

    int integer(String key, int min, int max, String form) {
      long v = longValue(key, min, max, form);
      return (int) v;
    }

    long longValue(String key, long min, long max) {
      return longValue(key, min, max, "a whole number from " + min + " to " + max);
    }

    long longValue(String key, long min, long max, String form) {
      String v = text(key);
      if (v == null) {
        return min;
      }
      try {
        long n = Long.parseLong(v.replace("_", ""));
        if (n < min || n > max) {
          problems.add(key + "=" + v + " is out of range: expected " + form);
          return min;
        }
        return n;
      } catch (NumberFormatException e) {
        problems.add(key + "=\"" + v + "\" is not valid: expected " + form);
        return min;
      }
    }

    boolean bool(String key) {
      String v = text(key);
      if (v == null) {
        return false;
      }
      switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1":
          return true;
        case "false", "no", "off", "0":
          return false;
        default:
          problems.add(key + "=\"" + v + "\" is not valid: expected true or false");
          return false;
      }
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) {
      String v = text(key);
      List<String> names = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        names.add(e.name().toLowerCase(Locale.ROOT));
        if (v != null && e.name().equalsIgnoreCase(v)) {
          return e;
        }
      }
      if (v != null) {
        problems.add(key + "=\"" + v + "\" is not valid: expected one of " + String.join(", ", names));
      }
      return type.getEnumConstants()[0];
    }

    PgConnectOptions pgUri(String key, String uri) {
      if (uri == null) {
        return null;
      }
      String form = "a URI such as postgresql://user:password@host:5432/database";
      if (!uri.startsWith("postgresql://") && !uri.startsWith("postgres://")) {
        problems.add(key + "=\"" + redact(uri) + "\" is not valid: expected " + form);
        return null;
      }
      try {
        PgConnectOptions o = PgConnectOptions.fromUri(uri);
        if (o.getDatabase() == null || o.getDatabase().isBlank()) {
          problems.add(key + "=\"" + redact(uri) + "\" names no database: expected " + form);
        }
        return o;
      } catch (RuntimeException e) {
        problems.add(key + "=\"" + redact(uri) + "\" is not valid (" + e.getMessage() + "): expected " + form);
        return null;
      }
    }
  }

  /** A URI with any password replaced, fit for logs. */
  public static String redact(String uri) {
    return uri == null ? null : uri.replaceAll("(://[^:/@]+:)[^@]*@", "$1****@");
  }
}
