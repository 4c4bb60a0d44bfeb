package io.pricewire.support;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pricewire.Gateway;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/** A whole gateway in this JVM, on free ports, with its own Vert.x and metrics registry. */
public final class TestGateway implements AutoCloseable {

  public final Vertx vertx;
  public final PrometheusMeterRegistry registry;
  public final Gateway gateway;

  private TestGateway(Vertx vertx, PrometheusMeterRegistry registry, Gateway gateway) {
    this.vertx = vertx;
    this.registry = registry;
    this.gateway = gateway;
  }

  /** Memory store unless the settings say otherwise. */
  public static TestGateway start(Map<String, String> settings) {
    return start(settings, java.time.Clock.systemUTC());
  }

  /** With a clock the test moves: it decides the markets' tax rules and rate staleness. */
  public static TestGateway start(Map<String, String> settings, java.time.Clock clock) {
    Map<String, String> all = new HashMap<>();
    all.put("PRICEWIRE_HTTP_PORT", "0");
    all.put("PRICEWIRE_OPS_PORT", "0");
    all.put("PRICEWIRE_HTTP_HOST", "127.0.0.1");
    all.put("PRICEWIRE_OPS_HOST", "127.0.0.1");
    all.put("PRICEWIRE_STORE", "memory");
    all.put("PRICEWIRE_DEMO", "false");
    // Tests of other behaviour run open; the security tests turn authentication on.
    all.put("PRICEWIRE_AUTH", "off");
    all.putAll(settings);
    PrometheusMeterRegistry registry = Gateway.newRegistry();
    Vertx vertx = Gateway.newVertx(registry);
    try {
      return new TestGateway(vertx, registry, Gateway.start(vertx, registry, all, clock).await());
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
  }

  public static TestGateway memory() {
    return start(Map.of());
  }

  public static TestGateway postgres(PostgresDatabase db) {
    return postgres(db, Map.of());
  }

  public static TestGateway postgres(PostgresDatabase db, Map<String, String> more) {
    Map<String, String> all = new HashMap<>(more);
    all.put("PRICEWIRE_STORE", "postgres");
    all.put("PRICEWIRE_PG_URI", db.uri());
    return start(all);
  }

  public int port() {
    return gateway.httpPort();
  }

  public int opsPort() {
    return gateway.opsPort();
  }

  @Override
  public void close() {
    try {
      gateway.stop().await();
    } finally {
      vertx.close().await();
    }
  }
}
