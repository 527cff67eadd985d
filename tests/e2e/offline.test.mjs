// Offline after the first visit (static/sw.js, registered by src/ui/offline.rs): load
// once, go offline, reload: the app mounts and runs, and the sweep Web Worker starts.
// Under a sub-path the service worker's scope is that folder. A new build replaces the
// worker and deletes the old build's cache.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DIST, assertClean, launch, newPage, tick, waitForApp, workerReady } from "./lib.mjs";
import { serve } from "./server.mjs";

const browser = await launch();
after(() => browser.close());

/** A page whose context allows service workers (lib.mjs blocks them by default). */
const swPage = () => newPage(browser, { context: { serviceWorkers: "allow" } });

/** Wait until the page is controlled by an activated service worker; its scope. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === "activated", null, {
    timeout: 60_000,
  });
  return page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
}

async function runs(page) {
  await page.click('button[data-action="reset"]');
  assert.equal(await tick(page), 0);
  await page.click('button[data-action="play"]');
  await page.waitForFunction(() => Number(document.querySelector("[data-tick]").dataset.tick) > 2, null, {
    timeout: 20_000,
  });
}


for (const base of ["/", "/courses/ds/playground/"]) {
  describe(`offline, dist/ served at ${base}`, () => {
    test("load once, go offline, reload: the app mounts and runs", async () => {
      const server = await serve({ root: DIST, base });
      try {
        const page = await swPage();
        await page.goto(`${server.url}?s=walkthrough`);
        await waitForApp(page);
        const scope = await controlled(page);
        assert.equal(scope, server.url, "the service worker's scope is the folder dist/ is served from");
        await page.context().setOffline(true);
        // A file the build does not have: neither the network nor the cache can give it.
        assert.equal(await page.evaluate(() => fetch("no-such-file.txt").then(() => "online", () => "offline")), "offline");
        page.problems = page.problems.filter((p) => !p.includes("no-such-file.txt")); // the probe's own failure
        await page.reload();
        await waitForApp(page);
        await runs(page);
        assert.match(await workerReady(page), /ready/);
        // Another scenario's link, never visited: the same app from the cache.
        await page.goto(`${server.url}?s=two-generals&embed=1`);
        await page.waitForSelector("#app-root.embed main.stage");
        // The course page and the embed script too.
        await page.goto(`${server.url}static/course.html`);
        // embed.js creates each frame as its panel scrolls near: one panel a row, so at least the first.
        await page.waitForFunction(() => document.querySelectorAll("iframe").length >= 1);
        await page.frames()[1].waitForSelector("#app-root.embed main.stage", { timeout: 30_000 });
        assertClean(page);
        await page.close();
      } finally {
        await server.close();
      }
    });
  });
}

test("a new build replaces the service worker and deletes the old cache", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eop-dist-"));
  cpSync(DIST, dir, { recursive: true });
  const server = await serve({ root: dir });
  try {
    const page = await swPage();
    await page.goto(`${server.url}?s=walkthrough`);
    await waitForApp(page);
    await controlled(page);
    const keys = () => page.evaluate(() => caches.keys());
    const first = await keys();
    assert.equal(first.length, 1, JSON.stringify(first));
    // "A new build": another build hash in sw.js, and a changed index.html.
    const sw = readFileSync(join(dir, "sw.js"), "utf8");
    const build = sw.match(/const BUILD = "([0-9a-f]{16})"/)?.[1];
    assert.ok(build, "sw.js has a build hash (scripts/sw-precache.mjs ran)");
    writeFileSync(join(dir, "sw.js"), sw.replace(build, "0123456789abcdef"));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await page.waitForFunction(
      async () => {
        const k = await caches.keys();
        return k.length === 1 && k[0].endsWith(":0123456789abcdef");
      },
      null,
      { timeout: 60_000 },
    );
    assert.notDeepEqual(await keys(), first);
    await page.reload();
    await waitForApp(page);
    assertClean(page);
    await page.close();
  } finally {
    await server.close();
  }
});
