// The raw bindings of the `--target nodejs` (CommonJS) build, loaded with require():
// the three wasm modules instantiate synchronously in Node and answer like the ES build.
const assert = require('node:assert/strict');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const repo = path.resolve(__dirname, '../..');
const inv = require(path.join(repo, 'web/ksef/pkg-node/ksef_invoice.js'));
const keys = require(path.join(repo, 'web/ksef/pkg-node/ksef_keys.js'));
const cli = require(path.join(repo, 'web/ksef/pkg-node/ksef_client.js'));

test('invoice module: hash and KOD I match node:crypto', () => {
  const bytes = new TextEncoder().encode('abc');
  assert.equal(inv.invoiceHash(bytes).hex, createHash('sha256').update(bytes).digest('hex'));
  const url = inv.kod1Url('test', '1111111111', '2026-02-01', bytes);
  assert.equal(url, `https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/${createHash('sha256').update(bytes).digest('base64url')}`);
  assert.throws(() => inv.kod1Url('test', 'x', '2026-02-01', bytes), (e) => e.name === 'KsefError' && e.code === 'QR_INVALID');
});

test('keys module: certificates; client module: the refusal to send before login', async () => {
  const crt = readFileSync(path.join(repo, 'crates/ksef-wasm/tests/fixtures/authentication.crt'));
  assert.equal(keys.inspectCertificate(crt).ksefType, 'Authentication');
  assert.equal(cli.inspectCertificate, undefined, 'certificates live in the keys module only');
  const c = new cli.KsefClient('http://127.0.0.1:9/sim/v2', 'test', undefined);
  assert.equal(c.authState().state, 'NotAuthenticated');
  await assert.rejects(c.sendInvoices(['a'], [new Uint8Array([60])], 'online', false, undefined, undefined, undefined, undefined),
    (e) => e.code === 'NOT_AUTHORIZED');
});
