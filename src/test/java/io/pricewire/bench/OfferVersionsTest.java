package io.pricewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.offer.Offer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The load generator's reading of offer versions, against offers as the gateway encodes them. */
class OfferVersionsTest {

  private static String offer(String sku, long version) {
    JsonObject json = new JsonObject().put("supplier", "bench-cluster").put("sku", sku).put("version", version)
        .put("seq", version * 3).put("price", new JsonObject().put("amount", "12.34").put("currency", "CAD"))
        .put("availability", "in_stock").put("brand", "t=1764754000000000").put("committed_at", "2026-12-03T09:00:00Z");
    return Offer.fromJson(json).toJson().encode();
  }

  private static List<String> scan(String frame) {
    List<String> found = new ArrayList<>();
    OfferVersions.scan(frame.getBytes(StandardCharsets.UTF_8), (o, v) -> found.add("o" + o + "@" + v));
    return found;
  }

  @Test
  @DisplayName("an update frame gives its offer's number and version")
  void update() {
    String frame = "{\"type\":\"update\",\"epoch\":\"e\",\"seq\":9,\"offer\":" + offer("o17", 4)
        + ",\"changed\":[\"price\"],\"id\":\"bench\"}";
    assertThat(scan(frame)).containsExactly("o17@4");
  }

  @Test
  @DisplayName("an updates frame and a snapshot give every offer, in order")
  void manyOffers() {
    String updates = "{\"type\":\"updates\",\"seq\":12,\"updates\":[{\"offer\":" + offer("o1", 2)
        + ",\"changed\":[\"price\"]},{\"offer\":" + offer("o999", 31) + ",\"changed\":[\"brand\"]}],\"id\":\"bench\"}";
    assertThat(scan(updates)).containsExactly("o1@2", "o999@31");
    JsonArray offers = new JsonArray().add(new JsonObject(offer("o0", 1))).add(new JsonObject(offer("o5", 1)));
    String snapshot = new JsonObject().put("type", "snapshot").put("offers", offers).put("more", false).encode();
    assertThat(scan(snapshot)).containsExactly("o0@1", "o5@1");
  }

  @Test
  @DisplayName("skus that are not the bench's own (o and a number) are passed over")
  void otherSkus() {
    String frame = "{\"offers\":[" + offer("lobster-1lb", 3) + "," + offer("o12x", 3) + "," + offer("o3", 7) + "]}";
    assertThat(scan(frame)).containsExactly("o3@7");
  }
}
