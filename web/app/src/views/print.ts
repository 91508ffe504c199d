// "drukuj/wyślij → pobierz": the invoice visualisation, rendered in the browser from the
// exact XML bytes that were issued and sent (parseXml of the stored bytes, never from the
// draft), with the data art. 106e of the VAT Act requires and KOD I (QR) labelled with the
// KSeF number once accepted. Print CSS makes it an A4 page; PDF via the browser's print.
// Offline printouts (KOD I "OFFLINE" + KOD II "CERTYFIKAT") plug in via `qrProviders`.

import { kod1Url, parseXml, qrSvg } from 'ksef-module';
import { fmtAmount, fmtShort, h, message, replace } from '../ui/dom';
import * as inv from '../data/invoices';
import { env, initKsef, offlineCertCheckFor, offlineCertCheckText } from '../data/ksef';
import type { InvoiceRow } from '../data/model';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type X = any;

export interface QrBlock { url: string; label: string; caption: string; id: string }
/** Extension point (issue 8): extra QR codes for a row, e.g. offline KOD I/KOD II. */
export const qrProviders: ((row: InvoiceRow, xml: Uint8Array, fa: X) => Promise<QrBlock[]>)[] = [];

const KIND_TITLE: Record<string, string> = {
  VAT: 'Faktura VAT', KOR: 'Faktura korygująca', ZAL: 'Faktura zaliczkowa', ROZ: 'Faktura rozliczeniowa',
  UPR: 'Faktura uproszczona', KOR_ZAL: 'Faktura korygująca fakturę zaliczkową', KOR_ROZ: 'Faktura korygująca fakturę rozliczeniową',
};
const BUCKETS: [string, string, string, string][] = [
  ['P_13_1', 'P_14_1', 'P_14_1W', '23% / 22%'], ['P_13_2', 'P_14_2', 'P_14_2W', '8% / 7%'], ['P_13_3', 'P_14_3', 'P_14_3W', '5%'],
  ['P_13_4', 'P_14_4', 'P_14_4W', '4% / 3%'], ['P_13_5', 'P_14_5', '', 'procedura szczególna OSS'],
  ['P_13_6_1', '', '', '0% (dostawa w kraju)'], ['P_13_6_2', '', '', '0% WDT'], ['P_13_6_3', '', '', '0% eksport'],
  ['P_13_7', '', '', 'zw (zwolnione)'], ['P_13_8', '', '', 'np (poza terytorium kraju)'], ['P_13_9', '', '', 'np (art. 100 ust. 1 pkt 4)'],
  ['P_13_10', '', '', 'oo (odwrotne obciążenie)'], ['P_13_11', '', '', 'marża'],
];
const PAYMENT: Record<string, string> = { '1': 'gotówka', '2': 'karta', '3': 'bon', '4': 'czek', '5': 'kredyt', '6': 'przelew', '7': 'płatność mobilna' };
const CORR_TYPE: Record<string, string> = { '1': 'w dacie ujęcia faktury pierwotnej', '2': 'w dacie wystawienia faktury korygującej', '3': 'w dacie innej' };

const arr = (v: X): X[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const add = (a: string | undefined, b: string | undefined) => (Number(a ?? 0) + Number(b ?? 0)).toFixed(2);

function party(title: string, p: X): HTMLElement {
  const id = p?.DaneIdentyfikacyjne ?? {};
  const a = p?.Adres ?? {};
  const ident = id.NIP ? `NIP: ${p.PrefiksPodatnika ?? ''}${id.NIP}` : id.NrVatUE ? `VAT UE: ${id.KodUE}${id.NrVatUE}` : id.NrID ? `Nr identyfikacyjny: ${id.KodKraju ?? ''} ${id.NrID}` : 'Nabywca bez identyfikatora podatkowego';
  return h('div', { class: 'party' }, h('h3', null, title), h('p', { class: 'name' }, id.Nazwa ?? ''),
    h('p', null, ident), h('p', null, [a.AdresL1, a.AdresL2].filter(Boolean).join(', '), a.KodKraju && a.KodKraju !== 'PL' ? ` (${a.KodKraju})` : ''),
    arr(p?.DaneKontaktowe).map((c: X) => h('p', { class: 'small' }, [c.Email && `e-mail: ${c.Email}`, c.Telefon && `tel.: ${c.Telefon}`].filter(Boolean).join(', '))),
    p?.NrKlienta && h('p', { class: 'small' }, `Numer klienta: ${p.NrKlienta}`));
}

function linesTable(fa: X): HTMLElement {
  const rows = arr(fa.FaWiersz);
  const gross = rows.some((r: X) => r.P_9B !== undefined || r.P_11A !== undefined);
  const kor = String(fa.RodzajFaktury).startsWith('KOR');
  return h('table', { class: 'p-lines' },
    h('thead', null, h('tr', null, h('th', null, 'Lp.'), kor && h('th', null, 'Stan'), h('th', null, 'Nazwa towaru lub usługi'), h('th', null, 'J.m.'), h('th', null, 'Ilość'),
      h('th', null, gross ? 'Cena jedn. brutto' : 'Cena jedn. netto'), h('th', null, 'Rabat'), h('th', null, gross ? 'Wartość brutto' : 'Wartość netto'), h('th', null, 'Stawka VAT'))),
    h('tbody', null, rows.map((r: X) => h('tr', { class: r.StanPrzed === '1' ? 'before' : '' },
      h('td', null, String(r.NrWierszaFa ?? '')), kor && h('td', null, r.StanPrzed === '1' ? 'przed korektą' : 'po korekcie'),
      h('td', null, r.P_7 ?? '', [r.Indeks && `indeks: ${r.Indeks}`, r.PKWiU && `PKWiU: ${r.PKWiU}`, r.CN && `CN: ${r.CN}`, r.GTU && r.GTU, r.P_6A && `data dostawy: ${r.P_6A}`, r.KursWaluty && `kurs: ${r.KursWaluty}`].filter(Boolean).map((t: string) => h('div', { class: 'small' }, t))),
      h('td', null, r.P_8A ?? ''), h('td', { class: 'num' }, r.P_8B ?? ''), h('td', { class: 'num' }, fmtAmount(r.P_9A ?? r.P_9B)),
      h('td', { class: 'num' }, fmtAmount(r.P_10)), h('td', { class: 'num' }, fmtAmount(r.P_11 ?? r.P_11A)), h('td', null, rateLabel(r.P_12))))));
}

const rateLabel = (r: string | undefined) => (r === undefined ? '' : /^\d+$/.test(r) ? `${r}%` : r);

function vatSummary(fa: X): HTMLElement {
  const cur = fa.KodWaluty ?? 'PLN';
  const rows = BUCKETS.filter(([n]) => fa[n] !== undefined);
  const pln = cur !== 'PLN';
  return h('table', { class: 'p-vat' },
    h('thead', null, h('tr', null, h('th', null, 'Stawka'), h('th', null, `Netto (${cur})`), h('th', null, `VAT (${cur})`), pln && h('th', null, 'VAT (PLN)'), h('th', null, `Brutto (${cur})`))),
    h('tbody', null, rows.map(([n, t, w, label]) => h('tr', null, h('td', null, label), h('td', { class: 'num' }, fmtAmount(fa[n])),
      h('td', { class: 'num' }, t ? fmtAmount(fa[t]) : '—'), pln && h('td', { class: 'num' }, w && fa[w] ? fmtAmount(fa[w]) : '—'),
      h('td', { class: 'num' }, fmtAmount(add(fa[n], t ? fa[t] : '0')))))),
    h('tfoot', null, h('tr', null, h('th', null, 'Razem do zapłaty'), h('td', { colSpan: pln ? 4 : 3, class: 'num total', id: 'p15' }, `${fmtAmount(fa.P_15)} ${cur}`))));
}

function annotations(fa: X): HTMLElement | null {
  const a = fa.Adnotacje ?? {};
  const items = [
    a.P_16 === '1' && 'metoda kasowa', a.P_17 === '1' && 'samofakturowanie', a.P_18 === '1' && 'odwrotne obciążenie',
    a.P_18A === '1' && 'mechanizm podzielonej płatności',
    a.Zwolnienie?.P_19 === '1' && `zwolnienie z podatku: ${a.Zwolnienie.P_19A ?? a.Zwolnienie.P_19B ?? a.Zwolnienie.P_19C ?? ''}`,
    a.NoweSrodkiTransportu?.P_22 === '1' && 'wewnątrzwspólnotowa dostawa nowych środków transportu',
    a.P_23 === '1' && 'procedura uproszczona (VAT: faktura WE uproszczona na mocy art. 135–138)',
    a.PMarzy?.P_PMarzy === '1' && 'procedura marży',
  ].filter(Boolean) as string[];
  return items.length ? h('div', { class: 'p-notes' }, h('h3', null, 'Adnotacje'), h('ul', null, items.map((t) => h('li', null, t)))) : null;
}

function correction(fa: X): HTMLElement | null {
  if (!fa.PrzyczynaKorekty && !fa.DaneFaKorygowanej) return null;
  return h('div', { class: 'p-corr' }, h('h3', null, 'Dane faktury korygowanej'),
    fa.PrzyczynaKorekty && h('p', null, `Przyczyna korekty: ${fa.PrzyczynaKorekty}`),
    fa.TypKorekty && h('p', null, `Typ korekty: ${fa.TypKorekty} – skutek ${CORR_TYPE[fa.TypKorekty] ?? ''}`),
    arr(fa.DaneFaKorygowanej).map((d: X) => h('p', null, `Faktura korygowana: ${d.NrFaKorygowanej} z dnia ${d.DataWystFaKorygowanej}, `,
      d.NrKSeFFaKorygowanej ? `numer KSeF: ${d.NrKSeFFaKorygowanej}` : 'wystawiona poza KSeF')),
    fa.P_15ZK && h('p', null, `Kwota należności przed korektą: ${fmtAmount(fa.P_15ZK)}`));
}

function payment(fa: X): HTMLElement | null {
  const p = fa.Platnosc;
  if (!p) return null;
  return h('div', { class: 'p-pay' }, h('h3', null, 'Płatność'),
    p.FormaPlatnosci && h('p', null, `Forma płatności: ${PAYMENT[p.FormaPlatnosci] ?? p.FormaPlatnosci}`),
    arr(p.TerminPlatnosci).map((t: X) => t.Termin && h('p', null, `Termin płatności: ${t.Termin}`)),
    p.Zaplacono === '1' && h('p', null, `Zapłacono${p.DataZaplaty ? ` dnia ${p.DataZaplaty}` : ''}`),
    arr(p.RachunekBankowy).map((r: X) => h('p', null, `Rachunek: ${r.NrRB}`, r.SWIFT ? ` (SWIFT ${r.SWIFT})` : '', r.NazwaBanku ? `, ${r.NazwaBanku}` : '')));
}

/** On screen only: the KOD II about to be printed was signed with a certificate that KSeF
 *  holds as revoked, blocked or expired (as of the last answer), so it will fail when the
 *  buyer scans it (DIGEST §14). */
async function revokedKod2(qrs: QrBlock[]): Promise<HTMLElement | null> {
  const kod2 = qrs.find((q) => q.id === 'kod2');
  const serial = kod2 && /\/certificate\/[^/]+\/[^/]+\/[^/]+\/([0-9A-F]{16})\//.exec(kod2.url)?.[1];
  const check = serial ? await offlineCertCheckFor(serial) : undefined;
  const said = check && offlineCertCheckText(check);
  if (!said || said.level !== 'error') return null;
  const el = message('error', `Kod QR „CERTYFIKAT” na tym wydruku nie przejdzie weryfikacji: certyfikat offline ${serial}, ` +
    `którym go podpisano, ${said.short}. Wyślij fakturę do KSeF: po jej przyjęciu wydruk ma kod QR z numerem KSeF, bez kodu CERTYFIKAT.`);
  el.id = 'print-kod2-revoked';
  return el;
}

function svgNode(markup: string): Node {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(doc.documentElement, true);
}

/** KOD I: the verification link of the exact bytes; labelled with the KSeF number. */
async function qrBlocks(row: InvoiceRow, xml: Uint8Array, fa: X, sellerNip: string): Promise<QrBlock[]> {
  const blocks: QrBlock[] = [];
  if (row.ksefStatus === 'accepted' && row.ksefNumber) {
    blocks.push({ id: 'kod1', url: kod1Url(await env(), sellerNip, fa.P_1, xml), label: row.ksefNumber, caption: 'Zweryfikuj fakturę w KSeF' });
  }
  for (const p of qrProviders) blocks.push(...(await p(row, xml, fa)));
  return blocks;
}

export async function printView(root: HTMLElement, params: string[]): Promise<void> {
  await initKsef();
  const id = params[0];
  const row = await inv.get(id);
  const xml = await inv.getXml(id);
  if (!row || !xml) return replace(root, message('error', 'Wizualizacja jest dostępna dla faktury wystawionej (z plikiem XML).'));
  const doc: X = parseXml(xml);
  const fa = doc.Fa;
  const sellerNip = doc.Podmiot1?.DaneIdentyfikacyjne?.NIP ?? '';
  const qrs = await qrBlocks(row, xml, fa, sellerNip);
  const kod2Warning = await revokedKod2(qrs);
  document.body.classList.add('print-mode');
  const notes = arr(fa.DodatkowyOpis);
  const footer = arr(doc.Stopka?.Informacje).map((i: X) => i.StopkaFaktury).filter(Boolean);
  const period = fa.OkresFa ? `${fa.OkresFa.P_6_Od} – ${fa.OkresFa.P_6_Do}` : undefined;
  replace(root,
    h('div', { class: 'no-print toolbar' },
      h('button', { type: 'button', class: 'primary', id: 'print-now', onclick: () => window.print() }, 'Drukuj / zapisz PDF'),
      h('a', { href: `#/faktura/${id}`, class: 'button' }, 'Wróć'),
      row.ksefStatus !== 'accepted' && message('warning', 'Faktura nie ma jeszcze numeru KSeF: kod QR z numerem KSeF pojawi się po akceptacji w KSeF.'),
      kod2Warning),
    h('article', { class: 'invoice-print', id: 'invoice-print' },
      h('header', { class: 'p-head' },
        h('div', null, h('h1', null, `${KIND_TITLE[fa.RodzajFaktury] ?? 'Faktura'} nr ${fa.P_2}`),
          row.ksefNumber && row.ksefStatus === 'accepted' && h('p', { class: 'ksef-no' }, 'Numer KSeF: ', h('strong', { id: 'print-ksef-number' }, row.ksefNumber))),
        h('dl', { class: 'p-dates' },
          h('dt', null, 'Data wystawienia'), h('dd', null, fa.P_1), fa.P_1M && [h('dt', null, 'Miejsce wystawienia'), h('dd', null, fa.P_1M)],
          fa.P_6 && [h('dt', null, fa.RodzajFaktury === 'ZAL' ? 'Data otrzymania zapłaty' : 'Data dostawy / wykonania usługi'), h('dd', null, fa.P_6)],
          period && [h('dt', null, 'Okres'), h('dd', null, period)],
          h('dt', null, 'Waluta'), h('dd', null, fa.KodWaluty))),
      h('section', { class: 'p-parties' }, party('Sprzedawca', doc.Podmiot1), party('Nabywca', doc.Podmiot2)),
      correction(fa),
      arr(fa.FaWiersz).length > 0 && linesTable(fa),
      vatSummary(fa),
      h('section', { class: 'p-bottom' },
        h('div', null, payment(fa), annotations(fa),
          notes.length > 0 && h('div', { class: 'p-extra' }, h('h3', null, 'Informacje dodatkowe'), notes.map((n: X) => h('p', null, `${n.Klucz}: ${n.Wartosc}`)))),
        // The package draws the label (KSeF number, OFFLINE, CERTYFIKAT) under the code.
        h('div', { class: 'p-qr' }, qrs.map((q) => h('figure', { class: 'qr', id: `qr-${q.id}`, dataset: { url: q.url, label: q.label } },
          svgNode(qrSvg(q.url, q.label)), h('figcaption', { class: 'small' }, q.caption))))),
      h('footer', { class: 'p-foot' }, footer.map((t: string) => h('p', null, t)),
        h('p', { class: 'small' }, [`Wygenerowano z pliku XML FA(3) (SHA-256 ${row.hash ?? ''})`, doc.Naglowek?.SystemInfo,
          `utworzono ${fmtShort(doc.Naglowek?.DataWytworzeniaFa)}`].filter(Boolean).join(' · ')))));
}
