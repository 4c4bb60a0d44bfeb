package io.pricewire.store;

import io.vertx.core.Vertx;
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
}
