// Shared helpers of the Node tests: repository paths, the built package, the native
// binaries (ksef-sim for demo credentials, ksef-proxy --sim as the server), xmllint.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const shared = process.env.KSEF_SHARED ?? path.resolve(repo, '../shared');
export const bin = (name) => {
  // KSEF_PROXY_BIN, KSEF_SIM_BIN, KSEF_BIN: a given build (benchmarks use release ones).
  const given = process.env[`${name.replace(/-/g, '_').toUpperCase()}_BIN`];
  if (given) return path.resolve(given);
  for (const profile of ['debug', 'release']) {
    const p = path.join(repo, 'target', profile, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} is not built: run cargo build -p ${name === 'ksef' ? 'ksef-cli' : name}`);
};

/** The package, initialised with the wasm bytes (Node's fetch cannot read file URLs). */
export async function ksef() {
  const m = await import(path.join(repo, 'web/ksef/dist/index.js'));
  await m.init({
    invoice: readFileSync(path.join(repo, 'web/ksef/pkg/ksef_invoice_bg.wasm')),
    keys: readFileSync(path.join(repo, 'web/ksef/pkg/ksef_keys_bg.wasm')),
    client: readFileSync(path.join(repo, 'web/ksef/pkg/ksef_client_bg.wasm')),
  });
  return m;
}

/** Fresh demo credentials (self-signed TEST-style test fixtures) for `nip`. */
export function demoCredentials(nip = '5265877635', password = 'demo') {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksef-creds-'));
  execFileSync(bin('ksef-sim'), ['demo-credentials', '--nip', nip, '--password', password, '--out', dir]);
  const read = (f) => new Uint8Array(readFileSync(path.join(dir, f)));
  return {
    dir,
    password,
    auth: { cert: read('authentication.crt'), key: read('authentication.key') },
    offline: { cert: read('offline.crt'), key: read('offline.key') },
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts `ksef-proxy --sim` on a free port; resolves when /healthz answers. */
export async function startProxy(extraArgs = []) {
  const port = await freePort();
  const child = spawn(bin('ksef-proxy'), ['--sim', '--listen', `127.0.0.1:${port}`, ...extraArgs], {
    env: { ...process.env, KSEF_SHARED: shared, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, port, child, stop: () => child.kill('SIGTERM') };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('ksef-proxy did not start');
}

/** `xmllint --schema` on bytes; returns { ok, output }. */
export function xmllint(xml, xsd) {
  try {
    const out = execFileSync('xmllint', ['--nonet', '--noout', '--schema', xsd, '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] });
    return { ok: true, output: out.toString() };
  } catch (e) {
    return { ok: false, output: `${e.stdout}${e.stderr}` };
  }
}

export const fa3Xsd = path.join(shared, 'ksef/schemas/schemat_FA(3)_v1-0E.xsd');
export const draft = (name) => JSON.parse(readFileSync(path.join(repo, 'docs/examples', name), 'utf8'));
