package io.pricewire.feed;

import io.pricewire.auth.Authenticator;
import io.pricewire.http.ErrorBody;
import io.pricewire.http.Failure;
import io.pricewire.market.Market;
import io.pricewire.market.Projection;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.SupplierId;
import io.pricewire.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /v1/markets/{market}/suppliers/{supplier}/offers/{sku}}: one offer as a market shows
 * it, for a storefront (its token must cover the supplier): the offer as stored, with the
 * {@code market} object of {@link Projection} (converted prices, estimated import tax, landed
 * price, the rate used, the title in the market's locale).
 */
public final class MarketApi {

  private final Store store;
  private final Map<String, Market> markets;
  private final Authenticator auth;
  private final Clock clock;

  public MarketApi(Store store, Map<String, Market> markets, Authenticator auth, Clock clock) {
    this.store = store;
    this.markets = Map.copyOf(markets);
    this.auth = auth;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.get("/v1/markets/:market/suppliers/:supplier/offers/:sku").handler(this::read);
  }

  private void read(RoutingContext ctx) {
    Market market = markets.get(ctx.pathParam("market"));
    if (market == null) {
      ErrorBody.send(ctx.response(), 404, "unknown_market", "no market \"" + ctx.pathParam("market")
          + "\"; markets: " + new TreeSet<>(markets.keySet()));
      return;
    }
    String supplier = ctx.pathParam("supplier");
    if (!SupplierId.valid(supplier)) {
      ErrorBody.send(ctx.response(), 400, "invalid_supplier", "\"" + supplier + "\" is not a supplier id: "
          + SupplierId.RULE);
      return;
    }
    String sku = ctx.pathParam("sku").strip();
    auth.storefront(ctx.request()).onComplete(scope -> {
      if (scope.failed()) {
        FeedApi.refuse(ctx.request(), scope.cause());
        return;
      }
      if (!scope.result().allowsMarket(market.id())) {
        ErrorBody.send(ctx.response(), 403, "forbidden_market", "the token does not cover market " + market.id());
        return;
      }
      if (!scope.result().allows(supplier)) {
        ErrorBody.send(ctx.response(), 403, "forbidden_supplier", "the token does not cover supplier " + supplier);
        return;
      }
      store.find(new OfferKey(supplier, sku)).compose(offer -> offer == null ? Future.succeededFuture(null)
          : store.rates().latest().compose(rates -> {
            try {
              return Future.succeededFuture(answer(offer, market, rates));
            } catch (Projection.NoRate e) {
              return Future.failedFuture(e);
            }
          })).onComplete(ar -> {
        if (ar.failed() && ar.cause() instanceof Projection.NoRate e) {
          ErrorBody.send(ctx.response(), 409, "no_fx_rate", e.getMessage());
        } else if (ar.failed()) {
          Failure.of(ar.cause(), "reading the offer").send(ctx.response());
        } else if (ar.result() == null) {
          ErrorBody.send(ctx.response(), 404, "offer_not_found", "supplier " + supplier + " has no offer with sku \""
              + sku + "\"");
        } else {
          ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(ar.result().encode());
        }
      });
    });
  }

  private JsonObject answer(Offer offer, Market market, Map<String, io.pricewire.market.FxRate> rates)
      throws Projection.NoRate {
    return offer.toJson().put("market", Projection.of(offer, market, rates, clock.instant()));
  }
}
