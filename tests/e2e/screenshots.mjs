// Screenshots of the built app (1280×800) into tests/e2e/artifacts/: home.png, then
// <id>.png for every scenario link; then the walkthrough at 375×812 (mobile-*.png),
// in presenter mode at 1280×720 (presenter-*.png), in the dark theme (dark-*.png) and
// with the shortcut help open (help.png). Fails on any console error, like the tests.
// Usage: node tests/e2e/screenshots.mjs [--base /sub/path/]   (`make screenshots`)
import { assertClean, scenarioIds, screenshot, settle, start, waitForApp } from "./lib.mjs";

const i = process.argv.indexOf("--base");
const base = i > 0 ? process.argv[i + 1] : "/";
const env = await start({ base });
let failed = false;
try {
  const shoot = async (path, name, opts, before) => {
    const page = await env.open(path, opts);
    try {
      await waitForApp(page);
      await settle(page);
      if (before) {
        await before(page);
        await settle(page);
      }
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
  const mobile = { viewport: { width: 375, height: 812 }, context: { hasTouch: true, isMobile: true } };
  const fullPage = async (page) => page.setViewportSize({ width: 375, height: await page.evaluate(() => document.documentElement.scrollHeight) });
  await (await shoot("?s=walkthrough&t=2", "mobile-walkthrough", mobile)).close();
  await (await shoot("?s=walkthrough&t=2", "mobile-walkthrough-full", mobile, fullPage)).close();
  await (await shoot("?s=walkthrough&t=2", "mobile-menu", mobile, (p) => p.tap("[data-net]"))).close();
  await (await shoot("?s=broker-eos", "mobile-broker", mobile)).close();
  const presenter = { viewport: { width: 1280, height: 720 } };
  const press = (key) => async (page) => page.keyboard.press(key);
  await (await shoot("?s=walkthrough&t=6", "presenter-walkthrough", presenter, press("p"))).close();
  await (await shoot("?s=broker-eos", "presenter-broker", presenter, press("p"))).close();
  const dark = { context: { colorScheme: "dark" } };
  await (await shoot("?s=walkthrough&t=6", "dark-walkthrough", dark)).close();
  await (await shoot("?s=broker-eos&t=40", "dark-broker", dark)).close();
  await (await shoot("?s=walkthrough&t=6", "dark-presenter", { ...dark, ...presenter }, press("p"))).close();
  await (await shoot("?s=walkthrough&t=6", "help", {}, press("?"))).close();
  await (await shoot("?s=walkthrough&t=6", "reduced-motion", { context: { reducedMotion: "reduce" } })).close();
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
