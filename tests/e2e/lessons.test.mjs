// Lessons (issue 12): every lesson by keyboard alone, right answers first and once every
// wrong option first; a predict step holds the reveal back (playhead before the reveal
// tick, no final verdict, the revealing ledger value not in the DOM); a try step succeeds
// by doing the real thing; progress survives a reload; a teacher's lesson file runs and a
// malformed one changes nothing; the embed shows the lesson; axe finds nothing serious;
// screenshots of a predict step before/after answering (light/dark, 375/1280 px).
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, test } from "node:test";
import { REPO, assertClean, screenshot, settle, start, tick } from "./lib.mjs";

const env = await start();
after(() => env.close());
const LESSON_DIR = join(REPO, "src/course/lessons");
const FILES = readdirSync(LESSON_DIR).filter((f) => f.endsWith(".json")).sort();
const lessonFile = (f) => JSON.parse(readFileSync(join(LESSON_DIR, f), "utf8"));
const IDS = FILES.map((f) => lessonFile(f).id);
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Right answers learnt by the first pass: "lesson/step/question" → option id or number. */
const KEY = new Map();

const stepInfo = (page) =>
  page.$eval("[data-step]", (el) => ({ step: el.dataset.step, kind: el.dataset.stepKind ?? "done" }));

/** Press Tab (then Shift+Tab) until the focused element matches `sel`: real keyboard navigation. */
async function tabTo(page, sel, what = sel) {
  const on = () => page.evaluate((s) => document.activeElement?.matches(s) ?? false, sel);
  if (await on()) return;
  for (const key of ["Tab", "Shift+Tab"]) {
    for (let i = 0; i < 250; i++) {
      await page.keyboard.press(key);
      if (await on()) return;
    }
  }
  const where = await page.evaluate(() => `${location.search} step ${document.querySelector("[data-step]")?.dataset.step}`);
  throw new Error(`the keyboard never reached ${what} (at ${where})`);
}

/** Wait for the step heading to have the focus after a step change. */
async function waitStep(page, n) {
  await page.waitForSelector(`[data-step="${n}"]`);
  await page.waitForFunction(() => document.activeElement?.classList.contains("step-title"));
}

async function lastFeedback(page, q) {
  const sel = `[data-question="${q}"] [data-feedback]`;
  await page.waitForSelector(sel);
  return page.$eval(sel, (el) => ({ correct: el.dataset.correct === "true", right: el.dataset.right, text: el.textContent }));
}

/** Answer question `q` with option `id` (Tab + Enter) or number `v` (Tab, type, Enter). */
async function answer(page, q, a) {
  if (typeof a === "string") {
    await tabTo(page, `[data-question="${q}"] [data-option="${a}"]`);
    await page.keyboard.press("Enter");
  } else {
    await tabTo(page, `[data-question="${q}"] input[data-answer]`);
    await page.keyboard.press("Control+A");
    await page.keyboard.type(String(a));
    await page.keyboard.press("Enter");
  }
  await page.waitForFunction(
    ([q, a]) => {
      const fb = document.querySelector(`[data-question="${q}"] [data-feedback]`);
      if (!fb) return false;
      if (typeof a === "string") return document.querySelector(`[data-question="${q}"] [data-option="${a}"]`)?.getAttribute("aria-pressed") === "true";
      return true;
    },
    [q, a],
  );
  return lastFeedback(page, q);
}

/** Before answering a predict step: nothing on screen gives the answer away. */
async function assertHeldBack(page, what) {
  const hold = await page.$eval("[data-hold]", (el) => Number(el.dataset.hold));
  const t = await tick(page);
  assert.ok(t < hold, `${what}: playhead ${t} must be before the reveal tick ${hold}`);
  await page.keyboard.press("End");
  assert.ok((await tick(page)) < hold, `${what}: End must not pass the reveal`);
  assert.equal(await page.locator('[data-verdict="held"], [data-verdict="broken"]').count(), 0, `${what}: a final verdict is on screen`);
  assert.equal(await page.locator('[data-action="jump-first-violation"]').count(), 0, `${what}: a jump to the violation is on screen`);
  assert.equal(await page.locator("[data-feedback]").count(), 0, `${what}: feedback before answering`);
  return hold;
}

/**
 * Take lesson `id` from step 1 to the end by keyboard. `mode`: "learn" (try options in
 * order until one is right; fills KEY), "right" (the right answer first) or
 * "wrong-first" (every wrong option, then the right one).
 */
async function takeLesson(page, id, mode) {
  await page.goto(env.url(`?lesson=${id}&step=1`));
  await waitStep(page, 1);
  for (let guard = 0; guard < 12; guard++) {
    const { step, kind } = await stepInfo(page);
    const what = `${id} step ${step} (${kind}, ${mode})`;
    if (kind === "done") return;
    if (kind === "predict") await assertHeldBack(page, what);
    if (kind === "predict" || kind === "recall" || kind === "observe") {
      const qs = await page.$$eval("[data-question]", (els) => els.map((el) => ({
        q: el.dataset.question,
        options: [...el.querySelectorAll("[data-option]")].map((o) => o.dataset.option),
      })));
      for (const { q, options } of qs) {
        const k = `${id}/${step}/${q}`;
        if (mode === "learn") {
          if (options.length === 0) {
            const fb = await answer(page, q, -987654);
            assert.equal(fb.correct, false, `${what}: an absurd number is wrong`);
            KEY.set(k, Number(fb.right));
            assert.equal((await answer(page, q, Number(fb.right))).correct, true, `${what}: the number the run shows is right`);
          } else {
            for (const o of options) {
              const fb = await answer(page, q, o);
              if (fb.correct) {
                KEY.set(k, o);
                break;
              }
            }
            assert.ok(KEY.has(k), `${what}: no option was right`);
          }
        } else {
          const right = KEY.get(k);
          assert.notEqual(right, undefined, `${what} q${q}: no key (run the learning pass first)`);
          if (mode === "wrong-first") {
            const texts = new Set();
            for (const o of options.filter((o) => o !== right)) {
              const fb = await answer(page, q, o);
              assert.equal(fb.correct, false, `${what}: option ${o} should be wrong`);
              texts.add(fb.text);
            }
            if (options.length > 0) assert.equal(texts.size, options.length - 1, `${what}: each wrong option has its own feedback`);
            else assert.equal((await answer(page, q, right + 1)).correct, false, `${what}: a wrong number`);
          }
          const fb = await answer(page, q, right);
          assert.equal(fb.correct, true, `${what}: the right answer is judged right`);
        }
      }
      if (kind === "predict") {
        // The run now plays on to the reveal.
        await page.waitForFunction(() => !document.querySelector("[data-hold]"));
      }
    }
    if (kind === "predict-space") {
      // "Can it ever happen?": the faults the check places are on screen before the answer,
      // and one answer settles it (the exhaustive check answers; the other choice is off).
      const shown = await page.$eval("[data-space-assumptions]", (el) => el.textContent);
      assert.match(shown, /^Faults the check places \(at most \d+ in a schedule\): /, `${what}: ${shown}`);
      assert.equal(await page.locator("[data-feedback]").count(), 0, `${what}: feedback before answering`);
      const k = `${id}/${step}/0`;
      const flip = (x) => (x === "yes" ? "no" : "yes");
      const pick = mode === "learn" ? "yes" : mode === "right" ? KEY.get(k) : flip(KEY.get(k));
      assert.ok(pick, `${what}: no key (run the learning pass first)`);
      const fb = await answer(page, "0", pick);
      if (mode === "learn") KEY.set(k, fb.right);
      assert.equal(fb.correct, pick === fb.right, `${what}: judged by the check`);
      assert.equal(await page.locator(`[data-question="0"] [data-option="${flip(pick)}"][disabled]`).count(), 1, `${what}: one answer`);
      if (fb.right === "yes") {
        assert.match(fb.text, /Yes\. Smallest: /, `${what}: ${fb.text}`);
        await page.waitForSelector("[data-space-on-stage]");
      } else {
        assert.match(fb.text, /No\. Every one of the \d+ schedules with at most (1 fault|[2-9] faults) ends right\./, `${what}: ${fb.text}`);
      }
    }
    if (kind === "try") {
      await tabTo(page, '[data-action="show-me"]');
      await page.keyboard.press("Enter");
      await page.waitForSelector('.try-box [data-feedback][data-correct="true"]');
    }
    if (kind === "build") {
      // The handler it starts from breaks (twice: then "Show me a solution"), which holds.
      assert.equal(await page.locator('[data-action="next-step"][disabled]').count(), 1, `${what}: Next waits for a handler that holds`);
      for (let i = 0; i < 2; i++) {
        await tabTo(page, '[data-action="build-check"]');
        await page.keyboard.press("Enter");
        await page.waitForSelector('.wb-build [data-wb-verdict][data-holds="false"]');
      }
      await tabTo(page, '[data-action="build-show-me"]');
      await page.keyboard.press("Enter");
      await tabTo(page, '[data-action="build-check"]');
      await page.keyboard.press("Enter");
      await page.waitForSelector('.wb-build [data-wb-verdict][data-holds="true"]');
    }
    await tabTo(page, '[data-action="next-step"]:not([disabled])', `${what}: an enabled Next`);
    await page.keyboard.press("Enter");
    const next = Number(step) + 1;
    await page.waitForFunction((n) => {
      const el = document.querySelector("[data-step]");
      return el && (el.dataset.step === String(n) || el.dataset.step === "done");
    }, next);
  }
  throw new Error(`${id}: the lesson did not end`);
}

test("every lesson by keyboard: learn the answers, then right answers first, then every wrong option first", async () => {
  assert.equal(IDS.length, 14, `14 lessons, got ${IDS.join(", ")}`);
  const page = await env.open("");
  await page.waitForSelector("[data-lesson]");
  assert.deepEqual(await page.$$eval("[data-lesson]", (as) => as.map((a) => a.dataset.lesson)), IDS, "the course list follows the teaching order");
  assert.deepEqual(new Set(await page.$$eval("[data-lesson]", (as) => as.map((a) => a.dataset.lessonState))), new Set(["new"]));
  for (const id of IDS) await takeLesson(page, id, "learn");
  // A fresh browser profile: the right answers first, all by keyboard.
  const fresh = await env.open("");
  await fresh.waitForSelector("[data-lesson]");
  for (const id of IDS) {
    await takeLesson(fresh, id, "right");
    assert.equal(await fresh.$eval(`[data-lesson="${id}"]`, (a) => a.dataset.lessonState), "done", `${id} done`);
  }
  // Progress survives a reload.
  await fresh.reload();
  await fresh.waitForSelector("[data-lesson]");
  assert.deepEqual(new Set(await fresh.$$eval("[data-lesson]", (as) => as.map((a) => a.dataset.lessonState))), new Set(["done"]), "every lesson still done after a reload");
  const stored = await fresh.evaluate(() => JSON.parse(localStorage.getItem("eop.lessons")));
  for (const id of IDS) {
    assert.ok(Object.values(stored.lessons[id].answers).every((c) => c === true), `${id}: every first answer right`);
  }
  // Reset progress.
  await fresh.click('[data-action="reset-progress"]');
  assert.deepEqual(new Set(await fresh.$$eval("[data-lesson]", (as) => as.map((a) => a.dataset.lessonState))), new Set(["new"]));
  // Every wrong option first, then the right one.
  for (const id of IDS) await takeLesson(page, id, "wrong-first");
  assertClean(page);
  assertClean(fresh);
  await page.close();
  await fresh.close();
});

test("a predict step holds the naive m-B value out of the DOM until answered", async () => {
  const page = await env.open("?lesson=walkthrough&step=2");
  await waitStep(page, 2);
  const cell = '[data-technique="naive"][data-merchant="m-B"]';
  const before = await page.$eval(cell, (el) => el.dataset.balance);
  const hold = await assertHeldBack(page, "walkthrough step 2");
  const html = await page.content();
  const fb = await answer(page, 0, "zero");
  assert.equal(fb.correct, false);
  assert.ok(fb.text.includes("copy"), fb.text);
  const right = fb.right;
  assert.ok(!html.includes(`data-balance="${right}"`) || right === before, `the answer ₹${right} was in the DOM before answering`);
  await page.waitForFunction((h) => Number(document.querySelector("[data-tick]").dataset.tick) >= h, hold);
  assert.equal(await page.$eval(cell, (el) => el.dataset.balance), right, "after the reveal the ledger shows the answer");
  assertClean(page);
  await page.close();
});

test("a try step succeeds by changing the real control", async () => {
  const page = await env.open("?lesson=walkthrough&step=6");
  await waitStep(page, 6);
  assert.equal(await page.locator('[data-action="next-step"][disabled]').count(), 1, "Next waits for the goal");
  // Two misses first (the extra-duplication slider up and down again): the hint appears.
  const dup = page.locator('input[data-param="dup"]');
  await dup.focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector("[data-tries='1']");
  await page.keyboard.press("ArrowLeft");
  await page.waitForSelector("[data-hint]");
  const toggle = page.locator('input[data-param="dup_txn3"]');
  assert.equal(await toggle.count(), 1, "the redelivery toggle is on the page");
  await toggle.focus();
  await page.keyboard.press("Space");
  await page.waitForSelector('.try-box [data-feedback][data-correct="true"]');
  assert.equal(await page.locator('[data-action="next-step"]:not([disabled])').count(), 1);
  assertClean(page);
  await page.close();
});

test("a teacher's lesson file runs; a malformed one changes nothing", async () => {
  const page = await env.open("?s=two-generals");
  await page.waitForSelector("[data-lesson]");
  const teacher = lessonFile(FILES.find((f) => f.includes("walkthrough")));
  teacher.id = "teacher-demo";
  teacher.title = "A teacher's own walkthrough";
  const input = page.locator('input[data-control="import-lesson"]');
  await input.setInputFiles({ name: "mine.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ ...teacher, steps: teacher.steps.slice(0, 2) })) });
  await page.waitForSelector(".notice.warn");
  assert.match(await page.$eval(".notice.warn", (el) => el.textContent), /steps/);
  assert.equal(await page.locator(".lesson-panel").count(), 0, "a refused file opens nothing");
  await input.setInputFiles({ name: "teacher.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(teacher)) });
  await page.waitForSelector('[data-lesson-panel="teacher-demo"]');
  assert.match(await page.$eval(".lesson-kicker", (el) => el.textContent), /Imported/);
  await page.click('[data-action="next-step"]');
  await waitStep(page, 2);
  await assertHeldBack(page, "imported lesson");
  const fb = await answer(page, 0, "right");
  assert.equal(fb.correct, true);
  assertClean(page);
  await page.close();
});

test("embed=1&lesson shows the lesson panel in the embed", async () => {
  const page = await env.open("?lesson=walkthrough&step=2&embed=1");
  await page.waitForSelector("#app-root.embed .lesson-panel [data-step='2']");
  await assertHeldBack(page, "embed");
  assertClean(page);
  await page.close();
});

test("axe: a predict step before and after answering, light and dark; screenshots at 375 and 1280 px", async () => {
  const problems = [];
  for (const [scheme, width] of [["light", 1280], ["dark", 1280], ["light", 375], ["dark", 375]]) {
    const page = await env.open("?lesson=walkthrough&step=2", { viewport: { width, height: width === 375 ? 812 : 800 }, context: { colorScheme: scheme, bypassCSP: true } });
    await waitStep(page, 2);
    await settle(page);
    await page.$eval(".lesson-panel", (el) => el.scrollIntoView());
    await screenshot(page, `lesson-predict-before-${scheme}-${width}`);
    const run = async (what) => {
      await page.addScriptTag({ path: AXE });
      const v = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
        .filter((x) => x.impact === "serious" || x.impact === "critical")
        .map((x) => `${x.id}: ${x.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`));
      for (const x of v) problems.push(`${what}: ${x}`);
    };
    if (width === 1280) await run(`before (${scheme})`);
    await answer(page, 0, "truth");
    await page.waitForFunction(() => !document.querySelector("[data-hold]"));
    await settle(page);
    await page.$eval(".lesson-panel", (el) => el.scrollIntoView());
    await screenshot(page, `lesson-predict-after-${scheme}-${width}`);
    if (width === 1280) await run(`after (${scheme})`);
    assertClean(page);
    await page.close();
  }
  assert.deepEqual(problems, []);
});
