// Service worker of the TMS web app: precaches the app shell (HTML, JS, CSS, wasm) so
// the app starts and works with the network or the proxy gone. KSeF API calls, the
// proxy's own endpoints and anything not in the shell are never cached: they go to the
// network, and the app reports "KSeF nieosiągalny" when they fail.
// VERSION and PRECACHE are filled in by the build (vite.config.ts).
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const CACHE = 'tms-shell-' + VERSION;
const SHELL = new Set(PRECACHE.map((p) => new URL(p, self.registration.scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tms-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const scope = self.registration.scope;
  if (req.mode === 'navigate' && (url.href === scope || url.href === scope + 'index.html')) {
    // App shell: the cached page (hash routes never reach the server), network as fallback.
    event.respondWith(caches.match(scope).then((hit) => hit || fetch(req)));
    return;
  }
  const clean = url.origin + url.pathname;
  if (SHELL.has(clean)) {
    event.respondWith(caches.match(clean).then((hit) => hit || fetch(req)));
  }
});
