/**
 * Keys in the browser (DESIGN "Keys"): the wasm core decrypts the password-protected
 * PKCS#8 once, the plain PKCS#8 is imported into WebCrypto as a NON-EXTRACTABLE key and
 * wiped; afterwards no script, ours included, can read the key: it can only sign.
 * Where WebCrypto is missing, the pure-Rust `SoftKey` signs inside wasm memory.
 */
import * as w from '../pkg/ksef_keys.js';
import { KsefError } from './errors.js';
import { keysReady } from './modules.js';
import type { CertificateInfo, Role } from './types.js';

/** The signature algorithms of the core (`SignatureAlgorithm`). */
export type SignatureAlgorithm = 'RsaPkcs1v15Sha256' | 'RsaPssSha256' | 'EcdsaP256Sha256P1363';

/** A credential as kept in IndexedDB: certificate, metadata and a non-extractable key. */
export interface StoredCredential {
  role: Role;
  info: CertificateInfo;
  certificateDer: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  /** WebCrypto key (extractable: false), or the pure-Rust fallback (not persistable). */
  key: CryptoKey | w.SoftKey;
}

function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

function importParams(alg: SignatureAlgorithm): RsaHashedImportParams | EcKeyImportParams {
  switch (alg) {
    case 'EcdsaP256Sha256P1363':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'RsaPkcs1v15Sha256':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'RsaPssSha256':
      return { name: 'RSA-PSS', hash: 'SHA-256' };
  }
}

function signParams(alg: SignatureAlgorithm): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  switch (alg) {
    case 'EcdsaP256Sha256P1363':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'RsaPkcs1v15Sha256':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'RsaPssSha256':
      return { name: 'RSA-PSS', saltLength: 32 };
  }
}

/**
 * Loads and checks a credential for `role` and turns its key into a non-extractable
 * WebCrypto key (or, with `soft: true` or without WebCrypto, a pure-Rust SoftKey).
 */
export async function loadCredential(
  role: Role, cert: Uint8Array, key: Uint8Array, password: string, opts: { soft?: boolean; now?: Date } = {},
): Promise<StoredCredential> {
  const now = (opts.now ?? new Date()).getTime();
  await keysReady();
  let loaded: w.LoadedCredential;
  try {
    loaded = w.loadCredential(role, cert, key, password, now);
  } catch (e) {
    throw KsefError.from(e);
  }
  const meta = loaded.meta as { info: CertificateInfo; certificateDer: Uint8Array; signatureAlgorithm: SignatureAlgorithm };
  const s = subtle();
  if (opts.soft || !s) {
    loaded.free();
    const soft = new w.SoftKey(role, cert, key, password, now);
    return { role, info: meta.info, certificateDer: meta.certificateDer, signatureAlgorithm: meta.signatureAlgorithm, key: soft };
  }
  const pkcs8 = loaded.takePkcs8();
  loaded.free();
  try {
    const cryptoKey = await s.importKey('pkcs8', pkcs8 as BufferSource, importParams(meta.signatureAlgorithm), false, ['sign']);
    return { role, info: meta.info, certificateDer: meta.certificateDer, signatureAlgorithm: meta.signatureAlgorithm, key: cryptoKey };
  } catch (e) {
    throw new KsefError('BAD_KEY', `WebCrypto refused the key: ${(e as Error).message}`);
  } finally {
    pkcs8.fill(0);
  }
}

/** Signs `message` with the credential's key; `algorithm` must be the credential's. */
export async function sign(cred: StoredCredential, algorithm: string, message: Uint8Array): Promise<Uint8Array> {
  if (algorithm !== cred.signatureAlgorithm) {
    throw new KsefError('ALGORITHM_MISMATCH', `the ${cred.role} key signs with ${cred.signatureAlgorithm}, not ${algorithm}`);
  }
  if (cred.key instanceof w.SoftKey) return cred.key.sign(algorithm, message);
  const s = subtle();
  if (!s) throw new KsefError('NO_WEBCRYPTO', 'WebCrypto is not available to use the stored key');
  return new Uint8Array(await s.sign(signParams(cred.signatureAlgorithm), cred.key, message as BufferSource));
}
