package io.pricewire.cli;

import io.pricewire.offer.Offer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pricewire watch}: a terminal feed client. Subscribes, prints the snapshot, then one line
 * per update. On a lost connection it reconnects and resumes from the last seq it printed, so it
 * also shows how a storefront should behave.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = {"Subscribe to the live feed and print every update as it comes.",
        "Without --suppliers, --skus or --categories, watches the demo suppliers."})
public final class WatchCommand implements Callable<Integer> {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final List<String> DEMO_SUPPLIERS = List.of("atlantic-seafood", "okanagan-orchards", "prairie-beef",
      "laurentian-maple", "niagara-icewine", "pacific-apparel");

  @Option(names = "--url", defaultValue = "ws://localhost:8080/v1/feed", description = "Feed URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--suppliers", split = ",", paramLabel = "ID", description = "Whole suppliers to watch.")
  List<String> suppliers = List.of();

  @Option(names = "--skus", split = ",", paramLabel = "SUPPLIER:SKU", description = "Single offers to watch.")
  List<String> skus = List.of();

  @Option(names = "--categories", split = ",", paramLabel = "CATEGORY", description = "Categories to watch.")
  List<String> categories = List.of();

  @Option(names = "--locale", defaultValue = "en", description = "Title locale to show, e.g. zh-CN (default: ${DEFAULT-VALUE}).")
  String locale;

  @Option(names = "--market", paramLabel = "ID", description = "Show prices as this market does, e.g. cn-cbec: CNY "
      + "landed price with the estimated import tax, the title in its locale.")
  String market;

  @Option(names = "--count", defaultValue = "0", description = "Exit after this many updates (0: run until stopped).")
  long count;

  @Option(names = "--token", description = "Storefront token (default: $PRICEWIRE_TOKEN, else the development token of "
      + "a local gateway on that port).")
  String token;

  private final PrintStream out;
  private final Map<String, Offer> offers = new HashMap<>();
  /** The market object of each offer, with --market. */
  private final Map<String, JsonObject> projections = new HashMap<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private String epoch;
  private long seq = -1;
  private long updates;
  private Vertx vertx;
  private WebSocketClient client;

  public WatchCommand() {
    this(System.out);
  }

  /** @param out where the feed is printed */
  public WatchCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws InterruptedException {
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 * 1024 * 1024)
        .setMaxFrameSize(1024 * 1024));
    connect();
    done.await();
    vertx.close();
    return 0;
  }

  private String token(int port) {
    if (token != null) {
      return token;
    }
    String env = System.getenv("PRICEWIRE_TOKEN");
    if (env != null && !env.isBlank()) {
      return env;
    }
    var dev = io.pricewire.auth.DevCredentials.read(port);
    return dev == null ? null : dev.getString("storefront_token");
  }

  private void connect() {
    boolean tls = "wss".equals(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost()).setPort(port)
        .setSsl(tls).setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()))
        .setAllowOriginHeader(false);
    String bearer = token(port);
    if (bearer != null) {
      options.addHeader("Authorization", "Bearer " + bearer);
    }
    client.connect(options).onSuccess(this::subscribe).onFailure(e -> {
      if (e instanceof io.vertx.core.http.UpgradeRejectedException r && (r.getStatus() == 401 || r.getStatus() == 403)) {
        out.println("! the gateway refused the connection (" + r.getStatus() + "): pass a storefront token with --token "
            + "or PRICEWIRE_TOKEN");
        done.countDown();
        return;
      }
      out.println("! cannot connect to " + url + ": " + e.getMessage() + "; retrying in 2 s");
      vertx.setTimer(2000, t -> connect());
    });
  }

  private void subscribe(WebSocket ws) {
    JsonObject sub = new JsonObject().put("op", "subscribe").put("id", "watch")
        .put("suppliers", new JsonArray(suppliers.isEmpty() && skus.isEmpty() && categories.isEmpty()
            ? DEMO_SUPPLIERS : suppliers))
        .put("skus", new JsonArray(skus))
        .put("categories", new JsonArray(categories));
    if (market != null) {
      sub.put("market", market);
    }
    if (epoch != null) {
      sub.put("since", new JsonObject().put("epoch", epoch).put("seq", seq));
    }
    ws.textMessageHandler(text -> onFrame(ws, sub, new JsonObject(text)));
    ws.closeHandler(v -> {
      out.println("! connection closed (" + ws.closeStatusCode() + " " + ws.closeReason() + "); resuming");
      vertx.setTimer(1000, t -> connect());
    });
    ws.writeTextMessage(sub.encode());
    out.println("# connected to " + url + (epoch == null ? "" : ", resuming after seq " + seq));
  }

  private void onFrame(WebSocket ws, JsonObject subscribe, JsonObject frame) {
    switch (frame.getString("type", "")) {
      case "snapshot" -> {
        epoch = frame.getString("epoch");
        seq = Math.max(seq, frame.getLong("seq"));
        JsonArray list = frame.getJsonArray("offers");
        if (frame.getBoolean("reset", false)) {
          offers.clear();
          projections.clear();
          out.println("# starting over (a new change log, or the market re-priced while away): the full state");
        }
        out.printf("# snapshot at seq %d: %d offer(s)%s%n", frame.getLong("seq"), list.size(),
            frame.getBoolean("resumed", false) ? " changed while away" : "");
        for (int i = 0; i < list.size(); i++) {
          JsonObject json = list.getJsonObject(i);
          Offer o = Offer.fromJson(json);
          offers.put(o.key().toString(), o);
          keepProjection(o, json);
          out.println("  " + describe(o));
        }
      }
      case "update" -> {
        seq = frame.getLong("seq");
        update(frame.getJsonObject("offer"), frame.getJsonArray("changed"));
      }
      case "updates" -> {
        seq = frame.getLong("seq");
        for (Object u : frame.getJsonArray("updates")) {
          JsonObject entry = (JsonObject) u;
          update(entry.getJsonObject("offer"), entry.getJsonArray("changed"));
        }
      }
      case "error" -> {
        out.println("! " + frame.getString("code") + ": " + frame.getString("message"));
        String code = frame.getString("code", "");
        if (code.equals("no_fx_rate") || code.equals("store_unavailable")) {
          // Not for ever: a rate is posted, the store comes back.
          out.println("# subscribing again in 2 s");
          vertx.setTimer(2000, t -> ws.writeTextMessage(subscribe.encode()));
        }
      }
      default -> {
      }
    }
  }

  private void update(JsonObject json, JsonArray changed) {
    Offer o = Offer.fromJson(json);
    Offer before = offers.put(o.key().toString(), o);
    keepProjection(o, json);
    out.printf("%s  #%-6d %-40s %s%n", LocalTime.now().format(TIME), seq, o.key(), change(before, o, changed));
    if (count > 0 && ++updates >= count) {
      done.countDown();
    }
  }

  private void keepProjection(Offer o, JsonObject json) {
    JsonObject m = json.getJsonObject("market");
    if (m != null) {
      projections.put(o.key().toString(), m);
    }
  }

  private String describe(Offer o) {
    return String.format("%-40s %12s  %-20s %5s  %s", o.key(), price(o), o.availability().wireName(),
        o.quantity() == null ? "" : o.quantity(), title(o));
  }

  /** The price as the watched market shows it: the landed price with the estimated tax, or the offer's. */
  private String price(Offer o) {
    JsonObject m = projections.get(o.key().toString());
    if (m == null) {
      return String.valueOf(o.price());
    }
    if (m.getJsonObject("error") != null) {
      return "(" + m.getJsonObject("error").getString("code") + ")";
    }
    JsonObject landed = m.getJsonObject("landed_price");
    JsonObject tax = m.getJsonObject("tax");
    if (landed == null || tax == null) {
      return "";
    }
    String rate = new java.math.BigDecimal(tax.getString("rate")).movePointRight(2).stripTrailingZeros().toPlainString();
    return landed.getString("amount") + " " + landed.getString("currency") + " (tax " + rate + "% "
        + tax.getJsonObject("amount").getString("amount") + (m.getBoolean("fx_stale", false) ? ", rate stale" : "")
        + ")";
  }

  private String change(Offer before, Offer o, JsonArray changed) {
    StringBuilder sb = new StringBuilder();
    for (Object f : changed) {
      switch (String.valueOf(f)) {
        case "price" -> sb.append("price ").append(before == null ? "" : before.price().amount() + " -> ")
            .append(o.price()).append("  ");
        case "market" -> sb.append("landed ").append(price(o)).append("  ");
        case "availability" -> sb.append(o.availability() == io.pricewire.offer.Availability.OUT_OF_STOCK
            ? "SOLD OUT  " : "availability " + o.availability().wireName() + "  ");
        case "quantity" -> sb.append("qty ").append(before == null || before.quantity() == null ? ""
            : before.quantity() + " -> ").append(o.quantity()).append("  ");
        default -> sb.append(f).append("  ");
      }
    }
    return sb.append(title(o)).toString();
  }

  private String title(Offer o) {
    JsonObject m = projections.get(o.key().toString());
    if (m != null && m.getString("title") != null) {
      return m.getString("title");
    }
    String t = o.titles().get(locale);
    return t != null ? t : o.titles().isEmpty() ? "" : o.titles().values().iterator().next();
  }
}
