// Issue 7, items 6 and 7: "⋮ → korekta faktury" (KOR prefilled from the original, allowed
// with a KSeF number or for an invoice issued outside KSeF; issued and sent like any
// invoice) and "drukuj/wyślij → pobierz" (visualisation from the sent XML, KOD I QR
// labelled with the KSeF number, decoded from a screenshot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as H from './harness.mjs';

let stack, b, page, orig;
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

async function correct(id) {
  await H.openApp(page, stack.url, `#/faktura/${id}`);
  await page.click('#more-menu');
  await page.click('#make-correction');
}

test('a correction is refused until the original has a KSeF number', async () => {
  orig = await H.createInvoice(page, { buyer: 'Collins PLC Group', price: '1626.01' });
  await correct(orig.id);
  await page.waitForSelector('#invoice-msg .msg-error');
  assert.match(await page.textContent('#invoice-msg'), /Korekta jest możliwa, gdy faktura pierwotna otrzymała numer KSeF/);
});

test('korekta faktury: KOR prefilled (before/after, reason), issued and accepted', async () => {
  assert.match(await H.sendOnline(page, orig.id), /ZAAKCEPTOWANO/);
  const ksefNumber = (await page.textContent('#ksef-history tbody tr:first-child .ksef-number')).trim();
  await correct(orig.id);
  await page.waitForURL((u) => u.hash.endsWith('/edycja'));
  await page.waitForSelector('form.editor');
  const text = await page.textContent('form.editor');
  assert.match(text, /KOREKTA/);
  assert.ok(text.includes(`Faktura korygowana: ${orig.number}`) && text.includes(`numer KSeF: ${ksefNumber}`));
  assert.equal(await page.inputValue('[data-path="buyer.name"]'), 'Collins PLC Group');
  assert.match(await page.textContent('tr.line.before'), /Transport Warszawa – Poznań.*1626\.01/);
  assert.equal(await page.inputValue('[data-path="correction.lines.0.after.price"]'), '1626.01');
  // The reason is required: issuing without it shows the error.
  await page.fill('[data-path="correction.lines.0.after.price"]', '1463.41');
  await page.fill('[data-path="correction.reason"]', 'obniżka ceny o 200 zł z uwagi na opóźnienie');
  await page.waitForFunction(() => /Brutto: -200,00/.test(document.querySelector('#draft-totals')?.textContent ?? ''));
  await H.shot(page, '06-correction-editor');
  await page.click('#issue');
  await page.waitForURL((u) => /#\/faktura\/[\w-]+$/.test(u.hash) && !u.hash.endsWith('/edycja'));
  const kor = page.url().split('/').pop();
  assert.match(await page.textContent('.page-head h1'), /KOREKTA FV\/2\//);
  assert.match(await H.sendOnline(page, kor), /ZAAKCEPTOWANO/);
  await H.shot(page, '06-correction-accepted');
  const xml = await H.download(page, () => page.click('#ksef-xml'));
  const s = xml.bytes.toString('utf8');
  assert.ok(s.includes('<RodzajFaktury>KOR</RodzajFaktury>'));
  assert.ok(s.includes(`<NrKSeFFaKorygowanej>${ksefNumber}</NrKSeFFaKorygowanej>`));
  assert.ok(s.includes('<StanPrzed>1</StanPrzed>'));
  assert.ok(s.includes('<P_15>-200.00</P_15>'));
});

test('an invoice issued outside KSeF can be corrected (NrKSeFN)', async () => {
  const out = await H.createInvoice(page, { buyer: 'Historyczny Klient', outside: true });
  await H.openApp(page, stack.url, `#/faktura/${out.id}/ksef`);
  assert.match(await page.textContent('main'), /Faktura wystawiona poza KSeF/);
  await correct(out.id);
  await page.waitForURL((u) => u.hash.endsWith('/edycja'));
  assert.match(await page.textContent('form.editor'), /wystawiona poza KSeF \(bez numeru KSeF\)/);
  await page.fill('[data-path="correction.reason"]', 'błędna cena');
  await page.fill('[data-path="correction.lines.0.after.price"]', '1700.00');
  await page.click('#issue');
  await page.waitForURL((u) => /#\/faktura\/[\w-]+$/.test(u.hash) && !u.hash.endsWith('/edycja'));
  const kor = page.url().split('/').pop();
  assert.match(await H.sendOnline(page, kor), /ZAAKCEPTOWANO/);
  const xml = await H.download(page, () => page.click('#ksef-xml'));
  assert.ok(xml.bytes.toString('utf8').includes('<NrKSeFN>1</NrKSeFN>'));
});

test('print: visualisation from the sent XML with KOD I labelled with the KSeF number', async () => {
  await H.openApp(page, stack.url, `#/faktura/${orig.id}/ksef`);
  const ksefNumber = (await page.textContent('#ksef-history tbody tr:first-child .ksef-number')).trim();
  const xml = await H.download(page, () => page.click('#ksef-xml'));
  await H.openApp(page, stack.url, `#/faktura/${orig.id}`);
  await page.click('#print-menu');
  await page.click('#print-download');
  await page.waitForSelector('#invoice-print');
  const t = await page.textContent('#invoice-print');
  for (const must of ['Faktura VAT nr ' + orig.number, 'Sprzedawca', 'Trans-Log sp. z o.o.', 'NIP: 5265877635', 'Nabywca', 'Collins PLC Group',
    'NIP: 1111111111', 'Data wystawienia', 'Data dostawy / wykonania usługi', 'Transport Warszawa – Poznań', '1\u00a0626,01', '23%',
    'Razem do zapłaty', '1\u00a0999,99 PLN', 'Termin płatności', 'przelew', 'Rachunek: 73111111111111111111111111', `Numer KSeF: ${ksefNumber}`]) {
    assert.ok(t.includes(must), `printout shows: ${must}`);
  }
  assert.equal((await page.textContent('#qr-kod1 svg text')).trim(), ksefNumber);
  const url = await page.getAttribute('#qr-kod1', 'data-url');
  const hash = createHash('sha256').update(xml.bytes).digest('base64url');
  const p1 = /<P_1>(\d{4})-(\d{2})-(\d{2})<\/P_1>/.exec(xml.bytes.toString('utf8'));
  assert.equal(url, `https://qr-test.ksef.mf.gov.pl/invoice/5265877635/${p1[3]}-${p1[2]}-${p1[1]}/${hash}`);
  // Decode the QR from a screenshot of the printout.
  const png = await page.locator('#qr-kod1 svg').screenshot();
  assert.equal(await H.decodeQr(b.context, png), url);
  // The simulator knows the invoice behind the link.
  const r = await fetch(`${stack.simBase}/qr/invoice/5265877635/${p1[3]}-${p1[2]}-${p1[1]}/${hash}`);
  assert.equal(r.status, 200);
  await H.shot(page, '07-print');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.$eval('.topbar', (e) => getComputedStyle(e).display), 'none');
  mkdirSync(H.ARTIFACTS, { recursive: true });
  writeFileSync(join(H.ARTIFACTS, '07-print.pdf'), await page.pdf({ format: 'A4' }));
  await page.emulateMedia({ media: 'screen' });
});

test('print before acceptance: no QR, a notice instead', async () => {
  const inv = await H.createInvoice(page, { buyer: 'Niewysłany Klient' });
  await H.openApp(page, stack.url, `#/faktura/${inv.id}/druk`);
  await page.waitForSelector('#invoice-print');
  assert.equal(await page.$('#qr-kod1'), null);
  assert.match(await page.textContent('main'), /nie ma jeszcze numeru KSeF/);
});
