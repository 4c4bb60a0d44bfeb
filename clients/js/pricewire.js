/**
 * Pricewire live feed client: one dependency-free ES module for browsers and Node.js 20+.
 *
 * It holds, per subscription, a Map of the offers in its interest and keeps it equal to the
 * gateway's state across disconnects: it reconnects by itself with full-jitter back-off, resumes
 * with `since`, applies chunked, resumed, added and reset snapshots, falls back from WebSocket to
 * Server-Sent Events when something on the way drops upgrades, notices dead connections from the
 * gateway's heartbeats, and stops for good only when retrying cannot help (a refused token, a
 * refused origin, a frame the gateway will never take).
 *
 * The protocol it speaks is the gateway README's "Live feed protocol" and "Server-Sent Events".
 *
 * @module pricewire
 */

/** EventSource.CLOSED: the browser gave up on the stream (an HTTP error it will not show us). */
const EVENT_SOURCE_CLOSED = 2;
/** WebSocket.OPEN. */
const SOCKET_OPEN = 1;

/**
 * Close codes after which the same client would be refused again, so retrying cannot help:
 * 1003 (a binary frame was sent) and 1009 (a frame over the gateway's size limit).
 */
const FINAL_CLOSE_CODES = new Set([1003, 1009]);
/** The gateway closes with this when the storefront token expired. */
const TOKEN_EXPIRED = 4401;

/** Error codes of a subscribe or add that may succeed when tried again later. */
const TRANSIENT_ERRORS = new Set(['store_unavailable', 'no_fx_rate']);

/** Keys of internal methods shared between the classes of this module and hidden from pages. */
const START = Symbol('start');
const STOP = Symbol('stop');
const FRAME = Symbol('frame');
const FAIL = Symbol('fail');
const END = Symbol('end');

const noop = () => {};

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const listenersOf = new WeakMap();

/** Tells the page about an exception its listener threw, without letting it reach the client. */
function reportListenerError(error) {
  if (typeof globalThis.reportError === 'function') {
    globalThis.reportError(error);
  } else if (typeof console !== 'undefined') {
    console.error('pricewire: an event listener threw', error);
  }
}

/** Calls every listener of one event type; a listener that throws does not stop the others. */
function emit(target, type, payload) {
  const listeners = listenersOf.get(target)?.get(type);
  if (!listeners) return;
  for (const fn of [...listeners]) {
    try {
      fn(payload);
    } catch (error) {
      reportListenerError(error);
    }
  }
}

/** The `on`/`off` half of the feed and its subscriptions. */
class Emitter {
  constructor() {
    listenersOf.set(this, new Map());
  }

  /**
   * Adds a listener.
   * @param {string} type the event name
   * @param {(payload: any) => void} fn
   * @returns {() => void} a function that removes the listener
   */
  on(type, fn) {
    if (typeof fn !== 'function') throw new TypeError('on() needs a listener function');
    const all = listenersOf.get(this);
    if (!all.has(type)) all.set(type, new Set());
    all.get(type).add(fn);
    return () => this.off(type, fn);
  }

  /**
   * Removes a listener added with `on`.
   * @param {string} type
   * @param {(payload: any) => void} fn
   */
  off(type, fn) {
    listenersOf.get(this).get(type)?.delete(fn);
  }
}

// ---------------------------------------------------------------------------------------------
// Interests
// ---------------------------------------------------------------------------------------------

/** The map key of an offer: `supplier:sku` (supplier ids hold no `:`). */
function offerKey(offer) {
  return `${offer.supplier}:${offer.sku}`;
}

function skuEntry(entry) {
  if (typeof entry === 'string') {
    const colon = entry.indexOf(':');
    if (colon > 0) return `${entry.slice(0, colon)}:${entry.slice(colon + 1).trim()}`;
  } else if (entry && typeof entry.supplier === 'string' && typeof entry.sku === 'string') {
    return `${entry.supplier}:${entry.sku.trim()}`;
  }
  throw new TypeError(`skus holds ${JSON.stringify(entry)}; name an offer as "supplier:sku" or {supplier, sku}`);
}

function stringList(value, name) {
  if (value == null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(`${name} must be an array of strings`);
  }
  return value;
}

/**
 * What a subscription follows: suppliers, offers (`supplier:sku`, as the gateway trims skus) and
 * categories. Immutable; an offer is in it when any entry names it, exactly.
 */
class Interest {
  constructor(suppliers = [], skus = [], categories = []) {
    this.suppliers = new Set(suppliers);
    this.skus = new Set(skus);
    this.categories = new Set(categories);
    Object.freeze(this);
  }

  /** Reads `{suppliers, skus, categories}` as the page gives it. */
  static from(spec = {}) {
    return new Interest(stringList(spec.suppliers, 'suppliers'),
      (spec.skus == null ? [] : Array.isArray(spec.skus) ? spec.skus : [spec.skus]).map(skuEntry),
      stringList(spec.categories, 'categories'));
  }

  get empty() {
    return this.suppliers.size + this.skus.size + this.categories.size === 0;
  }

  matches(offer) {
    return this.suppliers.has(offer.supplier) || this.skus.has(offerKey(offer))
      || (offer.category != null && this.categories.has(offer.category));
  }

  plus(other) {
    return new Interest([...this.suppliers, ...other.suppliers], [...this.skus, ...other.skus],
      [...this.categories, ...other.categories]);
  }

  minus(other) {
    return new Interest([...this.suppliers].filter((s) => !other.suppliers.has(s)),
      [...this.skus].filter((k) => !other.skus.has(k)),
      [...this.categories].filter((c) => !other.categories.has(c)));
  }

  intersect(other) {
    return new Interest([...this.suppliers].filter((s) => other.suppliers.has(s)),
      [...this.skus].filter((k) => other.skus.has(k)),
      [...this.categories].filter((c) => other.categories.has(c)));
  }

  /** Whether every entry of `other` is in this one. */
  covers(other) {
    return other.minus(this).empty;
  }

  /** The members of a subscribe, add or remove frame (empty lists left out). */
  toFrame() {
    const frame = {};
    if (this.suppliers.size) frame.suppliers = [...this.suppliers];
    if (this.skus.size) frame.skus = [...this.skus];
    if (this.categories.size) frame.categories = [...this.categories];
    return frame;
  }

  /** The lists, for pages that want to see what a subscription follows. */
  toJSON() {
    return { suppliers: [...this.suppliers], skus: [...this.skus], categories: [...this.categories] };
  }
}

// ---------------------------------------------------------------------------------------------
// Dead connections
// ---------------------------------------------------------------------------------------------

/**
 * Declares a connection dead when no frame of any kind came for twice the heartbeat interval
 * plus a second. It arms only once the gateway said its interval (its first heartbeat comes
 * right after the connection opens), so a gateway without heartbeats is never taken for dead.
 */
class Watchdog {
  #timer = null;
  #timeoutMs = 0;
  #onDead;

  constructor(onDead) {
    this.#onDead = onDead;
  }

  /** A heartbeat said its interval. */
  expect(intervalMs) {
    if (Number.isFinite(intervalMs) && intervalMs > 0) {
      this.#timeoutMs = 2 * intervalMs + 1000;
    }
    this.heard();
  }

  /** A frame came. */
  heard() {
    if (!this.#timeoutMs) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onDead(this.#timeoutMs), this.#timeoutMs);
  }

  stop() {
    clearTimeout(this.#timer);
    this.#timeoutMs = 0;
  }
}

function parseFrame(data) {
  if (typeof data !== 'string') return null;
  try {
    const msg = JSON.parse(data);
    return msg && typeof msg === 'object' && !Array.isArray(msg) ? msg : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Transports
// ---------------------------------------------------------------------------------------------

/**
 * One WebSocket connection carrying any number of subscriptions. Reports once that it ended
 * (`closed`), with whether it had opened: a handshake refused by the gateway looks like any
 * network failure to a browser, so the feed asks the gateway why.
 */
class SocketLink {
  kind = 'websocket';
  opened = false;
  #socket = null;
  #events;
  #done = false;
  #connectTimer;
  #watchdog;
  /** Subscriptions by their id on this connection, and the ids ever used on it. */
  #routes = new Map();
  #ids = new Map();
  #used = new Set();

  /**
   * @param {typeof WebSocket} WebSocketImpl
   * @param {string} url
   * @param {number} connectTimeoutMs
   * @param {{open: () => void, frame: (msg: object) => void, closed: (info: object) => void}} events
   */
  constructor(WebSocketImpl, url, connectTimeoutMs, events) {
    this.#events = events;
    this.#watchdog = new Watchdog((ms) => this.#abandon(`no frame from the gateway for ${ms} ms (heartbeats)`));
    let socket;
    try {
      socket = new WebSocketImpl(url);
    } catch (error) {
      queueMicrotask(() => this.#ended({ reason: error.message }));
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      clearTimeout(this.#connectTimer);
      this.opened = true;
      this.#events.open();
    };
    socket.onmessage = (e) => {
      this.#watchdog.heard();
      const msg = parseFrame(e.data);
      if (!msg) return;
      if (msg.type === 'heartbeat') this.#watchdog.expect(msg.interval_ms);
      this.#events.frame(msg);
    };
    // The close event that follows says what happened; an error listener must stay in place
    // (Node's `ws` throws an error event that nobody listens to).
    socket.onerror = noop;
    socket.onclose = (e) => this.#ended({ code: e.code, reason: e.reason });
    this.#connectTimer = setTimeout(() => this.#abandon(`no connection within ${connectTimeoutMs} ms`),
      connectTimeoutMs);
  }

  /** The id a subscription goes by on this connection: its own, unless another used it here. */
  route(sub) {
    let wire = this.#ids.get(sub);
    if (wire) return wire;
    wire = sub.id;
    for (let n = 2; this.#used.has(wire); n++) wire = `${sub.id.slice(0, 56)}~${n}`;
    this.#used.add(wire);
    this.#ids.set(sub, wire);
    this.#routes.set(wire, sub);
    return wire;
  }

  /** Frames still on their way for a subscription that ended here are dropped. */
  unroute(sub) {
    this.#routes.delete(this.#ids.get(sub));
    this.#ids.delete(sub);
  }

  subscriptionOf(wireId) {
    return this.#routes.get(wireId);
  }

  send(frame) {
    if (!this.#done && this.#socket?.readyState === SOCKET_OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Closes without reporting: the feed already knows. Does not wait for the close handshake. */
  close() {
    if (this.#done) return;
    this.#done = true;
    this.#release();
  }

  #release() {
    clearTimeout(this.#connectTimer);
    this.#watchdog.stop();
    const socket = this.#socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = noop;
    try {
      socket.close(1000);
    } catch {
      // already closing
    }
  }

  /** The connection is given up on (no handshake in time, no heartbeat). */
  #abandon(reason) {
    if (this.#done) return;
    this.#release();
    this.#ended({ reason });
  }

  #ended({ code, reason }) {
    if (this.#done) return;
    this.#done = true;
    this.#release();
    this.#events.closed({ code, reason, opened: this.opened });
  }
}

/**
 * Server-Sent Events: one EventSource per subscription, since a stream carries one. The
 * client, not the EventSource, reconnects (it would resume from its own Last-Event-ID with the
 * token it started with), so every stream is closed on its first error.
 */
class StreamLink {
  kind = 'sse';
  #EventSource;
  #connectTimeoutMs;
  #events;
  #streams = new Map();

  /**
   * @param {{open: (sub) => void, frame: (sub, msg) => void, failed: (sub, url: string, gaveUp: boolean) => void}} events
   *   `gaveUp`: the EventSource closed itself (an HTTP error), rather than losing the stream
   */
  constructor(EventSourceImpl, connectTimeoutMs, events) {
    this.#EventSource = EventSourceImpl;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#events = events;
  }

  /** Every stream is open (true with none). */
  get opened() {
    for (const s of this.#streams.values()) if (!s.opened) return false;
    return true;
  }

  /** Opens a subscription's stream, closing the one it had. */
  open(sub, url) {
    this.closeStream(sub);
    const stream = { url, opened: false, source: null, connectTimer: null, watchdog: null };
    this.#streams.set(sub, stream);
    const fail = (gaveUp) => {
      if (this.#streams.get(sub) !== stream) return;
      this.closeStream(sub);
      this.#events.failed(sub, url, gaveUp);
    };
    stream.watchdog = new Watchdog(() => fail(false));
    let source;
    try {
      source = new this.#EventSource(url);
    } catch (error) {
      queueMicrotask(() => fail(false));
      return;
    }
    stream.source = source;
    source.onopen = () => {
      clearTimeout(stream.connectTimer);
      stream.opened = true;
      this.#events.open(sub);
    };
    source.onmessage = (e) => {
      stream.watchdog.heard();
      const msg = parseFrame(e.data);
      if (!msg) return;
      if (msg.type === 'heartbeat') {
        stream.watchdog.expect(msg.interval_ms);
        return;
      }
      this.#events.frame(sub, msg);
    };
    source.onerror = () => fail(source.readyState === EVENT_SOURCE_CLOSED);
    stream.connectTimer = setTimeout(() => fail(false), this.#connectTimeoutMs);
  }

  closeStream(sub) {
    const stream = this.#streams.get(sub);
    if (!stream) return;
    this.#streams.delete(sub);
    clearTimeout(stream.connectTimer);
    stream.watchdog.stop();
    if (stream.source) {
      stream.source.onopen = stream.source.onmessage = stream.source.onerror = null;
      stream.source.close();
    }
  }

  close() {
    for (const sub of [...this.#streams.keys()]) this.closeStream(sub);
  }
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

/**
 * One subscription: its interest, the offers in it, and its resume point. Made by
 * {@link Pricewire#subscribe}.
 *
 * Two interests matter. `want` is what the page asked for (subscribe, then add and remove):
 * offers are matched against it. `confirmed` is the part whose offers the map holds completely up
 * to the resume point (a complete subscribe snapshot, then each complete add): a resume asks for
 * it with `since`, and what else the page wants is added again after, since a resumed snapshot
 * would not carry the unchanged offers of an add that never completed. At most one add is on its
 * way at a time, so that a complete added snapshot says exactly which entries it completed.
 * `subscribed` and `adding` are what the current connection was asked for.
 *
 * Events: `snapshot`, `update`, `reset`, `error` (see the README).
 */
class Subscription extends Emitter {
  #host;
  #id;
  #market;
  #locale;
  #maxRate;
  #want;
  #confirmed = new Interest();
  /** The interest of the subscribe (or SSE stream) on the current connection. */
  #subscribed = null;
  /** The entries of the add on its way, or null. */
  #adding = null;
  #offers = new Map();
  #epoch = null;
  #seq = null;
  /**
   * Where the subscription stands on the current connection: idle (no connection), empty (an
   * empty interest: nothing to ask), subscribing (waiting for its snapshot), live, retrying (a
   * transient error; asking again after a delay), ended.
   */
  #phase = 'idle';
  #link = null;
  /** Offers of a snapshot whose last frame has not arrived. */
  #chunks = [];
  #retryTimer = null;
  #retries = 0;
  #ready;
  #readyResolve;
  #readyReject;
  #isReady = false;

  /** @internal */
  constructor(host, { id, market, locale, maxRate, interest }) {
    super();
    this.#host = host;
    this.#id = id;
    this.#market = market;
    this.#locale = locale;
    this.#maxRate = maxRate;
    this.#want = interest;
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    // A page that never awaits `ready` must not see an unhandled rejection when the
    // subscription ends first.
    this.#ready.catch(noop);
  }

  /** @type {Promise<Subscription>} resolved once the first complete snapshot was applied */
  get ready() {
    return this.#ready;
  }

  /** The subscription's id (given, or generated). */
  get id() {
    return this.#id;
  }

  /** @type {string | undefined} the market whose projection every offer carries */
  get market() {
    return this.#market;
  }

  /** @type {string | undefined} the locale titles are shown in (client-side only) */
  get locale() {
    return this.#locale;
  }

  /** @type {Map<string, object>} the offers, by `supplier:sku`; a full snapshot swaps in a new Map */
  get offers() {
    return this.#offers;
  }

  /** @type {string | null} the epoch of the resume point */
  get epoch() {
    return this.#epoch;
  }

  /** @type {number | null} the seq of the resume point */
  get seq() {
    return this.#seq;
  }

  /** @type {{suppliers: string[], skus: string[], categories: string[]}} what it follows now */
  get interest() {
    return this.#want.toJSON();
  }

  /** @type {boolean} true once closed, by the page or by a fatal error */
  get closed() {
    return this.#phase === 'ended';
  }

  /** The title of an offer in this subscription's locale (see {@link Pricewire.title}). */
  title(offer) {
    return Pricewire.title(offer, this.#locale);
  }

  /**
   * Follows more: the added offers arrive in a snapshot marked `added`.
   * @param {{suppliers?: string[], skus?: (string | {supplier: string, sku: string})[], categories?: string[]}} spec
   */
  add(spec) {
    if (this.#phase === 'ended') return;
    const fresh = Interest.from(spec).minus(this.#want);
    if (fresh.empty) return;
    this.#want = this.#want.plus(fresh);
    if (this.#link?.kind === 'sse') {
      if (this.#phase !== 'idle' && this.#phase !== 'retrying') this[START]();
    } else if (this.#phase === 'empty') {
      this[START]();
    } else if (this.#phase === 'live') {
      this.#sendAdd();
    }
    // subscribing: the add goes once the snapshot is complete; idle, retrying: at the next start.
  }

  /**
   * Follows less: offers no longer in the interest leave the map at once (an `update` with
   * `gone: true` each); updates of them still on their way are ignored.
   * @param {{suppliers?: string[], skus?: (string | {supplier: string, sku: string})[], categories?: string[]}} spec
   */
  remove(spec) {
    if (this.#phase === 'ended') return;
    const gone = Interest.from(spec).intersect(this.#want);
    if (gone.empty) return;
    this.#want = this.#want.minus(gone);
    this.#confirmed = this.#confirmed.minus(gone);
    if (this.#subscribed) this.#subscribed = this.#subscribed.minus(gone);
    if (this.#adding) this.#adding = this.#adding.minus(gone);
    for (const [key, offer] of [...this.#offers]) {
      if (!this.#want.matches(offer)) {
        this.#offers.delete(key);
        emit(this, 'update', { key, offer, previous: offer, changed: [], gone: true });
      }
    }
    if (this.#link?.kind === 'sse') {
      if (this.#phase !== 'idle' && this.#phase !== 'retrying') this[START]();
    } else if (this.#phase === 'subscribing' || this.#phase === 'live') {
      this.#link.send({ op: 'remove', id: this.#link.route(this), ...gone.toFrame() });
    }
  }

  /** Ends the subscription: no more events; the feed and its other subscriptions go on. */
  close() {
    this[END]();
  }

  // ---- driven by the feed ----

  /** Asks for the subscription on the current connection (again, after a change or an error). */
  [START](link = this.#link) {
    if (this.#phase === 'ended') return;
    clearTimeout(this.#retryTimer);
    this.#link = link;
    this.#chunks = [];
    this.#adding = null;
    if (!link) {
      this.#phase = 'idle';
      return;
    }
    if (this.#want.empty) {
      this.#subscribed = null;
      this.#phase = 'empty';
      if (link.kind === 'sse') link.closeStream(this);
      return;
    }
    // Resuming covers only what the map holds completely; the rest is asked for in full.
    const resume = this.#epoch != null && !this.#confirmed.empty;
    this.#phase = 'subscribing';
    if (link.kind === 'sse') {
      // A stream carries the whole interest: it resumes only if all of it is confirmed,
      // otherwise its full snapshot replaces the map.
      this.#subscribed = this.#want;
      const since = resume && this.#confirmed.covers(this.#want) ? `${this.#epoch}:${this.#seq}` : null;
      link.open(this, this.#host.streamUrl(this.#query(since)));
    } else {
      this.#subscribed = resume ? this.#confirmed : this.#want;
      const frame = { op: 'subscribe', id: link.route(this), ...this.#subscribed.toFrame() };
      if (this.#market != null) frame.market = this.#market;
      if (this.#maxRate != null) frame.max_rate = this.#maxRate;
      if (resume) frame.since = { epoch: this.#epoch, seq: this.#seq };
      link.send(frame);
    }
  }

  /** The connection is gone: wait for the next one. */
  [STOP]() {
    if (this.#phase === 'ended') return;
    clearTimeout(this.#retryTimer);
    this.#link = null;
    this.#phase = 'idle';
    this.#chunks = [];
    this.#adding = null;
  }

  /** A frame for this subscription. */
  [FRAME](msg) {
    if (this.#phase === 'ended') return;
    switch (msg.type) {
      case 'snapshot':
        this.#snapshotFrame(msg);
        break;
      case 'update':
        this.#applyUpdates([{ offer: msg.offer, changed: msg.changed }], msg);
        break;
      case 'updates':
        this.#applyUpdates(Array.isArray(msg.updates) ? msg.updates : [], msg);
        break;
      case 'error':
        this[FAIL]({ code: msg.code, message: msg.message, op: msg.op });
        break;
      default:
        // removed, unsubscribed: the interest and the map changed when the request was sent.
        // Frames of kinds this client does not know are ignored.
        break;
    }
  }

  /**
   * A refusal of this subscription: an error frame, or an SSE request answered 4xx. Transient
   * ones are retried with back-off; the rest end the subscription.
   */
  [FAIL]({ code, message, op }) {
    if (this.#phase === 'ended') return;
    if (op === 'remove' || op === 'unsubscribe') {
      // Nothing to undo: the entries (or the subscription) are gone either way.
      emit(this, 'error', { code, message, fatal: false });
      return;
    }
    const fatal = !TRANSIENT_ERRORS.has(code);
    emit(this, 'error', { code, message, fatal });
    if (fatal) {
      this[END]({ code, message }, op === 'add');
      return;
    }
    const link = this.#link;
    if (op === 'add' && this.#phase === 'live') {
      // The gateway dropped the part it could not read; the rest of the subscription goes on.
      this.#adding = null;
      this.#later(() => this.#sendAdd());
      return;
    }
    // The gateway holds no subscription now (it drops one whose snapshot failed).
    if (link?.kind === 'sse') link.closeStream(this);
    this.#phase = 'retrying';
    this.#later(() => {
      if (this.#link === link && this.#phase === 'retrying') this[START]();
    });
  }

  /**
   * Ends the subscription.
   * @param {{code: string, message: string}} [why] when the gateway refused it
   * @param {boolean} [onWire] whether the gateway holds it (a refused subscribe left nothing)
   */
  [END](why, onWire = this.#phase === 'subscribing' || this.#phase === 'live') {
    if (this.#phase === 'ended') return;
    const link = this.#link;
    if (link?.kind === 'sse') {
      link.closeStream(this);
    } else if (link) {
      if (onWire) link.send({ op: 'unsubscribe', id: link.route(this) });
      link.unroute(this);
    }
    clearTimeout(this.#retryTimer);
    this.#phase = 'ended';
    this.#link = null;
    this.#host.forget(this);
    if (!this.#isReady) {
      const error = new Error(why ? `${why.code}: ${why.message}` : 'the subscription was closed');
      if (why) error.code = why.code;
      this.#readyReject(error);
    }
  }

  // ---- inside ----

  #later(action) {
    clearTimeout(this.#retryTimer);
    this.#retries++;
    this.#retryTimer = setTimeout(action, this.#host.backoff(this.#retries));
  }

  /** Asks for what the page wants beyond what is confirmed, one add at a time. */
  #sendAdd() {
    if (this.#phase !== 'live' || this.#adding || !this.#link || this.#link.kind !== 'websocket') return;
    const missing = this.#want.minus(this.#confirmed);
    if (missing.empty) return;
    this.#adding = missing;
    this.#link.send({ op: 'add', id: this.#link.route(this), ...missing.toFrame() });
  }

  /** The SSE query of this subscription. */
  #query(since) {
    const q = new URLSearchParams();
    for (const s of this.#want.suppliers) q.append('suppliers', s);
    for (const k of this.#want.skus) q.append('skus', k);
    for (const c of this.#want.categories) q.append('categories', c);
    if (this.#market != null) q.set('market', this.#market);
    if (this.#maxRate != null) q.set('max_rate', String(this.#maxRate));
    if (since) q.set('since', since);
    return q;
  }

  #snapshotFrame(msg) {
    // A subscribe's snapshot comes while subscribing, an add's while it is on its way; anything
    // else belongs to a request this client no longer waits for.
    if (msg.added ? !this.#adding : this.#phase !== 'subscribing') return;
    if (Array.isArray(msg.offers)) {
      for (const o of msg.offers) this.#chunks.push(o);
    }
    if (msg.more) return;
    const offers = this.#chunks;
    this.#chunks = [];
    const resumed = !!msg.resumed;
    const reset = !!msg.reset;
    const added = !!msg.added;
    const gone = [];
    if (!added && (!resumed || reset)) {
      // The full state: a new Map, so that the page never sees a half-filled one.
      const map = new Map();
      for (const o of offers) if (this.#want.matches(o)) map.set(offerKey(o), o);
      this.#offers = map;
    } else {
      for (const o of offers) {
        const key = offerKey(o);
        const held = this.#offers.get(key);
        if (!this.#want.matches(o)) {
          // It left the interest (a category it moved out of) while the client was away.
          if (held) {
            this.#offers.delete(key);
            gone.push(key);
          }
        } else if (!held || !(o.version < held.version)) {
          this.#offers.set(key, o);
        }
      }
    }
    if (added) {
      this.#confirmed = this.#confirmed.plus(this.#adding);
      this.#adding = null;
    } else {
      this.#epoch = msg.epoch;
      this.#seq = msg.seq;
      this.#confirmed = this.#subscribed;
      this.#phase = 'live';
    }
    this.#retries = 0;
    emit(this, 'snapshot', { offers, resumed, reset, added, gone });
    if (reset) emit(this, 'reset', { offers });
    if (!this.#isReady && this.#phase !== 'ended') {
      this.#isReady = true;
      this.#readyResolve(this);
    }
    this.#sendAdd();
  }

  #applyUpdates(entries, msg) {
    if (this.#phase !== 'live') return;
    for (const entry of entries) {
      const offer = entry?.offer;
      if (!offer || typeof offer !== 'object') continue;
      const key = offerKey(offer);
      const previous = this.#offers.get(key);
      const changed = Array.isArray(entry.changed) ? entry.changed : [];
      if (!this.#want.matches(offer)) {
        // It moved out of a followed category (or was removed): drop it; never take it back.
        if (previous) {
          this.#offers.delete(key);
          emit(this, 'update', { key, offer, previous, changed, gone: true });
        }
        continue;
      }
      if (previous && offer.version < previous.version) continue;
      this.#offers.set(key, offer);
      emit(this, 'update', { key, offer, previous, changed, gone: false });
      if (this.#phase !== 'live') return;
    }
    if (typeof msg.seq === 'number') {
      if (msg.epoch !== this.#epoch || this.#seq == null || msg.seq > this.#seq) this.#seq = msg.seq;
      this.#epoch = msg.epoch;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The feed
// ---------------------------------------------------------------------------------------------

/** Reads the gateway's base URL: the origin and any path prefix before /v1/feed. */
function baseUrl(url) {
  const base = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(base.protocol)) {
    throw new TypeError(`url must be http, https, ws or wss, got ${url}`);
  }
  base.pathname = base.pathname.replace(/\/v1\/feed(\/sse)?\/?$/, '').replace(/\/+$/, '');
  base.hash = '';
  return base;
}

function isOffline() {
  return typeof navigator !== 'undefined' && navigator?.onLine === false;
}

/**
 * A connection to a Pricewire gateway's live feed, and its subscriptions.
 *
 * Events: `state` (and one named by each state: `connecting`, `live`, `reconnecting`, `offline`,
 * `closed`) and `error` (connection-level; the feed goes on unless its state becomes `closed`).
 */
export class Pricewire extends Emitter {
  #options;
  #base;
  #WebSocket;
  #EventSource;
  #fetch;
  #state = null;
  #transport = null;
  #subscriptions = new Map();
  #link = null;
  /** Failed attempts since the last stable connection: the back-off's exponent. */
  #failures = 0;
  /** Bumped by every attempt and by close: async results of an older one are dropped. */
  #generation = 0;
  #retryTimer = null;
  #stableTimer = null;
  /** Carry the feed over SSE: asked for, or fallen back to. */
  #sse;
  /** Consecutive WebSocket failures that the gateway, asked, put down to a dropped upgrade. */
  #upgradesDropped = 0;
  /** A token the gateway refused; with a token function, a fresh one is asked for. */
  #refused = null;
  #token = null;
  #ids = 0;
  #unwatch = noop;

  /**
   * @param {object} [options]
   * @param {string} [options.url] the gateway (http, https, ws, wss; a path ending in /v1/feed
   *   is accepted too); in a browser, the page's origin by default
   * @param {string | (() => string | Promise<string>)} [options.token] a storefront token, or a
   *   function called before every connection attempt for a fresh one
   * @param {'auto' | 'websocket' | 'sse'} [options.transport] 'auto' (default): WebSocket, and
   *   SSE when something on the way drops WebSocket upgrades
   * @param {typeof WebSocket} [options.WebSocket] where the platform has none (Node 20: `ws`)
   * @param {typeof EventSource} [options.EventSource] where the platform has none (Node: `eventsource`)
   * @param {typeof fetch} [options.fetch] asks the gateway why a connection failed
   * @param {number} [options.minDelayMs] shortest reconnection delay (500)
   * @param {number} [options.maxDelayMs] longest reconnection delay (20000)
   * @param {number} [options.stableMs] a connection open this long resets the back-off (5000)
   * @param {boolean} [options.heartbeat] ask for heartbeats and treat silence as a dead connection (true)
   * @param {number} [options.connectTimeoutMs] an attempt that has not opened by then failed (10000)
   */
  constructor(options = {}) {
    super();
    const o = {
      url: options.url ?? globalThis.location?.origin,
      token: options.token,
      transport: options.transport ?? 'auto',
      minDelayMs: options.minDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 20000,
      stableMs: options.stableMs ?? 5000,
      heartbeat: options.heartbeat ?? true,
      connectTimeoutMs: options.connectTimeoutMs ?? 10000,
    };
    if (!o.url) throw new TypeError('url is required outside a browser page');
    if (!['auto', 'websocket', 'sse'].includes(o.transport)) {
      throw new TypeError(`transport must be 'auto', 'websocket' or 'sse', got ${o.transport}`);
    }
    for (const name of ['minDelayMs', 'maxDelayMs', 'stableMs', 'connectTimeoutMs']) {
      if (!(typeof o[name] === 'number' && o[name] >= 0)) throw new TypeError(`${name} must be a number >= 0`);
    }
    this.#options = o;
    this.#base = baseUrl(o.url);
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.#EventSource = options.EventSource ?? globalThis.EventSource;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    // Browsers refuse fetch called on another object than the window.
    this.#fetch = fetchImpl ? (...args) => fetchImpl.apply(globalThis, args) : null;
    if (o.transport !== 'sse' && !this.#WebSocket && (o.transport === 'websocket' || !this.#EventSource)) {
      throw new TypeError('no WebSocket implementation: pass one (in Node.js 20, `WebSocket` from the ws package)');
    }
    if (o.transport !== 'websocket' && !this.#EventSource && (o.transport === 'sse' || !this.#WebSocket)) {
      throw new TypeError('no EventSource implementation: pass one (in Node.js, `EventSource` from the eventsource package)');
    }
    this.#sse = o.transport === 'sse' || !this.#WebSocket;
    this.#watchBrowser();
    // Listeners added right after construction see the first state event.
    queueMicrotask(() => this.#connect());
  }

  /** @type {'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed'} */
  get state() {
    return this.#state ?? 'connecting';
  }

  /** @type {'websocket' | 'sse' | null} the transport of the current connection or attempt */
  get transport() {
    return this.#transport;
  }

  /**
   * Subscribes. On WebSocket every subscription shares the one connection; on SSE each has its
   * own stream.
   * @param {object} spec
   * @param {string} [spec.id] 1 to 64 characters, unique among this feed's open subscriptions
   * @param {string[]} [spec.suppliers]
   * @param {(string | {supplier: string, sku: string})[]} [spec.skus] `supplier:sku` or objects
   * @param {string[]} [spec.categories] matched exactly
   * @param {string} [spec.market] a market id: every offer carries its `market` projection
   * @param {string} [spec.locale] for titles (client-side only)
   * @param {number} [spec.maxRate] at most this many updates per second per offer
   * @returns {Subscription}
   */
  subscribe(spec = {}) {
    if (this.#state === 'closed') throw new Error('the feed is closed');
    let id = spec.id;
    if (id == null) {
      do id = `s${++this.#ids}`; while (this.#subscriptions.has(id));
    } else if (typeof id !== 'string' || id.length < 1 || id.length > 64) {
      throw new TypeError('id must be a string of 1 to 64 characters');
    } else if (this.#subscriptions.has(id)) {
      throw new Error(`a subscription with id "${id}" is open on this feed`);
    }
    if (spec.maxRate != null && !(typeof spec.maxRate === 'number' && spec.maxRate > 0 && spec.maxRate <= 1000)) {
      throw new TypeError('maxRate must be a number above 0 and at most 1000');
    }
    const sub = new Subscription(this.#host, {
      id, market: spec.market, locale: spec.locale, maxRate: spec.maxRate, interest: Interest.from(spec),
    });
    this.#subscriptions.set(id, sub);
    if (this.#link?.opened || this.#link?.kind === 'sse') {
      sub[START](this.#link);
    }
    return sub;
  }

  /** Closes the feed: state `closed`, no reconnection; its subscriptions end. */
  close() {
    this.#stop({ code: 1000, reason: 'closed by the client' });
  }

  /**
   * The title to show for an offer: its market's title when a market gave one, else its title
   * in `locale`, falling back through the locale's shorter forms (zh-CN, zh), then English, then
   * any title it has.
   * @param {object} offer
   * @param {string} [locale]
   * @returns {string | undefined}
   */
  static title(offer, locale) {
    if (typeof offer?.market?.title === 'string') return offer.market.title;
    const titles = offer?.title;
    if (typeof titles === 'string') return titles;
    if (!titles || typeof titles !== 'object') return undefined;
    const byTag = new Map(Object.keys(titles).map((tag) => [tag.toLowerCase(), titles[tag]]));
    const wanted = [];
    for (let tag = (locale ?? '').toLowerCase(); tag; tag = tag.slice(0, Math.max(0, tag.lastIndexOf('-')))) {
      wanted.push(tag);
    }
    wanted.push('en');
    for (const tag of wanted) if (typeof byTag.get(tag) === 'string') return byTag.get(tag);
    return Object.values(titles).find((t) => typeof t === 'string');
  }

  // ---- what subscriptions ask of the feed ----

  #host = {
    backoff: (attempt) => this.#backoff(attempt),
    streamUrl: (query) => this.#url('http', '/v1/feed/sse', query),
    forget: (sub) => {
      if (this.#subscriptions.get(sub.id) === sub) this.#subscriptions.delete(sub.id);
      if (this.#link?.kind === 'sse') this.#streamOpened(this.#link);
    },
  };

  // ---- connecting ----

  /** Full jitter: a random delay between the shortest and a cap that doubles per failure. */
  #backoff(attempt) {
    const { minDelayMs, maxDelayMs } = this.#options;
    const cap = Math.min(maxDelayMs, 1000 * 2 ** Math.max(0, attempt - 1));
    const low = Math.min(minDelayMs, cap);
    return Math.round(low + Math.random() * (cap - low));
  }

  /** A URL of the feed, with the token and the heartbeat request. */
  #url(scheme, path, query) {
    const u = new URL(this.#base);
    const secure = u.protocol === 'https:' || u.protocol === 'wss:';
    u.protocol = scheme === 'ws' ? (secure ? 'wss:' : 'ws:') : (secure ? 'https:' : 'http:');
    u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
    if (query) for (const [k, v] of query) u.searchParams.append(k, v);
    if (this.#options.heartbeat) u.searchParams.set('heartbeat', '1');
    if (this.#token) u.searchParams.set('access_token', this.#token);
    return u.toString();
  }

  #setState(state, details = {}) {
    if (this.#state === state) return;
    const previous = this.#state;
    this.#state = state;
    const event = { state, previous, ...details };
    emit(this, 'state', event);
    emit(this, state, event);
  }

  async #connect() {
    clearTimeout(this.#retryTimer);
    if (this.#state === 'closed') return;
    if (isOffline()) {
      this.#transport = null;
      this.#setState('offline');
      return;
    }
    const generation = ++this.#generation;
    const transport = this.#sse ? 'sse' : 'websocket';
    this.#transport = transport;
    this.#setState('connecting', { transport, attempt: this.#failures + 1 });
    let token;
    try {
      token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
    } catch (error) {
      if (generation !== this.#generation) return;
      emit(this, 'error', { code: 'token_unavailable', message: `the token function failed: ${error?.message ?? error}` });
      this.#retry({ reason: 'the token function failed' });
      return;
    }
    if (generation !== this.#generation) return;
    if (this.#refused) {
      if (token === this.#refused.token) {
        // The function gave the token the gateway just refused: asking again cannot help.
        this.#stop(this.#refused);
        return;
      }
      this.#refused = null;
    }
    this.#token = token ?? null;
    const timeoutMs = this.#options.connectTimeoutMs;
    if (transport === 'websocket') {
      const link = new SocketLink(this.#WebSocket, this.#url('ws', '/v1/feed'), timeoutMs, {
        open: () => this.#socketOpened(link),
        frame: (msg) => this.#socketFrame(link, msg),
        closed: (info) => this.#socketClosed(link, info),
      });
      this.#link = link;
    } else {
      const link = new StreamLink(this.#EventSource, timeoutMs, {
        open: () => this.#streamOpened(link),
        frame: (sub, msg) => sub[FRAME](msg),
        failed: (sub, url, gaveUp) => this.#streamFailed(link, sub, url, gaveUp),
      });
      this.#link = link;
      for (const sub of [...this.#subscriptions.values()]) sub[START](link);
      this.#streamOpened(link);
    }
  }

  #live() {
    this.#setState('live', { transport: this.#transport });
    clearTimeout(this.#stableTimer);
    this.#stableTimer = setTimeout(() => {
      this.#failures = 0;
    }, this.#options.stableMs);
  }

  /** The current connection is gone: subscriptions wait for the next. Returns false for an old one. */
  #lost(link) {
    if (link !== this.#link) return false;
    link.close();
    this.#link = null;
    clearTimeout(this.#stableTimer);
    for (const sub of this.#subscriptions.values()) sub[STOP]();
    return true;
  }

  /** Tries again after the back-off delay. */
  #retry({ code, reason } = {}) {
    if (this.#state === 'closed') return;
    this.#failures++;
    this.#transport = null;
    if (isOffline()) {
      this.#setState('offline');
      return;
    }
    const delayMs = this.#backoff(this.#failures);
    this.#setState('reconnecting', { attempt: this.#failures, delayMs, code, reason });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  /**
   * The gateway refused the token (401, or 4401 when it expired). With a token function, ask it
   * for a fresh one; if it gives the same token again, stop.
   */
  #tokenRefused(refusal) {
    if (typeof this.#options.token !== 'function') {
      this.#stop(refusal);
      return;
    }
    this.#refused = { ...refusal, token: this.#token };
    this.#retry(refusal);
  }

  /** Ends the feed for good: no more attempts; says why in the `closed` state event. */
  #stop({ code, reason, error }) {
    if (this.#state === 'closed') return;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#stableTimer);
    this.#link?.close();
    this.#link = null;
    this.#transport = null;
    this.#unwatch();
    const why = { code: error ?? String(code), message: reason ?? 'the feed is closed' };
    for (const sub of [...this.#subscriptions.values()]) sub[END](why);
    const details = { code, reason };
    if (error) details.error = error;
    this.#setState('closed', details);
  }

  /**
   * Asks the gateway with a plain GET why a connection failed, since neither a refused
   * WebSocket handshake nor a failed EventSource shows the page its HTTP status. Answers
   * `{status, code, message}`; status 0 when the gateway could not be reached.
   */
  async #probe(url) {
    if (!this.#fetch) return { status: 0, message: 'no fetch to ask the gateway with' };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.connectTimeoutMs);
    try {
      const response = await this.#fetch(url, { signal: controller.signal });
      if (response.ok) {
        // An event stream would go on: the headers said enough.
        controller.abort();
        return { status: response.status };
      }
      let error = {};
      try {
        error = (await response.json())?.error ?? {};
      } catch {
        // not the gateway's JSON: the status says what there is to say
      }
      return { status: response.status, code: error.code, message: error.message ?? `HTTP ${response.status}` };
    } catch (e) {
      return { status: 0, message: e?.message ?? String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- WebSocket ----

  #socketOpened(link) {
    if (link !== this.#link) return;
    this.#upgradesDropped = 0;
    this.#live();
    for (const sub of [...this.#subscriptions.values()]) sub[START](link);
  }

  #socketFrame(link, msg) {
    if (link !== this.#link || msg.type === 'heartbeat' || msg.type === 'pong') return;
    const sub = msg.id == null ? null : link.subscriptionOf(msg.id);
    if (sub) {
      sub[FRAME](msg);
    } else if (msg.type === 'error' && msg.id == null) {
      emit(this, 'error', { code: msg.code, message: msg.message });
    }
  }

  async #socketClosed(link, { code, reason, opened }) {
    if (!this.#lost(link)) return;
    if (opened) {
      if (FINAL_CLOSE_CODES.has(code)) {
        this.#stop({ code, reason });
      } else if (code === TOKEN_EXPIRED) {
        this.#tokenRefused({ code, reason });
      } else {
        this.#retry({ code, reason });
      }
      return;
    }
    const generation = this.#generation;
    const answer = await this.#probe(this.#url('http', '/v1/feed'));
    if (generation !== this.#generation || this.#link || this.#state === 'closed') return;
    if (answer.status === 401) {
      this.#tokenRefused({ code: 401, reason: answer.message, error: answer.code });
    } else if (answer.status === 403) {
      this.#stop({ code: 403, reason: answer.message, error: answer.code });
    } else if (answer.status === 400 && answer.code === 'websocket_required') {
      // The gateway is there and takes the token: something on the way drops upgrades.
      this.#upgradesDropped++;
      emit(this, 'error', { code: answer.code, message: 'the WebSocket upgrade did not reach the gateway' });
      if (this.#options.transport === 'auto') {
        // Twice in a row, so that one unlucky attempt does not give up WebSocket.
        if (this.#upgradesDropped >= 2) this.#sse = true;
        this.#connect();
      } else {
        this.#retry({ code: 400, reason: answer.message });
      }
    } else {
      this.#retry({ code: answer.status || code, reason: answer.message || reason });
    }
  }

  // ---- SSE ----

  #streamOpened(link) {
    if (link === this.#link && this.#state === 'connecting' && link.opened) this.#live();
  }

  async #streamFailed(link, sub, url, gaveUp) {
    if (link !== this.#link) return;
    if (!gaveUp) {
      // The stream dropped, or never opened (a network failure): the gateway is not reachable now.
      this.#lost(link);
      this.#retry({ reason: 'the event stream dropped' });
      return;
    }
    const generation = this.#generation;
    const answer = await this.#probe(url);
    if (generation !== this.#generation || link !== this.#link) return;
    const { status, code, message } = answer;
    if (status === 401) {
      this.#lost(link);
      this.#tokenRefused({ code: 401, reason: message, error: code });
    } else if (status === 403 && code === 'origin_not_allowed') {
      this.#stop({ code: 403, reason: message, error: code });
    } else if (status === 400 || status === 403 || status === 404 || status === 409) {
      // This subscription's refusal (forbidden, unknown_market, no_fx_rate, an invalid query).
      sub[FAIL]({ code: code ?? `http_${status}`, message, op: 'subscribe' });
      this.#streamOpened(link);
    } else {
      this.#lost(link);
      this.#retry({ code: status || undefined, reason: message });
    }
  }

  // ---- the browser ----

  /** Reconnects at once when the browser is back online, or a hidden tab shows again. */
  #watchBrowser() {
    const now = () => {
      if (this.#state === 'reconnecting' || this.#state === 'offline') this.#connect();
    };
    const offline = () => {
      // A live connection may still work (a page on localhost); its heartbeats will tell.
      if (this.#state === 'reconnecting') {
        clearTimeout(this.#retryTimer);
        this.#transport = null;
        this.#setState('offline');
      }
    };
    const visible = () => {
      if (globalThis.document?.visibilityState === 'visible') now();
    };
    const win = typeof globalThis.addEventListener === 'function' ? globalThis : null;
    const doc = typeof globalThis.document?.addEventListener === 'function' ? globalThis.document : null;
    win?.addEventListener('online', now);
    win?.addEventListener('offline', offline);
    doc?.addEventListener('visibilitychange', visible);
    this.#unwatch = () => {
      win?.removeEventListener('online', now);
      win?.removeEventListener('offline', offline);
      doc?.removeEventListener('visibilitychange', visible);
    };
  }
}

export default Pricewire;
