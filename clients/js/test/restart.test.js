// The client across gateway restarts: a memory store starts a new log (the client gets a reset
// and drops what the old log held), PostgreSQL keeps it (the client resumes exactly, even with
// changes another gateway made while this one was down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Pricewire } from '../pricewire.js';
import { startGateway, scratchDatabase, until, expectedOffers, differences } from './support/gateway.js';

function offer(sku, fields = {}) {
  return { sku, price: '10.00 CAD', availability: 'in_stock', quantity: 5, category: 'Pantry', ...fields };
}

async function converged(sub, gateway, keys, what) {
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

test('reset after a memory-store restart: a new epoch, offers only the old log had are gone', async () => {
  let gateway = await startGateway();
  // A token function: called before every attempt, it also fails while the gateway is down.
  let tokenCalls = 0;
  const feed = new Pricewire({
    url: gateway.http, WebSocket, minDelayMs: 50, maxDelayMs: 1000,
    token: () => { tokenCalls++; return gateway.token(); },
  });
  try {
    await gateway.post('alpha-foods', [offer('old-only'), offer('kept')]);
    await gateway.post('beta-farms', [offer('in-category'), offer('elsewhere', { category: 'Dairy' })]);
    const sub = feed.subscribe({ suppliers: ['alpha-foods'], categories: ['Pantry'] });
    const resets = [];
    const snapshots = [];
    sub.on('reset', (e) => resets.push(e));
    sub.on('snapshot', (e) => snapshots.push(e));
    await sub.ready;
    assert.deepEqual([...sub.offers.keys()].sort(),
      ['alpha-foods:kept', 'alpha-foods:old-only', 'beta-farms:in-category']);
    const oldEpoch = sub.epoch;

    gateway = await gateway.restart();
    await gateway.post('alpha-foods', [offer('kept', { price: '12.00 CAD' }), offer('new')]);
    await gateway.post('beta-farms', [offer('elsewhere')]);

    await until(() => resets.length === 1, 'the reset');
    await converged(sub, gateway, ['alpha-foods:old-only', 'alpha-foods:kept', 'alpha-foods:new',
      'beta-farms:in-category', 'beta-farms:elsewhere'], 'the subscription');
    assert.ok(!sub.offers.has('alpha-foods:old-only'), 'an offer only the old log had is gone');
    assert.ok(!sub.offers.has('beta-farms:in-category'));
    assert.notEqual(sub.epoch, oldEpoch);
    const reset = snapshots.find((s) => s.reset);
    assert.equal(reset.resumed, false);
    assert.deepEqual(resets[0].offers, reset.offers);
    assert.ok(tokenCalls >= 2, 'a token was asked for again to reconnect');
    assert.equal(feed.state, 'live');
  } finally {
    feed.close();
    await gateway.stop();
  }
});

test('across a PostgreSQL-mode restart: changes another gateway made meanwhile, resumed exactly', async (t) => {
  const db = scratchDatabase('resume');
  if (!db) {
    t.skip('PRICEWIRE_TEST_PG_URI is not set');
    return;
  }
  let first = await startGateway({ store: 'postgres', pgUri: db.uri });
  const token = await first.token();
  const feed = new Pricewire({ url: first.http, token, WebSocket, minDelayMs: 50, maxDelayMs: 1000 });
  let second;
  try {
    await first.post('alpha-foods', [offer('a'), offer('b'), offer('c', { category: 'Dairy' })]);
    await first.post('gamma-wines', [offer('w1', { category: 'Wine' })]);
    const sub = feed.subscribe({ skus: ['gamma-wines:w1'], categories: ['Pantry'] });
    const snapshots = [];
    sub.on('snapshot', (e) => snapshots.push(e));
    await sub.ready;
    const epoch = sub.epoch;
    const states = [];
    feed.on('state', (e) => states.push(e));

    await first.stop();
    await until(() => feed.state === 'reconnecting', 'the client to notice');
    // Another gateway on the same database writes while the first is down.
    second = await startGateway({ store: 'postgres', pgUri: db.uri });
    await second.post('alpha-foods', [
      { sku: 'a', price: '11.00 CAD' },
      { sku: 'b', category: 'Dairy' }, // leaves the followed category
      { sku: 'c', category: 'Pantry' }, // comes into it
      offer('d'),
    ]);
    await second.post('gamma-wines', [{ sku: 'w1', quantity: 1 }]);
    await second.stop();
    second = null;

    first = await first.restart();
    const keys = ['alpha-foods:a', 'alpha-foods:b', 'alpha-foods:c', 'alpha-foods:d', 'gamma-wines:w1'];
    await until(() => feed.state === 'live', 'the client to reconnect');
    await converged(sub, first, keys, 'the subscription');
    const last = snapshots.at(-1);
    assert.equal(last.resumed, true);
    assert.equal(last.reset, false);
    assert.equal(sub.epoch, epoch, 'the same log');
    assert.ok(!sub.offers.has('alpha-foods:b'));
    assert.equal(sub.offers.get('alpha-foods:a').price.amount, '11.00');
    assert.equal(sub.offers.get('gamma-wines:w1').quantity, 1);
    assert.ok(states.some((e) => e.state === 'reconnecting' && e.code === 1001), 'closed as the gateway stopped');
  } finally {
    feed.close();
    await second?.stop();
    await first.stop();
    db.drop();
  }
});
