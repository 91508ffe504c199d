/**
 * The KSeF client in the page: the core's auth coordinator, rate governor, retries,
 * online/batch sending and resume (running in wasm) over `fetch` through the proxy.
 */
import * as w from '../pkg/ksef_client.js';
import { KsefError, guardAsync } from './errors.js';
import { clientReady } from './modules.js';
import { sign, type StoredCredential } from './keys.js';
import type { AuthState, Env, KsefCertificateStatus, LatarniaStatus, Outcome } from './types.js';

/** Options of {@link KsefClient}. */
export interface ClientOptions {
  env: Env;
  /** Scheme and host of the proxy; '' (default) = same origin. */
  proxyBase?: string;
  /** Rate-limit profile; default: prod for env prod, test otherwise. */
  profile?: 'test' | 'prod';
  /** The host application's user token (sent as X-App-Authorization). */
  appToken?: () => string | undefined;
}

/** Options of {@link KsefClient.sendInvoices}. */
export interface SendOptions {
  mode?: 'auto' | 'online' | 'batch';
  /** Send with offlineMode: true (invoices issued in an offline mode). */
  offline?: boolean;
  /** Technical correction of a rejected offline invoice: the Base64 SHA-256 of the
   *  rejected invoice (`hashOfCorrectedInvoice`); exactly one invoice, online. */
  correctedHash?: string;
  onProgress?: (done: number, total: number) => void;
  /** The last persisted resumable state of this send (`{mode, state}`), or undefined. */
  state?: unknown;
  /** Called with the resumable state after every change; keep it durably. */
  persist?: (state: unknown) => void | Promise<void>;
}

/** The result of a send. */
export interface SendResult {
  outcomes: Outcome[];
  mode: 'online' | 'batch';
  state?: unknown;
}

export class KsefClient {
  readonly env: Env;
  readonly proxyBase: string;
  private readonly appToken?: () => string | undefined;
  private readonly make: () => w.KsefClient;
  /** The wasm client, made once the client module is ready (see `core`). */
  private inner?: w.KsefClient;
  private pending?: Promise<w.KsefClient>;

  constructor(opts: ClientOptions) {
    if (!['sim', 'test', 'demo', 'prod'].includes(opts.env)) {
      throw new KsefError('INVALID_INPUT', `env: expected sim, test, demo or prod, got ${String(opts.env)}`);
    }
    this.env = opts.env;
    this.proxyBase = (opts.proxyBase ?? '').replace(/\/+$/, '');
    this.appToken = opts.appToken;
    const profile = opts.profile ?? (opts.env === 'prod' ? 'prod' : 'test');
    if (profile !== 'prod' && profile !== 'test') {
      throw new KsefError('INVALID_INPUT', `profile: expected prod or test, got ${JSON.stringify(profile)}`);
    }
    const token = opts.appToken ? () => opts.appToken?.() ?? '' : undefined;
    const base = `${this.proxyBase}/${this.env}/v2`;
    this.make = () => new w.KsefClient(base, profile, token);
  }

  /** The wasm client, once the client module (loading in the background) is ready. */
  private core(): Promise<w.KsefClient> {
    this.pending ??= clientReady().then(() => {
      try {
        this.inner = this.make();
        return this.inner;
      } catch (e) {
        throw KsefError.from(e);
      }
    });
    return this.pending;
  }

  /** The authorization state (as of the last finished operation). */
  get authState(): AuthState {
    return (this.inner?.authState() as AuthState | undefined) ?? { state: 'NotAuthenticated' };
  }

  /** Logs in with the Authentication credential; refusals come back as an Error state. */
  authorize(cred: StoredCredential | undefined, context: { type: 'Nip' | string; value: string }): Promise<AuthState> {
    if (!cred) {
      return Promise.resolve({
        state: 'Error',
        reason: { kind: 'missing_credentials', message: 'missing credentials: no Authentication certificate and key are saved' },
      });
    }
    if (cred.role !== 'auth') throw new KsefError('INVALID_INPUT', 'authorize needs the Authentication credential (role auth)');
    return guardAsync(
      async () => (await this.core()).authorize(cred.certificateDer, cred.signatureAlgorithm, context.type, context.value,
        (alg: string, msg: Uint8Array) => sign(cred, alg, msg)) as Promise<AuthState>,
    );
  }

  /**
   * Sends invoices (online, or batch above the core's threshold in mode auto). Throws
   * KsefError NOT_AUTHORIZED unless authorized. Outcomes are in input order; an invoice
   * whose status is not final yet is `verifying`.
   */
  async sendInvoices(items: { id: string; xml: Uint8Array }[], opts: SendOptions = {}): Promise<SendResult> {
    if (!Array.isArray(items) || items.length === 0) throw new KsefError('INVALID_INPUT', 'nothing to send: the list of invoices is empty');
    items.forEach((it, i) => {
      if (typeof it?.id !== 'string' || !it.id) throw new KsefError('INVALID_INPUT', `items[${i}].id: expected a non-empty string`);
      if (!(it.xml instanceof Uint8Array) || it.xml.length === 0) throw new KsefError('INVALID_INPUT', `items[${i}].xml: expected the invoice XML bytes`);
    });
    // The state crosses as JSON text; callers see (and store) the plain object.
    const persist = opts.persist ? (s: string) => void opts.persist?.(JSON.parse(s)) : undefined;
    const state = opts.state === undefined || opts.state === null ? undefined : JSON.stringify(opts.state);
    const core = await this.core();
    const r = (await guardAsync(() => core.sendInvoices(
      items.map((i) => i.id), items.map((i) => i.xml), opts.mode ?? 'auto', !!opts.offline,
      opts.correctedHash, state, persist, opts.onProgress,
    ))) as { outcomes: (Omit<Outcome, 'id'> | null)[]; mode: 'online' | 'batch'; state: string };
    const outcomes = r.outcomes.map((o, i): Outcome => o
      ? { ...o, id: items[i].id }
      : { id: items[i].id, status: 'verifying', code: 100, description: 'Faktura przyjęta do dalszego przetwarzania',
        details: [], referenceNumber: '', sessionReferenceNumber: '', invoicingDate: '', invoiceHash: '' });
    return { outcomes, mode: r.mode, state: JSON.parse(r.state) };
  }

  /** Re-reads one invoice's status (ODŚWIEŻ). */
  async refresh(outcome: Outcome): Promise<Outcome> {
    if (!outcome.sessionReferenceNumber || !outcome.referenceNumber) {
      throw new KsefError('INVALID_INPUT', 'this invoice has no KSeF reference yet: send it first');
    }
    const core = await this.core();
    const o = (await guardAsync(() => core.invoiceStatus(outcome.sessionReferenceNumber, outcome.referenceNumber))) as Omit<Outcome, 'id'>;
    return { ...o, id: outcome.id };
  }

  /** The UPO (XML bytes) of an accepted invoice. */
  upo(outcome: Outcome): Promise<Uint8Array> {
    if (outcome.status !== 'accepted') return Promise.reject(new KsefError('NO_UPO', 'a UPO exists only for an accepted invoice'));
    return guardAsync(async () => (await this.core()).invoiceUpo(outcome.sessionReferenceNumber, outcome.referenceNumber) as Promise<Uint8Array>);
  }

  /**
   * What KSeF says about the logged-in subject's certificate `serialHex` (16 hex digits,
   * as in {@link CertificateInfo.serialHex}): null when KSeF does not list it for this
   * subject (a self-signed certificate, or one enrolled by another person). Throws
   * KsefError INVALID_INPUT for a malformed serial and NOT_AUTHORIZED before a login.
   */
  async certificateStatus(serialHex: string): Promise<KsefCertificateStatus | null> {
    if (typeof serialHex !== 'string' || !serialHex.trim()) {
      throw new KsefError('INVALID_INPUT', 'serialHex: expected the 16 hex digits of a KSeF certificate serial');
    }
    const core = await this.core();
    return (await guardAsync(() => core.certificateStatus(serialHex))) as KsefCertificateStatus | null;
  }

  /** KSeF's status service (Latarnia) through the proxy. */
  async latarnia(): Promise<LatarniaStatus> {
    const headers: Record<string, string> = {};
    const t = this.appToken?.();
    if (t) headers['X-App-Authorization'] = `Bearer ${t}`;
    let r: Response;
    try {
      r = await fetch(`${this.proxyBase}/${this.env}/latarnia/status`, { headers });
    } catch (e) {
      throw new KsefError('NETWORK', `KSeF status service unreachable: ${(e as Error).message}`);
    }
    if (!r.ok) throw new KsefError('KSEF_ERROR', `KSeF status service answered ${r.status}`);
    return (await r.json()) as LatarniaStatus;
  }
}
