package io.pricewire.bench;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where the gateway under test listens and how to get credentials from it: options shared by the bench commands. */
final class GatewayOptions {

  static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8080");

  @Option(names = "--url", description = "Where the gateway (or, for fanout, the --target) listens (default: "
      + "http://127.0.0.1:8080; fanout's peers: broadcaster http://127.0.0.1:9100, nats ws://127.0.0.1:9222, socketio "
      + "http://127.0.0.1:9300).")
  private URI url;

  @Option(names = "--ops-url", defaultValue = "http://127.0.0.1:8081", description = "Gateway ops URL: admin API, health "
      + "and metrics (default: ${DEFAULT-VALUE}).")
  URI opsUrl;

  @Option(names = "--admin-token", description = "Admin token, to create the supplier keys and storefront tokens the bench "
      + "uses (default: $PRICEWIRE_ADMIN, else a local development gateway's; none: the gateway must run with "
      + "PRICEWIRE_AUTH=off).")
  String adminToken;

  /** The gateway's base URL. */
  URI url() {
    return urlOr(DEFAULT_URL);
  }

  /** The URL given, or this one. */
  URI urlOr(URI fallback) {
    return url != null ? url : fallback;
  }
}
