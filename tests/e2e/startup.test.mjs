// Start-up (issues 14 and 26): the app mounts region by region, one a frame, top to
// bottom (src/ui/app/mount.rs): the header and the stage's tabs, the stage's drawing,
// playback, the ledgers' balances and verdicts, the course list, the side panel, then the
// ledgers' counters and entries, and marks its root `data-mounted`. What each step shows
// must already be right: the stage is drawn for its real width (it does not jump when
// measured), and no balance changes when the rest arrives.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { assertClean, newPage, settle, start } from "./lib.mjs";
import { shellData } from "../../scripts/shell-data.mjs";

/** Snapshot of the page when the first balance appears (a MutationObserver, before any paint). */
function recordMount() {
  const mo = new MutationObserver(() => {
    if (!document.querySelector("#app-root section.ledgers [data-balance]")) return;
    mo.disconnect();
    const svg = document.querySelector("main.stage svg.stage-svg");
    // The regions in the page at that moment, to check they are the same elements at the end.
    window.__mountEls = ["header.app-header", "main.stage", "svg.stage-svg", "section.ledgers"].map((s) => document.querySelector(s));
    window.__mount = {
      at: performance.now(),
      viewBox: svg ? svg.getAttribute("viewBox") : null,
      balances: [...document.querySelectorAll("section.ledgers [data-balance]")].map(
        (e) => `${e.dataset.technique}/${e.dataset.merchant}=${e.dataset.balance}`,
      ),
      tabs: document.querySelectorAll("main.stage [data-tech]").length,
      counters: document.querySelectorAll("section.ledgers tbody.counters tr").length,
      side: document.querySelector("aside.side")?.childElementCount ?? -1,
      mounted: document.querySelector("#app-root").hasAttribute("data-mounted"),
    };
  });
  mo.observe(document, { childList: true, subtree: true });
}

describe("start-up", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 900, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`?s=walkthrough at ${viewport.width} px: the first render is right, the rest follows`, async () => {
      const page = await newPage(env.browser, { viewport });
      await page.addInitScript(recordMount);
      await page.goto(env.url("?s=walkthrough"), { waitUntil: "load" });
      await page.waitForFunction(() => window.__mount !== undefined);
      // The rest: within a few frames, not on a timer.
      await page.waitForSelector("section.ledgers tbody.counters tr", { timeout: 2000 });
      await page.waitForSelector("aside.side section.controls", { timeout: 2000 });
      await page.waitForSelector("section.course-nav a[data-lesson]", { timeout: 2000 });
      await settle(page);
      const m = await page.evaluate(() => window.__mount);
      const now = await page.evaluate(() => ({
        viewBox: document.querySelector("main.stage svg.stage-svg")?.getAttribute("viewBox"),
        wrap: document.querySelector("main.stage .stage-wrap")?.clientWidth,
        balances: [...document.querySelectorAll("section.ledgers [data-balance]")].map(
          (e) => `${e.dataset.technique}/${e.dataset.merchant}=${e.dataset.balance}`,
        ),
      }));
      // Shown when the balances arrive: a tab per technique, the stage drawing; not yet the rest.
      assert.equal(m.tabs, 3, "a technique tab each");
      assert.ok(m.viewBox, "the stage is drawn before the balances");
      assert.equal(m.counters, 0, "the counters come last");
      assert.equal(m.side, 0, "the side panel's content comes after the balances");
      assert.equal(m.mounted, false, "not yet marked mounted");
      assert.equal(await page.locator("#app-root[data-mounted]").count(), 1, "marked mounted at the end");
      // Each step adds to the page: what was mounted before stays (nothing is made anew).
      const kept = await page.evaluate(() => window.__mountEls.map((e) => !!e && e.isConnected));
      assert.deepEqual(kept, [true, true, true, true], "header, stage, drawing and ledgers kept from their first render");
      // Drawn for its real width: the first frame does not jump when the stage is measured.
      assert.equal(m.viewBox, now.viewBox, "the stage keeps its first layout");
      assert.equal(Number(now.viewBox.split(" ")[2]), now.wrap, "laid out for the stage's width");
      // No stale or missing number: the balances at mount are the final ones.
      assert.ok(m.balances.length >= 8, `balances at mount: ${m.balances.join(", ")}`);
      assert.deepEqual(m.balances, now.balances);
      assertClean(page);
      await page.close();
    });
  }
});

// The first-screen shell (issue 26): index.html paints the header, the scenario's title and
// its headline (static/shell.js, filled by scripts/shell-data.mjs) before the wasm arrives;
// the app replaces it when it mounts, in the same frame.
describe("first-screen shell", () => {
  let env;
  const data = shellData();
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  const PHONE = { width: 360, height: 640 };
  const pages = [
    { q: "?s=walkthrough", id: "walkthrough" },
    { q: "?lesson=walkthrough&step=2", id: "walkthrough", lesson: "walkthrough", step: 2 },
    { q: "?s=outbox&embed=1", id: "outbox", embed: true },
    { q: "", id: data.home },
    { q: "?s=no-such-scenario", id: data.home },
  ];
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  for (const p of pages) {
    test(`${p.q || "home"}: the shell alone (no wasm) shows the page's scenario`, async () => {
      const page = await newPage(env.browser, { viewport: PHONE });
      await page.route(/\.wasm$/, (r) => r.abort());
      await page.goto(env.url(p.q), { waitUntil: "load" });
      await page.waitForTimeout(300);
      const s = await page.evaluate(() => ({
        shell: !!document.querySelector("#shell"),
        app: !!document.querySelector("#app-root"),
        h1: document.querySelector("#shell h1")?.textContent ?? null,
        now: document.querySelector("#shell .now-showing strong")?.textContent ?? null,
        embed: document.querySelector("#shell .embed-title")?.textContent ?? null,
        headline: document.querySelector("#shell .shell-headline")?.textContent,
        promise: document.querySelector("#shell .shell-promise")?.textContent,
        lesson: document.querySelector("#shell .shell-lesson")?.textContent ?? null,
        // None of the app's own landmarks or data-* hooks (tests and host pages look for them).
        hooks: document.querySelectorAll("#shell main, #shell nav, #shell section, #shell header, #shell [data-action], #shell button").length,
        height: document.querySelector("#shell .shell-stage")?.getBoundingClientRect().height ?? 0,
      }));
      const sc = data.scenarios[p.id];
      assert.ok(s.shell && !s.app, "the shell, and no app yet");
      assert.equal(s.headline, sc.title);
      assert.equal(s.promise, `${cap(sc.promise)}.`);
      assert.equal(s.hooks, 0);
      assert.ok(s.height >= 300, `the stage's place is kept (${s.height} px)`);
      if (p.embed) {
        assert.equal(s.embed, sc.title);
        assert.equal(s.h1, null, "an embedded page has no header");
      } else {
        assert.equal(s.h1, "Exactly-Once Playground");
        assert.equal(s.now, sc.title);
      }
      if (p.lesson) {
        const l = data.lessons[p.lesson];
        assert.equal(s.lesson, `${l.title}Step ${p.step} of ${l.steps}`);
      } else assert.equal(s.lesson, null);
      await page.close();
    });
  }

  for (const p of pages.slice(0, 3)) {
    test(`${p.q}: the app replaces the shell; the largest paint is the shell's, with no layout shift`, async () => {
      const page = await newPage(env.browser, { viewport: { width: 412, height: 823 } });
      await page.addInitScript(() => {
        const w = (window.__shellTest = { lcp: [], cls: 0, mounted: null, both: false });
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) w.lcp.push(e.startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) if (!e.hadRecentInput) w.cls += e.value;
        }).observe({ type: "layout-shift", buffered: true });
        const mo = new MutationObserver(() => {
          if (w.mounted === null && document.querySelector("#app-root")) {
            w.mounted = performance.now();
            w.both = !!document.querySelector("#shell");
          }
        });
        mo.observe(document, { childList: true, subtree: true });
      });
      await page.goto(env.url(p.q), { waitUntil: "load" });
      await page.waitForSelector("#app-root main.stage");
      await settle(page);
      await page.waitForTimeout(500);
      const w = await page.evaluate(() => ({ ...window.__shellTest, shell: !!document.querySelector("#shell") }));
      assert.equal(w.shell, false, "the shell is gone");
      assert.equal(w.both, false, "the shell is removed before the app's first DOM is in the page");
      assert.ok(w.lcp.length > 0, "a largest contentful paint");
      // The largest paint is the shell's (before the app mounted): nothing the app paints
      // on the first screen is larger than the shell's headline.
      assert.ok(Math.max(...w.lcp) < w.mounted, `LCP at ${w.lcp.join(", ")} ms, mounted at ${w.mounted} ms`);
      assert.ok(w.cls <= 0.01, `cumulative layout shift ${w.cls}`);
      assertClean(page);
      await page.close();
    });
  }
});
