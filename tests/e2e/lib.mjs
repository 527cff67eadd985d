// Shared helpers for the e2e tests and the screenshot script: serve dist/, launch Debian's
// headless Chromium through playwright-core, open pages that record every console error,
// page error and request to a foreign origin, and assert a page stayed clean.
//
//   const env = await start();                  // server over dist/ + browser
//   const page = await env.open("?s=walkthrough");
//   await page.waitForSelector("#app-root");
//   assertClean(page);                          // throws listing every problem
//   await env.close();
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../..");
export const DIST = resolve(process.env.E2E_DIST ?? join(REPO, "dist"));
export const ARTIFACTS = join(here, "artifacts");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const VIEWPORT = { width: 1280, height: 800 };
/** Main regions every page of the app must render. */
export const REGIONS = ["#app-root", "header.app-header h1", "nav.scenario-nav", "main.stage", "section.ledgers"];
export const TITLE = "Exactly-Once Playground";
/** Generous: the first wasm compile in a cold headless Chromium on 2 shared cores. */
export const MOUNT_TIMEOUT_MS = 30_000;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/** Launch headless Chromium (fails clearly when dist/ or Chromium is missing). */
export async function launch() {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/setup.sh`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Origins a page may talk to: the test server's loopback address, and in-page data/blob. */
function allowed(url) {
  if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return true;
  try {
    const u = new URL(url);
    return (u.protocol === "http:" || u.protocol === "ws:") && u.hostname === "127.0.0.1";
  } catch {
    return false;
  }
}

/**
 * A new page (own context, 1280×800; `context` adds browser-context options such as
 * `reducedMotion`, `colorScheme`, `hasTouch`) that records problems in `page.problems`:
 * console errors, uncaught page errors, crashes, and requests/websockets to any origin
 * other than 127.0.0.1 (those are also aborted). `page.consoleErrors` keeps just the
 * console texts, for tests that expect a particular error.
 */
export async function newPage(browser, { viewport = VIEWPORT, context: options = {} } = {}) {
  const context = await browser.newContext({ viewport, serviceWorkers: "block", ...options });
  const page = await context.newPage();
  page.problems = [];
  page.consoleErrors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      const where = loc?.url ? ` (${loc.url}:${loc.lineNumber})` : "";
      page.consoleErrors.push(msg.text());
      page.problems.push(`console error: ${msg.text()}${where}`);
    }
  });
  page.on("pageerror", (err) => page.problems.push(`page error: ${err.stack ?? err}`));
  page.on("crash", () => page.problems.push("page crashed"));
  page.on("websocket", (ws) => {
    if (!allowed(ws.url())) page.problems.push(`websocket to a foreign origin: ${ws.url()}`);
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    page.problems.push(`request to a foreign origin: ${url}`);
    return route.abort("blockedbyclient");
  });
  page.on("close", () => context.close().catch(() => {}));
  return page;
}

/** Throw if the page recorded any problem (listing them all). */
export function assertClean(page, what = page.url()) {
  assert.deepEqual(page.problems, [], `problems on ${what}:\n  ${page.problems.join("\n  ")}`);
}

/**
 * Wait until the app has mounted: the title and every main region exist. The app mounts
 * region by region, one a frame (src/ui/app/mount.rs), and marks its root `data-mounted`
 * when the last is in.
 */
export async function waitForApp(page, { timeout = MOUNT_TIMEOUT_MS } = {}) {
  await page.waitForSelector("#app-root[data-mounted]", { timeout });
  assert.equal(await page.title(), TITLE);
  for (const sel of REGIONS) {
    assert.equal(await page.locator(sel).count() > 0, true, `missing region ${sel}`);
  }
}

/**
 * Serve dist/ (under `base`) and launch the browser. `open(path)` opens `base + path`
 * in a new recording page. Call `close()` in an `after` hook.
 */
export async function start({ base = "/", precompressed = false } = {}) {
  assert.ok(existsSync(join(DIST, "index.html")), `no ${DIST}/index.html: run 'make build' first`);
  const server = await serve({ root: DIST, base, precompressed });
  let browser;
  try {
    browser = await launch();
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    url: (path = "") => new URL(path, server.url).href,
    async open(path = "", opts) {
      const page = await newPage(browser, opts);
      await page.goto(new URL(path, server.url).href, { waitUntil: "load" });
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/** Scenario ids from the nav links (`nav.scenario-nav a[data-scenario]`), in page order. */
export async function scenarioIds(page) {
  return page.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
}

/** Save a screenshot of the viewport as tests/e2e/artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, animations: "disabled" });
  return path;
}

/** Let the page settle: two animation frames after the network went idle. */
export async function settle(page) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Every balance on a page or frame: "technique/merchant" → rupees (from data-balance). */
export const balances = (frame) =>
  frame.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll("[data-technique][data-merchant][data-balance]")) {
      out[`${el.dataset.technique}/${el.dataset.merchant}`] = Number(el.dataset.balance);
    }
    return out;
  });

/** The tick the playhead is on (from data-tick). */
export const tick = (frame) => frame.$eval("[data-tick]", (el) => Number(el.dataset.tick));

/** Start the sweep Web Worker from the page and wait for its first message (`{"ready":true}`). */
export async function workerReady(page, url = "static/sweep-worker.js") {
  return page.evaluate(
    (url) =>
      new Promise((ok, fail) => {
        const w = new Worker(url);
        const t = setTimeout(() => fail(new Error("no message from the worker in 30 s")), 30_000);
        w.onmessage = (e) => {
          clearTimeout(t);
          w.terminate();
          ok(String(e.data));
        };
        w.onerror = (e) => {
          clearTimeout(t);
          fail(new Error(`worker error: ${e.message ?? e}`));
        };
      }),
    url,
  );
}
