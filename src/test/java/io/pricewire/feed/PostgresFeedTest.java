package io.pricewire.feed;

import io.pricewire.support.PostgresDatabase;
import io.pricewire.support.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("live feed on PostgreSQL")
class PostgresFeedTest extends FeedContract {

  private static PostgresDatabase db;
  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    db = PostgresDatabase.create(PostgresFeedTest.class);
    gateway = TestGateway.postgres(db, Map.of("PRICEWIRE_FEED_SNAPSHOT_CHUNK", "3", "PRICEWIRE_EVENT_LOOPS", "2"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    db.close();
  }

  @Override
  protected boolean sharesSnapshotReads() {
    return true;
  }

  @Override
  protected TestGateway gateway() {
    return gateway;
  }
}
