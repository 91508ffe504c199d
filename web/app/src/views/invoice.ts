// One invoice: its data, the KSEF tab (once issued), "drukuj/wyślij → pobierz" and the
// "⋮" menu with "korekta faktury" (manual, chapters III–IV).

import { fmtAmount, fmtListDate, h, message, replace } from '../ui/dom';
import { go } from '../ui/shell';
import * as inv from '../data/invoices';
import * as perms from '../data/perms';
import { errorText } from '../data/ksef';
import { KIND_LABEL, KSEF_STATUS_LABEL, type InvoiceRow } from '../data/model';
import { ksefPanel } from './ksefPanel';
import type { Draft } from '../data/invoices';

function dropdown(label: string, id: string, items: [string, string, () => void][]): HTMLElement {
  const menu = h('div', { class: 'dropdown-menu', role: 'menu', hidden: true },
    items.map(([text, itemId, fn]) => h('button', { type: 'button', role: 'menuitem', id: itemId, onclick: () => { menu.hidden = true; fn(); } }, text)));
  const btn = h('button', { type: 'button', id, 'aria-haspopup': 'menu', 'aria-label': label === '⋮' ? 'Więcej akcji' : label, onclick: (e: Event) => { e.stopPropagation(); menu.hidden = !menu.hidden; } }, label);
  return h('div', { class: 'dropdown' }, btn, menu);
}

function linesTable(d: Draft): HTMLElement {
  const isKor = String(d.kind ?? '').startsWith('KOR');
  const rows: [string, Draft][] = isKor
    ? (d.correction?.lines ?? []).flatMap((p: Draft) => [...(p.before ? [['przed', p.before] as [string, Draft]] : []), ['po', p.after] as [string, Draft]])
    : (d.lines ?? []).map((l: Draft) => ['', l] as [string, Draft]);
  return h('table', { class: 'lines-view' },
    h('thead', null, h('tr', null, isKor && h('th'), h('th', null, 'Nazwa'), h('th', null, 'Ilość'), h('th', null, 'J.m.'), h('th', null, 'Cena'), h('th', null, 'VAT'))),
    h('tbody', null, rows.map(([tag, l]) => h('tr', null, isKor && h('td', null, tag), h('td', null, l.name ?? ''), h('td', null, l.quantity ?? ''),
      h('td', null, l.unit ?? ''), h('td', null, fmtAmount(l.unitNetPrice ?? l.unitGrossPrice)), h('td', null, l.vatRate ?? '')))));
}

export async function invoiceView(root: HTMLElement, params: string[]): Promise<void | (() => void)> {
  const [id, tab] = params;
  const row = await inv.get(id);
  const draft = await inv.getDraft(id);
  if (!row || !draft) return replace(root, message('error', 'Nie znaleziono faktury.'));
  const msg = h('div', { class: 'panel-msg', id: 'invoice-msg' });
  const issued = row.docStatus === 'WYSTAWIONY';

  const correction = () => {
    const blocked = inv.correctionBlocked(row);
    if (blocked) return replace(msg, message('error', blocked));
    inv.createCorrection(id).then((k) => go(`#/faktura/${k.id}/edycja`)).catch((e) => replace(msg, message('error', errorText(e))));
  };
  const actions = h('div', { class: 'toolbar' },
    !issued && h('button', { type: 'button', onclick: () => go(`#/faktura/${id}/edycja`) }, 'Edytuj'),
    !issued && h('button', { type: 'button', class: 'primary', onclick: async () => {
      try {
        await inv.issue(id);
        go(`#/faktura/${id}`);
      } catch (e) {
        if (e instanceof inv.DraftInvalid) go(`#/faktura/${id}/edycja`);
        else replace(msg, message('error', errorText(e)));
      }
    } }, 'Wystaw'),
    issued && dropdown('drukuj/wyślij', 'print-menu', [['pobierz', 'print-download', () => go(`#/faktura/${id}/druk`)],
      ['potwierdzenie transakcji', 'print-confirmation', () => go(`#/faktura/${id}/potwierdzenie`)]] /* issue 8 */),
    dropdown('⋮', 'more-menu', [['korekta faktury', 'make-correction', correction]]));

  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    h('a', { href: `#/faktura/${id}`, role: 'tab', class: tab ? '' : 'active' }, 'DANE'),
    issued && h('a', { href: `#/faktura/${id}/ksef`, role: 'tab', id: 'tab-ksef', class: tab === 'ksef' ? 'active' : '' }, 'KSEF'));
  const body = h('section', { class: 'tab-body' });
  const origin = row.correctionOf ? await inv.get(row.correctionOf) : undefined;
  const corrections = (await inv.list()).filter((r) => r.correctionOf === id);

  replace(root,
    h('div', { class: 'page-head' },
      h('h1', null, `${KIND_LABEL[row.kind] ?? row.kind} ${row.number || '(robocza)'}`),
      h('span', { class: 'badge', id: 'doc-status' }, row.docStatus),
      row.ksefStatus && perms.can('ksef.view_document') && h('span', { class: `badge ks-${row.ksefStatus}`, id: 'ksef-status' }, KSEF_STATUS_LABEL[row.ksefStatus]),
      actions),
    msg, tabs, body);

  // Keep the header's KSeF status badge current while the panel sends.
  const offInv = inv.onInvoices(async () => {
    const now = await inv.get(id);
    const badge = root.querySelector<HTMLElement>('#ksef-status');
    if (now?.ksefStatus && badge) {
      badge.textContent = KSEF_STATUS_LABEL[now.ksefStatus];
      badge.className = `badge ks-${now.ksefStatus}`;
    }
  });
  if (tab === 'ksef' && issued) {
    const offPanel = await ksefPanel(body, id);
    return () => { offPanel(); offInv(); };
  }
  replace(body, dataTab(row, draft, origin, corrections));
  return offInv;
}

function dataTab(row: InvoiceRow, d: Draft, origin?: InvoiceRow, corrections: InvoiceRow[] = []): HTMLElement {
  const dl = (pairs: [string, unknown][]) => h('dl', null, pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))]));
  return h('div', { class: 'invoice-data' },
    h('div', { class: 'cols' },
      h('div', null, h('h2', null, 'Sprzedawca'), dl([['Nazwa', d.seller?.name], ['NIP', d.seller?.nip], ['Adres', (d.seller?.address?.lines ?? []).join(', ')]])),
      h('div', null, h('h2', null, 'Nabywca'), dl([['Nazwa', d.buyer?.name], ['NIP', d.buyer?.nip], ['Adres', (d.buyer?.address?.lines ?? []).join(', ')]])),
      h('div', null, h('h2', null, 'Dokument'), dl([['Data wystawienia', fmtListDate(row.issueDate)], ['Data sprzedaży', d.saleDate], ['Brutto', row.gross ? `${fmtAmount(row.gross)} ${row.currency}` : ''],
        ['Numer KSeF', row.ksefNumber], ['Poza KSeF', row.outsideKsef ? 'tak' : undefined], ['Przyczyna korekty', d.correction?.reason]]))),
    origin && h('p', null, 'Korekta faktury: ', h('a', { href: `#/faktura/${origin.id}` }, origin.number)),
    corrections.length > 0 && h('p', null, 'Korekty: ', corrections.map((k, i) => [i ? ', ' : '', h('a', { href: `#/faktura/${k.id}` }, k.number || '(robocza)')])),
    linesTable(d));
}
