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

/**
 * {@code GET /v1/markets/{market}/suppliers/{supplier}/offers/{sku}}: one offer as a market shows
 * it, for a storefront (its token must cover the supplier): the offer as stored, with the
 * {@code market} object of {@link Projection} (converted prices, estimated import tax, landed
 * price, the rate used, the title in the market's locale).
 */
public final class MarketApi {

  private final Store store;
  private final MarketView markets;
  private final Authenticator auth;

  /** @param hub the feed of this event loop: the answer projects with the inputs its clients have */
  public MarketApi(Store store, FeedHub hub, Authenticator auth) {
    this.store = store;
    this.markets = hub.markets();
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/v1/markets/:market/suppliers/:supplier/offers/:sku").handler(this::read);
  }

  private void read(RoutingContext ctx) {
    Market market = markets.market(ctx.pathParam("market"));
    if (market == null) {
      ErrorBody.send(ctx.response(), 404, "unknown_market", "no market \"" + ctx.pathParam("market")
          + "\"; markets: " + markets.known());
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
      store.find(new OfferKey(supplier, sku)).compose(offer -> {
        if (offer == null) {
          return Future.succeededFuture(null);
        }
        try {
          return Future.succeededFuture(answer(offer, market));
        } catch (Projection.NoRate e) {
          return Future.failedFuture(e);
        }
      }).onComplete(ar -> {
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

  private JsonObject answer(Offer offer, Market market) throws Projection.NoRate {
    var inputs = markets.inputs();
    return offer.toJson().put("market", Projection.of(offer, market, inputs.rates(), inputs.at()));
  }
}
