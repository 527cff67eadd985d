// Start-up (issue 14): the first render shows the header, the stage, playback and the
// ledgers' balances and verdicts; the side panels, the course list and the ledgers'
// counters and entries follow one frame later. What the first render shows must already
// be right: the stage is drawn for its real width (it does not jump when measured), and
// no balance changes when the rest arrives.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { assertClean, newPage, settle, start } from "./lib.mjs";

/** Snapshot of the page when the first balance appears (a MutationObserver, before any paint). */
function recordMount() {
  const mo = new MutationObserver(() => {
    if (!document.querySelector("#app-root section.ledgers [data-balance]")) return;
    mo.disconnect();
    const svg = document.querySelector("main.stage svg.stage-svg");
    window.__mount = {
      at: performance.now(),
      viewBox: svg ? svg.getAttribute("viewBox") : null,
      balances: [...document.querySelectorAll("section.ledgers [data-balance]")].map(
        (e) => `${e.dataset.technique}/${e.dataset.merchant}=${e.dataset.balance}`,
      ),
      tabs: document.querySelectorAll("main.stage [data-tech]").length,
      counters: document.querySelectorAll("section.ledgers tbody.counters tr").length,
      side: document.querySelector("aside.side")?.childElementCount ?? -1,
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
      // Shown at mount: a tab per technique, the stage drawing, the balances; not yet the rest.
      assert.equal(m.tabs, 3, "a technique tab each");
      assert.ok(m.viewBox, "the stage is drawn in the first render");
      assert.equal(m.counters, 0, "the counters come after the first paint");
      assert.equal(m.side, 0, "the side panel's content comes after the first paint");
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
