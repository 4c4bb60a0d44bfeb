// Type declarations of pricewire.js, the Pricewire live feed client.

/** Where the feed stands. */
export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

/** How the feed travels. */
export type Transport = 'websocket' | 'sse';

/** A decimal amount in a string, with its ISO 4217 currency. */
export interface Money {
  amount: string;
  currency: string;
}

/** The `market` object an offer carries when its subscription names a market. */
export interface MarketProjection {
  id: string;
  price?: Money;
  sale_price?: Money;
  landed_price?: Money;
  tax?: { class: string; class_from: string; rate: string; amount: Money; rules: string[] };
  fx?: { rate: string; as_of: string; source: string };
  fx_stale?: boolean;
  title?: string;
  title_locale?: string;
  cbec_limit_exceeded?: boolean;
  /** Set instead of prices when the market could not price the offer (`no_fx_rate`). */
  error?: { code: string; message: string };
  [field: string]: unknown;
}

/** An offer exactly as the gateway sends it. */
export interface Offer {
  supplier: string;
  sku: string;
  version: number;
  seq: number;
  price: Money;
  sale_price?: Money;
  availability: string;
  quantity?: number;
  /** Titles by BCP 47 locale. */
  title?: Record<string, string>;
  category?: string;
  brand?: string;
  gtin?: string;
  tax_class?: string;
  committed_at: string;
  market?: MarketProjection;
  [field: string]: unknown;
}

/** An offer named by supplier and sku. */
export interface OfferRef {
  supplier: string;
  sku: string;
}

/** What a subscription follows: an offer is in it when any entry names it, exactly. */
export interface InterestSpec {
  suppliers?: string[];
  /** `supplier:sku` strings or `{supplier, sku}` objects. */
  skus?: (string | OfferRef)[];
  /** Matched exactly against the offer's category. */
  categories?: string[];
}

export interface SubscribeSpec extends InterestSpec {
  /** 1 to 64 characters, unique among the feed's open subscriptions; generated when left out. */
  id?: string;
  /** A market id (`ca`, `cn-cbec`, ...): every offer then carries its `market` projection. */
  market?: string;
  /** The locale titles are shown in (client-side only: `Subscription.title`). */
  locale?: string;
  /** At most this many updates per second per offer (above 0, up to 1000). */
  maxRate?: number;
}

/**
 * A WebSocket class (the browser's, or the `ws` package's): the client uses `readyState`,
 * `send`, `close` and the `onopen`, `onmessage`, `onerror`, `onclose` handlers.
 */
export type WebSocketClass = new (url: string) => object;

/**
 * An EventSource class (the browser's, or the `eventsource` package's): the client uses
 * `readyState`, `close` and the `onopen`, `onmessage`, `onerror` handlers.
 */
export type EventSourceClass = new (url: string) => object;

export interface PricewireOptions {
  /**
   * The gateway: http, https, ws or wss, optionally with a path prefix; a path ending in
   * `/v1/feed` is accepted too. In a browser page, `location.origin` by default.
   */
  url?: string;
  /** A storefront token, or a function called before every connection attempt for a fresh one. */
  token?: string | (() => string | Promise<string>);
  /** `auto` (default): WebSocket, and SSE when something on the way drops WebSocket upgrades. */
  transport?: 'auto' | Transport;
  /** A WebSocket implementation where the platform has none (Node.js 20: `ws`). */
  WebSocket?: WebSocketClass;
  /** An EventSource implementation where the platform has none (Node.js: `eventsource`). */
  EventSource?: EventSourceClass;
  /** The fetch that asks the gateway why a connection failed; the platform's by default. */
  fetch?: (url: string, init?: { signal?: AbortSignal }) => Promise<{
    ok: boolean;
    status: number;
    json(): Promise<any>;
  }>;
  /** Shortest reconnection delay, ms (500). */
  minDelayMs?: number;
  /** Longest reconnection delay, ms (20000). */
  maxDelayMs?: number;
  /** A connection open this long resets the back-off, ms (5000). */
  stableMs?: number;
  /** Ask for heartbeats and treat silence as a dead connection (true). */
  heartbeat?: boolean;
  /** An attempt (or a probe of the gateway) not answered by then failed, ms (10000). */
  connectTimeoutMs?: number;
}

/** The `state` event, and the events named by each state. */
export interface StateEvent {
  state: FeedState;
  previous: FeedState | null;
  /** connecting, live: the transport. */
  transport?: Transport;
  /** connecting: this attempt's number since the last stable connection; reconnecting: failures so far. */
  attempt?: number;
  /** reconnecting: the wait before the next attempt. */
  delayMs?: number;
  /** reconnecting, closed: the close code, or the HTTP status of a refusal (401, 403). */
  code?: number;
  /** reconnecting, closed: why. */
  reason?: string;
  /** closed after a refusal: the gateway's error code (`invalid_token`, `origin_not_allowed`, ...). */
  error?: string;
}

/** A connection-level error: the feed goes on unless its state becomes `closed`. */
export interface FeedErrorEvent {
  code?: string;
  message: string;
}

export interface SnapshotEvent {
  /** The offers the snapshot carried, all its frames together. */
  offers: Offer[];
  resumed: boolean;
  reset: boolean;
  added: boolean;
  /** Keys of offers a resumed snapshot showed outside the interest: dropped from the map. */
  gone: string[];
}

export interface UpdateEvent {
  /** `supplier:sku` */
  key: string;
  offer: Offer;
  /** The state held before, if any. */
  previous?: Offer;
  changed: string[];
  /** The offer left the interest and was dropped from the map. */
  gone: boolean;
}

export interface ResetEvent {
  offers: Offer[];
}

export interface SubscriptionErrorEvent {
  code: string;
  message: string;
  /** Fatal errors end the subscription; the others are retried with back-off. */
  fatal: boolean;
}

/** One subscription, made by `Pricewire.subscribe`. */
export interface Subscription {
  readonly id: string;
  readonly market: string | undefined;
  readonly locale: string | undefined;
  /** The offers by `supplier:sku`. A full snapshot swaps in a new Map: read it from here each time. */
  readonly offers: Map<string, Offer>;
  /** Resolved with the subscription on its first complete snapshot; rejected if it ends first. */
  readonly ready: Promise<Subscription>;
  /** The resume point. */
  readonly epoch: string | null;
  readonly seq: number | null;
  /** What it follows now (skus as `supplier:sku`). */
  readonly interest: { suppliers: string[]; skus: string[]; categories: string[] };
  readonly closed: boolean;

  /** The offer's title in this subscription's locale (see `Pricewire.title`). */
  title(offer: Offer): string | undefined;
  add(spec: InterestSpec): void;
  remove(spec: InterestSpec): void;
  close(): void;

  on(type: 'snapshot', fn: (event: SnapshotEvent) => void): () => void;
  on(type: 'update', fn: (event: UpdateEvent) => void): () => void;
  on(type: 'reset', fn: (event: ResetEvent) => void): () => void;
  on(type: 'error', fn: (event: SubscriptionErrorEvent) => void): () => void;
  off(type: 'snapshot' | 'update' | 'reset' | 'error', fn: (event: any) => void): void;
}

/** A connection to a Pricewire gateway's live feed, and its subscriptions. */
export class Pricewire {
  constructor(options?: PricewireOptions);

  readonly state: FeedState;
  /** The transport of the current connection or attempt. */
  readonly transport: Transport | null;

  subscribe(spec?: SubscribeSpec): Subscription;
  /** State `closed`, no reconnection; the subscriptions end. */
  close(): void;

  on(type: 'state' | FeedState, fn: (event: StateEvent) => void): () => void;
  on(type: 'error', fn: (event: FeedErrorEvent) => void): () => void;
  off(type: 'state' | FeedState | 'error', fn: (event: any) => void): void;

  /**
   * The title to show: the market's title when a market gave one, else the title in `locale`,
   * then its shorter forms (zh-CN, zh), then English, then any; undefined when there is none.
   */
  static title(offer: Offer, locale?: string): string | undefined;
}

export default Pricewire;
