// Certificates that run out after they were saved (ZAPISZ refuses an expired one, but a
// certificate is valid for two years and the app is used every day): a month ahead every
// screen warns; once expired, the login says so without asking KSeF, and WYSYŁKA OFFLINE is
// refused, because KOD II signed with an expired certificate fails verification when the
// buyer scans it (DIGEST §13–14). The browser's clock is moved with Playwright's clock; the
// certificates' end dates are read from the files with node:crypto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as H from './harness.mjs';

const DAY = 86_400_000;
let stack, b, page, inv, end;

before(async () => {
  stack = await H.startStack();
  b = await H.launch();
  page = b.page;
  await H.setupKsef(page, stack.url);
  inv = await H.createInvoice(page, { buyer: 'Zegar Sp. z o.o.' });
  const c = H.demoCredentials();
  end = {
    auth: new Date(new X509Certificate(readFileSync(c.auth.cert)).validTo),
    offline: new Date(new X509Certificate(readFileSync(c.offline.cert)).validTo),
  };
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

const plDate = (d) => new Intl.DateTimeFormat('pl-PL', { timeZone: 'Europe/Warsaw', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);

test('valid for years: no warning anywhere', async () => {
  await H.openApp(page, stack.url);
  assert.equal(await page.$eval('#cert-banner', (e) => e.hidden), true);
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  assert.equal(await page.$('#offline-validity'), null);
  assert.equal(await page.$('#auth-validity'), null);
});

test('10 days before the end: every screen and the settings warn, with the date; sending still works', async () => {
  await page.clock.setFixedTime(new Date(end.offline.getTime() - 10 * DAY));
  await H.openApp(page, stack.url);
  await page.waitForSelector('#cert-banner [data-role="offline"][data-state="soon"]');
  const text = await page.textContent('#cert-banner [data-role="offline"]');
  assert.ok(text.includes(`Certyfikat offline (Offline, typ II) wygasa ${plDate(end.offline)} (za 10 dni).`), text);
  assert.match(text, /Pobierz nowy certyfikat w Module certyfikatów KSeF/);
  assert.equal(await page.getAttribute('#cert-banner [data-role="offline"]', 'role'), 'status');
  await page.waitForSelector('#cert-banner [data-role="auth"][data-state="soon"]'); // made at the same moment
  await H.shot(page, '09-cert-expires-soon');
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  assert.equal(await page.getAttribute('#offline-validity', 'data-state'), 'soon');
  assert.match(await page.textContent('#offline-validity'), /za 10 dni/);
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
});

test('expired: the login says so without asking KSeF; WYSYŁKA OFFLINE is refused and the invoice stays as it was', async () => {
  await page.clock.setFixedTime(new Date(Math.max(end.offline.getTime(), end.auth.getTime()) + DAY));
  await H.openApp(page, stack.url);
  await page.waitForSelector('.topbar .ksef-status[data-state="ERROR"]', { timeout: 20_000 });
  const title = await page.getAttribute('.topbar .ksef-status', 'title');
  assert.ok(title.includes(`Certyfikat uwierzytelniający (Authentication, typ I) wygasł ${plDate(end.auth)}.`), title);
  await page.waitForSelector('#cert-banner [data-role="offline"][data-state="expired"]');
  assert.equal(await page.getAttribute('#cert-banner [data-role="offline"]', 'role'), 'alert');
  assert.match(await page.textContent('#cert-banner [data-role="auth"]'), /wygasł/);
  await H.shot(page, '09-cert-expired');

  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  await page.waitForSelector('#latarnia');
  await page.click('#ksef-send');
  await page.click('[data-mode="offline24"]');
  await page.waitForFunction(() => /WYSYŁKA OFFLINE/.test(document.querySelector('#ksef-msg')?.textContent ?? '') || !!document.querySelector('#ksef-msg .msg-error'), null, { timeout: 30_000 });
  const msg = await page.textContent('#ksef-msg');
  assert.ok(msg.includes(`Certyfikat offline (Offline, typ II) wygasł ${plDate(end.offline)}.`), msg);
  assert.match(msg, /„CERTYFIKAT” podpisany takim certyfikatem nie przejdzie weryfikacji w KSeF/);
  assert.equal((await page.textContent('#ksef-status')).trim(), 'OCZEKUJE NA WYSŁANIE DO KSEF');
  assert.equal(await page.$('#ksef-history tbody tr[data-status="sent_offline"]'), null);

  // A new certificate (valid again) clears the warnings: here, the clock back to its date.
  await page.clock.setFixedTime(new Date());
  await H.openApp(page, stack.url);
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  assert.equal(await page.$eval('#cert-banner', (e) => e.hidden), true);
});
