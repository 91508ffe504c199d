// Loads the package and its wasm; records the time init() took (budget: ≤ 50 ms: the
// invoice module, after which the page works) and until all three modules were in.
const t0 = performance.now();
const ksef = await import('./ksef/dist/index.js');
const t1 = performance.now();
await ksef.init();
window.initMs = performance.now() - t1;
await ksef.loaded();
window.loadedMs = performance.now() - t1;
window.importMs = t1 - t0;
window.ksef = ksef;
document.body.dataset.ready = '1';
