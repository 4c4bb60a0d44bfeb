// The client on WebSocket against a real gateway: snapshot and updates, resume after a dropped
// connection, add and remove on live subscriptions, dead connections found by heartbeats, and
// the browser's online, offline and visibility events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { Pricewire } from '../pricewire.js';
import {
  startGateway, until, tcpProxy, recordingWebSocket, expectedOffers, differences,
} from './support/gateway.js';

let gateway;
let token;
const feeds = [];
const proxies = [];

/** A feed for a test, closed at the end of the file; quick back-off so the tests run fast. */
function feed(options) {
  const f = new Pricewire({ token, WebSocket, EventSource, minDelayMs: 50, maxDelayMs: 1000, ...options });
  feeds.push(f);
  return f;
}

async function proxy() {
  const p = await tcpProxy(gateway.port);
  proxies.push(p);
  return p;
}

function offer(sku, fields = {}) {
  return { sku, price: '10.00 CAD', availability: 'in_stock', quantity: 5, category: 'Fruit', ...fields };
}

/** Waits until a subscription's map equals the gateway's state for its interest. */
async function converged(sub, keys, what) {
  let diff;
  try {
    await until(async () => {
      diff = differences(sub.offers, await expectedOffers(gateway, keys, sub.interest), sub.market);
      return diff.length === 0;
    }, `${what} to equal the gateway's state`);
  } catch (e) {
    throw new Error(`${e.message}: ${diff?.slice(0, 5).join('; ')}`);
  }
}

before(async () => {
  gateway = await startGateway();
  token = await gateway.token();
});

after(async () => {
  for (const f of feeds) f.close();
  for (const p of proxies) await p.close();
  await gateway.stop();
});

test('snapshot, then updates, also several in one updates frame; states connecting then live', async () => {
  await gateway.post('alpha-foods', [offer('apple'), offer('pear'), offer('kale', { category: 'Veg' })]);
  const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
  const f = feed({ url: gateway.http, WebSocket: Recording });
  const states = [];
  f.on('state', (e) => states.push(e));
  const sub = f.subscribe({ suppliers: ['alpha-foods'] });
  const snapshots = [];
  const updates = [];
  sub.on('snapshot', (e) => snapshots.push(e));
  sub.on('update', (e) => updates.push(e));
  assert.equal(f.state, 'connecting');

  assert.equal(await sub.ready, sub);
  assert.deepEqual(states.map((e) => e.state), ['connecting', 'live']);
  assert.equal(states[1].transport, 'websocket');
  assert.equal(f.transport, 'websocket');
  assert.equal(snapshots.length, 1);
  assert.equal(snapshots[0].resumed, false);
  assert.deepEqual([...sub.offers.keys()].sort(), ['alpha-foods:apple', 'alpha-foods:kale', 'alpha-foods:pear']);
  assert.equal(sub.offers.get('alpha-foods:apple').price.amount, '10.00');
  assert.ok(sub.epoch && sub.seq >= 3);

  await gateway.post('alpha-foods', [{ sku: 'apple', price: '11.00 CAD' }]);
  await until(() => sub.offers.get('alpha-foods:apple').price.amount === '11.00', 'the update');
  const single = updates.find((u) => u.key === 'alpha-foods:apple');
  assert.deepEqual(single.changed, ['price']);
  assert.equal(single.previous.price.amount, '10.00');
  assert.equal(single.gone, false);

  // One request of many items: one commit, matched at once, sent as one updates frame.
  const batch = Array.from({ length: 8 }, (_, i) => offer(`batch-${i}`, { quantity: i }));
  const { items } = await gateway.post('alpha-foods', batch);
  const lastSeq = Math.max(...items.map((i) => i.seq));
  await until(() => sub.seq >= lastSeq, 'the batch');
  for (let i = 0; i < 8; i++) assert.equal(sub.offers.get(`alpha-foods:batch-${i}`).quantity, i);
  assert.ok(instances[0].received.some((m) => m.type === 'updates' && m.updates.length > 1),
    'an updates frame carried several changes');
  assert.equal(updates.filter((u) => u.key.startsWith('alpha-foods:batch-')).length, 8);
  assert.equal(sub.seq, lastSeq);
  assert.equal(instances.length, 1);
  assert.ok(instances[0].url.includes('heartbeat=1') && instances[0].url.includes('access_token='));
});

test('resume after a dropped connection: changes made while away, resubscribed with since', async () => {
  const orchard = { category: 'Orchard' };
  await gateway.post('beta-farms', [offer('milk', orchard), offer('eggs', orchard), offer('cream', { category: 'Dairy' })]);
  const p = await proxy();
  const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
  const f = feed({ url: p.http, WebSocket: Recording });
  const bySupplier = f.subscribe({ id: 'farm', suppliers: ['beta-farms'] });
  const byCategory = f.subscribe({ id: 'orchard', categories: ['Orchard'] });
  const snapshots = [];
  byCategory.on('snapshot', (e) => snapshots.push(e));
  await bySupplier.ready;
  await byCategory.ready;
  assert.ok(byCategory.offers.has('beta-farms:milk'));

  // Drop it abruptly, and keep the client away while changes are made.
  p.mode('refuse');
  const before = { epoch: byCategory.epoch, seq: byCategory.seq };
  instances[0].terminate();
  await until(() => f.state === 'reconnecting', 'the client to notice');
  await gateway.post('beta-farms', [
    { sku: 'milk', price: '12.00 CAD' },
    { sku: 'eggs', category: 'Dairy' }, // leaves the followed category while the client is away
    offer('butter', orchard),
    { sku: 'cream', category: 'Orchard' }, // comes into it
  ]);
  // Every attempt is a new socket; two refused ones show the client keeps trying, and waits.
  await until(() => instances.length >= 3 && f.state === 'reconnecting', 'refused attempts through the proxy');
  p.mode('forward');

  await until(() => f.state === 'live' && instances.length >= 2, 'the client to reconnect');
  const keys = ['beta-farms:milk', 'beta-farms:eggs', 'beta-farms:butter', 'beta-farms:cream', 'alpha-foods:apple',
    'alpha-foods:pear', 'alpha-foods:kale'];
  await converged(bySupplier, keys, 'the supplier subscription');
  await converged(byCategory, keys, 'the category subscription');
  assert.ok(!byCategory.offers.has('beta-farms:eggs'), 'the offer that left the category is gone');
  assert.ok(byCategory.offers.has('beta-farms:cream'));

  const resubscribe = instances.at(-1).sent.find((m) => m.op === 'subscribe' && m.id === 'orchard');
  assert.deepEqual(resubscribe.since, before);
  assert.equal(snapshots.at(-1).resumed, true);
  assert.equal(snapshots.at(-1).reset, false);
  assert.equal(instances.at(-1).sent.filter((m) => m.op === 'subscribe').length, 2, 'both on one connection');
});

test('add and remove on a live subscription; many subscriptions on one connection', async () => {
  await gateway.post('gamma-wines', [offer('icewine', { category: 'Wine' }), offer('red', { category: 'Wine' }),
    offer('white', { category: 'Wine' }), offer('cider', { category: 'Cider' })]);
  const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
  const f = feed({ url: gateway.http, WebSocket: Recording });
  const listing = f.subscribe({ id: 'listing', skus: ['gamma-wines:icewine'] });
  const wines = f.subscribe({ id: 'wines', categories: ['Wine'] });
  const beta = f.subscribe({ id: 'beta', suppliers: ['beta-farms'] });
  await Promise.all([listing.ready, wines.ready, beta.ready]);
  assert.deepEqual([...listing.offers.keys()], ['gamma-wines:icewine']);

  // A page's listener that throws breaks neither the client nor the listeners after it.
  const reported = [];
  const consoleError = console.error;
  console.error = (...args) => reported.push(args);
  const unhook = listing.on('snapshot', () => { throw new Error('a bug in the page'); });
  const snapshots = [];
  const updates = [];
  listing.on('snapshot', (e) => snapshots.push(e));
  listing.on('update', (e) => updates.push(e));
  listing.add({ skus: [{ supplier: 'gamma-wines', sku: 'red' }, 'gamma-wines:white'], categories: ['Cider'] });
  await until(() => snapshots.length === 1, 'the added snapshot');
  assert.equal(snapshots[0].added, true);
  assert.deepEqual(snapshots[0].offers.map((o) => o.sku).sort(), ['cider', 'red', 'white']);
  console.error = consoleError;
  assert.equal(reported[0][1].message, 'a bug in the page');
  unhook();
  assert.deepEqual([...listing.offers.keys()].sort(),
    ['gamma-wines:cider', 'gamma-wines:icewine', 'gamma-wines:red', 'gamma-wines:white']);
  const seqAfterAdd = listing.seq;

  listing.remove({ skus: ['gamma-wines:red'], categories: ['Cider'] });
  assert.ok(!listing.offers.has('gamma-wines:red') && !listing.offers.has('gamma-wines:cider'), 'dropped at once');
  assert.deepEqual(updates.filter((u) => u.gone).map((u) => u.key).sort(), ['gamma-wines:cider', 'gamma-wines:red']);

  // Later updates of removed offers do not come back; the others flow.
  const gone = updates.length;
  await gateway.post('gamma-wines', [{ sku: 'red', price: '30.00 CAD' }, { sku: 'cider', price: '5.00 CAD' }]);
  await gateway.post('gamma-wines', [{ sku: 'white', price: '20.00 CAD' }]);
  await until(() => listing.offers.get('gamma-wines:white').price.amount === '20.00', 'a later update');
  assert.deepEqual(updates.slice(gone).map((u) => u.key), ['gamma-wines:white']);
  assert.ok(!listing.offers.has('gamma-wines:red'));
  await until(() => wines.offers.get('gamma-wines:red')?.price.amount === '30.00', 'the other subscription');
  assert.ok(listing.seq >= seqAfterAdd);

  // An offer added again comes back whole.
  listing.add({ skus: ['gamma-wines:red'] });
  await until(() => listing.offers.get('gamma-wines:red')?.price.amount === '30.00', 'the offer added again');
  assert.deepEqual(listing.interest.skus.sort(), ['gamma-wines:icewine', 'gamma-wines:red', 'gamma-wines:white']);

  assert.equal(instances.length, 1, 'one connection carries every subscription');
  const ops = instances[0].sent.map((m) => `${m.op}:${m.id}`);
  assert.deepEqual(ops, ['subscribe:listing', 'subscribe:wines', 'subscribe:beta', 'add:listing', 'remove:listing',
    'add:listing']);
  const keys = ['gamma-wines:icewine', 'gamma-wines:red', 'gamma-wines:white', 'gamma-wines:cider'];
  await converged(listing, keys, 'the listing');
  await converged(wines, keys, 'the category subscription');
});

test('heartbeats: a connection that goes silent is noticed, replaced, and resumed', async () => {
  const p = await proxy();
  const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
  const f = feed({ url: p.http, WebSocket: Recording });
  const states = [];
  f.on('state', (e) => states.push(e));
  const sub = f.subscribe({ suppliers: ['alpha-foods'] });
  const snapshots = [];
  sub.on('snapshot', (e) => snapshots.push(e));
  await sub.ready;
  assert.ok(instances[0].received.some((m) => m.type === 'heartbeat' && m.interval_ms === 1000));

  // The proxy stops forwarding but keeps the sockets open: only missing heartbeats can tell.
  p.mode('silent');
  const { items } = await gateway.post('alpha-foods', [{ sku: 'pear', price: '9.50 CAD' }]);
  const dropped = await until(() => states.find((e) => e.state === 'reconnecting'), 'the client to notice');
  assert.match(dropped.reason, /heartbeat/);
  assert.equal(sub.offers.get('alpha-foods:pear').price.amount, '10.00', 'the change did not get through');
  p.mode('forward');

  await until(() => f.state === 'live' && sub.offers.get('alpha-foods:pear').price.amount === '9.50',
    'the client to reconnect and resume');
  assert.ok(instances.length >= 2);
  assert.ok(sub.seq >= items[0].seq);
  assert.equal(snapshots.at(-1).resumed, true);
  assert.ok(instances.at(-1).sent[0].since, 'resubscribed with since');
});

test("the browser's online, offline and visibilitychange events: offline waits, the others reconnect at once", async () => {
  // A browser's globals, for the feed made below (it looks for them when made).
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const names = ['addEventListener', 'removeEventListener', 'document', 'navigator'];
  const saved = names.map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  const define = (name, value) => Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  define('addEventListener', win.addEventListener.bind(win));
  define('removeEventListener', win.removeEventListener.bind(win));
  define('document', doc);
  define('navigator', { onLine: false });
  try {
    const p = await proxy();
    const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
    // Back-off delays far longer than the test's deadlines: only the events can bring it back.
    const f = feed({ url: p.http, WebSocket: Recording, minDelayMs: 120000, maxDelayMs: 120000 });
    const states = [];
    f.on('state', (e) => states.push(e.state));
    const sub = f.subscribe({ suppliers: ['alpha-foods'] });
    await until(() => f.state === 'offline', 'offline while the browser says so');
    assert.equal(instances.length, 0, 'no attempt while offline');

    globalThis.navigator.onLine = true;
    win.dispatchEvent(new Event('online'));
    await sub.ready;
    assert.equal(f.state, 'live');

    // Dropped while the tab is hidden: it waits for the (long) back-off...
    doc.visibilityState = 'hidden';
    instances.at(-1).terminate();
    await until(() => f.state === 'reconnecting', 'the drop');
    // ...until the tab shows again.
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => f.state === 'live', 'the reconnection when the tab shows');
    assert.equal(instances.length, 2);

    // Dropped, then the browser goes offline: no attempts until it is back.
    p.mode('refuse');
    instances.at(-1).terminate();
    await until(() => f.state === 'reconnecting', 'the second drop');
    globalThis.navigator.onLine = false;
    win.dispatchEvent(new Event('offline'));
    assert.equal(f.state, 'offline');
    p.mode('forward');
    globalThis.navigator.onLine = true;
    win.dispatchEvent(new Event('online'));
    await until(() => f.state === 'live', 'the reconnection when back online');
    assert.deepEqual(states, ['offline', 'connecting', 'live', 'reconnecting', 'connecting', 'live', 'reconnecting',
      'offline', 'connecting', 'live']);
    f.close();
  } finally {
    names.forEach((name, i) => {
      if (saved[i]) Object.defineProperty(globalThis, name, saved[i]);
      else delete globalThis[name];
    });
  }
});
