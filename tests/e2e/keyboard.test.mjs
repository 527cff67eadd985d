// Keyboard only: the walkthrough driven without a mouse (shortcuts, the help dialog,
// presenter mode, Tab to a message and D / C to drop or duplicate it), and reduced
// motion (tokens jump from tick to tick, nothing on the stage animates).
import { strict as assert } from "node:assert";
import { after, test } from "node:test";
import { assertClean, balances, start, tick, waitForApp } from "./lib.mjs";

const env = await start();
after(() => env.close());

const speed = (page) => page.$eval('[data-control="speed"]', (el) => Number(el.value));
/** What has the focus: a short description. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    return `${el.tagName.toLowerCase()}${el.dataset.action ? `[data-action=${el.dataset.action}]` : ""}${el.dataset.net ? `[data-net=${el.dataset.net}]` : ""}${el.dataset.scenario ? `[data-scenario=${el.dataset.scenario}]` : ""}`;
  });

/** Press Tab until a message token has the focus; return its data-net. */
async function tabToToken(page) {
  for (let i = 0; i < 250; i++) {
    await page.keyboard.press("Tab");
    const net = await page.evaluate(() => document.activeElement?.dataset?.net ?? null);
    if (net !== null) return net;
  }
  throw new Error("Tab never reached a message in flight");
}

test("shortcuts: step, PageUp/PageDown, Home/End, + and -, without console errors", async () => {
  const page = await env.open("?s=walkthrough&t=3");
  await waitForApp(page);
  await page.waitForSelector("[data-tick]");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await tick(page), 2);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("PageDown");
  assert.equal(await tick(page), 4);
  await page.keyboard.press("PageUp");
  assert.equal(await tick(page), 3);
  await page.keyboard.press("End");
  const end = await tick(page);
  assert.ok(end > 4, `end ${end}`);
  await page.keyboard.press("Home");
  assert.equal(await tick(page), 0);
  const s0 = await speed(page);
  await page.keyboard.press("+");
  const s1 = await speed(page);
  assert.ok(s1 > s0, `+ speeds up: ${s0} → ${s1}`);
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  assert.ok((await speed(page)) < s0, "- slows down");
  await page.keyboard.press("=");
  assert.equal(await speed(page), s0, "= speeds up like +");
  // ← prevents the page from scrolling: the listener is not passive (no console error).
  assertClean(page);
  await page.close();
});

test("? opens a modal help dialog; Esc closes it and returns the focus", async () => {
  const page = await env.open("?s=walkthrough");
  await waitForApp(page);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const before = await focused(page);
  assert.notEqual(before, "body");
  await page.keyboard.press("?");
  const dialog = page.locator('[role="dialog"]');
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute("aria-modal"), "true");
  assert.match(await dialog.textContent(), /Keyboard shortcuts/);
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('[role="dialog"]')), true, "focus moved into the dialog");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('[role="dialog"]')), true, "Tab stays in the dialog");
  // Shortcuts are off while it is open.
  const t = await tick(page);
  await page.keyboard.press("ArrowLeft");
  assert.equal(await tick(page), t);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await focused(page), before, "focus returned");
  assertClean(page);
  await page.close();
});

test("p toggles presenter mode: side panels hidden, large type", async () => {
  const page = await env.open("?s=walkthrough", { viewport: { width: 1280, height: 720 } });
  await waitForApp(page);
  const fontSize = () => page.$eval("#app-root", (el) => parseFloat(getComputedStyle(el).fontSize));
  const small = await fontSize();
  assert.equal(await page.isVisible("nav.scenario-nav"), true);
  await page.keyboard.press("p");
  await page.waitForSelector("#app-root.presenter");
  assert.equal(await page.isVisible("nav.scenario-nav"), false);
  assert.equal(await page.isVisible("aside.side"), false);
  assert.ok((await fontSize()) >= small + 3);
  const stageWidth = await page.$eval(".stage-wrap", (el) => el.getBoundingClientRect().width);
  assert.ok(stageWidth >= 600, `stage ${stageWidth}px wide`);
  await page.keyboard.press("Escape");
  await page.waitForSelector("#app-root:not(.presenter)");
  assert.equal(await page.isVisible("nav.scenario-nav"), true);
  assertClean(page);
  await page.close();
});

test("1–9 apply the scenario's try-this prompts", async () => {
  const page = await env.open("?s=walkthrough");
  await waitForApp(page);
  const label = await page.$eval(".try-btn", (el) => el.dataset.try);
  await page.keyboard.press("1");
  await page.waitForFunction(() => location.search.includes("p."));
  assert.equal(await page.$eval('button[data-action="play"]', (el) => el.getAttribute("aria-pressed")), "true", `"${label}" plays from the start`);
  await page.keyboard.press("9");
  assertClean(page);
  await page.close();
});

// The broker redelivers what its handler never acked: dropping txn-1 delays it, and every
// ledger still ends right. (Delivery is at-least-once; the redelivery is narrated.)
test("keyboard only: Tab to txn-1, D drops it, the broker redelivers, every ledger ends right", async () => {
  const page = await env.open("?s=walkthrough");
  await waitForApp(page);
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  assert.equal(await tick(page), 2);
  const net = await tabToToken(page);
  const label = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
  assert.match(label, /txn-1 in flight/);
  await page.keyboard.press("d");
  await page.waitForFunction(() => location.search.includes("f=L0.1.0"));
  // The announcer says what the re-run changed.
  await page.waitForFunction(() => /Re-ran the same seed/.test(document.querySelector("[data-announcer]").textContent));
  await page.keyboard.press("End");
  // Yew renders after the key event: wait until the playhead shows the end.
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-tick]");
    return el && document.querySelector(".scrubber")?.max === el.dataset.tick;
  });
  const b = await balances(page);
  assert.equal(b["truth/m-A"], 1800);
  for (const t of ["naive", "idempotent", "dedup"]) assert.equal(b[`${t}/m-A`], 1800, `${t} after dropping #${net}`);
  assertClean(page);
  await page.close();
});

test("keyboard only: C duplicates a message; only the naive ledger applies it twice", async () => {
  const page = await env.open("?s=walkthrough&p.dup_txn3=0");
  await waitForApp(page);
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await tabToToken(page);
  await page.keyboard.press("c");
  await page.waitForFunction(() => location.search.includes("f=D0.1.0"));
  await page.keyboard.press("End");
  const b = await balances(page);
  assert.equal(b["naive/m-A"], b["truth/m-A"] + 1000, JSON.stringify(b));
  assert.equal(b["idempotent/m-A"], b["truth/m-A"]);
  assert.equal(b["dedup/m-A"], b["truth/m-A"]);
  assertClean(page);
  await page.close();
});

/** Sample every animation frame for `ms`: the tick and each token's transform. */
async function sample(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((done) => {
        const out = [];
        const t0 = performance.now();
        const step = () => {
          const tick = Number(document.querySelector("[data-tick]").dataset.tick);
          for (const g of document.querySelectorAll(".stage-svg [data-net]")) {
            out.push([tick, g.dataset.net, g.getAttribute("transform")]);
          }
          if (performance.now() - t0 < ms) requestAnimationFrame(step);
          else done(out);
        };
        requestAnimationFrame(step);
      }),
    ms
  );
}
/** Tokens drawn at more than one place within one tick. */
function glides(samples) {
  const at = new Map();
  const moved = new Set();
  for (const [tick, net, tf] of samples) {
    const k = `${tick}/${net}`;
    if (at.has(k) && at.get(k) !== tf) moved.add(k);
    at.set(k, tf);
  }
  return [...moved];
}

test("reduced motion: tokens jump between ticks and nothing on the stage animates", async () => {
  // Control: with full motion the same sampling sees tokens glide within a tick.
  const full = await env.open("?s=walkthrough&t=0");
  await waitForApp(full);
  await full.selectOption('[data-control="speed"]', "2");
  await full.click('button[data-action="play"]');
  const glided = glides(await sample(full, 1500));
  assert.ok(glided.length > 0, "with full motion tokens glide (the sampling can see motion)");
  assertClean(full);
  await full.close();

  const page = await env.open("?s=walkthrough&t=0", { context: { reducedMotion: "reduce" } });
  await waitForApp(page);
  await page.waitForSelector("#app-root.reduce-motion");
  assert.equal(await page.isVisible("[data-announcer]"), true, "the narration is on screen");
  await page.selectOption('[data-control="speed"]', "2");
  await page.click('button[data-action="play"]');
  const samples = await sample(page, 2500);
  assert.ok(samples.length > 0, "tokens were on the stage");
  assert.deepEqual(glides(samples), [], "no token moves within a tick");
  const moving = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll("main.stage, main.stage *")) {
      const cs = getComputedStyle(el);
      const dur = (s) => s.split(",").some((x) => parseFloat(x) > 0);
      if (dur(cs.transitionDuration) || (cs.animationName !== "none" && dur(cs.animationDuration))) out.push(el.outerHTML.slice(0, 80));
    }
    return { out, animations: document.getAnimations().length };
  });
  assert.deepEqual(moving, { out: [], animations: 0 });
  // The toggle overrides the system and is remembered.
  await page.keyboard.press("m");
  await page.waitForSelector("#app-root:not(.reduce-motion)");
  await page.reload();
  await waitForApp(page);
  assert.equal(await page.$eval("#app-root", (el) => el.classList.contains("reduce-motion")), false);
  assert.equal(await page.evaluate(() => localStorage.getItem("eop.motion")), "full");
  assertClean(page);
  await page.close();
});

test("keyboard only: Tab to a process, X crashes it now; Enter opens its menu, Esc closes it and keeps the focus", async () => {
  const page = await env.open("?s=walkthrough&t=2");
  await waitForApp(page);
  let node = null;
  for (let i = 0; i < 250 && node === null; i++) {
    await page.keyboard.press("Tab");
    node = await page.evaluate(() => (document.activeElement?.matches?.(".stage-svg g[data-node]") ? document.activeElement.dataset.node : null));
  }
  assert.notEqual(node, null, "Tab reached a process");
  await page.keyboard.press("Enter");
  await page.waitForSelector('.fault-menu[role="dialog"]');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest(".fault-menu")), true, "the menu took the focus");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".fault-menu", { state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.node), node, "focus back on the process");
  await page.keyboard.press("x");
  await page.waitForFunction((n) => new URLSearchParams(location.search).get("f")?.startsWith(`C${n}.2.`), node);
  assertClean(page);
  await page.close();
});

test("skip links: the first Tab stops let a keyboard user jump past the stage's messages", async () => {
  const page = await env.open("?s=dedup-window&t=40");
  await waitForApp(page);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.skip), "stage");
  assert.ok(await page.$eval(".skip-link:focus", (el) => el.getBoundingClientRect().top >= 0), "the focused skip link is on screen");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.skip), "ledgers");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "ledgers");
  // The next Tab continues inside the ledgers, and the address bar kept no #fragment.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => !!document.activeElement.closest("#ledgers")), true);
  assert.equal(new URL(page.url()).hash, "");
  // Skip to playback, and space plays from there.
  await page.reload();
  await waitForApp(page);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.skip), "playback");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "playback");
  await page.keyboard.press("Home");
  await page.keyboard.press(" ");
  await page.waitForSelector('button[data-action="play"][aria-pressed="true"]');
  assertClean(page);
  await page.close();
});
