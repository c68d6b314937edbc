// The web verifier's service worker: keeps the page, its scripts and the WebAssembly verifier
// so the page opens and verifies with no network after its first visit. Network first (an
// updated page or verifier is taken as soon as it is reachable), the kept copy when the network
// fails or hangs. Only the page's own files are handled; trust lists, status lists and bundles
// the page downloads pass through (the page keeps those in IndexedDB itself).

const CACHE = 'cert-wallet-verifier';
/** The page's own files. */
const PAGE = [
  './',
  './index.html',
  './app.js',
  './messages.js',
  './store.js',
  './style.css',
  './manifest.webmanifest',
  './icon.svg',
];
/** The verifier package's files when its package.json cannot be read. */
const PKG_DEFAULT = ['wallet.js', 'text.js', 'wallet_wasm.js', 'wallet_wasm_bg.wasm'];
/** How long the network may take before the kept copy is used instead. */
const NETWORK_TIMEOUT_MS = 4000;

const scope = self.registration.scope;
const pageUrls = new Set(PAGE.map((p) => new URL(p, scope).href));
const pkgPrefix = new URL('./pkg/', scope).href;

/** The package's runtime files, as its package.json lists them (the modules and their .wasm). */
async function packageFiles() {
  try {
    const manifest = await (await fetch(`${pkgPrefix}package.json`, { cache: 'no-cache' })).json();
    const files = manifest.files.filter((f) => /\.(js|wasm)$/.test(f) && !f.endsWith('.d.ts'));
    if (files.length) return files;
  } catch {
    // Fall back to the files every version of the package has.
  }
  return PKG_DEFAULT;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const pkg = (await packageFiles()).map((f) => `${pkgPrefix}${f}`);
    await cache.addAll([...PAGE, ...pkg]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('network timeout')), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The page is opened with a query (`?bundle=…`): it is kept once, without it.
  url.search = '';
  url.hash = '';
  const navigation = request.mode === 'navigate' && url.href.startsWith(scope);
  if (!navigation && !pageUrls.has(url.href) && !url.href.startsWith(pkgPrefix)) return;
  // A module imported again with a query (a fresh scanner instance) is the same file.
  const key = navigation ? new URL('./', scope).href : url.href;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      // A navigation request cannot be given other options; the others revalidate with the
      // server rather than trusting the HTTP cache, so an updated verifier is picked up.
      const fetched = navigation ? fetch(request) : fetch(request, { cache: 'no-cache' });
      const response = await withTimeout(fetched, NETWORK_TIMEOUT_MS);
      if (response.ok) await cache.put(key, response.clone());
      return response;
    } catch (error) {
      const kept = await cache.match(key);
      if (kept) return kept;
      throw error;
    }
  })());
});
