// Issue 8 acceptance: with the simulator announcing a failure (Latarnia, via the proxy) the
// app proposes "Awaria KSeF"; invoices (and a correction) are issued offline and print with
// KOD I "OFFLINE" + KOD II "CERTYFIKAT" (KOD II verified by `ksef qr verify --cert`); the
// queue survives a reload, a browser restart (persistent profile) and a proxy restart;
// after the failure ends, "Wyślij wszystkie oczekujące faktury offline" sends them with
// offlineMode: true, each gets a KSeF number exactly once and the printout switches to one
// QR code labelled with it. A duplicate offline invoice is rejected and the technical
// correction flow is offered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as H from './harness.mjs';

const KSEF_CLI = process.env.KSEF_CLI_BIN ?? join(H.ROOT, 'target/debug/ksef');
let stack, b, page;
const q = {}; // queued invoices: name → { id, number }
let orig;

before(async () => {
  stack = await H.startStack({ port: await H.freePort() }); // fixed port: same origin after a proxy restart
  b = await H.launch();
  page = b.page;
  await H.setupKsef(page, stack.url);
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());

async function queueOffline(id, mode) {
  await H.openApp(page, stack.url, `#/faktura/${id}/ksef`);
  await page.waitForSelector('#latarnia');
  await page.click('#ksef-send');
  await page.click(`[data-mode="${mode}"]`);
  await page.waitForFunction(() => /WYSYŁKA OFFLINE/.test(document.querySelector('#ksef-msg')?.textContent ?? '') || !!document.querySelector('#ksef-msg .msg-error'), null, { timeout: 30_000 });
  const text = await page.textContent('#ksef-msg');
  assert.match(text, /WYSYŁKA OFFLINE/, text);
  await page.waitForSelector('#ksef-history tbody tr[data-status="sent_offline"]');
  assert.equal((await page.textContent('#ksef-history tbody tr:first-child td:first-child')).trim(), 'WYSYŁKA OFFLINE');
  return text;
}

test('online original first (a correction needs its KSeF number)', async () => {
  orig = await H.createInvoice(page, { buyer: 'Collins PLC Group', price: '1626.01' });
  assert.match(await H.sendOnline(page, orig.id), /ZAAKCEPTOWANO/);
});

test('simulator announces a failure: the app proposes Awaria KSeF; invoices and a correction are issued offline', async () => {
  await stack.simControl('POST', '/_sim/latarnia', { action: 'failureStart', title: 'Awaria KSeF (test)' });
  q.a = await H.createInvoice(page, { buyer: 'Offline Alfa sp. z o.o.', price: '1000.00' });
  q.b = await H.createInvoice(page, { buyer: 'Offline Beta S.A.', price: '250.00' });
  // the correction of the online original
  await H.openApp(page, stack.url, `#/faktura/${orig.id}`);
  await page.click('#more-menu');
  await page.click('#make-correction');
  await page.waitForURL((u) => u.hash.endsWith('/edycja'));
  await page.waitForSelector('form.editor');
  await page.fill('[data-path="correction.lines.0.after.price"]', '1463.41');
  await page.fill('[data-path="correction.reason"]', 'obniżka ceny (awaria KSeF)');
  await page.click('#issue');
  await page.waitForURL((u) => /#\/faktura\/[\w-]+$/.test(u.hash) && !u.hash.endsWith('/edycja'));
  q.kor = { id: page.url().split('/').pop() };

  await H.openApp(page, stack.url, `#/faktura/${q.a.id}/ksef`);
  await page.waitForSelector('#latarnia[data-status="FAILURE"]');
  assert.equal(await page.getAttribute('#latarnia', 'data-proposed'), 'emergency');
  assert.match(await page.textContent('#mode-proposal'), /Awaria KSeF/);
  await page.click('#ksef-send');
  const labels = (await page.$$eval('[data-mode]', (els) => els.map((e) => e.textContent.trim())));
  assert.deepEqual(labels.map((l) => l.replace(' (proponowany)', '')), ['Online', 'Offline 24', 'Offline – niedostępność KSeF', 'Awaria KSeF']);
  assert.ok(await page.$eval('[data-mode="emergency"]', (e) => e.classList.contains('proposed')));
  await H.shot(page, '08-offline-proposal');
  await page.click('#ksef-send'); // close

  for (const k of ['a', 'b', 'kor']) await queueOffline(q[k].id, 'emergency');
  assert.equal((await page.textContent('#send-mode')).trim(), 'TRYB WYSYŁKI: offline – awaria KSeF');
  assert.equal(await page.getAttribute('#offline-deadline', 'data-state'), 'pending'); // the failure goes on
  assert.equal((await page.textContent('#ksef-status')).trim(), 'WYSYŁKA OFFLINE');
  await H.shot(page, '08-offline-queued');
});

test('offline printout: two QR codes, KOD I "OFFLINE" and KOD II "CERTYFIKAT"; KOD II verifies with ksef qr verify', async () => {
  await H.openApp(page, stack.url, `#/faktura/${q.a.id}/ksef`);
  const xml = await H.download(page, () => page.click('#ksef-xml'));
  await H.openApp(page, stack.url, `#/faktura/${q.a.id}/druk`);
  await page.waitForSelector('#invoice-print');
  assert.equal(await page.$('#qr-kod1'), null);
  const figs = await page.$$('#invoice-print figure.qr');
  assert.equal(figs.length, 2);
  assert.equal((await page.textContent('#qr-kod1-offline svg text')).trim(), 'OFFLINE');
  assert.equal((await page.textContent('#qr-kod2 svg text')).trim(), 'CERTYFIKAT');
  const kod1 = await page.getAttribute('#qr-kod1-offline', 'data-url');
  const kod2 = await page.getAttribute('#qr-kod2', 'data-url');
  const hash = createHash('sha256').update(xml.bytes).digest('base64url');
  const p1 = /<P_1>(\d{4})-(\d{2})-(\d{2})<\/P_1>/.exec(xml.bytes.toString('utf8'));
  assert.equal(kod1, `https://qr-test.ksef.mf.gov.pl/invoice/5265877635/${p1[3]}-${p1[2]}-${p1[1]}/${hash}`);
  assert.match(kod2, new RegExp(`^https://qr-test\\.ksef\\.mf\\.gov\\.pl/certificate/Nip/5265877635/5265877635/[0-9A-F]{16}/${hash}/[\\w-]+$`));
  // decoded from screenshots of the printout
  assert.equal(await H.decodeQr(b.context, await page.locator('#qr-kod1-offline svg').screenshot()), kod1);
  const big = await page.evaluate(() => { document.querySelector('#qr-kod2 svg').style.width = '120mm'; });
  void big;
  assert.equal(await H.decodeQr(b.context, await page.locator('#qr-kod2 svg').screenshot()), kod2);
  const out = execFileSync(KSEF_CLI, ['qr', 'verify', kod2, '--cert', H.demoCredentials().offline.cert], { encoding: 'utf8' });
  void out; // exit code 0 = the signature verifies
  await page.reload();
  await page.waitForSelector('#invoice-print');
  await H.shot(page, '08-offline-print');
});

test('potwierdzenie transakcji for a buyer with a Polish NIP, with both QR codes', async () => {
  await H.openApp(page, stack.url, `#/faktura/${q.a.id}`);
  await page.click('#print-menu');
  await page.click('#print-confirmation');
  await page.waitForSelector('#confirmation-print');
  const t = await page.textContent('#confirmation-print');
  for (const must of ['Potwierdzenie transakcji', 'Dokument nie jest fakturą', 'NIP sprzedawcy', '5265877635', 'NIP nabywcy', '1111111111',
    q.a.number, 'Kwota należności ogółem', '1\u00a0230,00 PLN', 'offline – awaria KSeF', 'nie nadano']) assert.ok(t.includes(must), `confirmation shows ${must}`);
  assert.equal((await page.textContent('#qr-kod1-offline svg text')).trim(), 'OFFLINE');
  assert.equal((await page.textContent('#qr-kod2 svg text')).trim(), 'CERTYFIKAT');
  await H.shot(page, '08-confirmation');
});

async function queueSize() {
  await H.openApp(page, stack.url, '#/przychody');
  await page.waitForSelector('#offline-queue');
  return Number(await page.getAttribute('#offline-queue', 'data-pending'));
}

test('the queue survives a reload and a browser restart', async () => {
  assert.equal(await queueSize(), 3);
  await page.reload();
  await page.waitForSelector('#offline-queue');
  assert.equal(Number(await page.getAttribute('#offline-queue', 'data-pending')), 3);
  const dir = b.profileDir;
  await b.close();
  b = await H.launch(dir);
  page = b.page;
  assert.equal(await queueSize(), 3);
  const modes = await page.$$eval('.inv-row[data-status="sent_offline"] .c-mode', (els) => els.map((e) => e.textContent));
  assert.equal(modes.length, 3);
  for (const m of modes) assert.match(m, /awaria KSeF/);
  await H.shot(page, '08-list-queued');
});

test('the failure ends: the deadline becomes 7 business days after its end; the list shows it', async () => {
  await stack.simControl('POST', '/_sim/latarnia', { action: 'failureEnd' });
  const expected = execFileSync(KSEF_CLI, ['offline', 'deadline', '--mode', 'emergency', '--issued', today(), '--ended', today()], { encoding: 'utf8' }).trim();
  await H.openApp(page, stack.url, `#/faktura/${q.a.id}/ksef`);
  await page.waitForSelector('#latarnia[data-status="AVAILABLE"]');
  await page.waitForSelector(`#offline-deadline[data-deadline="${expected}"]`);
  assert.equal(await page.getAttribute('#offline-deadline', 'data-state'), 'in_time');
  assert.equal(await queueSize(), 3);
  await page.waitForFunction((d) => [...document.querySelectorAll('.inv-row[data-status="sent_offline"] .c-mode')].every((e) => e.textContent.includes(`termin: ${d}`)), expected);
});

test('proxy restart: nothing lost; send all pending offline invoices → each accepted once; printout shows one QR with the KSeF number', async () => {
  await stack.stop();
  stack.log = ''; // the restarted proxy embeds a new simulator on a new port
  stack.simBase = undefined;
  await stack.start();
  assert.equal(await queueSize(), 3);
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef'); // the new simulator has no session: log in again
  await page.click('#authorize');
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]', { timeout: 20_000 });
  await queueSize();
  await page.click('#send-offline-all');
  await page.waitForSelector('#offline-sent', { timeout: 60_000 });
  assert.match(await page.textContent('#offline-sent'), /Wysłano 3 faktur offline: zaakceptowano 3/);
  await H.shot(page, '08-sent-all');
  assert.equal(await page.$('#offline-queue'), null);
  const numbers = [];
  for (const k of ['a', 'b', 'kor']) {
    await H.openApp(page, stack.url, `#/faktura/${q[k].id}/ksef`);
    await page.waitForSelector('#ksef-history tbody tr[data-status="accepted"]');
    const accepted = await page.$$('#ksef-history tbody tr[data-status="accepted"]');
    assert.equal(accepted.length, 1, 'sent exactly once');
    assert.equal(await page.$('#ksef-history tbody tr[data-status="rejected"]'), null);
    numbers.push((await page.textContent('#ksef-history tbody tr[data-status="accepted"] .ksef-number')).trim());
  }
  assert.equal(new Set(numbers).size, 3);
  // PONÓW on an accepted invoice sends nothing
  await page.click('#ksef-retry');
  await page.waitForSelector('#ksef-msg .msg-error');
  assert.match(await page.textContent('#ksef-msg'), /ma już numer KSeF/);
  await H.openApp(page, stack.url, `#/faktura/${q.a.id}/druk`);
  await page.waitForSelector('#invoice-print');
  const figs = await page.$$('#invoice-print figure.qr');
  assert.equal(figs.length, 1);
  assert.equal((await page.textContent('#qr-kod1 svg text')).trim(), numbers[0]);
  await H.shot(page, '08-print-after-send');
});

test('a duplicate offline invoice is rejected; the technical correction flow is offered', async () => {
  const dup = await H.createInvoice(page, { buyer: 'Duplikat sp. z o.o.', number: q.b.number });
  await queueOffline(dup.id, 'offline24');
  await page.click('#ksef-retry'); // PONÓW WYSYŁKĘ → offlineMode: true
  await page.waitForSelector('#ksef-msg .msg-error', { timeout: 30_000 });
  assert.match(await page.textContent('#ksef-msg'), /ODRZUCONO.*Duplikat/);
  await page.waitForSelector('#tech-correction');
  await page.fill('#tc-number', `${q.b.number}/K`);
  await page.click('#tc-prepare');
  await page.waitForSelector('#tc-prepared');
  await page.click('#tc-send');
  await page.waitForSelector('#offline-msg .msg-success, #offline-msg .msg-error', { timeout: 30_000 });
  const t = await page.textContent('#offline-msg');
  await H.shot(page, '08-technical-correction');
  if (/hashOfCorrectedInvoice/.test(t) && /nie przekazuje/.test(t)) {
    // The package does not pass correctedHash yet: the app refuses instead of sending a plain invoice.
    assert.ok(await page.$('#tc-missing'));
  } else {
    assert.match(t, /ZAAKCEPTOWANO/);
  }
});
