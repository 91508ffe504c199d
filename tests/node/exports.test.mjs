// Keeps "every exported function is tested inside wasm" true as exports are added:
// each export of the three wasm modules (functions, classes with a JavaScript constructor,
// and every method and getter of an exported class) must be called in the
// wasm-bindgen-test suite that runs in headless Chromium (crates/ksef-wasm/tests/web.rs),
// and each public export of the npm package (functions, classes, public methods) must be
// called in the package tests that run it inside wasm (tests/node in Node, tests/browser
// in Chromium). The names are read from the built artefacts, not from a list kept by hand.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

import { repo } from './helpers.mjs';

const require = createRequire(import.meta.url);
const read = (dir, re) => readdirSync(path.join(repo, dir)).filter((f) => re.test(f))
  .map((f) => readFileSync(path.join(repo, dir, f), 'utf8')).join('\n');
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** Methods and getters a class defines itself (not wasm-bindgen's memory management). */
const members = (cls) => Object.getOwnPropertyNames(cls.prototype)
  .filter((n) => !['constructor', 'free', '__destroy_into_raw'].includes(n));
const called = (src, name) => new RegExp(`\\b${name}\\s*\\(`).test(src);

test('every export of the wasm modules is called in the headless-Chromium suite (web.rs)', () => {
  const web = readFileSync(path.join(repo, 'crates/ksef-wasm/tests/web.rs'), 'utf8');
  const missing = [];
  let seen = 0;
  for (const module of ['ksef_invoice', 'ksef_keys', 'ksef_client']) {
    const exports = require(path.join(repo, `web/ksef/pkg-node/${module}.js`));
    const dts = readFileSync(path.join(repo, `web/ksef/pkg-node/${module}.d.ts`), 'utf8');
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || name.startsWith('__') || name === 'initSync') continue;
      seen += 1;
      if (/^[A-Z]/.test(name)) {
        const body = dts.match(new RegExp(`export class ${name} \\{([\\s\\S]*?)\\n\\}`))?.[1] ?? '';
        if (/\n\s*constructor\(/.test(body) && !called(web, `${name}::new`)) missing.push(`new ${name}`);
        for (const m of members(value)) {
          seen += 1;
          if (!called(web, `\\.${snake(m)}`)) missing.push(`${module}: ${name}.${m}`);
        }
      } else if (!called(web, snake(name))) {
        missing.push(`${module}: ${name}`);
      }
    }
  }
  assert.ok(seen >= 25, `only ${seen} exports found: is web/ksef/pkg-node built?`);
  assert.deepEqual(missing, [], 'exports no wasm-bindgen test calls');
});

test('every public export of the npm package is called in its Node or Chromium tests', async () => {
  const tests = `${read('tests/node', /\.(mjs|cjs)$/)}\n${read('tests/browser', /\.(mjs|js)$/)}`;
  const dts = read('web/ksef/dist', /\.d\.ts$/);
  const pkg = await import(path.join(repo, 'web/ksef/dist/index.js'));
  const missing = [];
  for (const [name, value] of Object.entries(pkg)) {
    if (!new RegExp(`\\b${name}\\b`).test(tests.replace(/^import .*$/gm, ''))) missing.push(name);
    if (typeof value === 'function' && /^[A-Z]/.test(name)) {
      for (const m of members(value)) {
        if (new RegExp(`private\\s+(readonly\\s+)?${m}\\b`).test(dts)) continue;
        if (!called(tests, `\\.${m}`)) missing.push(`${name}.${m}`);
      }
    }
  }
  assert.ok(Object.keys(pkg).length >= 15, 'the package exports too little: is web/ksef/dist built?');
  assert.deepEqual(missing, [], 'package exports no test calls');
});
