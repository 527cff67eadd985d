// The practice page (?practice=1): a finished lesson's predictions come back
// a day later as fresh variants. Progress is seeded as the lesson's finish writes it
// (lesson done, its varying predictions due a day after the finish), the page's clock
// (Playwright's clock) is moved one day, the due item appears, is answered, gets its
// feedback and a link replaying its run, and moves in the stored schedule.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { MOUNT_TIMEOUT_MS, assertClean, newPage, screenshot, start } from "./lib.mjs";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** The stored progress after finishing the outbox lesson at T0 (steps 1 and 4 vary). */
const finished = {
  lessons: { outbox: { step: 6, done: true, answers: {} } },
  practice: {
    items: {
      "outbox#1": { lesson: "outbox", step: 1, stage: 0, due: T0 + DAY, next_variant: 0, right: 0, missed: 0 },
      "outbox#4": { lesson: "outbox", step: 4, stage: 0, due: T0 + DAY, next_variant: 0, right: 0, missed: 0 },
    },
  },
};

async function openAt(env, path, time, progress) {
  const page = await newPage(env.browser);
  await page.clock.setFixedTime(time);
  await page.goto(env.url(""), { waitUntil: "load" });
  if (progress) {
    // Once every region is in: the app writes its own progress by then, over this.
    await page.waitForSelector("[data-mounted]");
    await page.evaluate((p) => localStorage.setItem("eop.lessons", JSON.stringify(p)), progress);
  }
  await page.goto(env.url(path), { waitUntil: "load" });
  return page;
}

describe("practice", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  test("nothing is due on the day of the lesson; a day later the item appears and is answered", async () => {
    let page = await openAt(env, "?practice=1", T0 + 60_000, finished);
    await page.waitForSelector("[data-practice]", { timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await page.$eval("[data-due]", (e) => e.dataset.due), "0");
    assert.equal(await page.locator("[data-practice-empty]").count(), 1);
    assertClean(page);
    await page.close();

    // The home page's count, a day later.
    page = await openAt(env, "", T0 + DAY + 1000, finished);
    await page.waitForSelector("a[data-due]", { state: "attached", timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await page.$eval("a[data-due]", (e) => e.dataset.due), "2");
    assertClean(page);
    await page.close();

    page = await openAt(env, "?practice=1", T0 + DAY + 1000, finished);
    await page.waitForSelector("[data-practice-item]", { timeout: MOUNT_TIMEOUT_MS });
    assert.equal(await page.$eval("[data-due]", (e) => e.dataset.due), "2");
    const item = await page.$eval("[data-practice-item]", (e) => e.dataset.practiceItem);
    assert.equal(item, "outbox#1", "the first due item");
    const variant = Number(await page.$eval("[data-practice-item]", (e) => e.dataset.variant));
    // No stage on this page: the step's lines about the playback are not shown.
    const shownText = await page.$eval("[data-practice-text]", (e) => e.textContent);
    assert.doesNotMatch(shownText, /playback|held/i, shownText);
    assert.match(shownText, /Predict, then replay the run to check\.$/);
    await screenshot(page, "practice-question");
    // Answer with the first option; its feedback and the replay link show.
    const t0 = Date.now();
    await page.click("[data-practice-item] button[data-option]");
    await page.waitForSelector("[data-feedback]", { timeout: 10_000 });
    const ms = Date.now() - t0;
    const correct = (await page.$eval("[data-feedback]", (e) => e.dataset.correct)) === "true";
    const text = await page.$eval("[data-feedback]", (e) => e.textContent);
    assert.ok(text.length > 20, `feedback: ${text}`);
    const replay = await page.$eval("a[data-action=replay]", (a) => a.getAttribute("href"));
    assert.match(replay, /s=outbox/);
    assert.match(replay, /seed=\d+/);
    assert.equal(await page.$eval("[data-due]", (e) => e.dataset.due), "1");
    await screenshot(page, "practice-answered");
    // The schedule moved: three days on if right, ten minutes if missed.
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("eop.lessons")));
    const it = stored.practice.items["outbox#1"];
    assert.equal(it.next_variant, variant + 1);
    assert.equal(it.due, T0 + DAY + 1000 + (correct ? 3 * DAY : 10 * 60_000));
    assert.equal(correct ? it.right : it.missed, 1);
    // The next due item.
    await page.click("[data-action=next-practice]");
    await page.waitForSelector('[data-practice-item="outbox#4"]', { timeout: 10_000 });
    assertClean(page);
    console.log(`practice: answered variant ${variant} (${correct ? "right" : "missed"}), feedback in ${ms} ms`);
    // The replay link opens the run on the stage.
    await page.click('[data-practice-item="outbox#4"] button[data-option]');
    await page.waitForSelector("[data-feedback]", { timeout: 10_000 });
    assert.equal(await page.$eval("[data-due]", (e) => e.dataset.due), "0");
    await page.click("a[data-action=replay]");
    await page.waitForSelector("main.stage", { timeout: MOUNT_TIMEOUT_MS });
    assertClean(page);
  });

  test("'Can it ever happen?' answered both ways on two scenarios by the exhaustive check", async () => {
    const cases = [
      ["ttl-shorter-than-delay", true],
      ["ttl-longer-than-delay", false],
      ["ledger-first", true],
      ["atomic-commit", false],
    ];
    const times = [];
    for (const [id, can] of cases) {
      const page = await openAt(env, `?practice=1&space=${id}`, T0);
      await page.waitForSelector(`[data-step-kind=predict-space][data-space-question="${id}"]`, { timeout: MOUNT_TIMEOUT_MS });
      // Before answering: the faults the check places, named in the prompt too.
      const before = await page.$eval("[data-space-assumptions]", (e) => e.textContent);
      assert.match(before, /^Faults the check places \(at most 2 in a schedule\): /, before);
      const legend = await page.$eval("[data-step-kind=predict-space] legend", (e) => e.textContent);
      assert.match(legend, /^With at most 2 faults, each /, legend);
      if (id.startsWith("ttl-")) {
        const settings = await page.$eval("[data-space-settings]", (e) => e.textContent);
        assert.match(settings, /Dedup TTL: \d+ ticks/, settings);
        assert.match(settings, /Longest duplicate delay: \d+ ticks/, settings);
      }
      const t0 = Date.now();
      await page.click("[data-step-kind=predict-space] button[data-option=yes]");
      await page.waitForSelector("[data-space-answer]", { timeout: 60_000 });
      const wall = Date.now() - t0;
      // The chosen answer is marked as chosen, the other is not.
      assert.equal(await page.$eval("[data-step-kind=predict-space] button[data-option=yes]", (b) => b.getAttribute("aria-pressed")), "true");
      assert.equal(await page.$eval("[data-step-kind=predict-space] button[data-option=no]", (b) => b.getAttribute("aria-pressed")), "false");
      const a = await page.$eval("[data-space-answer]", (e) => ({ ...e.dataset, text: e.textContent }));
      assert.equal(a.can, String(can), `${id}: ${a.text}`);
      assert.equal(a.correct, String(can), "answered yes");
      assert.ok(Number(a.checked) > 1, `${id}: schedules checked`);
      assert.match(a.text, /Assumed: /);
      times.push(`${id} ${a.ms} ms (check) / ${wall} ms (click to answer)`);
      if (can) {
        const href = await page.$eval("a[data-action=replay-counterexample]", (x) => x.getAttribute("href"));
        assert.match(href, /rf=0/);
        assert.match(href, /f=/);
        if (id === "ttl-shorter-than-delay") await screenshot(page, "practice-space-yes");
        // The counterexample replays on the stage.
        await page.click("a[data-action=replay-counterexample]");
        await page.waitForSelector("main.stage", { timeout: MOUNT_TIMEOUT_MS });
      } else {
        assert.equal(await page.locator("a[data-action=replay-counterexample]").count(), 0);
        assert.match(a.text, /No\. Every one of the \d+ schedules/);
        if (id === "ttl-longer-than-delay") await screenshot(page, "practice-space-no");
      }
      assertClean(page);
      await page.close();
    }
    console.log(`predict-space: ${times.join("; ")}`);
  });
});
