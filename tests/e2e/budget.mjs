// Budgets of issue 7 (figures, not timed assertions): first load on loopback with a cold
// cache (target ≤ 1.5 s), scrolling the virtualised list of 10 000 invoices, and a bulk
// send of 500 invoices against the zero-delay simulator (target < 30 s).
// Run: node tests/e2e/budget.mjs   (needs the release proxy and web/dist, like the tests)
import * as H from './harness.mjs';

const figures = {};
const stack = await H.startStack();
try {
  // 1. First load, cold cache: a fresh profile (no HTTP cache, no service worker).
  const loads = [];
  for (let i = 0; i < 3; i++) {
    const b = await H.launch();
    const t0 = Date.now();
    await b.page.goto(`${stack.url}/#/przychody`);
    await b.page.waitForSelector('html[data-ready="1"]');
    const ready = Date.now() - t0;
    const nav = await b.page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { dcl: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd),
        bytes: performance.getEntriesByType('resource').reduce((s, r) => s + (r.transferSize || 0), 0) + (n.transferSize || 0) };
    });
    loads.push({ readyMs: ready, ...nav });
    await b.close();
    b.remove();
  }
  figures.firstLoad = loads;
  console.error('first load', JSON.stringify(loads));

  // 2. 10 000 invoices: generate, open the list, scroll it top to bottom frame by frame.
  const b = await H.launch();
  const page = b.page;
  await H.setupKsef(page, stack.url);
  await H.openApp(page, stack.url, '#/ustawienia/system');
  await page.fill('#gen-count', '10000');
  await page.uncheck('#gen-issue');
  let t0 = Date.now();
  await page.click('#gen-run');
  await page.waitForSelector('#gen-msg .msg-success', { timeout: 300_000 });
  figures.generate10000Ms = Date.now() - t0;
  t0 = Date.now();
  await H.openApp(page, stack.url);
  await page.waitForSelector('.vlist .inv-row');
  figures.listOpen10000Ms = Date.now() - t0;
  figures.scroll = await page.evaluate(async () => {
    const v = document.querySelector('.vlist');
    const frames = [];
    let last = performance.now();
    const step = Math.ceil(v.scrollHeight / 400);
    for (let i = 0; i < 400; i++) {
      v.scrollTop += step;
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    frames.sort((a, b) => a - b);
    return {
      frames: frames.length, rowsInDom: document.querySelectorAll('.vlist .inv-row').length,
      avgMs: +(frames.reduce((s, x) => s + x, 0) / frames.length).toFixed(1),
      p95Ms: +frames[Math.floor(frames.length * 0.95)].toFixed(1), maxMs: +frames[frames.length - 1].toFixed(1),
      reachedBottom: v.scrollTop + v.clientHeight >= v.scrollHeight - 50,
    };
  });
  await b.close();
  b.remove();

  // 3. Bulk send of 500 issued invoices (fresh profile, zero-delay simulator).
  const c = await H.launch();
  await H.setupKsef(c.page, stack.url);
  await H.openApp(c.page, stack.url, '#/ustawienia/system');
  await c.page.fill('#gen-count', '500');
  await c.page.click('#gen-run');
  await c.page.waitForSelector('#gen-msg .msg-success', { timeout: 120_000 });
  await H.openApp(c.page, stack.url);
  await c.page.selectOption('select[aria-label="Status KSeF"]', 'waiting_for_sending');
  await c.page.click('.inv-head input[type=checkbox]');
  const progress = [];
  await c.page.exposeFunction('__budgetProgress', (v) => progress.push(v));
  t0 = Date.now();
  await c.page.click('#bulk-send');
  await c.page.waitForSelector('#bulk-progress');
  await c.page.evaluate(() => {
    const bar = document.querySelector('#bulk-progress');
    new MutationObserver(() => window.__budgetProgress(Number(bar.value))).observe(bar, { attributes: true });
  });
  await c.page.waitForSelector('table.results', { state: 'attached', timeout: 300_000 });
  figures.bulk500 = {
    ms: Date.now() - t0,
    summary: (await c.page.textContent('.bulk-results .msg')).trim(),
    progressUpdates: progress.length,
    distinctProgressValues: new Set(progress).size,
  };
  await H.shot(c.page, '09-bulk-500-done');
  await c.close();
  c.remove();
} finally {
  await stack.stop();
}
console.log(JSON.stringify(figures, null, 2));
