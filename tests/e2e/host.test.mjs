// The host-page API (docs/embedding.md) with the host page on another origin (a second
// server, another port): embed.js creates the frame and sizes it from `resize` (latency
// measured and printed), `state` events arrive, `load`/`seek`/`play`/`pause` work, ten
// malformed commands each get an `error` and change nothing, and a message from a
// sibling frame is ignored.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, assertClean, newPage, screenshot, start } from "./lib.mjs";
import { serve } from "./server.mjs";

const NAME = "exactly-once-playground";
const TYPES = ["ready", "resize", "state", "answer", "lesson", "warning", "error"];

let env;
let host;
const dir = mkdtempSync(join(tmpdir(), "eop-host-"));

/** A course page on the host origin: one embed (`attrs` on a div), a sibling iframe, an event log. */
function hostPage(name, body) {
  writeFileSync(
    join(dir, name),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head>
<body style="margin:0;font:14px sans-serif">
<script>
  window.log = [];
  window.frames_at = [];
  (function count() { window.frames_at.push(performance.timeOrigin + performance.now()); requestAnimationFrame(count); })();
  for (const t of ${JSON.stringify(TYPES)}) {
    document.addEventListener("eop:" + t, (e) => window.log.push({ type: t, id: e.target.id, detail: e.detail,
      at: performance.timeOrigin + performance.now() }));
  }
</script>
${body}
<script src="${env.url("embed.js")}"></script>
</body></html>`,
  );
  return `${host.url}${name}`;
}

before(async () => {
  env = await start();
  host = await serve({ root: dir });
  assert.notEqual(new URL(host.url).origin, new URL(env.server.url).origin, "the host page is on another origin");
});
after(async () => {
  await env?.close();
  await host?.close();
});

/** Events of `type` the host page logged so far. */
const events = (page, type) => page.evaluate((t) => window.log.filter((e) => e.type === t), type);
/** Wait until the host page logged an event of `type` matching `pred` (a function source run in the page). */
async function waitEvent(page, type, pred = "() => true", timeout = 20_000) {
  await page.waitForFunction(
    ({ type, pred }) => {
      const p = eval(pred); // eslint-disable-line no-eval
      return window.log.some((e) => e.type === type && p(e.detail));
    },
    { type, pred },
    { timeout },
  );
}
const playground = (page) => page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(env.server.url));
const frameTick = (frame) => frame.$eval("[data-tick]", (el) => Number(el.dataset.tick));

async function openEmbed(link = "?s=walkthrough&t=3", extra = "") {
  const url = hostPage(
    "embed.html",
    `<h1>A lesson</h1><div id="a" data-eop="${link.replaceAll("&", "&amp;")}"></div>${extra}`,
  );
  const page = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
  await page.goto(url);
  await waitEvent(page, "ready");
  const frame = playground(page);
  await frame.waitForSelector("#app-root.embed main.stage");
  await waitEvent(page, "state");
  return [page, frame];
}

describe("the host-page API", () => {
  test("embed.js creates the frame next to itself, on the playground's origin, with embed=1", async () => {
    const [page, frame] = await openEmbed();
    const src = await page.$eval("#a iframe", (f) => f.src);
    assert.equal(src, `${env.server.url}?s=walkthrough&t=3&embed=1`);
    assert.equal(new URL(frame.url()).origin, new URL(env.server.url).origin);
    assert.notEqual(new URL(page.url()).origin, new URL(frame.url()).origin);
    const ready = await events(page, "ready");
    assert.equal(ready.length, 1);
    assert.equal(ready[0].detail.source, NAME);
    assert.equal(ready[0].detail.version, 1);
    assert.equal(ready[0].id, "a", "events are dispatched on the host element");
    assertClean(page);
    await page.close();
  });

  test("lazy: the frame is created only when the element comes near the viewport", async () => {
    const url = hostPage(
      "lazy.html",
      `<div style="height:4000px">scroll down</div><div id="a" data-eop="?s=walkthrough"></div>`,
    );
    const page = await newPage(env.browser, { viewport: { width: 900, height: 700 } });
    await page.goto(url);
    await page.waitForTimeout(800);
    assert.equal(await page.locator("#a iframe").count(), 0, "no frame while far from the viewport");
    await page.evaluate(() => document.getElementById("a").scrollIntoView());
    await waitEvent(page, "ready");
    assert.equal(await page.locator("#a iframe").count(), 1);
    assertClean(page);
    await page.close();
  });

  test("the frame's height follows `resize` within one frame of a content change", async () => {
    const [page, frame] = await openEmbed();
    // The frame's inner height (without its border): the playground's viewport.
    const iframeHeight = () => page.$eval("#a iframe", (f) => f.clientHeight);
    const contentHeight = () =>
      frame.evaluate(() => Math.ceil(document.getElementById("app-root").getBoundingClientRect().bottom));
    // Settled: the frame is exactly as tall as the playground's content (no inner scrollbar).
    await page.waitForFunction(async () => {
      const r = window.log.filter((e) => e.type === "resize").at(-1);
      return r && Math.abs(document.querySelector("#a iframe").clientHeight - r.detail.height) < 1;
    });
    await page.waitForTimeout(300);
    const h0 = await iframeHeight();
    assert.ok(Math.abs(h0 - (await contentHeight())) <= 1, `iframe ${h0} px, content ${await contentHeight()} px`);
    assert.equal(
      await frame.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight),
      0,
      "the playground does not scroll inside its frame",
    );
    // Watch the iframe's height from the host page.
    await page.evaluate(() => {
      window.sizes = [];
      new ResizeObserver(() =>
        window.sizes.push({
          h: document.querySelector("#a iframe").clientHeight,
          at: performance.timeOrigin + performance.now(),
        }),
      ).observe(document.querySelector("#a iframe"));
    });
    const latencies = [];
    for (const [delta, what] of [
      [150, "grows"],
      [-150, "shrinks"],
    ]) {
      const { changedAt, want } = await frame.evaluate((delta) => {
        const root = document.getElementById("app-root");
        if (delta > 0) {
          const d = document.createElement("div");
          d.id = "extra";
          d.style.height = `${delta}px`;
          root.appendChild(d);
        } else {
          document.getElementById("extra").remove();
        }
        const changedAt = performance.timeOrigin + performance.now();
        return { changedAt, want: Math.ceil(root.getBoundingClientRect().bottom) };
      }, delta);
      await page.waitForFunction(
        ({ want, changedAt }) => window.sizes.some((s) => s.at > changedAt && Math.abs(s.h - want) < 1),
        { want, changedAt },
      );
      const { at, frames } = await page.evaluate(
        ({ want, changedAt }) => {
          const at = window.sizes.find((s) => s.at > changedAt && Math.abs(s.h - want) < 1).at;
          return { at, frames: window.frames_at.filter((t) => t > changedAt && t <= at).length };
        },
        { want, changedAt },
      );
      const ms = at - changedAt;
      latencies.push(ms);
      console.log(`# resize latency (content ${what} by ${Math.abs(delta)} px): ${ms.toFixed(1)} ms, ${frames} host frame(s)`);
      // The content changes in frame N (drawn at N+1); the host sets the new height
      // before N+2: the frame after the one that first shows the change.
      assert.ok(frames <= 2, `the iframe followed after ${frames} frames (${ms.toFixed(1)} ms)`);
    }
    assert.ok(Math.max(...latencies) < 250, `latencies ${latencies}`);
    assertClean(page);
    await page.close();
  });

  test("state events say what the link says, with the verdicts; throttled while playing", async () => {
    const [page, frame] = await openEmbed();
    const [first] = await events(page, "state");
    const s = first.detail;
    assert.equal(s.source, NAME);
    assert.equal(s.scenario, "walkthrough");
    assert.equal(s.tick, 3);
    assert.equal(s.playing, false);
    assert.equal(s.technique, "naive");
    assert.equal(s.link, "?s=walkthrough&t=3&embed=1");
    assert.deepEqual(
      s.verdicts.map((v) => [v.id, v.propertyHeld]),
      [
        ["naive", false],
        ["idempotent", true],
        ["dedup", true],
      ],
    );
    assert.equal(s.verdicts[0].badge, "✕ 1 payment applied twice");
    // The tab on screen says the same.
    assert.equal(await frame.getAttribute('[role="tab"][data-tech="naive"]', "title"), "✕ 1 payment applied twice");
    // Playing: at most one state per 250 ms (plus the one on pause).
    await page.evaluate(() => {
      window.log.length = 0;
      document.querySelector("#a").eoPlayground.load("?s=dedup-window");
    });
    await waitEvent(page, "state", "(d) => d.scenario === 'dedup-window'");
    const t0 = await page.evaluate(() => {
      window.log.length = 0;
      const el = document.querySelector("#a").eoPlayground;
      el.seek(0);
      el.play();
      return performance.now();
    });
    await page.waitForTimeout(1500);
    const ms = await page.evaluate(() => {
      document.querySelector("#a").eoPlayground.pause();
      return performance.now();
    }) - t0;
    await waitEvent(page, "state", "(d) => !d.playing && d.tick > 0");
    const states = (await events(page, "state")).filter((e) => e.detail.playing);
    // Unthrottled, a state per animation frame (~90 in 1.5 s); throttled, one per 250 ms.
    // (Counted, not timed apart: delivery to a busy host page may bunch them up.)
    const most = Math.ceil(ms / 250) + 1;
    console.log(`# ${states.length} state events in ${Math.round(ms)} ms of play (at most ${most})`);
    assert.ok(states.length >= 3, `only ${states.length} state events in ${Math.round(ms)} ms of play`);
    assert.ok(states.length <= most, `${states.length} state events in ${Math.round(ms)} ms of play`);
    const ticks = states.map((e) => e.detail.tick);
    assert.deepEqual(ticks, [...ticks].sort((a, b) => a - b), "ticks in order");
    assertClean(page);
    await page.close();
  });

  test("load, seek, play and pause work through the element's methods", async () => {
    const [page, frame] = await openEmbed();
    // load: a share link, through the decoder; the frame stays an embed.
    await page.evaluate(() => document.querySelector("#a").eoPlayground.load("?s=two-generals&t=2"));
    await waitEvent(page, "state", "(d) => d.scenario === 'two-generals' && d.tick === 2");
    await frame.waitForFunction(() => location.search === "?s=two-generals&t=2&embed=1");
    assert.equal(await frameTick(frame), 2);
    assert.equal(await frame.locator("#app-root.embed").count(), 1);
    // A link with a mistake: applied like a link, the mistake reported as a warning.
    await page.evaluate(() => document.querySelector("#a").eoPlayground.load("?s=walkthrough&seed=banana"));
    await waitEvent(page, "warning", "(d) => d.message.includes(\"seed 'banana'\")");
    await waitEvent(page, "state", "(d) => d.scenario === 'walkthrough'");
    // seek
    await page.evaluate(() => document.querySelector("#a").eoPlayground.seek(5));
    await waitEvent(page, "state", "(d) => d.tick === 5 && !d.playing");
    assert.equal(await frameTick(frame), 5);
    // seek past the end: clamped, and said so
    await page.evaluate(() => document.querySelector("#a").eoPlayground.seek(99999));
    await waitEvent(page, "warning", "(d) => d.message.includes('past the end')");
    await waitEvent(page, "state", "(d) => d.tick === d.end");
    // play from the start, then pause
    await page.evaluate(() => {
      const el = document.querySelector("#a").eoPlayground;
      el.seek(0);
      el.play();
    });
    await waitEvent(page, "state", "(d) => d.playing");
    await frame.waitForFunction(() => Number(document.querySelector("[data-tick]").dataset.tick) > 0);
    await page.evaluate(() => document.querySelector("#a").eoPlayground.pause());
    await waitEvent(page, "state", "(d) => !d.playing && d.tick > 0");
    const t = await frameTick(frame);
    await page.waitForTimeout(400);
    assert.equal(await frameTick(frame), t, "paused");
    assert.equal((await events(page, "error")).length, 0);
    assertClean(page);
    await page.close();
  });

  test("the custom element <eo-playground> offers the same methods", async () => {
    const url = hostPage("element.html", `<eo-playground id="e" link="?s=walkthrough&amp;t=4"></eo-playground>`);
    const page = await newPage(env.browser, { viewport: { width: 600, height: 900 } });
    await page.goto(url);
    await waitEvent(page, "state", "(d) => d.tick === 4");
    assert.equal((await events(page, "ready"))[0].id, "e");
    await page.evaluate(() => document.getElementById("e").seek(6));
    await waitEvent(page, "state", "(d) => d.tick === 6");
    assert.equal(await page.evaluate(() => document.getElementById("e").state.tick), 6);
    await settle(page);
    await screenshot(page, "host-element-600");
    assertClean(page);
    await page.close();
  });

  test("ten malformed commands each get an error and change nothing", async () => {
    const [page, frame] = await openEmbed("?s=walkthrough&t=7");
    const before = { tick: await frameTick(frame), search: await frame.evaluate(() => location.search) };
    const T = { target: NAME, version: 1 };
    const BAD = [
      ["a string", "play", "must be an object"],
      ["null", null, "must be an object"],
      ["an array", [T], "not an array"],
      ["no target", { version: 1, type: "seek", tick: 1 }, "needs target"],
      ["version 2", { ...T, version: 2, type: "seek", tick: 1 }, "version 2"],
      ["an unknown type", { ...T, type: "rewind" }, "unknown command type 'rewind'"],
      ["load without a link", { ...T, type: "load" }, "needs a link"],
      ["a link that is not a string", { ...T, type: "load", link: 42 }, "not 42"],
      ["an unknown scenario", { ...T, type: "load", link: "?s=no-such" }, "unknown scenario 'no-such'"],
      ["a fractional tick", { ...T, type: "seek", tick: 2.5 }, "not a tick number"],
      ["a tick as a string", { ...T, type: "seek", tick: "1" }, "not a tick number"],
      ["a huge link", { ...T, type: "load", link: `?s=two-generals&x=${"a".repeat(20000)}` }, "at most"],
    ];
    for (const [what, msg, word] of BAD) {
      const n = (await events(page, "error")).length;
      const states = (await events(page, "state")).length;
      await page.evaluate((m) => document.querySelector("#a iframe").contentWindow.postMessage(m, "*"), msg);
      await page.waitForFunction((n) => window.log.filter((e) => e.type === "error").length > n, n);
      const err = (await events(page, "error")).at(-1).detail;
      assert.equal(err.source, NAME);
      assert.ok(err.message.includes(word), `${what}: ${JSON.stringify(err.message)} lacks ${JSON.stringify(word)}`);
      await page.waitForTimeout(100);
      assert.equal(await frameTick(frame), before.tick, `${what} moved the playhead`);
      assert.equal(await frame.evaluate(() => location.search), before.search, `${what} changed the link`);
      assert.equal((await events(page, "state")).length, states, `${what} changed the state`);
      assert.equal(await frame.locator(".notice.warn").count(), 0, `${what} left a notice on screen`);
    }
    // A message for another script on the page is neither obeyed nor answered.
    const n = (await events(page, "error")).length;
    await page.evaluate(() =>
      document.querySelector("#a iframe").contentWindow.postMessage({ target: "some-widget", type: "play" }, "*"),
    );
    await page.waitForTimeout(300);
    assert.equal((await events(page, "error")).length, n);
    assert.equal(await frameTick(frame), before.tick);
    assertClean(page);
    await page.close();
  });

  test("a command from a sibling frame is ignored; the same from the parent is obeyed", async () => {
    const [page, frame] = await openEmbed(
      "?s=walkthrough&t=7",
      `<iframe id="sib" srcdoc="<p>a sibling frame</p>" style="height:40px"></iframe>`,
    );
    const sib = page.frames().find((f) => f.name() === "sib");
    assert.ok(sib, "the sibling frame");
    const seek1 = { target: NAME, version: 1, type: "seek", tick: 1 };
    await sib.evaluate((m) => {
      const pg = parent.document.querySelector("#a iframe").contentWindow;
      pg.postMessage(m, "*");
      pg.postMessage({ target: m.target, version: 9 }, "*");
    }, seek1);
    await page.waitForTimeout(800);
    assert.equal(await frameTick(frame), 7, "the sibling's seek moved the playhead");
    assert.equal((await events(page, "error")).length, 0, "the sibling's bad message was answered");
    await page.evaluate((m) => document.querySelector("#a iframe").contentWindow.postMessage(m, "*"), seek1);
    await waitEvent(page, "state", "(d) => d.tick === 1");
    assert.equal(await frameTick(frame), 1);
    assertClean(page);
    await page.close();
  });

  test("Copy embed code offers the embed-script form, and that snippet works on another origin", async () => {
    const page = await env.open("?s=walkthrough&t=4");
    await page.waitForSelector('[data-control="embed-form-script"]');
    assert.match(await page.inputValue('[data-share="embed"]'), /^<iframe /, "the plain iframe is the default");
    await page.check('[data-control="embed-form-script"]');
    await page.fill('[data-control="embed-from"]', "3");
    await page.fill('[data-control="embed-to"]', "9");
    await page.waitForFunction(() => document.querySelector('[data-share="embed"]').value.includes("from=3"));
    const snippet = await page.inputValue('[data-share="embed"]');
    // The link ends with its run's fingerprint (c=, links.test.mjs).
    const c = snippet.match(/&amp;c=([0-9a-f]{8}\.(?:[0-9a-f]{2})+)"/)?.[1];
    assert.ok(c, snippet);
    assert.equal(
      snippet,
      `<div data-eop="?s=walkthrough&amp;t=4&amp;from=3&amp;to=9&amp;c=${c}" data-title="Exactly-Once Playground: Four payments, five deliveries"></div>\n` +
        `<script src="${env.url("embed.js")}" async></script>`,
    );
    assert.equal(await page.locator('[data-control="embed-height"]').count(), 0, "no height to choose: it sizes itself");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("section.share").screenshot({ path: join(ARTIFACTS, "share-panel-script.png") });
    assertClean(page);
    await page.close();

    const url = `${host.url}pasted.html`;
    writeFileSync(
      join(dir, "pasted.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pasted</title></head><body>
<script>window.log = []; document.addEventListener("eop:state", (e) => window.log.push({ type: "state", detail: e.detail }));</script>
${snippet}</body></html>`,
    );
    const hostPage = await newPage(env.browser);
    await hostPage.goto(url);
    await waitEvent(hostPage, "state", "(d) => d.scenario === 'walkthrough' && d.tick === 4");
    const frame = playground(hostPage);
    assert.equal(await frame.getAttribute(".range-lock", "data-range"), "3-9");
    assertClean(hostPage);
    await hostPage.close();
  });

  test("not framed: the app posts nothing and still works", async () => {
    const page = await env.open("?s=walkthrough&embed=1&t=2");
    await page.waitForSelector("#app-root.embed");
    assert.equal(await page.evaluate(() => document.documentElement.hasAttribute("data-eop-framed")), false);
    await page.click('button[data-action="step-forward"]');
    await page.waitForFunction(() => document.querySelector("[data-tick]").dataset.tick === "3");
    assertClean(page);
    await page.close();
  });
});

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}
