package io.pricewire.cli;

import io.pricewire.auth.DevCredentials;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pricewire credentials}: prints the development credentials of a local gateway as shell
 * {@code export} lines, for {@code eval "$(java -jar target/pricewire.jar credentials)"}.
 */
@Command(name = "credentials", mixinStandardHelpOptions = true,
    description = {"Print the development credentials of a local gateway as shell exports:",
        "PRICEWIRE_ADMIN (admin token), PRICEWIRE_TOKEN (storefront token, all suppliers) and",
        "PRICEWIRE_KEY_<SUPPLIER> (supplier API keys). Use: eval \"$(java -jar target/pricewire.jar credentials)\""})
public final class CredentialsCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8080", description = "The gateway's public port (default: ${DEFAULT-VALUE}).")
  int port;

  private final PrintStream out;

  public CredentialsCommand() {
    this(System.out);
  }

  CredentialsCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    JsonObject creds = DevCredentials.read(port);
    if (creds == null) {
      System.err.println("No development credentials for port " + port + " at " + DevCredentials.file(port)
          + ": they exist only while a gateway with the memory store and no configured credentials runs there.");
      return 1;
    }
    out.println("export PRICEWIRE_ADMIN='" + creds.getString("admin_token") + "'");
    if (creds.getString("storefront_token") != null) {
      out.println("export PRICEWIRE_TOKEN='" + creds.getString("storefront_token") + "'");
    }
    creds.getJsonObject("supplier_keys").forEach(e -> out.println("export PRICEWIRE_KEY_"
        + e.getKey().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "='" + e.getValue() + "'"));
    return 0;
  }
}
