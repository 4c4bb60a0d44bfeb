// What the browser tests share: headless Chromium from the system (never downloaded), a page
// whose console errors and uncaught exceptions are collected, the storefront's test hooks read
// from the DOM, and the demo catalog as the gateway seeds it.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { repoRoot } from '../support/gateway.js';

export const CHROMIUM = process.env.PRICEWIRE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** Deadline of every wait on the page's content. */
export const WAIT_MS = 30000;
export const SCREENSHOTS = resolve(repoRoot, 'target/screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * The storefront's first view, by its file name: the same page as `/demo/`, which the first test
 * of storefront.test.js checks on its own (so that a fault of that route fails that test alone).
 */
export const HOME = '/demo/index.html';

/** The demo catalog's ten offers (io.pricewire.demo.DemoCatalog), with their titles. */
export const DEMO = [
  ['atlantic-seafood:lobster-live-1lb', 'Live Atlantic lobster, 1 lb', '加拿大鲜活龙虾 1磅'],
  ['atlantic-seafood:snow-crab-clusters-2kg', 'Snow crab clusters, 2 kg', '加拿大雪蟹腿 2公斤'],
  ['atlantic-seafood:scallops-u10-1kg', 'Digby scallops U10, 1 kg', '迪格比扇贝 U10 1公斤'],
  ['okanagan-orchards:cherries-lapins-5kg', 'Lapins cherries, 5 kg box', '拉宾斯车厘子 5公斤礼盒'],
  ['okanagan-orchards:cherries-skeena-2kg', 'Skeena cherries, 2 kg box', '斯基娜车厘子 2公斤'],
  ['prairie-beef:ribeye-aaa-1kg', 'AAA ribeye steak, 1 kg', 'AAA级肉眼牛排 1公斤'],
  ['prairie-beef:striploin-aaa-1kg', 'AAA striploin steak, 1 kg', 'AAA级西冷牛排 1公斤'],
  ['laurentian-maple:maple-syrup-amber-500ml', 'Pure maple syrup, amber, 500 ml', '纯枫糖浆 琥珀级 500毫升'],
  ['niagara-icewine:vidal-icewine-375ml', 'Vidal icewine 2023, 375 ml', '威代尔冰酒 2023 375毫升'],
  ['pacific-apparel:yoga-jacket-w-m', "Women's yoga jacket, size M", '女士瑜伽夹克 M码'],
].map(([key, en, zh]) => ({ key, supplier: key.slice(0, key.indexOf(':')), sku: key.slice(key.indexOf(':') + 1), en, zh }));
export const DEMO_KEYS = DEMO.map((d) => d.key);
export const DEMO_SUPPLIERS = [...new Set(DEMO.map((d) => d.supplier))];
export const MARKETPLACE = 'maple-marketplace';

/** A quiet demo: the simulated supplier's first move is an hour away (it moves on a fixed period). */
export const QUIET_DEMO = { PRICEWIRE_DEMO_INTERVAL_MS: '3600000' };

/**
 * Headless Chromium with a fresh user data directory of its own, removed on close. Nothing is
 * downloaded: the browser is the system's, and its background networking is off.
 */
export async function launchBrowser(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pricewire-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
    locale: 'en-CA',
    ...options,
  });
  // The persistent context opens with one blank page; tests open their own.
  for (const p of context.pages()) await p.close();
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page whose console errors and uncaught exceptions are kept. Browsers log a failed
 * connection attempt to the console themselves (no page code can stop them); a test that stops
 * the gateway on purpose calls `gatewayDown(true)` for that time, and such messages are then
 * kept apart, as expected, instead of counting as errors.
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const errors = [];
  const expected = [];
  let down = false;
  const network = /^(WebSocket connection to .* failed|Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|CONNECTION_CLOSED|INTERNET_DISCONNECTED))/;
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // A document without an icon of its own (a JSON answer) makes the browser ask for
    // /favicon.ico, which the gateway does not serve; the storefront's pages carry their icon.
    if (/\/favicon\.ico$/.test(m.location()?.url ?? '')) expected.push(text);
    else if (down && network.test(text)) expected.push(text);
    else errors.push(`console.error: ${text}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.stack || e.message}`));
  page.on('crash', () => errors.push('the page crashed'));
  if (url) await page.goto(url);
  return {
    page,
    errors,
    expected,
    gatewayDown(on) { down = on; },
    /** No console error and no uncaught exception so far. */
    assertClean() {
      assert.deepEqual(errors, [], `the browser console had errors:\n${errors.join('\n')}`);
    },
  };
}

/**
 * The cards as the page shows them, by their test hooks. With `only`, just the cards on screen
 * (`{onScreen: true}`) and those named (`{keys: [...]}`): reading 2,000 cards is slow.
 */
export async function cards(page, only = null) {
  return page.evaluate((filter) => {
    const out = [];
    for (const c of document.querySelectorAll('[data-offer]')) {
      const r = c.getBoundingClientRect();
      const onScreen = r.bottom > 0 && r.top < innerHeight && r.height > 0;
      if (filter && !((filter.onScreen && onScreen) || (filter.keys || []).includes(c.dataset.offer))) continue;
      const title = c.querySelector('.title');
      const badge = c.querySelector('[data-sold-out-badge]');
      out.push({
        key: c.dataset.offer,
        price: c.dataset.price ?? null,
        currency: c.dataset.currency ?? null,
        availability: c.dataset.availability ?? null,
        quantity: c.dataset.quantity ?? null,
        live: c.dataset.live ?? null,
        title: title?.textContent ?? null,
        titleLang: title?.closest('[lang]')?.getAttribute('lang') ?? null,
        soldOutShown: !!badge && !badge.hidden && badge.offsetParent !== null
          && getComputedStyle(badge).visibility !== 'hidden',
        text: c.innerText,
        onScreen,
      });
    }
    return out;
  }, only);
}

/** Waits until the page's cards satisfy `check(cards)`; fails with what they were last. */
export async function waitForCards(page, check, what, timeoutMs = WAIT_MS, only = null) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await cards(page, only);
    if (await check(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; cards: ${JSON.stringify(last.map(
        ({ key, price, currency, availability, title }) => ({ key, price, currency, availability, title }))).slice(0, 3000)}`);
    }
    await page.waitForTimeout(100);
  }
}

/** The connection state the page shows (its `data-connection` element). */
export function waitForConnection(page, state, timeout = WAIT_MS) {
  return page.waitForFunction((s) => document.querySelector('[data-connection]')?.dataset.connection === s,
    state, { timeout, polling: 100 });
}

/** Writes a screenshot under target/screenshots and answers its path. */
export async function screenshot(page, name, options = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = resolve(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, ...options });
  return path;
}

/** The admin API on the ops port. */
export async function admin(gateway, method, path, body) {
  const token = gateway.credentials ? gateway.credentials.admin_token : 'test-admin-token-0123456789';
  const r = await fetch(`${gateway.ops}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: json ?? text };
}

/** The date in China `days` from now, as the gateway's market rules count days. */
export function chinaDate(days = 0) {
  return new Date(Date.now() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);
}

/**
 * The PostgreSQL server for the tests: PRICEWIRE_TEST_PG_URI, else the local server the README's
 * CI uses (postgres@127.0.0.1:5432) when it answers. Sets the variable for scratchDatabase.
 */
export function postgresForTests() {
  if (process.env.PRICEWIRE_TEST_PG_URI) return process.env.PRICEWIRE_TEST_PG_URI;
  const local = 'postgresql://postgres@127.0.0.1:5432/postgres';
  try {
    execFileSync('psql', [local, '-qAtc', 'select 1'], { stdio: 'pipe', timeout: 5000 });
  } catch {
    return null;
  }
  process.env.PRICEWIRE_TEST_PG_URI = local;
  return local;
}
