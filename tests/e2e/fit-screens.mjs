// Screenshots for issue 13 ("the stage fits"): three crowded scenarios (quarter-end,
// broker-eos, outbox) at tick 40, on the stage and in the space-time view, at 320, 375,
// 800 and 1280 px, embedded below 800 px, into tests/e2e/artifacts/fit-*.png.
// Usage: node tests/e2e/fit-screens.mjs
import { assertClean, screenshot, settle, start } from "./lib.mjs";

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
          await el.screenshot({ path: (await screenshot(page, name)).replace(/\.png$/, ".png"), animations: "disabled" });
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
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
