// Issue 7, item 1: users with the three KSeF permissions, the switch "Uprawnienia
// aktywne", actions refused in the UI with a message, and the proxy refusing the same
// requests for the user's token (403).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

let stack, b, page, inv;
before(async () => {
  stack = await H.startStack(); // the harness always runs --demo-tokens
  b = await H.launch();
  page = b.page;
  await H.setupKsef(page, stack.url);
  inv = await H.createInvoice(page, { buyer: 'Klient Uprawnienia' });
});
after(async () => {
  await b?.close();
  b?.remove();
  await stack?.stop();
});

const asUser = async (id) => {
  await page.selectOption('#user-switcher', id);
  await page.waitForFunction((u) => document.querySelector('#user-switcher').value === u, id);
};

test('Użytkownicy/grupy: the three KSEF permissions with the product labels', async () => {
  await H.openApp(page, stack.url, '#/ustawienia/uzytkownicy/spedytor');
  const t = await page.textContent('#user-edit');
  assert.match(t, /KSEF/);
  assert.match(t, /Może wyświetlić: dane dokumentu w ksef \(ksef\.view_document\)/);
  assert.match(t, /Może zmienić: ustawienia \(ksef\.change_settings\)/);
  assert.match(t, /Może zmienić: dane dokumentu w ksef \(ksef\.change_document\)/);
  assert.ok(await page.isChecked('#user-edit input[name="ksef.view_document"]'));
  assert.ok(!(await page.isChecked('#user-edit input[name="ksef.change_document"]')));
  await H.shot(page, '01-users-permissions');
});

test('switch off: everyone may do everything', async () => {
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  await asUser('gosc');
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  assert.ok(await page.$('#ksef-history'));
});

test('switch on: missing permissions are refused with a message', async () => {
  await H.openApp(page, stack.url, '#/ustawienia/system');
  await page.check('#perms-active');
  // The switch is saved asynchronously (IndexedDB); the confirmation says it is stored.
  await page.waitForSelector('text=Uprawnienia są teraz weryfikowane');
  await page.waitForSelector('main .msg-success');
  await H.shot(page, '01-system-permissions-active');

  // Gość: nothing.
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  assert.match(await page.textContent('main'), /Brak uprawnienia „Może wyświetlić: dane dokumentu w ksef” \(ksef\.view_document\)/);
  assert.equal(await page.$('#ksef-history'), null);
  await H.shot(page, '01-refused-view');
  await H.openApp(page, stack.url, '#/ustawienia/rozliczenia/ksef');
  await page.click('#authorize');
  assert.match(await page.textContent('#auth-action-msg'), /Brak uprawnienia „Może zmienić: ustawienia” \(ksef\.change_settings\)/);
  await page.click('#ksef-save');
  assert.match(await page.textContent('#ksef-settings-msg'), /ksef\.change_settings/);
  await page.click('.topbar .ksef-status');
  await page.waitForSelector('.toast.msg-error');
  assert.match(await page.textContent('.toasts'), /ksef\.change_settings/);
  await H.openApp(page, stack.url);
  await page.click(`.vlist .inv-row[data-id="${inv.id}"] input[type=checkbox]`);
  await page.click('#bulk-send');
  assert.match(await page.textContent('.bulk-results'), /Brak uprawnienia „Może zmienić: dane dokumentu w ksef” \(ksef\.change_document\)/);
  assert.match(await page.locator(`.vlist .inv-row[data-id="${inv.id}"] .c-ksef`).textContent(), /—/);

  // Spedytor: may view, not send.
  await asUser('spedytor');
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  assert.ok(await page.$('#ksef-history'));
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-error');
  assert.match(await page.textContent('#ksef-msg'), /ksef\.change_document/);
  await H.shot(page, '01-refused-send');

  // The reloads above as users without ksef.change_settings could not log in again
  // (the proxy refuses /auth for them): the administrator authorizes, then Księgowa
  // sends on the same page (the KSeF session stays in memory).
  await asUser('admin');
  await page.click('.topbar .ksef-status');
  await page.waitForSelector('.topbar .ksef-status[data-state="ACCEPTED"]');
  await asUser('ksiegowa');
  await page.waitForSelector('#ksef-send');
  await page.click('#ksef-send');
  await page.click('[data-mode="online"]');
  await page.waitForSelector('#ksef-msg .msg-success', { timeout: 60_000 });
  assert.match(await page.textContent('#ksef-msg'), /ZAAKCEPTOWANO/);
});

test('the proxy enforces the same permissions for the user token (403)', async (t) => {
  const token = async (permissions) => {
    const r = await fetch(`${stack.url}/_demo/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'spedytor', permissions, permissionsActive: true }),
    });
    return r.ok ? (await r.json()).token : undefined;
  };
  const viewOnly = await token(['ksef.view_document']);
  assert.ok(viewOnly, 'POST /_demo/token mints a user token (ksef-proxy --demo-tokens)');
  const open = (tok) => fetch(`${stack.url}/sim/v2/sessions/online`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-app-authorization': `Bearer ${tok}` }, body: '{}',
  });
  const refused = await open(viewOnly);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /ksef\.change_document/);
  const allowed = await open(await token(['ksef.view_document', 'ksef.change_document']));
  assert.notEqual(allowed.status, 403);
  // The app's own requests carry the token: as Spedytor, a send attempt from the page is refused by the proxy.
  await asUser('spedytor');
  const status = await page.evaluate(async () => {
    const t = await fetch('/_demo/token', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'spedytor', permissions: ['ksef.view_document'], permissionsActive: true }) }).then((r) => r.json());
    return (await fetch('/sim/v2/sessions/online', { method: 'POST', headers: { 'x-app-authorization': `Bearer ${t.token}`, 'content-type': 'application/json' }, body: '{}' })).status;
  });
  assert.equal(status, 403);
});

test('switch off again: Gość sees the KSEF panel', async () => {
  await asUser('gosc');
  await H.openApp(page, stack.url, '#/ustawienia/system');
  await page.uncheck('#perms-active');
  await page.waitForSelector('text=Uprawnienia wyłączone');
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/ksef`);
  assert.ok(await page.$('#ksef-history'));
});
