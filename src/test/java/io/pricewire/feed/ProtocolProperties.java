package io.pricewire.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
}
