package io.pricewire.feed;

import io.pricewire.support.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("live feed on the memory store")
class MemoryFeedTest extends FeedContract {

  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("PRICEWIRE_FEED_SNAPSHOT_CHUNK", "3", "PRICEWIRE_EVENT_LOOPS", "2"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Override
  protected TestGateway gateway() {
    return gateway;
  }
}
