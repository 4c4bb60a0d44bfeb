// The client on Server-Sent Events: the fallback when a proxy drops WebSocket upgrades, SSE
// when asked for (one stream per subscription, add and remove by reopening it), and resume
// across a dropped stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { Pricewire } from '../pricewire.js';
import {
  startGateway, until, tcpProxy, upgradeDroppingProxy, recordingWebSocket, expectedOffers, differences,
} from './support/gateway.js';

let gateway;
let token;
const feeds = [];

function feed(options) {
  const f = new Pricewire({ token, WebSocket, EventSource, minDelayMs: 50, maxDelayMs: 1000, ...options });
  feeds.push(f);
  return f;
}

function offer(sku, fields = {}) {
  return { sku, price: '10.00 CAD', availability: 'in_stock', quantity: 5, category: 'Bakery', ...fields };
}

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
  await gateway.post('alpha-foods', [offer('bread'), offer('bagel'), offer('scone', { category: 'Sweets' })]);
  await gateway.post('beta-farms', [offer('rye'), offer('milk', { category: 'Dairy' })]);
});

after(async () => {
  for (const f of feeds) f.close();
  await gateway.stop();
});

test("fallback: behind a proxy that drops upgrades, 'auto' ends on SSE with the snapshot and live updates", async () => {
  const proxy = await upgradeDroppingProxy(gateway.port);
  try {
    const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
    const f = feed({ url: proxy.http, WebSocket: Recording });
    const errors = [];
    f.on('error', (e) => errors.push(e));
    const sub = f.subscribe({ suppliers: ['alpha-foods'], market: 'ca' });
    await sub.ready;
    assert.equal(f.transport, 'sse');
    assert.equal(f.state, 'live');
    assert.equal(proxy.upgrades, 2, 'two WebSocket attempts, then SSE');
    assert.equal(instances.length, 2);
    assert.ok(errors.every((e) => e.code === 'websocket_required') && errors.length === 2);
    assert.deepEqual([...sub.offers.keys()].sort(), ['alpha-foods:bagel', 'alpha-foods:bread', 'alpha-foods:scone']);
    assert.equal(sub.offers.get('alpha-foods:bread').market.id, 'ca');

    await gateway.post('alpha-foods', [{ sku: 'bread', price: '3.00 CAD' }, { sku: 'bagel', quantity: 0 }]);
    await until(() => sub.offers.get('alpha-foods:bread').price.amount === '3.00'
      && sub.offers.get('alpha-foods:bagel').quantity === 0, 'live updates over SSE');
    await converged(sub, ['alpha-foods:bread', 'alpha-foods:bagel', 'alpha-foods:scone'], 'the subscription');

    // A second subscription gets its own stream, through the same proxy.
    const other = f.subscribe({ skus: ['beta-farms:rye'] });
    await other.ready;
    assert.deepEqual([...other.offers.keys()], ['beta-farms:rye']);
    assert.equal(proxy.upgrades, 2, 'no WebSocket attempt after the fallback');
  } finally {
    await proxy.close();
  }
});

test("transport 'sse' when asked: updates, add (a full snapshot) and remove (dropped, then resumed)", async () => {
  const f = feed({ url: gateway.http, transport: 'sse', WebSocket: undefined });
  const sub = f.subscribe({ skus: ['alpha-foods:bread'] });
  const snapshots = [];
  const updates = [];
  sub.on('snapshot', (e) => snapshots.push(e));
  sub.on('update', (e) => updates.push(e));
  await sub.ready;
  assert.equal(f.transport, 'sse');
  assert.deepEqual([...sub.offers.keys()], ['alpha-foods:bread']);

  await gateway.post('alpha-foods', [{ sku: 'bread', price: '3.50 CAD' }]);
  await until(() => updates.some((u) => u.offer.price.amount === '3.50'), 'an update');

  const mapBefore = sub.offers;
  sub.add({ categories: ['Bakery'] });
  await until(() => snapshots.length === 2, 'the stream reopened for the add');
  assert.equal(snapshots[1].resumed, false, 'a full snapshot, not resumed');
  assert.notEqual(sub.offers, mapBefore, 'it replaced the map');
  assert.deepEqual([...sub.offers.keys()].sort(), ['alpha-foods:bagel', 'alpha-foods:bread', 'beta-farms:rye']);

  sub.remove({ categories: ['Bakery'] });
  assert.deepEqual([...sub.offers.keys()], ['alpha-foods:bread'], 'dropped at once');
  assert.deepEqual(updates.filter((u) => u.gone).map((u) => u.key).sort(), ['alpha-foods:bagel', 'beta-farms:rye']);
  await until(() => snapshots.length === 3, 'the stream reopened for the remove');
  assert.equal(snapshots[2].resumed, true, 'resumed with since');

  const seen = updates.length;
  await gateway.post('beta-farms', [{ sku: 'rye', price: '4.00 CAD' }]);
  await gateway.post('alpha-foods', [{ sku: 'bread', price: '3.60 CAD' }]);
  await until(() => sub.offers.get('alpha-foods:bread').price.amount === '3.60', 'a later update');
  assert.deepEqual(updates.slice(seen).map((u) => u.key), ['alpha-foods:bread'], 'nothing of the removed offers');
  await converged(sub, ['alpha-foods:bread', 'alpha-foods:bagel', 'beta-farms:rye'], 'the subscription');
});

test('SSE resume across a dropped stream, with changes made while it was down', async () => {
  const proxy = await tcpProxy(gateway.port);
  try {
    const f = feed({ url: proxy.http, transport: 'sse' });
    const sub = f.subscribe({ suppliers: ['beta-farms'], categories: ['Sweets'] });
    const snapshots = [];
    sub.on('snapshot', (e) => snapshots.push(e));
    await sub.ready;
    const seq = sub.seq;

    proxy.mode('refuse');
    proxy.drop();
    await until(() => f.state === 'reconnecting', 'the client to notice');
    await gateway.post('beta-farms', [{ sku: 'milk', price: '2.00 CAD' }, offer('cheese', { category: 'Dairy' })]);
    await gateway.post('alpha-foods', [{ sku: 'scone', category: 'Bakery' }, offer('tart', { category: 'Sweets' })]);
    proxy.mode('forward');

    await until(() => f.state === 'live', 'the stream to reopen');
    await converged(sub, ['beta-farms:milk', 'beta-farms:cheese', 'beta-farms:rye', 'alpha-foods:scone',
      'alpha-foods:tart'], 'the subscription');
    assert.equal(snapshots.at(-1).resumed, true);
    assert.ok(!sub.offers.has('alpha-foods:scone'), 'the offer that left the category is gone');
    assert.ok(sub.seq > seq);
  } finally {
    await proxy.close();
  }
});
