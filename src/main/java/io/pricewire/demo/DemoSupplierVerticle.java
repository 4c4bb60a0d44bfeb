package io.pricewire.demo;

import io.pricewire.changelog.LedgerWrite;
import io.pricewire.ledger.Addresses;
import io.pricewire.ledger.CommitRequest;
import io.pricewire.ledger.MarketChecks;
import io.pricewire.market.FxRate;
import io.pricewire.market.Projection;
import io.pricewire.market.Ratio;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.OfferWrite;
import io.pricewire.store.RateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated supplier for trying the gateway: seeds {@link DemoCatalog}, then every interval
 * moves a price, sells some stock (selling out at zero) or restocks. Writes go through the ledger
 * like any ingest request.
 *
 * <p>Sends to {@link Addresses#LEDGER_COMMIT}.
 */
public final class DemoSupplierVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(DemoSupplierVerticle.class);

  /** Where the demo's moving CAD/CNY rate starts, and how often it moves. */
  static final String DEMO_RATE = "5.1000";
  static final long RATE_INTERVAL_MS = 60_000;
  static final String DEMO_RATE_SOURCE = "demo rate (simulated, not a quote)";

  private final long intervalMs;
  private final List<DemoCatalog.Item> marketplace;
  private final RateStore rates;
  private final java.time.Clock clock;
  private java.math.BigDecimal rate = new java.math.BigDecimal(DEMO_RATE);
  private long rateTimer = -1;
  private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
  private final Map<String, Long> priceMicros = new HashMap<>();
  private final Map<String, Long> quantity = new HashMap<>();
  private long timer = -1;

  /**
   * @param catalogOffers offers of the larger catalog ({@link DemoCatalog#marketplace})
   * @param rates where the demo's CAD/CNY rate goes, so that the cn-cbec market has one
   */
  public DemoSupplierVerticle(long intervalMs, int catalogOffers, RateStore rates, java.time.Clock clock) {
    this.intervalMs = intervalMs;
    this.marketplace = DemoCatalog.marketplace(catalogOffers);
    this.rates = rates;
    this.clock = clock;
  }

  /** The context this verticle runs on, for the event-loop watch. */
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public Future<?> start() {
    List<LedgerWrite> seed = new ArrayList<>();
    List<DemoCatalog.Item> all = new ArrayList<>(DemoCatalog.ITEMS);
    all.addAll(marketplace);
    for (DemoCatalog.Item item : all) {
      OfferWrite w = item.write();
      priceMicros.put(key(item), w.price().micros());
      quantity.put(key(item), item.quantity());
      seed.add(new LedgerWrite(item.supplier(), w, System.nanoTime()));
    }
    // In requests of at most a thousand writes, as ingest would send them.
    Future<?> seeded = Future.succeededFuture();
    for (int from = 0; from < seed.size(); from += 1000) {
      List<LedgerWrite> part = seed.subList(from, Math.min(seed.size(), from + 1000));
      seeded = seeded.compose(v -> vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(part),
          Addresses.LOCAL));
    }
    return seeded.compose(reply -> publishRate()).map(reply -> {
      log.info("Demo catalog seeded: {} offers from {} suppliers and {} of {}; a simulated supplier now changes "
          + "prices and stock every {} ms (the storefront: /demo/)", DemoCatalog.ITEMS.size(),
          DemoCatalog.suppliers().size(), marketplace.size(), DemoCatalog.MARKETPLACE, intervalMs);
      timer = vertx.setPeriodic(intervalMs, t -> tick());
      rateTimer = vertx.setPeriodic(RATE_INTERVAL_MS, t -> moveRate());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(rateTimer);
    return Future.succeededFuture();
  }

  /** Moves the demo rate by up to 0.3% either way, to 4 decimal places. */
  private void moveRate() {
    java.math.BigDecimal step = java.math.BigDecimal.valueOf(random.nextInt(61) - 30, 4);
    rate = rate.multiply(java.math.BigDecimal.ONE.add(step)).setScale(4, java.math.RoundingMode.HALF_UP);
    publishRate().onFailure(e -> log.debug("Demo rate not kept: {}", e.getMessage()));
  }

  private Future<Void> publishRate() {
    java.time.Instant now = clock.instant();
    return rates.add(List.of(new FxRate("CAD", "CNY", Ratio.of(rate), rate.toPlainString(),
        now.atZone(Projection.CHINA).toLocalDate(), DEMO_RATE_SOURCE, now)))
        .compose(v -> MarketChecks.ask(vertx)).mapEmpty();
  }

  /** Changes one offer of the small catalog and, when there is one, one of the marketplace. */
  private void tick() {
    move(DemoCatalog.ITEMS.get(random.nextInt(DemoCatalog.ITEMS.size())));
    if (!marketplace.isEmpty()) {
      move(marketplace.get(random.nextInt(marketplace.size())));
    }
  }

  private void move(DemoCatalog.Item item) {
    String key = key(item);
    long qty = quantity.get(key);
    OfferWrite write;
    int roll = random.nextInt(10);
    if (qty == 0 && roll < 3) {
      long restock = 20 + random.nextInt(100);
      quantity.put(key, restock);
      write = stock(item, restock, Availability.IN_STOCK);
    } else if (roll < 6 && qty > 0) {
      long sold = Math.min(qty, 1 + random.nextInt(Math.max(1, (int) Math.min(qty, 40))));
      long left = qty - sold;
      quantity.put(key, left);
      write = stock(item, left, left == 0 ? Availability.OUT_OF_STOCK
          : left < 10 ? Availability.LIMITED_AVAILABILITY : Availability.IN_STOCK);
    } else {
      long micros = priceMicros.get(key);
      // Move by -3%..+3% and round to the cent.
      long next = Math.max(10_000, Math.round(micros * (1 + (random.nextDouble() - 0.5) * 0.06) / 10_000.0) * 10_000);
      priceMicros.put(key, next);
      write = new OfferWrite(item.sku(), EnumSet.of(Field.PRICE), new Money(next, item.currency()), null, null,
          null, null, null, null, null, null, null);
    }
    vertx.eventBus().request(Addresses.LEDGER_COMMIT,
        new CommitRequest(List.of(new LedgerWrite(item.supplier(), write, System.nanoTime()))), Addresses.LOCAL)
        .onFailure(e -> log.debug("Demo write not committed: {}", e.getMessage()));
  }

  private static OfferWrite stock(DemoCatalog.Item item, long qty, Availability availability) {
    return new OfferWrite(item.sku(), EnumSet.of(Field.QUANTITY, Field.AVAILABILITY), null, null, availability,
        qty, null, null, null, null, null, null);
  }

  private static String key(DemoCatalog.Item item) {
    return item.supplier() + ":" + item.sku();
  }
}
