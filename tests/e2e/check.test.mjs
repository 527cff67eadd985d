// The "every schedule with up to k faults" mode of the sweep panel: it runs in the sweep
// worker, states the space it covered, and its counterexample replays on the stage.
// Also the "Watch:" promise line: a try-this prompt opens at its own seed and says it
// kept its promise, with a jump to the tick where it shows.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { assertClean, start, tick, waitForApp } from "./lib.mjs";

describe("exhaustive check in the page", () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => env?.close());

  test("walkthrough, k = 2: every schedule checked, numbers shown, replay reproduces", async () => {
    const page = await env.open("?s=walkthrough");
    await waitForApp(page);
    const panel = page.locator("section.sweep");
    await panel.scrollIntoViewIfNeeded();
    await panel.locator("select").selectOption("k2");
    const estimate = Number(await panel.locator("[data-check-estimate]").getAttribute("data-check-estimate"));
    assert.ok(estimate > 1, `an estimate of the space is shown before running (${estimate})`);
    await panel.locator('button[data-action="sweep"]').click();
    const space = panel.locator("[data-check-space]");
    await space.waitFor({ timeout: 120_000 });
    assert.equal(await space.getAttribute("data-check-finished"), "true");
    const checked = Number(await space.getAttribute("data-check-space"));
    assert.ok(checked >= estimate, `checked ${checked} ≥ estimated ${estimate}`);
    const text = await space.innerText();
    assert.match(text, new RegExp(`All ${checked} schedules with at most 2 faults checked`));
    // The naive handler breaks; replay its smallest counterexample on the stage.
    const replay = panel.locator('button[data-technique-replay="naive"]');
    const label = await replay.innerText();
    const want = Number(/tick (\d+)/.exec(label)?.[1]);
    await replay.click();
    await page.waitForFunction((t) => Number(document.querySelector("[data-tick]")?.dataset.tick) === t, want);
    assert.equal(await tick(page), want);
    const verdict = await page.locator('[data-technique-verdict="naive"]').innerText();
    assert.match(verdict, /^✕/, `the replayed run breaks the naive handler again: ${verdict}`);
    assertClean(page);
    await page.close();
  });

  test("the check's setting travels in the link both ways", async () => {
    const page = await env.open("?s=walkthrough&check=k2");
    await waitForApp(page);
    const panel = page.locator("section.sweep");
    const select = panel.locator("select");
    assert.equal(await select.inputValue(), "k2", "the link's check=k2 sets the panel");
    assert.ok(await panel.locator("[data-check-estimate]").count(), "the estimate for k = 2 is shown");
    await select.selectOption("k3");
    await page.waitForFunction(() => location.search.includes("check=k3"));
    await select.selectOption("10000");
    await page.waitForFunction(() => !location.search.includes("check="));
    // A bad value: a clear message, and the default setting.
    const bad = await env.open("?s=walkthrough&check=k9");
    await waitForApp(bad);
    assert.equal(await bad.locator("section.sweep select").inputValue(), "10000");
    assert.match(await bad.locator(".notices").innerText(), /check 'k9' is not a setting of the panel/);
    assertClean(page);
    await page.close();
    await bad.close();
  });

  // One scenario per kind of claim: a doubled payment, a lost one, a fidelity figure.
  for (const scenario of ["walkthrough", "delivery-semantics", "telemetry"]) {
    test(`${scenario}: every try-this prompt opens at its seed and keeps its promise on screen`, async () => {
      const page = await env.open(`?s=${scenario}`);
      await waitForApp(page);
      const prompts = await page.locator(".try-btn").count();
      assert.ok(prompts > 0, "the scenario has prompts");
      for (let i = 0; i < prompts; i++) {
        await page.locator(".try-btn").nth(i).click();
        const line = page.locator("[data-promise]");
        await line.waitFor();
        const state = await line.getAttribute("data-promise");
        assert.equal(state, "kept", `prompt ${i + 1}: ${await line.innerText()}`);
        assert.match(await line.innerText(), /As promised/);
        const jump = line.locator('button[data-action="promise-jump"]');
        if (await jump.count()) {
          const t = Number(/tick (\d+)/.exec(await jump.innerText())?.[1]);
          await jump.click();
          await page.waitForFunction((t) => Number(document.querySelector("[data-tick]")?.dataset.tick) === t, t);
        }
      }
      // A different seed may not show the last promise: the line then says so plainly.
      const seed = page.locator('input[data-control="seed"]').first();
      if (await seed.count()) {
        await seed.fill("999");
        await seed.press("Enter");
        const state = await page.locator("[data-promise]").getAttribute("data-promise");
        if (state === "not-kept") {
          assert.match(await page.locator("[data-promise]").innerText(), /Not in this run/);
          await page.locator('button[data-action="promise-seed"]').click();
          await page.waitForFunction(() => document.querySelector("[data-promise]")?.dataset.promise === "kept");
        }
      }
      assertClean(page);
      await page.close();
    });
  }
});
