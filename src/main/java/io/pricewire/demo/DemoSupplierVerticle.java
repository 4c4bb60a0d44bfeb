package io.pricewire.demo;

import io.pricewire.ledger.Addresses;
import io.pricewire.ledger.CommitRequest;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.OfferWrite;
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

  private final long intervalMs;
  private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
  private final Map<String, Long> priceMicros = new HashMap<>();
  private final Map<String, Long> quantity = new HashMap<>();
  private long timer = -1;

  public DemoSupplierVerticle(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  /** The context this verticle runs on, for the event-loop watch. */
  public io.vertx.core.Context context() {
    return context;
  }

  @Override
  public Future<?> start() {
    List<LedgerWrite> seed = new ArrayList<>();
    for (DemoCatalog.Item item : DemoCatalog.ITEMS) {
      OfferWrite w = item.write();
      priceMicros.put(key(item), w.price().micros());
      quantity.put(key(item), item.quantity());
      seed.add(new LedgerWrite(item.supplier(), w, System.nanoTime()));
    }
    return vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(seed)).map(reply -> {
      log.info("Demo catalog seeded: {} offers from {} suppliers; a simulated supplier now changes prices and stock "
          + "every {} ms", seed.size(), DemoCatalog.ITEMS.stream().map(DemoCatalog.Item::supplier).distinct().count(),
          intervalMs);
      timer = vertx.setPeriodic(intervalMs, t -> tick());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    DemoCatalog.Item item = DemoCatalog.ITEMS.get(random.nextInt(DemoCatalog.ITEMS.size()));
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
        new CommitRequest(List.of(new LedgerWrite(item.supplier(), write, System.nanoTime()))))
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
