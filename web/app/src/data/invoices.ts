// Invoices: drafts (docs/draft-format.md), issuing (number + FA(3) XML bytes + hash,
// fixed forever after), corrections, and the per-invoice KSeF history.

import { checkDraft, draftToXml, invoiceHash, type FieldError } from 'ksef-module';
import * as db from './db';
import { todayYmd } from '../ui/dom';
import type { HistoryRow, InvoiceRow } from './model';
import { company, initKsef } from './ksef';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Draft = Record<string, any>;

let cache: InvoiceRow[] | undefined;
const listeners = new Set<() => void>();

export function onInvoices(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function notify(): void {
  for (const fn of listeners) fn();
}

// Other tabs of the app write the same IndexedDB: each write is announced, and a tab that
// hears one drops its list cache, so its list shows the other tab's invoices and statuses.
const channel = db.tabChannel('tms-ksef-invoices', () => {
  cache = undefined;
  notify();
});
function broadcast(): void {
  channel?.postMessage('changed');
}

/** All list rows, newest first (cached in memory; the list reads it on every render). */
export async function list(): Promise<InvoiceRow[]> {
  if (!cache) {
    cache = await db.getAll<InvoiceRow>('invoices');
    cache.sort((a, b) => b.seq - a.seq);
  }
  return cache;
}

export const get = (id: string) => db.get<InvoiceRow>('invoices', id);
export const getDraft = (id: string) => db.get<Draft>('drafts', id);
export async function getXml(id: string): Promise<Uint8Array | undefined> {
  const v = await db.get<Uint8Array | ArrayBuffer>('xml', id);
  return v instanceof ArrayBuffer ? new Uint8Array(v) : v;
}

/** A row's new state, and the history rows recorded with it. */
export interface RowChange {
  row: InvoiceRow;
  history?: HistoryRow[];
}

/**
 * Read-modify-write of invoice rows in one IndexedDB transaction ({@link db.checkAndSet}):
 * `change` gets each row as stored now, not as read before an `await` (another tab may have
 * sent, queued or accepted it meanwhile), and whether a stored send job holds it (`inJob`;
 * a job's rows are claimed in the transaction that stores it), and returns its new state or
 * `undefined` to leave it. So a write never puts back fields that another tab has changed.
 * `also` adds writes to the same transaction (a job's end, XML files). `change` and `also`
 * must not await. Resolves with the rows written.
 */
export async function update(
  ids: string[],
  change: (row: InvoiceRow | undefined, id: string, inJob: boolean) => RowChange | undefined,
  also?: (stores: Record<string, IDBObjectStore>) => void,
): Promise<InvoiceRow[]> {
  if (ids.length === 0 && !also) return [];
  const rows = await db.checkAndSet(
    ['invoices', 'history', 'sendJobs', 'xml'],
    (s) => [s.sendJobs.getAll(), ...ids.map((id) => s.invoices.get(id))],
    ([jobs, ...found], s) => {
      const held = new Set((jobs as { invoiceIds: string[] }[]).flatMap((j) => j.invoiceIds));
      const out: InvoiceRow[] = [];
      ids.forEach((id, i) => {
        const c = change(found[i] as InvoiceRow | undefined, id, held.has(id));
        if (!c) return;
        s.invoices.put(c.row);
        for (const h of c.history ?? []) s.history.put(h);
        out.push(c.row);
      });
      also?.(s);
      return out;
    },
  );
  if (rows.length) written(rows);
  return rows;
}

/** Rows written by another module's transaction: the list's cache and its listeners follow. */
export function written(rows: InvoiceRow[]): void {
  broadcast();
  if (cache) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    cache = cache.map((r) => byId.get(r.id) ?? r);
  }
  notify();
}

function uuid(): string {
  return crypto.randomUUID();
}

/** Reads the highest list sequence number (inside a {@link db.checkAndSet}): new rows are
 *  numbered in the transaction that writes them, so two tabs never take the same one. */
function lastSeq(s: Record<string, IDBObjectStore>): IDBRequest {
  return s.invoices.index('seq').openCursor(null, 'prev');
}
function seqAfter(cursor: unknown): number {
  const key = (cursor as IDBCursor | null)?.key;
  return (typeof key === 'number' ? key : 0) + 1;
}

/** Totals of a draft (checkDraft) or blanks when it does not check yet. */
function summary(draft: Draft): Pick<InvoiceRow, 'kind' | 'issueDate' | 'buyerName' | 'buyerNip' | 'gross' | 'currency'> {
  const r = checkDraft(draft);
  return {
    kind: String(draft.kind ?? 'VAT'),
    issueDate: String(draft.issueDate ?? ''),
    buyerName: String(draft.buyer?.name ?? ''),
    buyerNip: String(draft.buyer?.nip ?? draft.buyer?.euVatId ?? draft.buyer?.taxId ?? ''),
    gross: r.ok ? r.totals.gross : '',
    currency: r.ok ? r.totals.currency : String(draft.currency ?? 'PLN'),
  };
}

/** Creates or updates a working invoice (status ROBOCZY). */
export async function saveDraft(id: string | undefined, draft: Draft, extra: Partial<InvoiceRow> = {}): Promise<InvoiceRow> {
  await initKsef();
  const prev = id ? await get(id) : undefined;
  if (prev && prev.docStatus !== 'ROBOCZY') throw new Error('Wystawionej faktury nie można zmieniać: wystaw korektę.');
  const row: InvoiceRow = {
    ...(prev ?? {
      id: uuid(), seq: 0, docStatus: 'ROBOCZY', createdAt: new Date().toISOString(), sendMode: 'online',
    }),
    ...extra,
    ...summary(draft),
    number: String(draft.invoiceNumber ?? ''),
  } as InvoiceRow;
  await db.checkAndSet(['invoices', 'drafts'], (s) => [s.invoices.get(row.id), ...(prev ? [] : [lastSeq(s)])], ([now, cursor], s) => {
    const current = now as InvoiceRow | undefined;
    if (prev && current && current.docStatus !== 'ROBOCZY') throw new Error('Wystawionej faktury nie można zmieniać: wystaw korektę.');
    if (!prev) row.seq = seqAfter(cursor);
    s.invoices.put(row);
    s.drafts.put(draft, row.id);
  });
  broadcast();
  if (cache && !prev) cache.unshift(row);
  else if (cache) cache = cache.map((r) => (r.id === row.id ? row : r));
  notify();
  return row;
}

/** The next number from the company's pattern ({n} counts per month): the first free one
 *  after the month's counter. */
function nextNumber(pattern: string, issueDate: string, counter: number, taken: Set<string>): { number: string; n: number } {
  const [y, m] = issueDate.split('-');
  for (let n = counter + 1; ; n++) {
    const number = pattern.replace('{n}', String(n)).replace('{MM}', m).replace('{YYYY}', y);
    if (!taken.has(number)) return { number, n };
  }
}

export class DraftInvalid extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`Faktura zawiera błędy (${errors.length})`);
  }
}

/** WYSTAWIONY: number, FA(3) XML bytes and their hash, fixed from now on. */
export async function issue(id: string): Promise<InvoiceRow> {
  await initKsef();
  const row = await get(id);
  const draft = await getDraft(id);
  if (!row || !draft) throw new Error('Nie znaleziono faktury.');
  if (row.docStatus === 'WYSTAWIONY') return row;
  const d: Draft = structuredClone(draft);
  if (!d.issueDate) d.issueDate = todayYmd();
  const placeholder = !d.invoiceNumber;
  if (placeholder) d.invoiceNumber = 'X';
  const check = checkDraft(d);
  if (!check.ok) throw new DraftInvalid(check.errors);
  const pattern = placeholder ? (await company()).numberPattern : '';
  const key = `numbering:${String(d.issueDate).slice(0, 7)}`;
  const createdAt = new Date();
  // The number, the XML that carries it and the counter are written in one transaction
  // that also read the counter and the numbers in use: two tabs issuing at the same
  // moment get consecutive numbers, and an invoice issued meanwhile elsewhere is kept.
  const issued = await db.checkAndSet(
    ['invoices', 'drafts', 'xml', 'settings'],
    (s) => [s.invoices.get(id), ...(placeholder ? [s.settings.get(key), s.invoices.getAll()] : [])],
    ([now, counter, all], s): InvoiceRow => {
      const current = now as InvoiceRow | undefined;
      if (!current) throw new Error('Nie znaleziono faktury.');
      if (current.docStatus === 'WYSTAWIONY') return current;
      if (placeholder) {
        const taken = new Set((all as InvoiceRow[]).filter((r) => r.id !== id).map((r) => r.number));
        const next = nextNumber(pattern, d.issueDate, typeof counter === 'number' ? counter : 0, taken);
        d.invoiceNumber = next.number;
        s.settings.put(next.n, key);
      }
      const xml = draftToXml(d, createdAt);
      const row: InvoiceRow = {
        ...current,
        ...summary(d),
        number: d.invoiceNumber,
        docStatus: 'WYSTAWIONY',
        issuedAt: createdAt.toISOString(),
        hash: invoiceHash(xml).base64,
        ksefStatus: current.outsideKsef ? undefined : 'waiting_for_sending',
      };
      s.invoices.put(row);
      s.drafts.put(d, id);
      s.xml.put(xml, id);
      return row;
    },
  );
  broadcast();
  if (cache) cache = cache.map((r) => (r.id === id ? issued : r));
  notify();
  return issued;
}

export async function history(invoiceId: string): Promise<HistoryRow[]> {
  const rows = await db.getAllByIndex<HistoryRow>('history', 'invoiceId', invoiceId);
  return rows.sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
}

export const putHistory = (row: HistoryRow) => db.put('history', row);

/** Why a correction cannot be made now, or undefined when it can (manual, chapter IV). */
export function correctionBlocked(row: InvoiceRow): string | undefined {
  if (row.docStatus !== 'WYSTAWIONY') return 'Korygować można tylko fakturę wystawioną.';
  if (row.ksefNumber || row.outsideKsef) return undefined;
  return 'Korekta jest możliwa, gdy faktura pierwotna otrzymała numer KSeF (albo została wystawiona poza KSeF). ' +
    'Najpierw wyślij fakturę do KSeF i poczekaj na status ZAAKCEPTOWANO.';
}

const KOR_OF: Record<string, string> = { VAT: 'KOR', UPR: 'KOR', KOR: 'KOR', ZAL: 'KOR_ZAL', KOR_ZAL: 'KOR_ZAL', ROZ: 'KOR_ROZ', KOR_ROZ: 'KOR_ROZ' };

/** "korekta faktury": a KOR draft prefilled from the original (before = after = the
 *  original lines; the user edits the after side and the reason). */
export async function createCorrection(originalId: string): Promise<InvoiceRow> {
  const orig = await get(originalId);
  const od = await getDraft(originalId);
  if (!orig || !od) throw new Error('Nie znaleziono faktury.');
  const blocked = correctionBlocked(orig);
  if (blocked) throw new Error(blocked);
  const lines: Draft[] = String(od.kind ?? 'VAT').startsWith('KOR')
    ? (od.correction?.lines ?? []).map((p: Draft) => p.after)
    : (od.lines ?? []);
  const corrected: Draft = { invoiceNumber: orig.number, issueDate: orig.issueDate };
  if (orig.ksefNumber) corrected.ksefNumber = orig.ksefNumber;
  else corrected.issuedOutsideKsef = true;
  const d: Draft = {
    kind: KOR_OF[String(od.kind ?? 'VAT')] ?? 'KOR',
    invoiceNumber: '',
    issueDate: todayYmd(),
    seller: structuredClone(od.seller),
    buyer: structuredClone(od.buyer),
    correction: {
      reason: '',
      type: 1,
      corrected: [corrected],
      lines: lines.map((l) => ({ before: structuredClone(l), after: structuredClone(l) })),
    },
  };
  for (const k of ['placeOfIssue', 'saleDate', 'salePeriod', 'currency', 'exchangeRate', 'exchangeRateDate', 'payment', 'annotations', 'advance', 'settlement', 'systemInfo']) {
    if (od[k] !== undefined) d[k] = structuredClone(od[k]);
  }
  if (d.payment?.dueDate) delete d.payment.dueDate;
  return saveDraft(undefined, d, { correctionOf: originalId, sendMode: 'online' });
}

/** Demo data: `n` issued invoices (for the 10 000-row list and bulk sending). */
export async function generate(n: number, opts: { issue: boolean; numberPrefix?: string }): Promise<void> {
  await initKsef();
  const c = await company();
  const date = todayYmd();
  const prefix = opts.numberPrefix ?? `GEN/${Date.now().toString(36).toUpperCase()}`;
  const rows: InvoiceRow[] = [];
  const drafts: [string, Draft][] = [];
  const xmls: [string, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    const d: Draft = {
      invoiceNumber: `${prefix}/${i + 1}`,
      issueDate: date,
      placeOfIssue: c.placeOfIssue,
      seller: sellerOf(c),
      buyer: { nip: '1111111111', name: `Klient testowy ${i + 1} sp. z o.o.`, address: { lines: ['ul. Polna 1', '00-001 Warszawa'], country: 'PL' } },
      saleDate: date,
      lines: [{ name: `Transport, zlecenie ZL/${i + 1}`, unit: 'usł.', quantity: '1', unitNetPrice: String(1000 + (i % 500)) + '.00', vatRate: '23' }],
      payment: { dueDays: 14, method: 'transfer' },
    };
    const createdAt = new Date();
    const id = uuid();
    const row: InvoiceRow = {
      id, seq: i, docStatus: 'ROBOCZY', createdAt: createdAt.toISOString(), sendMode: 'online',
      ...summary(d), number: d.invoiceNumber,
    };
    if (opts.issue) {
      const xml = draftToXml(d, createdAt);
      row.docStatus = 'WYSTAWIONY';
      row.issuedAt = createdAt.toISOString();
      row.hash = invoiceHash(xml).base64;
      row.ksefStatus = 'waiting_for_sending';
      xmls.push([id, xml]);
    }
    rows.push(row);
    drafts.push([id, d]);
  }
  await db.checkAndSet(['invoices', 'drafts', 'xml'], (s) => [lastSeq(s)], ([cursor], s) => {
    const base = seqAfter(cursor);
    for (const r of rows) s.invoices.put({ ...r, seq: base + r.seq });
    for (const [id, d] of drafts) s.drafts.put(d, id);
    for (const [id, x] of xmls) s.xml.put(x, id);
  });
  cache = undefined;
  broadcast();
  notify();
}

export function sellerOf(c: Awaited<ReturnType<typeof company>>): Draft {
  const s: Draft = { nip: c.nip, name: c.name, address: { lines: c.addressLines.filter(Boolean), country: 'PL' } };
  if (c.email) s.email = c.email;
  if (c.phone) s.phone = c.phone;
  if (c.bankAccount) s.bankAccount = { number: c.bankAccount, ...(c.bankName ? { bankName: c.bankName } : {}) };
  return s;
}
