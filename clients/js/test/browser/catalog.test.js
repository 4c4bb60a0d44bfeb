// The storefront's second view, the marketplace's catalog of 2,000 offers, in headless Chromium:
// it follows only the cards on screen, growing and shrinking its subscription as the shopper
// scrolls (the gateway's interest metrics show each add and remove, and its interest never nears
// the whole catalog), cards on screen get live values, cards that left the screen keep their last
// values and get no updates until they come back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, until } from '../support/gateway.js';
import {
  launchBrowser, openPage, cards, waitForCards, waitForConnection, screenshot,
  QUIET_DEMO, MARKETPLACE, DESKTOP, PHONE,
} from './support.js';

let gateway;
let browser;
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

async function open(path, viewport = DESKTOP) {
  const p = await openPage(browser.context, null);
  pages.push(p);
  await p.page.setViewportSize(viewport);
  const response = await p.page.goto(`${gateway.http}${path}`);
  assert.equal(response.status(), 200);
  return p;
}

async function interestMetrics() {
  return {
    adds: await gateway.metric('pricewire_feed_interest_changes_total{op="add"'),
    removes: await gateway.metric('pricewire_feed_interest_changes_total{op="remove"'),
    entries: await gateway.metric('pricewire_feed_interest_entries'),
  };
}

const sku = (key) => key.slice(key.indexOf(':') + 1);
const byKey = (list) => new Map(list.map((c) => [c.key, c]));

/** Every card on screen is followed and shows the gateway's state (checked for a few by GET). */
async function onScreenLive(page, what) {
  const list = await waitForCards(page, (seen) => seen.length > 0
    && seen.every((c) => c.live === 'true' && c.price), what, undefined, { onScreen: true });
  const seen = list.filter((c) => c.onScreen);
  for (const c of seen.slice(0, 4)) {
    const offer = await gateway.offer(MARKETPLACE, sku(c.key));
    assert.equal(c.price, (offer.sale_price ?? offer.price).amount, `${c.key} shows the gateway's price`);
    assert.equal(c.availability, offer.availability);
  }
  return seen;
}

/** Scrolls with the mouse wheel, as a shopper would, in steps. */
async function scroll(page, dy) {
  const steps = Math.ceil(Math.abs(dy) / 600);
  for (let i = 0; i < steps; i++) await page.mouse.wheel(0, Math.sign(dy) * 600);
}

test('the scrolling view follows the cards on screen: add and remove as the shopper scrolls, live values on screen, last values off it', { timeout: 120000 }, async () => {
  const { page, assertClean } = await open('/demo/catalog.html?market=ca&locale=en');
  await waitForConnection(page, 'live');
  const all = await page.evaluate(() => [...document.querySelectorAll('[data-offer]')].map((c) => ({ key: c.dataset.offer })));
  assert.equal(all.length, 2000, 'every product of /demo/catalog.json has a card');
  assert.ok(all.every((c) => c.key.startsWith(`${MARKETPLACE}:`)));
  await page.mouse.move(640, 600);

  const top = await onScreenLive(page, 'the first screen live');
  const first = top[0].key;
  const firstPrice = top[0].price;
  let m = await until(async () => {
    const now = await interestMetrics();
    return now.entries >= top.length ? now : null;
  }, 'the gateway to index the first screen');
  assert.ok(m.entries < 100, `the interest is the screen, not the catalog: ${m.entries} entries`);
  const start = m;

  // Down the list: new cards are added, the ones that left are removed.
  await scroll(page, 6000);
  const lower = await onScreenLive(page, 'the cards further down live');
  assert.ok(!lower.some((c) => c.key === first));
  m = await until(async () => {
    const now = await interestMetrics();
    return now.adds > start.adds && now.removes > start.removes ? now : null;
  }, 'adds and removes on the gateway as the page scrolls');
  assert.ok(m.entries < 100, `still only about a screen's worth: ${m.entries} entries`);
  const firstCard = (await cards(page, { keys: [first] }))[0];
  assert.equal(firstCard.live, 'false', 'the card that left the screen is no longer followed');
  assert.equal(firstCard.price, firstPrice, 'it keeps its last known price');

  // A change of the card off screen does not come; one of a card on screen does. (Changes reach
  // a connection in commit order, so once the second shows, the first would have come before.)
  const target = lower[Math.floor(lower.length / 2)].key;
  const away = (Number(firstPrice) + 1.11).toFixed(2);
  const here = (Number(byKey(lower).get(target).price) + 2.22).toFixed(2);
  await gateway.post(MARKETPLACE, [{ sku: sku(first), price: `${away} CAD` }]);
  await gateway.post(MARKETPLACE, [{ sku: sku(target), price: `${here} CAD` }]);
  await waitForCards(page, (list) => byKey(list).get(target).price === here, 'the change of a card on screen',
    undefined, { keys: [target] });
  assert.equal((await cards(page, { keys: [first] }))[0].price, firstPrice, 'no update for a card off screen');

  // Further down, then back to the top: the first card is followed again and shows what changed.
  await scroll(page, 9000);
  await onScreenLive(page, 'the cards still further down live');
  const beforeTop = await interestMetrics();
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitForCards(page, (list) => {
    const c = byKey(list).get(first);
    return c.onScreen && c.live === 'true' && c.price === away;
  }, 'the first card back on screen with its new price', undefined, { keys: [first] });
  await onScreenLive(page, 'the first screen live again');
  m = await until(async () => {
    const now = await interestMetrics();
    return now.adds > beforeTop.adds && now.removes > beforeTop.removes ? now : null;
  }, 'the gateway to see the interest follow the page back up');
  assert.ok(m.entries < 100, `${m.entries} entries`);
  // The gauge follows the page: about a screen's worth, as at the start.
  assert.ok(Math.abs(m.entries - start.entries) <= 30, `entries ${start.entries} at the start, ${m.entries} back at the top`);
  assertClean();
});

test('the scrolling view in CNY: cards on screen show the market API\'s landed price; screenshots at desktop and phone width', { timeout: 120000 }, async () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const [name, query] of [['en-cad', '?market=ca&locale=en'], ['zh-cny', '?market=cn-cbec&locale=zh-CN']]) {
      const p = await open(`/demo/catalog.html${query}`, viewport);
      await waitForConnection(p.page, 'live');
      const seen = await waitForCards(p.page, (on) => on.length > 0 && on.every((c) => c.live === 'true' && c.price),
        'live cards on screen', undefined, { onScreen: true });
      if (name === 'zh-cny') {
        const token = gateway.credentials.storefront_token;
        await until(async () => {
          const now = byKey(await cards(p.page, { keys: seen.map((c) => c.key) }));
          for (const c of seen.slice(0, 3)) {
            const m = (await gateway.marketOffer('cn-cbec', MARKETPLACE, sku(c.key), token)).market;
            if (now.get(c.key).price !== m.landed_price.amount || now.get(c.key).currency !== 'CNY') return false;
          }
          return true;
        }, 'the landed prices of the market API on screen');
        assert.ok(seen.every((c) => c.titleLang === 'zh-CN'));
      }
      await p.page.evaluate(() => document.fonts.ready);
      const width = await p.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `no sideways scrolling at ${viewport.width}px (page is ${width}px wide)`);
      await screenshot(p.page, `catalog-${size}-${name}`);
      p.assertClean();
      await p.page.close();
    }
  }
});
