package io.pricewire.feed;

import io.pricewire.market.Market;
import io.pricewire.offer.Offer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The new projections of one read's offers in one market after a market event, shared by every
 * subscription re-priced with that read (a thousand storefronts of one supplier: one read, one
 * projection per offer, one encoding). Cut into chunks of at most {@link Outbox#MAX_BATCH}
 * entries within {@link FeedProtocol#MESSAGE_BUDGET}; a chunk's {@code updates} list is built once
 * ({@link SharedBytes}, so compressed once per window) for the subscriptions that skip none of its
 * offers. Items and chunks are made as the first subscription reaches them, so an event never
 * stops the event loop to project a large catalog at once. Lives on the hub's event loop.
 */
final class Repricing {

  private final List<Offer> offers;
  private final Market market;
  private final MarketView view;
  private final java.util.function.Consumer<Repricing> onUnused;
  private final byte[][] items;
  /** Chunk k holds the offers from {@code ends[k-1]} (0 for the first) to {@code ends[k]}. */
  private final List<Integer> ends = new ArrayList<>();
  private final List<SharedBytes> lists = new ArrayList<>();
  private byte[] listEnd;
  private int users;

  Repricing(List<Offer> offers, Market market, MarketView view, java.util.function.Consumer<Repricing> onUnused) {
    this.offers = offers;
    this.market = market;
    this.view = view;
    this.onUnused = onUnused;
    this.items = new byte[offers.size()][];
  }

  void retain() {
    users++;
  }

  /** A subscription is done with it; the last one lets the hub forget it. */
  void release() {
    if (--users == 0) {
      onUnused.accept(this);
    }
  }

  boolean unused() {
    return users == 0;
  }

  Offer offer(int i) {
    return offers.get(i);
  }

  /** {@code {"offer":{...,"market":{...}},"changed":["market"]}}. */
  byte[] item(int i) {
    if (items[i] == null) {
      items[i] = FeedProtocol.repricedItem(view.offerJson(offers.get(i), market)).getBytes(StandardCharsets.UTF_8);
    }
    return items[i];
  }

  /** Whether chunk k exists; makes it when first asked. */
  boolean hasChunk(int k) {
    while (ends.size() <= k) {
      int from = ends.isEmpty() ? 0 : ends.get(ends.size() - 1);
      if (from >= offers.size()) {
        return false;
      }
      int to = from;
      int bytes = 0;
      while (to < offers.size() && to - from < Outbox.MAX_BATCH) {
        int size = item(to).length + 1;
        if (to > from && bytes + size > FeedProtocol.MESSAGE_BUDGET) {
          break;
        }
        bytes += size;
        to++;
      }
      ends.add(to);
      lists.add(null);
    }
    return true;
  }

  int start(int k) {
    return k == 0 ? 0 : ends.get(k - 1);
  }

  int end(int k) {
    return ends.get(k);
  }

  /** The shared part of chunk k's {@code updates} frame: up to its seq ({@link FeedProtocol#UPDATES_START}). */
  SharedBytes list(int k, byte[] updatesEnd) {
    if (listEnd != updatesEnd) {
      // A new log's epoch: the parts made for the old one are not the frames' any more.
      listEnd = updatesEnd;
      for (int i = 0; i < lists.size(); i++) {
        lists.set(i, null);
      }
    }
    SharedBytes list = lists.get(k);
    if (list == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(FeedProtocol.MESSAGE_BUDGET);
      out.writeBytes(FeedProtocol.UPDATES_START);
      for (int i = start(k); i < end(k); i++) {
        if (i > start(k)) {
          out.write(',');
        }
        out.writeBytes(item(i));
      }
      out.writeBytes(updatesEnd);
      list = new SharedBytes(out.toByteArray());
      lists.set(k, list);
    }
    return list;
  }
}
