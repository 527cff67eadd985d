// "From here" in the check panel: at the playhead, every continuation of the run on the
// stage with at most k more faults, grouped by outcome; a breaking group opens its
// smallest member on the stage, and that run breaks on replay. Also prints the time a
// "From here" takes in the page (two scenarios, k = 1 and k = 2).
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { assertClean, screenshot, start, tick, waitForApp } from "./lib.mjs";

/** Run "From here" with at most `k` more faults; the result's attributes and groups. */
async function fromHere(page, k) {
  const panel = page.locator("section.futures");
  await panel.scrollIntoViewIfNeeded();
  await panel.locator("select[data-futures-k-select]").selectOption(String(k));
  const button = panel.locator('button[data-action="futures"]');
  const at = await tick(page);
  assert.equal(await button.innerText(), `From tick ${at}`, "the button names the playhead's tick");
  // By keyboard: focus and Enter.
  await button.focus();
  await page.keyboard.press("Enter");
  const result = panel.locator(`[data-futures][data-futures-k="${k}"]`);
  await result.waitFor({ timeout: 120_000 });
  const attr = (n) => result.getAttribute(n);
  const groups = await result.locator("[data-outcome]").evaluateAll((els) =>
    els.map((e) => ({ outcome: e.dataset.outcome, count: Number(e.dataset.count) })),
  );
  return {
    panel,
    result,
    total: Number(await attr("data-futures")),
    tick: Number(await attr("data-futures-tick")),
    ms: Number(await attr("data-futures-ms")),
    finished: await attr("data-futures-finished"),
    head: await result.locator(".futures-head").innerText(),
    groups,
  };
}

describe("From here", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  test("'From here' at a tick opens a counterexample that breaks on replay", async () => {
    const page = await env.open("?s=atomic-commit&t=14");
    await waitForApp(page);
    assert.equal(await tick(page), 14);
    const f = await fromHere(page, 2);
    assert.equal(f.tick, 14);
    assert.equal(f.finished, "true");
    // Pinned natively too (tests/native/futures.rs: grouping_counts_pinned).
    assert.equal(f.total, 136);
    assert.deepEqual(f.groups, [
      { outcome: "lost+wrong balance", count: 65 },
      { outcome: "held", count: 71 },
    ]);
    assert.equal(f.head, "From tick 14: 136 futures with at most 2 more faults.");
    assert.equal(
      f.groups.reduce((a, g) => a + g.count, 0),
      f.total,
      "the groups add up to the futures",
    );
    await screenshot(page, "futures-1280");
    // Open the breaking group's smallest member.
    const open = f.result.locator('[data-outcome="lost+wrong balance"] button[data-action="futures-open"]');
    const want = Number(/tick (\d+)/.exec(await open.innerText())?.[1]);
    await open.click();
    await page.waitForFunction((t) => Number(document.querySelector("[data-tick]")?.dataset.tick) === t, want);
    // Offset first claims at most once: a loss keeps its claim (a "!" badge, not a ✓)
    // but breaks the exactly-once effect.
    const verdict = page.locator('[data-technique-verdict="offset-first"]');
    assert.match(await verdict.innerText(), /^! .*1 payment lost/, "the opened future loses a payment again");
    assert.match(page.url(), /rf=0/, "replayed from its explicit schedule, random faults off");
    // The result stays, marked as the futures of the run explored.
    assert.equal(await page.locator("[data-futures-stale]").count(), 1);
    assertClean(page);
    await page.close();

    // Ledger first claims at least once: its breaking future applies a payment twice,
    // which breaks its own claim's verdict too.
    const second = await env.open("?s=atomic-commit&t=14&tech=non-atomic");
    await waitForApp(second);
    const g = await fromHere(second, 1);
    const bad = g.groups.filter((x) => x.outcome !== "held");
    assert.ok(bad.length > 0, `a breaking group: ${JSON.stringify(g.groups)}`);
    assert.match(bad[0].outcome, /duplicated/);
    const button = g.result.locator(`[data-outcome="${bad[0].outcome}"] button[data-action="futures-open"]`);
    const at = Number(/tick (\d+)/.exec(await button.innerText())?.[1]);
    await button.click();
    await second.waitForFunction((t) => Number(document.querySelector("[data-tick]")?.dataset.tick) === t, at);
    const v = second.locator('[data-technique-verdict="non-atomic"]');
    assert.match(await v.innerText(), /^✕/, `the opened future breaks on replay: ${await v.innerText()}`);
    assertClean(second);
    await second.close();
  });

  test("fits at 320 px", async () => {
    const page = await env.open("?s=atomic-commit&t=14", { viewport: { width: 320, height: 720 } });
    await waitForApp(page);
    const f = await fromHere(page, 1);
    assert.ok(f.total > 1);
    const over = await page.evaluate(() => {
      const box = document.querySelector("section.futures").getBoundingClientRect();
      return box.right - document.documentElement.clientWidth;
    });
    assert.ok(over <= 0, `the panel fits the width (${over} px over)`);
    await f.result.scrollIntoViewIfNeeded();
    await screenshot(page, "futures-320");
    assertClean(page);
    await page.close();
  });

  test("time in the page: two scenarios, k = 1 and k = 2", async () => {
    const times = [];
    for (const [s, t] of [
      ["atomic-commit", 14],
      ["outbox", 25],
    ]) {
      for (const k of [1, 2]) {
        const page = await env.open(`?s=${s}&t=${t}`);
        await waitForApp(page);
        const wall = Date.now();
        const f = await fromHere(page, k);
        times.push(`${s} t=${t} k=${k}: ${f.total} futures, ${f.ms} ms (page clock) / ${Date.now() - wall} ms (wall)`);
        assert.equal(f.finished, "true");
        assertClean(page);
        await page.close();
      }
    }
    console.log(`from here: ${times.join("; ")}`);
  });
});
