package io.pricewire.changelog;

import io.pricewire.offer.Field;
import io.pricewire.offer.FieldError;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.pricewire.offer.OfferWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules that turn writes into changes, shared by every store so that all behave alike:
 * versions only grow, retries are harmless, partial writes keep the other fields, and every
 * applied write gets the next seq.
 */
public final class LedgerRules {

  private LedgerRules() {
  }

  /**
   * Decides a batch against the current states of the offers it touches. Writes are taken in
   * order, each seeing the ones before it.
   *
   * @param current stored state of the touched offers (absent ones are new)
   * @param head the change log's last seq before this batch
   */
  public static Decision decide(List<LedgerWrite> writes, Map<OfferKey, Offer> current, long head, Instant now) {
    // What this batch wrote so far, over the current states (not copied: batches are large).
    Map<OfferKey, Offer> written = new HashMap<>();
    Map<OfferKey, Offer> upserts = new LinkedHashMap<>();
    List<ItemOutcome> outcomes = new ArrayList<>(writes.size());
    List<Change> changes = new ArrayList<>();
    long seq = head;
    for (LedgerWrite w : writes) {
      OfferKey key = w.key();
      Offer before = written.containsKey(key) ? written.get(key) : current.get(key);
      Step step = apply(key, before, w.write());
      if (step.errors != null) {
        outcomes.add(ItemOutcome.rejected(before == null ? null : before.version(), step.errors));
        continue;
      }
      Offer merged = step.merged;
      Long given = w.write().version();
      if (before == null) {
        Offer created = merged.withVersion(given != null ? given : 1L).committed(++seq, now);
        written.put(key, created);
        upserts.put(key, created);
        outcomes.add(ItemOutcome.applied(created.version(), seq));
        changes.add(new Change(seq, created, created.setFields(), null, null, w.receivedNanos()));
        continue;
      }
      boolean same = merged.sameContent(before);
      if (given != null && given < before.version()) {
        outcomes.add(ItemOutcome.stale(before.version()));
      } else if (given != null && given == before.version()) {
        // A retry of what is stored is harmless; a different state under the same version is a conflict.
        outcomes.add(same ? ItemOutcome.unchanged(before.version()) : ItemOutcome.stale(before.version()));
      } else if (same && given == null) {
        outcomes.add(ItemOutcome.unchanged(before.version()));
      } else if (same) {
        // A newer version of the same content. It must be kept, or an older write arriving later
        // would roll the supplier back; and it is a change like any other (with nothing in
        // changed), so that the feed, resume and GET all show the same version.
        Offer raised = before.withVersion(given).committed(++seq, now);
        written.put(key, raised);
        upserts.put(key, raised);
        outcomes.add(ItemOutcome.applied(given, seq));
        changes.add(new Change(seq, raised, EnumSet.noneOf(Field.class), null, before.availability(),
            w.receivedNanos()));
      } else {
        long version = given != null ? given : before.version() + 1;
        Offer next = merged.withVersion(version).committed(++seq, now);
        written.put(key, next);
        upserts.put(key, next);
        outcomes.add(ItemOutcome.applied(version, seq));
        String previousCategory = Objects.equals(before.category(), next.category()) ? null : before.category();
        changes.add(new Change(seq, next, changedFields(before, next), previousCategory, before.availability(),
            w.receivedNanos()));
      }
    }
    return new Decision(outcomes, changes, upserts, seq);
  }

  private record Step(Offer merged, List<FieldError> errors) {
  }

  private static Step apply(OfferKey key, Offer before, OfferWrite w) {
    List<FieldError> errors = new ArrayList<>(0);
    if (before == null) {
      if (!w.has(Field.PRICE)) {
        errors.add(new FieldError("price", "required", "a new offer needs a price"));
      }
      if (!w.has(Field.AVAILABILITY)) {
        errors.add(new FieldError("availability", "required", "a new offer needs an availability"));
      }
      if (!errors.isEmpty()) {
        return new Step(null, errors);
      }
    }
    Money price = w.has(Field.PRICE) ? w.price() : before.price();
    Money sale = w.has(Field.SALE_PRICE) ? w.salePrice() : before == null ? null : before.salePrice();
    if (sale != null) {
      if (!sale.currency().equals(price.currency())) {
        errors.add(new FieldError("sale_price", "currency_mismatch",
            "sale_price is in " + sale.currency() + " but price is in " + price.currency()));
      } else if (sale.micros() >= price.micros()) {
        errors.add(new FieldError("sale_price", "not_below_price",
            "sale_price " + sale + " must be below price " + price));
      }
    }
    if (!errors.isEmpty()) {
      return new Step(null, errors);
    }
    TreeMap<String, String> titles = new TreeMap<>(before == null ? Map.of() : before.titles());
    if (w.has(Field.TITLE)) {
      w.titles().forEach((locale, title) -> {
        if (title == null) {
          titles.remove(locale);
        } else {
          titles.put(locale, title);
        }
      });
    }
    Offer merged = new Offer(
        key,
        before == null ? 0 : before.version(),
        before == null ? 0 : before.seq(),
        price,
        sale,
        w.has(Field.AVAILABILITY) ? w.availability() : before.availability(),
        w.has(Field.QUANTITY) ? w.quantity() : before == null ? null : before.quantity(),
        titles,
        w.has(Field.CATEGORY) ? w.category() : before == null ? null : before.category(),
        w.has(Field.BRAND) ? w.brand() : before == null ? null : before.brand(),
        w.has(Field.GTIN) ? w.gtin() : before == null ? null : before.gtin(),
        w.has(Field.TAX_CLASS) ? w.taxClass() : before == null ? null : before.taxClass(),
        before == null ? null : before.committedAt());
    return new Step(merged, null);
  }

  static Set<Field> changedFields(Offer a, Offer b) {
    Set<Field> changed = EnumSet.noneOf(Field.class);
    if (!Objects.equals(a.price(), b.price())) {
      changed.add(Field.PRICE);
    }
    if (!Objects.equals(a.salePrice(), b.salePrice())) {
      changed.add(Field.SALE_PRICE);
    }
    if (a.availability() != b.availability()) {
      changed.add(Field.AVAILABILITY);
    }
    if (!Objects.equals(a.quantity(), b.quantity())) {
      changed.add(Field.QUANTITY);
    }
    if (!a.titles().equals(b.titles())) {
      changed.add(Field.TITLE);
    }
    if (!Objects.equals(a.category(), b.category())) {
      changed.add(Field.CATEGORY);
    }
    if (!Objects.equals(a.brand(), b.brand())) {
      changed.add(Field.BRAND);
    }
    if (!Objects.equals(a.gtin(), b.gtin())) {
      changed.add(Field.GTIN);
    }
    if (!Objects.equals(a.taxClass(), b.taxClass())) {
      changed.add(Field.TAX_CLASS);
    }
    return changed;
  }
}
