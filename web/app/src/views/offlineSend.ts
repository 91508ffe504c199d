// Offline modes in the UI (issue 8): the Latarnia status and the proposed mode in the KSEF
// panel, the offline box (mode, deadline, QR links, technical correction), the list's
// offline bar ("Wyślij wszystkie oczekujące faktury offline", deadline warnings) and the
// printout's two QR codes (KOD I "OFFLINE", KOD II "CERTYFIKAT") until the KSeF number exists.

import { h, message, replace } from '../ui/dom';
import * as inv from '../data/invoices';
import * as perms from '../data/perms';
import * as send from '../data/send';
import * as off from '../data/offline';
import { errorText } from '../data/ksef';
import { qrProviders } from './print';
import type { InvoiceRow } from '../data/model';

const STATUS_PL: Record<off.LatarniaStatusText, string> = {
  AVAILABLE: 'KSeF dostępny', MAINTENANCE: 'niedostępność KSeF (prace serwisowe)', FAILURE: 'AWARIA KSeF',
  TOTAL_FAILURE: 'AWARIA CAŁKOWITA KSeF', UNKNOWN: 'status nieznany',
};

function latarniaBox(l: off.LatarniaView, p: off.Proposal): HTMLElement {
  const open = l.periods.filter((x) => !x.end);
  const kind = l.status === 'FAILURE' || l.status === 'TOTAL_FAILURE' ? 'error' : l.status === 'AVAILABLE' ? 'info' : 'warning';
  return h('div', { class: 'latarnia', id: 'latarnia', dataset: { status: l.status, proposed: p.mode ?? '' } },
    message(kind,
      h('strong', null, `Latarnia: ${STATUS_PL[l.status]}`), l.stale ? ' (ostatni znany stan)' : '', '. ',
      h('span', { id: 'mode-proposal' }, p.why),
      l.note && h('div', { class: 'small', id: 'latarnia-note' }, l.note),
      open.map((x) => h('div', { class: 'small' }, `${x.category === 'MAINTENANCE' ? 'Niedostępność' : 'Awaria'} od ${x.start}`))));
}

/** Marks the proposed mode in the "WYŚLIJ DO KSEF" menu. */
function markProposal(panel: HTMLElement, mode: string | undefined): void {
  for (const b of panel.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
    const proposed = b.dataset.mode === mode;
    b.classList.toggle('proposed', proposed);
    b.querySelector('.proposed-tag')?.remove();
    if (proposed) b.appendChild(h('span', { class: 'proposed-tag' }, ' (proponowany)'));
  }
}

/** The offline part of the KSEF panel (above the history). */
export async function offlinePanel(host: HTMLElement, invoiceId: string, panel: HTMLElement): Promise<() => void> {
  const latHost = h('div');
  const box = h('div', { id: 'offline-box' });
  const msg = h('div', { id: 'offline-msg' });
  replace(host, latHost, box, msg);
  const say = (kind: 'info' | 'success' | 'error' | 'warning', text: string) => replace(msg, message(kind, text));

  async function drawLatarnia(): Promise<void> {
    const l = await off.readLatarnia();
    const p = off.propose(l);
    replace(latHost, latarniaBox(l, p));
    markProposal(panel, p.mode);
    await off.refreshDeadlines(l);
  }

  async function drawBox(): Promise<void> {
    const row = (await inv.get(invoiceId)) as off.OfflineRow | undefined;
    const o = row?.offline;
    const auto = row && off.autoOffline(row);
    if (row && auto) {
      const kind = auto.state === 'overdue' ? 'error' : 'warning';
      return replace(box, message(kind, h('div', { id: 'auto-offline', dataset: { state: auto.state, deadline: auto.deadline ?? '' } },
        h('strong', null, `Data wystawienia (P_1) ${auto.issueDate} jest wcześniejsza niż dzisiejsza. `),
        'KSeF przyjmie tę fakturę jako wystawioną w trybie offline (tryb fakturowania „Offline”; liczy się tylko data P_1). ',
        auto.deadline
          ? `Faktura offline powinna trafić do KSeF najpóźniej w następnym dniu roboczym po dacie wystawienia: ${auto.deadline}${auto.state === 'overdue' ? ' – PO TERMINIE, wyślij niezwłocznie.' : auto.state === 'due_today' ? ' – termin upływa DZIŚ.' : '.'}`
          : 'Wyślij ją niezwłocznie.')));
    }
    if (!row || !o) return replace(box);
    const st = off.deadlineState(row);
    const kind = st === 'overdue' ? 'error' : st === 'due_today' ? 'warning' : 'info';
    const children: (Node | string | false)[] = [
      h('div', null, h('strong', null, `TRYB WYSYŁKI: ${off.modeText(o.mode)}`), ` · wybrano ${o.at.slice(0, 16).replace('T', ' ')} · Latarnia: ${STATUS_PL[o.latarnia]}`),
      row.ksefStatus !== 'accepted' && h('div', { id: 'offline-deadline', dataset: { state: st, deadline: o.deadline ?? '' } },
        o.deadline ? `Termin przesłania do KSeF: ${o.deadline}` : o.deadlineNote ?? '',
        st === 'overdue' ? ' – PO TERMINIE, wyślij niezwłocznie' : st === 'due_today' ? ' – termin upływa DZIŚ' : ''),
      row.ksefStatus === 'sent_offline' && h('div', { class: 'small' }, 'Wydruk faktury zawiera dwa kody QR: „OFFLINE” (KOD I) i „CERTYFIKAT” (KOD II). Po ustaniu problemów użyj „PONÓW WYSYŁKĘ FAKTURY DO KSEF”.'),
    ];
    if (off.canCorrect(row)) children.push(correctionBox(row));
    replace(box, message(row.ksefStatus === 'rejected' ? 'error' : kind, ...children));
  }

  function correctionBox(row: off.OfflineRow): HTMLElement {
    const o = row.offline!;
    const number = h('input', { id: 'tc-number', value: o.correction?.number ?? row.number, 'aria-label': 'Numer faktury w poprawionym pliku' });
    return h('div', { class: 'tech-correction', id: 'tech-correction' },
      h('p', null, h('strong', null, 'Faktura offline odrzucona przez KSeF. '),
        'Jeśli przyczyna jest techniczna (schemat, rozmiar, duplikat), wyślij korektę techniczną: poprawiony plik XML o tej samej treści, ',
        'z trybem offline i skrótem odrzuconego pliku (hashOfCorrectedInvoice). Nie dotyczy braku uprawnień.'),
      h('label', null, 'Numer faktury w poprawionym pliku (zmień przy duplikacie numeru): ', number),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', id: 'tc-prepare', onclick: async () => {
          try {
            const r = await off.prepareCorrection(row.id, (number as HTMLInputElement).value.trim() || undefined);
            say('info', `Przygotowano poprawiony plik XML (SHA-256 ${r.hash}); korygowany plik: ${r.rejectedHash}.`);
          } catch (e) { say('error', e instanceof send.SendRefused ? e.message : errorText(e)); }
          await drawBox();
        } }, 'KOREKTA TECHNICZNA: przygotuj poprawiony XML'),
        h('button', { type: 'button', class: 'primary', id: 'tc-send', disabled: !o.correction, onclick: async () => {
          say('info', 'Wysyłanie korekty technicznej…');
          try {
            const r = await off.sendCorrection(row.id);
            say(r.ok ? 'success' : 'error', r.ok ? `ZAAKCEPTOWANO: numer KSeF ${r.ksefNumber}` : `ODRZUCONO: ${r.text}`);
          } catch (e) { say('error', e instanceof send.SendRefused ? e.message : errorText(e)); }
          await drawBox();
        } }, 'WYŚLIJ KOREKTĘ TECHNICZNĄ')),
      o.correction && h('p', { class: 'small', id: 'tc-prepared' }, `Przygotowano ${o.correction.preparedAt.slice(0, 16).replace('T', ' ')}: numer ${o.correction.number}, SHA-256 ${o.correction.hash}; `,
        `hashOfCorrectedInvoice = ${o.rejectedHash}`, o.correction.refused ? ` — ${o.correction.refused}` : ''));
  }

  const offInv = inv.onInvoices(() => void drawBox());
  await Promise.all([drawLatarnia().catch(() => undefined), drawBox()]);
  return () => offInv();
}

/** The list's offline bar: queue size, deadline warnings, send all pending. */
export async function offlineListBar(host: HTMLElement): Promise<() => void> {
  const out = h('div', { id: 'offline-results' });
  let busy = false;
  async function draw(): Promise<void> {
    const pending = await off.pendingRows();
    const over = pending.filter((r) => off.deadlineState(r) === 'overdue');
    const today = pending.filter((r) => off.deadlineState(r) === 'due_today');
    const late = lateRows(await inv.list());
    if (pending.length === 0 && late.length === 0) return replace(host, out);
    const btn = h('button', { type: 'button', class: 'primary', id: 'send-offline-all', disabled: busy, onclick: () => void sendAll() },
      `Wyślij wszystkie oczekujące faktury offline (${pending.length})`);
    replace(host,
      pending.length > 0 && message(over.length ? 'error' : today.length ? 'warning' : 'info',
        h('span', { id: 'offline-queue', dataset: { pending: String(pending.length), overdue: String(over.length), today: String(today.length) } },
          `Faktury offline oczekujące na wysyłkę do KSeF: ${pending.length}.`),
        today.length > 0 && h('div', { id: 'offline-due-today' }, `Termin wysyłki upływa DZIŚ: ${today.map((r) => r.number).join(', ')}.`),
        over.length > 0 && h('div', { id: 'offline-overdue' }, `PO TERMINIE: ${over.map((r) => `${r.number} (termin ${r.offline!.deadline})`).join(', ')}.`),
        ' ', btn),
      late.length > 0 && lateBar(late),
      out);
  }

  /** Issued before today and still not sent (KSeF will take them as offline: off.autoOffline). */
  function lateRows(rows: InvoiceRow[]): { row: InvoiceRow; auto: off.AutoOffline }[] {
    return rows.flatMap((row) => {
      const auto = off.autoOffline(row);
      return auto ? [{ row, auto }] : [];
    });
  }

  function lateBar(late: { row: InvoiceRow; auto: off.AutoOffline }[]): HTMLElement {
    const over = late.filter((l) => l.auto.state === 'overdue');
    const today = late.filter((l) => l.auto.state === 'due_today');
    const btn = h('button', { type: 'button', id: 'send-late-all', disabled: busy, onclick: () => void sendLate(late.map((l) => l.row.id)) },
      `Wyślij je teraz do KSeF (${late.length})`);
    return message(over.length ? 'error' : 'warning',
      h('span', { id: 'late-queue', dataset: { count: String(late.length), overdue: String(over.length), today: String(today.length) } },
        `Faktury wystawione przed dzisiejszym dniem i niewysłane do KSeF: ${late.length} (KSeF przyjmie je jako wystawione w trybie offline).`),
      today.length > 0 && h('div', { id: 'late-due-today' }, `Termin wysyłki upływa DZIŚ: ${today.map((l) => l.row.number).join(', ')}.`),
      over.length > 0 && h('div', { id: 'late-overdue' }, `PO TERMINIE: ${over.map((l) => `${l.row.number} (termin ${l.auto.deadline})`).join(', ')}.`),
      ' ', btn);
  }

  async function sendLate(ids: string[]): Promise<void> {
    if (!perms.can('ksef.change_document')) return replace(out, message('error', perms.refusal('ksef.change_document')));
    busy = true;
    void draw(); // the buttons are disabled at once (a second click would only be refused)
    replace(out, message('info', 'Wysyłanie faktur do KSeF…'));
    try {
      const res = await send.send(ids);
      const ok = res.filter((r) => r.status === 'accepted').length;
      replace(out, message(ok === res.length ? 'success' : 'warning', h('span', { id: 'late-sent' }, `Wysłano ${res.length}: zaakceptowano ${ok}.`)),
        h('ul', null, res.map((r) => h('li', { dataset: { status: r.status ?? '' } }, `${r.number}: ${r.ksefNumber ?? r.text}`))));
    } catch (e) {
      replace(out, message('error', e instanceof send.SendRefused ? e.message : errorText(e)));
    } finally {
      busy = false;
      await draw();
    }
  }
  async function sendAll(): Promise<void> {
    if (!perms.can('ksef.change_document')) return replace(out, message('error', perms.refusal('ksef.change_document')));
    busy = true;
    void draw(); // the buttons are disabled at once (a second click would only be refused)
    const bar = h('progress', { id: 'offline-progress', max: 1, value: 0 });
    const offP = send.onProgress((p) => { bar.max = Math.max(1, p.total); bar.value = p.done; });
    replace(out, h('div', null, 'Wysyłanie faktur offline do KSeF (offlineMode: true): ', bar));
    try {
      const res = await off.sendPending();
      const ok = res.filter((r) => r.status === 'accepted').length;
      replace(out, message(ok === res.length ? 'success' : 'warning', h('span', { id: 'offline-sent' }, `Wysłano ${res.length} faktur offline: zaakceptowano ${ok}.`)),
        h('ul', null, res.map((r) => h('li', { dataset: { status: r.status ?? '' } }, `${r.number}: ${r.ksefNumber ?? r.text}`))));
    } catch (e) {
      replace(out, message('error', e instanceof send.SendRefused ? e.message : errorText(e)));
    } finally {
      offP();
      busy = false;
      await draw();
    }
  }
  const offInv = inv.onInvoices(() => void draw());
  await draw();
  void off.refreshDeadlines().catch(() => undefined);
  return () => offInv();
}

/** Printout: KOD I "OFFLINE" + KOD II "CERTYFIKAT" for an offline invoice without a KSeF number. */
export function registerPrint(): void {
  qrProviders.push(async (row) => {
    const o = (row as off.OfflineRow).offline;
    if (!o || row.ksefStatus === 'accepted') return [];
    return [
      { id: 'kod1-offline', url: o.kod1, label: 'OFFLINE', caption: 'KOD I: weryfikacja faktury w KSeF' },
      { id: 'kod2', url: o.kod2, label: 'CERTYFIKAT', caption: 'KOD II: weryfikacja wystawcy (certyfikat KSeF)' },
    ];
  });
}
