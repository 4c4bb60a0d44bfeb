// The storefront across a gateway restart in PostgreSQL mode, with configured credentials (so
// /demo/config.json gives no token): the token from the page's form, then from the URL
// (`#token=`); the page reconnects by itself after the gateway stops and comes back on its
// ports, and shows what changed while it was away (written through a second gateway on other
// ports, on the same database, while the first was stopped).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, scratchDatabase } from '../support/gateway.js';
import {
  launchBrowser, openPage, cards, waitForCards, waitForConnection, postgresForTests,
  DEMO_KEYS, DEMO_SUPPLIERS, QUIET_DEMO, HOME, WAIT_MS,
} from './support.js';

let db;
let gateway;
let other;
let browser;
let token;
const pages = [];

/** Settings both gateways share: one database, the demo, keys for the demo's suppliers. */
let common;

before(async () => {
  if (!postgresForTests()) {
    throw new Error('no PostgreSQL: set PRICEWIRE_TEST_PG_URI (e.g. postgresql://postgres@127.0.0.1:5432/postgres)');
  }
  db = scratchDatabase('storefront_restart');
  common = { store: 'postgres', pgUri: db.uri, demo: true, suppliers: DEMO_SUPPLIERS, env: QUIET_DEMO };
  gateway = await startGateway(common);
  token = await gateway.token();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await other?.stop();
  await gateway?.stop();
  db?.drop();
  // Everything is stopped first, so that a failed check leaves no gateway running.
  for (const p of pages) p.assertClean();
});

const byKey = (list) => new Map(list.map((c) => [c.key, c]));

test('without a token from the config or the URL the page asks for one in a form, and connects with it', { timeout: 120000 }, async () => {
  const config = await (await fetch(`${gateway.http}/demo/config.json`)).json();
  assert.equal(config.token, null, 'configured credentials: the config gives no token');
  const p = await openPage(browser.context, `${gateway.http}${HOME}`);
  pages.push(p);
  const form = p.page.locator('#token-form');
  await form.waitFor({ state: 'visible', timeout: WAIT_MS });
  const input = p.page.locator('#token-input');
  assert.equal(await input.getAttribute('type'), 'password', 'the token is not shown as it is typed');
  assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'token-input');
  await input.fill(token);
  await p.page.keyboard.press('Enter');
  await waitForConnection(p.page, 'live');
  await waitForCards(p.page, (list) => list.length === 10 && list.every((c) => c.price), 'ten priced cards');
  assert.equal(await form.isVisible(), false);
  assert.ok(!(await p.page.content()).includes(token), 'the token is not in the document');
  p.assertClean();
  await p.page.close();
});

test('after the gateway restarts (PostgreSQL), the page reconnects by itself and shows what changed while it was away', { timeout: 120000 }, async (t) => {
  const p = await openPage(browser.context, `${gateway.http}${HOME}#token=${token}`);
  pages.push(p);
  const { page } = p;
  await waitForConnection(page, 'live');
  await waitForCards(page, (list) => list.length === 10 && list.every((c) => c.price), 'ten priced cards');
  assert.ok(!page.url().includes(token), 'the token is taken out of the address bar');
  assert.ok(!(await page.content()).includes(token));
  await page.evaluate(() => { window.__sameDocument = true; });
  const lobster = 'atlantic-seafood:lobster-live-1lb';
  const before = byKey(await cards(page)).get(lobster);
  assert.equal(before.price, '42.00');

  // The gateway stops (SIGTERM: the feed is closed with 1001). The browser logs the attempts it
  // makes while nothing listens; they are expected now, and only now.
  p.gatewayDown(true);
  await gateway.stop();
  await page.waitForFunction(() => document.querySelector('[data-connection]').dataset.connection !== 'live',
    null, { timeout: WAIT_MS });

  // Meanwhile, on another gateway of the same database: a sale on the lobster (the demo's seed
  // at the next start leaves sale prices alone), and a new offer of a followed supplier.
  other = await startGateway(common);
  const answer = await other.post('atlantic-seafood', [
    { sku: 'lobster-live-1lb', sale_price: '35.55 CAD' },
    { sku: 'oysters-malpeque-24', price: '38.00 CAD', availability: 'in_stock', quantity: 30,
      title: { en: 'Malpeque oysters, 24 count', 'zh-CN': '马尔佩克生蚝 24只' }, category: 'Seafood > Oysters', tax_class: 'agri_9' },
  ]);
  assert.deepEqual(answer.items.map((i) => i.status), ['applied', 'applied']);
  await other.stop();
  other = null;

  // The first gateway again, on its ports: the page was never told; it comes back by itself.
  gateway = await gateway.restart();
  // The client's back-off grows while the gateway is away (full jitter, up to 20 s).
  await waitForConnection(page, 'live', 60000);
  p.gatewayDown(false);
  const after = await waitForCards(page, (list) => list.length === 11
    && byKey(list).get(lobster)?.price === '35.55'
    && byKey(list).get('atlantic-seafood:oysters-malpeque-24')?.price === '38.00', 'the changes made while away', WAIT_MS);
  assert.ok(byKey(after).get(lobster).text.includes('was CA$42.00'));
  assert.deepEqual(after.map((c) => c.key).filter((k) => !DEMO_KEYS.includes(k)), ['atlantic-seafood:oysters-malpeque-24']);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');

  // Still live after the restart: a change now comes as usual.
  await gateway.post('atlantic-seafood', [{ sku: 'oysters-malpeque-24', quantity: 0, availability: 'out_of_stock' }]);
  await waitForCards(page, (list) => byKey(list).get('atlantic-seafood:oysters-malpeque-24')?.soldOutShown, 'the oysters sold out');
  p.assertClean();
  t.diagnostic(`${p.expected.length} connection failure(s) logged by the browser while the gateway was down`);
});
