/**
 * The two credentials, kept in IndexedDB as { certificate, metadata, non-extractable
 * CryptoKey }: the key survives reloads and browser restarts and still cannot be read.
 * Without IndexedDB (Node), an in-memory backend keeps them for the process's lifetime.
 */
import { KsefError } from './errors.js';
import { loadCredential, type StoredCredential } from './keys.js';
import type { CertificateInfo, Role } from './types.js';

interface Backend {
  get(role: Role): Promise<StoredCredential | undefined>;
  put(cred: StoredCredential): Promise<void>;
  delete(role: Role): Promise<void>;
}

const STORE = 'credentials';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

class IdbBackend implements Backend {
  constructor(private readonly db: IDBDatabase) {}

  static async open(name: string): Promise<IdbBackend> {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'role' });
    };
    return new IdbBackend(await request(open));
  }

  private async tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const t = this.db.transaction(STORE, mode);
    const result = request(f(t.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }

  get(role: Role) {
    return this.tx('readonly', (s) => s.get(role) as IDBRequest<StoredCredential | undefined>);
  }
  async put(cred: StoredCredential) {
    await this.tx('readwrite', (s) => s.put(cred));
  }
  async delete(role: Role) {
    await this.tx('readwrite', (s) => s.delete(role));
  }
}

class MemoryBackend implements Backend {
  private readonly map = new Map<Role, StoredCredential>();
  async get(role: Role) {
    return this.map.get(role);
  }
  async put(cred: StoredCredential) {
    this.map.set(cred.role, cred);
  }
  async delete(role: Role) {
    this.map.delete(role);
  }
}

/** The Authentication and Offline credentials of this browser. */
export class CredentialStore {
  private constructor(private readonly backend: Backend) {}

  /** Opens the store (IndexedDB database `dbName`, or memory where there is none). */
  static async open(dbName = 'ksef-credentials'): Promise<CredentialStore> {
    if (typeof indexedDB === 'undefined') return new CredentialStore(new MemoryBackend());
    try {
      return new CredentialStore(await IdbBackend.open(dbName));
    } catch (e) {
      throw new KsefError('STORAGE', `cannot open the credential store: ${(e as Error).message}`);
    }
  }

  /**
   * Checks the certificate, key and password on the spot (codes PASSWORD_REQUIRED,
   * WRONG_PASSWORD, KEY_MISMATCH, WRONG_CERT_TYPE, CERT_EXPIRED, CERT_NOT_YET_VALID,
   * UNSUPPORTED_KEY, BAD_INPUT_FILE) and stores the key non-extractable. Nothing is
   * stored when a check fails; the previous credential stays.
   */
  async save(role: Role, cert: Uint8Array, key: Uint8Array, password: string, opts: { now?: Date } = {}): Promise<CertificateInfo> {
    if (role !== 'auth' && role !== 'offline') throw new KsefError('INVALID_INPUT', `role: expected auth or offline, got ${String(role)}`);
    if (!cert?.length) throw new KsefError('MISSING_CERTIFICATE', `${role}: no certificate file was given`);
    if (!key?.length) throw new KsefError('MISSING_KEY', `${role}: no private key file was given`);
    const cred = await loadCredential(role, cert, key, password, { now: opts.now });
    try {
      await this.backend.put(cred);
    } catch (e) {
      throw new KsefError('STORAGE', `cannot store the ${role} credential: ${(e as Error).message}`);
    }
    return cred.info;
  }

  /** The stored credential for `role`. */
  get(role: Role): Promise<StoredCredential | undefined> {
    return this.backend.get(role);
  }

  /** Forgets the credential for `role`. */
  remove(role: Role): Promise<void> {
    return this.backend.delete(role);
  }

  /** Which credentials are configured. */
  async status(): Promise<{ auth?: CertificateInfo; offline?: CertificateInfo }> {
    const [auth, offline] = await Promise.all([this.get('auth'), this.get('offline')]);
    return { ...(auth && { auth: auth.info }), ...(offline && { offline: offline.info }) };
  }
}
