package io.pricewire.support;

import io.pricewire.offer.Field;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a storefront following one subscription holds, built from the frames it receives exactly
 * as the README tells clients to, and checked against the feed's promises as each frame arrives:
 * resume points never go down, an offer's version never goes back, nothing outside the interest
 * arrives (except the new state of an offer the client holds, telling it the offer left, and
 * offers that left a category in a resumed snapshot), and {@code changed} lists every field that
 * differs from the state the client held. The first broken promise is kept, with the frame.
 */
public final class ClientView {

  /** What the subscription covers. */
  public static final class Interest {
    final Set<String> suppliers = new HashSet<>();
    final Set<String> skus = new HashSet<>();
    final Set<String> categories = new HashSet<>();

    public Interest suppliers(String... s) {
      suppliers.addAll(List.of(s));
      return this;
    }

    public Interest skus(String... s) {
      skus.addAll(List.of(s));
      return this;
    }

    public Interest categories(String... c) {
      categories.addAll(List.of(c));
      return this;
    }

    public boolean matches(JsonObject offer) {
      return suppliers.contains(offer.getString("supplier")) || skus.contains(key(offer))
          || (offer.getString("category") != null && categories.contains(offer.getString("category")));
    }

    public Interest copy() {
      Interest i = new Interest();
      i.suppliers.addAll(suppliers);
      i.skus.addAll(skus);
      i.categories.addAll(categories);
      return i;
    }

    void addAll(Interest o) {
      suppliers.addAll(o.suppliers);
      skus.addAll(o.skus);
      categories.addAll(o.categories);
    }

    void removeAll(Interest o) {
      suppliers.removeAll(o.suppliers);
      skus.removeAll(o.skus);
      categories.removeAll(o.categories);
    }

    public boolean isEmpty() {
      return suppliers.isEmpty() && skus.isEmpty() && categories.isEmpty();
    }

    public JsonObject toJson() {
      return new JsonObject().put("suppliers", new JsonArray(List.copyOf(suppliers)))
          .put("skus", new JsonArray(List.copyOf(skus))).put("categories", new JsonArray(List.copyOf(categories)));
    }

    @Override
    public String toString() {
      return toJson().encode();
    }
  }

  private final String name;
  private final Interest interest;
  /** Parts of an add whose snapshot has not ended yet. */
  private final List<Interest> adding = new ArrayList<>();
  /** Parts of a remove not yet acknowledged: their updates may still be on the way. */
  private final List<Removal> removing = new ArrayList<>();

  /**
   * A remove the gateway has not acknowledged yet: what it names, and the offers the client let
   * go of for it (their updates may still be on the way, until the acknowledgement).
   */
  private record Removal(Interest part, Set<String> letGo) {
    @Override
    public String toString() {
      return part.toString();
    }
  }
  private final Map<String, JsonObject> offers = new LinkedHashMap<>();
  /** The highest version seen per offer, also of offers no longer held (reset by a reset). */
  private final Map<String, Long> versions = new HashMap<>();
  private String epoch;
  private long resumePoint = -1;
  private boolean snapshotDone;
  private boolean snapshotReplacing;
  private String violation;
  private long updates;
  private long frames;
  /** What the last frames said, briefly, for the report of a broken promise. */
  private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
  private static final int RECENT = 40;

  public ClientView(String name, Interest interest) {
    this.name = name;
    this.interest = interest.copy();
  }

  /** The subscription's id. */
  public String name() {
    return name;
  }

  public static String key(JsonObject offer) {
    return offer.getString("supplier") + ":" + offer.getString("sku");
  }

  /** The client sent an add for these entries. */
  public void adding(Interest part) {
    recent.addLast("(add " + part + ")");
    adding.add(part.copy());
  }

  /** The client sent a remove for these entries: from now on it does not expect them. */
  public void removing(Interest part) {
    recent.addLast("(remove " + part + ")");
    Removal removal = new Removal(part.copy(), new HashSet<>());
    removing.add(removal);
    interest.removeAll(part);
    // What the client holds and the interest no longer covers, it lets go of.
    offers.values().removeIf(o -> {
      boolean gone = !interest.matches(o);
      if (gone) {
        removal.letGo().add(key(o));
      }
      return gone;
    });
  }

  /** A new connection will subscribe again: the next snapshot starts over or resumes. */
  public void reconnecting() {
    recent.addLast("(reconnecting; resume point " + resumePoint + ", interest " + interest + ")");
    snapshotDone = false;
    // A snapshot cut off with its connection is thrown away with it: the next one starts afresh.
    snapshotReplacing = false;
    removing.clear();
    // An add whose snapshot did not end is lost with the connection; the client adds it again.
    adding.clear();
  }

  public Interest interest() {
    return interest.copy();
  }

  public List<Interest> pendingAdds() {
    return List.copyOf(adding);
  }

  public String epoch() {
    return epoch;
  }

  public long resumePoint() {
    return resumePoint;
  }

  public boolean snapshotDone() {
    return snapshotDone;
  }

  public Map<String, JsonObject> offers() {
    return offers;
  }

  /** The last frames, briefly, oldest first: for reports. */
  public String trace() {
    return String.join("\n    ", recent);
  }

  /** The first broken promise, or null. */
  public String violation() {
    return violation;
  }

  public long updates() {
    return updates;
  }

  public long frames() {
    return frames;
  }

  /** A frame that arrived broken: not JSON, or not decodable (a compression fault, say). */
  public synchronized void unreadable(String what, Throwable cause) {
    violated(what + ": " + cause, new JsonObject());
  }

  private void violated(String what, JsonObject frame) {
    if (violation == null) {
      String text = frame.encode();
      violation = name + ": " + what + "\n  frame: " + (text.length() > 1500 ? text.substring(0, 1500) + "..." : text)
          + "\n  interest: " + interest + (adding.isEmpty() ? "" : " adding " + adding)
          + (removing.isEmpty() ? "" : " removing " + removing) + ", resume point " + resumePoint
          + "\n  the frames before it, oldest first:\n    " + String.join("\n    ", recent);
    }
  }

  /** Applies one server frame of this subscription. */
  public void apply(JsonObject frame) {
    frames++;
    note(frame);
    switch (frame.getString("type")) {
      case "snapshot" -> snapshot(frame);
      case "update" -> {
        seq(frame);
        update(frame, frame.getJsonObject("offer"), frame.getJsonArray("changed"));
      }
      case "updates" -> {
        seq(frame);
        for (Object u : frame.getJsonArray("updates")) {
          JsonObject entry = (JsonObject) u;
          update(frame, entry.getJsonObject("offer"), entry.getJsonArray("changed"));
        }
      }
      case "removed" -> {
        seq(frame);
        // Acknowledgements come in the order of the removes.
        if (!removing.isEmpty()) {
          removing.remove(0);
        }
      }
      default -> {
        // errors, pongs and acknowledgements change nothing held
      }
    }
  }

  /** A line per frame: its kind and position, and each offer's sku, version, seq and category. */
  private void note(JsonObject frame) {
    StringBuilder line = new StringBuilder(frame.getString("type", "?"));
    for (String flag : List.of("resumed", "reset", "added", "more")) {
      if (frame.getBoolean(flag, false)) {
        line.append(' ').append(flag);
      }
    }
    if (frame.containsKey("seq")) {
      line.append(" seq ").append(frame.getValue("seq"));
    }
    List<JsonObject> carried = new ArrayList<>();
    if (frame.getValue("offer") instanceof JsonObject o) {
      carried.add(o);
    }
    if (frame.getValue("offers") instanceof JsonArray a) {
      a.forEach(o -> carried.add((JsonObject) o));
    }
    if (frame.getValue("updates") instanceof JsonArray a) {
      a.forEach(u -> carried.add(((JsonObject) u).getJsonObject("offer")));
    }
    for (JsonObject o : carried) {
      line.append(' ').append(key(o)).append("@v").append(o.getValue("version")).append("/s")
          .append(o.getValue("seq")).append('[').append(o.getString("category")).append(']');
    }
    if (frame.containsKey("code")) {
      line.append(' ').append(frame.getString("code"));
    }
    recent.addLast(line.length() > 600 ? line.substring(0, 600) + "..." : line.toString());
    if (recent.size() > RECENT) {
      recent.removeFirst();
    }
  }

  private void seq(JsonObject frame) {
    if (!frame.getString("epoch").equals(epoch)) {
      violated("a frame of epoch " + frame.getString("epoch") + " while following " + epoch, frame);
      return;
    }
    long seq = frame.getLong("seq");
    if (seq < resumePoint) {
      violated("the resume point went down from " + resumePoint + " to " + seq, frame);
    }
    resumePoint = Math.max(resumePoint, seq);
  }

  private void snapshot(JsonObject frame) {
    boolean added = frame.getBoolean("added", false);
    boolean first = !snapshotReplacing && !added && !snapshotDone;
    if (first) {
      boolean reset = frame.getBoolean("reset");
      boolean resumed = frame.getBoolean("resumed");
      if (reset || !frame.getString("epoch").equals(epoch) || !resumed) {
        offers.clear();
        if (reset || !frame.getString("epoch").equals(epoch)) {
          versions.clear();
          resumePoint = -1;
        }
      }
      epoch = frame.getString("epoch");
      snapshotReplacing = true;
    }
    Interest allowed = interest.copy();
    if (added) {
      adding.forEach(allowed::addAll);
    }
    boolean resumed = frame.getBoolean("resumed");
    for (Object o : frame.getJsonArray("offers")) {
      JsonObject offer = (JsonObject) o;
      String key = key(offer);
      checkVersion(frame, offer);
      if (allowed.matches(offer)) {
        offers.put(key, offer);
      } else if (resumed) {
        // It left one of the categories while the client was away.
        offers.remove(key);
      } else {
        violated("snapshot offer " + key + " (category " + offer.getString("category") + ") is outside the interest",
            frame);
      }
    }
    if (!frame.getBoolean("more")) {
      if (added) {
        if (adding.isEmpty()) {
          violated("an added snapshot without an add", frame);
        } else {
          interest.addAll(adding.remove(0));
        }
      } else {
        snapshotReplacing = false;
        snapshotDone = true;
        long seq = frame.getLong("seq");
        if (seq < resumePoint) {
          violated("the snapshot's seq " + seq + " is below the resume point " + resumePoint, frame);
        }
        resumePoint = Math.max(resumePoint, seq);
      }
    }
  }

  private void checkVersion(JsonObject frame, JsonObject offer) {
    String key = key(offer);
    long version = offer.getLong("version");
    Long seen = versions.get(key);
    if (seen != null && version < seen) {
      violated("offer " + key + " went back from version " + seen + " to " + version, frame);
    }
    versions.merge(key, version, Math::max);
  }

  private void update(JsonObject frame, JsonObject offer, JsonArray changed) {
    updates++;
    String key = key(offer);
    checkVersion(frame, offer);
    JsonObject held = offers.get(key);
    if (held != null) {
      for (Field f : Field.values()) {
        if (!Objects.equals(held.getValue(f.wireName()), offer.getValue(f.wireName()))
            && !changed.contains(f.wireName())) {
          violated("offer " + key + " changed " + f.wireName() + " from " + held.getValue(f.wireName()) + " to "
              + offer.getValue(f.wireName()) + " but changed lists only " + changed, frame);
        }
      }
      if (!Objects.equals(held.getValue("market"), offer.getValue("market")) && !changed.contains("market")) {
        violated("offer " + key + " changed its market projection but changed lists only " + changed, frame);
      }
    }
    Interest allowed = interest.copy();
    removing.forEach(r -> allowed.addAll(r.part()));
    if (interest.matches(offer)) {
      offers.put(key, offer);
      return;
    }
    // Outside what the client follows now. An update the gateway wrote before it read a remove
    // may carry the offer into the removed part: the client lets it go, and its later updates too.
    for (Removal r : removing) {
      if (r.part().matches(offer)) {
        r.letGo().add(key);
      }
    }
    if (held != null) {
      // It left the interest: the client lets go of it.
      offers.remove(key);
    } else if (!allowed.matches(offer) && removing.stream().noneMatch(r -> r.letGo().contains(key))) {
      violated("update of " + key + " (category " + offer.getString("category")
          + "), which is outside the interest and not held", frame);
    }
  }
}
