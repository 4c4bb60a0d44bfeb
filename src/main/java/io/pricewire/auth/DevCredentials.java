package io.pricewire.auth;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Development credentials for the embedded default run: generated at start when none are
 * configured, printed, and written to a file only the user can read, where {@code pricewire watch},
 * {@code pricewire credentials} and the bench tools find them. They die with the process.
 */
public final class DevCredentials {

  private static final Logger log = LoggerFactory.getLogger(DevCredentials.class);

  private DevCredentials() {
  }

  /** Where the credentials of a gateway on this HTTP port are written. */
  public static Path file(int httpPort) {
    return Path.of(System.getProperty("java.io.tmpdir"), "pricewire-dev-" + httpPort + ".json");
  }

  public static JsonObject describe(String adminToken, String storefrontToken, Map<String, String> supplierKeys,
      int httpPort, int opsPort) {
    return new JsonObject()
        .put("http_port", httpPort)
        .put("ops_port", opsPort)
        .put("admin_token", adminToken)
        .put("storefront_token", storefrontToken)
        .put("supplier_keys", new JsonObject(new TreeMap<>(supplierKeys)));
  }

  public static void publish(JsonObject credentials) {
    Path path = file(credentials.getInteger("http_port"));
    try {
      Files.deleteIfExists(path);
      Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(path, credentials.encodePrettily(), StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      path.toFile().deleteOnExit();
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("Could not write development credentials to {}: {}", path, e.getMessage());
    }
    StringBuilder keys = new StringBuilder();
    credentials.getJsonObject("supplier_keys").forEach(e -> keys.append("\n    ").append(e.getKey()).append(": ")
        .append(e.getValue()));
    log.warn("""
        Development credentials (generated because none are configured; valid until this process exits):
          admin token (ops port, admin API):  {}
          storefront token (feed, all suppliers, 24 h):
            {}
          supplier API keys (ingest):{}
          `pricewire watch` and the bench tools on this machine pick them up from {};
          `eval "$(java -jar target/pricewire.jar credentials)"` exports them to a shell.""",
        credentials.getString("admin_token"), credentials.getString("storefront_token"), keys, path);
  }

  /** The credentials a local gateway on this port published, or null. */
  public static JsonObject read(int httpPort) {
    Path path = file(httpPort);
    try {
      return Files.isReadable(path) ? new JsonObject(Files.readString(path)) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
