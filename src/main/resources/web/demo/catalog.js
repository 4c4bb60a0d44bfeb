// The second view: the marketplace's whole catalog (the shop's own product list, from
// /demo/catalog.json) as cards, with live prices and stock for the cards on screen only. As the
// shopper scrolls, the subscription grows and shrinks (sub.add / sub.remove), batched: one change
// of interest at most every SETTLE_MS while the screen keeps moving.
import {
  readPrefs, applyLanguage, wireSwitches, loadConfig, tokenFromPage, askForToken, forgetToken,
  Announcer, showConnection, createCard, renderCard, renderNotice, soldOut, titleOf, wireCart, openFeed, t,
} from './shop.js';
import { connectWithToken } from './session.js';

/** Quiet time after the last scroll before the interest follows the screen. */
const SETTLE_MS = 150;
/** Longest the interest lags behind a screen that keeps moving. */
const MAX_LAG_MS = 600;
/** Cards this close to the screen count as on it (they are about to be seen). */
const MARGIN = '150px 0px';

const prefs = readPrefs();
applyLanguage(prefs);

const grid = document.getElementById('products');
const statusLine = document.getElementById('status');
const lead = document.getElementById('catalog-lead');
const notice = document.getElementById('notice');
const connection = document.querySelector('[data-connection]');
const announcer = new Announcer(document.getElementById('announcer'), prefs);
wireCart(grid, document.querySelector('.cart-count'), prefs);

/** key → {card, titles, category}; the catalog's own facts. */
const items = new Map();
/** key → the last state the feed gave (kept when the card leaves the screen). */
const known = new Map();
/** Keys whose cards are on (or near) the screen now. */
const visible = new Set();
/** Keys the subscription holds (asked for: subscribe or add sent, no remove since). */
let interest = new Set();
let feed = null;
let sub = null;
let connectionView = null;
let settleTimer = null;
let lagTimer = null;
let catalogSize = 0;

function renderLead() {
  lead.textContent = catalogSize ? t(prefs).catalogLead(catalogSize) : '';
}

function renderOne(key, extra = {}) {
  const item = items.get(key);
  if (!item) return;
  renderCard(item.card, known.get(key), prefs, { fallbackTitles: item.titles, live: interest.has(key), ...extra });
  item.card.dataset.live = String(interest.has(key) && !!sub && sub.offers.has(key));
}

function renderAll() {
  for (const key of items.keys()) renderOne(key);
  renderLead();
  renderNotice(notice, prefs, known.values());
  connectionView?.rerender();
  renderStatus();
}

function renderStatus() {
  const text = t(prefs);
  statusLine.textContent = !catalogSize ? text.loading
    : interest.size ? text.following(interest.size, catalogSize) : text.shown(catalogSize);
}

// ---------------------------------------------------------------- following the screen

const observer = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const key = e.target.dataset.offer;
    if (e.isIntersecting) visible.add(key); else visible.delete(key);
  }
  schedule();
}, { rootMargin: MARGIN });

function schedule() {
  clearTimeout(settleTimer);
  settleTimer = setTimeout(follow, SETTLE_MS);
  if (!lagTimer) lagTimer = setTimeout(follow, MAX_LAG_MS);
}

/** Makes the subscription hold exactly the cards on screen: one add and one remove at most. */
function follow() {
  clearTimeout(settleTimer);
  clearTimeout(lagTimer);
  settleTimer = null;
  lagTimer = null;
  if (!feed) return;
  const want = new Set(visible);
  if (!sub) {
    if (!want.size) return;
    interest = want;
    open([...want]);
    renderStatus();
    return;
  }
  const add = [...want].filter((k) => !interest.has(k));
  // The interest never goes empty (a subscription needs one entry): the last cards stay until
  // others come.
  const remove = want.size ? [...interest].filter((k) => !want.has(k)) : [];
  if (add.length) sub.add({ skus: add });
  if (remove.length) sub.remove({ skus: remove });
  for (const k of add) interest.add(k);
  for (const k of remove) interest.delete(k);
  for (const k of [...add, ...remove]) renderOne(k);
  if (add.length || remove.length) renderStatus();
}

function open(skus) {
  const s = feed.subscribe({
    skus,
    market: prefs.market === 'cn-cbec' ? 'cn-cbec' : undefined,
    locale: prefs.locale,
  });
  sub = s;
  const sync = () => {
    if (s !== sub) return;
    for (const [key, offer] of s.offers) {
      const previous = known.get(key);
      known.set(key, offer);
      renderOne(key, { flash: !!previous && previous.market?.id === offer.market?.id, previous });
    }
    for (const key of interest) if (!s.offers.has(key)) renderOne(key);
    renderNotice(notice, prefs, known.values());
  };
  s.on('snapshot', sync);
  s.on('reset', sync);
  s.on('update', ({ key, offer, gone }) => {
    if (s !== sub || !items.has(key)) return;
    if (gone || !offer) {
      renderOne(key);
      return;
    }
    const before = known.get(key);
    known.set(key, offer);
    renderOne(key, { flash: true, previous: before });
    if (soldOut(offer) && before && !soldOut(before) && visible.has(key)) {
      announcer.soldOutItem(titleOf(offer, prefs.locale, items.get(key).titles).text);
    }
  });
  s.on('error', ({ code, message, fatal }) => {
    if (s !== sub) return;
    if (fatal) statusLine.textContent = t(prefs).feedError(message || code);
  });
}

function resubscribe() {
  if (sub) sub.close();
  sub = null;
  interest = new Set();
  follow();
}

wireSwitches(prefs, (p, what) => {
  if (what === 'locale') announcer.prefs = p;
  if (what === 'market') {
    for (const [key, offer] of known) known.set(key, { ...offer, market: undefined });
  }
  renderAll();
  if (feed) resubscribe();
});

// ---------------------------------------------------------------- start

async function loadCatalog() {
  const r = await fetch('/demo/catalog.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`/demo/catalog.json answered ${r.status}`);
  const catalog = await r.json();
  const fragment = document.createDocumentFragment();
  for (const o of catalog.offers) {
    const key = `${catalog.supplier}:${o.sku}`;
    const card = createCard(key, { category: o.category });
    items.set(key, { card, titles: o.title, category: o.category });
    renderCard(card, null, prefs, { fallbackTitles: o.title, live: false });
    card.dataset.live = 'false';
    fragment.append(card);
  }
  grid.append(fragment);
  catalogSize = catalog.offers.length;
  for (const { card } of items.values()) observer.observe(card);
  renderLead();
  renderStatus();
}

async function main() {
  renderStatus();
  let config = null;
  try {
    config = await loadConfig();
  } catch {
    config = null;
  }
  await loadCatalog();
  await connectWithToken({
    token: tokenFromPage(config),
    fromConfig: !!(config && config.token),
    open: (token) => {
      feed = openFeed(token);
      connectionView = showConnection(feed, connection, prefs, announcer);
      sub = null;
      interest = new Set();
      follow();
      return feed;
    },
    askForToken: (refused) => askForToken(prefs, refused),
    forgetToken,
    onRefused: (final) => {
      // Otherwise the form says it, beside the field.
      if (final) statusLine.textContent = t(prefs).tokenRefused;
    },
  });
}

main().catch((e) => {
  statusLine.textContent = t(prefs).feedError(e.message);
});
