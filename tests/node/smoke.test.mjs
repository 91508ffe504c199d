// Placeholder node test suite: the wasm package tests arrive with the browser-module issue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('package.json is the npm package root', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url)));
  assert.equal(pkg.name, 'ksef-module');
});
