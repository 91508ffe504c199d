// The browser client's full flow, run inside wasm in Node, against `ksef-proxy --sim`
// (real HTTP, the embedded simulator): authorization states, online send with a KSeF
// number, duplicate rejection with KSeF's description, UPO, batch for many, resume.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { demoCredentials, draft, freePort, ksef, startProxy } from './helpers.mjs';

const k = await ksef();
const creds = demoCredentials();
let proxy;
let simBase;
let auth;
const ctx = { type: 'Nip', value: '5265877635' };
// The Warsaw date: an invoice dated before the Warsaw day of its receipt is Offline (DIGEST §15).
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());

function invoice(number, createdAt = new Date()) {
  const d = draft('draft-vat.json');
  d.invoiceNumber = number;
  d.issueDate = today;
  if (d.saleDate) d.saleDate = today;
  return k.draftToXml(d, createdAt);
}

before(async () => {
  // The embedded simulator's control API on a known port (certificate registration below).
  const simPort = await freePort();
  simBase = `http://127.0.0.1:${simPort}`;
  proxy = await startProxy(['--sim-listen', `127.0.0.1:${simPort}`]);
  auth = await k.loadCredential('auth', creds.auth.cert, creds.auth.key, 'demo');
});
after(() => proxy?.stop());

test('sending before authorization is refused with a message that says so', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  assert.equal(c.authState.state, 'NotAuthenticated');
  await assert.rejects(() => c.sendInvoices([{ id: 'a', xml: invoice('NA/1') }]),
    (e) => e.code === 'NOT_AUTHORIZED' && /not authenticated/.test(e.message));
  const none = await c.authorize(undefined, ctx);
  assert.equal(none.state, 'Error');
  assert.equal(none.reason.kind, 'missing_credentials');
});

test('authorization with a certificate for another context is refused with KSeF reason', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  const s = await c.authorize(auth, { type: 'Nip', value: '1111111111' });
  assert.equal(s.state, 'Error', JSON.stringify(s));
  assert.ok(s.reason.message.length > 0);
  await assert.rejects(() => c.authorize(auth, { type: 'Nip', value: '12' }), (e) => e.code === 'INVALID_INPUT');
});

test('online: authorize, send, accepted with a KSeF number, UPO; duplicate rejected', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  const s = await c.authorize(auth, ctx);
  assert.equal(s.state, 'Accepted', JSON.stringify(s));
  const number = `FV/NODE/${Date.now()}`;
  const xml = invoice(number);
  const states = [];
  const progress = [];
  const r = await c.sendInvoices([{ id: 'inv-1', xml }], {
    persist: (st) => states.push(st), onProgress: (d, t) => progress.push([d, t]),
  });
  assert.equal(r.mode, 'online');
  const o = r.outcomes[0];
  assert.equal(o.id, 'inv-1');
  assert.equal(o.status, 'accepted', JSON.stringify(o));
  assert.equal(o.description, 'Sukces');
  assert.match(o.ksefNumber, /^5265877635-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
  assert.equal(o.invoiceHash, k.invoiceHash(xml).base64);
  assert.ok(states.length > 0 && progress.at(-1)[0] === 1);
  const upo = new TextDecoder().decode(await c.upo(o));
  assert.match(upo, new RegExp(o.ksefNumber));
  const again = await c.refresh(o);
  assert.equal(again.ksefNumber, o.ksefNumber);
  // Same number, different bytes (another creation time): KSeF's duplicate check.
  const dup = await c.sendInvoices([{ id: 'inv-2', xml: invoice(number, new Date(Date.now() + 5000)) }]);
  const d = dup.outcomes[0];
  assert.equal(d.status, 'rejected', JSON.stringify(d));
  assert.equal(d.code, 440);
  assert.equal(d.description, 'Duplikat faktury');
  assert.equal(d.ksefNumber ?? null, null);
  await assert.rejects(() => c.upo(d), (e) => e.code === 'NO_UPO');
  // Resending the very same bytes with the persisted state finds them already accepted.
  const resumed = await c.sendInvoices([{ id: 'inv-1', xml }], { state: states.at(-1) });
  assert.equal(resumed.outcomes[0].ksefNumber, o.ksefNumber);
});

test('many invoices go through a batch session automatically', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  assert.equal((await c.authorize(auth, ctx)).state, 'Accepted');
  const stamp = Date.now();
  const items = Array.from({ length: 25 }, (_, i) => ({ id: `b${i}`, xml: invoice(`FV/BATCH/${stamp}/${i}`) }));
  const r = await c.sendInvoices(items);
  assert.equal(r.mode, 'batch');
  assert.equal(r.outcomes.length, 25);
  for (const [i, o] of r.outcomes.entries()) {
    assert.equal(o.id, `b${i}`);
    assert.equal(o.status, 'accepted', JSON.stringify(o));
    assert.ok(o.ksefNumber);
  }
  assert.equal(new Set(r.outcomes.map((o) => o.ksefNumber)).size, 25);
});

test('bad input to sendInvoices gets a specific error', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  await assert.rejects(() => c.sendInvoices([]), (e) => e.code === 'INVALID_INPUT' && /empty/.test(e.message));
  await assert.rejects(() => c.sendInvoices([{ id: 'x', xml: 'text' }]), (e) => /items\[0\]\.xml/.test(e.message));
  assert.throws(() => new k.KsefClient({ env: 'mars' }), (e) => /env/.test(e.message));
});

test('the Offline certificate as KSeF sees it: unknown, then Active, then Revoked', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  const info = await k.inspectCertificate(creds.offline.cert);
  await assert.rejects(() => c.certificateStatus(info.serialHex), (e) => e.code === 'NOT_AUTHORIZED');
  assert.equal((await c.authorize(auth, ctx)).state, 'Accepted');
  // A self-signed demo certificate: KSeF has no such certificate of this subject.
  assert.equal(await c.certificateStatus(info.serialHex), null);
  const register = async (revoked) => {
    const pem = Buffer.from(creds.offline.cert).toString('utf8');
    const r = await fetch(`${simBase}/_sim/certificates`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: pem, name: 'Offline node', revoked }),
    });
    assert.equal(r.status, 200, await r.text());
  };
  await register(false);
  // Lower case and colons as tools print serials are accepted.
  const colons = info.serialHex.toLowerCase().match(/../g).join(':');
  const active = await c.certificateStatus(colons);
  assert.deepEqual(
    { serial: active.certificateSerialNumber, type: active.type, status: active.status, name: active.name },
    { serial: info.serialHex.toUpperCase(), type: 'Offline', status: 'Active', name: 'Offline node' });
  assert.equal(new Date(active.validTo).getTime(), new Date(info.notAfter).getTime());
  await register(true);
  assert.equal((await c.certificateStatus(info.serialHex)).status, 'Revoked');
  for (const bad of ['', 'XYZ', '012', '01F20A5D352AE5901122']) {
    await assert.rejects(() => c.certificateStatus(bad), (e) => e.code === 'INVALID_INPUT' && /serial/.test(e.message), bad);
  }
});

test('the status service is reachable through the proxy or reported as unreachable', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: 'http://127.0.0.1:9' });
  await assert.rejects(() => c.latarnia(), (e) => e.code === 'NETWORK');
});

test('offline mode and the technical correction of a rejected offline invoice', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  assert.equal((await c.authorize(auth, ctx)).state, 'Accepted');
  const number = `FV/OFF/${Date.now()}`;
  const first = await c.sendInvoices([{ id: 'a', xml: invoice(number) }]);
  assert.equal(first.outcomes[0].status, 'accepted');
  // Issued offline with the same number: KSeF rejects it as a duplicate.
  const dupXml = invoice(number, new Date(Date.now() + 7000));
  const dup = await c.sendInvoices([{ id: 'b', xml: dupXml }], { offline: true });
  assert.equal(dup.outcomes[0].status, 'rejected', JSON.stringify(dup.outcomes[0]));
  assert.equal(dup.outcomes[0].code, 440);
  // The technical correction: a corrected XML pointing at the rejected one's hash.
  const fixed = invoice(`${number}-K`);
  await assert.rejects(() => c.sendInvoices([{ id: 'c', xml: fixed }], { offline: true, correctedHash: 'abc' }),
    (e) => e.code === 'INVALID_INPUT' && /correctedHash/.test(e.message));
  await assert.rejects(() => c.sendInvoices([{ id: 'c', xml: fixed }, { id: 'd', xml: fixed }], { offline: true, correctedHash: k.invoiceHash(dupXml).base64 }),
    (e) => /exactly one/.test(e.message));
  const corr = await c.sendInvoices([{ id: 'c', xml: fixed }], { offline: true, correctedHash: k.invoiceHash(dupXml).base64 });
  const o = corr.outcomes[0];
  assert.equal(o.status, 'accepted', JSON.stringify(o));
  assert.equal(o.invoicingMode, 'Offline');
  assert.ok(o.ksefNumber);
});

test('a batch send resumes from its persisted state without sending twice', async () => {
  const c = new k.KsefClient({ env: 'sim', proxyBase: proxy.base });
  assert.equal((await c.authorize(auth, ctx)).state, 'Accepted');
  const stamp = Date.now();
  const items = Array.from({ length: 22 }, (_, i) => ({ id: `r${i}`, xml: invoice(`FV/RES/${stamp}/${i}`) }));
  const saved = [];
  const r = await c.sendInvoices(items, { persist: (s) => saved.push(s) });
  assert.equal(r.mode, 'batch');
  assert.ok(saved.length >= 2 && saved.at(-1).batch, 'batch state persisted');
  // Sending again with the final state looks the session up instead of re-sending.
  const again = await c.sendInvoices(items, { state: saved.at(-1) });
  assert.deepEqual(again.outcomes.map((o) => o.ksefNumber), r.outcomes.map((o) => o.ksefNumber));
  await assert.rejects(() => c.sendInvoices(items, { state: { online: 'nonsense' } }), (e) => /state/.test(e.message));
});
