// Presenter mode at projector sizes (issue 24): at 1280×720 and 1920×1080, for every
// scenario, the stage and every balance cell inside the viewport; at 1920 every piece
// of visible page text (not only the SVG) at least 24 px; a lesson in presenter mode too.
import { strict as assert } from "node:assert";
import { after, test } from "node:test";
import { assertClean, scenarioIds, screenshot, settle, start } from "./lib.mjs";

const env = await start();
after(() => env.close());

async function presenter(page) {
  await page.click('[data-action="presenter"]');
  await page.waitForSelector("#app-root.presenter");
  await settle(page);
}

/** Elements of the page outside the viewport: the stage drawing and each balance cell. */
const outside = (page, lesson = false) =>
  page.evaluate((lesson) => {
    const W = innerWidth, H = innerHeight, out = [];
    const check = (el, what) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return out.push(`${what} not shown`);
      if (r.top < -1 || r.left < -1 || r.bottom > H + 1 || r.right > W + 1) out.push(`${what} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
    };
    const svg = document.querySelector("main.stage svg");
    if (svg) check(svg, "the stage");
    for (const b of document.querySelectorAll(".ledger-table tbody.balances .bal")) {
      // A lesson folds away the rows its step does not name.
      if (lesson && getComputedStyle(b.closest("tr")).display === "none") continue;
      check(b.closest("td"), `balance ${b.dataset.technique}/${b.dataset.merchant}`);
    }
    for (const b of document.querySelectorAll(".means-table td")) check(b, "telemetry cell");
    return out;
  }, lesson);

/** Visible HTML text smaller than `min` px (SVG and screen-reader-only text aside). */
const smallText = (page, min) =>
  page.evaluate((min) => {
    const out = new Map();
    const walker = document.createTreeWalker(document.querySelector("#app-root"), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest("svg, .sr-only, .visually-hidden, [aria-hidden=true] .sr-only")) continue;
      if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === "hidden") continue;
      const fs = parseFloat(getComputedStyle(el).fontSize);
      if (fs < min) out.set(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`, `${fs}px "${n.textContent.trim().slice(0, 30)}"`);
    }
    return [...out].map(([k, v]) => `${k}: ${v}`);
  }, min);

test("presenter at 1280×720 and 1920×1080: every scenario's stage and balance cells on one screen, text ≥ 24 px at 1920", async () => {
  const probe = await env.open("?s=walkthrough");
  await probe.waitForSelector("nav.scenario-nav a[data-scenario]");
  const ids = await scenarioIds(probe);
  await probe.close();
  assert.equal(ids.length, 14);
  const problems = [];
  for (const [width, height] of [[1280, 720], [1920, 1080]]) {
    for (const id of ids) {
      const page = await env.open(`?s=${id}`, { viewport: { width, height } });
      await page.waitForSelector("main.stage svg");
      await presenter(page);
      for (const o of await outside(page)) problems.push(`${id} ${width}×${height}: ${o}`);
      if (width === 1920) for (const s of await smallText(page, 24)) problems.push(`${id} 1920: ${s}`);
      if (["walkthrough", "quarter-end", "outbox", "telemetry"].includes(id)) await screenshot(page, `presenter-${id}-${width}`);
      assertClean(page);
      await page.close();
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});

test("a lesson in presenter mode at 1920×1080: the step, the stage and the balances on one screen, text ≥ 24 px", async () => {
  for (const [width, height] of [[1280, 720], [1920, 1080]]) {
    const page = await env.open("?lesson=walkthrough&step=2", { viewport: { width, height } });
    await page.waitForSelector("[data-step='2']");
    await presenter(page);
    const problems = await outside(page, true);
    assert.ok((await page.locator(".ledger-table tbody.balances tr").evaluateAll((trs) => trs.filter((t) => getComputedStyle(t).display !== "none").length)) >= 1, "the row the step names is shown");
    const panel = await page.$eval(".lesson-panel", (el) => el.getBoundingClientRect().bottom);
    assert.ok(panel <= height, `the lesson panel ends at ${panel}px`);
    if (width === 1920) problems.push(...(await smallText(page, 24)));
    await screenshot(page, `presenter-lesson-${width}`);
    assert.deepEqual(problems, [], problems.join("\n"));
    assertClean(page);
    await page.close();
  }
});
