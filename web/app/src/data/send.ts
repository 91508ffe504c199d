// "Wyślij do KSeF" for one invoice (KSEF panel) or many (the list): checks, history rows
// (OCZEKUJE NA WYSŁANIE DO KSEF → WERYFIKACJA W KSEF → ZAAKCEPTOWANO / ODRZUCONO), the
// client's resumable send state kept in IndexedDB (a reload mid-send resumes, nothing is
// sent twice, also with the app open in several tabs: jobs are claimed in one IndexedDB
// transaction and run under a Web Lock), ODŚWIEŻ and the UPO.

import type { Outcome } from 'ksef-module';
import * as db from './db';
import * as inv from './invoices';
import * as net from './net';
import * as perms from './perms';
import { authView, credentialStatus, errorText, ksefClient, settled } from './ksef';
import { KSEF_STATUS_LABEL, SEND_MODE_LABEL, type HistoryRow, type InvoiceRow, type KsefStatus, type SendMode } from './model';

export class SendRefused extends Error {}

export interface SendJob {
  id: string;
  invoiceIds: string[];
  mode: SendMode;
  startedAt: string;
  state?: unknown;
}

export interface SendResult {
  id: string;
  number: string;
  status?: KsefStatus;
  ksefNumber?: string;
  text: string;
  ok: boolean;
}

export type Progress = { done: number; total: number; phase: 'sending' | 'done' };
const progressListeners = new Set<(p: Progress) => void>();
export function onProgress(fn: (p: Progress) => void): () => void {
  progressListeners.add(fn);
  return () => progressListeners.delete(fn);
}
function progress(p: Progress): void {
  for (const fn of progressListeners) fn(p);
}

const inFlight = new Set<string>();

/** Extension point for the offline modes (issue 8): a handler per non-online mode. */
export type OfflineHandler = (rows: InvoiceRow[]) => Promise<SendResult[]>;
export const offlineHandlers: Partial<Record<SendMode, OfflineHandler>> = {};

/** Everything that must hold before anything is sent, in any mode (manual II/III). */
export async function preconditions(mode: SendMode, retry = false): Promise<void> {
  if (!perms.can('ksef.change_document')) throw new SendRefused(perms.refusal('ksef.change_document'));
  const creds = await credentialStatus();
  if (!creds.auth || !creds.offline) {
    const missing = [!creds.auth && 'certyfikat uwierzytelniający', !creds.offline && 'certyfikat offline'].filter(Boolean).join(' i ');
    throw new SendRefused(`Wysyłka niemożliwa: brak zapisanego: ${missing}. Oba certyfikaty (uwierzytelniający i offline) ` +
      'muszą być uzupełnione i zapisane w Ustawienia → Rozliczenia → KSEF, niezależnie od trybu wysyłki.');
  }
  if (mode !== 'online' && !retry) return; // issue 8: queueing offline needs no KSeF; sending later does
  if (net.reach() === 'offline' || (await net.check()) === 'offline') throw new SendRefused(net.UNREACHABLE_TEXT);
  const a = await settled();
  if (a.state !== 'ACCEPTED') {
    const st = a.state === 'ERROR' ? 'ERROR' : a.state === 'IN_PROGRESS' ? 'W TRAKCIE' : 'BRAK AUTORYZACJI';
    throw new SendRefused(`Nie można wysłać faktury do KSeF: nieprawidłowy status logowania do KSeF (${st}` +
      (a.reason ? `: ${a.reason}` : '') + '). Wysyłka jest możliwa tylko przy statusie ACCEPTED: ' +
      'autoryzuj w Ustawienia → Rozliczenia → KSEF → AUTHORIZE.');
  }
}

/** Why an invoice cannot be sent now (undefined: it can), also for the offline modes. */
export function why(row: InvoiceRow | undefined, retry: boolean): string | undefined {
  if (!row) return 'Nie znaleziono faktury.';
  if (row.docStatus !== 'WYSTAWIONY') return 'Do KSeF można wysłać tylko fakturę o statusie WYSTAWIONY.';
  if (row.outsideKsef) return 'Faktura wystawiona poza KSeF: nie jest wysyłana.';
  if (row.ksefStatus === 'accepted') return `Faktura ma już numer KSeF ${row.ksefNumber ?? ''}.`.trim();
  if (inFlight.has(row.id)) return 'Wysyłka tej faktury trwa.';
  if (!retry && row.ksefStatus === 'verifying') return 'Faktura jest weryfikowana w KSeF: użyj ODŚWIEŻ.';
  return undefined;
}

/** Sends invoices (mode 'auto': batch for many). Throws SendRefused when nothing can go. */
export async function send(ids: string[], opts: { mode?: SendMode; retry?: boolean } = {}): Promise<SendResult[]> {
  const mode = opts.mode ?? 'online';
  await preconditions(mode, opts.retry);
  const results: SendResult[] = [];
  const rows: InvoiceRow[] = [];
  for (const id of ids) {
    const row = await inv.get(id);
    const reason = why(row, opts.retry ?? false);
    if (reason) results.push(refusal(id, row, reason));
    else rows.push(row!);
  }
  if (rows.length === 0) {
    if (ids.length === 1) throw new SendRefused(results[0].text);
    return results;
  }
  if (mode !== 'online' && !opts.retry) { // issue 8: a retry of an offline invoice sends it (offlineMode: true)
    const handler = offlineHandlers[mode];
    if (!handler) throw new SendRefused(`Tryb wysyłki „${SEND_MODE_LABEL[mode]}” nie jest jeszcze dostępny.`);
    const queued = await handler(rows);
    if (ids.length === 1 && queued.length === 1 && !queued[0].ok) throw new SendRefused(queued[0].text);
    return [...results, ...queued];
  }
  const claimed = await claimAndRun(rows.map((r) => r.id), mode, opts.retry ?? false);
  // One invoice refused by the claim (sent meanwhile, or being sent elsewhere): as above.
  if (ids.length === 1 && claimed.sent.length === 0 && claimed.refused.length === 1) throw new SendRefused(claimed.refused[0].text);
  return [...results, ...claimed.refused, ...claimed.sent];
}

/** The result of an invoice that does not go, with what the row says now. */
function refusal(id: string, row: InvoiceRow | undefined, text: string): SendResult {
  return { id, number: row?.number ?? id, status: row?.ksefStatus, ksefNumber: row?.ksefNumber, text, ok: false };
}

export const BUSY_TEXT = 'Ta faktura jest właśnie wysyłana do KSeF (w tej lub w innej karcie przeglądarki); wynik pojawi się w historii KSeF.';

/** Web Locks shared by every tab of the origin (absent outside secure contexts: then only
 *  this tab's in-flight set protects a job). */
const locks: LockManager | undefined = typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : undefined;

/** Runs `fn` holding the Web Lock `name`, shared by every tab of the origin. With
 *  `ifAvailable`, `fn` gets `false` when another holder (in any tab) has it. */
export async function withLock<T>(name: string, ifAvailable: boolean, fn: (held: boolean) => Promise<T>): Promise<T> {
  if (!locks) return fn(true);
  return locks.request(name, { ifAvailable }, (lock) => fn(lock !== null));
}

/** Runs `fn` holding the job's lock (see {@link withLock}). */
function withJobLock<T>(jobId: string, ifAvailable: boolean, fn: (held: boolean) => Promise<T>): Promise<T> {
  return withLock(`tms-ksef-send-job:${jobId}`, ifAvailable, fn);
}

/**
 * Claims the invoices for a new send job and runs it. The claim is one IndexedDB
 * transaction over sendJobs, invoices and history: it re-reads each invoice, re-applies
 * the rules (an invoice accepted meanwhile, or sent by another tab, does not go again),
 * leaves out the invoices of a stored job (sent or resumable elsewhere), and stores the
 * job with the OCZEKUJE NA WYSŁANIE DO KSEF rows. The job's lock is taken before the job
 * is stored, so no resumePending (in any tab) can run it a second time. Invoices of a
 * stored job whose lock is free (an interrupted send) are resumed here, after the new job.
 */
async function claimAndRun(ids: string[], mode: SendMode, retry: boolean): Promise<{ sent: SendResult[]; refused: SendResult[] }> {
  const job: SendJob = { id: crypto.randomUUID(), invoiceIds: [], mode, startedAt: new Date().toISOString() };
  const refused: SendResult[] = [];
  const busy = new Map<string, string[]>(); // stored job id → the requested invoices in it
  const updated: InvoiceRow[] = [];
  const own = await withJobLock(job.id, false, async () => {
    try {
      await db.checkAndSet(
        ['sendJobs', 'invoices', 'history'],
        (s) => [s.sendJobs.getAll(), ...ids.map((id) => s.invoices.get(id))],
        ([jobs, ...found], s) => {
          const owner = new Map<string, string>();
          for (const j of jobs as SendJob[]) for (const id of j.invoiceIds) owner.set(id, j.id);
          const now = new Date().toISOString();
          ids.forEach((id, i) => {
            const row = found[i] as InvoiceRow | undefined;
            const other = owner.get(id);
            if (other) {
              busy.set(other, [...(busy.get(other) ?? []), id]);
              return;
            }
            const reason = why(row, retry);
            if (reason) {
              refused.push(refusal(id, row, reason));
              return;
            }
            const next = { ...row!, ksefStatus: 'waiting_for_sending' as KsefStatus, sendMode: mode, ksefUpdatedAt: now };
            updated.push(next);
            job.invoiceIds.push(id);
            inFlight.add(id);
            s.invoices.put(next);
            s.history.put({ invoiceId: id, status: 'waiting_for_sending', createdAt: now, mode } satisfies HistoryRow);
          });
          if (job.invoiceIds.length > 0) s.sendJobs.put(job);
        },
      );
    } catch (e) {
      for (const id of job.invoiceIds) inFlight.delete(id);
      throw e;
    }
    inv.written(updated);
    if (job.invoiceIds.length === 0) return [];
    jobsChannel?.postMessage({ job: job.id });
    return run(job);
  });
  const sent = [...own];
  for (const [other, mine] of busy) {
    let resumed: SendResult[] | undefined;
    try {
      resumed = await resumeJob(other);
    } catch (e) { // the new job's results are kept; the interrupted one says why it stopped
      const text = e instanceof SendRefused ? e.message : errorText(e);
      for (const id of mine) refused.push(refusal(id, await inv.get(id), text));
      continue;
    }
    if (resumed) sent.push(...resumed);
    else for (const id of mine) refused.push(refusal(id, await inv.get(id), BUSY_TEXT));
  }
  return { sent, refused };
}

/** Runs (or resumes) a job: WERYFIKACJA W KSEF rows, the client call, the outcomes. */
async function run(job: SendJob): Promise<SendResult[]> {
  for (const id of job.invoiceIds) inFlight.add(id);
  const total = job.invoiceIds.length;
  progress({ done: 0, total, phase: 'sending' });
  try {
    const items: { id: string; xml: Uint8Array }[] = [];
    for (const id of job.invoiceIds) {
      const xml = await inv.getXml(id);
      if (xml) items.push({ id, xml });
    }
    const now = new Date().toISOString();
    if (job.state === undefined) {
      await inv.update(job.invoiceIds, (r) => r && {
        row: { ...r, ksefStatus: 'verifying', ksefUpdatedAt: now },
        history: [{ invoiceId: r.id, status: 'verifying', createdAt: now, mode: job.mode }],
      });
    }
    const client = await ksefClient();
    const sent = await client.sendInvoices(items, {
      mode: 'auto',
      offline: job.mode !== 'online', // issue 8: invoices issued in an offline mode
      state: job.state,
      onProgress: (done, t) => progress({ done, total: t, phase: 'sending' }),
      persist: async (state) => {
        job.state = state;
        await db.put('sendJobs', job);
      },
    });
    // CONTRACT.md says Outcome[]; the package returns { outcomes, mode, state }.
    const outcomes: Outcome[] = Array.isArray(sent) ? sent : (sent as { outcomes: Outcome[] }).outcomes;
    const results = await applyOutcomes(outcomes, job.mode, job.id);
    progress({ done: total, total, phase: 'done' });
    return results;
  } catch (e) {
    progress({ done: 0, total, phase: 'done' });
    const code = (e as { code?: string }).code;
    if (code === 'NOT_AUTHORIZED') {
      await revert(job);
      throw new SendRefused('Nie można wysłać faktury do KSeF: nieprawidłowy status logowania do KSeF. ' +
        'Autoryzuj w Ustawienia → Rozliczenia → KSEF → AUTHORIZE.');
    }
    if (code === 'NETWORK' || net.isNetworkError(e)) {
      net.reportFailure(net.UNREACHABLE_TEXT);
      throw new SendRefused(`${net.UNREACHABLE_TEXT} Przerwana wysyłka (${total}) zostanie wznowiona automatycznie.`);
    }
    if (/\b403\b|forbidden|permission/i.test(String((e as Error).message))) {
      await revert(job);
      throw new SendRefused('Serwer odmówił wysyłki: ' + perms.refusal('ksef.change_document'));
    }
    await revert(job);
    throw new SendRefused('Wysyłka nie powiodła się: ' + errorText(e));
  } finally {
    for (const id of job.invoiceIds) inFlight.delete(id);
  }
}

/** An unsent job goes back to OCZEKUJE NA WYSŁANIE DO KSEF (the job's end and the rows
 *  in one transaction). */
async function revert(job: SendJob): Promise<void> {
  const back = await db.checkAndSet(['sendJobs', 'invoices'], (st) => job.invoiceIds.map((id) => st.invoices.get(id)), (found, st) => {
    const rows = (found as (InvoiceRow | undefined)[])
      .filter((r): r is InvoiceRow => r?.ksefStatus === 'verifying')
      .map((r) => ({ ...r, ksefStatus: 'waiting_for_sending' as KsefStatus }));
    for (const r of rows) st.invoices.put(r);
    st.sendJobs.delete(job.id);
    return rows;
  });
  inv.written(back);
}

function historyOf(o: Outcome, mode: SendMode, invoiceId: string): HistoryRow {
  const accepted = o.status === 'accepted';
  return {
    invoiceId,
    status: o.status,
    ksefNumber: o.ksefNumber ?? undefined,
    createdAt: new Date().toISOString(),
    invoicingDate: o.invoicingDate,
    description: accepted ? (o.description && o.description !== 'OK' ? o.description : 'Sukces') : o.description,
    details: o.details,
    mode,
    outcome: o,
  };
}

/** Records outcomes: rows and history, and (`doneJob`) the end of their job, in one
 *  transaction, so a crash in between cannot leave a finished job to be resumed and
 *  recorded a second time. Each row is updated as stored at that moment: a final outcome
 *  it already has is not recorded again, and a row already ZAAKCEPTOWANO keeps its status and
 *  KSeF number (KSeF never takes an acceptance back; a later outcome, such as a
 *  duplicate's rejection, goes to the history only). */
async function applyOutcomes(outcomes: Outcome[], mode: SendMode, doneJob?: string): Promise<SendResult[]> {
  const results: SendResult[] = [];
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  await inv.update([...byId.keys()], (row) => {
    const o = row && byId.get(row.id);
    if (!row || !o) return undefined;
    results.push({
      id: row.id, number: row.number, status: o.status, ksefNumber: o.ksefNumber ?? undefined, ok: o.status === 'accepted',
      text: o.status === 'accepted' ? 'Sukces' : [o.description, ...(o.details ?? [])].filter(Boolean).join(' — ') || KSEF_STATUS_LABEL[o.status],
    });
    // A final outcome recorded meanwhile by another tab (ODŚWIEŻ in two tabs): not twice.
    const final = o.status === 'accepted' || o.status === 'rejected';
    if (final && row.ksefStatus === o.status && row.outcome?.referenceNumber === o.referenceNumber) return undefined;
    const next: InvoiceRow = row.ksefStatus === 'accepted' ? row : {
      ...row, ksefStatus: o.status, ksefNumber: o.ksefNumber ?? row.ksefNumber, outcome: o, sendMode: mode,
      ksefUpdatedAt: new Date().toISOString(),
    };
    return { row: next, history: [historyOf(o, mode, row.id)] };
  }, (st) => {
    if (doneJob) st.sendJobs.delete(doneJob);
  });
  return results; // in the outcomes' order (`update` visits the ids in order)
}

/** Interrupted sends (reload, restart, network cut): resumed once KSeF is reachable and
 *  authorization is ACCEPTED. */
export async function pendingJobs(): Promise<SendJob[]> {
  return db.getAll<SendJob>('sendJobs');
}

/** Runs a stored job unless a run (in this or another tab) holds it or it has ended.
 *  `undefined`: not run. The job is re-read under its lock, so a job that ended between
 *  listing and locking is not run again. A job another tab runs is watched. */
async function resumeJob(id: string): Promise<SendResult[] | undefined> {
  return withJobLock(id, true, async (held) => {
    if (!held) {
      watch(id);
      return undefined;
    }
    return runStored(id);
  });
}

/** With the job's lock held: runs the job if it is still stored and not running here. */
async function runStored(id: string): Promise<SendResult[] | undefined> {
  const job = await db.get<SendJob>('sendJobs', id);
  if (!job || job.invoiceIds.some((i) => inFlight.has(i))) return undefined;
  return run(job);
}

/** Tabs announce the jobs they start; every other tab watches them. */
const jobsChannel = db.tabChannel<{ job?: unknown }>('tms-ksef-send-jobs', (m) => {
  if (typeof m?.job === 'string') watch(m.job);
});

const watched = new Set<string>();
/**
 * Waits for the lock of a job that another tab runs. That tab releases it when the job has
 * ended (and is no longer stored) or when the tab is closed or crashes mid-send: then the
 * job is still stored, and this tab resumes it at once, from its persisted state, instead
 * of leaving the invoices at WERYFIKACJA W KSEF until the next start.
 */
function watch(jobId: string): void {
  if (!locks || watched.has(jobId)) return;
  watched.add(jobId);
  void withJobLock(jobId, false, async () => {
    // Without authorization or the permission it stays stored for the next resumePending.
    if (authView().state !== 'ACCEPTED' || !perms.can('ksef.change_document')) return;
    await runStored(jobId); // run records the outcome, or keeps the job on an interruption
  }).catch(() => undefined).finally(() => watched.delete(jobId));
}

let resuming = false;
export async function resumePending(): Promise<SendResult[]> {
  if (resuming || authView().state !== 'ACCEPTED' || !perms.can('ksef.change_document')) return [];
  resuming = true;
  try {
    const out: SendResult[] = [];
    for (const job of await pendingJobs()) out.push(...((await resumeJob(job.id)) ?? []));
    return out;
  } finally {
    resuming = false;
  }
}

/** ODŚWIEŻ: re-reads the status of the last send. */
export async function refresh(id: string): Promise<InvoiceRow | undefined> {
  if (!perms.can('ksef.view_document')) throw new SendRefused(perms.refusal('ksef.view_document'));
  const row = await inv.get(id);
  if (!row?.outcome) return row;
  if (row.ksefStatus === 'accepted' || row.ksefStatus === 'rejected') return row;
  try {
    const o = await (await ksefClient()).refresh(row.outcome);
    if (o.status !== row.ksefStatus) await applyOutcomes([{ ...o, id }], row.sendMode);
  } catch (e) {
    if (net.isNetworkError(e)) net.reportFailure(net.UNREACHABLE_TEXT);
    throw new SendRefused('Nie udało się odświeżyć statusu: ' + errorText(e));
  }
  return inv.get(id);
}

/** The UPO of an accepted invoice (fetched once, then kept with the history row). */
export async function upo(historyId: number): Promise<{ bytes: Uint8Array; row: HistoryRow }> {
  if (!perms.can('ksef.view_document')) throw new SendRefused(perms.refusal('ksef.view_document'));
  const row = await db.get<HistoryRow>('history', historyId);
  if (!row?.outcome || row.status !== 'accepted') throw new SendRefused('UPO jest dostępne tylko dla faktury zaakceptowanej w KSeF.');
  if (row.upo) return { bytes: row.upo instanceof ArrayBuffer ? new Uint8Array(row.upo) : row.upo, row };
  try {
    const bytes = await (await ksefClient()).upo(row.outcome);
    const next = { ...row, upo: bytes, upoAt: new Date().toISOString() };
    await db.put('history', next);
    return { bytes, row: next };
  } catch (e) {
    if (net.isNetworkError(e)) net.reportFailure(net.UNREACHABLE_TEXT);
    throw new SendRefused('Nie udało się pobrać UPO: ' + errorText(e));
  }
}
