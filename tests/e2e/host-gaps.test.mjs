// The host-API gaps of issue 25, one test each: embed.js forwards every message type
// (`lesson` too); the notices of one `load` are gone after the next; an off-screen frame
// follows a width change (no jump when scrolled into view); the frame posts Canvas's
// `lti.frameResize`; static/course.html shows its three embeds without clipping a table.
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { assertClean, newPage, screenshot, settle, start } from "./lib.mjs";
import { serve } from "./server.mjs";

let env;
let host;
const dir = mkdtempSync(join(tmpdir(), "eop-gaps-"));

before(async () => {
  env = await start();
  host = await serve({ root: dir });
});
after(async () => {
  await env?.close();
  await host?.close();
});

/** A course page on another origin that logs every `eop:*` event it hears. */
function hostPage(name, body, { script = true } = {}) {
  writeFileSync(
    join(dir, name),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head>
<body style="margin:0;font:14px sans-serif">
<script>
  window.log = [];
  for (const t of ["ready", "resize", "state", "answer", "lesson", "warning", "error"]) {
    document.addEventListener("eop:" + t, (e) => window.log.push({ type: t, id: e.target.id, detail: e.detail }));
  }
</script>
${body}
${script ? `<script src="${env.url("embed.js")}"></script>` : ""}
</body></html>`,
  );
  return `${host.url}${name}`;
}
const waitEvent = (page, type, pred = "() => true", timeout = 30_000) =>
  page.waitForFunction(
    ({ type, pred }) => window.log.some((e) => e.type === type && eval(pred)(e.detail)), // eslint-disable-line no-eval
    { type, pred },
    { timeout },
  );
const playground = (page) => page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(env.server.url));

test("embed.js forwards the `lesson` message (and every other type) as eop:<type>", async () => {
  const url = hostPage("lesson.html", `<div id="a" data-eop="?lesson=walkthrough&amp;step=1"></div>`);
  const page = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
  await page.goto(url);
  await waitEvent(page, "lesson", "(d) => d.lesson === 'walkthrough' && d.step === 1");
  const [ev] = (await page.evaluate(() => window.log)).filter((e) => e.type === "lesson");
  assert.equal(ev.id, "a");
  assert.equal(ev.detail.completed, false);
  assertClean(page);
  await page.close();
});

test("the notices of one `load` are gone after the next", async () => {
  const url = hostPage("notices.html", `<div id="a" data-eop="?s=walkthrough"></div>`);
  const page = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
  await page.goto(url);
  await waitEvent(page, "ready");
  const frame = playground(page);
  await frame.waitForSelector("main.stage svg");
  await page.evaluate(() => document.getElementById("a").eoPlayground.load("?s=walkthrough&seed=banana&tech=nope"));
  await frame.waitForSelector(".notice");
  const first = await frame.locator(".notice").allInnerTexts();
  assert.ok(first.some((t) => t.includes("banana")), first.join("\n"));
  await page.evaluate(() => document.getElementById("a").eoPlayground.load("?s=two-generals"));
  await frame.waitForFunction(() => document.querySelector("[data-scenario-id], main.stage") && !document.body.innerText.includes("banana"));
  assert.equal(await frame.locator(".notice").count(), 0, (await frame.locator(".notice").allInnerTexts()).join("\n"));
  // A load with its own warning shows only its own.
  await page.evaluate(() => document.getElementById("a").eoPlayground.load("?s=walkthrough&t=x"));
  await frame.waitForSelector(".notice");
  const third = await frame.locator(".notice").allInnerTexts();
  assert.equal(third.length, 1, third.join("\n"));
  assert.ok(third[0].includes("tick 'x'"), third[0]);
  assertClean(page);
  await page.close();
});

test("an off-screen frame follows a width change: no jump when scrolled into view", async () => {
  const url = hostPage(
    "offscreen.html",
    `<div id="box" style="width:900px"><div style="height:3000px">text</div><div id="a" eager data-eop="?s=walkthrough"></div></div>`,
  );
  const page = await newPage(env.browser, { viewport: { width: 1000, height: 700 } });
  await page.goto(url);
  await waitEvent(page, "ready");
  const height = () => page.$eval("#a iframe", (f) => f.clientHeight);
  // Seen once (everything below the fold drawn), then scrolled away.
  await page.evaluate(() => document.getElementById("a").scrollIntoView());
  await page.waitForFunction(() => window.log.some((e) => e.type === "resize" && e.detail.height > 600));
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  const wide = await height();
  // Narrower while off-screen: the ledgers wrap, the page gets taller.
  await page.evaluate(() => (document.getElementById("box").style.width = "340px"));
  await page.waitForTimeout(1500);
  const offscreen = await height();
  assert.notEqual(offscreen, wide, `the frame kept its ${wide} px height after its width changed off-screen`);
  await page.evaluate(() => document.getElementById("a").scrollIntoView());
  await page.waitForTimeout(1500);
  const seen = await height();
  assert.ok(Math.abs(seen - offscreen) <= 2, `the frame jumped from ${offscreen} to ${seen} px when scrolled into view`);
  assertClean(page);
  await page.close();
});

test("the frame posts Canvas's lti.frameResize with its content height", async () => {
  const url = hostPage(
    "lti.html",
    `<script>window.lti = []; window.addEventListener("message", (e) => { if (e.data && e.data.subject === "lti.frameResize") window.lti.push(e.data); });</script>
<iframe id="f" src="${env.url("?s=walkthrough&embed=1")}" style="width:700px;height:400px;border:0"></iframe>`,
    { script: false },
  );
  const page = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => window.lti.length > 0, null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  const last = await page.evaluate(() => window.lti.at(-1));
  assert.deepEqual(Object.keys(last).sort(), ["height", "subject"]);
  const frame = playground(page);
  const content = await frame.evaluate(() => Math.ceil(document.getElementById("app-root").getBoundingClientRect().bottom + scrollY));
  assert.equal(last.height, content);
  assertClean(page);
  await page.close();
});

test("static/course.html shows its three embeds without clipping their tables", async () => {
  const page = await newPage(env.browser, { viewport: { width: 1320, height: 900 } });
  await page.goto(env.url("static/course.html"));
  // Bring each panel near the viewport (embed.js creates frames lazily).
  for (let i = 0; i < 3; i++) {
    await page.evaluate((i) => document.querySelectorAll("[data-eop], eo-playground")[i].scrollIntoView(), i);
    await page.waitForFunction((n) => document.querySelectorAll("iframe").length >= n, i + 1, { timeout: 30_000 });
  }
  const frames = () => page.frames().filter((f) => f !== page.mainFrame());
  for (const f of frames()) await f.waitForSelector(".ledger-table, .balance-rows, section.ledgers", { timeout: 30_000 });
  await page.waitForTimeout(2500);
  for (const f of frames()) {
    const r = await f.evaluate(() => {
      const clipped = [...document.querySelectorAll(".ledger-scroll, section.ledgers, .ledger-table")]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ cls: el.className, over: el.scrollWidth - el.clientWidth }))
        .filter((x) => x.over > 1);
      const de = document.documentElement;
      return { clipped, overX: de.scrollWidth - de.clientWidth, overY: de.scrollHeight - de.clientHeight, url: location.search };
    });
    assert.deepEqual(r.clipped, [], `${r.url}: a table is clipped`);
    assert.ok(r.overX <= 1 && r.overY <= 1, `${r.url}: scrolls inside its frame (${r.overX}, ${r.overY})`);
  }
  await settle(page);
  await screenshot(page, "course-page");
  assertClean(page);
  await page.close();
});
