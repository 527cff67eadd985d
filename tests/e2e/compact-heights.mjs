// Prints the natural height (px) of every scenario embedded compactly (`embed=compact`) and
// in the full embed (`embed=1` in a tall frame), at 320, 640 and 960 px wide: the content
// height of the frame's page. Run after `make build`: node tests/e2e/compact-heights.mjs
import { newPage, start } from "./lib.mjs";

const WIDTHS = [320, 640, 960];
const env = await start();
try {
  const page = await env.open("");
  await page.waitForSelector("nav.scenario-nav a[data-scenario]");
  const ids = await page.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
  await page.close();
  const rows = [];
  for (const id of ids) {
    const row = { id };
    for (const w of WIDTHS) {
      for (const mode of ["compact", "1"]) {
        const p = await newPage(env.browser, { viewport: { width: w + 20, height: 3000 } });
        await p.setContent("<!doctype html><title>heights</title><body style='margin:0'></body>");
        await p.evaluate(
          ({ src, w }) => {
            document.body.innerHTML = `<iframe style="width:${w}px;height:2800px;border:0"></iframe>`;
            document.querySelector("iframe").src = src;
          },
          { src: env.url(`?s=${id}&embed=${mode}`), w },
        );
        const frame = await (await p.waitForSelector("iframe")).contentFrame();
        await frame.waitForSelector("#app-root.embed section.ledgers", { timeout: 30_000 });
        await p.waitForTimeout(400);
        row[`${mode === "1" ? "full" : "compact"}@${w}`] = await frame.evaluate(() =>
          Math.ceil(document.getElementById("app-root").getBoundingClientRect().bottom),
        );
        await p.close();
      }
    }
    rows.push(row);
  }
  const cols = ["id", ...WIDTHS.map((w) => `compact@${w}`), ...WIDTHS.map((w) => `full@${w}`)];
  console.log(`| ${cols.join(" | ")} |`);
  console.log(`|${cols.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(" | ")} |`);
} finally {
  await env.close();
}
