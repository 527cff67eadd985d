// Screenshots for issue 13 ("the stage fits"): three crowded scenarios (quarter-end,
// broker-eos, outbox) at tick 40, on the stage and in the space-time view, at 320, 375,
// 800 and 1280 px, embedded below 800 px, into tests/e2e/artifacts/fit-*.png; and the
// two embeds the issue reported (two-generals at 320 px, walkthrough at 375 px).
// Usage: node tests/e2e/fit-screens.mjs
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, assertClean, screenshot, settle, start } from "./lib.mjs";

mkdirSync(ARTIFACTS, { recursive: true });

const env = await start();
let failed = false;
try {
  for (const id of ["quarter-end", "broker-eos", "outbox"]) {
    for (const width of [320, 375, 800, 1280]) {
      for (const view of ["stage", "spacetime"]) {
        const embed = width < 800 ? "&embed=1" : "";
        const page = await env.open(`?s=${id}&t=40${view === "spacetime" ? "&v=spacetime" : ""}${embed}`, {
          viewport: { width, height: 800 },
        });
        try {
          await page.waitForSelector(view === "stage" ? ".stage-svg" : ".spacetime-svg", { timeout: 30_000 });
          await settle(page);
          const el = page.locator("main.stage");
          const name = `fit-${id}-${view}-${width}`;
          await el.screenshot({ path: join(ARTIFACTS, `${name}.png`), animations: "disabled" });
          assertClean(page);
          console.log(`saved ${name}`);
        } catch (e) {
          failed = true;
          console.error(`${id} ${view} ${width}: ${e.message}`);
        }
        await page.close();
      }
    }
  }
  // The two cases the issue reported: general B cut off at 320 px, the handler at 375 px.
  for (const [id, width] of [["two-generals", 320], ["walkthrough", 375]]) {
    const page = await env.open(`?s=${id}&t=6&embed=1`, { viewport: { width, height: 800 } });
    await page.waitForSelector(".stage-svg", { timeout: 30_000 });
    await settle(page);
    await screenshot(page, `fit-${id}-embed-${width}`);
    assertClean(page);
    await page.close();
  }
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
