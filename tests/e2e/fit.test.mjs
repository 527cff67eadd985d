// The stage fits narrow frames (issue 13): for every scenario at 320 and 375 px, embedded
// (`&embed=1`) and in the full app, on the stage and in the space-time view —
//   * no process drawn outside the stage's visible box, and the page never scrolls sideways;
//   * no two labels (elements marked `data-label`: process boxes, status lines, tables,
//     messages, badges, lane names, arrow and mark labels) overlap, from the DOM's boxes;
//   * every process name stays inside its box, every message's text on its pill; every lane name is whole (its text is the
//     process's name, or it was shortened and carries the full name in a <title>) and not
//     clipped by the frame; no text draws smaller than 11 CSS px.
// And faults from the space-time view: click an arrow in flight → Drop gives the same
// fault (same link) as dropping the token on the stage; D / C on a focused arrow too.
import { strict as assert } from "node:assert";
import { after, test } from "node:test";
import { assertClean, settle, start, waitForApp } from "./lib.mjs";

const env = await start();
after(() => env.close());

const WIDTHS = [320, 375];
const HEIGHT = { 320: 640, 375: 812 };

/** Everything the checks need, measured in the page. */
function measure() {
  const out = { problems: [] };
  const vw = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth > vw + 1) out.problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${vw}`);
  const svg = document.querySelector(".stage-svg, .spacetime-svg");
  if (!svg) {
    out.problems.push("no stage drawing");
    return out;
  }
  const frame = svg.getBoundingClientRect();
  const stage = document.querySelector("main.stage").getBoundingClientRect();
  const visible = { left: Math.max(0, stage.left), right: Math.min(vw, stage.right) };
  const fmt = (r) => `[${r.left.toFixed(1)},${r.top.toFixed(1)} ${r.width.toFixed(1)}×${r.height.toFixed(1)}]`;
  for (const node of svg.querySelectorAll("g[data-node] .n-box")) {
    const r = node.getBoundingClientRect();
    if (r.left < visible.left - 1 || r.right > visible.right + 1) {
      out.problems.push(`process ${node.parentElement.dataset.node} ${fmt(r)} outside the visible stage ${visible.left}–${visible.right}`);
    }
    const name = node.parentElement.querySelector(".n-name");
    const n = name.getBoundingClientRect();
    if (n.left < r.left - 1 || n.right > r.right + 1 || n.top < r.top - 1 || n.bottom > r.bottom + 1) {
      out.problems.push(`name "${name.textContent.trim()}" ${fmt(n)} overflows its box ${fmt(r)}`);
    }
  }
  // A message's text stays on its pill.
  for (const pill of svg.querySelectorAll(".token > rect.pill")) {
    const r = pill.getBoundingClientRect();
    const t = pill.parentElement.querySelector(":scope > text:not(.nokey-tag)").getBoundingClientRect();
    if (t.left < r.left - 0.5 || t.right > r.right + 0.5) out.problems.push(`message text ${fmt(t)} overflows its pill ${fmt(r)}`);
  }
  const labels = [...svg.querySelectorAll("[data-label]")]
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0);
  out.labels = labels.length;
  const what = (el) => `${el.dataset.label} "${el.textContent.trim().slice(0, 40)}"`;
  for (const { el, r } of labels) {
    if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1) {
      out.problems.push(`${what(el)} ${fmt(r)} leaves the frame ${fmt(frame)}`);
    }
  }
  const E = 0.5;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i].r;
      const b = labels[j].r;
      if (labels[i].el.contains(labels[j].el) || labels[j].el.contains(labels[i].el)) continue;
      if (a.left < b.right - E && b.left < a.right - E && a.top < b.bottom - E && b.top < a.bottom - E) {
        out.problems.push(`${what(labels[i].el)} ${fmt(a)} overlaps ${what(labels[j].el)} ${fmt(b)}`);
      }
    }
  }
  for (const lane of svg.querySelectorAll(".st-name")) {
    const title = lane.querySelector("title");
    const text = [...lane.querySelectorAll("tspan")].map((t) => t.textContent.trim()).join(" ");
    if (!title && text !== lane.dataset.name) out.problems.push(`lane name "${text}" is not "${lane.dataset.name}"`);
    if (title && title.textContent !== lane.dataset.name) out.problems.push(`lane title "${title.textContent}"`);
    const r = lane.getBoundingClientRect();
    if (r.left < frame.left - 0.5 || r.left < 0) out.problems.push(`lane name "${text}" clipped on the left ${fmt(r)}`);
  }
  // Rendered text size: the font size in viewBox units times the drawing's scale.
  const scale = frame.width / svg.viewBox.baseVal.width;
  out.scale = scale;
  for (const t of svg.querySelectorAll("text")) {
    if (!t.getClientRects().length || !t.textContent.trim()) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < 10.95) {
      out.problems.push(`text "${t.textContent.trim().slice(0, 30)}" drawn at ${px.toFixed(1)} px`);
      break;
    }
  }
  out.portrait = svg.dataset.orientation ?? null;
  return out;
}

/** Scenario ids from the full app's nav. */
async function scenarios() {
  const page = await env.open("");
  await waitForApp(page);
  const ids = await page.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
  await page.close();
  return ids;
}
const ids = await scenarios();

for (const width of WIDTHS) {
  for (const embed of [true, false]) {
    test(`${embed ? "embedded" : "full app"} at ${width} px: every scenario fits, stage and space-time`, async () => {
      assert.equal(ids.length, 14, `14 scenarios, got ${ids.join(", ")}`);
      const page = await env.open("", { viewport: { width, height: HEIGHT[width] }, context: { hasTouch: true, isMobile: true } });
      const found = [];
      let labels = 0;
      for (const id of ids) {
        for (const [view, t] of [["", 12], ["", 40], ["&v=spacetime", 40]]) {
          const url = `?s=${id}&t=${t}${view}${embed ? "&embed=1" : ""}`;
          await page.goto(env.url(url), { waitUntil: "load" });
          await page.waitForSelector(view ? ".spacetime-svg" : ".stage-svg", { timeout: 30_000 });
          await settle(page);
          const m = await page.evaluate(measure);
          labels += m.labels ?? 0;
          if (!view && width < 600) assert.equal(m.portrait, "portrait", `${url}: portrait below 600 px`);
          assert.ok(m.scale >= 0.999, `${url}: drawn at ${m.scale} px per unit`);
          for (const p of m.problems) found.push(`${url}: ${p}`);
        }
      }
      assert.deepEqual(found, [], `${found.length} problems:\n  ${found.slice(0, 40).join("\n  ")}`);
      assert.ok(labels > ids.length * 3, `only ${labels} labels checked`);
      assertClean(page);
      await page.close();
    });
  }
}

/** The link after one fault made on `path` by `act(page)`. */
async function faultLink(path, act) {
  const page = await env.open(path, { viewport: { width: 375, height: 812 }, context: { hasTouch: true, isMobile: true } });
  await waitForApp(page);
  await act(page);
  await page.waitForFunction(() => location.search.includes("f="));
  const f = new URLSearchParams(new URL(page.url()).search).get("f");
  assertClean(page);
  await page.close();
  return f;
}

test("space-time: a tap on an arrow in flight drops it — the same fault as on the stage", async () => {
  const onStage = await faultLink("?s=walkthrough&t=2", async (page) => {
    await page.click(".stage-svg [data-net]");
    await page.click('[data-fault="drop"]');
  });
  const onDiagram = await faultLink("?s=walkthrough&t=2&v=spacetime", async (page) => {
    const arrow = page.locator(".spacetime-svg .st-arrow.flying[data-st-net]").first();
    assert.match(await arrow.getAttribute("aria-label"), /txn-1 in flight/);
    await arrow.locator(".st-hit").last().tap();
    await page.waitForSelector(".fault-menu");
    await page.click('[data-fault="drop"]');
  });
  assert.equal(onDiagram, onStage);
  assert.match(onDiagram, /L0\.1\.0/);
});

test("space-time: D and C on a focused arrow in flight, like on a token", async () => {
  for (const key of ["d", "c"]) {
    const onStage = await faultLink("?s=walkthrough&t=2", async (page) => {
      await page.focus(".stage-svg [data-net]");
      await page.keyboard.press(key);
    });
    const onDiagram = await faultLink("?s=walkthrough&t=2&v=spacetime", async (page) => {
      await page.focus(".spacetime-svg .st-arrow.flying[data-st-net]");
      await page.keyboard.press(key);
    });
    assert.equal(onDiagram, onStage, `key ${key}`);
  }
  // Enter opens the menu; Escape closes it and gives the focus back to the arrow.
  const page = await env.open("?s=walkthrough&t=2&v=spacetime");
  await waitForApp(page);
  await page.focus(".spacetime-svg .st-arrow.flying[data-st-net]");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".fault-menu button:focus");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.activeElement?.dataset?.stNet !== undefined);
  assert.equal(await page.locator(".fault-menu").count(), 0);
  assertClean(page);
  await page.close();
});
