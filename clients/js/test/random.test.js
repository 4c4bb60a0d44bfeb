// A randomized run: a dozen clients (some on SSE, some with a market) with random interests,
// a writer moving prices, stock and categories, connections broken at random moments (some in
// the middle of snapshots, which are chunked small here), random adds and removes; once the
// writing stops (and a last round of breaking connections and changing interests without
// writes, so that no later change can mend a client that missed one), every client's map must
// equal the gateway's state for its interest.
//
// PRICEWIRE_JS_SEED=<n> repeats a run; PRICEWIRE_JS_RANDOM_MS sets how long the writer writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { Pricewire } from '../pricewire.js';
import {
  startGateway, until, tcpProxy, recordingWebSocket, interestMatches, differences, SUPPLIERS,
} from './support/gateway.js';

const seed = Number(process.env.PRICEWIRE_JS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const durationMs = Number(process.env.PRICEWIRE_JS_RANDOM_MS ?? 30000);

/** mulberry32: small, fast, and the same sequence for the same seed. */
function generator(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (low, high) => low + Math.floor(random() * (high - low + 1));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const FOLLOWED = ['Fruit', 'Veg', 'Dairy'];
const CATEGORIES = [...FOLLOWED, 'Other', 'Misc'];
const SKUS_PER_SUPPLIER = 40;
/** Most writes go to the first few offers of each supplier, so most offers change seldom. */
const HOT_SKUS = 8;
const KEYS = SUPPLIERS.flatMap((s) => Array.from({ length: SKUS_PER_SUPPLIER }, (_, i) => `${s}:item-${i}`));

function randomChange(sku) {
  const change = { sku };
  if (random() < 0.6) change.price = `${between(1, 99)}.${String(between(0, 99)).padStart(2, '0')} CAD`;
  if (random() < 0.3) change.availability = pick(['in_stock', 'out_of_stock', 'limited_availability']);
  if (random() < 0.4) change.quantity = between(0, 500);
  if (random() < 0.25) change.category = pick(CATEGORIES);
  if (Object.keys(change).length === 1) change.quantity = between(0, 500);
  return change;
}

function randomInterest() {
  const interest = { suppliers: [], skus: [], categories: [] };
  if (random() < 0.25) interest.suppliers.push(pick(SUPPLIERS));
  for (let n = between(0, 8); n > 0; n--) interest.skus.push(pick(KEYS));
  if (random() < 0.6) interest.categories.push(pick(FOLLOWED));
  if (interest.suppliers.length + interest.skus.length + interest.categories.length === 0) {
    interest.skus.push(pick(KEYS));
  }
  return interest;
}

/** A few entries of what a subscription follows, to remove. */
function someOf(interest) {
  const part = { suppliers: [], skus: [], categories: [] };
  for (const kind of Object.keys(part)) {
    for (const entry of interest[kind]) if (random() < 0.4) part[kind].push(entry);
  }
  return part;
}

test(`randomized: clients, writes, disconnects, adds and removes (seed ${seed})`, async (t) => {
  t.diagnostic(`PRICEWIRE_JS_SEED=${seed}`);
  console.log(`# randomized run: PRICEWIRE_JS_SEED=${seed}, ${durationMs} ms of writes`);
  const gateway = await startGateway({ env: { PRICEWIRE_FEED_SNAPSHOT_CHUNK: '7' } });
  const proxy = await tcpProxy(gateway.port);
  const clients = [];
  try {
    for (const supplier of SUPPLIERS) {
      await gateway.post(supplier, Array.from({ length: SKUS_PER_SUPPLIER }, (_, i) => ({
        sku: `item-${i}`, price: '10.00 CAD', availability: 'in_stock', quantity: 10, category: pick(CATEGORIES),
      })));
    }
    const token = await gateway.token();
    for (let i = 0; i < 12; i++) {
      const recording = recordingWebSocket(WebSocket);
      const feed = new Pricewire({
        url: proxy.http, token, WebSocket: recording.WebSocket, EventSource, minDelayMs: 20, maxDelayMs: 800,
        transport: i % 4 === 3 ? 'sse' : 'auto',
      });
      const client = { feed, sockets: recording.instances, subs: [], fatal: [] };
      for (let n = between(1, 3); n > 0; n--) {
        const sub = feed.subscribe({ ...randomInterest(), ...(random() < 0.3 ? { market: 'ca' } : {}) });
        sub.on('error', (e) => { if (e.fatal) client.fatal.push(e); });
        client.subs.push(sub);
      }
      clients.push(client);
    }

    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const supplier = pick(SUPPLIERS);
        const sku = () => `item-${between(0, random() < 0.8 ? HOT_SKUS - 1 : SKUS_PER_SUPPLIER - 1)}`;
        const items = Array.from({ length: between(1, 6) }, () => randomChange(sku()));
        await gateway.post(supplier, items);
        writes += items.length;
        await sleep(between(10, 100));
      }
    })();

    const tally = { drops: 0, terminates: 0, adds: 0, removes: 0, snapshotDrops: 0 };
    const chaos = async (ms) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        await sleep(between(100, 700));
        const client = pick(clients);
        const sub = pick(client.subs);
        const action = random();
        if (action < 0.3) {
          if (proxy.dropOne(random)) tally.drops++;
        } else if (action < 0.45) {
          const socket = client.sockets.at(-1);
          if (socket && socket.readyState === WebSocket.OPEN) {
            socket.terminate();
            tally.terminates++;
          }
        } else if (action < 0.75) {
          sub.add(randomInterest());
          tally.adds++;
          if (random() < 0.4) {
            // While the added snapshot (or the reopened stream's) is on its way.
            await sleep(between(0, 15));
            const socket = client.sockets.at(-1);
            if (socket && socket.readyState === WebSocket.OPEN) socket.terminate();
            else proxy.dropOne(random);
            tally.snapshotDrops++;
          }
        } else {
          sub.remove(someOf(sub.interest));
          tally.removes++;
        }
      }
    };
    await chaos(durationMs);
    writing = false;
    await writer;
    await chaos(5000);
    console.log(`# ${writes} changes written; ${JSON.stringify(tally)}`);

    // Writes are over: the gateway's state is fixed; every map must come to equal it.
    const state = new Map();
    await Promise.all(KEYS.map(async (key) => {
      const [supplier, sku] = key.split(':');
      state.set(key, await gateway.offer(supplier, sku));
    }));
    const expectedFor = (sub) => new Map([...state].filter(([, o]) => interestMatches(sub.interest, o)));
    let behind = [];
    try {
      await until(() => {
        behind = [];
        for (const [i, client] of clients.entries()) {
          if (client.feed.state !== 'live') behind.push(`client ${i} is ${client.feed.state}`);
          for (const sub of client.subs) {
            const diff = differences(sub.offers, expectedFor(sub), sub.market);
            if (diff.length) behind.push(`client ${i} ${sub.id} (${client.feed.transport}): ${diff.slice(0, 3).join('; ')}`);
          }
        }
        return behind.length === 0;
      }, 'every client to hold the gateway\'s state', 30000, 100);
    } catch (e) {
      throw new Error(`${e.message} (seed ${seed}):\n${behind.slice(0, 10).join('\n')}`);
    }
    for (const client of clients) {
      assert.deepEqual(client.fatal, [], 'no subscription was refused');
      for (const sub of client.subs) assert.equal(sub.closed, false);
    }
    const transports = clients.map((c) => c.feed.transport);
    console.log(`# converged; transports: ${transports.join(' ')}`);
    assert.ok(transports.includes('sse') && transports.includes('websocket'));
  } finally {
    for (const client of clients) client.feed.close();
    await proxy.close();
    await gateway.stop();
  }
});
