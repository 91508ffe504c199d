// Rozliczenia → Przychody: the invoice list (virtualised: only the visible rows exist in
// the DOM, so 10 000 invoices scroll smoothly), filters, multi-select and the bulk
// "Wyślij do KSeF" with a live progress bar and a per-invoice result.

import { fmtAmount, fmtListDate, h, message, replace } from '../ui/dom';
import { go } from '../ui/shell';
import * as inv from '../data/invoices';
import * as perms from '../data/perms';
import * as send from '../data/send';
import { offlineListBar } from './offlineSend'; // issue 8
import { modeCell } from '../data/offline'; // issue 8
import { KIND_LABEL, KSEF_STATUS_LABEL, type InvoiceRow, type KsefStatus } from '../data/model';

const ROW_H = 44;
const OVERSCAN = 8;

export function ksefStatusCell(r: InvoiceRow): string {
  if (r.outsideKsef) return 'POZA KSEF';
  return r.ksefStatus ? KSEF_STATUS_LABEL[r.ksefStatus] : '';
}

export async function invoicesView(root: HTMLElement): Promise<() => void> {
  const selected = new Set<string>();
  let all: InvoiceRow[] = await inv.list();
  let shown: InvoiceRow[] = all;
  const canView = perms.can('ksef.view_document');

  const search = h('input', { type: 'search', placeholder: 'Szukaj: numer, nabywca, NIP', 'aria-label': 'Szukaj' });
  const statusFilter = h('select', { 'aria-label': 'Status KSeF' },
    h('option', { value: '' }, 'Wszystkie statusy KSeF'),
    (Object.keys(KSEF_STATUS_LABEL) as KsefStatus[]).map((s) => h('option', { value: s }, KSEF_STATUS_LABEL[s])),
    h('option', { value: 'draft' }, 'ROBOCZE'));
  const count = h('span', { class: 'count' });
  const selAll = h('input', { type: 'checkbox', 'aria-label': 'Zaznacz wszystkie widoczne' });
  const sendBtn = h('button', { type: 'button', class: 'primary', id: 'bulk-send' }, 'Wyślij do KSeF');
  const results = h('section', { class: 'bulk-results', 'aria-live': 'polite' });

  const header = h('div', { class: 'inv-row inv-head', role: 'row' },
    h('span', { class: 'c-sel' }, selAll), h('span', { class: 'c-num' }, 'Numer'), h('span', { class: 'c-kind' }, 'Rodzaj'),
    h('span', { class: 'c-date' }, 'Data'), h('span', { class: 'c-buyer' }, 'Nabywca'), h('span', { class: 'c-gross' }, 'Brutto'),
    h('span', { class: 'c-doc' }, 'Status dokumentu'), h('span', { class: 'c-ksef' }, 'Status KSeF'), h('span', { class: 'c-mode' }, 'Tryb wysyłki'));
  const space = h('div', { class: 'vspace' });
  const viewport = h('div', { class: 'vlist', role: 'grid', 'aria-label': 'Lista faktur', tabIndex: 0 }, space);
  const pool: HTMLElement[] = [];

  function rowEl(): HTMLElement {
    const cb = h('input', { type: 'checkbox', 'aria-label': 'Zaznacz' });
    const el = h('div', { class: 'inv-row', role: 'row' },
      h('span', { class: 'c-sel' }, cb), h('span', { class: 'c-num' }), h('span', { class: 'c-kind' }), h('span', { class: 'c-date' }),
      h('span', { class: 'c-buyer' }), h('span', { class: 'c-gross' }), h('span', { class: 'c-doc' }), h('span', { class: 'c-ksef' }), h('span', { class: 'c-mode' }));
    cb.addEventListener('click', (e) => {
      e.stopPropagation();
      const id = el.dataset.id!;
      if (cb.checked) selected.add(id);
      else selected.delete(id);
      updateCount();
    });
    el.addEventListener('click', () => go(`#/faktura/${el.dataset.id}`));
    return el;
  }

  function paint(): void {
    const top = viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(shown.length, Math.ceil((top + viewport.clientHeight) / ROW_H) + OVERSCAN);
    const need = last - first;
    while (pool.length < need) {
      const el = rowEl();
      pool.push(el);
      space.appendChild(el);
    }
    for (let i = 0; i < pool.length; i++) {
      const el = pool[i];
      const r = shown[first + i];
      if (i >= need || !r) {
        el.hidden = true;
        continue;
      }
      el.hidden = false;
      el.style.transform = `translateY(${(first + i) * ROW_H}px)`;
      if (el.dataset.id === r.id && el.dataset.v === r.ksefUpdatedAt + r.docStatus + selected.has(r.id)) continue;
      el.dataset.id = r.id;
      el.dataset.v = r.ksefUpdatedAt + r.docStatus + selected.has(r.id);
      el.dataset.status = r.ksefStatus ?? '';
      const c = el.children;
      (c[0].firstChild as HTMLInputElement).checked = selected.has(r.id);
      c[1].textContent = r.number || '(robocza)';
      c[2].textContent = KIND_LABEL[r.kind] ?? r.kind;
      c[3].textContent = fmtListDate(r.issueDate);
      c[4].textContent = r.buyerName;
      c[5].textContent = r.gross ? `${fmtAmount(r.gross)} ${r.currency}` : '';
      c[6].textContent = r.docStatus;
      c[7].textContent = canView ? ksefStatusCell(r) : '—';
      c[7].className = `c-ksef ks-${canView ? r.ksefStatus ?? 'none' : 'none'}`;
      c[8].textContent = r.docStatus === 'WYSTAWIONY' && !r.outsideKsef ? modeCell(r) : ''; // issue 8: + offline deadline
    }
  }

  function applyFilter(): void {
    const q = search.value.trim().toLowerCase();
    const st = statusFilter.value;
    shown = all.filter((r) => {
      if (st === 'draft' ? r.docStatus !== 'ROBOCZY' : st && r.ksefStatus !== st) return false;
      return !q || r.number.toLowerCase().includes(q) || r.buyerName.toLowerCase().includes(q) || r.buyerNip.includes(q);
    });
    space.style.height = `${shown.length * ROW_H}px`;
    for (const el of pool) el.dataset.id = '';
    updateCount();
    paint();
  }

  function updateCount(): void {
    count.textContent = `Faktur: ${shown.length} · zaznaczono: ${selected.size}`;
    sendBtn.textContent = selected.size ? `Wyślij do KSeF (${selected.size})` : 'Wyślij do KSeF';
    selAll.checked = shown.length > 0 && selected.size >= shown.length && shown.every((r) => selected.has(r.id));
  }

  selAll.addEventListener('change', () => {
    if (selAll.checked) for (const r of shown) selected.add(r.id);
    else selected.clear();
    for (const el of pool) el.dataset.id = '';
    updateCount();
    paint();
  });
  search.addEventListener('input', applyFilter);
  statusFilter.addEventListener('change', applyFilter);
  let raf = 0;
  viewport.addEventListener('scroll', () => {
    if (!raf) raf = requestAnimationFrame(() => { raf = 0; paint(); });
  }, { passive: true });

  sendBtn.addEventListener('click', async () => {
    if (!perms.can('ksef.change_document')) {
      replace(results, message('error', perms.refusal('ksef.change_document')));
      return;
    }
    if (selected.size === 0) {
      replace(results, message('warning', 'Zaznacz faktury do wysłania.'));
      return;
    }
    const ids = shown.filter((r) => selected.has(r.id)).map((r) => r.id);
    sendBtn.disabled = true;
    const bar = h('progress', { max: ids.length, value: 0, id: 'bulk-progress' });
    const label = h('span', { class: 'progress-label' }, `0 / ${ids.length}`);
    const off = send.onProgress((p) => {
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      label.textContent = `${p.done} / ${p.total}`;
    });
    replace(results, h('div', { class: 'bulk-progress' }, `Wysyłanie ${ids.length} faktur do KSeF${ids.length > 5 ? ' (tryb wsadowy)' : ''}: `, bar, ' ', label));
    try {
      const res = await send.send(ids);
      selected.clear();
      for (const el of pool) el.dataset.id = '';
      updateCount();
      paint();
      showResults(res);
    } catch (e) {
      results.appendChild(message('error', (e as Error).message));
    } finally {
      off();
      sendBtn.disabled = false;
    }
  });

  function showResults(res: send.SendResult[]): void {
    const ok = res.filter((r) => r.status === 'accepted').length;
    const rej = res.filter((r) => r.status === 'rejected').length;
    const other = res.length - ok - rej;
    replace(results,
      message(rej || other ? 'warning' : 'success',
        `Wysłano ${res.length}: zaakceptowano ${ok}, odrzucono ${rej}` + (other ? `, inne ${other}` : '') + '.'),
      h('details', { open: res.length <= 20 }, h('summary', null, 'Wynik dla każdej faktury'),
        h('table', { class: 'results' },
          h('thead', null, h('tr', null, h('th', null, 'Numer'), h('th', null, 'Status KSeF'), h('th', null, 'Numer KSeF'), h('th', null, 'Opis'))),
          h('tbody', null, res.map((r) => h('tr', { dataset: { status: r.status ?? '' } },
            h('td', null, h('a', { href: `#/faktura/${r.id}` }, r.number)),
            h('td', null, r.status ? KSEF_STATUS_LABEL[r.status] : '—'),
            h('td', null, r.ksefNumber ?? ''),
            h('td', null, r.text)))))));
  }

  const refresh = async () => {
    all = await inv.list();
    applyFilter();
  };
  const offInv = inv.onInvoices(() => void refresh());

  const offlineBar = h('div', { id: 'offline-bar' }); // issue 8
  replace(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Przychody'),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', onclick: () => go('#/faktura/nowa') }, 'Nowa faktura'),
        sendBtn, search, statusFilter, count)),
    offlineBar, results,
    h('div', { class: 'inv-table' }, header, viewport));
  applyFilter();
  const offOffline = await offlineListBar(offlineBar); // issue 8
  const onResize = () => paint();
  window.addEventListener('resize', onResize);
  return () => {
    offOffline();
    offInv();
    window.removeEventListener('resize', onResize);
  };
}
