// Sharing: links that reopen an exact moment, malformed links that still give a working
// page, embeds in iframes (320 and 800 px, the example course page, a locked step range),
// Copy link / Copy embed code, run files (export → import, tampered, not JSON, too big,
// dropped on the page), and the panic overlay.
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertClean, balances, newPage, screenshot, settle, start, tick, waitForApp } from "./lib.mjs";

const env = await start();
after(() => env.close());

const notices = (frame) => frame.$$eval(".notice .notice-text", (els) => els.map((e) => e.textContent));
const grantClipboard = (page) =>
  page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.server.url.replace(/\/$/, "") });

/** Walkthrough at tick 2, txn-1 dropped by hand, then three ticks on. */
async function droppedMidRun() {
  const page = await env.open("?s=walkthrough&t=2");
  await waitForApp(page);
  await page.waitForSelector("[data-net]");
  await page.click("[data-net]");
  await page.click('[data-fault="drop"]');
  await page.waitForFunction(() => location.search.includes("f="));
  for (let i = 0; i < 3; i++) await page.click('button[data-action="step-forward"]');
  await page.waitForFunction(() => location.search.includes("t=5"));
  return page;
}

test("a copied mid-run link with a hand-made fault reopens exactly that moment", async () => {
  const page = await droppedMidRun();
  await grantClipboard(page);
  const want = { tick: await tick(page), b: await balances(page) };
  assert.equal(want.tick, 5);
  await page.click('button[data-action="copy-link"]');
  await page.waitForSelector(".copied.good");
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, await page.inputValue('[data-share="link"]'));
  // The link ends with its run's fingerprint (c=, links.test.mjs).
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/\?s=walkthrough&f=L0\.1\.0&t=5&c=[0-9a-f]{8}\.(?:[0-9a-f]{2})+$/);
  assert.ok(link.length < 2000);
  assertClean(page);
  await page.close();

  const again = await env.open(link.replace(env.server.url, ""));
  await waitForApp(again);
  await again.waitForSelector('[data-technique="naive"][data-merchant="m-A"][data-balance]');
  assert.equal(await tick(again), want.tick);
  assert.deepEqual(await balances(again), want.b);
  assert.equal(await again.locator('button[data-action="remove-fault"]').count(), 1, "the hand-made fault is listed");
  assertClean(again);
  await again.close();
});

// Each malformed link: what it breaks, and a word the on-screen message must contain.
const MALFORMED = [
  ["?s=no-such-scenario", "unknown scenario"],
  ["?s=walkthrough&seed=banana", "seed 'banana'"],
  ["?s=walkthrough&p.dup=5000", "not allowed"],
  ["?s=walkthrough&p.colour=blue", "no parameter 'colour'"],
  ["?s=walkthrough&f=Q1.2,L0.x", "malformed"],
  ["?s=walkthrough&t=-4", "not a tick number"],
  ["?s=walkthrough&v=3d", "view '3d'"],
  ["?s=walkthrough&from=9&to=2", "backwards"],
  ["?s=walkthrough&tech=quantum", "no technique 'quantum'"],
  ["?s=walkthrough&seed=1" + "&p.dup=1".repeat(1200), "longer than 8192"],
  ["?s=walkthro", "unknown scenario 'walkthro'"],
  ["?s=walkthrough&seed=%E0%A4%A&t=%", "seed"],
];

for (const [query, word] of MALFORMED) {
  test(`malformed link ${query.slice(0, 60)}: a message, and a working page`, async () => {
    const page = await env.open(query);
    await waitForApp(page);
    await page.waitForSelector(".notice.warn");
    const texts = await notices(page);
    assert.ok(texts.some((t) => t.includes(word)), `no notice mentions ${JSON.stringify(word)}: ${JSON.stringify(texts)}`);
    // The page still works: the stage has a run and playback moves.
    await page.click('button[data-action="reset"]');
    const t0 = await tick(page);
    await page.click('button[data-action="step-forward"]');
    assert.equal(await tick(page), t0 + 1);
    assertClean(page);
    await page.close();
  });
}

/** A host page holding one iframe of `src` at `width` px; returns [page, frame]. */
async function inIframe(src, width, height = 700) {
  const host = await newPage(env.browser, { viewport: { width: width + 40, height: height + 40 } });
  await host.setContent(
    `<!doctype html><body style="margin:20px"><iframe src="${env.url(src)}" style="width:${width}px;height:${height}px;border:1px solid #999"></iframe></body>`,
  );
  const frame = host.frames().find((f) => f !== host.mainFrame());
  await frame.waitForSelector("#app-root", { timeout: 30_000 });
  return [host, frame];
}

for (const width of [320, 800]) {
  test(`embed fits an iframe ${width} px wide: stage, playback and ledgers only`, async () => {
    const [host, frame] = await inIframe("?s=walkthrough&embed=1", width);
    await frame.waitForSelector('[data-technique="naive"][data-merchant="m-B"][data-balance]');
    for (const sel of ["main.stage svg", ".playback", "section.ledgers", ".embed-bar a.embed-open"]) {
      assert.equal(await frame.locator(sel).count() > 0, true, `embed lacks ${sel}`);
    }
    for (const sel of ["nav.scenario-nav", "aside.side", "header.app-header"]) {
      assert.equal(await frame.locator(sel).count(), 0, `embed shows ${sel}`);
    }
    const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the embed scrolls sideways by ${overflow} px at ${width} px`);
    const b = await balances(frame);
    assert.equal(b["naive/m-B"], 4000);
    assert.equal(b["truth/m-B"], 2000);
    const open = await frame.getAttribute(".embed-open", "href");
    assert.ok(!open.includes("embed=1"), open);
    await settle(host);
    await screenshot(host, `embed-${width}`);
    assertClean(host);
    await host.close();
  });
}

test("an embed with autoplay and a locked step range stays inside it", async () => {
  const page = await env.open("?s=walkthrough&embed=1&from=2&to=6&autoplay=1");
  await waitForApp(page).catch(() => {}); // embed has no nav/header: wait for the root only
  await page.waitForSelector("#app-root .playback");
  await page.waitForFunction(() => document.querySelector("[data-tick]")?.dataset.tick === "6", null, { timeout: 20_000 });
  assert.equal(await page.getAttribute(".range-lock", "data-range"), "2-6");
  assert.equal(await page.locator('[data-action="unlock"]').count(), 0, "no unlock on a slide");
  assert.equal(await page.isDisabled('button[data-action="step-forward"]'), true);
  await page.click('button[data-action="reset"]');
  assert.equal(await tick(page), 2);
  await page.keyboard.press("End");
  assert.equal(await tick(page), 6);
  assert.equal(await page.getAttribute(".scrubber", "min"), "2");
  assert.equal(await page.getAttribute(".scrubber", "max"), "6");
  assertClean(page);
  await page.close();
});

test("Copy embed code gives a snippet that opens the same run, locked to the chosen ticks", async () => {
  const page = await env.open("?s=dedup-window&t=40&tech=dedup-ttl");
  await waitForApp(page);
  await grantClipboard(page);
  await page.fill('[data-control="embed-from"]', "30");
  await page.fill('[data-control="embed-to"]', "90");
  await page.click('button[data-action="copy-embed"]');
  await page.waitForSelector(".copied.good");
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(snippet, await page.inputValue('[data-share="embed"]'));
  assert.match(snippet, /^<iframe src="[^"]+" title="Exactly-Once Playground: [^"]+" width="100%" height="560"/);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  for (const part of ["s=dedup-window", "t=40", "tech=dedup-ttl", "embed=1", "from=30", "to=90"]) {
    assert.ok(src.includes(part), `${part} missing from ${src}`);
  }
  // Backwards ranges are refused on screen, and left out of the snippet.
  await page.fill('[data-control="embed-from"]', "95");
  await page.waitForSelector(".warn-text");
  assert.ok(!(await page.inputValue('[data-share="embed"]')).includes("from="));
  assertClean(page);
  await page.close();

  const [host, frame] = await inIframe(src.replace(env.server.url, ""), 800);
  assert.equal(await frame.getAttribute(".range-lock", "data-range"), "30-90");
  assert.equal(await tick(frame), 40);
  assert.equal(await frame.getAttribute('[role="tab"][aria-selected="true"]', "data-tech"), "dedup-ttl");
  assertClean(host);
  await host.close();
});

test("the example course page embeds three scenarios, one a row with its text beside it", async () => {
  const page = await env.open("static/course.html", { viewport: { width: 1400, height: 900 } });
  assert.match(await page.title(), /example course page/);
  for (let i = 0; i < 3; i++) {
    await page.evaluate((i) => document.querySelectorAll("[data-eop], eo-playground")[i].scrollIntoView(), i);
    await page.waitForFunction((n) => document.querySelectorAll("iframe").length >= n, i + 1);
  }
  const frames = page.frames().filter((f) => f !== page.mainFrame());
  assert.equal(frames.length, 3);
  for (const f of frames) {
    await f.waitForSelector("#app-root.embed main.stage", { timeout: 30_000 });
  }
  const ids = await Promise.all(frames.map((f) => f.evaluate(() => new URLSearchParams(location.search).get("s"))));
  assert.deepEqual(ids.sort(), ["dedup-window", "two-generals", "walkthrough"]);
  // One a row (each wide enough for its ledger table; host-gaps.test.mjs checks no table is
  // clipped), the caption beside it.
  const boxes = await page.$$eval("iframe", (fs) => fs.map((f) => f.getBoundingClientRect().toJSON()));
  assert.equal(new Set(boxes.map((b) => Math.round(b.left))).size, 1, `one column: ${JSON.stringify(boxes)}`);
  assert.ok(boxes.every((b) => b.width >= 560), `each panel at least 560 px wide: ${boxes.map((b) => b.width)}`);
  const captions = await page.$$eval("figcaption", (cs) => cs.map((c) => Math.round(c.getBoundingClientRect().left)));
  assert.ok(captions.every((l) => l > boxes[0].right), `captions beside the panels: ${captions}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await settle(page);
  await screenshot(page, "course-page");
  assertClean(page);
  await page.close();
});

test("export then import gives the same run, the same ledgers and a matching checksum", async () => {
  const page = await droppedMidRun();
  const want = { tick: await tick(page), b: await balances(page), q: new URL(page.url()).search };
  const seed = await page.inputValue('[data-control="seed"]');
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('button[data-action="export"]')]);
  assert.equal(download.suggestedFilename(), `walkthrough-seed-${seed}-tick-5.eop.json`);
  const dir = mkdtempSync(join(tmpdir(), "eop-"));
  const file = join(dir, "run.json");
  await download.saveAs(file);
  const doc = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(doc.format, "exactly-once-playground/run");
  assert.equal(doc.scenario, "walkthrough");
  assert.deepEqual(doc.faults, ["L0.1.0"]);
  assert.equal(doc.tick, 5);
  assert.equal(doc.seed, seed);
  assert.match(doc.checksum, /^[0-9a-f]{16}$/);
  assertClean(page);
  await page.close();

  // Somewhere else, then import by the file picker.
  const other = await env.open("?s=two-generals");
  await waitForApp(other);
  await other.setInputFiles('[data-control="import"]', file);
  await other.waitForFunction(() => new URLSearchParams(location.search).get("s") === "walkthrough");
  await other.waitForSelector('[data-technique="naive"][data-merchant="m-A"][data-balance]');
  assert.equal(await tick(other), want.tick);
  assert.deepEqual(await balances(other), want.b);
  assert.equal(new URL(other.url()).search, want.q);
  assert.ok((await notices(other)).some((t) => t.includes(`checksum ${doc.checksum} matches`)), JSON.stringify(await notices(other)));

  // A tampered checksum is reported, not hidden.
  const tampered = join(dir, "edited.json");
  writeFileSync(tampered, JSON.stringify({ ...doc, checksum: "00000000000000ff" }));
  await other.setInputFiles('[data-control="import"]', tampered);
  await other.waitForFunction(() => [...document.querySelectorAll(".notice.warn")].some((n) => n.textContent.includes("checksums differ")));

  // Not JSON, and too big: a message, and nothing on screen changes.
  const before = { q: new URL(other.url()).search, b: await balances(other) };
  const junk = join(dir, "notes.txt");
  writeFileSync(junk, "these are my lecture notes, not a run");
  await other.setInputFiles('[data-control="import"]', junk);
  await other.waitForFunction(() => [...document.querySelectorAll(".notice.warn")].some((n) => n.textContent.includes("not valid JSON")));
  const big = join(dir, "big.json");
  writeFileSync(big, JSON.stringify({ pad: "x".repeat(400 * 1024) }));
  await other.setInputFiles('[data-control="import"]', big);
  await other.waitForFunction(() => [...document.querySelectorAll(".notice.warn")].some((n) => n.textContent.includes("KB")));
  assert.equal(new URL(other.url()).search, before.q);
  assert.deepEqual(await balances(other), before.b);
  assertClean(other);
  await other.close();

  // Dropped on the page, it imports the same way.
  const third = await env.open("?s=telemetry");
  await waitForApp(third);
  await third.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], "dropped.json", { type: "application/json" }));
    const root = document.getElementById("app-root");
    root.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    root.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, readFileSync(file, "utf8"));
  await third.waitForFunction(() => new URLSearchParams(location.search).get("s") === "walkthrough");
  await third.waitForSelector('[data-technique="naive"][data-merchant="m-A"][data-balance]');
  assert.deepEqual(await balances(third), want.b);
  assertClean(third);
  await third.close();
});

test("browser back and forward move between scenarios", async () => {
  const page = await env.open("?s=walkthrough");
  await waitForApp(page);
  await page.click('nav.scenario-nav a[data-scenario="dedup-window"]');
  await page.waitForFunction(() => location.search.startsWith("?s=dedup-window"));
  await page.goBack();
  await page.waitForFunction(() => location.search.startsWith("?s=walkthrough"));
  await page.waitForSelector('nav.scenario-nav a[data-scenario="walkthrough"][aria-current="page"]');
  await page.goForward();
  await page.waitForFunction(() => location.search.startsWith("?s=dedup-window"));
  await page.waitForSelector('nav.scenario-nav a[data-scenario="dedup-window"][aria-current="page"]');
  assertClean(page);
  await page.close();
});

test("a panic shows what broke, the seed, and a link to reproduce", async () => {
  const page = await env.open("?s=walkthrough&seed=42&t=3&debug=panic");
  await page.waitForSelector("#panic", { timeout: 30_000 });
  const text = await page.textContent("#panic");
  assert.match(text, /Something broke/);
  assert.match(text, /seed 42/);
  assert.match(text, /tick 3/);
  assert.match(text, /deliberate panic/);
  const link = await page.inputValue("#panic .panic-link");
  assert.ok(link.includes("s=walkthrough") && link.includes("seed=42") && !link.includes("debug=panic"), link);
  await page.click('#panic [data-action="copy-panic-link"]');
  assert.notEqual((await page.textContent("#panic .panic-status")).trim(), "");
  // The only problems are the panic itself (its console message and the abort).
  const unexpected = page.problems.filter((p) => !/panic|unreachable|RuntimeError/i.test(p));
  assert.deepEqual(unexpected, []);
  assert.ok(page.problems.length > 0, "the panic was logged");
  await screenshot(page, "panic");
  await page.close();
});
