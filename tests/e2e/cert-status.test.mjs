// The Offline certificate as KSeF sees it. A certificate revoked or blocked in the KSeF
// certificate module keeps its dates, yet KOD II signed with it fails when the buyer scans
// it (DIGEST §13–14); only KSeF can tell (POST /certificates/query). After AUTHORIZE (and
// after a silent login once the answer is an hour old) the app asks: the settings show the
// answer; "revoked" is said on every screen and refuses WYSYŁKA OFFLINE, while sending
// online goes on, other tabs hear it at once, and the printout of an invoice issued offline
// before warns on screen; a newly saved certificate is asked about at once. The simulator's control API records the demo certificate as KSeF-issued and
// revokes it (POST /_sim/certificates).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as H from './harness.mjs';

let stack, b, page, pem, queued;

before(async () => {
  stack = await H.startStack();
  b = await H.launch();
  page = b.page;
  await H.setupKsef(page, stack.url);
  pem = readFileSync(H.demoCredentials().offline.cert, 'utf8');
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

const statusOf = () => page.getAttribute('#offline-ksef-status', 'data-status');

async function authorizeAndWait(status) {
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('#authorize');
  await page.click('#authorize');
  await page.waitForSelector(`#offline-ksef-status[data-status="${status}"]`, { timeout: 20_000 });
}

test('a self-signed demo certificate: KSeF does not list it, said in the settings only', async () => {
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('#offline-ksef-status[data-status="NotListed"]', { timeout: 20_000 });
  const text = await page.textContent('#offline-ksef-status');
  assert.match(text, /KSeF nie ma tego certyfikatu offline wśród certyfikatów zalogowanego podmiotu \(sprawdzono w KSeF \d{2}\.\d{2}\.\d{4}/);
  assert.match(text, /certyfikat samopodpisany lub innego wystawcy nie przejdzie weryfikacji/);
  assert.equal(await page.$eval('#offline-ksef-status .msg', (e) => e.className), 'msg msg-warning');
  assert.equal(await page.$eval('#cert-banner', (e) => e.hidden), true);
});

test('issued by KSeF and active: the settings say so; an invoice issued offline prints without a warning', async () => {
  await stack.simControl('POST', '/_sim/certificates', { certificate: pem, name: 'Offline TMS' });
  await authorizeAndWait('Active');
  queued = await H.createInvoice(page, { buyer: 'Wydruk Offline S.A.' });
  await H.openApp(page, stack.url, `#/faktura/${queued.id}/ksef`);
  await page.waitForSelector('#latarnia');
  await page.click('#ksef-send');
  await page.click('[data-mode="offline24"]');
  await page.waitForSelector('#ksef-history tbody tr[data-status="sent_offline"]', { timeout: 30_000 });
  await H.openApp(page, stack.url, `#/faktura/${queued.id}/druk`);
  await page.waitForSelector('#qr-kod2');
  assert.equal(await page.$('#print-kod2-revoked'), null);
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('#offline-ksef-status[data-status="Active"]');
  assert.match(await page.textContent('#offline-ksef-status'), /^Status w KSeF: aktywny \(sprawdzono w KSeF \d{2}\.\d{2}\.\d{4}/);
  assert.equal(await page.$eval('#cert-banner', (e) => e.hidden), true);
  // A reload logs in silently, once (the start-up and the connection check used to start
  // two logins); the answer is minutes old, so KSeF is not asked again (its "other" limit
  // is 120 calls an hour). The proxy logs each forwarded route.
  const count = (route) => stack.log.split(`route="${route}"`).length - 1;
  const queries = count('/certificates/query');
  const logins = count('/auth/challenge');
  assert.ok(queries >= 2, `queries seen in the proxy log: ${queries}`);
  await H.openApp(page, stack.url);
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  await page.waitForTimeout(500);
  assert.equal(count('/auth/challenge') - logins, 1, 'logins after one reload');
  assert.equal(count('/certificates/query'), queries);
});

test('revoked in KSeF: every screen says so after the next login, WYSYŁKA OFFLINE is refused, online sending goes on', async () => {
  const inv = await H.createInvoice(page, { buyer: 'Odwołany Sp. z o.o.' });
  await stack.simControl('POST', '/_sim/certificates', { certificate: pem, revoked: true });
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  // Another tab, open on the list: it hears the answer without a reload.
  const other = await b.context.newPage();
  await H.openApp(other, stack.url);
  await other.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  assert.equal(await other.$eval('#cert-banner', (e) => e.hidden), true);
  await page.click('#authorize');
  await page.waitForSelector('#offline-ksef-status[data-status="Revoked"]', { timeout: 20_000 });
  await other.waitForSelector('#cert-banner [data-role="offline"][data-state="ksef-revoked"]', { timeout: 10_000 });
  await other.close();
  assert.match(await page.textContent('#offline-ksef-status'), /jest w KSeF unieważniony \(Revoked; sprawdzono/);
  assert.equal(await page.$eval('#offline-ksef-status .msg', (e) => e.className), 'msg msg-error');

  await H.openApp(page, stack.url);
  await page.waitForSelector('#cert-banner [data-role="offline"][data-state="ksef-revoked"]');
  assert.equal(await page.getAttribute('#cert-banner [data-role="offline"]', 'role'), 'alert');
  assert.match(await page.textContent('#cert-banner'), /Kod QR „CERTYFIKAT” podpisany tym certyfikatem nie przejdzie weryfikacji/);
  await H.shot(page, '09-cert-revoked-in-ksef');

  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  await page.waitForSelector('#latarnia');
  await page.click('#ksef-send');
  await page.click('[data-mode="offline24"]');
  await page.waitForSelector('#ksef-msg .msg-error, #ksef-msg .msg-success', { timeout: 30_000 });
  const msg = await page.textContent('#ksef-msg');
  assert.match(msg, /Certyfikat offline \(Offline, typ II\) jest w KSeF unieważniony/);
  assert.match(msg, /nie można nim wystawiać faktur w trybie offline/);
  assert.equal((await page.textContent('#ksef-status')).trim(), 'OCZEKUJE NA WYSŁANIE DO KSEF');
  assert.equal(await page.$('#ksef-history tbody tr[data-status="sent_offline"]'), null);

  // The Offline certificate is not used online: the same invoice goes to KSeF.
  assert.match(await H.sendOnline(page, inv.id), /ZAAKCEPTOWANO/);

  // The invoice issued offline before: its printout carries a KOD II that now fails; the
  // screen says so (not the paper), with the certificate's serial.
  await H.openApp(page, stack.url, `#/faktura/${queued.id}/druk`);
  await page.waitForSelector('#qr-kod2');
  const serial = /\/([0-9A-F]{16})\//.exec(await page.getAttribute('#qr-kod2', 'data-url'))[1];
  const warn = await page.textContent('#print-kod2-revoked');
  assert.ok(warn.includes(`Kod QR „CERTYFIKAT” na tym wydruku nie przejdzie weryfikacji: certyfikat offline ${serial}, którym go podpisano, jest w KSeF unieważniony (Revoked; sprawdzono w KSeF`), warn);
  assert.match(warn, /Wyślij fakturę do KSeF: po jej przyjęciu wydruk ma kod QR z numerem KSeF, bez kodu CERTYFIKAT\./);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#print-kod2-revoked'), false);
  assert.equal(await page.isVisible('#qr-kod2'), true);
  await page.emulateMedia({ media: 'screen' });
});

test('a new Offline certificate is asked about at once; the old answer no longer counts', async () => {
  const fresh = await stack.simControl('POST', '/_sim/demo-credentials', { nip: H.NIP, certificateType: 'Offline', password: H.PASSWORD });
  const dir = mkdtempSync(join(tmpdir(), 'ksef-offline-new-'));
  writeFileSync(join(dir, 'offline.crt'), fresh.certificatePem);
  writeFileSync(join(dir, 'offline.key'), fresh.privateKeyPem);
  await stack.simControl('POST', '/_sim/certificates', { certificate: fresh.certificatePem });
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.waitForSelector('#offline-ksef-status[data-status="Revoked"]');
  await page.setInputFiles('#offline-cert', join(dir, 'offline.crt'));
  await page.setInputFiles('#offline-key', join(dir, 'offline.key'));
  await page.fill('#offline-pass', H.PASSWORD);
  await page.click('#ksef-save');
  await page.waitForSelector('#ksef-settings-msg .msg-success', { timeout: 20_000 });
  // Logged in already: no AUTHORIZE needed for the answer.
  await page.waitForSelector('#offline-ksef-status[data-status="Active"]', { timeout: 20_000 });
  assert.equal(await statusOf(), 'Active');
  await H.openApp(page, stack.url);
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  assert.equal(await page.$eval('#cert-banner', (e) => e.hidden), true);
});
