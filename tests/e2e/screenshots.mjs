// Screenshots of the built app (1280×800) into tests/e2e/artifacts/: home.png, then
// <id>.png for every scenario link. Fails on any console error, like the tests.
// Usage: node tests/e2e/screenshots.mjs [--base /sub/path/]   (`make screenshots`)
import { assertClean, scenarioIds, screenshot, settle, start, waitForApp } from "./lib.mjs";

const i = process.argv.indexOf("--base");
const base = i > 0 ? process.argv[i + 1] : "/";
const env = await start({ base });
let failed = false;
try {
  const shoot = async (path, name) => {
    const page = await env.open(path);
    try {
      await waitForApp(page);
      await settle(page);
      const file = await screenshot(page, name);
      assertClean(page);
      console.log(`saved ${file}`);
      return page;
    } catch (e) {
      failed = true;
      console.error(`${name}: ${e.message}`);
      return page;
    }
  };
  const home = await shoot("", "home");
  const ids = await scenarioIds(home);
  await home.close();
  if (ids.length === 0) console.log("no scenario links yet (nav.scenario-nav a[data-scenario]): only home.png");
  for (const id of ids) await (await shoot(`?s=${encodeURIComponent(id)}`, id)).close();
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
