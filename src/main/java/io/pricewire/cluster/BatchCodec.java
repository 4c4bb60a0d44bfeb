package io.pricewire.cluster;

import io.pricewire.changelog.Change;
import io.pricewire.changelog.ChangeBatch;
import io.pricewire.changelog.MarketEvent;
import io.pricewire.market.MarketInputs;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Offer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A committed batch as it travels between nodes: JSON, with the commit's wall-clock time so that
 * the receiver can tell how long it took to reach its clients. Encoded once per commit, decoded
 * once per receiving node. Trusted input only (the cluster's own members).
 */
final class BatchCodec {

  private BatchCodec() {
  }

  static Buffer encode(ChangeBatch batch, Instant committedAt) {
    JsonObject json = new JsonObject()
        .put("epoch", batch.epoch())
        .put("committed_at_us", committedAt.getEpochSecond() * 1_000_000 + committedAt.getNano() / 1_000);
    if (batch.event() != null) {
      MarketEvent e = batch.event();
      json.put("event", new JsonObject().put("seq", e.seq()).put("at", e.inputs().at().toString())
          .put("rates", e.inputs().ratesJson()).put("markets", new JsonArray(e.markets())).put("reason", e.reason()));
    } else {
      JsonArray changes = new JsonArray();
      for (Change c : batch.changes()) {
        JsonArray fields = new JsonArray();
        for (Field f : c.changed()) {
          fields.add(f.wireName());
        }
        JsonObject change = new JsonObject().put("seq", c.seq()).put("offer", c.offer().toJson())
            .put("changed", fields);
        if (c.previousCategory() != null) {
          change.put("previous_category", c.previousCategory());
        }
        if (c.previousAvailability() != null) {
          change.put("previous_availability", c.previousAvailability().wireName());
        }
        changes.add(change);
      }
      json.put("changes", changes);
    }
    return json.toBuffer();
  }

  /** A decoded batch and when it was committed. */
  record Decoded(ChangeBatch batch, Instant committedAt) {
  }

  /**
   * @param toLocalNanos turns the commit's wall-clock time into this process's monotonic nanos
   */
  static Decoded decode(Buffer buffer, java.util.function.ToLongFunction<Instant> toLocalNanos) {
    JsonObject json = buffer.toJsonObject();
    long us = json.getLong("committed_at_us");
    Instant committedAt = Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1_000);
    long nanos = toLocalNanos.applyAsLong(committedAt);
    String epoch = json.getString("epoch");
    JsonObject event = json.getJsonObject("event");
    if (event != null) {
      MarketInputs inputs = MarketInputs.fromJson(Instant.parse(event.getString("at")), event.getJsonArray("rates"));
      List<String> markets = new ArrayList<>();
      event.getJsonArray("markets").forEach(m -> markets.add((String) m));
      MarketEvent e = new MarketEvent(event.getLong("seq"), inputs, markets, event.getString("reason"));
      return new Decoded(new ChangeBatch(epoch, List.of(), nanos, e, true), committedAt);
    }
    JsonArray list = json.getJsonArray("changes");
    List<Change> changes = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonObject c = list.getJsonObject(i);
      Set<Field> fields = EnumSet.noneOf(Field.class);
      c.getJsonArray("changed").forEach(f -> fields.add(Field.fromWireName((String) f)));
      String previous = c.getString("previous_availability");
      changes.add(new Change(c.getLong("seq"), Offer.fromJson(c.getJsonObject("offer")), fields,
          c.getString("previous_category"), previous == null ? null : Availability.parse(previous), 0L));
    }
    return new Decoded(new ChangeBatch(epoch, List.copyOf(changes), nanos, null, true), committedAt);
  }
}
