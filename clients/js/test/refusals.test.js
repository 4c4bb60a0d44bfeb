// What the client does when the gateway refuses: a bad token and a frame too large stop it for
// good (and it says why), an expired token is replaced when a token function can give a fresh
// one, a forbidden supplier ends only that subscription, and a transient refusal (no exchange
// rate yet) is retried until it passes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { Pricewire } from '../pricewire.js';
import { startGateway, until, recordingWebSocket } from './support/gateway.js';

let gateway;
const feeds = [];

function feed(options) {
  const f = new Pricewire({ url: gateway.http, WebSocket, EventSource, minDelayMs: 50, maxDelayMs: 500, ...options });
  feeds.push(f);
  return f;
}

/** The feed's `closed` state event, once it came (within the usual deadline). */
function closedEvent(f) {
  let event;
  f.on('closed', (e) => { event = e; });
  return until(() => event, 'the feed to close');
}

before(async () => {
  gateway = await startGateway();
  await gateway.post('alpha-foods', [{ sku: 'oats', price: '4.00 CAD', availability: 'in_stock' }]);
  await gateway.post('beta-farms', [{ sku: 'hay', price: '8.00 CAD', availability: 'in_stock' }]);
});

after(async () => {
  for (const f of feeds) f.close();
  await gateway.stop();
});

// Checked again at the end of the file: no attempt after the close, however long the rest took.
const refusedAttempts = recordingWebSocket(WebSocket);

test('an invalid token: closed with 401 and the reason, and no further attempts', async () => {
  for (const transport of ['websocket', 'sse']) {
    const f = feed({ token: 'not-a-jwt', transport, WebSocket: refusedAttempts.WebSocket });
    const closed = closedEvent(f);
    const sub = f.subscribe({ suppliers: ['alpha-foods'] });
    const event = await closed;
    assert.equal(event.code, 401, transport);
    assert.equal(event.error, 'invalid_token');
    assert.match(event.reason, /refused/);
    assert.equal(f.state, 'closed');
    await assert.rejects(sub.ready, (e) => e.code === 'invalid_token');
  }
  assert.equal(refusedAttempts.instances.length, 1, 'one WebSocket attempt only');
});

test('an expired token with a token function: a fresh token, reconnected, the feed goes on', async () => {
  let calls = 0;
  const f = feed({
    token: () => gateway.token({ ttlSeconds: ++calls === 1 ? 1 : 3600 }),
  });
  const states = [];
  f.on('state', (e) => states.push(e));
  const sub = f.subscribe({ suppliers: ['alpha-foods'] });
  await sub.ready;
  await until(() => states.some((e) => e.state === 'reconnecting' && e.code === 4401), 'the token to expire');
  await until(() => f.state === 'live', 'the reconnection with a fresh token');
  assert.equal(calls, 2);
  await gateway.post('alpha-foods', [{ sku: 'oats', price: '4.10 CAD' }]);
  await until(() => sub.offers.get('alpha-foods:oats').price.amount === '4.10', 'updates after the reconnection');
});

test('an expired token without a fresh one: a fixed token, or a function that gives it again, stops with 4401', async () => {
  const fixed = await gateway.token({ ttlSeconds: 2 });
  for (const token of [fixed, () => fixed]) {
    const f = feed({ token });
    const closed = closedEvent(f);
    f.subscribe({ suppliers: ['alpha-foods'] });
    const event = await closed;
    assert.equal(event.code, 4401);
    assert.match(event.reason, /expired/);
  }
});

test('a forbidden supplier: that subscription gets a fatal error and ends; the feed and the others go on', async () => {
  const token = await gateway.token({ suppliers: ['alpha-foods'] });
  for (const transport of ['websocket', 'sse']) {
    const f = feed({ token, transport });
    const allowed = f.subscribe({ suppliers: ['alpha-foods'] });
    const forbidden = f.subscribe({ suppliers: ['beta-farms'] });
    const errors = [];
    forbidden.on('error', (e) => errors.push(e));
    await assert.rejects(forbidden.ready, (e) => e.code === 'forbidden');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'forbidden', transport);
    assert.equal(errors[0].fatal, true);
    assert.match(errors[0].message, /beta-farms/);
    assert.equal(forbidden.closed, true);
    await allowed.ready;
    assert.equal(f.state, 'live');
    assert.deepEqual([...allowed.offers.keys()], ['alpha-foods:oats']);
    // The id is free again.
    f.subscribe({ id: forbidden.id, suppliers: ['alpha-foods'] });
  }
});

test('a frame larger than the gateway takes: closed with 1009, not retried', async () => {
  const { WebSocket: Recording, instances } = recordingWebSocket(WebSocket);
  const f = feed({ token: await gateway.token(), WebSocket: Recording });
  const closed = closedEvent(f);
  // Random names, so that permessage-deflate cannot shrink the frame below the limit.
  const skus = Array.from({ length: 30000 }, () => `alpha-foods:${randomBytes(36).toString('base64')}`);
  const sub = f.subscribe({ skus });
  const event = await closed;
  assert.equal(event.code, 1009);
  assert.equal(instances.length, 1);
  assert.equal(sub.closed, true);
});

test('a transient refusal (no exchange rate for the market yet) is retried until it passes', async () => {
  const token = await gateway.token();
  const subs = ['websocket', 'sse'].map((transport) => {
    const sub = feed({ token, transport }).subscribe({ suppliers: ['alpha-foods'], market: 'cn-cbec', locale: 'zh-CN' });
    sub.errors = [];
    sub.on('error', (e) => sub.errors.push(e));
    return sub;
  });
  await until(() => subs.every((s) => s.errors.length >= 2), 'refusals, tried again');
  for (const s of subs) {
    assert.ok(s.errors.every((e) => e.code === 'no_fx_rate' && e.fatal === false));
    assert.equal(s.closed, false);
  }
  const answer = await gateway.admin('POST', '/admin/fx', {
    rates: [{ base: 'CAD', quote: 'CNY', rate: '5.10', as_of: new Date().toISOString().slice(0, 10), source: 'test' }],
  });
  assert.equal(answer.status, 200);
  for (const s of subs) {
    await s.ready;
    const oats = s.offers.get('alpha-foods:oats');
    assert.equal(oats.market.id, 'cn-cbec');
    assert.equal(oats.market.price.currency, 'CNY');
  }
  assert.equal(refusedAttempts.instances.length, 1, 'still no attempt after the refused token');
});

test('a page of an origin the gateway does not allow: closed with 403 origin_not_allowed', async () => {
  const strict = await startGateway({ env: { PRICEWIRE_ALLOWED_ORIGINS: 'https://shop.example.com' } });
  // What a browser on another site sends: its Origin on the handshake and on the probe.
  const origin = 'https://elsewhere.example.com';
  class ElsewhereWebSocket extends WebSocket {
    constructor(url) {
      super(url, { origin });
    }
  }
  const f = new Pricewire({
    url: strict.http, token: await strict.token(), WebSocket: ElsewhereWebSocket,
    fetch: (url, init) => fetch(url, { ...init, headers: { Origin: origin } }),
  });
  try {
    const event = await closedEvent(f);
    assert.equal(event.code, 403);
    assert.equal(event.error, 'origin_not_allowed');
    assert.match(event.reason, /PRICEWIRE_ALLOWED_ORIGINS/);
  } finally {
    f.close();
    await strict.stop();
  }
});
