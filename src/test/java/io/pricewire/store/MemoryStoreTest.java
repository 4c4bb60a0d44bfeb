package io.pricewire.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.LedgerWrite;
import io.pricewire.offer.Interest;
import io.pricewire.offer.Offer;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("memory store contract")
class MemoryStoreTest extends StoreContract {

  private static Vertx vertx;
  private static MemoryStore store;

  @BeforeAll
  static void open() {
    vertx = Vertx.vertx();
    store = new MemoryStore();
    store.open().await();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Override
  protected Store store() {
    return store;
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Test
  @DisplayName("the record of category moves stays bounded, and a resume from beyond it gets the full state")
  void categoryMovesAreBounded() {
    MemoryStore small = new MemoryStore(50);
    String s = newSupplier();
    String home = "Home " + s;
    small.commit(List.of(write(s, "{\"sku\": \"w\", \"price\": \"1.00 CAD\", \"availability\": \"in_stock\", "
        + "\"category\": \"" + home + "\"}"), write(s, "{\"sku\": \"v\", \"price\": \"1.00 CAD\", "
        + "\"availability\": \"in_stock\", \"category\": \"" + home + "\"}"))).await();
    long start = small.head().await().seq();
    // An offer that wanders through a new category on every write would grow an unbounded record.
    for (int i = 0; i < 500; i++) {
      LedgerWrite move = write(s, inCategory("w", "Wander " + s + " " + i));
      small.commit(List.of(move)).await();
      assertThat(small.categoryMoves()).isLessThanOrEqualTo(50);
    }
    Interest wandered = categoryInterest("Wander " + s + " 3");
    Snapshot old = small.snapshot(wandered, start).await();
    assertThat(old.full()).as("the moves after that seq are no longer all known").isTrue();
    assertThat(old.offers()).as("the full state of the interest: nothing is in that category now").isEmpty();
    Snapshot homeSince = small.snapshot(categoryInterest(home), start).await();
    assertThat(homeSince.full()).isTrue();
    assertThat(homeSince.offers()).extracting(Offer::sku).as("the whole category, as after a new log")
        .containsExactly("v");
    long recent = small.head().await().seq() - 10;
    Snapshot exact = small.snapshot(categoryInterest("Wander " + s + " 495"), recent).await();
    assertThat(exact.full()).as("recent moves are still known exactly").isFalse();
    assertThat(exact.offers()).extracting(Offer::sku).containsExactly("w");
    assertThat(small.snapshot(new Interest(Set.of(), Set.of(s), Set.of()), start).await().full())
        .as("supplier and sku interests never need the record").isFalse();
  }
}
