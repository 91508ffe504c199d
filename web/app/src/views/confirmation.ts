// "potwierdzenie transakcji" (manual chapter V: print templates → potwierdzenie transakcji →
// Pobierz; for a buyer with a Polish NIP). MF's Podręcznik KSeF 2.0 cz. II describes it as
// a voluntary document, not an invoice, that lets the buyer reach and verify the invoice
// before it has a KSeF number; what it carries here:
//   - the title and the note that it is not an invoice;
//   - seller (name, NIP) and buyer (name, NIP), invoice number (P_2), issue date (P_1),
//     date of supply (P_6), gross total (P_15) with the currency, and the VAT total;
//   - the QR codes of the invoice visualisation (rozporządzenie MF z 2025 r. §9,
//     DIGEST §14): with a KSeF number, KOD I labelled with it; for an offline invoice
//     without one, KOD I labelled "OFFLINE" and KOD II labelled "CERTYFIKAT";
//   - the sending mode and, for an offline invoice, the deadline of sending to KSeF.
// Built from the exact issued XML bytes (parseXml), like the invoice printout.

import { kod1Url, parseXml, qrSvg } from 'ksef-module';
import { fmtAmount, h, message, replace } from '../ui/dom';
import * as inv from '../data/invoices';
import { env, initKsef } from '../data/ksef';
import * as off from '../data/offline';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type X = any;

const VAT_FIELDS = ['P_14_1', 'P_14_2', 'P_14_3', 'P_14_4', 'P_14_5'];

function svgNode(markup: string): Node {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(doc.documentElement, true);
}

/** A Polish NIP buyer (10 digits, no EU/foreign identifier). */
export function polishNipBuyer(doc: X): string | undefined {
  const id = doc?.Podmiot2?.DaneIdentyfikacyjne;
  const nip = id?.NIP ? String(id.NIP) : '';
  return /^\d{10}$/.test(nip) ? nip : undefined;
}

export async function confirmationView(root: HTMLElement, params: string[]): Promise<void> {
  await initKsef();
  const id = params[0];
  const row = (await inv.get(id)) as off.OfflineRow | undefined;
  const xml = await inv.getXml(id);
  if (!row || !xml) return replace(root, message('error', 'Potwierdzenie transakcji jest dostępne dla faktury wystawionej (z plikiem XML).'));
  const doc: X = parseXml(xml);
  const fa = doc.Fa ?? {};
  const buyerNip = polishNipBuyer(doc);
  if (!buyerNip) return replace(root, message('error', 'Potwierdzenie transakcji można wydać tylko nabywcy z polskim numerem NIP.'));
  const sellerNip = String(doc.Podmiot1?.DaneIdentyfikacyjne?.NIP ?? '');
  const accepted = row.ksefStatus === 'accepted' && !!row.ksefNumber;
  const o = row.offline;
  const qrs: { id: string; url: string; label: string; caption: string }[] = [];
  if (accepted) qrs.push({ id: 'kod1', url: kod1Url(await env(), sellerNip, fa.P_1, xml), label: row.ksefNumber!, caption: 'KOD I: weryfikacja faktury w KSeF' });
  else if (o) {
    qrs.push({ id: 'kod1-offline', url: o.kod1, label: 'OFFLINE', caption: 'KOD I: weryfikacja faktury w KSeF' });
    qrs.push({ id: 'kod2', url: o.kod2, label: 'CERTYFIKAT', caption: 'KOD II: weryfikacja wystawcy' });
  } else {
    return replace(root, message('error', 'Potwierdzenie transakcji z kodami QR jest dostępne po nadaniu numeru KSeF albo dla faktury wystawionej w trybie offline.'));
  }
  const cur = fa.KodWaluty ?? 'PLN';
  const vat = VAT_FIELDS.reduce((s, f) => s + Number(fa[f] ?? 0), 0).toFixed(2);
  const dl = (pairs: [string, unknown][]) => h('dl', { class: 'p-dates' }, pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))]));
  document.body.classList.add('print-mode');
  replace(root,
    h('div', { class: 'no-print toolbar' },
      h('button', { type: 'button', class: 'primary', id: 'print-now', onclick: () => window.print() }, 'Pobierz / drukuj'),
      h('a', { href: `#/faktura/${id}`, class: 'button' }, 'Wróć')),
    h('article', { class: 'invoice-print confirmation', id: 'confirmation-print' },
      h('header', { class: 'p-head' }, h('div', null, h('h1', null, 'Potwierdzenie transakcji'),
        h('p', { class: 'small' }, 'Dokument nie jest fakturą. Faktura ustrukturyzowana jest dostępna w KSeF (kody QR poniżej).'))),
      dl([
        ['Sprzedawca', doc.Podmiot1?.DaneIdentyfikacyjne?.Nazwa], ['NIP sprzedawcy', sellerNip],
        ['Nabywca', doc.Podmiot2?.DaneIdentyfikacyjne?.Nazwa], ['NIP nabywcy', buyerNip],
        ['Numer faktury', fa.P_2], ['Data wystawienia', fa.P_1], ['Data dostawy / wykonania usługi', fa.P_6],
        ['Kwota VAT', `${fmtAmount(vat)} ${cur}`], ['Kwota należności ogółem', `${fmtAmount(fa.P_15)} ${cur}`],
        ['Numer KSeF', accepted ? row.ksefNumber : 'nie nadano (faktura offline)'],
        ['Tryb wystawienia', o ? off.modeText(o.mode) : 'online'],
        ['Termin przesłania do KSeF', !accepted && o ? (o.deadline ?? o.deadlineNote) : undefined],
      ]),
      h('div', { class: 'p-qr' }, qrs.map((q) => h('figure', { class: 'qr', id: `qr-${q.id}`, dataset: { url: q.url, label: q.label } },
        svgNode(qrSvg(q.url, q.label)), h('figcaption', { class: 'small' }, q.caption))))));
}
