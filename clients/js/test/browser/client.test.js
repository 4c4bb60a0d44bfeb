// The client itself in the browser, without the storefront: a page of the gateway's origin
// imports /client/pricewire.js and runs a scenario (snapshot, updates, add and remove, a dropped
// connection while offline, resume), and at each step the map it holds must equal the gateway's
// state for its interest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, until, expectedOffers, differences } from '../support/gateway.js';
import { launchBrowser, openPage, DEMO_KEYS, QUIET_DEMO, WAIT_MS } from './support.js';

let gateway;
let browser;
let p;

before(async () => {
  gateway = await startGateway({ development: true, demo: true, env: QUIET_DEMO });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  // Everything is stopped first, so that a failed check leaves no gateway running.
  p?.assertClean();
});

/** The page's subscription: its offers as a Map, its interest and its resume point. */
async function held(page) {
  const s = await page.evaluate(() => {
    const { sub } = window.__t;
    return { offers: [...sub.offers], interest: sub.interest, epoch: sub.epoch, seq: sub.seq };
  });
  return { ...s, offers: new Map(s.offers) };
}

/** Waits until the page's map equals the gateway's state for its interest. */
async function converged(page, what) {
  let diff;
  try {
    await until(async () => {
      const h = await held(page);
      diff = differences(h.offers, await expectedOffers(gateway, DEMO_KEYS, h.interest));
      return diff.length === 0;
    }, `${what}: the page's map to equal the gateway's state`, WAIT_MS);
  } catch (e) {
    throw new Error(`${e.message}: ${diff?.slice(0, 5).join('; ')}`);
  }
}

test('the client in Chromium: snapshot then updates, add and remove, and a resume after a forced drop, its map equal to the gateway\'s state', { timeout: 120000 }, async () => {
  p = await openPage(browser.context, `${gateway.http}/demo/config.json`);
  const { page } = p;
  const token = gateway.credentials.storefront_token;

  // Snapshot: a subscription of one supplier and one more offer.
  await page.evaluate(async (tok) => {
    const { Pricewire } = await import('/client/pricewire.js');
    const sockets = [];
    const sent = [];
    // The page's own WebSocket, kept so that the test can break one connection.
    class Kept extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets.push(this);
      }

      send(data) {
        sent.push(JSON.parse(data));
        return super.send(data);
      }
    }
    const feed = new Pricewire({ url: location.origin, token: tok, transport: 'auto', WebSocket: Kept });
    const states = [];
    feed.on('state', ({ state }) => states.push(state));
    const sub = feed.subscribe({ suppliers: ['atlantic-seafood'], skus: ['okanagan-orchards:cherries-skeena-2kg'] });
    const snapshots = [];
    const updates = [];
    sub.on('snapshot', (e) => snapshots.push({ resumed: e.resumed, reset: e.reset, added: e.added, keys: e.offers.map((o) => `${o.supplier}:${o.sku}`) }));
    sub.on('update', (e) => updates.push({ key: e.key, changed: e.changed, gone: e.gone }));
    window.__t = { Pricewire, feed, sub, sockets, sent, states, snapshots, updates };
    await sub.ready;
  }, token);
  let h = await held(page);
  assert.deepEqual([...h.offers.keys()].sort(), ['atlantic-seafood:lobster-live-1lb', 'atlantic-seafood:scallops-u10-1kg',
    'atlantic-seafood:snow-crab-clusters-2kg', 'okanagan-orchards:cherries-skeena-2kg']);
  await converged(page, 'the snapshot');
  assert.deepEqual(await page.evaluate(() => window.__t.states), ['connecting', 'live']);
  assert.equal(await page.evaluate(() => window.__t.feed.transport), 'websocket');
  assert.equal(await page.evaluate(() => window.__t.Pricewire.title(window.__t.sub.offers.get('atlantic-seafood:lobster-live-1lb'), 'zh-CN')),
    '加拿大鲜活龙虾 1磅');

  // Updates: one, then several in one request.
  await gateway.post('atlantic-seafood', [{ sku: 'lobster-live-1lb', price: '41.00 CAD' }]);
  await page.waitForFunction(() => window.__t.sub.offers.get('atlantic-seafood:lobster-live-1lb').price.amount === '41.00',
    null, { timeout: WAIT_MS });
  await gateway.post('atlantic-seafood', [{ sku: 'scallops-u10-1kg', quantity: 3, availability: 'limited_availability' },
    { sku: 'snow-crab-clusters-2kg', price: '88.00 CAD' }]);
  await gateway.post('okanagan-orchards', [{ sku: 'cherries-skeena-2kg', quantity: 149 }]);
  await converged(page, 'the updates');
  const updates = await page.evaluate(() => window.__t.updates);
  assert.deepEqual(updates.find((u) => u.key === 'atlantic-seafood:lobster-live-1lb').changed, ['price']);

  // Add an offer, then remove the supplier: the map follows, the gateway's interest too.
  await page.evaluate(() => window.__t.sub.add({ skus: ['prairie-beef:ribeye-aaa-1kg'] }));
  await page.waitForFunction(() => window.__t.sub.offers.has('prairie-beef:ribeye-aaa-1kg'), null, { timeout: WAIT_MS });
  await converged(page, 'the add');
  assert.ok((await page.evaluate(() => window.__t.snapshots)).some((s) => s.added && s.keys.includes('prairie-beef:ribeye-aaa-1kg')));
  await page.evaluate(() => window.__t.sub.remove({ suppliers: ['atlantic-seafood'] }));
  h = await held(page);
  assert.deepEqual([...h.offers.keys()].sort(), ['okanagan-orchards:cherries-skeena-2kg', 'prairie-beef:ribeye-aaa-1kg']);
  // Once the gateway read the remove, a change of a removed offer does not come, and one of a
  // followed offer after it does (a connection's changes come in commit order).
  await until(async () => (await gateway.metric('pricewire_feed_interest_changes_total{op="remove"')) >= 1, 'the remove');
  await gateway.post('atlantic-seafood', [{ sku: 'lobster-live-1lb', price: '40.00 CAD' }]);
  await gateway.post('prairie-beef', [{ sku: 'ribeye-aaa-1kg', price: '57.00 CAD' }]);
  await page.waitForFunction(() => window.__t.sub.offers.get('prairie-beef:ribeye-aaa-1kg').price.amount === '57.00',
    null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => window.__t.sub.offers.has('atlantic-seafood:lobster-live-1lb')), false);
  await converged(page, 'the remove');

  // A drop: the browser goes offline and the test closes the connection; changes are made while
  // the page is away; back online, the client resumes from where it was.
  const resumeFrom = await held(page);
  await browser.context.setOffline(true);
  await page.evaluate(() => window.__t.sockets.at(-1).close(4000, 'test: dropped'));
  await page.waitForFunction(() => window.__t.feed.state === 'offline', null, { timeout: WAIT_MS });
  await gateway.post('okanagan-orchards', [{ sku: 'cherries-skeena-2kg', price: '37.50 CAD', quantity: 120 }]);
  await gateway.post('prairie-beef', [{ sku: 'ribeye-aaa-1kg', availability: 'out_of_stock', quantity: 0 }]);
  await gateway.post('atlantic-seafood', [{ sku: 'scallops-u10-1kg', price: '60.00 CAD' }]); // not followed now
  const sockets = await page.evaluate(() => window.__t.sockets.length);
  await browser.context.setOffline(false);
  await page.waitForFunction(() => window.__t.feed.state === 'live', null, { timeout: WAIT_MS });
  await converged(page, 'the resume');
  const after = await page.evaluate(() => ({
    sockets: window.__t.sockets.length,
    resume: window.__t.sent.filter((f) => f.op === 'subscribe').at(-1),
    snapshot: window.__t.snapshots.at(-1),
    states: window.__t.states,
  }));
  assert.equal(after.sockets, sockets + 1, 'one new connection');
  assert.deepEqual(after.resume.since, { epoch: resumeFrom.epoch, seq: resumeFrom.seq }, 'it resumed from its last seq');
  assert.equal(after.snapshot.resumed, true);
  assert.equal(after.snapshot.reset, false);
  assert.deepEqual(after.snapshot.keys.sort(), ['okanagan-orchards:cherries-skeena-2kg', 'prairie-beef:ribeye-aaa-1kg'],
    'the resumed snapshot holds exactly the followed offers that changed');
  assert.ok(after.states.includes('offline'));
  h = await held(page);
  assert.equal(h.offers.get('prairie-beef:ribeye-aaa-1kg').availability, 'out_of_stock');
  assert.equal(h.offers.get('okanagan-orchards:cherries-skeena-2kg').price.amount, '37.50');

  await page.evaluate(() => window.__t.feed.close());
  assert.equal(await page.evaluate(() => window.__t.feed.state), 'closed');
  p.assertClean();
});
