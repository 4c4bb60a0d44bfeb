package io.pricewire.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.market.FxRate;
import io.pricewire.market.Market;
import io.pricewire.market.MarketsFile;
import io.pricewire.market.Ratio;
import io.pricewire.offer.OfferParser;
import io.pricewire.store.MemoryStore;
import io.pricewire.support.TestClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ledger's market events: logged when the stored rates or the rules in force differ from the
 * last event (checked on request, at start, and at the next boundary), each with its seq in the
 * order of the log, and published there. The clock is the test's.
 */
@DisplayName("market events in the ledger")
class MarketEventsTest {

  private Vertx vertx;
  private MemoryStore store;
  private TestClock clock;
  private final List<ChangeBatch> published = new CopyOnWriteArrayList<>();
  private Map<String, Market> markets;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    LocalCodec.register(vertx.eventBus(), CommitRequest.class, CommitReply.class, ChangeBatch.class);
    store = new MemoryStore();
    markets = MarketsFile.load();
    // Half an hour before 2027-01-01 in China: the suspension for lobster and crab ends then.
    clock = new TestClock(Instant.parse("2026-12-31T15:30:00Z"));
    vertx.eventBus().<ChangeBatch>localConsumer(Addresses.CHANGES, m -> published.add(m.body()));
    vertx.deployVerticle(new LedgerVerticle(store, 100, 1000, new SimpleMeterRegistry(),
        new MarketWatch(markets.values(), clock), Peers.NONE)).await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static FxRate rate(String rate, String day) {
    Instant at = LocalDate.parse(day).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
    return new FxRate("CAD", "CNY", Ratio.of(new BigDecimal(rate)), rate, LocalDate.parse(day), "test", at);
  }

  private long check() {
    return MarketChecks.ask(vertx).await();
  }

  private void commit(String sku, String price) {
    var parsed = OfferParser.fromJson(new JsonObject().put("sku", sku).put("price", price + " CAD")
        .put("availability", "in_stock"), new HashSet<>());
    vertx.eventBus().request(Addresses.LEDGER_COMMIT, new CommitRequest(List.of(
        new LedgerWrite("s", parsed.write(), System.nanoTime())))).await();
  }

  private void awaitPublished(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (published.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(published).hasSize(n);
  }

  @Test
  @DisplayName("a new rate in force is logged once, between commits, in seq order; the same rate again is not")
  void rateEvents() throws Exception {
    assertThat(check()).as("no rate, rules as at start: nothing to log").isEqualTo(-1);
    commit("a", "1.00");
    store.rates().add(List.of(rate("5.10", "2026-12-30"))).await();
    long seq = check();
    assertThat(seq).isEqualTo(2);
    commit("a", "2.00");
    awaitPublished(3);
    assertThat(published.get(1).event()).isNotNull();
    assertThat(published.get(1).event().markets()).containsExactly("cn-cbec");
    assertThat(published.get(1).event().reason()).contains("CAD/CNY 5.10");
    assertThat(published.get(1).firstSeq()).isEqualTo(2);
    assertThat(published.get(2).firstSeq()).isEqualTo(3);
    assertThat(check()).as("nothing new").isEqualTo(-1);
    store.rates().add(List.of(rate("5.10", "2026-12-29"))).await();
    assertThat(check()).as("an older day's rate is not the one in force").isEqualTo(-1);
    assertThat(store.marketLog().await().lastSeqByMarket()).containsEntry("cn-cbec", 2L);
  }

  @Test
  @DisplayName("a tax rule ending at midnight in China is logged when the clock passes it, and only then")
  void ruleBoundary() throws Exception {
    store.rates().add(List.of(rate("5.10", "2026-12-31"))).await();
    long first = check();
    assertThat(first).isPositive();
    clock.set(Instant.parse("2026-12-31T15:59:59Z"));
    assertThat(check()).as("still 2026-12-31 in China").isEqualTo(-1);
    clock.set(Instant.parse("2026-12-31T16:00:01Z"));
    long boundary = check();
    assertThat(boundary).isEqualTo(first + 1);
    var log = store.marketLog().await();
    assertThat(log.last().reason()).contains("rules of 2027-01-01");
    assertThat(log.last().inputs().at()).isEqualTo(Instant.parse("2026-12-31T16:00:01Z"));
  }

  @Test
  @DisplayName("a rate that turns stale is an event too; the watch sleeps until the next boundary")
  void staleness() {
    store.rates().add(List.of(rate("5.10", "2026-12-28"))).await();
    assertThat(check()).isPositive();
    MarketWatch watch = new MarketWatch(markets.values(), clock);
    watch.start(store).await();
    // 2026-12-28 starts at 16:00 UTC the day before in China; 4 days later it is stale.
    Instant staleAt = Instant.parse("2026-12-27T16:00:00Z").plus(Duration.ofDays(4));
    assertThat(watch.sleepMs()).as("until the suspension ends at 2026-12-31T16:00Z, the earlier boundary")
        .isEqualTo(Duration.between(clock.instant(), Instant.parse("2026-12-31T16:00:00Z")).toMillis() + 1);
    clock.set(staleAt.plusSeconds(1));
    assertThat(check()).isPositive();
    assertThat(store.marketLog().await().last().reason()).contains("rules of 2027-01-01");
    clock.set(Instant.parse("2026-12-31T15:00:00Z"));
  }
}
