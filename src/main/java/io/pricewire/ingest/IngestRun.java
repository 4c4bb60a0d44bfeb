package io.pricewire.ingest;

import io.pricewire.changelog.ItemOutcome;
import io.pricewire.changelog.ItemStatus;
import io.pricewire.changelog.LedgerWrite;
import io.pricewire.config.Settings;
import io.pricewire.http.Failure;
import io.pricewire.offer.FieldError;
import io.pricewire.offer.ParsedItem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One ingest request, from body to answer: a {@link BodyReader} hands on parsed items, the
 * {@link ChunkCommitter} commits them in chunks (one in flight at a time), and the
 * {@link AnswerWriter} streams a result per item, in order. Reading pauses while a chunk commits
 * or while the client is slow to read the answer. If processing must stop (a limit, the store
 * unavailable), the answer lists what was done and ends with an {@code error} member; items not
 * listed were not processed.
 */
final class IngestRun implements BodyReader.Items {

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final IngestSource source;
  private final int chunkItems;
  private final IngestMetrics metrics;
  private final ChunkCommitter committer;
  private final BodyReader reader;
  private final AnswerWriter answer;
  private final long startedNanos = System.nanoTime();
  private final Set<String> unknownFields = new TreeSet<>();
  private final List<JsonObject> warnings = new ArrayList<>();
  private final Map<ItemStatus, Integer> counts = new EnumMap<>(ItemStatus.class);
  private final String supplier;

  private List<Slot> slots = new ArrayList<>();
  private List<LedgerWrite> writes = new ArrayList<>();
  /** Items already sent to the ledger: the index of the next item starts after them. */
  private long indexed;
  private boolean committing;
  private boolean readerDone;
  private boolean finished;
  private Failure stopped;

  /** One read item: its place, and either its errors or the position of its write in the chunk. */
  private record Slot(long index, long line, String sku, List<FieldError> errors, int write) {
  }

  IngestRun(Vertx vertx, HttpServerRequest request, String supplier, IngestSource source, Settings.Ingest limits,
      long ledgerTimeoutMs, IngestMetrics metrics, IngestLimiter limiter) {
    this.request = request;
    this.response = request.response();
    this.supplier = supplier;
    this.source = source;
    this.metrics = metrics;
    this.committer = new ChunkCommitter(vertx, supplier, limiter, ledgerTimeoutMs);
    this.chunkItems = source == IngestSource.JSON ? Integer.MAX_VALUE : limits.chunkItems();
    this.reader = source == IngestSource.JSON ? new JsonArrayBody(limits, unknownFields)
        : new LineBody(source, limits, unknownFields);
    this.answer = new AnswerWriter(response, supplier, source, chunkItems);
    for (ItemStatus s : ItemStatus.values()) {
      counts.put(s, 0);
    }
  }

  void start() {
    reader.start(request, this);
  }

  // ---- what the reader hands on ----

  @Override
  public boolean item(ParsedItem parsed, long line, long receivedNanos) {
    long index = indexed + slots.size();
    if (parsed.accepted()) {
      writes.add(new LedgerWrite(supplier, parsed.write(), receivedNanos));
      slots.add(new Slot(index, line, parsed.sku(), null, writes.size() - 1));
    } else {
      slots.add(new Slot(index, line, parsed.sku(), parsed.errors(), -1));
    }
    if (slots.size() < chunkItems) {
      return true;
    }
    submit();
    return false;
  }

  @Override
  public void warning(JsonObject warning) {
    warnings.add(warning);
  }

  @Override
  public void refuse(Failure failure) {
    finished = true;
    request.pause();
    failure.refuseUnread(request);
  }

  @Override
  public void stop(Failure failure) {
    if (stopped == null) {
      stopped = failure;
      // A body read to its end has nothing left to pause (HTTP/2 refuses to).
      if (!request.isEnded()) {
        request.pause();
      }
      if (!committing) {
        finish();
      }
    }
  }

  @Override
  public void end() {
    readerDone = true;
    if (source == IngestSource.JSON) {
      Failure overRate = committer.takeAtOnce(writes.size());
      if (overRate != null) {
        finished = true;
        overRate.send(response);
        return;
      }
    }
    if (!slots.isEmpty()) {
      submit();
    } else if (!committing) {
      finish();
    }
  }

  // ---- chunks ----

  private void submit() {
    List<Slot> chunkSlots = slots;
    List<LedgerWrite> chunkWrites = writes;
    slots = new ArrayList<>();
    writes = new ArrayList<>();
    indexed += chunkSlots.size();
    committing = true;
    committer.commit(chunkWrites, source != IngestSource.JSON).onComplete(ar -> {
      committing = false;
      try {
        if (ar.succeeded()) {
          committed(chunkSlots, ar.result());
        } else {
          stop(ar.cause() instanceof ChunkCommitter.CommitFailed f ? f.failure()
              : Failure.internal(ar.cause(), "ingest for supplier " + supplier));
        }
      } catch (RuntimeException e) {
        crashed(e);
      }
    });
  }

  /**
   * A defect while answering: the client still gets an answer (500, or a cut connection once
   * part of the answer went out, so that it cannot take a half answer for a whole one).
   */
  private void crashed(RuntimeException e) {
    Failure failure = Failure.internal(e, "the ingest answer for supplier " + supplier);
    finished = true;
    if (answer.started()) {
      request.connection().close();
    } else {
      failure.send(response);
      if (!reader.inputEnded()) {
        request.connection().close();
      }
    }
  }

  private void committed(List<Slot> chunkSlots, List<ItemOutcome> outcomes) {
    for (Slot slot : chunkSlots) {
      if (slot.errors != null) {
        answer.item(slot.index, slot.line, slot.sku, null, slot.errors);
        count(ItemStatus.REJECTED);
        slot.errors.forEach(e -> metrics.rejection(e.code()));
      } else {
        ItemOutcome o = outcomes.get(slot.write);
        answer.item(slot.index, slot.line, slot.sku, o, null);
        o.errors().forEach(e -> metrics.rejection(e.code()));
        count(o.status());
      }
    }
    if (stopped != null || readerDone) {
      finish();
    } else if (answer.full()) {
      response.drainHandler(v -> reader.resume());
    } else {
      reader.resume();
    }
  }

  private void count(ItemStatus status) {
    counts.merge(status, 1, Integer::sum);
    metrics.item(source, status);
  }

  // ---- the end ----

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    for (String field : unknownFields) {
      warnings.add(new JsonObject().put("code", "unknown_field").put("field", field)
          .put("message", "\"" + field + "\" is not an offer field; it was ignored"));
    }
    int status = 200;
    if (stopped != null) {
      status = stopped.status();
      if (!answer.started()) {
        if (stopped.retryAfter() != null) {
          response.putHeader("Retry-After", stopped.retryAfter());
        }
        if (!reader.inputEnded()) {
          response.putHeader("Connection", "close");
        }
      }
    }
    boolean unread = !reader.inputEnded();
    answer.end(status, counts, warnings, stopped == null ? null : stopped.toJson()).onComplete(v -> {
      if (unread) {
        // The rest of the body will not be read: the connection cannot carry another request.
        request.connection().close();
      }
    });
    metrics.request(source, System.nanoTime() - startedNanos);
  }
}
