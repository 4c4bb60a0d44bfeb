package io.pricewire.demo;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The demo storefront on the public port, while the demo runs: the page and its assets at
 * {@code /demo/} (from the jar), {@code /demo/catalog.json} (the marketplace's product list, as a
 * shop's own catalog would give it; live prices and stock come from the feed) and
 * {@code /demo/config.json} (what the page needs to start).
 *
 * <p>The config carries the development storefront token only to a browser on this machine that
 * addresses the gateway by a loopback name: a page of another site that a browser here opens
 * cannot read it through a DNS name that resolves to 127.0.0.1, because its Host header names
 * that site. Everywhere else the page asks for a token.
 */
public final class DemoPage {

  private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

  private final Supplier<String> developmentToken;
  private final String catalog;

  /**
   * @param developmentToken the generated storefront token, or null when credentials are configured
   * @param catalogOffers offers of the marketplace catalog
   */
  public DemoPage(Supplier<String> developmentToken, int catalogOffers) {
    this.developmentToken = developmentToken;
    this.catalog = catalogJson(DemoCatalog.marketplace(catalogOffers));
  }

  public void mount(Router router) {
    // The route "/demo" matches "/demo/" too: redirect only the path without the slash.
    router.get("/demo").handler(ctx -> {
      if ("/demo".equals(ctx.request().path())) {
        ctx.redirect("/demo/");
      } else {
        ctx.next();
      }
    });
    router.get("/demo/config.json").handler(this::config);
    router.get("/demo/catalog.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .end(catalog));
    router.get("/demo/*").handler(StaticHandler.create("web/demo")
        .setIndexPage("index.html")
        .setCachingEnabled(false)
        .setDefaultContentEncoding("UTF-8"));
  }

  private void config(RoutingContext ctx) {
    String token = developmentToken.get();
    JsonObject config = new JsonObject()
        .put("token", token != null && sameMachine(ctx.request()) ? token : null)
        .put("suppliers", new JsonArray(DemoCatalog.suppliers()))
        .put("catalog_supplier", DemoCatalog.MARKETPLACE)
        .put("markets", new JsonArray().add("ca").add("cn-cbec"));
    ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(config.encode());
  }

  /** The client is on this machine and names the gateway by a loopback host. */
  static boolean sameMachine(HttpServerRequest request) {
    if (request.remoteAddress() == null || request.remoteAddress().hostAddress() == null) {
      return false;
    }
    String address = request.remoteAddress().hostAddress();
    boolean loopback = address.startsWith("127.") || "0:0:0:0:0:0:0:1".equals(address) || "::1".equals(address);
    String host = request.getHeader("Host");
    if (!loopback || host == null) {
      return false;
    }
    String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
        : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
    return LOOPBACK_HOSTS.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  private static String catalogJson(List<DemoCatalog.Item> items) {
    JsonArray offers = new JsonArray();
    for (DemoCatalog.Item item : items) {
      offers.add(new JsonObject()
          .put("sku", item.sku())
          .put("title", new JsonObject().put("en", item.en()).put("zh-CN", item.zh()))
          .put("category", item.category()));
    }
    return new JsonObject().put("supplier", DemoCatalog.MARKETPLACE).put("offers", offers).encode();
  }
}
