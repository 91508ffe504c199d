// The npm package's pure functions, run inside wasm in Node, checked against
// independent oracles: xmllint (libxml2) for XML, node:crypto for hashes and
// signatures, the official KOD I test vector, the statute's holiday dates.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { demoCredentials, draft, fa3Xsd, ksef, shared, xmllint } from './helpers.mjs';

const k = await ksef();
const creds = demoCredentials();
const sample = (f) => new Uint8Array(readFileSync(path.join(shared, 'ksef/samples/fa3-mf-official', f)));

test('draftToXml builds schema-valid FA(3) for every example draft (xmllint)', () => {
  for (const name of ['draft-vat.json', 'draft-eur.json', 'draft-kor.json', 'draft-zal.json', 'draft-roz.json']) {
    const xml = k.draftToXml(draft(name), new Date('2026-02-15T10:00:00Z'));
    assert.ok(xml instanceof Uint8Array);
    assert.notEqual(xml[0], 0xef, 'no BOM');
    const r = xmllint(xml, fa3Xsd);
    assert.ok(r.ok, `${name}: ${r.output}`);
    assert.equal(k.validateXml(xml).ok, true, name);
  }
});

test('draftToXml reports every field problem at once with paths', () => {
  const d = draft('draft-vat.json');
  d.seller.nip = '123';
  d.lines[0].vatRate = '99';
  assert.throws(() => k.draftToXml(d), (e) => {
    assert.ok(e instanceof k.KsefError);
    assert.equal(e.code, 'DRAFT_INVALID');
    const paths = e.fields.map((f) => f.path);
    assert.ok(paths.includes('seller.nip'), paths.join());
    assert.ok(paths.some((p) => p.startsWith('lines[0]')), paths.join());
    return true;
  });
  const c = k.checkDraft(d);
  assert.equal(c.ok, false);
  assert.ok(c.errors.length >= 2);
  const ok = k.checkDraft(draft('draft-vat.json'));
  assert.equal(ok.ok, true);
  assert.match(ok.totals.gross, /^\d+(\.\d+)?$/);
  assert.throws(() => k.draftToXml(42), (e) => e.code === 'INVALID_INPUT');
  assert.throws(() => k.draftToXml('{"invoiceNumber": '), (e) => e.code === 'DRAFT_INVALID');
});

test('validateXml and parseXml on the Ministry samples', () => {
  const xml = sample('fa3-mf01-vat-basic-goods-3-lines-23and5pct-paid.xml');
  const v = k.validateXml(xml, { productionRules: false });
  assert.equal(v.ok, true, JSON.stringify(v.problems));
  const inv = k.parseXml(xml);
  assert.equal(inv.Naglowek.KodFormularza.value ?? 'FA', 'FA');
  assert.ok(inv.Fa.P_2);
  const broken = new TextEncoder().encode('<Faktura>');
  assert.throws(() => k.parseXml(broken), (e) => e.code === 'XML_INVALID');
  const bad = k.validateXml(broken);
  assert.equal(bad.ok, false);
  assert.ok(bad.problems[0].message.length > 0);
});

test('invoiceHash equals node:crypto SHA-256 of the exact bytes', () => {
  const xml = sample('fa3-mf15-upr-simplified-with-p13-p14.xml');
  const h = k.invoiceHash(xml);
  const d = createHash('sha256').update(xml).digest();
  assert.equal(h.hex, d.toString('hex'));
  assert.equal(h.base64, d.toString('base64'));
  assert.equal(h.base64url, d.toString('base64url'));
});

test('kod1Url matches the official KOD I vector', () => {
  // From the Ministry's QR documentation (crates/ksef-core/tests/qr.rs, KOD_I): the hash
  // is given, so build a link from bytes whose hash we check separately.
  const xml = new TextEncoder().encode('any bytes');
  const url = k.kod1Url('test', '1111111111', '2026-02-01', xml);
  const b64url = createHash('sha256').update(xml).digest('base64url');
  assert.equal(url, `https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/${b64url}`);
  assert.throws(() => k.kod1Url('test', '12', '2026-02-01', xml), (e) => e.code === 'QR_INVALID');
  assert.throws(() => k.kod1Url('mars', '1111111111', '2026-02-01', xml), (e) => e.code === 'INVALID_INPUT' && /env/.test(e.message));
  const svg = k.qrSvg(url, 'OFFLINE');
  assert.match(svg, /^<\?xml|^<svg/);
  assert.match(svg, /OFFLINE/);
});

test('inspectCertificate reads the demo certificates', async () => {
  const a = await k.inspectCertificate(creds.auth.cert);
  assert.equal(a.ksefType, 'Authentication');
  assert.deepEqual(a.identifiers, [{ type: 'Nip', value: '5265877635' }]);
  const o = await k.inspectCertificate(creds.offline.cert);
  assert.equal(o.ksefType, 'Offline');
  const x = new X509Certificate(creds.offline.cert);
  assert.equal(o.fingerprint.replace(/:/g, '').toUpperCase(), x.fingerprint256.replace(/:/g, ''));
  await assert.rejects(k.inspectCertificate(new Uint8Array([1, 2, 3])), (e) => e.code === 'BAD_INPUT_FILE');
});

test('CredentialStore: save checks password, key match, role, keeps the key non-extractable; remove', async () => {
  const store = await k.CredentialStore.open();
  const bad = (code, f) => assert.rejects(f, (e) => e instanceof k.KsefError && e.code === code);
  await bad('WRONG_PASSWORD', () => store.save('auth', creds.auth.cert, creds.auth.key, 'nope'));
  await bad('PASSWORD_REQUIRED', () => store.save('auth', creds.auth.cert, creds.auth.key, ''));
  await bad('KEY_MISMATCH', () => store.save('auth', creds.auth.cert, creds.offline.key, 'demo'));
  await bad('WRONG_CERT_TYPE', () => store.save('auth', creds.offline.cert, creds.offline.key, 'demo'));
  await bad('WRONG_CERT_TYPE', () => store.save('offline', creds.auth.cert, creds.auth.key, 'demo'));
  await bad('CERT_EXPIRED', () => store.save('auth', creds.auth.cert, creds.auth.key, 'demo', { now: new Date('2100-01-01') }));
  await bad('MISSING_KEY', () => store.save('auth', creds.auth.cert, new Uint8Array(), 'demo'));
  assert.deepEqual(await store.status(), {});
  const info = await store.save('auth', creds.auth.cert, creds.auth.key, 'demo');
  assert.equal(info.ksefType, 'Authentication');
  const cred = await store.get('auth');
  assert.equal(cred.key.extractable, false);
  await assert.rejects(() => crypto.subtle.exportKey('pkcs8', cred.key));
  assert.ok((await store.status()).auth);
  // A failed save leaves the stored credential as it was.
  await bad('WRONG_PASSWORD', () => store.save('auth', creds.auth.cert, creds.auth.key, 'nope'));
  assert.equal(await store.get('auth'), cred);
  // Removing one role forgets only that one.
  await store.save('offline', creds.offline.cert, creds.offline.key, 'demo');
  await store.remove('auth');
  assert.equal(await store.get('auth'), undefined);
  assert.deepEqual(Object.keys(await store.status()), ['offline']);
  await store.remove('offline');
  assert.deepEqual(await store.status(), {});
});

test('a WebCrypto signature of the stored key verifies with node:crypto', async () => {
  const cred = await k.loadCredential('auth', creds.auth.cert, creds.auth.key, 'demo');
  const msg = new TextEncoder().encode('signed in the browser');
  const sig = await k.sign(cred, cred.signatureAlgorithm, msg);
  const pub = createPublicKey(new X509Certificate(creds.auth.cert).publicKey.export({ type: 'spki', format: 'pem' }));
  assert.equal(verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig), true);
  await assert.rejects(() => k.sign(cred, 'RsaPssSha256', msg), (e) => e.code === 'ALGORITHM_MISMATCH');
  // The pure-Rust fallback signs the same way.
  const soft = await k.loadCredential('auth', creds.auth.cert, creds.auth.key, 'demo', { soft: true });
  const sig2 = await k.sign(soft, soft.signatureAlgorithm, msg);
  assert.equal(verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig2), true);
});

test('kod2Url is signed with the Offline key and verifies with node:crypto', async () => {
  const xml = k.draftToXml(draft('draft-vat.json'), new Date('2026-02-15T10:00:00Z'));
  for (const soft of [false, true]) {
    const cred = await k.loadCredential('offline', creds.offline.cert, creds.offline.key, 'demo', { soft });
    const url = await k.kod2Url(cred, 'test', { type: 'Nip', value: '5265877635' }, '5265877635', xml);
    const m = url.match(/^https:\/\/(qr-test\.ksef\.mf\.gov\.pl\/certificate\/Nip\/5265877635\/5265877635\/([0-9A-F]{16})\/([A-Za-z0-9_-]{43}))\/([A-Za-z0-9_-]+)$/);
    assert.ok(m, url);
    assert.equal(m[3], createHash('sha256').update(xml).digest('base64url'));
    const x = new X509Certificate(creds.offline.cert);
    assert.equal(m[2], x.serialNumber.padStart(16, '0'));
    const ok = verify('sha256', Buffer.from(m[1]), { key: x.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(m[4], 'base64url'));
    assert.equal(ok, true, 'KOD II signature verifies');
  }
  const auth = await k.loadCredential('auth', creds.auth.cert, creds.auth.key, 'demo');
  await assert.rejects(() => k.kod2Url(auth, 'test', { type: 'Nip', value: '5265877635' }, '5265877635', xml), (e) => e.code === 'INVALID_INPUT');
});

test('offline deadlines and the holiday calendar', () => {
  const h = k.holidays(2026);
  assert.ok(h.some((d) => d.date === '2026-12-24'), 'Wigilia is a holiday from 2025');
  assert.ok(h.some((d) => d.date === '2026-04-06'), 'Easter Monday 2026');
  assert.equal(k.isBusinessDay('2026-12-24'), false);
  assert.equal(k.isBusinessDay('2026-11-24'), true);
  // Issued Friday 2026-11-27 in offline24 → the next business day is Monday 30th.
  const d = k.offlineDeadline('offline24', '2026-11-27', undefined, new Date('2026-11-27T12:00:00Z'));
  assert.deepEqual(d, { kind: 'by', deadline: '2026-11-30', status: 'in_time', days: 3 });
  const late = k.offlineDeadline('offline24', '2026-11-27', undefined, new Date('2026-12-02T12:00:00Z'));
  assert.equal(late.status, 'overdue');
  assert.throws(() => k.offlineDeadline('emergency', '2026-11-27'), (e) => e.code === 'INVALID_INPUT' && /ended|end/.test(e.message));
  const em = k.offlineDeadline('emergency', '2026-11-20', '2026-11-24', new Date('2026-11-24T12:00:00Z'));
  assert.equal(em.deadline, '2026-12-03');
  const restarted = k.offlineDeadlineFromPeriods('emergency', '2026-11-20', [
    { category: 'FAILURE', start: '2026-11-20T08:00:00Z', end: '2026-11-24T08:00:00Z' },
    { category: 'FAILURE', start: '2026-11-26T08:00:00Z', end: '2026-11-27T08:00:00Z' },
  ], new Date('2026-11-27T12:00:00Z'));
  assert.equal(restarted.deadline, '2026-12-08', 'the 7 business days restart after the second failure');
  assert.throws(() => k.offlineDeadline('offline48', '2026-11-27'), (e) => /mode/.test(e.message));
});
