// The npm package in headless Chromium, against ksef-proxy --sim, through a relay that
// records every byte the proxy receives: full auth + send + UPO + KOD II in the browser,
// keys kept non-extractable in IndexedDB across a browser restart, and proof that no
// private key, password or PKCS#8 material ever crosses the proxy.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { demoCredentials, draft, startProxy } from '../node/helpers.mjs';
import { launch, openHarness, recordingRelay, webRoot } from './browser.mjs';

const password = `Haslo-${randomBytes(6).toString('hex')}`;
const creds = demoCredentials('5265877635', password);
let proxy;
let relay;
const dataDir = mkdtempSync(path.join(tmpdir(), 'ksef-chromium-'));

before(async () => {
  proxy = await startProxy(['--web-dir', webRoot()]);
  relay = await recordingRelay(proxy.port);
});
after(async () => {
  await relay?.close();
  proxy?.stop();
});

// The Warsaw date: an invoice dated before the Warsaw day of its receipt is Offline (DIGEST §15).
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());
const vat = draft('draft-vat.json');
vat.invoiceNumber = `FV/BROWSER/${Date.now()}`;
vat.issueDate = today;
if (vat.saleDate) vat.saleDate = today;

test('full flow in Chromium: save credentials, authorize, send, UPO, KOD II; keys survive a restart unreadable', async () => {
  const arr = (u8) => Array.from(u8);
  let context = await launch(dataDir);
  let page = await openHarness(context, relay.base);
  const first = await page.evaluate(async ({ c, pw, d }) => {
    const k = window.ksef;
    const u8 = (a) => new Uint8Array(a);
    const store = await k.CredentialStore.open();
    let wrong;
    try { await store.save('auth', u8(c.authCert), u8(c.authKey), 'wrong'); } catch (e) { wrong = e.code; }
    await store.save('auth', u8(c.authCert), u8(c.authKey), pw);
    await store.save('offline', u8(c.offCert), u8(c.offKey), pw);
    const auth = await store.get('auth');
    const client = new k.KsefClient({ env: 'sim' });
    const state = await client.authorize(auth, { type: 'Nip', value: '5265877635' });
    const xml = k.draftToXml(d, new Date());
    const sent = await client.sendInvoices([{ id: 'one', xml }]);
    const o = sent.outcomes[0];
    const upo = new TextDecoder().decode(await client.upo(o));
    const offline = await store.get('offline');
    const kod2 = await k.kod2Url(offline, 'sim', { type: 'Nip', value: '5265877635' }, '5265877635', xml);
    const kod1 = k.kod1Url('sim', '5265877635', d.issueDate, xml);
    let exported = 'refused';
    try { await crypto.subtle.exportKey('pkcs8', auth.key); exported = 'EXPORTED'; } catch { /* expected */ }
    return { wrong, state, o, upoHasNumber: upo.includes(o.ksefNumber), kod2, kod1, extractable: auth.key.extractable, exported,
      xml: Array.from(xml), svg: k.qrSvg(kod1, o.ksefNumber), initMs: window.initMs };
  }, { c: { authCert: arr(creds.auth.cert), authKey: arr(creds.auth.key), offCert: arr(creds.offline.cert), offKey: arr(creds.offline.key) }, pw: password, d: vat });
  assert.equal(first.wrong, 'WRONG_PASSWORD');
  assert.equal(first.state.state, 'Accepted', JSON.stringify(first.state));
  assert.equal(first.o.status, 'accepted', JSON.stringify(first.o));
  assert.match(first.o.ksefNumber, /^5265877635-/);
  assert.ok(first.upoHasNumber, 'the UPO names the KSeF number');
  assert.equal(first.extractable, false);
  assert.equal(first.exported, 'refused');
  assert.match(first.svg, new RegExp(first.o.ksefNumber));
  // KOD II verifies with node:crypto against the Offline certificate.
  const xml = Buffer.from(first.xml);
  const m = first.kod2.match(/^https:\/\/(.+\/[A-Za-z0-9_-]{43})\/([A-Za-z0-9_-]+)$/);
  assert.ok(m, first.kod2);
  assert.ok(m[1].endsWith(createHash('sha256').update(xml).digest('base64url')));
  const cert = new X509Certificate(creds.offline.cert);
  assert.equal(verify('sha256', Buffer.from(m[1]), { key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(m[2], 'base64url')), true);
  await context.close();

  // Browser restart: the same profile, the keys are still there and still sign, still unreadable.
  context = await launch(dataDir);
  page = await openHarness(context, relay.base);
  const second = await page.evaluate(async () => {
    const k = window.ksef;
    const store = await k.CredentialStore.open();
    const status = await store.status();
    const auth = await store.get('auth');
    const client = new k.KsefClient({ env: 'sim' });
    const state = await client.authorize(auth, { type: 'Nip', value: '5265877635' });
    let exported = 'refused';
    try { await crypto.subtle.exportKey('jwk', auth.key); exported = 'EXPORTED'; } catch { /* expected */ }
    return { status, state, extractable: auth.key.extractable, exported };
  });
  assert.ok(second.status.auth && second.status.offline, 'both credentials persisted');
  assert.equal(second.state.state, 'Accepted');
  assert.equal(second.extractable, false);
  assert.equal(second.exported, 'refused');
  await context.close();
});

test('no private key, password or PKCS#8 material crossed the proxy', () => {
  const seen = relay.bytes();
  assert.ok(seen.length > 10_000, `captured ${seen.length} bytes`);
  // Positive controls: the capture does contain what must cross (the signed XAdES with the
  // certificate, the invoice requests).
  const certB64 = new X509Certificate(creds.auth.cert).raw.toString('base64');
  assert.ok(seen.includes(certB64.slice(0, 60)), 'the XAdES request with the certificate was captured');
  assert.ok(seen.includes('/sim/v2/sessions/online'), 'the session requests were captured');
  const secrets = [];
  const encodings = (label, buf) => {
    for (const [enc, s] of [['raw', buf], ['base64', buf.toString('base64')], ['base64url', buf.toString('base64url')], ['hex', buf.toString('hex')]]) {
      const probe = typeof s === 'string' ? s.slice(0, 40) : s.subarray(0, 24);
      secrets.push([`${label} (${enc})`, probe]);
    }
  };
  secrets.push(['password', password]);
  for (const role of ['auth', 'offline']) {
    const pemBody = Buffer.from(creds[role].key).toString('utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of pemBody) secrets.push([`${role} key file PEM line`, line]);
    const enc = Buffer.from(pemBody.join(''), 'base64');
    encodings(`${role} encrypted PKCS#8`, enc);
    const key = createPrivateKey({ key: Buffer.from(creds[role].key), passphrase: password });
    encodings(`${role} plain PKCS#8`, key.export({ type: 'pkcs8', format: 'der' }));
    const d = Buffer.from(key.export({ format: 'jwk' }).d, 'base64url');
    encodings(`${role} private scalar`, d);
  }
  for (const [label, probe] of secrets) {
    assert.equal(seen.indexOf(probe), -1, `${label} crossed the proxy`);
  }
});
