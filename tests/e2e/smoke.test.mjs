// Smoke tests of the built dist/: the app mounts with no console error, no page error and
// no request leaving 127.0.0.1; it works under a sub-path; the CSP is strict and enforced.
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DIST, assertClean, newPage, start, waitForApp, settle, workerReady } from "./lib.mjs";

const WORKER = "static/sweep-worker.js";
const hasWorker = existsSync(join(DIST, WORKER));


describe("dist/ at the site root", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  test("the app mounts: title and main regions, nothing foreign, no errors", async () => {
    const page = await env.open();
    await waitForApp(page);
    const h1 = (await page.textContent("header.app-header h1"))?.trim();
    assert.ok(h1, "the header has a heading");
    await settle(page);
    assertClean(page);
    await page.close();
  });

  test("the favicon and stylesheet are served", async () => {
    const page = await env.open();
    await waitForApp(page);
    const icon = await page.$eval('link[rel="icon"]', (l) => l.href);
    const res = await page.request.get(icon);
    assert.equal(res.status(), 200, icon);
    assert.match(res.headers()["content-type"], /svg/);
    const sheets = await page.evaluate(() => [...document.styleSheets].map((s) => s.href).filter(Boolean));
    assert.ok(sheets.length > 0, "a stylesheet is linked");
    assertClean(page);
    await page.close();
  });

  test("the sweep Web Worker loads its wasm and says it is ready", { skip: !hasWorker && `no dist/${WORKER}` }, async () => {
    const page = await env.open();
    await waitForApp(page);
    assert.deepEqual(JSON.parse(await workerReady(page)), { ready: true });
    assertClean(page);
    await page.close();
  });

  test("the CSP allows no external origin and no unhashed inline script", async () => {
    const page = await env.open();
    await waitForApp(page);
    const metas = await page.$$eval('meta[http-equiv="Content-Security-Policy" i]', (ms) => ms.map((m) => m.content));
    assert.equal(metas.length, 1, "index.html has one CSP <meta>");
    const csp = Object.fromEntries(
      metas[0].split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]),
    );
    assert.deepEqual(csp["default-src"], ["'self'"]);
    assert.ok(!csp["script-src"].includes("'unsafe-inline'"), "release build must not allow 'unsafe-inline' scripts");
    assert.ok(csp["script-src"].some((s) => s.startsWith("'sha256-")), "trunk's inline loader is allowed by hash");
    // Only keywords, hashes and in-page schemes: no host, no scheme that reaches out.
    const ok = /^('self'|'none'|'wasm-unsafe-eval'|'unsafe-inline'|'sha256-[A-Za-z0-9+/=]+'|data:|blob:)$/;
    for (const [k, v] of Object.entries(csp)) {
      for (const src of v) assert.match(src, ok, `${k} allows ${src}`);
      if (k !== "style-src") assert.ok(!v.includes("'unsafe-inline'"), `${k} allows 'unsafe-inline'`);
    }

    // Enforced: an injected inline script does not run (and Chromium reports the violation).
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__cspBreached = true;";
      document.head.append(s);
    });
    assert.equal(await page.evaluate(() => window.__cspBreached ?? false), false);
    assert.ok(
      page.consoleErrors.some((e) => /Content Security Policy/i.test(e)),
      `expected a CSP violation report, got: ${page.consoleErrors.join(" | ")}`,
    );
    await page.close();
  });
});

describe("dist/ under a sub-path (/courses/ds/playground/)", () => {
  const base = "/courses/ds/playground/";
  let env;
  before(async () => {
    env = await start({ base });
  });
  after(async () => env?.close());

  test("mounts, and every request stays under the sub-path", async () => {
    const page = await newPage(env.browser);
    const paths = [];
    page.on("request", (r) => paths.push(new URL(r.url()).pathname));
    await page.goto(env.url(), { waitUntil: "load" });
    await waitForApp(page);
    await settle(page);
    assertClean(page);
    const outside = paths.filter((p) => !p.startsWith(base));
    assert.deepEqual(outside, [], "requests outside the sub-path");
    await page.close();
  });

  test("the sweep Web Worker starts under the sub-path", { skip: !hasWorker && `no dist/${WORKER}` }, async () => {
    const page = await env.open();
    await waitForApp(page);
    assert.deepEqual(JSON.parse(await workerReady(page)), { ready: true });
    assertClean(page);
    await page.close();
  });

  test("without the trailing slash it redirects and mounts", async () => {
    const page = await env.open(env.url().replace(/\/$/, ""));
    await waitForApp(page);
    assert.equal(new URL(page.url()).pathname, base, page.url());
    assertClean(page);
    await page.close();
  });
});
