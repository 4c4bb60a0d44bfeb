// A real gateway for the tests: `java -jar target/pricewire.jar` in its own process, on ports
// chosen here, with its credentials known to the test, and helpers to write offers and read
// what the gateway holds. Nothing here stands in for the gateway.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../..');
export const jar = process.env.PRICEWIRE_JAR || resolve(repoRoot, 'target/pricewire.jar');

/** Suppliers every test gateway holds a key for. */
export const SUPPLIERS = ['alpha-foods', 'beta-farms', 'gamma-wines'];

/** A TCP port free now on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Waits until `check()` resolves truthy, polling; fails with `what` after `timeoutMs`. */
export async function until(check, what, timeoutMs = 30000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (last ? `: ${last.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function supplierKey(supplier) {
  return `test-key-${supplier}-0123456789abcdef`;
}

/**
 * A scratch PostgreSQL database for one test file, on the server of PRICEWIRE_TEST_PG_URI
 * (through psql); null when no server is given.
 */
export function scratchDatabase(name) {
  const base = process.env.PRICEWIRE_TEST_PG_URI;
  if (!base) return null;
  const db = `pw_js_${name}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const psql = (sql) => execFileSync('psql', [base, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: 'pipe' });
  psql(`CREATE DATABASE ${db}`);
  const u = new URL(base);
  u.pathname = `/${db}`;
  return {
    uri: u.toString(),
    drop() {
      try {
        psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      } catch {
        // best effort: the server may be gone at the end of a run
      }
    },
  };
}

/**
 * Starts a gateway. Options: `store` ('memory' | 'postgres'), `pgUri`, `demo` (boolean),
 * `development` (no credentials configured: the gateway makes its own, as the README's first
 * command does), `env` (more settings), `port` and `opsPort` (to restart on the same ports).
 */
export async function startGateway(options = {}) {
  if (!existsSync(jar)) {
    throw new Error(`${jar} is missing: build it first (mvn -q package -DskipTests)`);
  }
  const port = options.port ?? (await freePort());
  const opsPort = options.opsPort ?? (await freePort());
  const adminToken = options.development ? null : 'test-admin-token-0123456789';
  const env = {
    ...process.env,
    PRICEWIRE_HTTP_HOST: '127.0.0.1',
    PRICEWIRE_OPS_HOST: '127.0.0.1',
    PRICEWIRE_HTTP_PORT: String(port),
    PRICEWIRE_OPS_PORT: String(opsPort),
    PRICEWIRE_STORE: options.store ?? 'memory',
    PRICEWIRE_EVENT_LOOPS: '1',
    PRICEWIRE_FEED_PING_INTERVAL_MS: '1000',
    PRICEWIRE_SHUTDOWN_TIMEOUT_MS: '3000',
    PRICEWIRE_DEMO: options.demo ? 'true' : 'false',
    ...(options.pgUri ? { PRICEWIRE_PG_URI: options.pgUri } : {}),
    ...(options.development
      ? {}
      : {
          PRICEWIRE_ADMIN_TOKEN: adminToken,
          PRICEWIRE_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
          PRICEWIRE_SUPPLIER_KEYS: [...SUPPLIERS, ...(options.suppliers ?? [])]
            .map((s) => `${s}:${supplierKey(s)}`).join(','),
        }),
    ...(options.env ?? {}),
  };
  const javaOpts = (process.env.PRICEWIRE_TEST_JAVA_OPTS || '-Xmx512m -XX:+UseSerialGC').split(/\s+/).filter(Boolean);
  const child = spawn('java', [...javaOpts, '-jar', jar, ...(options.demo ? ['--demo'] : [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200000) output = output.slice(-100000);
    if (process.env.PRICEWIRE_TEST_GATEWAY_LOG) process.stderr.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; });

  const http = `http://127.0.0.1:${port}`;
  const ops = `http://127.0.0.1:${opsPort}`;
  try {
    await until(async () => {
      if (gone) throw new Error('the gateway exited');
      const r = await fetch(`${ops}/health/ready`);
      return r.status === 200;
    }, 'the gateway to be ready', 60000, 100);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n--- gateway output ---\n${output.slice(-4000)}`);
  }

  let credentials = null;
  if (options.development) {
    credentials = JSON.parse(readFileSync(resolve(tmpdir(), `pricewire-dev-${port}.json`), 'utf8'));
  }
  const admin = credentials ? credentials.admin_token : adminToken;
  const keyOf = (supplier) => (credentials ? credentials.supplier_keys[supplier] : supplierKey(supplier));

  const gateway = {
    port,
    opsPort,
    http,
    ops,
    ws: `ws://127.0.0.1:${port}/v1/feed`,
    options,
    credentials,
    output: () => output,
    get running() { return !gone; },

    /** A storefront token from the admin API. */
    async token({ suppliers = '*', markets, ttlSeconds = 3600 } = {}) {
      if (credentials && suppliers === '*' && !markets && ttlSeconds === 3600) return credentials.storefront_token;
      const r = await fetch(`${ops}/admin/storefront-tokens`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ suppliers, ...(markets ? { markets } : {}), ttl_seconds: ttlSeconds }),
      });
      if (r.status !== 201) throw new Error(`token: ${r.status} ${await r.text()}`);
      return (await r.json()).token;
    },

    /** A request to the admin API on the ops port; answers the status and the JSON body. */
    async admin(method, path, body) {
      const r = await fetch(`${ops}${path}`, {
        method,
        headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: await r.json() };
    },

    /** Posts offers as their supplier; answers the per-item results. */
    async post(supplier, items) {
      const r = await fetch(`${http}/v1/suppliers/${supplier}/offers`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${keyOf(supplier)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(items),
      });
      const body = await r.json();
      if (r.status !== 200) throw new Error(`post ${supplier}: ${r.status} ${JSON.stringify(body)}`);
      return body;
    },

    /** The gateway's current state of one offer (as its supplier reads it), or null. */
    async offer(supplier, sku) {
      const r = await fetch(`${http}/v1/suppliers/${supplier}/offers/${encodeURIComponent(sku)}`, {
        headers: { Authorization: `Bearer ${keyOf(supplier)}` },
      });
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`offer ${supplier}:${sku}: ${r.status} ${await r.text()}`);
      return r.json();
    },

    /** An offer as a market shows it (GET /v1/markets/...). */
    async marketOffer(market, supplier, sku, token) {
      const r = await fetch(`${http}/v1/markets/${market}/suppliers/${supplier}/offers/${encodeURIComponent(sku)}`, {
        headers: { Authorization: `Bearer ${token ?? (await gateway.token())}` },
      });
      if (r.status !== 200) throw new Error(`market offer: ${r.status} ${await r.text()}`);
      return r.json();
    },

    /** The value of one series on /metrics (the sum over series whose name and labels start so). */
    async metric(prefix) {
      const text = await (await fetch(`${ops}/metrics`)).text();
      let sum = 0;
      let seen = false;
      for (const line of text.split('\n')) {
        if (line.startsWith(prefix) && (line[prefix.length] === ' ' || line[prefix.length] === '{'
            || prefix.endsWith('}') || prefix.includes('{'))) {
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
          seen = true;
        }
      }
      return seen ? sum : null;
    },

    /** Stops the gateway (SIGTERM: clients are closed with 1001), or kills it (`'SIGKILL'`). */
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      await exited;
    },

    /** Stops it and starts another on the same ports and settings (for a memory store: a new log). */
    async restart(extra = {}) {
      await gateway.stop();
      return startGateway({ ...options, ...extra, port, opsPort });
    },
  };
  return gateway;
}

// ---- the network between a client and the gateway (added for the JavaScript client's tests) ----

/**
 * A TCP proxy to a local port, whose connections the test can break: `mode('forward')` (the
 * default), `mode('silent')` (stops forwarding in both directions but keeps every socket open,
 * holding what arrives; `forward` then delivers it, so a handshake begun while silent completes),
 * `mode('refuse')` (new connections are closed at once), `drop()` (destroys every open
 * connection abruptly), `dropOne(random)` (one of them). `connections` counts those accepted.
 */
export async function tcpProxy(targetPort) {
  const { createServer: createTcpServer, connect } = await import('node:net');
  const pairs = new Set();
  let current = 'forward';
  let connections = 0;
  const server = createTcpServer((client) => {
    if (current === 'refuse') {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, held: [] };
    pairs.add(pair);
    const relay = (from, to) => from.on('data', (chunk) => {
      if (current === 'silent') pair.held.push([to, chunk]);
      else to.write(chunk);
    });
    relay(client, upstream);
    relay(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const port = server.address().port;
  return {
    port,
    http: `http://127.0.0.1:${port}`,
    get connections() { return connections; },
    get open() { return pairs.size; },
    mode(next) {
      current = next;
      if (next === 'forward') {
        for (const pair of pairs) {
          for (const [to, chunk] of pair.held) to.write(chunk);
          pair.held = [];
        }
      }
    },
    drop() {
      for (const pair of [...pairs]) pair.client.destroy();
    },
    dropOne(random = Math.random) {
      const all = [...pairs];
      if (all.length) all[Math.floor(random() * all.length)].client.destroy();
      return all.length > 0;
    },
    async close() {
      current = 'refuse';
      for (const pair of [...pairs]) pair.client.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * An HTTP proxy that forwards plain requests to a local port and streams the answers back (an
 * event stream goes through as it is written) but drops every WebSocket upgrade, like a proxy
 * that does not carry WebSocket. `upgrades` counts the upgrades it dropped.
 */
export async function upgradeDroppingProxy(targetPort) {
  const http = await import('node:http');
  let upgrades = 0;
  const open = new Set();
  const server = http.createServer((req, res) => {
    const upstream = http.request({
      host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      res.flushHeaders();
      answer.pipe(res);
    });
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      upstream.destroy();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket) => {
    upgrades++;
    socket.destroy();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const port = server.address().port;
  return {
    port,
    http: `http://127.0.0.1:${port}`,
    get upgrades() { return upgrades; },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** Whether an interest ({suppliers, skus, categories}; skus as 'supplier:sku') names an offer. */
export function interestMatches(interest, offer) {
  return (interest.suppliers ?? []).includes(offer.supplier)
    || (interest.skus ?? []).includes(`${offer.supplier}:${offer.sku}`)
    || (offer.category != null && (interest.categories ?? []).includes(offer.category));
}

/**
 * The gateway's state for an interest, from a GET of every offer in `keys` ('supplier:sku'):
 * a Map of the offers in it, as the ingest API shows them.
 */
export async function expectedOffers(gateway, keys, interest) {
  const expected = new Map();
  for (const key of keys) {
    const colon = key.indexOf(':');
    const offer = await gateway.offer(key.slice(0, colon), key.slice(colon + 1));
    if (offer && interestMatches(interest, offer)) expected.set(key, offer);
  }
  return expected;
}

/**
 * What differs between a client's map and the gateway's state (empty when they agree): keys
 * missing or extra, and offers whose version, seq or fields differ. The feed's offers carry a
 * `market` object when a market is set; it is checked for its id only.
 */
export function differences(held, expected, market) {
  const out = [];
  for (const key of expected.keys()) if (!held.has(key)) out.push(`missing ${key}`);
  for (const key of held.keys()) if (!expected.has(key)) out.push(`extra ${key}`);
  for (const [key, want] of expected) {
    const got = held.get(key);
    if (!got) continue;
    for (const field of ['version', 'seq', 'price', 'availability', 'quantity', 'category', 'title']) {
      if (JSON.stringify(got[field]) !== JSON.stringify(want[field])) {
        out.push(`${key}.${field}: ${JSON.stringify(got[field])} != ${JSON.stringify(want[field])}`);
      }
    }
    if (market && got.market?.id !== market) out.push(`${key}.market: ${JSON.stringify(got.market)}`);
  }
  return out;
}

/**
 * A subclass of a WebSocket class (the `ws` package's) that keeps every instance, with the
 * frames it sent (`sent`, parsed) and received (`received`), so that a test can see what a
 * client said and break one connection (`terminate()`).
 */
export function recordingWebSocket(WebSocketClass) {
  const instances = [];
  class RecordingWebSocket extends WebSocketClass {
    constructor(...args) {
      super(...args);
      this.sent = [];
      this.received = [];
      this.addEventListener('message', (e) => this.received.push(JSON.parse(e.data)));
      instances.push(this);
    }

    send(data, ...rest) {
      this.sent.push(JSON.parse(data));
      return super.send(data, ...rest);
    }
  }
  return { WebSocket: RecordingWebSocket, instances };
}
