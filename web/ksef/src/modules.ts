/**
 * The three wasm modules and when each is ready. `init()` waits for the invoice module
 * only (drafts, XML, validation, hash, KOD I, QR, calendar: what a page needs to show and
 * print invoices); the keys and client modules then instantiate in the background, and
 * every function that needs them (all asynchronous) waits for its module.
 */
import initInvoice from '../pkg/ksef_invoice.js';
import initKeys from '../pkg/ksef_keys.js';
import initClient from '../pkg/ksef_client.js';
import { KsefError } from './errors.js';

/** Where the three wasm modules come from (URL or bytes); default: next to the package. */
export interface InitOptions {
  /** ksef_invoice_bg.wasm: drafts, XML, validation, hash, KOD I, QR, calendar. */
  invoice?: URL | string | BufferSource;
  /** ksef_keys_bg.wasm: certificates, password-protected keys, KOD II, SoftKey. */
  keys?: URL | string | BufferSource;
  /** ksef_client_bg.wasm: XAdES login and sending. */
  client?: URL | string | BufferSource;
  /** Skip the keys module (pages that never load credentials nor print KOD II). */
  withKeys?: boolean;
  /** Skip the client module (pages that only build, validate and print). */
  withClient?: boolean;
}

let invoice: Promise<void> | undefined;
let keys: Promise<void> | undefined;
let client: Promise<void> | undefined;

function load(what: string, start: () => Promise<unknown>): Promise<void> {
  const p = start().then(
    () => undefined,
    (e: unknown) => {
      throw new KsefError('INIT_FAILED', `the ${what} wasm module did not load: ${(e as Error)?.message ?? String(e)}`);
    },
  );
  // A background module that fails is reported to whoever needs it, not as an
  // unhandled rejection at load time.
  p.catch(() => undefined);
  return p;
}

/** Starts loading the modules (once); resolves when the invoice module is ready. */
export function start(opts: InitOptions): Promise<void> {
  if (!invoice) {
    const arg = (src?: URL | string | BufferSource) => (src === undefined ? undefined : { module_or_path: src });
    invoice = load('invoice', () => initInvoice(arg(opts.invoice)));
    // The other two start once the invoice module is in, so they do not compete with it
    // for the network and the compiler (init() resolves sooner; measured in
    // scripts/bench-browser).
    const after = invoice.then(() => undefined, () => undefined);
    if (opts.withKeys !== false) keys = load('keys', () => after.then(() => initKeys(arg(opts.keys))));
    if (opts.withClient !== false) client = load('client', () => after.then(() => initClient(arg(opts.client))));
  }
  return invoice;
}

function needed(p: Promise<void> | undefined, what: string, option: string): Promise<void> {
  if (p) return p;
  return Promise.reject(new KsefError('NOT_INITIALISED',
    invoice ? `the ${what} module was skipped (init({ ${option}: false }))` : 'call init() first'));
}

/** Waits for the keys module (certificates, keys, KOD II). */
export function keysReady(): Promise<void> {
  return needed(keys, 'keys', 'withKeys');
}

/** Waits for the client module (login, sending). */
export function clientReady(): Promise<void> {
  return needed(client, 'client', 'withClient');
}

/** Resolves when every module `init()` started is ready (rejects if one failed). */
export function loaded(): Promise<void> {
  if (!invoice) return Promise.reject(new KsefError('NOT_INITIALISED', 'call init() first'));
  return Promise.all([invoice, keys, client]).then(() => undefined);
}
