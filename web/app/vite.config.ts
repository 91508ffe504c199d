// Vite build of the reference web app: web/app → web/dist (served by the proxy).
// The service worker (sw.js) is emitted by a small plugin that injects the exact list of
// built files, so the whole app shell (including the wasm module) is precached.
import { defineConfig, type Plugin } from 'vite';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));

function serviceWorker(): Plugin {
  return {
    name: 'tms-service-worker',
    apply: 'build',
    generateBundle(_opts, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith('.map'));
      const hash = createHash('sha256');
      for (const f of files.sort()) {
        const item = bundle[f];
        hash.update(f);
        hash.update(item.type === 'chunk' ? item.code : item.source);
      }
      const version = hash.digest('hex').slice(0, 16);
      const precache = ['./', ...files.map((f) => './' + f)];
      const source = readFileSync(resolve(here, 'sw.js'), 'utf8')
        .replaceAll('__VERSION__', version)
        .replaceAll('__PRECACHE__', JSON.stringify(precache));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: { 'ksef-module': resolve(here, '../ksef/src/index.ts') },
  },
  build: {
    outDir: resolve(here, '../dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  plugins: [serviceWorker()],
});
