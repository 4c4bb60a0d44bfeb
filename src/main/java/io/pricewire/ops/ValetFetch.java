package io.pricewire.ops;

import io.pricewire.market.FxRate;
import io.pricewire.ledger.MarketChecks;
import io.pricewire.market.Valet;
import io.pricewire.store.RateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the Bank of Canada's Valet FXCNYCAD observations from a configured URL
 * ({@code PRICEWIRE_FX_VALET_URL}) once per business day and keeps the rates, as
 * {@code POST /admin/fx/valet} does. The Bank publishes its daily rates by 16:30 Eastern time;
 * the fetch runs at start, then at {@link #DAILY_AT} Toronto time each weekday. A failed fetch (the
 * server unreachable, an error status, a malformed file) is logged and retried after 1 minute,
 * doubling up to 1 hour, until one succeeds; the last good rate stays in force meanwhile.
 */
public final class ValetFetch extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ValetFetch.class);

  public static final ZoneId TORONTO = ZoneId.of("America/Toronto");
  public static final LocalTime DAILY_AT = LocalTime.of(17, 0);
  static final Duration FIRST_RETRY = Duration.ofMinutes(1);
  static final Duration MAX_RETRY = Duration.ofHours(1);
  private static final int MAX_BODY = 1024 * 1024;

  private HttpClient client;
  private final String url;
  private final RateStore rates;
  private final Clock clock;
  private long timer = -1;
  private int failures;
  private volatile boolean stopped;

  public ValetFetch(String url, RateStore rates, Clock clock) {
    this.url = url;
    this.rates = rates;
    this.clock = clock;
  }

  /** Fetches now, then on schedule. */
  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
    run();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return client.close();
  }

  private void run() {
    if (stopped) {
      return;
    }
    fetch().onComplete(ar -> {
      Duration wait;
      if (ar.succeeded()) {
        failures = 0;
        Instant now = clock.instant();
        wait = Duration.between(now, nextBusinessDay(now));
        log.info("Fetched {} FXCNYCAD observation(s) from the Bank of Canada's Valet; next fetch in {}",
            ar.result().size(), wait);
      } else {
        failures++;
        wait = retryDelay(failures);
        log.warn("Valet fetch from {} failed ({} in a row): {}; the last good rate stays; retrying in {}", url,
            failures, ar.cause().getMessage(), wait);
      }
      if (!stopped) {
        timer = vertx.setTimer(Math.max(1, wait.toMillis()), t -> run());
      }
    });
  }

  /** One fetch: the file read and its rates kept; fails with what went wrong, keeping nothing. */
  public Future<List<FxRate>> fetch() {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
            .setTimeout(30_000).putHeader("Accept", "text/csv, application/json"))
        .compose(req -> req.send())
        .compose(resp -> {
          if (resp.statusCode() != 200) {
            return Future.failedFuture("the server answered " + resp.statusCode());
          }
          return resp.body();
        })
        .compose(body -> {
          if (body.length() > MAX_BODY) {
            return Future.failedFuture("the file is over " + MAX_BODY + " bytes");
          }
          try {
            List<FxRate> read = Valet.read(body.toString(StandardCharsets.UTF_8), clock.instant());
            if (read.isEmpty()) {
              return Future.failedFuture("the file has no " + Valet.SERIES + " observation with a value");
            }
            return rates.add(read).compose(v -> MarketChecks.ask(vertx)).map(v -> read);
          } catch (Valet.Invalid e) {
            return Future.failedFuture(e.getMessage());
          }
        });
  }

  /** The wait after the n-th failure in a row: 1 minute, doubling, at most 1 hour. */
  static Duration retryDelay(int failures) {
    long minutes = FIRST_RETRY.toMinutes() << Math.min(failures - 1, 10);
    return Duration.ofMinutes(Math.min(minutes, MAX_RETRY.toMinutes()));
  }

  /** The next weekday at {@link #DAILY_AT} Toronto time strictly after {@code now}. */
  static Instant nextBusinessDay(Instant now) {
    ZonedDateTime t = now.atZone(TORONTO);
    ZonedDateTime next = t.toLocalDate().atTime(DAILY_AT).atZone(TORONTO);
    if (!next.isAfter(t)) {
      next = next.plusDays(1);
    }
    while (next.getDayOfWeek() == DayOfWeek.SATURDAY || next.getDayOfWeek() == DayOfWeek.SUNDAY) {
      next = next.plusDays(1);
    }
    return next.toInstant();
  }
}
