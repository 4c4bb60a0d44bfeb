package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.changelog.Change;
import io.pricewire.offer.Availability;
import io.pricewire.offer.Field;
import io.pricewire.offer.Money;
import io.pricewire.offer.Offer;
import io.pricewire.offer.OfferKey;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile feed frames and SSE query strings: an operation or a protocol error, never anything else. */
class ProtocolProperties {

  @Property(tries = 3000)
  @Label("any text frame parses to an operation or a coded protocol error")
  void frames(@ForAll("frames") String text) {
    try {
      ClientOp op = FeedProtocol.parse(text, 100);
      assertThat(op).isNotNull();
    } catch (ProtocolError e) {
      assertThat(e.code()).isNotBlank();
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> frames() {
    Arbitrary<Object> values = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.just(null),
        Arbitraries.of("acme", "acme:sku", "Fruit", "*").list().ofMaxSize(4).map(l -> (Object) new JsonArray(l)),
        Arbitraries.strings().ofMaxLength(10).list().ofMaxSize(4).map(l -> (Object) new JsonArray(List.copyOf(l))),
        Arbitraries.maps(Arbitraries.of("epoch", "seq", "supplier", "sku"), Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s), Arbitraries.longs().map(l -> (Object) l)))
            .ofMaxSize(3).map(m -> (Object) new JsonObject(new HashMap<>(m))));
    Arbitrary<String> objects = Arbitraries.maps(Arbitraries.of("op", "id", "suppliers", "skus", "categories", "since",
        "max_rate", "x"), values).ofMaxSize(6).map(m -> {
          Map<String, Object> map = new HashMap<>(m);
          if (map.containsKey("op") && Math.abs(map.hashCode()) % 2 == 0) {
            map.put("op", List.of("subscribe", "add", "remove", "unsubscribe", "ping").get(Math.abs(map.hashCode()) % 5));
          }
          return new JsonObject(map).encode();
        });
    return Arbitraries.oneOf(objects, Arbitraries.strings().ofMaxLength(60),
        Arbitraries.of("{", "[]", "null", "\"op\"", "{\"op\": {}}", "{\"op\":\"subscribe\",\"id\":\"\"}",
            "{\"op\":\"subscribe\",\"id\":\"x\",\"skus\":[{\"supplier\":\"a\"}]}"));
  }

  @Property(tries = 2000)
  @Label("any SSE query string parses to a subscription or a coded protocol error")
  void sseQueries(@ForAll("queries") Map<String, List<String>> query, @ForAll("lastIds") String lastEventId) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    query.forEach(params::add);
    try {
      ClientOp.Subscribe s = SseRequest.parse(params, lastEventId, 100);
      assertThat(s.interest().isEmpty()).isFalse();
    } catch (ProtocolError e) {
      assertThat(e.code()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Map<String, List<String>>> queries() {
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30),
        Arbitraries.of("acme", "acme:x,beta:y", ",,", "a:", ":b", "1e9", "-1", "0.5", "epoch:12", "x".repeat(70)));
    return Arbitraries.maps(Arbitraries.of("suppliers", "skus", "categories", "max_rate", "since", "other"),
        values.list().ofMinSize(1).ofMaxSize(3)).ofMaxSize(5);
  }

  @Provide
  Arbitrary<String> lastIds() {
    return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().ofMaxLength(80),
        Arbitraries.of("e:1", "e:-1", ":", "abc:def", "e:99999999999999999999"));
  }

  @Property(tries = 500)
  @Label("update and updates frames put together from shared UTF-8 parts are the JSON of the reference encoder")
  void sharedFrames(@ForAll("ids") String id, @ForAll("texts") List<String> titles, @ForAll("skus") List<String> skus) {
    String epoch = "f22f4505-ab5e-4183-a68f-65eaaafff603";
    List<Change> changes = new java.util.ArrayList<>();
    for (int i = 0; i < skus.size(); i++) {
      java.util.TreeMap<String, String> t = new java.util.TreeMap<>();
      t.put("zh-CN", titles.get(i % titles.size()));
      t.put("en", titles.get((i + 1) % titles.size()));
      long seq = 1000 + i;
      Offer offer = new Offer(new OfferKey("acme", skus.get(i)), 3, seq, new Money(12_340_000L + i, "CAD"), null,
          Availability.IN_STOCK, (long) i, t, "Seafood > Shellfish", null, null, null, Instant.parse("2026-11-29T10:41:07Z"));
      Set<Field> changed = i % 2 == 0 ? EnumSet.of(Field.PRICE) : EnumSet.of(Field.PRICE, Field.AVAILABILITY);
      changes.add(new Change(seq, offer, changed, null, Availability.OUT_OF_STOCK, 0));
    }
    Change first = changes.get(0);
    Delivery d = new Delivery(first, epoch, 0);
    assertThat(Frame.of(d.body(), FeedProtocol.updateEnd(id)).toString())
        .isEqualTo(FeedProtocol.update(id, epoch, first.seq(), first.offer(), first.changed()));

    long seq = changes.get(changes.size() - 1).seq();
    byte[] end = FeedProtocol.updatesEnd(io.vertx.core.json.Json.encode(epoch).getBytes(StandardCharsets.UTF_8));
    byte[] own = FeedProtocol.updatesSeqAndId(seq, FeedProtocol.updateEnd(id));
    Delivery[] deliveries = changes.stream().map(c -> new Delivery(c, epoch, 0)).toArray(Delivery[]::new);
    String reference = FeedProtocol.updates(id, epoch, seq, changes.stream().map(Change::offer).toList(),
        changes.stream().map(Change::changed).toList());
    // Shared: the whole list as one part; put together: entry by entry.
    assertThat(Frame.of(deliveries[0].updatesStart(deliveries, end), own).toString()).isEqualTo(reference);
    Frame.Builder frame = new Frame.Builder(changes.size() * 2 + 2).add(FeedProtocol.UPDATES_START);
    for (int i = 0; i < deliveries.length; i++) {
      if (i > 0) {
        frame.add(FeedProtocol.COMMA);
      }
      frame.add(deliveries[i].item());
    }
    frame.add(end).add(own);
    assertThat(frame.build().toString()).isEqualTo(FeedProtocol.updates(id,
        epoch, seq, changes.stream().map(Change::offer).toList(), changes.stream().map(Change::changed).toList()));
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMinLength(1).ofMaxLength(20),
        Arbitraries.of("listing", "a\"quote", "back\\slash", "新品", "tab\tid", "emoji 🦞"));
  }

  @Provide
  Arbitrary<List<String>> texts() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
        Arbitraries.of("加拿大鲜活龙虾 1磅", "Live \"Atlantic\" lobster", "line\nbreak", "🍒 cherries"))
        .list().ofMinSize(1).ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<String>> skus() {
    return Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-').ofMinLength(1).ofMaxLength(12)
        .list().ofMinSize(1).ofMaxSize(8);
  }
}
