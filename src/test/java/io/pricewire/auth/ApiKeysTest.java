package io.pricewire.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.store.MemoryKeyStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("supplier API keys")
class ApiKeysTest {

  @Test
  @DisplayName("made-up keys presented without end cost store reads, never memory; real keys still work")
  void cacheIsBounded() {
    ApiKeys keys = new ApiKeys(new MemoryKeyStore(), 500);
    ApiKeys.Created real = keys.create("atlantic-seafood", "test").await();
    assertThat(keys.supplierOf(real.key()).await()).isEqualTo("atlantic-seafood");
    for (int i = 0; i < 20_000; i++) {
      assertThat(keys.supplierOf(ApiKeys.randomSecret("pwk_", 24)).await()).isNull();
      assertThat(keys.cachedChecks()).isLessThanOrEqualTo(500);
    }
    assertThat(keys.supplierOf(real.key()).await()).isEqualTo("atlantic-seafood");
    keys.revoke("atlantic-seafood", real.id()).await();
    assertThat(keys.supplierOf(real.key()).await()).as("a revocation on this node applies at once").isNull();
  }
}
