// The service worker that keeps the playground working offline after the first visit
// (a lecture hall's Wi-Fi). Registered by the app (src/ui/offline.rs) as ./sw.js, next to
// index.html, so its scope is the folder dist/ is served from, under any sub-path.
//
// BUILD and FILES are written in at build time by scripts/sw-precache.mjs (a trunk
// post_build hook): a hash of the build and every file of dist/. A new build changes this
// file, so the browser installs the new worker, which precaches the new files, takes over
// at once and deletes the caches of older builds (of this scope only).
//
// Files with a content hash in their name never change: served from the cache first.
// Everything else (index.html, the course page, embed.js, the sweep worker's loader) goes
// to the network first, and to the cache when the network fails or is slow (4 s).
// Only GET requests to this scope are answered here; nothing else is touched.
const BUILD = "__EOP_BUILD__";
const FILES = /*__EOP_FILES__*/ [];

const SCOPE = new URL("./", self.location.href);
const PREFIX = `eop:${SCOPE.pathname}:`;
const CACHE = PREFIX + BUILD;
const HASHED = /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/;
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(FILES.map((f) => new Request(new URL(f, SCOPE), { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  // A page of the app under another query (?s=…): the app's index.html.
  if (request.mode === "navigate") return cache.match(SCOPE.href);
  return undefined;
}

async function cacheFirst(request) {
  return (await fromCache(request)) ?? fetch(request);
}

async function networkFirst(request) {
  let timer;
  const slow = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error("the network is slow")), NETWORK_WAIT_MS);
  });
  try {
    return await Promise.race([fetch(request), slow]);
  } catch (e) {
    const hit = await fromCache(request);
    if (hit) return hit;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  if (url.pathname === new URL("sw.js", SCOPE).pathname) return;
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(request) : networkFirst(request));
});
