// A thin promise wrapper over IndexedDB (no dependency). All business data of the app
// lives here, so a reload or a browser restart loses nothing.
//
// Stores:
//   invoices  – light list rows (number, dates, buyer, statuses); 10 000 load in one getAll
//   drafts    – the draft JSON of each invoice (docs/draft-format.md), by invoice id
//   xml       – the issued FA(3) XML bytes (exactly what is sent and printed), by invoice id
//   history   – KSeF history rows of each invoice (index invoiceId)
//   users     – demo users and their permissions
//   settings  – key/value settings (company, KSeF env, auth state, permissions switch…)
//   sendJobs  – resumable send state of an interrupted "Wyślij do KSeF"

const DB_NAME = 'tms-ksef-app';
const DB_VERSION = 1;

export type StoreName = 'invoices' | 'drafts' | 'xml' | 'history' | 'users' | 'settings' | 'sendJobs';

let dbPromise: Promise<IDBDatabase> | undefined;

/** The browser's storage refused something: a Polish message that says so, with the
 *  browser's reason (a full disk says what to do). */
export class StorageError extends Error {
  constructor(readonly cause: unknown) {
    const name = (cause as { name?: string } | null)?.name ?? '';
    const detail = (cause as { message?: string } | null)?.message ?? String(cause ?? 'transakcja przerwana');
    super(name === 'QuotaExceededError'
      ? `Brak miejsca na dane aplikacji w przeglądarce: zwolnij miejsce na dysku i spróbuj ponownie (IndexedDB: ${detail}).`
      : `Nie udało się zapisać ani odczytać danych aplikacji w przeglądarce; nic nie zostało zmienione (IndexedDB${name ? ` ${name}` : ''}: ${detail}).`);
  }
}

/** The error of a failed request or transaction: the request's own error (a transaction's
 *  `error` is still null when its `error` event fires). */
function failed(ev: Event, tx?: IDBTransaction): StorageError {
  const target = ev.target as IDBRequest | IDBTransaction | null;
  return new StorageError(target?.error ?? tx?.error);
}

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = (ev) => reject(failed(ev));
  });
}

export function openDb(): Promise<IDBDatabase> {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      const inv = db.createObjectStore('invoices', { keyPath: 'id' });
      inv.createIndex('seq', 'seq', { unique: true });
      db.createObjectStore('drafts');
      db.createObjectStore('xml');
      const h = db.createObjectStore('history', { keyPath: 'id', autoIncrement: true });
      h.createIndex('invoiceId', 'invoiceId');
      db.createObjectStore('users', { keyPath: 'id' });
      db.createObjectStore('settings');
      db.createObjectStore('sendJobs', { keyPath: 'id' });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = (ev) => reject(failed(ev));
    open.onblocked = () => reject(new Error('IndexedDB blocked by another tab'));
  });
  return dbPromise;
}

async function store(name: StoreName, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await openDb()).transaction(name, mode).objectStore(name);
}

export async function get<T>(name: StoreName, key: IDBValidKey): Promise<T | undefined> {
  return req((await store(name, 'readonly')).get(key)) as Promise<T | undefined>;
}

export async function getAll<T>(name: StoreName): Promise<T[]> {
  return req((await store(name, 'readonly')).getAll()) as Promise<T[]>;
}

export async function getAllByIndex<T>(name: StoreName, index: string, key: IDBValidKey): Promise<T[]> {
  return req((await store(name, 'readonly')).index(index).getAll(key)) as Promise<T[]>;
}

export async function put(name: StoreName, value: unknown, key?: IDBValidKey): Promise<IDBValidKey> {
  return req((await store(name, 'readwrite')).put(value, key));
}

export async function del(name: StoreName, key: IDBValidKey): Promise<void> {
  await req((await store(name, 'readwrite')).delete(key));
}

export async function count(name: StoreName): Promise<number> {
  return req((await store(name, 'readonly')).count());
}

/** Several writes in one transaction: all or nothing. */
export async function atomically(
  names: StoreName[],
  fn: (stores: Record<string, IDBObjectStore>) => void,
): Promise<void> {
  await checkAndSet(names, () => [], (_, stores) => fn(stores));
}

/**
 * A check-and-set in one readwrite transaction: `read` issues the reads, and `write` runs
 * once all of them have succeeded, with their results in order, and may write. IndexedDB
 * runs overlapping readwrite transactions one after another, in every tab of the origin,
 * so nothing can change the stores between the reads and the writes. `write` must not
 * await (the transaction would commit under it). Resolves with `write`'s value once the
 * transaction has committed; rejects, with nothing written, if any step fails.
 */
export async function checkAndSet<R>(
  names: StoreName[],
  read: (stores: Record<string, IDBObjectStore>) => IDBRequest[],
  write: (results: unknown[], stores: Record<string, IDBObjectStore>) => R,
): Promise<R> {
  const tx = (await openDb()).transaction(names, 'readwrite');
  const stores: Record<string, IDBObjectStore> = {};
  for (const n of names) stores[n] = tx.objectStore(n);
  let out: { value: R } | undefined;
  let failure: unknown;
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = (ev) => reject(failure ?? failed(ev, tx));
    tx.onabort = (ev) => reject(failure ?? failed(ev, tx));
  });
  const finish = (results: unknown[]) => {
    try {
      out = { value: write(results, stores) };
    } catch (e) {
      failure = e;
      tx.abort();
    }
  };
  const requests = read(stores);
  const results: unknown[] = new Array(requests.length);
  let left = requests.length;
  if (left === 0) finish(results);
  requests.forEach((r, i) => {
    r.onsuccess = () => {
      results[i] = r.result;
      if (--left === 0) finish(results);
    };
  });
  await done;
  if (!out) throw new Error('transaction committed without its write step');
  return out.value;
}

/** A channel to the app's other tabs (none where `BroadcastChannel` is missing): they
 *  share this IndexedDB, and each tells the others what it changed. */
export function tabChannel<T>(name: string, onMessage: (data: T) => void): BroadcastChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (ev: MessageEvent<T>) => onMessage(ev.data);
  return channel;
}

export const setting = {
  get: <T>(key: string) => get<T>('settings', key),
  set: (key: string, value: unknown) => put('settings', value, key),
};
