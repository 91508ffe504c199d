// Issue 7, items 4 and 5: the invoice list and editor (every field error shown, issue →
// WYSTAWIONY with a number), sending one invoice (ZAAKCEPTOWANO, KSeF number, Sukces),
// five at once from the list (progress, per-invoice result), a duplicate (ODRZUCONO,
// "Duplikat faktury" + details), XML and UPO downloads, sending while ERROR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as H from './harness.mjs';

const KSEF_NO = /^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/;
let stack, b, page, first;
before(async () => {
  stack = await H.startStack();
  b = await H.launch();
  page = b.page;
  await H.setupKsef(page, stack.url);
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

test('editor shows every field error, then issues WYSTAWIONY with a number', async () => {
  await H.openApp(page, stack.url, '#/faktura/nowa');
  await page.fill('[data-path="buyer.nip"]', '123');
  await page.fill('[data-path="lines.0.quantity"]', '3,5');
  await page.click('#issue');
  await page.waitForSelector('#draft-errors .msg-error');
  const errors = await page.$$eval('#draft-errors li', (li) => li.map((x) => x.textContent));
  for (const p of ['buyer.nip', 'buyer.name', 'buyer.address', 'lines[0].quantity', 'lines[0].name', 'lines[0].unitNetPrice']) {
    assert.ok(errors.some((e) => e.startsWith(p)), `${p} in ${errors.join(' | ')}`);
  }
  assert.ok(await page.$('[data-path="buyer.nip"].invalid'));
  assert.ok(await page.$('[data-path="lines.0.quantity"].invalid'));
  await H.shot(page, '04-editor-errors');

  first = await H.createInvoice(page, { buyer: 'Collins PLC Group' });
  assert.match(first.number, /^FV\/1\/\d{2}\/\d{4}$/);
  assert.equal(await page.textContent('#doc-status'), 'WYSTAWIONY');
  assert.ok(await page.$('#tab-ksef'), 'the KSEF tab appears once issued');
  await H.openApp(page, stack.url);
  const row = page.locator(`.vlist .inv-row[data-id="${first.id}"]`);
  assert.match(await row.textContent(), /Collins PLC Group.*WYSTAWIONY.*OCZEKUJE NA WYSŁANIE DO KSEF.*online/);
  await H.shot(page, '04-list');
});

test("two tabs: issuing at the same moment never gives the same number; each list shows the other tab's invoices", async () => {
  const second = await b.context.newPage();
  try {
    await H.openApp(second, stack.url);
    const numbers = [];
    for (let round = 0; round < 4; round++) {
      await H.fillInvoice(page, { buyer: `Karta A ${round}` });
      await H.fillInvoice(second, { buyer: `Karta B ${round}` });
      // Both clicks at the same instant (a timer in each page, one shared deadline).
      const at = Date.now() + 300;
      await Promise.all([page, second].map((p) => p.evaluate((t) => {
        setTimeout(() => document.querySelector('#issue').click(), t - Date.now());
      }, at)));
      const [x, y] = await Promise.all([H.issued(page), H.issued(second)]);
      numbers.push(x.number, y.number);
    }
    assert.equal(new Set(numbers).size, numbers.length, `distinct: ${numbers.join(', ')}`);
    // {n} counts on without gaps (FV/2 … FV/9 after FV/1 above).
    const n = numbers.map((x) => Number(/^FV\/(\d+)\//.exec(x)[1])).sort((p, q) => p - q);
    assert.deepEqual(n, n.map((_, i) => n[0] + i), `consecutive: ${n.join(', ')}`);
    // A list open in one tab shows what the other tab issues, without a reload.
    await H.openApp(second, stack.url);
    const other = await H.createInvoice(page, { buyer: 'Widoczna w drugiej karcie' });
    await second.waitForSelector(`.vlist .inv-row[data-id="${other.id}"]`, { timeout: 5000 });
    assert.match(await second.textContent(`.vlist .inv-row[data-id="${other.id}"]`), /Widoczna w drugiej karcie.*WYSTAWIONY/);
  } finally {
    await second.close();
  }
});

test('send one: ZAAKCEPTOWANO with a KSeF number and Sukces; history; XML and UPO', async () => {
  const text = await H.sendOnline(page, first.id);
  assert.match(text, /ZAAKCEPTOWANO/);
  const rows = await page.$$eval('#ksef-history tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent.trim())));
  assert.deepEqual(rows.map((r) => r[0]), ['ZAAKCEPTOWANO', 'WERYFIKACJA W KSEF', 'OCZEKUJE NA WYSŁANIE DO KSEF']);
  assert.match(rows[0][1], KSEF_NO);
  assert.equal(rows[0][4], 'Sukces');
  assert.match(await page.textContent('.pager'), /Wierszy na stronie:.*1-3 z 3/);
  assert.match(await page.textContent('#send-mode'), /TRYB WYSYŁKI: online/);
  await H.shot(page, '05-ksef-panel-accepted');

  const xml = await H.download(page, () => page.click('#ksef-xml'));
  assert.match(xml.name, /\.xml$/);
  const text2 = xml.bytes.toString('utf8');
  assert.match(text2, /^<\?xml/);
  assert.ok(text2.includes(`<P_2>${first.number}</P_2>`));

  await page.click('button.upo');
  await page.waitForSelector('#upo-tree');
  const tree = await page.textContent('#upo-tree');
  assert.match(tree, /Potwierdzenie/);
  assert.ok(tree.includes(rows[0][1]), 'the UPO names the KSeF number');
  assert.ok(await page.$('#upo-tree details'), 'collapsible tree');
  await H.shot(page, '05-upo-tree');
  const upo = await H.download(page, () => page.click('#upo-save'));
  assert.match(upo.name, /^UPO_.*\.xml$/);
  assert.match(upo.bytes.toString('utf8'), /NumerKSeFDokumentu/);
  // The sent bytes are the stored ones: the UPO's hash is the SHA-256 of the XML file.
  const hash = createHash('sha256').update(xml.bytes).digest('base64');
  assert.ok(upo.bytes.toString('utf8').includes(hash), 'UPO hash = SHA-256 of the downloaded XML');
});

test('five at once from the list: progress bar and a result per invoice', async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await H.createInvoice(page, { buyer: `Booth, Moore and James ${i}`, price: `${100 + i}.00` })).id);
  await H.openApp(page, stack.url);
  for (const id of ids) await page.click(`.vlist .inv-row[data-id="${id}"] input[type=checkbox]`);
  assert.match(await page.textContent('#bulk-send'), /Wyślij do KSeF \(5\)/);
  await page.click('#bulk-send');
  await page.waitForSelector('#bulk-progress');
  await page.waitForSelector('table.results', { timeout: 60_000 });
  const res = await page.$$eval('table.results tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent.trim())));
  assert.equal(res.length, 5);
  for (const r of res) {
    assert.equal(r[1], 'ZAAKCEPTOWANO');
    assert.match(r[2], KSEF_NO);
  }
  assert.match(await page.textContent('.bulk-results'), /Wysłano 5: zaakceptowano 5, odrzucono 0/);
  await page.waitForFunction((n) => document.querySelectorAll('.vlist .inv-row[data-status="accepted"]').length >= n, 6);
  await H.shot(page, '04-list-bulk-sent');
});

test('duplicate: ODRZUCONO, no number, "Duplikat faktury" and the details', async () => {
  const dup = await H.createInvoice(page, { number: first.number, buyer: 'Williams, Connor and Thompson Ltd' });
  const text = await H.sendOnline(page, dup.id);
  assert.match(text, /ODRZUCONO: Duplikat faktury/);
  const top = await page.$$eval('#ksef-history tbody tr:first-child td', (tds) => tds.map((c) => c.textContent.trim()));
  assert.equal(top[0], 'ODRZUCONO');
  assert.equal(top[1], '');
  assert.equal(top[4], 'Duplikat faktury');
  assert.match(top[5], /Duplikat faktury\. Faktura o numerze KSeF: .* została już prawidłowo przesłana/);
  await H.shot(page, '05-ksef-panel-rejected-duplicate');
  await H.openApp(page, stack.url);
  assert.match(await page.locator(`.vlist .inv-row[data-id="${dup.id}"]`).textContent(), /ODRZUCONO/);
});

test('issued yesterday, not sent: the panel and the list say KSeF takes it as offline and by when; sent from the list, the history shows the Offline mode', async () => {
  const DAY = 86_400_000;
  const warsaw = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(d);
  const today = warsaw(new Date());
  const yesterday = warsaw(new Date(Date.parse(`${today}T12:00:00Z`) - DAY));
  await H.fillInvoice(page, { buyer: 'Wczoraj Sp. z o.o.' });
  await page.fill('[data-path="issueDate"]', yesterday);
  await page.click('#issue');
  const x = await H.issued(page);
  await H.openApp(page, stack.url, `#/faktura/${x.id}/ksef`);
  await page.waitForSelector('#auto-offline');
  const text = await page.textContent('#auto-offline');
  assert.ok(text.includes(`Data wystawienia (P_1) ${yesterday} jest wcześniejsza niż dzisiejsza.`), text);
  assert.match(text, /KSeF przyjmie tę fakturę jako wystawioną w trybie offline/);
  // offline24: the next business day after P_1 (a weekend and holidays in between: at most a week).
  const deadline = await page.getAttribute('#auto-offline', 'data-deadline');
  assert.ok(deadline > yesterday && deadline <= warsaw(new Date(Date.parse(`${yesterday}T12:00:00Z`) + 7 * DAY)), deadline);
  assert.ok(text.includes(deadline), text);
  const state = today > deadline ? 'overdue' : today === deadline ? 'due_today' : 'in_time';
  assert.equal(await page.getAttribute('#auto-offline', 'data-state'), state);
  await H.shot(page, '04-auto-offline-warning');
  // The list says it too, with the same deadline, and sends them from there.
  await H.openApp(page, stack.url);
  await page.waitForSelector('#late-queue');
  assert.equal(await page.getAttribute('#late-queue', 'data-count'), '1'); // every other invoice here is dated today
  assert.equal(await page.getAttribute('#late-queue', 'data-overdue'), state === 'overdue' ? '1' : '0');
  assert.equal(await page.getAttribute('#late-queue', 'data-today'), state === 'due_today' ? '1' : '0');
  if (state !== 'in_time') assert.ok((await page.textContent(state === 'overdue' ? '#late-overdue' : '#late-due-today')).includes(x.number));
  await H.shot(page, '04-late-queue');
  await page.click('#send-late-all');
  await page.waitForSelector('#late-sent', { timeout: 60_000 });
  assert.equal(await page.textContent('#late-sent'), 'Wysłano 1: zaakceptowano 1.');
  await page.waitForFunction(() => !document.querySelector('#late-queue'));
  // The simulator, like KSeF, set invoicingMode Offline (offlineMode was false).
  await H.openApp(page, stack.url, `#/faktura/${x.id}/ksef`);
  await page.waitForSelector('#ksef-history tbody tr[data-status="accepted"] .auto-offline');
  assert.equal(await page.$('#auto-offline'), null);
});

test('sending while the authorization status is ERROR gives a clear message', async () => {
  const inv = await H.createInvoice(page, { buyer: 'Klient ERROR' });
  // A wrong password on ZAPISZ puts the status to ERROR (manual II.A).
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await H.saveWrongPassword(page);
  await page.waitForSelector('.topbar .ksef-status[data-state="ERROR"]');
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  await page.waitForSelector('#ksef-send');
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-error');
  assert.match(await page.textContent('#ksef-msg'), /nieprawidłowy status logowania do KSeF \(ERROR: Nieprawidłowe hasło/);
  await H.shot(page, '05-send-while-error');
  // Offline modes are listed (their flow arrives with issue 8).
  await page.click('#ksef-send');
  for (const m of ['offline24', 'unavailability', 'emergency']) assert.ok(await page.$(`[data-mode="${m}"]`));
  await page.keyboard.press('Escape');
  // Authorize again for the following tests.
  await page.click('.topbar .ksef-status');
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]');
});
