// The app's single connection to the ksef-module package (web/ksef, CONTRACT.md): the
// wasm init, the credential store, the KSeF client and the authorization state shown in
// the top bar and in Ustawienia → Rozliczenia → KSEF.

import {
  init, CredentialStore, KsefClient, KsefError,
  type AuthState, type CertificateInfo, type Env, type KsefCertificateStatus, type Role,
} from 'ksef-module';
import * as db from './db';
import * as perms from './perms';
import * as net from './net';
import { DEFAULT_COMPANY, type Company } from './model';

let ready: Promise<void> | undefined;
let store: CredentialStore | undefined;
let client: KsefClient | undefined;
let clientEnv: Env | undefined;

/** What the UI shows as the authorization status (persisted across reloads). */
export interface AuthView {
  state: 'NONE' | 'IN_PROGRESS' | 'ACCEPTED' | 'ERROR';
  reason?: string;
  at?: string;
}

let auth: AuthView = { state: 'NONE' };
const authListeners = new Set<(a: AuthView) => void>();

export function initKsef(): Promise<void> {
  ready ??= init();
  return ready;
}

export async function credentials(): Promise<CredentialStore> {
  await initKsef();
  store ??= await CredentialStore.open();
  return store;
}

export async function env(): Promise<Env> {
  return (await db.setting.get<Env>('ksefEnv')) ?? 'sim';
}

export async function company(): Promise<Company> {
  return { ...DEFAULT_COMPANY, ...((await db.setting.get<Company>('company')) ?? {}) };
}

export async function ksefClient(): Promise<KsefClient> {
  await initKsef();
  const e = await env();
  if (!client || clientEnv !== e) {
    client = new KsefClient({ env: e, proxyBase: '', appToken: perms.appToken });
    clientEnv = e;
  }
  return client;
}

export const authView = (): AuthView => auth;

export function onAuth(fn: (a: AuthView) => void): () => void {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

async function setAuth(a: AuthView): Promise<void> {
  auth = { ...a, at: a.at ?? new Date().toISOString() };
  if (a.state !== 'IN_PROGRESS') {
    const stored = auth; // what is stored and announced, even if the status moves on meanwhile
    await db.setting.set('authView', stored);
    authChannel?.postMessage(stored);
  }
  shown();
}

/** The top bar and the settings screen show the current status. */
function shown(): void {
  for (const fn of authListeners) fn(auth);
}

// Every tab keeps its own KSeF session (in memory), but the status is one for the user: a
// tab announces each settled status, and the others follow. ACCEPTED elsewhere: this tab
// logs in too (silently, with the stored credential). ERROR elsewhere (a wrong password on
// ZAPISZ, a refused login) or NONE with no login wanted: this tab shows it as well, and
// sending waits for AUTHORIZE, as the settings screen says.
const authChannel = db.tabChannel<AuthView>('tms-ksef-auth', (a) => void followOtherTab(a));

async function followOtherTab(a: AuthView): Promise<void> {
  if (!a || typeof a.state !== 'string' || a.state === 'IN_PROGRESS') return;
  if (a.state === 'ACCEPTED') {
    if (auth.state !== 'ACCEPTED' && !pendingLogin) await resumeAuth().catch(() => undefined);
    return;
  }
  if (pendingLogin) return; // this tab's own login decides
  // Not followed: an unreachable KSeF (each tab sees the network itself), and NONE while a
  // login is still wanted (the other tab's user may lack ksef.change_settings).
  if (a.state === 'ERROR' && a.reason?.startsWith('KSeF nieosiągalny')) return;
  if (a.state === 'NONE' && (await db.setting.get<boolean>('authWanted'))) return;
  auth = { ...a };
  shown();
}

export async function loadAuth(): Promise<void> {
  auth = (await db.setting.get<AuthView>('authView')) ?? { state: 'NONE' };
}

/** Marks the status ERROR (e.g. a wrong password on ZAPISZ), as the manual describes;
 *  it stays ERROR across reloads until someone authorizes again, and a login already under
 *  way does not turn it back when it ends. */
export async function authError(reason: string): Promise<void> {
  authEpoch++;
  await db.setting.set('authWanted', false);
  await setAuth({ state: 'ERROR', reason });
}

/** KSEF → AUTHORIZE (needs ksef.change_settings). Never throws for KSeF refusals: the
 *  outcome is the new status. */
export async function authorize(): Promise<AuthView> {
  if (!perms.can('ksef.change_settings')) {
    throw new perms.PermissionError('ksef.change_settings');
  }
  // One login at a time in a tab: AUTHORIZE during a silent login waits for it, then logs
  // in anew (the user asked for a fresh one).
  while (pendingLogin) await pendingLogin.catch(() => undefined);
  return ownLogin(true);
}

/** Bumped by a failed ZAPISZ ({@link authError}): a login that started before it (a reload's
 *  silent login, say) must not replace that ERROR with its own outcome when it ends. */
let authEpoch = 0;

/** `explicit`: AUTHORIZE (KSeF is asked about the Offline certificate again); otherwise a
 *  silent login after a reload or in another tab (asked when the last answer is older than
 *  {@link CERT_CHECK_MAX_AGE_MS}). */
async function login(explicit = false): Promise<AuthView> {
  const epoch = authEpoch;
  const settle = async (a: AuthView) => {
    if (epoch === authEpoch) await setAuth(a);
  };
  await setAuth({ state: 'IN_PROGRESS' });
  try {
    const s = await credentials();
    const cred = await s.get('auth');
    if (!cred) {
      await settle({ state: 'ERROR', reason: 'Brak certyfikatu uwierzytelniającego: uzupełnij i zapisz certyfikat, klucz i hasło w Ustawienia → Rozliczenia → KSEF' });
      return auth;
    }
    // An expired certificate is said here, not after a round trip ending in a KSeF error code.
    const info = (await s.status()).auth;
    const validity = info && certValidity('auth', info);
    if (validity?.state === 'expired' || validity?.state === 'not_yet') {
      await settle({ state: 'ERROR', reason: validity.text });
      return auth;
    }
    const c = await company();
    await perms.ensureToken();
    const result = await (await ksefClient()).authorize(cred, { type: 'Nip', value: c.nip });
    const view = fromState(result);
    // Wanted first: other tabs hear ACCEPTED and log in only when a login is wanted.
    if (view.state === 'ACCEPTED' && epoch === authEpoch) await db.setting.set('authWanted', true);
    await settle(view);
    // Logged in: ask KSeF about the Offline certificate (in the background).
    if (view.state === 'ACCEPTED') void checkOfflineCert(explicit ? 0 : CERT_CHECK_MAX_AGE_MS);
  } catch (e) {
    if (net.isNetworkError(e)) net.reportFailure(net.UNREACHABLE_TEXT);
    await settle({ state: 'ERROR', reason: errorText(e) });
  }
  return auth;
}

function fromState(s: AuthState): AuthView {
  switch (s.state) {
    case 'Accepted': return { state: 'ACCEPTED' };
    case 'InProgress': return { state: 'IN_PROGRESS' };
    case 'NotAuthenticated': return { state: 'NONE' };
    case 'Error': return { state: 'ERROR', reason: authReason(s.reason) };
  }
}

function authReason(r: { kind: string; message: string; code?: number; details?: string[] }): string {
  const code = r.code ? ` (kod ${r.code})` : '';
  let head: string;
  switch (r.kind) {
    case 'missing_credentials':
      head = 'Brak certyfikatu, klucza lub hasła: uzupełnij i zapisz je w Ustawienia → Rozliczenia → KSEF';
      break;
    case 'wrong_password': head = 'Nieprawidłowe hasło certyfikatu uwierzytelniającego'; break;
    case 'certificate_rejected': head = `KSeF odrzucił certyfikat${code}`; break;
    case 'no_permissions': head = `KSeF: brak przypisanych uprawnień w kontekście NIP firmy${code}`; break;
    case 'blocked': head = `KSeF: kontekst zablokowany${code}`; break;
    case 'network':
      head = 'KSeF nieosiągalny (brak połączenia z serwerem)';
      net.reportFailure(net.UNREACHABLE_TEXT);
      break;
    case 'rejected':
      head = r.code === 401 || r.code === 403 || /\bhttp 40[13]\b/i.test(r.message)
        ? 'Serwer odmówił: brak uprawnienia „Może zmienić: ustawienia” (ksef.change_settings)'
        : `KSeF odmówił uwierzytelnienia${code}`;
      break;
    default: head = `Błąd autoryzacji${code}`;
  }
  const parts = [head];
  if (r.details?.length) parts.push(r.details.join('; '));
  else if (r.kind !== 'missing_credentials' && r.kind !== 'wrong_password') parts.push(r.message);
  return parts.join(': ');
}

/** This tab's login under way (silent or AUTHORIZE): sends wait for it ({@link settled}),
 *  a resumeAuth joins it, an AUTHORIZE waits for it to end. */
let pendingLogin: Promise<AuthView> | undefined;

function ownLogin(explicit: boolean): Promise<AuthView> {
  const p: Promise<AuthView> = login(explicit).finally(() => {
    if (pendingLogin === p) pendingLogin = undefined;
  });
  pendingLogin = p;
  return p;
}

/** A resumeAuth under way, its checks before the login included: the start-up and the
 *  connection coming back both call it at page load, and without this both passed the
 *  pendingLogin check before either had started its login (two logins per reload). */
let resuming: Promise<AuthView> | undefined;

/** On start and when the connection comes back: the KSeF session lives only in memory,
 *  so once an authorized user has logged in, the app logs in again with the stored
 *  credential after a reload. The proxy still decides with the current user's token. */
export function resumeAuth(): Promise<AuthView> {
  resuming ??= resume().finally(() => { resuming = undefined; });
  return resuming;
}

async function resume(): Promise<AuthView> {
  if (pendingLogin) return pendingLogin;
  const wanted = (await db.setting.get<boolean>('authWanted')) && !!(await (await credentials()).get('auth'));
  if (!wanted) {
    if (auth.state === 'ACCEPTED' || auth.state === 'IN_PROGRESS') await setAuth({ state: 'NONE' });
    else if (auth.state === 'ERROR' && auth.reason?.startsWith('KSeF nieosiągalny')) await setAuth({ state: 'NONE' });
    return auth;
  }
  if (auth.state === 'ACCEPTED' && (await ksefClient()).authState.state === 'Accepted') return auth;
  if (!perms.can('ksef.change_settings')) {
    // The proxy would refuse the login for this user: wait for an authorized one.
    await setAuth({ state: 'NONE' });
    return auth;
  }
  if ((await net.check()) === 'offline') {
    await setAuth({ state: 'ERROR', reason: 'KSeF nieosiągalny (brak połączenia): autoryzacja zostanie ponowiona po przywróceniu połączenia' });
    return auth;
  }
  if (pendingLogin) return pendingLogin; // an AUTHORIZE began meanwhile
  return ownLogin(false);
}

/** Waits for a login that is under way (a send right after a reload). */
export async function settled(): Promise<AuthView> {
  return pendingLogin ?? auth;
}

export async function credentialStatus(): Promise<{ auth?: CertificateInfo; offline?: CertificateInfo }> {
  return (await credentials()).status();
}

export async function saveCredential(role: Role, cert: Uint8Array, key: Uint8Array, password: string): Promise<CertificateInfo> {
  const info = await (await credentials()).save(role, cert, key, password);
  credentialsChanged();
  // A new Offline certificate while logged in: KSeF is asked about it at once.
  if (role === 'offline' && client?.authState.state === 'Accepted') void checkOfflineCert();
  return info;
}

/** What KSeF said about the saved Offline certificate (`POST /certificates/query`, DIGEST
 *  §13), asked at logins (see {@link checkOfflineCert}). Its file cannot tell that it was revoked or blocked in
 *  the KSeF certificate module, yet KOD II signed with such a certificate fails when a
 *  buyer scans it (DIGEST §14). */
export interface OfflineCertCheck {
  /** The serial of the certificate asked about (upper-case hex). */
  serial: string;
  /** KSeF's status, or 'NotListed': KSeF lists no such certificate of the logged-in
   *  subject (self-signed, or enrolled by another person). */
  status: KsefCertificateStatus['status'] | 'NotListed';
  /** When KSeF was asked (ISO). */
  at: string;
}

const serialKey = (info: CertificateInfo) => info.serialHex.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** The last answer about the Offline certificate saved now (an answer about a replaced
 *  certificate does not count). */
export async function offlineCertCheck(): Promise<OfflineCertCheck | undefined> {
  const info = (await credentialStatus()).offline;
  const c = await db.setting.get<OfflineCertCheck>('offlineCertCheck');
  return info && c && c.serial === serialKey(info) ? c : undefined;
}

/** The stored answer about the certificate `serial` (the one that signed a KOD II on a
 *  printout), whether or not it is the one saved now. */
export async function offlineCertCheckFor(serial: string): Promise<OfflineCertCheck | undefined> {
  const c = await db.setting.get<OfflineCertCheck>('offlineCertCheck');
  return c && c.serial === serial.toUpperCase() ? c : undefined;
}

/** How old an answer about the Offline certificate may be before a silent login asks
 *  again: the query counts against KSeF's "other" limit (120 an hour per context and IP,
 *  shared with the login's own calls, DIGEST §17), and every reload and tab logs in. */
export const CERT_CHECK_MAX_AGE_MS = 3_600_000;

/** Asks KSeF about the saved Offline certificate, unless the answer about it is younger
 *  than `maxAgeMs`; a failure (no connection, no permission) keeps the previous answer,
 *  which says when it was given. */
export async function checkOfflineCert(maxAgeMs = 0): Promise<OfflineCertCheck | undefined> {
  try {
    const info = (await credentialStatus()).offline;
    if (!info) return undefined;
    const last = await offlineCertCheck();
    if (last && maxAgeMs > 0 && Date.now() - new Date(last.at).getTime() < maxAgeMs) return last;
    const r = await (await ksefClient()).certificateStatus(info.serialHex);
    const check: OfflineCertCheck = { serial: serialKey(info), status: r?.status ?? 'NotListed', at: new Date().toISOString() };
    await db.setting.set('offlineCertCheck', check);
    credentialsChanged();
    return check;
  } catch {
    return offlineCertCheck();
  }
}

const warsawTime = (iso: string) => new Intl.DateTimeFormat('pl-PL', {
  timeZone: 'Europe/Warsaw', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
}).format(new Date(iso));

/** How the answer reads: 'error' when KOD II signed with the certificate cannot verify
 *  (offline invoices are refused), 'warning' when KSeF does not know it; `short` is the
 *  status part alone ("jest w KSeF unieważniony (Revoked; sprawdzono …)"). */
export function offlineCertCheckText(c: OfflineCertCheck): { level: 'ok' | 'warning' | 'error'; text: string; short: string } {
  const when = `sprawdzono w KSeF ${warsawTime(c.at)}`;
  const dead: Record<string, string> = { Revoked: 'unieważniony', Blocked: 'zablokowany', Expired: 'wygasły' };
  const short = dead[c.status] ? `jest w KSeF ${dead[c.status]} (${c.status}; ${when})` : `ma w KSeF status ${c.status} (${when})`;
  if (c.status === 'Active') return { level: 'ok', short, text: `Status w KSeF: aktywny (${when}).` };
  if (dead[c.status]) {
    return {
      level: 'error',
      short,
      text: `Certyfikat offline (Offline, typ II) ${short}. ` +
        'Kod QR „CERTYFIKAT” podpisany tym certyfikatem nie przejdzie weryfikacji, więc nie można nim wystawiać faktur w trybie offline. ' +
        'Pobierz nowy certyfikat Offline w Module certyfikatów KSeF i zapisz go w Ustawienia → Rozliczenia → KSEF.',
    };
  }
  if (c.status === 'NotListed') {
    return {
      level: 'warning',
      short: `nie figuruje w KSeF (${when})`,
      text: `KSeF nie ma tego certyfikatu offline wśród certyfikatów zalogowanego podmiotu (${when}). ` +
        'Kod QR „CERTYFIKAT” weryfikuje się tylko certyfikatem Offline wydanym w KSeF: certyfikat samopodpisany lub innego wystawcy nie przejdzie weryfikacji. ' +
        'Jeśli certyfikat wydano w KSeF innej osobie z firmy, wszystko jest w porządku.',
    };
  }
  return { level: 'warning', short, text: `Status certyfikatu offline w KSeF: ${c.status} (${when}).` };
}

const ROLE_TEXT: Record<Role, { cert: string; type: string }> = {
  auth: { cert: 'certyfikat uwierzytelniający', type: 'uwierzytelniający (Authentication, typ I)' },
  offline: { cert: 'certyfikat offline', type: 'offline (Offline, typ II)' },
};

/** How many days before a certificate's end the app starts warning (a new one takes the
 *  KSeF certificate module's enrolment, and the Offline one must be valid when a buyer
 *  scans KOD II: DIGEST §14). */
export const CERT_WARN_DAYS = 30;

export interface CertValidity {
  state: 'ok' | 'soon' | 'expired' | 'not_yet';
  /** Whole days left (ceil), negative once expired. */
  days: number;
  /** Polish text for 'soon', 'expired' and 'not_yet'. */
  text?: string;
}

const warsawDate = (iso: string) => new Intl.DateTimeFormat('pl-PL', { timeZone: 'Europe/Warsaw', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso));

/** Is a saved certificate usable now? KSeF refuses an expired or not yet valid certificate
 *  at login, and KOD II signed with one fails verification when scanned (DIGEST §13–14). */
export function certValidity(role: Role, info: CertificateInfo, now = new Date()): CertValidity {
  const t = ROLE_TEXT[role];
  const end = new Date(info.notAfter).getTime();
  const days = Math.ceil((end - now.getTime()) / 86_400_000);
  const renew = 'Pobierz nowy certyfikat w Module certyfikatów KSeF i zapisz go w Ustawienia → Rozliczenia → KSEF.';
  if (now.getTime() < new Date(info.notBefore).getTime()) {
    return { state: 'not_yet', days, text: `Certyfikat ${t.type} jest ważny dopiero od ${warsawDate(info.notBefore)}.` };
  }
  if (now.getTime() > end) {
    return { state: 'expired', days, text: `Certyfikat ${t.type} wygasł ${warsawDate(info.notAfter)}. ${renew}` };
  }
  if (days <= CERT_WARN_DAYS) {
    return { state: 'soon', days, text: `Certyfikat ${t.type} wygasa ${warsawDate(info.notAfter)} (za ${days} ${days === 1 ? 'dzień' : 'dni'}). ${renew}` };
  }
  return { state: 'ok', days };
}

const credentialListeners = new Set<() => void>();
/** Called after a certificate has been saved or KSeF has answered about the Offline one,
 *  in this tab or another (the banner and the settings follow). */
export function onCredentials(fn: () => void): () => void {
  credentialListeners.add(fn);
  return () => credentialListeners.delete(fn);
}

// The credentials and KSeF's answers live in IndexedDB, shared by the tabs: a tab that
// changes them tells the others to redraw.
const credentialChannel = db.tabChannel<string>('tms-ksef-credentials', () => {
  for (const fn of credentialListeners) fn();
});

function credentialsChanged(): void {
  for (const fn of credentialListeners) fn();
  credentialChannel?.postMessage('changed');
}

/** Polish message for a KsefError code (ZAPISZ in the KSEF tab and elsewhere). */
export function credentialErrorText(role: Role, e: unknown): string {
  const code = e instanceof KsefError ? e.code : (e as { code?: string })?.code;
  const t = ROLE_TEXT[role];
  switch (code) {
    case 'PASSWORD_REQUIRED': return `Podaj hasło do klucza (${t.cert}): klucz jest zaszyfrowany.`;
    case 'WRONG_PASSWORD': return `Nieprawidłowe hasło do klucza (${t.cert}).`;
    case 'KEY_MISMATCH': return `Klucz nie pasuje do certyfikatu (${t.cert}): wgraj klucz wygenerowany razem z tym certyfikatem.`;
    case 'WRONG_CERT_TYPE': return `Nieprawidłowy typ certyfikatu: w tym polu wymagany jest certyfikat ${t.type}.`;
    case 'CERT_EXPIRED': return `Certyfikat wygasł (${t.cert}): pobierz nowy certyfikat z Modułu certyfikatów KSeF.`;
    case 'CERT_NOT_YET_VALID': return `Certyfikat nie jest jeszcze ważny (${t.cert}).`;
    case 'MISSING_CERTIFICATE': return `Wybierz plik: ${t.cert}.`;
    case 'MISSING_KEY': return `Wybierz plik klucza do: ${t.cert}.`;
    case 'PASSWORD_NOT_EXPECTED': return `Klucz (${t.cert}) nie jest zaszyfrowany: pozostaw hasło puste.`;
    case 'UNSUPPORTED_KEY': return `Nieobsługiwany rodzaj klucza lub szyfrowania (${t.cert}): wymagany klucz RSA lub EC P-256 w formacie PKCS#8.`;
    case 'BAD_INPUT_FILE':
    case 'BAD_CERTIFICATE': return `Nie można odczytać pliku certyfikatu (${t.cert}): oczekiwany plik .crt/.pem/.cer (PEM lub DER).`;
    case 'BAD_KEY': return `Nie można odczytać pliku klucza (${t.cert}): oczekiwany zaszyfrowany klucz PKCS#8 (.key/.pem).`;
    default: return `Nie udało się zapisać (${t.cert}): ${errorText(e)}`;
  }
}

export function errorText(e: unknown): string {
  if (e instanceof perms.PermissionError) return e.message;
  if (net.isNetworkError(e)) return net.UNREACHABLE_TEXT;
  if (e instanceof KsefError) {
    const d = e.details?.length ? ` (${e.details.join('; ')})` : '';
    return `${e.message}${d} [${e.code}]`;
  }
  return e instanceof Error ? e.message : String(e);
}

export { KsefError };
