// init() resolves with the invoice module; the keys and client modules load in the
// background and the functions that need them wait for them. This process initialises
// the package with the keys module skipped and a broken client module, so each path is
// seen once: ready at once, skipped (NOT_INITIALISED), failed to load (INIT_FAILED).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { demoCredentials, draft, repo } from './helpers.mjs';

const k = await import(path.join(repo, 'web/ksef/dist/index.js'));

test('before init: every module is missing', async () => {
  await assert.rejects(k.loaded(), (e) => e.code === 'NOT_INITIALISED');
  await assert.rejects(k.inspectCertificate(new Uint8Array([1])), (e) => e.code === 'NOT_INITIALISED' && /init\(\)/.test(e.message));
});

test('init: the invoice module works at once; skipped and broken modules are reported where needed', async () => {
  await k.init({
    invoice: readFileSync(path.join(repo, 'web/ksef/pkg/ksef_invoice_bg.wasm')),
    withKeys: false,
    client: new Uint8Array([0, 1, 2, 3]),
  });
  const xml = k.draftToXml(draft('draft-vat.json'), new Date('2026-02-15T10:00:00Z'));
  assert.equal(k.invoiceHash(xml).hex, createHash('sha256').update(xml).digest('hex'));

  const creds = demoCredentials();
  await assert.rejects(k.inspectCertificate(creds.auth.cert), (e) => e.code === 'NOT_INITIALISED' && /withKeys/.test(e.message));
  await assert.rejects(k.loadCredential('auth', creds.auth.cert, creds.auth.key, 'demo'), (e) => e.code === 'NOT_INITIALISED');

  const c = new k.KsefClient({ env: 'sim', proxyBase: 'http://127.0.0.1:9' });
  assert.equal(c.authState.state, 'NotAuthenticated');
  await assert.rejects(c.sendInvoices([{ id: 'a', xml }]), (e) => e.code === 'INIT_FAILED' && /client wasm module/.test(e.message));
  await assert.rejects(k.loaded(), (e) => e.code === 'INIT_FAILED');
  assert.throws(() => new k.KsefClient({ env: 'sim', profile: 'fast' }), (e) => e.code === 'INVALID_INPUT' && /profile/.test(e.message));
});
