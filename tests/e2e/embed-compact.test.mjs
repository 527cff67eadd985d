// Compact embeds (issue 25): at 640×420 every scenario shows the stage, the playback bar and
// one row of balances per technique inside the frame, without scrolling inside it; a plain
// `embed=1` frame that low is compact too, and a tall one is not. Screenshots of three.
import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import { assertClean, newPage, screenshot, settle, start } from "./lib.mjs";

let env;
let ids;
before(async () => {
  env = await start();
  const page = await env.open("");
  await page.waitForSelector("nav.scenario-nav a[data-scenario]");
  ids = await page.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
  await page.close();
});
after(async () => {
  await env?.close();
});

/** A host page with one iframe `width`×`height` of `src`; returns [page, frame]. */
async function framed(src, width, height) {
  const page = await newPage(env.browser, { viewport: { width: width + 20, height: height + 20 } });
  await page.setContent("<!doctype html><title>host</title><body></body>");
  await page.evaluate(
    ({ src, width, height }) => {
      document.body.innerHTML = "";
      document.body.style.margin = "10px";
      const f = document.createElement("iframe");
      f.src = src;
      f.style.cssText = `width:${width}px;height:${height}px;border:0;display:block`;
      document.body.append(f);
    },
    { src: env.url(src), width, height },
  );
  const frame = await (await page.waitForSelector("iframe")).contentFrame();
  await frame.waitForSelector("#app-root.embed main.stage", { timeout: 30_000 });
  return [page, frame];
}

/** What the compact frame shows, and how much it would scroll. */
const layout = (frame) =>
  frame.evaluate(() => {
    const de = document.documentElement;
    const visible = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length > 0).length;
    return {
      compact: de.getAttribute("data-eop-layout"),
      overY: de.scrollHeight - de.clientHeight,
      bottom: Math.ceil(document.getElementById("app-root").getBoundingClientRect().bottom),
      stage: visible("main.stage svg.stage-svg, main.stage svg"),
      playback: visible(".playback .pb-buttons"),
      rows: visible(".ledger-table thead .tcol[data-ledger]"),
      techniques: document.querySelectorAll(".tech-tabs .tab").length,
      hidden: visible(".pb-settings, .story, .embed-bar"),
    };
  });

test("compact at 640×420: every scenario fits without an inner scroll", async () => {
  assert.equal(ids.length, 14, `14 scenarios, not ${ids.length}`);
  const bad = [];
  for (const id of ids) {
    const [page, frame] = await framed(`?s=${id}&embed=compact`, 640, 420);
    await frame.waitForSelector("section.ledgers");
    await page.waitForTimeout(300);
    const l = await layout(frame);
    assert.equal(l.compact, "compact", id);
    assert.ok(l.stage >= 1 && l.playback === 1, `${id}: stage ${l.stage}, playback ${l.playback}`);
    assert.equal(l.hidden, 0, `${id}: settings, story or title bar shown`);
    if (l.techniques > 0) assert.equal(l.rows, l.techniques, `${id}: one balances row per technique`);
    if (l.overY > 0) bad.push(`${id}: ${l.overY} px too tall`);
    assertClean(page);
    await page.close();
  }
  assert.deepEqual(bad, [], "scenarios that scroll inside a 640×420 frame");
});

test("embed=1 in a frame lower than 560 px is compact; in a tall one it is not", async () => {
  let [page, frame] = await framed("?s=outbox&embed=1", 640, 420);
  assert.equal((await layout(frame)).compact, "compact");
  await page.close();
  [page, frame] = await framed("?s=outbox&embed=1", 640, 800);
  assert.equal((await layout(frame)).compact, null);
  assert.equal(await frame.locator(".pb-settings").count() > 0, true);
  await page.close();
});

test("screenshots of three compact embeds", async () => {
  for (const [id, w] of [["walkthrough", 640], ["outbox", 640], ["two-generals", 320]]) {
    const [page, frame] = await framed(`?s=${id}&embed=compact&t=12`, w, 420);
    await frame.waitForSelector("section.ledgers");
    await settle(page);
    await screenshot(page, `compact-${id}-${w}`);
    await page.close();
  }
});
