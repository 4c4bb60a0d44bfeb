package io.pricewire.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.MarketInputs;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.Offer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link LogOrder} against the log itself: whatever reaches a node (batches out of order, twice,
 * cut at other places, lost), what it publishes, once the missing ranges are read back from the
 * log, is the log: every seq once, in order, nothing skipped.
 */
class LogOrderProperties {

  private static final String EPOCH = "e";

  /** The reference log: entries 1..n, every seventh a market event. */
  private static List<ChangeBatch> entries(int n) {
    List<ChangeBatch> log = new ArrayList<>();
    for (long seq = 1; seq <= n; seq++) {
      if (seq % 7 == 0) {
        log.add(ChangeBatch.of(EPOCH, new MarketEvent(seq, new MarketInputs(Instant.EPOCH, Map.of()), List.of("ca"),
            "test"), 0));
      } else {
        Offer offer = new Offer(new OfferKey("s", "k" + seq), 1, seq, null, null, null, null, null, null, null, null,
            null, null);
        log.add(new ChangeBatch(EPOCH, List.of(new Change(seq, offer, java.util.Set.of(), null, null, 0)), 0));
      }
    }
    return log;
  }

  /** Entries (after, upTo] of the log, cut into batches as a read-back does. */
  private static List<ChangeBatch> read(List<ChangeBatch> log, long after, long upTo) {
    List<Change> changes = new ArrayList<>();
    List<MarketEvent> events = new ArrayList<>();
    for (long s = after + 1; s <= upTo; s++) {
      ChangeBatch b = log.get((int) s - 1);
      if (b.event() != null) {
        events.add(b.event());
      } else {
        changes.addAll(b.changes());
      }
    }
    return LogOrder.batches(EPOCH, changes, events, 0);
  }

  /** Random runs of the log as a node's commits would publish them (events alone). */
  private static List<ChangeBatch> commits(List<ChangeBatch> log, Random random) {
    List<ChangeBatch> commits = new ArrayList<>();
    int i = 0;
    while (i < log.size()) {
      int len = 1 + random.nextInt(6);
      List<Change> run = new ArrayList<>();
      while (i < log.size() && run.size() < len && log.get(i).event() == null) {
        run.add(log.get(i++).changes().get(0));
      }
      if (!run.isEmpty()) {
        commits.add(new ChangeBatch(EPOCH, run, 0));
      } else {
        commits.add(log.get(i++));
      }
    }
    return commits;
  }

  @Property(tries = 300)
  void publishesTheLogWhateverArrives(@ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed,
      @ForAll @IntRange(min = 4, max = 400) int maxHeld, @ForAll @IntRange(min = 1, max = 50) int maxRead) {
    Random random = new Random(seed);
    List<ChangeBatch> log = entries(n);
    List<ChangeBatch> arriving = new ArrayList<>();
    for (ChangeBatch c : commits(log, random)) {
      int copies = random.nextInt(10) == 0 ? 0 : random.nextInt(8) == 0 ? 2 : 1;
      for (int k = 0; k < copies; k++) {
        arriving.add(c);
      }
    }
    // Reordered within a window, as messages of several senders are.
    for (int i = 0; i < arriving.size(); i++) {
      int j = Math.min(arriving.size() - 1, i + random.nextInt(5));
      Collections.swap(arriving, i, j);
    }
    LogOrder order = new LogOrder(0, maxHeld, maxRead);
    List<ChangeBatch> published = new ArrayList<>();
    for (ChangeBatch b : arriving) {
      published.addAll(order.accept(b));
      assertThat(order.heldEntries()).isLessThanOrEqualTo(maxHeld);
      if (random.nextInt(4) == 0) {
        repair(order, log, published, random.nextBoolean());
      }
    }
    order.knownUpTo(n);
    repair(order, log, published, true);

    assertThat(order.missing()).isNull();
    List<Long> seqs = new ArrayList<>();
    for (ChangeBatch b : published) {
      if (b.event() != null) {
        seqs.add(b.event().seq());
      } else {
        b.changes().forEach(c -> seqs.add(c.seq()));
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 1; s <= n; s++) {
      expected.add(s);
    }
    assertThat(seqs).as("every seq once, in order").isEqualTo(expected);
    for (int i = 1; i < published.size(); i++) {
      assertThat(published.get(i).firstSeq()).as("each batch follows the one before")
          .isEqualTo(published.get(i - 1).lastSeq() + 1);
    }
  }

  private static void repair(LogOrder order, List<ChangeBatch> log, List<ChangeBatch> published, boolean all) {
    LogOrder.Range r;
    while ((r = order.missing()) != null) {
      assertThat(r.after()).isEqualTo(order.published());
      assertThat(r.upTo()).isGreaterThan(r.after());
      for (ChangeBatch b : read(log, r.after(), r.upTo())) {
        published.addAll(order.accept(b));
      }
      if (!all) {
        return;
      }
    }
  }

  @Property(tries = 200)
  void skippingARangeGoesOnAfterIt(@ForAll @IntRange(min = 2, max = 100) int n, @ForAll long seed) {
    Random random = new Random(seed);
    List<ChangeBatch> log = entries(n);
    long lost = 1 + random.nextInt(n - 1);
    LogOrder order = new LogOrder(0, 1000, 1000);
    List<ChangeBatch> published = new ArrayList<>();
    for (ChangeBatch b : log) {
      if (b.lastSeq() > lost) {
        published.addAll(order.accept(b));
      }
    }
    assertThat(published).as("nothing after a gap goes out by itself").isEmpty();
    LogOrder.Range r = order.missing();
    assertThat(r).isEqualTo(new LogOrder.Range(0, lost));
    published.addAll(order.skip(r));
    assertThat(published).hasSize(n - (int) lost);
    assertThat(published.get(0).firstSeq()).isEqualTo(lost + 1);
    assertThat(order.published()).isEqualTo(n);
    assertThat(order.missing()).isNull();
  }
}
