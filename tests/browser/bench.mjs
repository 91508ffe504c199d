// Browser budgets of the package (issue 6), measured in headless Chromium; prints the
// figures, asserts nothing (re-run: `bash scripts/bench-browser`).
//   init ≤ 50 ms · KOD II URL (ECDSA, WebCrypto) ≤ 0.1 ms · encrypting a 52 KB invoice
//   ≤ 0.15 ms · FA(3) build + parse of a 200-line invoice ≤ 1 ms · QR SVG ≤ 0.5 ms
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { demoCredentials, draft, startProxy } from '../node/helpers.mjs';
import { launch, openHarness, webRoot } from './browser.mjs';

const creds = demoCredentials('5265877635', 'demo');
const proxy = await startProxy(['--web-dir', webRoot()]);
const COLD = 9;
const inits = [];
const warm = [];
const all = [];
const allWarm = [];
try {
  for (let i = 0; i < COLD; i++) {
    const ctx = await launch(mkdtempSync(path.join(tmpdir(), 'ksef-bench-')));
    const page = await openHarness(ctx, proxy.base);
    inits.push(await page.evaluate(() => window.initMs));
    all.push(await page.evaluate(() => window.loadedMs));
    if (i < COLD - 1) await ctx.close();
    else {
      // Warm: the same profile reloads the page (HTTP cache and V8's wasm code cache).
      for (let j = 0; j < 5; j++) {
        await page.reload();
        await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
        warm.push(await page.evaluate(() => window.initMs));
        allWarm.push(await page.evaluate(() => window.loadedMs));
      }
      const one = draft('draft-vat.json');
      const d = draft('draft-vat.json');
      const line = d.lines[0];
      d.lines = Array.from({ length: 200 }, (_, j) => ({ ...line, name: `Transport ${j + 1}` }));
      const r = await page.evaluate(async ({ c, d, one }) => {
        const k = window.ksef;
        const u8 = (a) => new Uint8Array(a);
        // Warm: V8 tiers hot wasm functions up to TurboFan after enough calls; 300 rounds first.
        const time = async (n, f) => { for (let i = 0; i < 300; i++) await f(); const t = performance.now(); for (let i = 0; i < n; i++) await f(); return (performance.now() - t) / n; };
        const off = await k.loadCredential('offline', u8(c.cert), u8(c.key), 'demo');
        const small = k.draftToXml(one, new Date());
        const kod2 = await time(500, () => k.kod2Url(off, 'test', { type: 'Nip', value: '5265877635' }, '5265877635', small));
        const t0 = performance.now();
        await Promise.all(Array.from({ length: 500 }, () => k.kod2Url(off, 'test', { type: 'Nip', value: '5265877635' }, '5265877635', small)));
        const kod2Parallel = (performance.now() - t0) / 500;
        const ecKey = off.key;
        const msg = new TextEncoder().encode('qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/0123456789ABCDEF/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE');
        const signOnly = await time(500, () => crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecKey, msg));
        const xml200 = k.draftToXml(d, new Date());
        const build = await time(200, () => k.draftToXml(d, new Date()));
        const parse = await time(200, () => k.parseXml(xml200));
        const buildParse = await time(200, () => k.parseXml(k.draftToXml(d, new Date())));
        const url = k.kod1Url('test', '5265877635', d.issueDate, xml200);
        const svg = await time(500, () => k.qrSvg(url, 'OFFLINE'));
        const plain = new Uint8Array(52 * 1024).fill(0x41);
        const aes = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-CBC', false, ['encrypt']);
        const iv = crypto.getRandomValues(new Uint8Array(16));
        const enc = await time(500, () => crypto.subtle.encrypt({ name: 'AES-CBC', iv }, aes, plain));
        return { smallSize: small.length, kod2, kod2Parallel, signOnly, build, parse, buildParse, svg, enc, size200: xml200.length };
      }, { c: { cert: Array.from(creds.offline.cert), key: Array.from(creds.offline.key) }, d, one });
      for (const a of [inits, warm, all, allWarm]) a.sort((x, y) => x - y);
      const f = (x) => x.toFixed(3);
      console.log(`init (invoice module; keys and client load in the background), median of ${COLD} cold starts, fresh profile: ${f(inits[COLD >> 1])} ms  [budget 50]  all: ${inits.map(f).join(', ')}`);
      console.log(`init, median of 5 warm reloads: ${f(warm[2])} ms  all: ${warm.map(f).join(', ')}`);
      console.log(`all three modules ready (loaded()), cold: ${f(all[COLD >> 1])} ms (${all.map(f).join(', ')}); warm: ${f(allWarm[2])} ms`);
      console.log(`KOD II URL of a ${r.smallSize}-byte invoice, ECDSA P-256 via WebCrypto: ${f(r.kod2)} ms one at a time, ${f(r.kod2Parallel)} ms each when 500 run concurrently  [budget 0.1]; a bare WebCrypto ECDSA sign awaited alone: ${f(r.signOnly)} ms`);
      console.log(`AES-256-CBC of a 52 KB invoice (WebCrypto, the transport's cipher): ${f(r.enc)} ms  [budget 0.15]`);
      console.log(`FA(3) build + parse, 200 lines (${r.size200} bytes): ${f(r.buildParse)} ms (build ${f(r.build)}, parse ${f(r.parse)})  [budget 1]`);
      console.log(`QR SVG of a KOD I URL: ${f(r.svg)} ms  [budget 0.5]`);
      await ctx.close();
    }
  }
} finally {
  proxy.stop();
}
