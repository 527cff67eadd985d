// Every scenario page: `?s=<id>` for each `nav.scenario-nav a[data-scenario]` link renders
// with no console error (a 1280×800 screenshot goes to tests/e2e/artifacts/<id>.png), and
// the walkthrough shows the balances of TEACHING-SPEC §3.
import { strict as assert } from "node:assert";
import { after, test } from "node:test";
import { assertClean, scenarioIds, screenshot, settle, start, waitForApp } from "./lib.mjs";

const env = await start();
after(() => env.close());

const home = await env.open();
await waitForApp(home);
const ids = await scenarioIds(home);
await home.close();

/** The final walkthrough balances for merchant m-B: technique → balance. */
const WALKTHROUGH_M_B = { naive: 4000, idempotent: 2000, dedup: 2000, truth: 2000 };

test("the nav lists the scenarios, each once, the walkthrough among them", () => {
  assert.ok(ids.length > 0, "no `nav.scenario-nav a[data-scenario]` links");
  assert.deepEqual([...new Set(ids)], ids);
  assert.ok(ids.includes("walkthrough"), ids.join(", "));
});

for (const id of ids) {
  test(`scenario ${id}: ?s=${id} renders with no errors`, async () => {
    const page = await env.open(`?s=${encodeURIComponent(id)}`);
    await waitForApp(page);
    await settle(page);
    const current = await page.$(`nav.scenario-nav a[data-scenario="${id}"]`);
    assert.ok(current, `link for ${id}`);
    await screenshot(page, id);
    assertClean(page);
    await page.close();
  });
}

test("walkthrough: naive double-applies txn-3 for m-B; idempotent and dedup match truth", async () => {
  const page = await env.open("?s=walkthrough");
  await waitForApp(page);
  // The balances reach their final values when the replay reaches its end; give an
  // autoplaying replay time to get there.
  const read = () =>
    page.evaluate((techs) => {
      const out = {};
      for (const t of techs) {
        const el = document.querySelector(`[data-technique="${t}"][data-merchant="m-B"][data-balance]`);
        out[t] = el ? Number(el.dataset.balance) : null;
      }
      return out;
    }, Object.keys(WALKTHROUGH_M_B));
  let seen;
  const deadline = Date.now() + 30_000;
  do {
    seen = await read();
    if (JSON.stringify(seen) === JSON.stringify(WALKTHROUGH_M_B)) break;
    await page.waitForTimeout(250);
  } while (Date.now() < deadline);
  assert.deepEqual(seen, WALKTHROUGH_M_B, "m-B balances per technique (data-balance)");
  assertClean(page);
  await page.close();
});
