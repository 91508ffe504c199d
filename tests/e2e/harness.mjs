// E2E harness: starts the release proxy with the embedded simulator (--sim) on a free
// port, serving the built app (web/dist), and a headless Debian Chromium driven by
// playwright-core. It builds nothing: run `cargo build -p ksef-proxy -p ksef-sim --release`
// and `npm run build:app` first (scripts/test does).
//
// Environment: KSEF_PROXY_BIN, KSEF_SIM_BIN, CHROMIUM (paths), E2E_ARTIFACTS (screenshots).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(ROOT, 'target/e2e-artifacts');
const PROXY = process.env.KSEF_PROXY_BIN ?? join(ROOT, 'target/release/ksef-proxy');
const SIM = process.env.KSEF_SIM_BIN ?? join(ROOT, 'target/release/ksef-sim');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WEB = join(ROOT, 'web/dist');

export const NIP = '5265877635';
export const PASSWORD = 'demo-haslo';

function need(path, hint) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function waitHealthy(url, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`proxy at ${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The proxy + embedded simulator. `delays`: 'zero' (default) or 'default' (TEST-like). */
export async function startStack({ delays = 'zero', port, extraArgs = [] } = {}) {
  need(PROXY, 'cargo build -p ksef-proxy --release');
  need(join(WEB, 'index.html'), 'npm run build:app');
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stack = { url, port, simBase: undefined, child: undefined, log: '' };
  stack.start = async () => {
    stack.log = '';
    stack.simBase = undefined;
    const child = spawn(PROXY, ['--sim', '--demo-tokens', '--listen', `127.0.0.1:${port}`, '--web-dir', WEB, ...extraArgs], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG ?? 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.child = child;
    const onData = (d) => {
      stack.log += d.toString();
      const m = /embedded simulator[^\n]*?(http:\/\/127\.0\.0\.1:\d+)/.exec(stack.log);
      if (m) stack.simBase = m[1];
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    await waitHealthy(url);
    for (let i = 0; i < 50 && !stack.simBase; i++) await new Promise((r) => setTimeout(r, 50));
    if (delays === 'zero') await stack.simControl('PUT', '/_sim/delays', { auth: 0, invoiceAccept: 0, invoiceProcess: 0, sessionClose: 0, permanentStorage: 0 });
  };
  stack.stop = async () => {
    const c = stack.child;
    if (!c || c.exitCode !== null) return;
    await new Promise((res) => {
      c.once('exit', res);
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 3000);
    });
  };
  /** The simulator's control API (/_sim/...), reached directly (its base is in the log). */
  stack.simControl = async (method, path, body) => {
    const base = stack.simBase;
    if (!base) throw new Error('simulator base URL not found in the proxy log');
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? undefined : r.json().catch(() => undefined);
  };
  await stack.start();
  return stack;
}

let credsCache;
/** Demo credentials (ksef-sim demo-credentials) as files the tests upload. */
export function demoCredentials() {
  if (credsCache) return credsCache;
  need(SIM, 'cargo build -p ksef-sim --release');
  const dir = mkdtempSync(join(tmpdir(), 'ksef-creds-'));
  execFileSync(SIM, ['demo-credentials', '--nip', NIP, '--password', PASSWORD, '--out', dir]);
  credsCache = {
    dir,
    auth: { cert: join(dir, 'authentication.crt'), key: join(dir, 'authentication.key') },
    offline: { cert: join(dir, 'offline.crt'), key: join(dir, 'offline.key') },
  };
  return credsCache;
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** A persistent Chromium profile (IndexedDB, service worker) that survives restarts. */
export async function launch(profileDir = mkdtempSync(join(tmpdir(), 'tms-profile-'))) {
  need(CHROMIUM, 'apt-get install -y chromium');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true,
    viewport: { width: 1400, height: 900 }, locale: 'pl-PL', timezoneId: 'Europe/Warsaw',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, profileDir, errors, close: () => context.close(), remove: () => rmSync(profileDir, { recursive: true, force: true }) };
}

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens the app and waits until it has started (wasm, IndexedDB). */
export async function openApp(page, url, hash = '#/przychody') {
  if (page.url().startsWith(url)) await page.goto('about:blank'); // a fresh document, not a hash change
  await page.goto(`${url}/${hash}`);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 20_000 });
  await page.waitForFunction((h) => document.querySelector('main')?.dataset.route === h.replace(/^#/, ''), hash, { timeout: 20_000 });
}

const origin = (page) => new URL(page.url()).origin;

/** Settings → KSEF: uploads both demo credentials, ZAPISZ, AUTHORIZE → ACCEPTED. */
export async function setupKsef(page, url) {
  const c = demoCredentials();
  await openApp(page, url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('#ksef-save');
  await page.setInputFiles('#auth-cert', c.auth.cert);
  await page.setInputFiles('#auth-key', c.auth.key);
  await page.fill('#auth-pass', PASSWORD);
  await page.setInputFiles('#offline-cert', c.offline.cert);
  await page.setInputFiles('#offline-key', c.offline.key);
  await page.fill('#offline-pass', PASSWORD);
  await page.click('#ksef-save');
  await page.waitForSelector('#ksef-settings-msg .msg-success', { timeout: 20_000 });
  await page.click('#authorize');
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
}

/** On the KSEF settings page: ZAPISZ of the Authentication certificate and key with a wrong
 *  password (the status goes to ERROR, manual II.A). */
export async function saveWrongPassword(page) {
  const c = demoCredentials();
  await page.setInputFiles('#auth-cert', c.auth.cert);
  await page.setInputFiles('#auth-key', c.auth.key);
  await page.fill('#auth-pass', 'zle');
  await page.click('#ksef-save');
}

/** Creates and issues an invoice through the editor; returns its id and number. */
export async function createInvoice(page, opts = {}) {
  await fillInvoice(page, opts);
  await page.click('#issue');
  return issued(page);
}

/** A new invoice in the editor, filled in but not issued. */
export async function fillInvoice(page, { buyer = 'F.H.U. Jan Kowalski', nip = '1111111111', price = '1800.00', number = '', outside = false } = {}) {
  await openApp(page, origin(page), '#/faktura/nowa');
  await page.waitForSelector('form.editor');
  if (number) await page.fill('[data-path="invoiceNumber"]', number);
  await page.fill('[data-path="buyer.nip"]', nip);
  await page.fill('[data-path="buyer.name"]', buyer);
  await page.fill('[data-path="buyer.address.lines.0"]', 'ul. Polna 1');
  await page.fill('[data-path="buyer.address.lines.1"]', '00-001 Warszawa');
  await page.fill('[data-path="lines.0.name"]', 'Transport Warszawa – Poznań');
  await page.fill('[data-path="lines.0.price"]', price);
  if (outside) await page.check('input[name="outsideKsef"]');
}

/** After WYSTAW in the editor: waits for the issued invoice's page; its id and number. */
export async function issued(page) {
  await page.waitForURL((u) => /#\/faktura\/[\w-]+$/.test(u.hash) && !u.hash.endsWith("/nowa"));
  await page.waitForSelector('#doc-status');
  const id = page.url().split('/').pop();
  const title = await page.textContent('.page-head h1');
  return { id, number: title.replace(/^\S+\s/, '').trim() };
}

/** KSEF tab → WYŚLIJ DO KSEF → Online; waits for a final status message. */
export async function sendOnline(page, id) {
  await openApp(page, origin(page), `#/faktura/${id}/ksef`);
  await page.waitForSelector('#ksef-send');
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-success, #ksef-msg .msg-error', { timeout: 60_000 });
  return page.textContent('#ksef-msg');
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Decodes a QR code from a PNG screenshot: the pixels are read in a blank page's
 *  canvas, the code by jsQR (pure JS) here in Node. */
export async function decodeQr(context, png) {
  const { default: jsQR } = await import('jsqr');
  const p = await context.newPage();
  try {
    const { width, height, data } = await p.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height);
      return { width: d.width, height: d.height, data: Array.from(d.data) };
    }, png.toString('base64'));
    return jsQR(Uint8ClampedArray.from(data), width, height)?.data;
  } finally {
    await p.close();
  }
}

/** Waits for a download started by `action` and returns its name and bytes. */
export async function download(page, action) {
  const [d] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}
