// The workbench page (?workbench=1, issue 28): build a handler with the keyboard only,
// check it in the page (breaks at k=1 with the smallest counterexample; the fixed handler
// holds at k=2, timed in the page), the share link round-trips, and a bad h= shows a
// notice and the default handler. Screenshots at 375×800 and 1280×800.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ARTIFACTS, MOUNT_TIMEOUT_MS, assertClean, newPage, screenshot, start } from "./lib.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const FIXED = "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset";

const steps = (page) => page.$$eval("[data-wb-step]", (els) => els.map((e) => e.dataset.wbStep).join(","));

/** Press Tab until the focused element matches `sel` (keyboard only). */
async function tabTo(page, sel, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, sel)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${sel}`);
}

/** Add a step by keyboard: the kind <select> (type-ahead), then Tab to "Add step", Enter. */
async function addStep(page, kind) {
  await tabTo(page, '[aria-label="Step kind to add"]');
  await page.keyboard.press("Home");
  await page.keyboard.type(kind);
  assert.equal(await page.$eval('[aria-label="Step kind to add"]', (s) => s.value), kind);
  await tabTo(page, ".wb-add button");
  await page.keyboard.press("Enter");
}

/** Press the focused-by-Tab button with this aria-label `times` times (focus follows the step). */
async function press(page, label, times = 1) {
  await tabTo(page, `[aria-label="${label}"]`);
  for (let i = 0; i < times; i++) await page.keyboard.press("Enter");
}

/** Serious and critical axe violations (the page must be opened with bypassCSP). */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((x) => x.impact === "serious" || x.impact === "critical")
      .map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

async function check(page) {
  await tabTo(page, "button.primary");
  await page.evaluate(() => {
    window.__t0 = performance.now();
  });
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => {
    if (!document.querySelector("[data-wb-verdict]")) return false;
    window.__t1 = performance.now();
    return true;
  }, null, { polling: "raf", timeout: 60_000 });
  return page.evaluate(() => ({
    holds: document.querySelector("[data-wb-verdict]").dataset.holds,
    ms: window.__t1 - window.__t0,
    checkMs: Number(document.querySelector("[data-wb-verdict]").dataset.ms),
    schedules: Number(document.querySelector("[data-wb-verdict]").dataset.schedules),
  }));
}

describe("the workbench page", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  test("keyboard-built handler: breaks at k=1, the fix holds at k=2, the link round-trips", async () => {
    const page = await env.open("?workbench=1", { context: { bypassCSP: true } });
    await page.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await steps(page), "apply:add,commit-offset", "the default handler");

    // Clear it, then build apply:add,commit-offset from the keyboard.
    await press(page, "Remove step 1", 2);
    assert.equal(await steps(page), "");
    await addStep(page, "apply");
    await addStep(page, "commit-offset");
    assert.equal(await steps(page), "apply:add,commit-offset");
    assert.equal(await page.inputValue(".wb-text input"), "apply:add,commit-offset");

    const k1 = await check(page);
    assert.equal(k1.holds, "false");
    const narration = await page.textContent("[data-wb-counterexample] .wb-narration");
    assert.match(narration, /crash after `apply:add` and before `commit-offset`/);
    assert.ok((await page.$$("[data-wb-counterexample] .wb-trace li")).length > 3, "trace lines listed");
    assert.deepEqual(await axe(page), [], "axe with the counterexample shown");
    await screenshot(page, "workbench-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, "workbench-375");
    await page.screenshot({ path: join(ARTIFACTS, "workbench-375-full.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Fix it: add the steps at the end and move them into place, all by keyboard.
    await addStep(page, "begin");
    await press(page, "Move step 3 up", 2);
    await addStep(page, "lookup");
    await press(page, "Move step 4 up", 2);
    await addStep(page, "insert");
    await press(page, "Move step 5 up");
    await addStep(page, "commit");
    await press(page, "Move step 6 up");
    assert.equal(await steps(page), FIXED);
    assert.equal(await page.$("[data-wb-verdict]"), null, "an edit clears the old verdict");

    await tabTo(page, '[aria-label="Faults per schedule"]');
    await page.keyboard.type("2");
    assert.match(await page.textContent("button.primary"), /Check \(2 faults\)/);
    const k2 = await check(page);
    assert.equal(k2.holds, "true");
    assert.equal(await page.$("[data-wb-counterexample]"), null);
    console.log(
      `WORKBENCH k=2 six-step check in the page: ${k2.ms.toFixed(0)} ms click→verdict ` +
        `(check itself ${k2.checkMs.toFixed(1)} ms, ${k2.schedules} schedules)`,
    );
    assert.ok(k2.ms < 5000, `k=2 check took ${k2.ms} ms`);

    // Bad text: the message names the step, the list keeps its last good value.
    await page.fill(".wb-text input", "begin,aply:add");
    assert.match(await page.textContent("[data-wb-text-error]"), /step 2 `aply:add`/);
    assert.equal(await steps(page), FIXED);
    await page.fill(".wb-text input", FIXED);
    assert.equal(await page.$("[data-wb-text-error]"), null);

    await tabTo(page, "button.wb-copy");
    await page.keyboard.press("Enter");
    const link = await page.inputValue("[data-wb-link]");
    const u = new URL(link);
    assert.equal(u.searchParams.get("workbench"), "1");
    assert.equal(u.searchParams.get("h"), FIXED);
    assert.equal(u.searchParams.get("k"), "2");
    assertClean(page);
    await page.close();

    const again = await newPage(env.browser);
    await again.goto(link);
    await again.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await steps(again), FIXED);
    assert.equal(await again.$eval('[aria-label="Faults per schedule"]', (s) => s.value), "2");
    assert.equal(await again.$("[data-wb-notice]"), null);
    assertClean(again);
    await again.close();
  });

  test("a challenge link shows its goal; a bad h= shows a notice and the default handler", async () => {
    const page = await env.open("?workbench=1&challenge=zombie&h=apply%3Aadd%2Caply%3Aadd&k=1");
    await page.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    const notice = await page.textContent("[data-wb-notice]");
    assert.match(notice, /step 2 `aply:add`/);
    assert.equal(await steps(page), "apply:add,commit-offset");
    assert.equal(await page.$eval('[aria-label="Challenge"]', (s) => s.value), "zombie");
    assert.match(await page.textContent(".wb-challenge"), /zombie/);
    assertClean(page);
    await page.close();
  });

  test("a challenge's solution holds and its explanation follows; axe finds nothing serious", async () => {
    const h = encodeURIComponent("apply:add-if-newer,commit-offset");
    const page = await newPage(env.browser, { context: { bypassCSP: true } });
    await page.goto(env.url(`?workbench=1&challenge=no-transaction&h=${h}`));
    await page.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    assert.match(await page.textContent("button.primary"), /Check \(2 faults\)/, "the challenge's k");
    const r = await check(page);
    assert.equal(r.holds, "true");
    assert.match(await page.textContent("[data-wb-why]"), /conditional write/);
    // The rule: no begin or commit.
    await page.fill(".wb-text input", "begin,apply:add,commit,commit-offset");
    const bad = await check(page);
    assert.equal(bad.holds, "false");
    assert.match(await page.textContent("[data-wb-verdict]"), /step 1 `begin` is not allowed/);
    assert.deepEqual(await axe(page), []);
    assertClean(page);
    await page.close();
  });

  test("the counterexample replays on the stage and the space-time view, opened at the breaking step, stepped by keyboard", async () => {
    const page = await newPage(env.browser, { context: { bypassCSP: true } });
    await page.goto(env.url(`?workbench=1&h=${encodeURIComponent("apply:add,commit-offset")}&k=1`));
    await page.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    assert.equal((await check(page)).holds, "false");
    // Opened at the breaking step, on the stage.
    await page.waitForSelector("[data-wb-replay] [data-wb-stage] svg");
    const state = () =>
      page.$eval("[data-wb-replay]", (e) => ({ step: Number(e.dataset.step), tick: Number(e.dataset.tick), breaking: e.dataset.breaking }));
    const stage = () =>
      page.$eval("[data-wb-stage]", (e) => ({
        step: Number(e.dataset.step),
        breaking: e.dataset.breaking,
        down: e.dataset.down,
        token: e.querySelector("[data-token]")?.dataset.token ?? null,
        balance: e.querySelector('[data-store="Balance"][data-merchant="m-A"]').dataset.value,
      }));
    const open = await state();
    assert.deepEqual(open, { step: open.step, tick: 7, breaking: "true" });
    assert.deepEqual(await stage(), { step: open.step, breaking: "true", down: "", token: "consumer→database", balance: "20" });
    assert.match(
      await page.textContent("[data-wb-breaking]"),
      /crash after `apply:add` and before `commit-offset` while handling txn-1: the restarted consumer applies txn-1 again; txn-1 is applied twice, so m-A ends at 20 instead of 10/,
    );
    assert.match(await page.textContent("[data-wb-now]"), /applies txn-1: m-A 10 → 20/);
    assert.match(await page.textContent("[data-wb-stage] svg"), /apply txn-1 again/, "the second apply is a badge on the database");
    assert.equal(await page.$$eval('[data-wb-stage] .node[data-actor="database"]', (e) => e.length), 1);
    assert.match(await page.textContent("[data-wb-replay] li.current"), /breaking step/);
    assert.deepEqual(await axe(page), [], "axe with the replay open on the stage");
    await screenshot(page, "workbench-stage-1280");
    // Step by keyboard on the slider: back one step, then to the crash.
    await tabTo(page, '[aria-label="Replay step"]');
    await page.keyboard.press("ArrowLeft");
    assert.deepEqual(await stage(), { step: open.step - 1, breaking: "false", down: "", token: "broker→consumer", balance: "10" });
    assert.equal(await page.$("[data-wb-breaking]"), null, "not the breaking step");
    await page.keyboard.press("Home");
    assert.equal((await state()).step, 0);
    for (let i = 0; i < 10 && (await stage()).down === ""; i++) await page.keyboard.press("ArrowRight");
    const crash = await state();
    assert.equal(crash.tick, 1);
    assert.equal((await stage()).down, "consumer", "the crashed consumer is crossed out");
    assert.equal(await page.$$eval('[data-wb-stage] .node.down[data-actor="consumer"] .down-mark', (e) => e.length), 1);
    assert.match(await page.textContent("[data-wb-now]"), /fault: crash after `apply:add` and before `commit-offset`/);
    // The same playhead on the space-time view.
    await tabTo(page, '[data-wb-drawing="spacetime"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-wb-replay] svg.spacetime-svg");
    assert.equal((await state()).step, crash.step, "switching drawings keeps the step");
    const lanes = await page.$$eval("[data-wb-replay] .st-name", (els) => els.map((e) => e.dataset.name));
    assert.deepEqual(lanes, ["producer", "broker", "consumer", "database"]);
    assert.equal(await page.$$eval("[data-wb-replay] .st-mark.crash", (els) => els.length), 1, "the crash is marked");
    await tabTo(page, "[data-wb-go-breaking]");
    await page.keyboard.press("Enter");
    assert.deepEqual(await state(), open);
    assert.match(await page.textContent("[data-wb-replay] svg"), /apply txn-1 again/, "the second apply is marked on the diagram");
    assert.equal(await page.$$eval("[data-wb-replay] .st-arrow[role=button]", (els) => els.length), 0, "no arrow offers a fault menu");
    assert.deepEqual(await axe(page), [], "axe with the space-time replay");
    await screenshot(page, "workbench-replay-1280");
    // Back to the stage, at the same step; phones see it whole.
    await tabTo(page, '[data-wb-drawing="stage"]');
    await page.keyboard.press("Enter");
    assert.equal((await stage()).step, open.step);
    for (const width of [320, 375]) {
      await page.setViewportSize({ width, height: 800 });
      await page.$eval("[data-wb-stage]", (e) => e.scrollIntoView());
      await page.waitForTimeout(100);
      const over = await page.evaluate(() =>
        [...document.querySelectorAll("[data-wb-replay] *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + "." + e.getAttribute("class")),
      );
      assert.deepEqual(over, [], `nothing off screen at ${width} px`);
      await screenshot(page, `workbench-stage-${width}`);
    }
    assertClean(page);
    await page.close();
  });

  test("embedded, the stage replay fits the frame", async () => {
    const page = await newPage(env.browser);
    await page.setViewportSize({ width: 640, height: 700 });
    await page.goto(env.url(`?workbench=1&embed=1&h=${encodeURIComponent("apply:add,commit-offset")}&k=1`));
    await page.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    await check(page);
    await page.waitForSelector('[data-wb-stage][data-breaking="true"]');
    await page.$eval("[data-wb-stage]", (e) => e.scrollIntoView());
    const over = await page.evaluate(() =>
      [...document.querySelectorAll("[data-wb-replay] *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).length,
    );
    assert.equal(over, 0);
    await screenshot(page, "workbench-stage-embed");
    assertClean(page);
    await page.close();
  });

  test("framed, a check is posted to the host page: handler, k, verdict, challenge, met", async () => {
    const page = await newPage(env.browser);
    const h = "apply:add-if-newer,commit-offset";
    const src = env.url(`?workbench=1&challenge=no-transaction&h=${encodeURIComponent(h)}`);
    await page.setContent(`<!doctype html><html lang="en"><head><title>host</title></head><body>
      <script>window.log = []; window.addEventListener("message", (e) => window.log.push(e.data));</script>
      <iframe id="f" title="workbench" src="${src}" style="width:1200px;height:900px"></iframe></body></html>`);
    const frame = await (await page.waitForSelector("#f")).contentFrame();
    await frame.waitForSelector("[data-workbench]", { timeout: MOUNT_TIMEOUT_MS });
    const posted = async (n) => {
      await page.waitForFunction((n) => window.log.filter((m) => m && m.type === "workbench").length >= n, n, { timeout: 30_000 });
      return page.evaluate(() => window.log.filter((m) => m && m.type === "workbench"));
    };
    await frame.click("button.primary");
    let got = await posted(1);
    const { verdict, schedules, ...m } = got[0];
    assert.deepEqual(m, {
      source: "exactly-once-playground", version: 1, type: "workbench",
      challenge: "no-transaction", handler: h, k: 2, holds: true, met: true, breaking: 0, breakingTick: null,
    });
    assert.match(verdict, new RegExp(`^holds: .* in all ${schedules} schedules with at most 2 faults$`));
    // A handler that breaks: posted too, not met, with its breaking step's tick.
    await frame.fill(".wb-text input", "apply:add,commit-offset");
    await frame.click("button.primary");
    got = await posted(2);
    assert.deepEqual([got[1].holds, got[1].met, got[1].handler, got[1].breakingTick], [false, false, "apply:add,commit-offset", 7]);
    await page.close();
  });

  test("a lesson's build step: the starting handler breaks with its counterexample, Next waits, a solution holds", async () => {
    const page = await newPage(env.browser, { context: { bypassCSP: true } });
    await page.goto(env.url("?lesson=dedup-window&step=9"));
    await page.waitForSelector('[data-step-kind="build"] [data-wb-build="dedup-window"]', { timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await steps(page), "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=30,commit,commit-offset", "starts from a common wrong attempt");
    assert.equal(await page.locator('[data-action="next-step"][disabled]').count(), 1, "Next waits for a handler that holds");
    await tabTo(page, '[data-action="build-check"]');
    await page.keyboard.press("Enter");
    const v = await page.waitForSelector('.wb-build [data-wb-verdict][data-holds="false"]');
    assert.match(await v.textContent(), /breaks: \d+ of \d+ schedules with at most 2 faults/);
    assert.match(await page.textContent(".wb-build .wb-narration"), /a copy of txn-\d arrives 30 ticks late/);
    // Its replay is there too, opened at the breaking step on the stage.
    await page.waitForSelector('.wb-build [data-wb-stage][data-breaking="true"]');
    assert.match(await page.textContent("[data-wb-breaking]"), /applies txn-\d again/);
    assert.equal(await page.locator("[data-action='build-show-me']").count(), 0, "no solution after one check");
    assert.deepEqual(await axe(page), [], "axe on the build step with its counterexample");
    await screenshot(page, "workbench-build-step-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, "workbench-build-step-375");
    await page.setViewportSize({ width: 1280, height: 800 });
    // Fix the window by text: one that outlasts the restart and the delay holds.
    await page.fill(".wb-build .wb-text input", "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=40,commit,commit-offset");
    await tabTo(page, '[data-action="build-check"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('.wb-build [data-wb-verdict][data-holds="true"]');
    assert.match(await page.textContent(".wb-build [data-wb-why]"), /restart/);
    assert.equal(await page.locator('[data-action="next-step"]:not([disabled])').count(), 1, "Next once it holds");
    assertClean(page);
    await page.close();
  });
});
