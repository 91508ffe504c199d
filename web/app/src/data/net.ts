// Reachability of the proxy (and through it KSeF). The app shell keeps working without
// it; this module makes sure the user is told, instead of actions failing silently.

export type Reach = 'unknown' | 'online' | 'offline';

let state: Reach = 'unknown';
let detail = '';
const listeners = new Set<(s: Reach) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

export const reach = (): Reach => state;
export const reachDetail = (): string => detail;

export function onReach(fn: (s: Reach) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(s: Reach, why = ''): void {
  const changed = s !== state;
  state = s;
  detail = why;
  if (changed) for (const fn of listeners) fn(s);
}

/** Probes the proxy's /healthz (no cache, short timeout). */
export async function check(): Promise<Reach> {
  if (!navigator.onLine) {
    set('offline', 'Brak połączenia z siecią.');
    return state;
  }
  const ctrl = new AbortController();
  const t = setTimeout(() => ctrl.abort(), 4000);
  try {
    const r = await fetch('/healthz', { cache: 'no-store', signal: ctrl.signal });
    if (r.ok) set('online');
    else set('offline', `Serwer pośredniczący odpowiada błędem HTTP ${r.status}.`);
  } catch {
    set('offline', 'Serwer pośredniczący KSeF nie odpowiada.');
  } finally {
    clearTimeout(t);
  }
  return state;
}

/** Called when a KSeF request failed at the network level. */
export function reportFailure(why: string): void {
  set('offline', why);
  void check();
}

export function start(periodMs = 10_000): void {
  window.addEventListener('online', () => void check());
  window.addEventListener('offline', () => set('offline', 'Brak połączenia z siecią.'));
  timer ??= setInterval(() => void check(), periodMs);
  void check();
}

/** True for errors that mean "could not reach the server" (fetch TypeError, aborts). */
export function isNetworkError(e: unknown): boolean {
  if (e instanceof TypeError) return true;
  const err = e as { name?: string; code?: string; message?: string } | undefined;
  if (!err) return false;
  if (err.name === 'AbortError' || err.name === 'NetworkError') return true;
  const code = String(err.code ?? '');
  return /NETWORK|UNREACHABLE|FETCH/.test(code) || /Failed to fetch|NetworkError|network/i.test(String(err.message ?? ''));
}

export const UNREACHABLE_TEXT =
  'KSeF nieosiągalny: brak połączenia z serwerem KSeF. Możesz dalej wystawiać faktury; ' +
  'wysyłka będzie możliwa po przywróceniu połączenia.';
