// Acceptance: a reload or a browser restart mid-flow loses nothing (invoices, history,
// credentials; an interrupted bulk send resumes without sending anything twice), and
// with the network or the proxy gone the app still works and says KSeF is unreachable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

let stack, b, profile, page, sent, pending;
before(async () => {
  stack = await H.startStack();
  b = await H.launch();
  profile = b.profileDir;
  page = b.page;
  await H.setupKsef(page, stack.url);
  sent = await H.createInvoice(page, { buyer: 'Restart Sp. z o.o.' });
  assert.match(await H.sendOnline(page, sent.id), /ZAAKCEPTOWANO/);
  pending = await H.createInvoice(page, { buyer: 'Offline Sp. z o.o.' });
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

test('browser restart: invoices, history and credentials are still there', async () => {
  await b.close();
  b = await H.launch(profile);
  page = b.page;
  await H.openApp(page, stack.url);
  assert.ok(await page.$(`.vlist .inv-row[data-id="${sent.id}"]`));
  assert.ok(await page.$(`.vlist .inv-row[data-id="${pending.id}"]`));
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]');
  await H.openApp(page, stack.url, `#/faktura/${sent.id}/ksef`);
  const rows = await page.$$eval('#ksef-history tbody tr td:first-child', (t) => t.map((x) => x.textContent));
  assert.deepEqual(rows, ['ZAAKCEPTOWANO', 'WERYFIKACJA W KSEF', 'OCZEKUJE NA WYSŁANIE DO KSEF']);
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  assert.match(await page.textContent('#auth-saved'), /Authentication/);
  assert.match(await page.textContent('#offline-saved'), /Offline/);
});

test('reload in the middle of a bulk send: it resumes, nothing is sent twice', async () => {
  await generate(page, 30);
  await H.openApp(page, stack.url);
  await selectWaiting(page);
  assert.match(await page.textContent('#bulk-send'), /\(31\)/);
  // Every KSeF request now takes a while, so the reload lands in the middle of the send.
  await stack.simControl('PUT', '/_sim/faults', { latencyMs: 400 });
  await page.click('#bulk-send');
  await page.selectOption('select[aria-label="Status KSeF"]', '');
  await page.waitForFunction(() => document.querySelectorAll('.vlist .inv-row[data-status="verifying"]').length > 0);
  await H.shot(page, '08-bulk-send-in-progress');
  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  await page.selectOption('select[aria-label="Status KSeF"]', 'accepted');
  await page.waitForFunction(() => /Faktur: 32 /.test(document.querySelector('.count').textContent), null, { timeout: 120_000 });
  await stack.simControl('PUT', '/_sim/faults', { latencyMs: 0 });
  const states = await stored(page);
  assert.equal(states.jobs, 0, 'no send job left');
  const rejected = states.history.filter(([, s]) => s === 'rejected');
  assert.equal(rejected.length, 0, 'nothing was sent twice (a second send would be a duplicate)');
  const accepted = new Map();
  for (const [id, s] of states.history) if (s === 'accepted') accepted.set(id, (accepted.get(id) ?? 0) + 1);
  assert.equal(accepted.size, 32);
  assert.ok([...accepted.values()].every((n) => n === 1));
});

test('a second tab opened in the middle of a send leaves it to the first: nothing is sent twice', async () => {
  await generate(page, 6);
  await H.openApp(page, stack.url);
  const ids = await selectWaiting(page);
  assert.ok(ids.length >= 6, `${ids.length} waiting`); // the 6, and any earlier test left waiting
  const before = await stack.simControl('GET', '/_sim/stats');
  await stack.simControl('PUT', '/_sim/faults', { latencyMs: 1000 });
  await page.click('#bulk-send');
  const statuses = async (p) => (await stored(p)).history.filter(([i]) => ids.includes(i)).map(([, s]) => s);
  await until(async () => (await statuses(page)).includes('verifying'), 'tab A shows WERYFIKACJA W KSEF');
  // Tab B starts (its start resumes interrupted sends) while tab A's job is stored and running.
  const second = await b.context.newPage();
  try {
    await H.openApp(second, stack.url, `#/faktura/${ids[0]}/ksef`);
    assert.equal((await stored(second)).jobs, 1, "tab A's send is still running when tab B has started");
    // PONÓW in tab B on an invoice that tab A is sending: refused, not sent again.
    await second.waitForSelector('#ksef-retry');
    await second.click('#ksef-retry');
    await second.waitForSelector('#ksef-msg .msg-error', { timeout: 60_000 });
    assert.match(await second.textContent('#ksef-msg'), /właśnie wysyłana do KSeF \(w tej lub w innej karcie/);
    await until(async () => (await statuses(page)).filter((s) => s === 'accepted').length >= ids.length, 'tab A ends with ZAAKCEPTOWANO', 120_000);
  } finally {
    await stack.simControl('PUT', '/_sim/faults', { latencyMs: 0 });
  }
  const after = await stack.simControl('GET', '/_sim/stats');
  assert.equal(after.invoices - before.invoices, ids.length, 'the simulator received each invoice once');
  assert.equal(after.accepted - before.accepted, ids.length);
  // Tab B may still be busy; its state is the shared IndexedDB, read once both are idle.
  await new Promise((r) => setTimeout(r, 500));
  const states = await stored(second);
  await second.close();
  acceptedOnce(states, ids);
});

test('a tab closed in the middle of a send: another open tab finishes it at once', async () => {
  await generate(page, 6);
  await H.openApp(page, stack.url); // this tab stays open on the list
  const sender = await b.context.newPage();
  let ids;
  const before = await stack.simControl('GET', '/_sim/stats');
  try {
    await H.openApp(sender, stack.url);
    ids = await selectWaiting(sender);
    assert.ok(ids.length >= 6, `${ids.length} waiting`); // the 6, and any earlier test left waiting
    await stack.simControl('PUT', '/_sim/faults', { latencyMs: 1000 });
    await sender.click('#bulk-send');
    const statuses = async () => (await stored(page)).history.filter(([i]) => ids.includes(i)).map(([, s]) => s);
    await until(async () => (await statuses()).includes('verifying'), 'the sending tab shows WERYFIKACJA W KSEF');
    await sender.close(); // mid-send: its job stays stored, its lock is released
    await until(async () => (await statuses()).filter((s) => s === 'accepted').length >= ids.length,
      'the open tab finishes the job without a reload', 120_000);
  } finally {
    await stack.simControl('PUT', '/_sim/faults', { latencyMs: 0 });
    if (!sender.isClosed()) await sender.close();
  }
  const after = await stack.simControl('GET', '/_sim/stats');
  assert.equal(after.accepted - before.accepted, ids.length);
  assert.equal(after.invoices - before.invoices, ids.length, 'the simulator received each invoice once');
  const states = await stored(page);
  acceptedOnce(states, ids);
});

test('WYSYŁKA OFFLINE in one tab while another tab sends the same invoice online: the online send wins, nothing is overwritten', async () => {
  const x = await H.createInvoice(page, { buyer: 'Dwie Karty Sp. z o.o.' });
  const other = await b.context.newPage();
  try {
    await H.openApp(other, stack.url, `#/faktura/${x.id}/ksef`);
    await other.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]');
    await H.openApp(page, stack.url, `#/faktura/${x.id}/ksef`);
    await page.waitForSelector('#latarnia');
    // Every KSeF request (Latarnia included) now takes 2 s: the offline mode in this tab
    // waits for Latarnia, and meanwhile the other tab claims the invoice for an online send.
    await stack.simControl('PUT', '/_sim/faults', { latencyMs: 2000 });
    await page.click('#ksef-send');
    await page.click('[data-mode="offline24"]');
    await other.click('#ksef-send');
    await other.click('[data-mode="online"]');
    await page.waitForFunction(() => /WYSYŁKA OFFLINE/.test(document.querySelector('#ksef-msg')?.textContent ?? '') || !!document.querySelector('#ksef-msg .msg-error'), null, { timeout: 30_000 });
    assert.match(await page.textContent('#ksef-msg'), /właśnie wysyłana do KSeF \(w tej lub w innej karcie/);
    const mine = async () => (await stored(page)).history.filter(([i]) => i === x.id).map(([, s]) => s);
    await until(async () => (await mine()).includes('accepted'), 'the other tab ends with ZAAKCEPTOWANO', 120_000);
  } finally {
    await stack.simControl('PUT', '/_sim/faults', { latencyMs: 0 });
    await other.close();
  }
  const states = await stored(page);
  acceptedOnce(states, [x.id]);
  const statuses = states.history.filter(([i]) => i === x.id).map(([, s]) => s);
  assert.ok(!statuses.includes('sent_offline'), `no WYSYŁKA OFFLINE in the history: ${statuses}`);
  const row = await page.evaluate((id) => new Promise((res, rej) => {
    const o = indexedDB.open('tms-ksef-app');
    o.onerror = () => rej(o.error);
    o.onsuccess = () => {
      const r = o.result.transaction('invoices').objectStore('invoices').get(id);
      r.onsuccess = () => { o.result.close(); res(r.result); };
    };
  }), x.id);
  assert.equal(row.ksefStatus, 'accepted');
  assert.equal(row.sendMode, 'online');
  assert.equal(row.offline, undefined, 'no offline QR codes or deadline on an invoice sent online');
});

test('network cut after load: the app works from the service worker and says KSeF is unreachable', async () => {
  await H.openApp(page, stack.url);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
  await b.context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  await page.waitForSelector('#net-banner [role=alert]');
  assert.match(await page.textContent('#net-banner'), /KSeF nieosiągalny/);
  await page.fill('input[type=search]', 'Offline Sp. z o.o.');
  await page.waitForSelector(`.vlist .inv-row[data-id="${pending.id}"]`);
  await H.shot(page, '08-offline-banner');
  // Issuing still works offline; sending tells why it cannot.
  const offlineInv = await H.createInvoice(page, { buyer: 'Bez sieci S.A.' });
  assert.equal(await page.textContent('#doc-status'), 'WYSTAWIONY');
  await H.openApp(page, stack.url, `#/faktura/${offlineInv.id}/ksef`);
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-error');
  assert.match(await page.textContent('#ksef-msg'), /KSeF nieosiągalny/);
  await H.shot(page, '08-offline-send-refused');
  await b.context.setOffline(false);
  await page.waitForFunction(() => document.querySelector('#net-banner').hidden, null, { timeout: 20_000 });
});

test('proxy stopped: the banner appears and sending is refused with the reason', async () => {
  await H.openApp(page, stack.url, `#/faktura/${pending.id}/ksef`);
  await stack.stop();
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-error');
  assert.match(await page.textContent('#ksef-msg'), /KSeF nieosiągalny/);
  await page.waitForSelector('#net-banner [role=alert]');
  await H.shot(page, '08-proxy-stopped');
  await stack.start();
});

/** The app's IndexedDB, read in `p`: history rows as [invoiceId, status] and the number of stored send jobs. */
function stored(p) {
  return p.evaluate(() => new Promise((res, rej) => {
    const o = indexedDB.open('tms-ksef-app');
    o.onerror = () => rej(o.error);
    o.onsuccess = () => {
      const tx = o.result.transaction(['history', 'sendJobs']);
      const h = tx.objectStore('history').getAll();
      const j = tx.objectStore('sendJobs').count();
      tx.oncomplete = () => { o.result.close(); res({ history: h.result.map((r) => [r.invoiceId, r.status]), jobs: j.result }); };
    };
  }));
}

async function until(cond, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ustawienia → System: `n` generated invoices, issued (OCZEKUJE NA WYSŁANIE DO KSEF). */
async function generate(p, n) {
  await H.openApp(p, stack.url, '#/ustawienia/system');
  await p.fill('#gen-count', String(n));
  await p.click('#gen-run');
  await p.waitForSelector('#gen-msg .msg-success');
}

/** On the list: filters OCZEKUJE NA WYSŁANIE DO KSEF, selects them all; their ids. */
async function selectWaiting(p) {
  await p.selectOption('select[aria-label="Status KSeF"]', 'waiting_for_sending');
  const ids = await p.$$eval('.vlist .inv-row', (r) => r.map((x) => x.dataset.id).filter(Boolean));
  await p.click('.inv-head input[type=checkbox]');
  return ids;
}

/** No send job left, and each invoice has exactly one final row: ZAAKCEPTOWANO. */
function acceptedOnce(states, ids) {
  assert.equal(states.jobs, 0, 'no send job left');
  for (const id of ids) {
    const rows = states.history.filter(([i]) => i === id).map(([, s]) => s);
    assert.deepEqual(rows.filter((s) => s === 'accepted' || s === 'rejected'), ['accepted'], `${id}: ${rows.join(', ')}`);
  }
}
