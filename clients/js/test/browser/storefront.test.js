// The demo storefront's first view in headless Chromium, against a gateway started as the
// README's first command starts it (memory store, demo on, development credentials), with the
// simulated supplier held still so that only the test changes offers: the snapshot as cards, a
// posted price and a sell-out on their cards, the CNY view equal to the market API, the switches
// (by keyboard too), screenshots at desktop and phone width, and a clean console throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, expectedOffers } from '../support/gateway.js';
import {
  launchBrowser, openPage, cards, waitForCards, waitForConnection, screenshot, admin, chinaDate,
  DEMO, DEMO_KEYS, DEMO_SUPPLIERS, QUIET_DEMO, HOME, DESKTOP, PHONE, WAIT_MS,
} from './support.js';

let gateway;
let browser;
let shop; // the page of the first tests (CAD, English), kept open across them
const pages = [];

before(async () => {
  gateway = await startGateway({ development: true, demo: true, env: QUIET_DEMO });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  // Everything is stopped first, so that a failed check leaves no gateway running.
  for (const p of pages) p.assertClean();
});

async function open(path, options = {}) {
  const p = await openPage(browser.context, null);
  pages.push(p);
  if (options.viewport) await p.page.setViewportSize(options.viewport);
  const response = await p.page.goto(`${gateway.http}${path}`);
  assert.equal(response.status(), 200, `GET ${path}`);
  return p;
}

/** Presses Tab until `selector` has the focus (at most 30 times). */
async function tabTo(page, selector) {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

const byKey = (list) => new Map(list.map((c) => [c.key, c]));

test('/demo/ is the storefront: the same page as /demo/index.html, and /demo goes there', { timeout: 120000 }, async () => {
  const page = await fetch(`${gateway.http}/demo/index.html`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  const root = await fetch(`${gateway.http}/demo/`, { redirect: 'manual' });
  assert.equal(root.status, 200, `GET /demo/ answered ${root.status} ${root.headers.get('location') ?? ''}`);
  assert.equal(await root.text(), html);
  const bare = await fetch(`${gateway.http}/demo`, { redirect: 'manual' });
  assert.ok([301, 302, 308].includes(bare.status) && bare.headers.get('location') === '/demo/',
    `GET /demo answered ${bare.status} ${bare.headers.get('location')}`);
});

test('the snapshot: all ten demo offers as cards, prices as the gateway holds them, token from /demo/config.json and never shown', { timeout: 120000 }, async () => {
  const config = await (await fetch(`${gateway.http}/demo/config.json`)).json();
  assert.equal(config.token, gateway.credentials.storefront_token, 'the development token is given to this machine');

  shop = await open(HOME);
  const { page } = shop;
  await waitForConnection(page, 'live');
  const shown = await waitForCards(page, (list) => list.length === 10 && list.every((c) => c.price),
    'ten cards with prices');
  assert.deepEqual(shown.map((c) => c.key).sort(), [...DEMO_KEYS].sort());

  const expected = await expectedOffers(gateway, DEMO_KEYS, { suppliers: DEMO_SUPPLIERS });
  assert.equal(expected.size, 10);
  for (const d of DEMO) {
    const card = byKey(shown).get(d.key);
    const offer = expected.get(d.key);
    assert.equal(card.price, (offer.sale_price ?? offer.price).amount, `${d.key} price`);
    assert.equal(card.currency, (offer.sale_price ?? offer.price).currency, `${d.key} currency`);
    assert.equal(card.availability, offer.availability, `${d.key} availability`);
    assert.equal(card.quantity, String(offer.quantity), `${d.key} quantity`);
    assert.equal(card.title, d.en);
    assert.equal(card.titleLang, 'en');
    assert.match(card.text, new RegExp(`${offer.quantity} left`), `${d.key} shows the quantity left`);
    assert.equal(card.soldOutShown, false);
  }
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

  // The token is nowhere in the page: not in its text, its markup, its address or its storage
  // keys' values shown to the shopper.
  const token = gateway.credentials.storefront_token;
  const html = await page.content();
  assert.ok(!html.includes(token), 'the token is not in the document');
  assert.ok(!page.url().includes(token), 'the token is not in the address');
  shop.assertClean();
});

test('a price posted through the ingest API appears on its card at once, flashing; a sale price is the price shown', { timeout: 120000 }, async () => {
  const { page } = shop;
  const key = 'atlantic-seafood:lobster-live-1lb';
  // Record the flash: the class the price block gets for a moment.
  await page.evaluate((k) => {
    window.__flashes = [];
    const block = document.querySelector(`[data-offer="${k}"] .price-block`);
    new MutationObserver(() => {
      if (/flash-(up|down)/.test(block.className)) window.__flashes.push(block.className);
    }).observe(block, { attributes: true, attributeFilter: ['class'] });
  }, key);
  const answer = await gateway.post('atlantic-seafood', [{ sku: 'lobster-live-1lb', price: '43.21 CAD' }]);
  assert.equal(answer.items[0].status, 'applied');
  await waitForCards(page, (list) => byKey(list).get(key)?.price === '43.21', 'the new lobster price');
  const card = byKey(await cards(page)).get(key);
  assert.equal(card.currency, 'CAD');
  assert.match(card.text, /CA\$43\.21/);
  await page.waitForFunction(() => window.__flashes.length > 0, null, { timeout: WAIT_MS });

  // A sale price applies: it is the price shown (and in data-price), the regular one struck out.
  await gateway.post('atlantic-seafood', [{ sku: 'snow-crab-clusters-2kg', sale_price: '79.00 CAD' }]);
  const crab = 'atlantic-seafood:snow-crab-clusters-2kg';
  await waitForCards(page, (list) => byKey(list).get(crab)?.price === '79.00', 'the crab sale price');
  const crabCard = byKey(await cards(page)).get(crab);
  assert.match(crabCard.text, /CA\$79\.00/);
  assert.match(crabCard.text, /was CA\$89\.00/);

  // With reduced motion the change is still marked, without an animation.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await gateway.post('atlantic-seafood', [{ sku: 'lobster-live-1lb', price: '44.00 CAD' }]);
  await waitForCards(page, (list) => byKey(list).get(key)?.price === '44.00', 'the next lobster price');
  const still = await page.evaluate((k) => {
    const block = document.querySelector(`[data-offer="${k}"] .price-block`);
    return { cls: block.className, animation: getComputedStyle(block).animationName };
  }, key);
  if (/flash-up/.test(still.cls)) assert.equal(still.animation, 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });

  // Price ticks are not announced to screen readers.
  const announced = await page.locator('#announcer').textContent();
  assert.ok(!/43\.21|44\.00|79\.00/.test(announced), `the live region said ${announced}`);
  shop.assertClean();
});

test('a sell-out shows at once and clearly: out of stock, and a quantity of 0', { timeout: 120000 }, async () => {
  const { page } = shop;
  const scallops = 'atlantic-seafood:scallops-u10-1kg';
  const ribeye = 'prairie-beef:ribeye-aaa-1kg';
  await gateway.post('atlantic-seafood', [{ sku: 'scallops-u10-1kg', availability: 'out_of_stock', quantity: 0 }]);
  await waitForCards(page, (list) => byKey(list).get(scallops)?.availability === 'out_of_stock', 'the scallops sold out');
  const locator = page.locator(`[data-offer="${scallops}"] [data-sold-out-badge]`);
  await locator.waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.equal(await locator.textContent(), 'Sold out');
  assert.equal(await page.locator(`[data-offer="${scallops}"] .actions button`).isDisabled(), true);

  // Nothing left while still listed as in stock is a sell-out too.
  await gateway.post('prairie-beef', [{ sku: 'ribeye-aaa-1kg', quantity: 0 }]);
  await waitForCards(page, (list) => byKey(list).get(ribeye)?.soldOutShown === true, 'the ribeye at quantity 0 shown sold out');
  const rib = byKey(await cards(page)).get(ribeye);
  assert.equal(rib.quantity, '0');
  assert.equal(rib.availability, 'in_stock');

  // The polite live region tells of sell-outs (gathered, at most every few seconds).
  await page.waitForFunction(() => /Sold out: .*Digby scallops/.test(document.querySelector('#announcer').textContent),
    null, { timeout: WAIT_MS });
  assert.equal(await page.locator('#announcer').getAttribute('aria-live'), 'polite');
  await screenshot(page, 'storefront-sold-out-desktop-en-cad', { fullPage: true });
  shop.assertClean();
});

test('the CNY view (?market=cn-cbec&locale=zh-CN) shows exactly the landed price the market API answers, Chinese titles, the rate\'s source', { timeout: 120000 }, async () => {
  // A rate of its own, for tomorrow in China, so that the demo's rate (moved every minute, for
  // today) does not replace it while the test compares.
  const posted = await admin(gateway, 'POST', '/admin/fx', {
    rates: [{ base: 'CAD', quote: 'CNY', rate: '5.2345', as_of: chinaDate(1), source: 'Bank of Canada' }],
  });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));

  const cn = await open(`${HOME}?market=cn-cbec&locale=zh-CN`);
  const { page } = cn;
  await waitForConnection(page, 'live');
  const token = gateway.credentials.storefront_token;
  const market = new Map();
  for (const d of DEMO) market.set(d.key, (await gateway.marketOffer('cn-cbec', d.supplier, d.sku, token)).market);
  const shown = await waitForCards(page, (list) => list.length === 10
    && list.every((c) => c.price === market.get(c.key)?.landed_price.amount), 'the landed prices of the market API');
  for (const d of DEMO) {
    const card = byKey(shown).get(d.key);
    const m = market.get(d.key);
    assert.equal(card.currency, 'CNY');
    assert.equal(card.price, m.landed_price.amount);
    assert.equal(card.title, d.zh, `${d.key} in Chinese`);
    assert.equal(card.titleLang, 'zh-CN');
    if (m.fx) {
      assert.equal(m.fx.source, 'Bank of Canada');
      assert.ok(card.text.includes('参考汇率，来源：Bank of Canada'), `${d.key}: ${card.text}`);
    }
    assert.ok(card.text.includes(m.tax.amount.amount), `${d.key} shows its tax ${m.tax.amount.amount}`);
  }
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  // The supplier whose price is in CNY is shown without a conversion.
  assert.ok(!byKey(shown).get('pacific-apparel:yoga-jacket-w-m').text.includes('参考汇率'));

  // The language switch: English titles, the same CNY prices, the URL says so.
  await page.locator('input[name="locale"][value="en"]').check();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('locale') === 'en', null, { timeout: WAIT_MS });
  const english = await waitForCards(page, (list) => list.length === 10
    && list.every((c) => c.titleLang === 'en' && c.price === market.get(c.key)?.landed_price.amount), 'English titles in CNY');
  assert.ok(english.some((c) => c.text.includes('indicative rate, source: Bank of Canada')));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(new URL(page.url()).searchParams.get('market'), 'cn-cbec');

  // The market switch by keyboard: Tab reaches it (the checked CNY), its focus shows, and the
  // arrow key selects CAD; the feed resubscribes.
  await tabTo(page, 'input[name="market"]:checked');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused switch shows its focus');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('market') === 'ca', null, { timeout: WAIT_MS });
  const cad = await expectedOffers(gateway, DEMO_KEYS, { suppliers: DEMO_SUPPLIERS });
  await waitForCards(page, (list) => list.length === 10
    && list.every((c) => c.price === (cad.get(c.key).sale_price ?? cad.get(c.key).price).amount), 'CAD prices again');
  cn.assertClean();
});

test('screenshots at desktop and phone width, in English/CAD and Chinese/CNY (target/screenshots)', { timeout: 120000 }, async () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const [name, query] of [['en-cad', '?market=ca&locale=en'], ['zh-cny', '?market=cn-cbec&locale=zh-CN']]) {
      const p = await open(`${HOME}${query}`, { viewport });
      await waitForConnection(p.page, 'live');
      await waitForCards(p.page, (list) => list.length === 10 && list.every((c) => c.price), 'ten priced cards');
      // Fonts in place before the picture (CJK glyphs come from the system's Noto CJK).
      await p.page.evaluate(() => document.fonts.ready);
      const width = await p.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `no sideways scrolling at ${viewport.width}px (page is ${width}px wide)`);
      await screenshot(p.page, `storefront-${size}-${name}`, { fullPage: true });
      p.assertClean();
      await p.page.close();
    }
  }
});
