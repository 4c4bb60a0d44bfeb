package io.pricewire.bench;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where the gateway under test listens and how to get credentials from it: options shared by the bench commands. */
final class GatewayOptions {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--ops-url", defaultValue = "http://127.0.0.1:8081", description = "Gateway ops URL: admin API, health "
      + "and metrics (default: ${DEFAULT-VALUE}).")
  URI opsUrl;

  @Option(names = "--admin-token", description = "Admin token, to create the supplier keys and storefront tokens the bench "
      + "uses (default: $PRICEWIRE_ADMIN, else a local development gateway's; none: the gateway must run with "
      + "PRICEWIRE_AUTH=off).")
  String adminToken;
}
