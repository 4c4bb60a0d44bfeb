// What both views of the demo storefront share: the shopper's choices (market and language, in
// the URL), the storefront token, the connection indicator, a rate-limited announcer for screen
// readers, and the product card. Plain ES module; the live feed is the Pricewire client.
import { Pricewire } from '/client/pricewire.js';

export { Pricewire };

export const MARKETS = ['ca', 'cn-cbec'];
export const LOCALES = ['en', 'zh-CN'];

const TEXT = {
  en: {
    brand: 'Maple & Co. Market',
    pageTitle: 'Maple & Co. Market: live prices',
    catalogPageTitle: 'Full catalog: Maple & Co. Market',
    navLabel: 'Views',
    navFeatured: 'Featured',
    navCatalog: 'Full catalog',
    market: 'Prices',
    language: 'Language',
    cart: 'Cart',
    skip: 'Skip to products',
    featuredTitle: 'From Canada, live',
    featuredLead: 'Seafood, fruit, beef, maple and icewine: prices and stock update as the suppliers change them.',
    catalogTitle: 'Full catalog',
    catalogLead: (n) => `${fmtInt(n, 'en')} products from Maple Marketplace. Prices load for the products on your screen.`,
    cnNotice: (fx) => fx
      ? `Prices in CNY include the estimated cross-border import tax (CBEC). Converted at 1 CAD = ${fx.rate} CNY (${fx.as_of}), indicative rate, source: ${fx.source}. Customs values goods at its own rate: every price is an estimate.`
      : 'Prices in CNY include the estimated cross-border import tax (CBEC). Every price is an estimate.',
    state: {
      connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', closed: 'Disconnected',
    },
    announceState: {
      live: 'Live prices connected.', reconnecting: 'Connection lost, reconnecting. Prices may be out of date.',
      offline: 'Offline. Prices may be out of date.', closed: 'Disconnected from live prices.',
    },
    soldOutNow: (titles, more) => `Sold out: ${titles.join(', ')}${more ? ` and ${more} more` : ''}.`,
    loading: 'Loading products…',
    shown: (n) => `${fmtInt(n, 'en')} products`,
    following: (n, all) => `${fmtInt(all, 'en')} products · live prices for the ${fmtInt(n, 'en')} on and near your screen`,
    inStock: 'In stock',
    limited: 'Limited stock',
    preorder: 'Pre-order',
    backorder: 'Backorder',
    soldOut: 'Sold out',
    left: (n) => `${fmtInt(n, 'en')} left`,
    onlyLeft: (n) => `Only ${fmtInt(n, 'en')} left`,
    sale: 'Sale',
    was: 'was',
    goods: 'goods',
    tax: (rate, amount) => `incl. est. import tax ${rate}: ${amount}`,
    duty: 'incl. additional duty (estimate)',
    fx: 'indicative rate, source: ',
    stale: 'rate out of date',
    overLimit: 'Over the CNY 5,000 per-item limit for cross-border orders',
    noPrice: 'Price not available in this market',
    pending: 'Loading price…',
    offScreen: 'Price shows when on screen',
    gone: 'No longer offered',
    add: 'Add to cart',
    added: 'Added',
    tokenTitle: 'Connect to live prices',
    tokenLead: 'This storefront needs a Pricewire storefront token (from your gateway\'s admin API).',
    tokenLabel: 'Storefront token',
    tokenSubmit: 'Connect',
    tokenRefused: 'The gateway refused this token. Check it and try again.',
    tokenHint: 'The token is kept for this browser tab only and never shown.',
    feedError: (m) => `Live prices unavailable: ${m}`,
    footer: 'A demo storefront of Pricewire. Prices, stock and exchange rates are simulated unless the gateway is given real ones.',
  },
  'zh-CN': {
    brand: '枫叶优选',
    pageTitle: '枫叶优选：实时价格',
    catalogPageTitle: '全部商品：枫叶优选',
    navLabel: '页面',
    navFeatured: '精选',
    navCatalog: '全部商品',
    market: '价格',
    language: '语言',
    cart: '购物车',
    skip: '跳到商品',
    featuredTitle: '加拿大直送，实时价格',
    featuredLead: '海鲜、水果、牛肉、枫糖浆和冰酒：价格和库存随供应商实时更新。',
    catalogTitle: '全部商品',
    catalogLead: (n) => `Maple Marketplace 共 ${fmtInt(n, 'zh-CN')} 件商品。屏幕上的商品会加载实时价格。`,
    cnNotice: (fx) => fx
      ? `人民币价格已含预估跨境电商综合税。按 1 加元 = ${fx.rate} 人民币（${fx.as_of}）换算，参考汇率，来源：${fx.source}。海关按其汇率计税，所有价格均为估算。`
      : '人民币价格已含预估跨境电商综合税，所有价格均为估算。',
    state: {
      connecting: '连接中…', live: '实时', reconnecting: '重新连接中…', offline: '离线', closed: '已断开',
    },
    announceState: {
      live: '已连接实时价格。', reconnecting: '连接中断，正在重新连接，价格可能不是最新。',
      offline: '已离线，价格可能不是最新。', closed: '已断开实时价格。',
    },
    soldOutNow: (titles, more) => `已售罄：${titles.join('、')}${more ? ` 等 ${more + titles.length} 件` : ''}。`,
    loading: '正在加载商品…',
    shown: (n) => `共 ${fmtInt(n, 'zh-CN')} 件商品`,
    following: (n, all) => `共 ${fmtInt(all, 'zh-CN')} 件商品 · 屏幕附近的 ${fmtInt(n, 'zh-CN')} 件显示实时价格`,
    inStock: '有货',
    limited: '库存紧张',
    preorder: '预售',
    backorder: '缺货可订',
    soldOut: '已售罄',
    left: (n) => `剩余 ${fmtInt(n, 'zh-CN')} 件`,
    onlyLeft: (n) => `仅剩 ${fmtInt(n, 'zh-CN')} 件`,
    sale: '特价',
    was: '原价',
    goods: '货值',
    tax: (rate, amount) => `含预估进口税 ${rate}：${amount}`,
    duty: '含加征关税（估算）',
    fx: '参考汇率，来源：',
    stale: '汇率已过期',
    overLimit: '单件超过跨境电商 5,000 元限额',
    noPrice: '该市场暂无价格',
    pending: '正在加载价格…',
    offScreen: '滚动到此处时显示价格',
    gone: '已下架',
    add: '加入购物车',
    added: '已加入',
    tokenTitle: '连接实时价格',
    tokenLead: '此商店需要 Pricewire 店面令牌（由网关的管理接口签发）。',
    tokenLabel: '店面令牌',
    tokenSubmit: '连接',
    tokenRefused: '网关拒绝了此令牌，请检查后重试。',
    tokenHint: '令牌只保存在此浏览器标签页中，不会显示。',
    feedError: (m) => `实时价格不可用：${m}`,
    footer: 'Pricewire 演示商店。除非网关接入真实数据，价格、库存和汇率均为模拟。',
  },
};

function fmtInt(n, locale) {
  return new Intl.NumberFormat(locale).format(n);
}

/** The shopper's choices from the URL: `?market=cn-cbec&locale=zh-CN`. */
export function readPrefs() {
  const q = new URLSearchParams(location.search);
  const market = q.get('market') === 'cn-cbec' ? 'cn-cbec' : 'ca';
  const asked = (q.get('locale') || '').toLowerCase();
  const locale = asked.startsWith('zh') ? 'zh-CN' : 'en';
  return { market, locale };
}

/** Puts the choices in the URL without a navigation, and never a token. */
export function writePrefs(prefs) {
  const u = new URL(location.href);
  u.searchParams.set('market', prefs.market);
  u.searchParams.set('locale', prefs.locale);
  u.searchParams.delete('token');
  u.hash = withoutToken(u.hash);
  history.replaceState(history.state, '', u);
}

function withoutToken(hash) {
  const h = new URLSearchParams(hash.replace(/^#/, ''));
  if (!h.has('token')) return hash;
  h.delete('token');
  const rest = h.toString();
  return rest ? `#${rest}` : '';
}

export function t(prefs) {
  return TEXT[prefs.locale];
}

/** Applies the language to the page's own text: `data-i18n` elements and the lang attribute. */
export function applyLanguage(prefs) {
  const text = t(prefs);
  document.documentElement.lang = prefs.locale;
  const titleKey = document.body.dataset.titleKey;
  if (titleKey && typeof text[titleKey] === 'string') document.title = text[titleKey];
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const v = text[el.dataset.i18n];
    if (typeof v === 'string') el.textContent = v;
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const v = text[el.dataset.i18nLabel];
    if (typeof v === 'string') el.setAttribute('aria-label', v);
  }
  // Link to the other view with the same choices.
  for (const a of document.querySelectorAll('a[data-keep-prefs]')) {
    const u = new URL(a.getAttribute('href'), location.href);
    u.search = '';
    u.searchParams.set('market', prefs.market);
    u.searchParams.set('locale', prefs.locale);
    a.href = u.pathname + u.search;
  }
}

/** Wires the market and language switches; `onChange(prefs)` after the URL is updated. */
export function wireSwitches(prefs, onChange) {
  for (const input of document.querySelectorAll('input[name="market"]')) {
    input.checked = input.value === prefs.market;
    input.addEventListener('change', () => {
      if (!input.checked || prefs.market === input.value) return;
      prefs.market = input.value;
      writePrefs(prefs);
      onChange(prefs, 'market');
    });
  }
  for (const input of document.querySelectorAll('input[name="locale"]')) {
    input.checked = input.value === prefs.locale;
    input.addEventListener('change', () => {
      if (!input.checked || prefs.locale === input.value) return;
      prefs.locale = input.value;
      writePrefs(prefs);
      applyLanguage(prefs);
      onChange(prefs, 'locale');
    });
  }
}

// ---------------------------------------------------------------- the token

const TOKEN_KEY = 'pricewire.demo.token';

export async function loadConfig() {
  const r = await fetch('/demo/config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`/demo/config.json answered ${r.status}`);
  return r.json();
}

/**
 * The storefront token: the development one from the config, else one in the URL (`#token=` or
 * `?token=`, then taken out of the address bar and kept for this tab), else one the shopper
 * enters in a form. Never shown.
 */
export function tokenFromPage(config) {
  if (config && typeof config.token === 'string' && config.token) return config.token;
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  const fromUrl = hash.get('token') || query.get('token');
  if (fromUrl) {
    try { sessionStorage.setItem(TOKEN_KEY, fromUrl); } catch { /* storage off: the URL token still serves */ }
    const u = new URL(location.href);
    u.searchParams.delete('token');
    u.hash = withoutToken(u.hash);
    history.replaceState(history.state, '', u);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function forgetToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* nothing kept */ }
}

/** Shows the token form and resolves with what the shopper enters. */
export function askForToken(prefs, refused = false) {
  const text = t(prefs);
  const form = document.getElementById('token-form');
  form.hidden = false;
  form.querySelector('h2').textContent = text.tokenTitle;
  form.querySelector('.lead').textContent = text.tokenLead;
  form.querySelector('label').textContent = text.tokenLabel;
  form.querySelector('button').textContent = text.tokenSubmit;
  form.querySelector('.hint').textContent = text.tokenHint;
  const error = form.querySelector('.error');
  error.textContent = refused ? text.tokenRefused : '';
  error.hidden = !refused;
  const input = form.querySelector('input');
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    const submit = (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      input.value = '';
      form.hidden = true;
      form.removeEventListener('submit', submit);
      try { sessionStorage.setItem(TOKEN_KEY, value); } catch { /* kept in memory only */ }
      resolve(value);
    };
    form.addEventListener('submit', submit);
  });
}

// ---------------------------------------------------------------- announcements

/**
 * A polite live region fed at most once every few seconds: connection changes that last, and
 * sell-outs gathered in one sentence. Price ticks are never announced.
 */
export class Announcer {
  constructor(el, prefs, minGapMs = 5000) {
    this.el = el;
    this.prefs = prefs;
    this.minGapMs = minGapMs;
    this.last = 0;
    this.timer = null;
    this.soldOut = [];
    this.state = null;
    this.announcedState = null;
    this.stateTimer = null;
  }

  connection(state) {
    clearTimeout(this.stateTimer);
    // Only a state that lasts a moment is worth saying (a quick reconnect says nothing).
    this.stateTimer = setTimeout(() => {
      if (state === this.announcedState) return;
      if (this.announcedState === null && state !== 'live') return;
      this.state = state;
      this.schedule();
    }, 1500);
  }

  soldOutItem(title) {
    this.soldOut.push(title);
    this.schedule();
  }

  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.minGapMs - Date.now());
    this.timer = setTimeout(() => this.flush(), Math.max(wait, 300));
  }

  flush() {
    this.timer = null;
    const text = t(this.prefs);
    const parts = [];
    if (this.state && this.state !== this.announcedState) {
      const said = text.announceState[this.state];
      if (said) parts.push(said);
      this.announcedState = this.state;
    }
    if (this.soldOut.length) {
      const titles = this.soldOut.slice(0, 3);
      parts.push(text.soldOutNow(titles, this.soldOut.length - titles.length));
      this.soldOut = [];
    }
    if (!parts.length) return;
    this.last = Date.now();
    this.el.textContent = parts.join(' ');
  }
}

// ---------------------------------------------------------------- the connection

/** Shows the client's state in the `data-connection` element and tells the announcer. */
export function showConnection(feed, el, prefs, announcer) {
  const render = (state) => {
    el.dataset.connection = state;
    el.querySelector('.label').textContent = t(prefs)[`state`][state] ?? state;
  };
  render(feed.state);
  const off = feed.on('state', ({ state }) => {
    render(state);
    announcer?.connection(state);
  });
  return { rerender: () => render(feed.state), off };
}

// ---------------------------------------------------------------- cards

const ICONS = {
  seafood: 'M2 12c3-5 9-7 14-4l4-3v14l-4-3c-5 3-11 1-14-4zm13-1.5a1.3 1.3 0 1 0 0 .01z',
  fruit: 'M8 21a4 4 0 1 1 0-8 4 4 0 0 1 0 8zm8.5-1.5a4 4 0 1 1 0-8 4 4 0 0 1 0 8zM7.4 13.3 12.6 3h1.2L8.6 13.5zM15.6 11.6 13.4 3.3h1.1l2.3 8.2zM13.6 3.6c2-1.9 5.1-1.9 7.1 0-2 1.7-5.1 1.7-7.1 0z',
  meat: 'M4 13c0-5 4-9 9-9 4 0 7 3 7 7 0 6-6 9-11 9-3 0-5-2-5-5zm8-1.5a2.5 2.5 0 1 0 0 .01z',
  maple: 'M12 2l2 5 3-2-1 5 4-1-2 3 3 1-6 3 1 3-4-1v5h-0.5v-5l-4 1 1-3-6-3 3-1-2-3 4 1-1-5 3 2z',
  wine: 'M9 2h6v3c0 2 1 3 2 4v11a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2V9c1-1 2-2 2-4zm-1 10v6h8v-6z',
  apparel: 'M8 3l4 2 4-2 5 4-3 4-2-1v11H8V10l-2 1-3-4z',
  health: 'M7 9a5 5 0 0 1 10 0v6a5 5 0 0 1-10 0zm1 3h8V9a4 4 0 0 0-8 0z',
  baby: 'M10 2h4v2h1a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h1zm-1 8v2h6v-2zm0 4v2h6v-2z',
  pantry: 'M6 4h12v3H6zm-1 4h14l-1 13H6zm4 4v5h6v-5z',
  other: 'M3 7l9-4 9 4v10l-9 4-9-4zm9 2L5 6.5M12 9l7-2.5M12 9v11',
};
const HUES = { seafood: 200, fruit: 350, meat: 12, maple: 30, wine: 285, apparel: 230, health: 150, baby: 190, pantry: 45, other: 210 };

function kindOf(category = '') {
  const c = category.toLowerCase();
  if (c.startsWith('seafood')) return 'seafood';
  if (c.startsWith('fruit')) return 'fruit';
  if (c.startsWith('meat')) return 'meat';
  if (c.includes('maple')) return 'maple';
  if (c.startsWith('wine')) return 'wine';
  if (c.startsWith('apparel')) return 'apparel';
  if (c.startsWith('health')) return 'health';
  if (c.startsWith('baby')) return 'baby';
  if (c.startsWith('pantry')) return 'pantry';
  return 'other';
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function art(category) {
  const kind = kindOf(category);
  const box = document.createElement('div');
  box.className = 'art';
  box.style.setProperty('--hue', HUES[kind]);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[kind]);
  svg.append(path);
  box.append(svg);
  box.dataset.kind = kind;
  return box;
}

function el(tag, className, attrs = {}) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** An empty card for one offer; `render` fills it. */
export function createCard(key, { category, headingLevel = 2 } = {}) {
  const li = el('li', 'card', { 'data-offer': key });
  const id = `t-${key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  li.setAttribute('aria-labelledby', id);
  li.append(art(category));
  const sale = el('span', 'badge badge-sale');
  sale.hidden = true;
  const soldOut = el('span', 'badge badge-soldout', { 'data-sold-out-badge': '' });
  soldOut.hidden = true;
  li.append(sale, soldOut);
  const body = el('div', 'body');
  const brandLine = el('div', 'brand-line');
  const title = el(`h${headingLevel}`, 'title', { id });
  const priceBlock = el('div', 'price-block');
  const row = el('div', 'price-row');
  const price = el('span', 'price');
  const was = el('span', 'was');
  row.append(price, was);
  const taxNote = el('div', 'price-note tax-note');
  const fxNote = el('div', 'fx-note');
  const limitNote = el('div', 'limit-note');
  priceBlock.append(row, taxNote, fxNote, limitNote);
  const stock = el('div', 'stock', { 'data-level': 'unknown' });
  const actions = el('div', 'actions');
  const button = el('button', '', { type: 'button' });
  actions.append(button);
  body.append(brandLine, title, priceBlock, stock, actions);
  li.append(body);
  li._parts = { sale, soldOut, brandLine, title, priceBlock, price, was, taxNote, fxNote, limitNote, stock, button };
  return li;
}

/** The title to show and its language: the market's when it is in the shopper's language. */
export function titleOf(offer, locale, fallbackTitles) {
  const titles = (offer && offer.title) || fallbackTitles || {};
  const m = offer && offer.market;
  if (m && m.title && m.title_locale && sameLanguage(m.title_locale, locale)) {
    return { text: m.title, lang: m.title_locale };
  }
  const chain = locale === 'zh-CN' ? ['zh-CN', 'zh-Hans', 'zh', 'en'] : ['en', 'en-CA', 'en-US'];
  for (const l of chain) {
    if (titles[l]) return { text: titles[l], lang: l };
  }
  if (offer) {
    // Whatever the client makes of it (its fallbacks), in a language we can name where possible.
    const text = Pricewire.title({ ...offer, market: undefined }, locale);
    if (text) {
      const found = Object.entries(titles).find(([, v]) => v === text);
      return { text, lang: found ? found[0] : '' };
    }
  }
  const [l, v] = Object.entries(titles)[0] || ['', ''];
  return { text: v, lang: l };
}

function sameLanguage(a, b) {
  return a.toLowerCase().split('-')[0] === b.toLowerCase().split('-')[0];
}

/** A decimal string as money, exactly (the amount is never a float). */
export function money(m, locale) {
  if (!m || m.amount == null) return '';
  const digits = (String(m.amount).split('.')[1] || '').length;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency', currency: m.currency, currencyDisplay: 'symbol',
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(m.amount);
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

function percent(rate, locale) {
  const n = Number(rate);
  const digits = Math.max(0, (String(rate).split('.')[1] || '').length - 2);
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** Whether the offer is sold out: out of stock, or nothing left. */
export function soldOut(offer) {
  return !!offer && (offer.availability === 'out_of_stock' || offer.quantity === 0);
}

/** What the card shows as its price in a market: {amount, currency, was, onSale} or an error. */
export function shownPrice(offer, market) {
  if (!offer) return null;
  if (market === 'cn-cbec') {
    const m = offer.market;
    if (!m || m.id !== 'cn-cbec') return null; // not yet projected
    if (m.error || !m.landed_price) return { error: m.error ? m.error.code : 'no_price' };
    return {
      amount: m.landed_price.amount, currency: m.landed_price.currency,
      was: m.sale_price ? m.price : null, onSale: !!m.sale_price,
    };
  }
  const p = offer.sale_price || offer.price;
  if (!p) return { error: 'no_price' };
  return { amount: p.amount, currency: p.currency, was: offer.sale_price ? offer.price : null, onSale: !!offer.sale_price };
}

/**
 * Fills a card from an offer as the feed sent it (or only from catalog facts when there is none
 * yet). `flash` marks a live change: the part that changed flashes briefly.
 */
export function renderCard(card, offer, prefs, { fallbackTitles, flash = false, live = true, previous } = {}) {
  const p = card._parts;
  const text = t(prefs);
  const locale = prefs.locale;

  const title = titleOf(offer, locale, fallbackTitles);
  p.title.textContent = title.text;
  if (title.lang) p.title.lang = title.lang; else p.title.removeAttribute('lang');

  const brand = offer && offer.brand;
  p.brandLine.textContent = brand || '';
  p.brandLine.lang = 'en';

  const shown = shownPrice(offer, prefs.market);
  const before = card.dataset.price;
  p.was.textContent = '';
  p.taxNote.hidden = true;
  p.fxNote.hidden = true;
  p.limitNote.hidden = true;
  p.price.classList.remove('on-sale', 'placeholder');
  p.sale.hidden = true;
  if (!shown || shown.error) {
    delete card.dataset.price;
    delete card.dataset.currency;
    p.price.classList.add('placeholder');
    p.price.textContent = shown && shown.error ? text.noPrice : (offer || live ? text.pending : text.offScreen);
    if (!offer && !live) p.price.textContent = text.offScreen;
  } else {
    card.dataset.price = shown.amount;
    card.dataset.currency = shown.currency;
    p.price.textContent = money(shown, locale);
    if (shown.onSale) {
      p.price.classList.add('on-sale');
      const struck = document.createElement('s');
      struck.textContent = money(shown.was, locale);
      p.was.replaceChildren(document.createTextNode(`${text.was} `), struck);
      p.sale.hidden = false;
      p.sale.textContent = text.sale;
    }
    if (prefs.market === 'cn-cbec') {
      const m = offer.market;
      if (m.tax) {
        p.taxNote.hidden = false;
        p.taxNote.textContent = text.tax(percent(m.tax.rate, locale), money(m.tax.amount, locale))
          + (m.tax.rules && m.tax.rules.length > 1 ? ` · ${text.duty}` : '');
      }
      if (m.fx) {
        p.fxNote.hidden = false;
        p.fxNote.replaceChildren(document.createTextNode(text.fx));
        const source = el('span', 'fx-source');
        source.textContent = m.fx.source;
        if (!/[\u3400-\u9fff]/.test(m.fx.source)) source.lang = 'en';
        p.fxNote.append(source);
        if (m.fx_stale) {
          const stale = el('span', 'stale');
          stale.textContent = ` · ${text.stale}`;
          p.fxNote.append(stale);
        }
      }
      if (m.cbec_limit_exceeded) {
        p.limitNote.hidden = false;
        p.limitNote.textContent = text.overLimit;
      }
    }
  }

  // Availability and the quantity left.
  const gone = card.dataset.gone === 'true';
  const out = soldOut(offer);
  if (offer && offer.availability) card.dataset.availability = offer.availability;
  else delete card.dataset.availability;
  if (offer && typeof offer.quantity === 'number') card.dataset.quantity = String(offer.quantity);
  else delete card.dataset.quantity;
  card.classList.toggle('is-soldout', out);
  card.classList.toggle('is-gone', gone);
  p.soldOut.hidden = !out;
  p.soldOut.textContent = text.soldOut;
  let level = 'unknown';
  let stockText = '';
  if (gone) {
    stockText = text.gone;
  } else if (offer && offer.availability) {
    const q = typeof offer.quantity === 'number' ? offer.quantity : null;
    if (out) {
      level = 'out_of_stock';
      stockText = text.soldOut;
    } else if (offer.availability === 'preorder' || offer.availability === 'backorder') {
      level = offer.availability;
      stockText = text[offer.availability];
    } else if (offer.availability === 'limited_availability' || (q !== null && q < 10)) {
      level = 'limited_availability';
      stockText = q !== null ? text.onlyLeft(q) : text.limited;
    } else {
      level = 'in_stock';
      stockText = q !== null ? `${text.inStock} · ${text.left(q)}` : text.inStock;
    }
  }
  p.stock.dataset.level = level;
  p.stock.textContent = stockText;
  p.button.textContent = out ? text.soldOut : text.add;
  p.button.disabled = out || gone || !offer;

  if (flash && live) {
    if (shown && !shown.error && before !== undefined && before !== shown.amount) {
      pulse(p.priceBlock, Number(shown.amount) > Number(before) ? 'flash-up' : 'flash-down');
    }
    const prevOut = previous ? soldOut(previous) : false;
    if (previous && (previous.quantity !== offer?.quantity || previous.availability !== offer?.availability || prevOut !== out)) {
      pulse(p.stock, 'flash-stock');
    }
  }
}

function pulse(node, cls) {
  node.classList.remove('flash-up', 'flash-down', 'flash-stock');
  void node.offsetWidth; // restart the animation
  node.classList.add(cls);
  clearTimeout(node._flash);
  node._flash = setTimeout(() => node.classList.remove(cls), 1200);
}

/** The notice above the grid in the CNY view: the rate in use and its source. */
export function renderNotice(node, prefs, offers) {
  if (prefs.market !== 'cn-cbec') {
    node.hidden = true;
    return;
  }
  let fx = null;
  for (const o of offers) {
    if (o && o.market && o.market.fx) { fx = o.market.fx; break; }
  }
  node.hidden = false;
  node.textContent = t(prefs).cnNotice(fx);
}

/** A small cart, so that the button does something a shopper expects. */
export function wireCart(root, countEl, prefs) {
  let count = 0;
  root.addEventListener('click', (e) => {
    const button = e.target.closest('.card .actions button');
    if (!button || button.disabled) return;
    count += 1;
    countEl.textContent = String(count);
    button.textContent = t(prefs).added;
    clearTimeout(button._added);
    button._added = setTimeout(() => {
      button.textContent = t(prefs)[button.disabled ? 'soldOut' : 'add'];
    }, 900);
  });
}

/** Opens the feed with the token; resolves the client and a way to know the token was refused. */
export function openFeed(token) {
  return new Pricewire({ url: location.origin, token, transport: 'auto' });
}
