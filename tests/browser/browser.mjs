// Browser-side helpers: a web root with the built package and the harness page, a
// recording TCP relay in front of the proxy, and headless Debian Chromium.
import { cpSync, mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { repo } from '../node/helpers.mjs';

/** A web root: harness.html + ksef/{dist,pkg}. */
export function webRoot() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksef-web-'));
  for (const f of ['harness.html', 'harness.js']) cpSync(path.join(repo, 'tests/browser', f), path.join(dir, f));
  cpSync(path.join(repo, 'web/ksef/dist'), path.join(dir, 'ksef/dist'), { recursive: true });
  cpSync(path.join(repo, 'web/ksef/pkg'), path.join(dir, 'ksef/pkg'), { recursive: true });
  return dir;
}

/** Relays 127.0.0.1:<port> → target port, keeping every byte sent towards the target. */
export async function recordingRelay(targetPort) {
  const chunks = [];
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    client.on('data', (d) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    bytes: () => Buffer.concat(chunks),
    close: () => new Promise((r) => server.close(r)),
  };
}

export const chromiumArgs = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** A persistent Chromium context (IndexedDB survives closing and reopening `dataDir`). */
export function launch(dataDir) {
  return chromium.launchPersistentContext(dataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: chromiumArgs,
  });
}

/** Opens the harness page and waits for the module. */
export async function openHarness(context, base) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') console.error('[page]', m.text()); });
  await page.goto(`${base}/harness.html`);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 30000 });
  return page;
}
