package io.pricewire.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pricewire.ledger.LedgerFailure;
import io.pricewire.store.StoreUnavailableException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("failure answers")
class FailureTest {

  @Test
  @DisplayName("the store unavailable, however deep in the cause chain, is 503 store_unavailable with Retry-After")
  void storeUnavailable() {
    Failure f = Failure.of(new RuntimeException("wrapped", new StoreUnavailableException("PostgreSQL commit failed: "
        + "no answer within 5000 ms", null)), "the commit");
    assertThat(f.status()).isEqualTo(503);
    assertThat(f.code()).isEqualTo("store_unavailable");
    assertThat(f.retryAfter()).isEqualTo("2");
    assertThat(f.message()).startsWith("the commit failed: PostgreSQL commit failed: no answer within 5000 ms");
  }

  @Test
  @DisplayName("the ledger's answers map by their failure type and code, not by magic numbers")
  void ledgerReplies() {
    assertThat(Failure.of(new ReplyException(ReplyFailure.TIMEOUT, "timed out"), "the commit").status()).isEqualTo(503);
    assertThat(Failure.of(new ReplyException(ReplyFailure.NO_HANDLERS, "none"), "the commit").status()).isEqualTo(503);
    Failure overloaded = Failure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, LedgerFailure.OVERLOADED,
        "200000 writes waiting"), "the commit");
    assertThat(overloaded.status()).isEqualTo(429);
    assertThat(overloaded.code()).isEqualTo("ledger_overloaded");
    assertThat(overloaded.retryAfter()).isEqualTo("1");
    assertThat(Failure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, LedgerFailure.UNAVAILABLE, "down"),
        "the commit").code()).isEqualTo("store_unavailable");
  }

  @Test
  @DisplayName("a defect answers 500 internal error with an id that the log line carries, never the exception's text")
  void defect() {
    Logger logger = (Logger) LoggerFactory.getLogger(Failure.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      Failure f = Failure.of(new IllegalStateException("secret detail: row 17 of table offers"), "the commit");
      assertThat(f.status()).isEqualTo(500);
      assertThat(f.code()).isEqualTo("internal_error");
      assertThat(f.message()).doesNotContain("secret", "row 17", "IllegalState");
      String id = f.message().replaceAll(".*id ([0-9a-f]+).*", "$1");
      assertThat(id).hasSize(12);
      assertThat(appender.list).singleElement().satisfies(e -> {
        assertThat(e.getFormattedMessage()).contains(id);
        assertThat(e.getThrowableProxy().getMessage()).contains("secret detail");
      });
    } finally {
      logger.detachAppender(appender);
    }
  }
}
