// Invoice → KSEF (manual, chapter III): WYŚLIJ DO KSEF (Online; the offline modes come
// with issue 8 through send.offlineHandlers), PONÓW WYSYŁKĘ FAKTURY DO KSEF, POBIERZ PLIK
// XML DLA KSEF, ODŚWIEŻ, "TRYB WYSYŁKI" and the history table with paging.

import { fmtShort, h, message, replace, saveFile } from '../ui/dom';
import { go } from '../ui/shell';
import * as inv from '../data/invoices';
import * as perms from '../data/perms';
import * as send from '../data/send';
import { errorText } from '../data/ksef';
import { offlinePanel } from './offlineSend'; // issue 8
import { modeText } from '../data/offline'; // issue 8
import { KSEF_STATUS_LABEL, SEND_MODE_LABEL, type HistoryRow, type InvoiceRow, type SendMode } from '../data/model';

const PAGE_SIZES = [10, 25, 50];

export function xmlFileName(row: InvoiceRow): string {
  return `${(row.number || row.id).replace(/[^\w.-]+/g, '_')}.xml`;
}

export async function ksefPanel(host: HTMLElement, invoiceId: string): Promise<() => void> {
  if (!perms.can('ksef.view_document')) {
    replace(host, message('error', perms.refusal('ksef.view_document')));
    return () => undefined;
  }
  let row = (await inv.get(invoiceId))!;
  let page = 0;
  let size = 10;
  const msg = h('div', { class: 'panel-msg', id: 'ksef-msg' });
  const table = h('div', { class: 'history' });
  const modeLabel = h('span', { class: 'mode', id: 'send-mode' });

  const say = (kind: 'info' | 'success' | 'error' | 'warning', text: string) => replace(msg, message(kind, text));

  async function doSend(mode: SendMode, retry: boolean): Promise<void> {
    if (!perms.can('ksef.change_document')) return say('error', perms.refusal('ksef.change_document'));
    say('info', retry ? 'Ponawianie wysyłki faktury do KSeF…' : 'Wysyłanie faktury do KSeF…');
    try {
      const [r] = await send.send([invoiceId], { mode, retry });
      if (r.status === 'accepted') say('success', `ZAAKCEPTOWANO: numer KSeF ${r.ksefNumber}`);
      else if (r.status === 'rejected') say('error', `ODRZUCONO: ${r.text}`);
      else say('info', r.text);
    } catch (e) {
      say('error', e instanceof send.SendRefused ? e.message : errorText(e));
    }
    await redraw();
  }

  const menu = h('div', { class: 'dropdown-menu', role: 'menu', hidden: true },
    (Object.keys(SEND_MODE_LABEL) as SendMode[]).map((m) => {
      const available = m === 'online' || !!send.offlineHandlers[m];
      return h('button', {
        type: 'button', role: 'menuitem', disabled: !available, dataset: { mode: m },
        title: available ? '' : 'Tryb offline: dostępny w kolejnej wersji',
        onclick: () => { menu.hidden = true; void doSend(m, false); },
      }, m === 'online' ? 'Online' : SEND_MODE_LABEL[m].replace(/^./, (c) => c.toUpperCase()));
    }));
  const sendBtn = h('button', { type: 'button', class: 'primary', id: 'ksef-send', 'aria-haspopup': 'menu',
    onclick: () => { menu.hidden = !menu.hidden; } }, 'WYŚLIJ DO KSEF ▾');
  const retryBtn = h('button', { type: 'button', id: 'ksef-retry', onclick: () => void doSend(row.sendMode, true) }, 'PONÓW WYSYŁKĘ FAKTURY DO KSEF');
  const xmlBtn = h('button', { type: 'button', id: 'ksef-xml', onclick: async () => {
    const xml = await inv.getXml(invoiceId);
    if (!xml) return say('error', 'Faktura nie ma jeszcze pliku XML: wystaw ją.');
    saveFile(xmlFileName(row), xml, 'application/xml');
  } }, 'POBIERZ PLIK XML DLA KSEF');
  const refreshBtn = h('button', { type: 'button', id: 'ksef-refresh', onclick: async () => {
    try {
      await send.refresh(invoiceId);
      replace(msg);
    } catch (e) {
      say('error', (e as Error).message);
    }
    await redraw();
  } }, 'ODŚWIEŻ');

  async function redraw(): Promise<void> {
    row = (await inv.get(invoiceId))!;
    modeLabel.textContent = `TRYB WYSYŁKI: ${modeText(row.sendMode)}`; // issue 8
    const rows = await inv.history(invoiceId);
    const pages = Math.max(1, Math.ceil(rows.length / size));
    page = Math.min(page, pages - 1);
    const from = page * size;
    const visible = rows.slice(from, from + size);
    const sizeSel = h('select', { 'aria-label': 'Wierszy na stronie', onchange: (e: Event) => { size = Number((e.target as HTMLSelectElement).value); page = 0; void redraw(); } },
      PAGE_SIZES.map((n) => h('option', { value: n, selected: n === size }, String(n))));
    replace(table,
      h('table', { class: 'ksef-history', id: 'ksef-history' },
        h('thead', null, h('tr', null, ['status', 'numer', 'utworzony', 'data fakturowania', 'opis', 'szczegóły', 'UPO'].map((t) => h('th', null, t)))),
        h('tbody', null, visible.length ? visible.map(historyRow) : h('tr', null, h('td', { colSpan: 7, class: 'empty' }, 'Faktura nie była jeszcze wysyłana do KSeF.')))),
      h('div', { class: 'pager' }, 'Wierszy na stronie: ', sizeSel,
        ` ${rows.length ? from + 1 : 0}-${Math.min(rows.length, from + size)} z ${rows.length} `,
        h('button', { type: 'button', class: 'link', disabled: page === 0, 'aria-label': 'Poprzednia strona', onclick: () => { page--; void redraw(); } }, '<'),
        h('button', { type: 'button', class: 'link', disabled: page >= pages - 1, 'aria-label': 'Następna strona', onclick: () => { page++; void redraw(); } }, '>')));
  }

  function historyRow(r: HistoryRow): HTMLElement {
    const details = r.details ?? [];
    return h('tr', { dataset: { status: r.status } },
      h('td', { class: `ks-${r.status}` }, KSEF_STATUS_LABEL[r.status]),
      h('td', { class: 'ksef-number' }, r.ksefNumber ?? ''),
      h('td', null, fmtShort(r.createdAt)),
      h('td', null, r.status === 'accepted' || r.status === 'rejected' ? fmtShort(r.invoicingDate) : '-'),
      h('td', { class: 'desc' }, r.description ?? '',
        // Sent online, taken by KSeF as offline (P_1 before the day of receipt, DIGEST §11).
        r.status === 'accepted' && r.mode === 'online' && r.outcome?.invoicingMode === 'Offline'
          && h('div', { class: 'small auto-offline' }, 'KSeF: tryb fakturowania „Offline” (data wystawienia P_1 wcześniejsza niż dzień przyjęcia)')),
      h('td', { class: 'details' }, details.length === 0 ? '' : details.length === 1 && details[0].length < 120 ? details[0]
        : h('details', null, h('summary', null, `${details.length} ${details.length === 1 ? 'szczegół' : 'szczegóły'}`), h('ul', null, details.map((d) => h('li', null, d))))),
      h('td', null, r.status === 'accepted' && r.id !== undefined
        ? [h('button', { type: 'button', class: 'link upo', onclick: () => go(`#/faktura/${invoiceId}/upo/${r.id}`) }, 'Pobierz UPO'), r.upoAt ? ` ${fmtShort(r.upoAt)}` : '']
        : ''));
  }

  const offInv = inv.onInvoices(() => void redraw());

  const offlineHost = h('div', { class: 'offline-host' }); // issue 8
  replace(host,
    row.outsideKsef ? message('info', 'Faktura wystawiona poza KSeF: nie jest wysyłana do KSeF. Można ją skorygować (⋮ → korekta faktury).') : null,
    h('div', { class: 'ksef-toolbar' },
      h('div', { class: 'dropdown' }, sendBtn, menu), retryBtn, xmlBtn, refreshBtn, h('div', { class: 'spacer' }), modeLabel),
    msg, offlineHost, table);
  await redraw();
  const offOffline = row.outsideKsef ? () => undefined : await offlinePanel(offlineHost, invoiceId, host); // issue 8
  return () => {
    offOffline();
    offInv();
  };
}
