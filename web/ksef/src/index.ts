/**
 * ksef-module: the KSeF 2.0 browser module (issue 6). Call {@link init} once, then use
 * the invoice functions, the {@link CredentialStore} and the {@link KsefClient}.
 * Private keys never leave the browser: they are non-extractable WebCrypto keys.
 */
import * as w from '../pkg/ksef_invoice.js';
import * as wk from '../pkg/ksef_keys.js';
import { KsefError, guard } from './errors.js';
import { keysReady, start, type InitOptions } from './modules.js';
import { sign, type StoredCredential } from './keys.js';
import type { CertificateInfo, DraftTotals, Env, FieldError, OfflineDeadline, OfflineMode, Problem } from './types.js';

export { KsefError } from './errors.js';
export { CredentialStore } from './store.js';
export { KsefClient, type ClientOptions, type SendOptions, type SendResult } from './client.js';
export { loadCredential, sign, type StoredCredential, type SignatureAlgorithm } from './keys.js';
export type * from './types.js';
export { loaded, type InitOptions } from './modules.js';

/**
 * Loads the wasm modules (once). Resolves as soon as the invoice module is ready (every
 * synchronous function below); the keys and client modules keep loading in the
 * background and the asynchronous functions that need them wait for them.
 * {@link loaded} resolves when all three are in.
 */
export function init(opts: InitOptions = {}): Promise<void> {
  return start(opts);
}

function draftText(draft: unknown): string {
  if (typeof draft === 'string') return draft;
  if (draft === null || typeof draft !== 'object') throw new KsefError('INVALID_INPUT', 'draft: expected an object or JSON text');
  return JSON.stringify(draft);
}

/** Draft (docs/draft-format.md) → FA(3) XML bytes; DRAFT_INVALID lists every field problem. */
export function draftToXml(draft: unknown, createdAt: Date = new Date()): Uint8Array {
  return guard(() => w.draftToXml(draftText(draft), createdAt.getTime()));
}

/** Checks a draft without building it; every problem at once. */
export function checkDraft(draft: unknown): { ok: true; totals: DraftTotals } | { ok: false; errors: FieldError[] } {
  return guard(() => w.checkDraft(draftText(draft)));
}

/** Validates FA(3) XML; `today` (YYYY-MM-DD) enables the issue-date rule. */
export function validateXml(xml: Uint8Array, opts: { today?: string; productionRules?: boolean } = {}): { ok: boolean; problems: Problem[] } {
  return guard(() => w.validateXml(xml, opts.today, opts.productionRules));
}

/** FA(3) XML → JSON with the XSD's element names. */
export function parseXml(xml: Uint8Array): any {
  return JSON.parse(guard(() => w.parseXml(xml)));
}

/** SHA-256 of the exact bytes. */
export function invoiceHash(xml: Uint8Array): { base64: string; base64url: string; hex: string } {
  return guard(() => w.invoiceHash(xml));
}

/** KOD I URL (DIGEST §13): environment, seller NIP, P_1, hash of the bytes. */
export function kod1Url(env: Env, sellerNip: string, issueDate: string, xml: Uint8Array): string {
  return guard(() => w.kod1Url(env, sellerNip, issueDate, xml));
}

/** `text` as an SVG QR code, `label` printed under it (OFFLINE, CERTYFIKAT, KSeF number). */
export function qrSvg(text: string, label = ''): string {
  return guard(() => w.qrSvg(text, label));
}

/** Reads a certificate (PEM or DER). */
export async function inspectCertificate(bytes: Uint8Array): Promise<CertificateInfo> {
  await keysReady();
  return guard(() => wk.inspectCertificate(bytes));
}

/** The Offline certificate read once per credential. */
const kod2Certificates = new WeakMap<StoredCredential, InstanceType<typeof wk.Kod2Certificate>>();

/** KOD II (CERTYFIKAT) URL, signed with the Offline credential (two-step: the core
 *  builds the bytes, WebCrypto signs, the core assembles). */
export async function kod2Url(cred: StoredCredential, env: Env, context: { type: string; value: string }, sellerNip: string, xml: Uint8Array): Promise<string> {
  if (cred?.role !== 'offline') throw new KsefError('INVALID_INPUT', 'KOD II needs the Offline credential (role offline)');
  await keysReady();
  // The first link of a credential is verified against its certificate in full; later
  // ones reuse that proof (the key cannot change inside a StoredCredential).
  let cert = kod2Certificates.get(cred);
  const prechecked = cert !== undefined;
  if (!cert) cert = guard(() => new wk.Kod2Certificate(cred.certificateDer));
  const c = cert;
  const pending = guard(() => c.prepare(env, context.type, context.value, sellerNip, xml));
  try {
    const signature = await sign(cred, pending.algorithm, pending.message);
    const url = guard(() => pending.finish(signature, prechecked));
    kod2Certificates.set(cred, c);
    return url;
  } finally {
    pending.free();
  }
}

/** The legal deadline of an offline invoice from dates (`ended` = end of the
 *  unavailability or failure, required for those modes). */
export function offlineDeadline(mode: OfflineMode, issued: string, ended?: string, now: Date = new Date()): OfflineDeadline {
  return guard(() => w.offlineDeadline(mode, issued, ended, now.getTime()));
}

/** The legal deadline from the periods Latarnia announced (emergency restarts included). */
export function offlineDeadlineFromPeriods(mode: OfflineMode, issued: string,
  periods: { category: string; start: string; end?: string | null }[], now: Date = new Date()): OfflineDeadline {
  return guard(() => w.offlineDeadlineFromPeriods(mode, issued,
    periods.map((p) => ({ category: p.category, start: p.start, ...(p.end ? { end: p.end } : {}) })), now.getTime()));
}

/** Polish public holidays of `year`. */
export function holidays(year: number): { date: string; name: string }[] {
  return guard(() => w.holidays(year));
}

/** Whether `date` (YYYY-MM-DD) is a business day in Poland. */
export function isBusinessDay(date: string): boolean {
  return guard(() => w.isBusinessDay(date));
}

