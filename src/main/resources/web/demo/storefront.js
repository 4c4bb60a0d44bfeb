// The storefront's first view: the demo catalog's offers as product cards, live.
import {
  readPrefs, applyLanguage, wireSwitches, loadConfig, tokenFromPage, askForToken, forgetToken,
  Announcer, showConnection, createCard, renderCard, renderNotice, soldOut, titleOf, wireCart, openFeed, t,
} from './shop.js';
import { connectWithToken } from './session.js';

const prefs = readPrefs();
applyLanguage(prefs);

const grid = document.getElementById('products');
const statusLine = document.getElementById('status');
const notice = document.getElementById('notice');
const connection = document.querySelector('[data-connection]');
const announcer = new Announcer(document.getElementById('announcer'), prefs);
wireCart(grid, document.querySelector('.cart-count'), prefs);

/** Cards by 'supplier:sku', and the last state each one showed. */
const cards = new Map();
const known = new Map();
let suppliers = [];
let feed = null;
let sub = null;
let connectionView = null;
let loaded = false;

function order(key) {
  const [supplier, sku] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const i = suppliers.indexOf(supplier);
  return [i < 0 ? suppliers.length : i, sku];
}

function compareKeys(a, b) {
  const [ia, sa] = order(a);
  const [ib, sb] = order(b);
  return ia - ib || (sa < sb ? -1 : sa > sb ? 1 : 0);
}

function cardFor(key, offer) {
  let card = cards.get(key);
  if (!card) {
    card = createCard(key, { category: offer && offer.category });
    cards.set(key, card);
  }
  return card;
}

/** Puts the cards in their order, moving only those out of place (focus stays where it is). */
function placeCards() {
  const keys = [...cards.keys()].sort(compareKeys);
  let at = grid.firstElementChild;
  for (const key of keys) {
    const card = cards.get(key);
    if (card === at) {
      at = at.nextElementSibling;
    } else {
      grid.insertBefore(card, at);
    }
  }
}

function removeCard(key) {
  const card = cards.get(key);
  if (!card) return;
  if (card.contains(document.activeElement)) grid.focus();
  card.remove();
  cards.delete(key);
  known.delete(key);
}

function renderStatus() {
  const text = t(prefs);
  statusLine.textContent = loaded ? text.shown(cards.size) : text.loading;
}

function renderAll() {
  for (const [key, card] of cards) renderCard(card, known.get(key), prefs);
  renderNotice(notice, prefs, known.values());
  renderStatus();
  connectionView?.rerender();
}

/** The subscription's whole state (a snapshot, a resume, a reset): cards follow it. */
function syncFrom(s) {
  for (const key of [...cards.keys()]) {
    if (!s.offers.has(key)) removeCard(key);
  }
  for (const [key, offer] of s.offers) {
    const previous = known.get(key);
    const card = cardFor(key, offer);
    known.set(key, offer);
    renderCard(card, offer, prefs, { flash: loaded && !!previous, previous });
  }
  placeCards();
  loaded = true;
  renderNotice(notice, prefs, known.values());
  renderStatus();
}

function subscribe() {
  if (sub) sub.close();
  const s = feed.subscribe({
    suppliers,
    market: prefs.market === 'cn-cbec' ? 'cn-cbec' : undefined,
    locale: prefs.locale,
  });
  sub = s;
  s.on('snapshot', () => { if (s === sub) syncFrom(s); });
  s.on('reset', () => { if (s === sub) syncFrom(s); });
  s.on('update', ({ key, offer, previous, gone }) => {
    if (s !== sub) return;
    if (gone || !offer) {
      removeCard(key);
      renderStatus();
      return;
    }
    const before = known.get(key) || previous;
    const isNew = !cards.has(key);
    const card = cardFor(key, offer);
    known.set(key, offer);
    renderCard(card, offer, prefs, { flash: true, previous: before });
    if (isNew) {
      placeCards();
      renderStatus();
    }
    if (soldOut(offer) && before && !soldOut(before)) {
      announcer.soldOutItem(titleOf(offer, prefs.locale).text);
    }
    if (offer.market && offer.market.fx) renderNotice(notice, prefs, [offer]);
  });
  s.on('error', ({ code, message, fatal }) => {
    if (s !== sub) return;
    if (fatal) statusLine.textContent = t(prefs).feedError(message || code);
  });
}

wireSwitches(prefs, (p, what) => {
  if (what === 'locale') announcer.prefs = p;
  if (what === 'market') {
    // Until the new market's snapshot comes, prices in the other currency would mislead.
    for (const [key, offer] of known) known.set(key, { ...offer, market: undefined });
  }
  renderAll();
  if (feed) subscribe();
});

async function main() {
  renderStatus();
  let config = null;
  try {
    config = await loadConfig();
  } catch {
    config = null;
  }
  suppliers = (config && config.suppliers) || [];
  await connectWithToken({
    prefs,
    token: tokenFromPage(config),
    fromConfig: !!(config && config.token),
    open: (token) => {
      feed = openFeed(token);
      connectionView = showConnection(feed, connection, prefs, announcer);
      subscribe();
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

main();
