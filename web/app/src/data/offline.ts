// Offline modes (issue 8; DIGEST §13–15, manual chapter V): offline24, "offline –
// niedostępność KSeF" (maintenance) and "awaria KSeF" (emergency).
//
// Choosing an offline mode under "Wyślij do KSeF" does not contact KSeF: the invoice gets
// the status WYSYŁKA OFFLINE, its mode, both QR links (KOD I for the exact XML bytes, KOD II
// signed in the browser with the Offline credential) and its legal deadline, all stored on
// the invoice row in IndexedDB (the row IS the durable queue entry: `offline` below).
// Later sending (PONÓW WYSYŁKĘ / "Wyślij wszystkie oczekujące faktury offline") goes through
// the app's resumable send job (data/send.ts) with offlineMode: true, so a reload, a
// browser restart or a proxy restart mid-send resumes from the persisted state and sends
// nothing twice. The status service (Latarnia, via the proxy) proposes the mode and gives
// the unavailability/failure periods the deadline is computed from.

import {
  draftToXml, invoiceHash, kod1Url, kod2Url, offlineDeadlineFromPeriods, parseXml,
  type LatarniaMessage, type OfflineMode,
} from 'ksef-module';
import * as db from './db';
import * as inv from './invoices';
import * as net from './net';
import * as perms from './perms';
import * as send from './send';
import { todayYmd } from '../ui/dom';
import {
  authView, certValidity, company, credentialStatus, credentials, env, errorText, initKsef, ksefClient,
  offlineCertCheck, offlineCertCheckText,
} from './ksef';
import { SEND_MODE_LABEL, type InvoiceRow, type SendMode } from './model';

export const OFFLINE_MODES: OfflineMode[] = ['offline24', 'unavailability', 'emergency'];
export const isOfflineMode = (m: SendMode | undefined): m is OfflineMode => !!m && m !== 'online';

/** "TRYB WYSYŁKI: …" text (manual: "TRYB WYSYŁKI: offline 24"). */
export function modeText(m: SendMode): string {
  switch (m) {
    case 'online': return 'online';
    case 'offline24': return 'offline 24';
    case 'unavailability': return 'offline – niedostępność KSeF';
    case 'emergency': return 'offline – awaria KSeF';
  }
}

export interface Period { category: string; start: string; end?: string | null; eventId?: number }

/** What is stored on the invoice row for an offline invoice (the durable queue entry). */
export interface OfflineInfo {
  mode: OfflineMode;
  /** When the mode was chosen (WYSYŁKA OFFLINE). */
  at: string;
  /** P_1 of the XML (the only issue date KSeF counts). */
  issueDate: string;
  sellerNip: string;
  /** KOD I (label OFFLINE until the KSeF number exists) and KOD II (label CERTYFIKAT). */
  kod1: string;
  kod2: string;
  /** Latarnia's status when the mode was chosen, and the periods the deadline uses. */
  latarnia: LatarniaStatusText;
  periods: Period[];
  deadlineKind: 'by' | 'pending' | 'no_obligation' | 'unknown';
  deadline?: string;
  deadlineNote?: string;
  /** Technical correction (DIGEST §15): the rejected file's hash and the corrected XML. */
  rejectedHash?: string;
  correction?: { hash: string; preparedAt: string; number: string; sentAt?: string; refused?: string };
}

export type OfflineRow = InvoiceRow & { offline?: OfflineInfo };

// ---- Latarnia --------------------------------------------------------------------------

export type LatarniaStatusText = 'AVAILABLE' | 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE' | 'UNKNOWN';

export interface LatarniaView {
  status: LatarniaStatusText;
  messages: LatarniaMessage[];
  periods: Period[];
  /** Why the status is unknown (404 while the proxy route is not there, network…). */
  note?: string;
  at: string;
  /** From the last successful read (kept in settings) when the service is unreachable now. */
  stale?: boolean;
}

let lastLatarnia: LatarniaView | undefined;

/** Announcements → periods: one per event (FAILURE_START … FAILURE_END, MAINTENANCE). */
export function periodsOf(messages: LatarniaMessage[]): Period[] {
  const byEvent = new Map<string, Period>();
  for (const m of messages) {
    const key = String(m.eventId ?? m.id ?? `${m.category}-${m.start}`);
    const p = byEvent.get(key) ?? { category: m.category, start: m.start, end: null, eventId: m.eventId };
    if (m.type === 'FAILURE_END') {
      p.end = m.start ?? m.end ?? p.end;
    } else {
      if (m.start < p.start) p.start = m.start;
      if (m.end) p.end = m.end;
      p.category = m.category;
    }
    byEvent.set(key, p);
  }
  return [...byEvent.values()].sort((a, b) => a.start.localeCompare(b.start));
}

async function latarniaHistory(): Promise<LatarniaMessage[]> {
  try {
    const headers: Record<string, string> = {};
    const t = perms.appToken();
    if (t) headers['X-App-Authorization'] = `Bearer ${t}`;
    const r = await fetch(`/${await env()}/latarnia/messages`, { headers, cache: 'no-store' });
    if (!r.ok) return [];
    const j = await r.json();
    return Array.isArray(j) ? j : Array.isArray(j?.messages) ? j.messages : [];
  } catch {
    return [];
  }
}

function mergeMessages(a: LatarniaMessage[], b: LatarniaMessage[]): LatarniaMessage[] {
  const m = new Map<string, LatarniaMessage>();
  for (const x of [...a, ...b]) m.set(String(x.id ?? `${x.eventId}-${x.type}`), x);
  return [...m.values()];
}

/** Reads Latarnia through the proxy; never throws (UNKNOWN with a note instead). */
export async function readLatarnia(): Promise<LatarniaView> {
  const at = new Date().toISOString();
  try {
    const client = await ksefClient();
    const r = await client.latarnia();
    // /status lists only what is open now; /messages also has the ended events, whose
    // ends the deadlines need (a failure that ended → 7 business days from its end).
    const messages = mergeMessages(r.messages ?? [], await latarniaHistory());
    lastLatarnia = { status: r.status, messages, periods: periodsOf(messages), at };
    await db.setting.set('latarnia', lastLatarnia);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    const known = lastLatarnia ?? (await db.setting.get<LatarniaView>('latarnia'));
    const note = /\b404\b/.test(msg)
      ? 'Status KSeF (Latarnia) nieznany: serwer pośredniczący nie udostępnia jeszcze komunikatów Latarni (HTTP 404).'
      : net.isNetworkError(e)
        ? 'Status KSeF (Latarnia) nieznany: brak połączenia z serwerem.'
        : `Status KSeF (Latarnia) nieznany: ${errorText(e)}`;
    lastLatarnia = { status: 'UNKNOWN', messages: known?.messages ?? [], periods: known?.periods ?? [], note, at, stale: !!known };
  }
  return lastLatarnia;
}

export interface Proposal { mode: SendMode | undefined; why: string }

/** Which mode to propose: FAILURE → Awaria KSeF, MAINTENANCE → niedostępność, KSeF up but
 *  our network down → Offline24, all fine → Online. */
export function propose(l: LatarniaView, reach = net.reach()): Proposal {
  switch (l.status) {
    case 'FAILURE': return { mode: 'emergency', why: 'KSeF ogłosił awarię (Latarnia): proponowany tryb „Awaria KSeF”.' };
    case 'MAINTENANCE': return { mode: 'unavailability', why: 'KSeF ogłosił niedostępność (prace serwisowe, Latarnia): proponowany tryb „Offline – niedostępność KSeF”.' };
    case 'TOTAL_FAILURE': return { mode: undefined, why: 'Ogłoszono awarię całkowitą KSeF: faktury wystawia się poza KSeF, bez kodów QR i bez obowiązku późniejszej wysyłki.' };
    case 'AVAILABLE':
      return reach === 'offline'
        ? { mode: 'offline24', why: 'KSeF działa, ale brak połączenia z KSeF po naszej stronie: proponowany tryb „Offline24”.' }
        : { mode: 'online', why: 'KSeF dostępny (Latarnia): proponowany tryb „Online”.' };
    default:
      return reach === 'offline'
        ? { mode: 'offline24', why: `${l.note ?? 'Status KSeF nieznany.'} Brak połączenia: proponowany tryb „Offline24”.` }
        : { mode: undefined, why: l.note ?? 'Status KSeF nieznany.' };
  }
}

// ---- deadlines -------------------------------------------------------------------------


function mergePeriods(a: Period[], b: Period[]): Period[] {
  const m = new Map<string, Period>();
  for (const p of [...a, ...b]) {
    const k = p.eventId !== undefined ? `e${p.eventId}` : `${p.category}|${p.start}`;
    const old = m.get(k);
    m.set(k, old && old.end && !p.end ? old : p);
  }
  return [...m.values()].sort((x, y) => x.start.localeCompare(y.start));
}

function deadlineOf(mode: OfflineMode, issueDate: string, periods: Period[]): Pick<OfflineInfo, 'deadlineKind' | 'deadline' | 'deadlineNote'> {
  try {
    const d = offlineDeadlineFromPeriods(mode, issueDate, periods.map((p) => ({ category: p.category, start: p.start, end: p.end ?? null })));
    if (d.kind === 'by') return { deadlineKind: 'by', deadline: d.deadline };
    if (d.kind === 'no_obligation') return { deadlineKind: 'no_obligation', deadlineNote: 'Awaria całkowita: brak obowiązku przesłania do KSeF.' };
    return { deadlineKind: 'pending', deadlineNote: mode === 'emergency'
      ? 'Termin: 7 dni roboczych od zakończenia awarii (awaria trwa).'
      : 'Termin: następny dzień roboczy po zakończeniu niedostępności (niedostępność trwa).' };
  } catch (e) {
    return { deadlineKind: 'unknown', deadlineNote: `Termin nieznany: brak ogłoszonego okresu ${mode === 'emergency' ? 'awarii' : 'niedostępności'} w Latarni obejmującego datę wystawienia (${errorText(e)}).` };
  }
}

export type DeadlineState = 'in_time' | 'due_today' | 'overdue' | 'pending' | 'no_obligation' | 'unknown' | 'done';

export function deadlineState(r: OfflineRow, today = todayYmd()): DeadlineState {
  const o = r.offline;
  if (!o) return 'done';
  if (r.ksefStatus === 'accepted') return 'done';
  if (o.deadlineKind !== 'by' || !o.deadline) return o.deadlineKind === 'by' ? 'unknown' : o.deadlineKind;
  return today > o.deadline ? 'overdue' : today === o.deadline ? 'due_today' : 'in_time';
}

/** An invoice to be sent online that KSeF will take as an offline one: with `offlineMode`
 *  false, KSeF marks an invoice whose P_1 day is before the day it receives it as
 *  `invoicingMode: Offline` (DIGEST §11, offline auto-detection). Not yet sent, it is in
 *  effect an offline24 invoice, due by the next business day after P_1 (§15). */
export interface AutoOffline {
  issueDate: string;
  deadline?: string;
  state: 'in_time' | 'due_today' | 'overdue' | 'unknown';
}

export function autoOffline(r: OfflineRow, today = todayYmd()): AutoOffline | undefined {
  if (r.offline || r.outsideKsef || r.docStatus !== 'WYSTAWIONY' || r.ksefStatus !== 'waiting_for_sending') return undefined;
  if (!r.issueDate || r.issueDate >= today) return undefined;
  const d = deadlineOf('offline24', r.issueDate, []);
  const state = !d.deadline ? 'unknown' : today > d.deadline ? 'overdue' : today === d.deadline ? 'due_today' : 'in_time';
  return { issueDate: r.issueDate, deadline: d.deadline, state };
}

export function deadlineText(r: OfflineRow): string {
  const o = r.offline;
  if (!o) return '';
  const st = deadlineState(r);
  if (st === 'done') return '';
  if (o.deadline && o.deadlineKind === 'by') {
    return `termin: ${o.deadline}${st === 'overdue' ? ' – PO TERMINIE' : st === 'due_today' ? ' – termin DZIŚ' : ''}`;
  }
  return o.deadlineNote ?? '';
}

/** The "Tryb wysyłki" cell of the list: the mode, and for a pending offline invoice its deadline. */
export function modeCell(r: InvoiceRow): string {
  const t = SEND_MODE_LABEL[r.sendMode];
  const d = deadlineText(r as OfflineRow);
  return d ? `${t} · ${d}` : t;
}

/** Invoices waiting to be sent later (the offline queue). */
export function isPending(r: OfflineRow): boolean {
  return !!r.offline && r.docStatus === 'WYSTAWIONY' && (r.ksefStatus === 'sent_offline' || r.ksefStatus === 'waiting_for_sending');
}

export async function pendingRows(): Promise<OfflineRow[]> {
  return ((await inv.list()) as OfflineRow[]).filter(isPending);
}

/** Re-reads Latarnia and recomputes the deadline of every queued invoice (a failure that
 *  ended gives a date; a new failure moves it). */
export async function refreshDeadlines(l?: LatarniaView): Promise<number> {
  l ??= await readLatarnia();
  const periodsNow = l.periods;
  const ids = ((await inv.list()) as OfflineRow[]).filter((r) => r.offline && r.ksefStatus !== 'accepted').map((r) => r.id);
  // Recomputed from each row as stored when written (another tab may have sent it meanwhile).
  const changed = await inv.update(ids, (row) => {
    const r = row as OfflineRow | undefined;
    const o = r?.offline;
    if (!r || !o || r.ksefStatus === 'accepted') return undefined;
    const periods = mergePeriods(o.periods, periodsNow);
    const d = deadlineOf(o.mode, o.issueDate, periods);
    if (d.deadline === o.deadline && d.deadlineKind === o.deadlineKind && periods.length === o.periods.length) return undefined;
    return { row: { ...r, offline: { ...o, periods, ...d }, ksefUpdatedAt: new Date().toISOString() } as OfflineRow };
  });
  return changed.length;
}

// ---- WYŚLIJ DO KSEF → offline mode -------------------------------------------------------

/** WYSYŁKA OFFLINE: both QR links and the deadline are prepared for each invoice, then
 *  stored in one transaction that re-reads the rows: an invoice that another tab has sent,
 *  is sending or has queued in the meantime is left as it is and said so. */
async function queue(rows: InvoiceRow[], mode: OfflineMode): Promise<send.SendResult[]> {
  await initKsef();
  const cred = await (await credentials()).get('offline');
  if (!cred) throw new send.SendRefused('Brak certyfikatu offline (typ II): uzupełnij i zapisz go w Ustawienia → Rozliczenia → KSEF. Bez niego nie można podpisać KODU II (CERTYFIKAT).');
  const certInfo = (await credentialStatus()).offline;
  const validity = certInfo && certValidity('offline', certInfo);
  if (validity?.state === 'expired' || validity?.state === 'not_yet') {
    throw new send.SendRefused(`${validity.text} Kod QR „CERTYFIKAT” podpisany takim certyfikatem nie przejdzie weryfikacji w KSeF, więc faktura nie może być wystawiona w trybie offline.`);
  }
  // Revoked or blocked in KSeF (as of the last login): the file cannot tell, KSeF did.
  const check = await offlineCertCheck();
  const said = check && offlineCertCheckText(check);
  if (said?.level === 'error') throw new send.SendRefused(said.text);
  const l = await readLatarnia();
  const e = await env();
  const c = await company();
  const now = new Date().toISOString();
  const results = new Map<string, send.SendResult>();
  const ready = new Map<string, { seen: OfflineRow; info: OfflineInfo; when: string }>();
  for (const row of rows as OfflineRow[]) {
    const xml = await inv.getXml(row.id);
    if (!xml) {
      results.set(row.id, { id: row.id, number: row.number, text: 'Faktura nie ma pliku XML: wystaw ją.', ok: false });
      continue;
    }
    const doc = parseXml(xml);
    const issueDate = String(doc.Fa?.P_1 ?? row.issueDate);
    const sellerNip = String(doc.Podmiot1?.DaneIdentyfikacyjne?.NIP ?? c.nip);
    const kod1 = kod1Url(e, sellerNip, issueDate, xml);
    const kod2 = await kod2Url(cred, e, { type: 'Nip', value: c.nip }, sellerNip, xml);
    const periods = mergePeriods(row.offline?.periods ?? [], l.periods);
    const d = deadlineOf(mode, issueDate, periods);
    const info: OfflineInfo = { mode, at: now, issueDate, sellerNip, kod1, kod2, latarnia: l.status, periods, ...d };
    ready.set(row.id, { seen: row, info, when: d.deadline ? `termin wysyłki do KSeF: ${d.deadline}` : d.deadlineNote ?? '' });
  }
  await inv.update([...ready.keys()], (row, id, inJob) => {
    const { seen, info, when } = ready.get(id)!;
    const changed = row && (row.ksefStatus !== seen.ksefStatus || row.hash !== seen.hash || row.sendMode !== seen.sendMode);
    const reason = inJob ? send.BUSY_TEXT : send.why(row, false)
      ?? (changed ? 'Status faktury zmienił się w międzyczasie (np. w innej karcie przeglądarki): sprawdź historię KSeF i spróbuj ponownie.' : undefined);
    if (reason) {
      results.set(id, { id, number: row?.number ?? seen.number, status: row?.ksefStatus, ksefNumber: row?.ksefNumber, text: reason, ok: false });
      return undefined;
    }
    results.set(id, { id, number: row!.number, status: 'sent_offline', ok: true,
      text: `WYSYŁKA OFFLINE (${modeText(mode)}): faktura zapisana do późniejszej wysyłki; ${when}. Wydruk zawiera kody QR „OFFLINE” i „CERTYFIKAT”.` });
    return {
      row: { ...row!, ksefStatus: 'sent_offline', sendMode: mode, offline: info, ksefUpdatedAt: now } as OfflineRow,
      history: [{ invoiceId: id, status: 'sent_offline', createdAt: now, mode, description: `Tryb wysyłki: ${modeText(mode)}; ${when}`.trim() }],
    };
  });
  return rows.map((r) => results.get(r.id)!);
}

export function register(): void {
  for (const m of OFFLINE_MODES) send.offlineHandlers[m] = (rows) => queue(rows, m);
}

// ---- later sending -----------------------------------------------------------------------

/** Sends queued offline invoices (offlineMode: true), one resumable job per mode; batch when
 *  many (the package's 'auto'). */
export async function sendPending(ids?: string[]): Promise<send.SendResult[]> {
  const rows = ids ? ((await Promise.all(ids.map((id) => inv.get(id)))) as (OfflineRow | undefined)[]).filter((r): r is OfflineRow => !!r && isPending(r)) : await pendingRows();
  if (rows.length === 0) throw new send.SendRefused('Brak faktur offline oczekujących na wysyłkę do KSeF.');
  const byMode = new Map<OfflineMode, string[]>();
  for (const r of rows) {
    const m = r.offline!.mode;
    byMode.set(m, [...(byMode.get(m) ?? []), r.id]);
  }
  const out: send.SendResult[] = [];
  for (const [mode, list] of byMode) out.push(...(await send.send(list, { mode, retry: true })));
  return out;
}

// ---- technical correction (DIGEST §15, offline/korekta-techniczna.md) ------------------------

export function canCorrect(r: OfflineRow): boolean {
  return !!r.offline && r.ksefStatus === 'rejected';
}

const corrKey = (id: string) => `${id}#korekta-techniczna`;

/** Technical corrections being prepared or sent by this tab (where Web Locks are missing). */
const correcting = new Set<string>();

/** Runs `fn` as the only one preparing or sending `id`'s technical correction in every tab of the origin. */
async function correctionLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const busy = () => new send.SendRefused('Korekta techniczna tej faktury jest właśnie przygotowywana lub wysyłana (w tej lub w innej karcie przeglądarki).');
  if (correcting.has(id)) throw busy();
  correcting.add(id);
  try {
    return await send.withLock(`tms-ksef-correction:${id}`, true, async (held) => {
      if (!held) throw busy();
      return fn();
    });
  } finally {
    correcting.delete(id);
  }
}

/** Builds the corrected XML (same content re-generated from the draft; a new number when
 *  the rejection was a duplicate of the number) and remembers the rejected file's hash. */
export async function prepareCorrection(id: string, number?: string): Promise<{ hash: string; rejectedHash: string; xml: Uint8Array }> {
  if (!perms.can('ksef.change_document')) throw new send.SendRefused(perms.refusal('ksef.change_document'));
  return correctionLock(id, () => prepareLocked(id, number));
}

async function prepareLocked(id: string, number?: string): Promise<{ hash: string; rejectedHash: string; xml: Uint8Array }> {
  const row = (await inv.get(id)) as OfflineRow | undefined;
  if (!row || !canCorrect(row)) throw new send.SendRefused('Korekta techniczna dotyczy tylko faktury offline odrzuconej przez KSeF.');
  const draft = await inv.getDraft(id);
  const oldXml = await inv.getXml(id);
  if (!draft || !oldXml) throw new send.SendRefused('Brak danych faktury.');
  await initKsef();
  const d = structuredClone(draft);
  if (number) d.invoiceNumber = number;
  const xml = draftToXml(d, new Date());
  const rejectedHash = row.outcome?.invoiceHash || invoiceHash(oldXml).base64;
  const hash = invoiceHash(xml).base64;
  const prepared = { hash, preparedAt: new Date().toISOString(), number: d.invoiceNumber };
  // The file and the row in one transaction, and only while the row is still a rejected
  // offline invoice (another tab may have sent its correction meanwhile).
  await inv.update([id], (r) => {
    const fresh = r as OfflineRow | undefined;
    // Thrown: the transaction is aborted, the file is not stored either.
    if (!fresh || !canCorrect(fresh)) throw new send.SendRefused('Faktura zmieniła się w międzyczasie (np. w innej karcie przeglądarki): nie jest już odrzuconą fakturą offline.');
    return { row: { ...fresh, offline: { ...fresh.offline!, rejectedHash, correction: prepared } } as OfflineRow };
  }, (st) => st.xml.put(xml, corrKey(id)));
  return { hash, rejectedHash, xml };
}

/** Sends the prepared correction online with offlineMode: true and hashOfCorrectedInvoice. */
export async function sendCorrection(id: string): Promise<send.SendResult> {
  await send.preconditions('online');
  return correctionLock(id, async () => {
    // Read under the lock: a correction that another tab has just sent is not sent again.
    const row = (await inv.get(id)) as OfflineRow | undefined;
    const o = row?.offline;
    if (!row || !o?.correction || !o.rejectedHash) throw new send.SendRefused('Najpierw przygotuj poprawiony plik XML (KOREKTA TECHNICZNA).');
    if (!canCorrect(row)) throw new send.SendRefused(`Faktura ma już status ${row.ksefStatus === 'accepted' ? `ZAAKCEPTOWANO (numer KSeF ${row.ksefNumber ?? ''})` : 'inny niż ODRZUCONO'}: korekta techniczna nie jest potrzebna.`);
    const xml = await inv.getXml(corrKey(id));
    if (!xml) throw new send.SendRefused('Brak przygotowanego pliku XML korekty technicznej.');
    if (authView().state !== 'ACCEPTED') throw new send.SendRefused('Autoryzuj w Ustawienia → Rozliczenia → KSEF → AUTHORIZE.');
    const rejectedXml = await inv.getXml(id);
    const client = await ksefClient();
    const r = await client.sendInvoices([{ id, xml }], { mode: 'online', offline: true, correctedHash: o.rejectedHash });
    const out = r.outcomes[0];
    const now = new Date().toISOString();
    const accepted = out.status === 'accepted';
    let number = row.number;
    // The outcome, and for an acceptance the corrected file as the invoice's XML (printouts,
    // KOD I; the rejected one is kept), in one transaction on the row as stored now.
    await inv.update([id], (r2) => {
      const fresh = r2 as OfflineRow | undefined;
      const fo = fresh?.offline;
      if (!fresh || !fo?.correction) return undefined;
      // The correction as sent (prepared under the same lock, so it is the stored one).
      const sent = o.correction!;
      number = accepted ? sent.number : fresh.number;
      return {
        row: {
          ...fresh, ksefStatus: out.status, ksefNumber: out.ksefNumber ?? fresh.ksefNumber, outcome: out, ksefUpdatedAt: now,
          ...(accepted ? { number: sent.number, hash: sent.hash } : {}),
          offline: { ...fo, correction: { ...sent, sentAt: now, refused: undefined } },
        } as OfflineRow,
        history: [{ invoiceId: id, status: out.status, ksefNumber: out.ksefNumber ?? undefined, createdAt: now,
          invoicingDate: out.invoicingDate, mode: fo.mode, outcome: out, details: out.details,
          description: accepted ? `Korekta techniczna przyjęta (hashOfCorrectedInvoice ${o.rejectedHash})` : out.description }],
      };
    }, (st) => {
      if (!accepted) return;
      if (rejectedXml) st.xml.put(rejectedXml, `${id}#odrzucona`);
      st.xml.put(xml, id);
    });
    return { id, number, status: out.status, ksefNumber: out.ksefNumber ?? undefined, ok: accepted,
      text: accepted ? 'Sukces: korekta techniczna przyjęta' : [out.description, ...(out.details ?? [])].join(' — ') };
  });
}
