// Accessibility: axe-core finds no serious or critical violation on any scenario page
// (light and dark), the embed page, the help dialog and presenter mode; the live
// narration is throttled while playing; small screens and touch work.
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import { after, test } from "node:test";
import { assertClean, scenarioIds, settle, start, waitForApp } from "./lib.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const env = await start();
after(() => env.close());

/** The page's CSP allows no inline script: axe is injected with the CSP bypassed. */
const open = (path, context = {}, opts = {}) => env.open(path, { ...opts, context: { bypassCSP: true, ...context } });

/** Serious and critical axe violations on the page, one line per failing element. */
async function axeProblems(page, what) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`),
    }));
  });
  const bad = res.filter((v) => v.impact === "serious" || v.impact === "critical");
  const lines = [];
  for (const v of bad) for (const n of v.nodes.slice(0, 8)) lines.push(`${what}: [${v.impact}] ${v.id} (${v.help}): ${n}`);
  for (const v of res.filter((v) => !bad.includes(v))) console.log(`  note ${what}: [${v.impact}] ${v.id} ×${v.nodes.length}`);
  return lines;
}

test("axe: no serious or critical violation on any scenario, light and dark, nor on the embed page", async () => {
  const home = await open("?s=walkthrough");
  await waitForApp(home);
  const ids = await scenarioIds(home);
  await home.close();
  assert.equal(ids.length, 14, `expected 14 scenarios, got ${ids.join(", ")}`);
  const problems = [];
  const pages = [];
  for (const id of ids) {
    pages.push([`?s=${id}`, {}, id]);
    pages.push([`?s=${id}`, { colorScheme: "dark" }, `${id} (dark)`]);
  }
  // Mid-run (messages in flight on the stage), the space-time view, the embed page.
  pages.push(["?s=walkthrough&t=2", {}, "walkthrough t=2"]);
  pages.push(["?s=walkthrough&t=2", { colorScheme: "dark" }, "walkthrough t=2 (dark)"]);
  pages.push(["?s=walkthrough&view=spacetime", {}, "walkthrough space-time"]);
  pages.push(["?s=walkthrough&embed=1", {}, "embed"]);
  pages.push(["?s=dedup-window&embed=1", { colorScheme: "dark" }, "embed (dark)"]);
  for (const [path, context, what] of pages) {
    const page = await open(path, context);
    if (path.includes("embed=1")) await page.waitForSelector("#app-root.embed main.stage");
    else await waitForApp(page);
    await settle(page);
    if (context.colorScheme === "dark") {
      assert.equal(await page.$eval("#app-root", (el) => el.classList.contains("theme-dark")), true, `${what}: dark theme follows the system`);
    }
    problems.push(...(await axeProblems(page, what)));
    assertClean(page, what);
    await page.close();
  }
  assert.deepEqual(problems, [], `axe found serious or critical violations:\n  ${problems.join("\n  ")}`);
});

test("axe: the help dialog and presenter mode are clean too", async () => {
  const page = await open("?s=walkthrough&t=3");
  await waitForApp(page);
  await page.keyboard.press("?");
  await page.waitForSelector('[role="dialog"][aria-modal="true"]');
  const problems = await axeProblems(page, "help dialog");
  await page.keyboard.press("Escape");
  await page.keyboard.press("p");
  await page.waitForSelector("#app-root.presenter");
  problems.push(...(await axeProblems(page, "presenter")));
  assert.deepEqual(problems, [], problems.join("\n"));
  assertClean(page);
  await page.close();
});

test("the narration is a polite live region: full detail when stepping, throttled while playing", async () => {
  const page = await open("?s=walkthrough&t=0");
  await waitForApp(page);
  const region = page.locator("[data-announcer]");
  assert.equal(await region.getAttribute("aria-live"), "polite");
  const text = () => region.textContent();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => /^tick 1: /.test(document.querySelector("[data-announcer]").textContent));
  // "." jumps to the next tick with an event: every event of that tick is read out.
  await page.keyboard.press(".");
  const t = await page.$eval("[data-tick]", (el) => el.dataset.tick);
  await page.waitForFunction((t) => new RegExp(`^ticks? (\\d+–)?${t}: `).test(document.querySelector("[data-announcer]").textContent), t);
  assert.match(await text(), /^ticks? [\d–]+: (?!nothing happens).*(sends|delivered|applied)/);
  // Play from the start at 2 ticks/s and record every change of the region, up to and
  // after the end of the run.
  await page.keyboard.press("Home");
  await page.selectOption('[data-control="speed"]', "2");
  await page.evaluate(() => {
    window.__said = [];
    const el = document.querySelector("[data-announcer]");
    new MutationObserver(() => window.__said.push([performance.now(), el.textContent])).observe(el, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await page.click('button[data-action="play"]');
  await page.waitForTimeout(7500);
  const said = await page.evaluate(() => window.__said);
  assert.ok(said.length >= 2, `announced while playing: ${JSON.stringify(said)}`);
  for (let i = 1; i < said.length; i++) {
    assert.ok(said[i][0] - said[i - 1][0] >= 1400, `two announcements ${Math.round(said[i][0] - said[i - 1][0])} ms apart:\n${JSON.stringify(said, null, 1)}`);
  }
  assert.ok(said.some(([, t]) => /^ticks \d+–\d+: /.test(t)), `a summary of several ticks: ${JSON.stringify(said)}`);
  assertClean(page);
  await page.close();
});

test("375 px wide: one column, no sideways scrolling, 44 px touch targets, tapping a token opens its menu", async () => {
  const page = await open("?s=walkthrough&t=2", { hasTouch: true, isMobile: true }, { viewport: { width: 375, height: 812 } });
  await waitForApp(page);
  await settle(page);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width}px wide`);
  // The stage comes before the scenario list and the ledgers are under it.
  const y = (sel) => page.$eval(sel, (el) => el.getBoundingClientRect().top);
  assert.ok((await y("main.stage")) < (await y("section.ledgers")));
  assert.ok((await y("section.ledgers")) < (await y("nav.scenario-nav")));
  // Every visible button, link and field is at least 44 × 44 px (or 44 px high and wide enough to read).
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, a[href], select, input:not([type=hidden]), summary, [role=button]")]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
      .filter((el) => !el.closest(".sr-only"))
      .map((el) => {
        // Tokens and processes are hit by their (larger) hit area; a visually hidden
        // checkbox by its label.
        const target = el.querySelector("rect.hit") ?? (el.tagName === "INPUT" ? el.closest("label") ?? el : el);
        const r = target.getBoundingClientRect();
        return [el.outerHTML.slice(0, 90), Math.round(r.width), Math.round(r.height)];
      })
      .filter(([, w, h]) => h < 44 || w < 44)
  );
  assert.deepEqual(small, [], `touch targets under 44 px:\n${small.map((s) => s.join(" ")).join("\n")}`);
  // Touch replaces the right click: tap a message, tap "Drop it".
  await page.tap("[data-net]");
  await page.waitForSelector('.fault-menu [data-fault="drop"]');
  await page.tap('.fault-menu [data-fault="drop"]');
  await page.waitForFunction(() => location.search.includes("f=L0.1.0"));
  assertClean(page);
  await page.close();
});

/** Contrast of every label drawn on the stage's tokens against what it is drawn on
 * (axe does not check SVG text): the token label on the token, the "copy of" tag,
 * the "no key" tag on the stage. WCAG AA for text: at least 4.5:1. */
async function tokenContrasts(page) {
  return page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const fill = (el) => getComputedStyle(el).fill;
    const stage = getComputedStyle(document.querySelector("main.stage")).backgroundColor;
    const out = [];
    for (const t of document.querySelectorAll(".stage-svg .token")) {
      const label = t.querySelector(":scope > text:not(.nokey-tag)");
      const body = t.querySelector(":scope > rect:not(.hit)");
      out.push([`${t.dataset.net} label`, ratio(fill(label), fill(body))]);
      const copy = t.querySelector(".copy-tag");
      if (copy) out.push([`${t.dataset.net} copy tag`, ratio(fill(copy.querySelector("text")), fill(copy.querySelector("rect")))]);
      const nokey = t.querySelector(".nokey-tag");
      if (nokey) out.push([`${t.dataset.net} no-key tag`, ratio(fill(nokey), stage)]);
    }
    return out;
  });
}

test("token labels and tags meet 4.5:1 in both themes (copies, lost, no key)", async () => {
  const low = [];
  const kinds = new Set();
  let seen = 0;
  for (const colorScheme of ["light", "dark"]) {
    for (const path of ["?s=walkthrough&t=6", "?s=walkthrough&t=2&f=L0.1.0", "?s=key-threading&t=7&tech=one-stage-drops-key", "?s=key-threading&t=30"]) {
      const page = await open(path, { colorScheme });
      await waitForApp(page);
      await settle(page);
      for (const [what, r] of await tokenContrasts(page)) {
        seen++;
        kinds.add(what.replace(/^\d+ /, ""));
        if (r < 4.5) low.push(`${colorScheme} ${path} ${what}: ${r.toFixed(2)}:1`);
      }
      assertClean(page);
      await page.close();
    }
  }
  assert.ok(seen >= 6, `only ${seen} labels checked`);
  assert.deepEqual([...kinds].sort(), ["copy tag", "label", "no-key tag"], "every kind of label was on a stage");
  assert.deepEqual(low, [], low.join("\n"));
});
