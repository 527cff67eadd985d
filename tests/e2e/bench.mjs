// Browser benchmarks of a release build (the Playwright part of `make bench`): page
// start-up, animation frame times with many messages in flight, memory (idle, after a
// 10,000-schedule sweep, during a long play) and step-back latency. Standalone script,
// not a *.test.mjs: `make test` does not run it.
//
//   node tests/e2e/bench.mjs
//
// Env:
//   BENCH_DIST          built app to serve (default: /tmp/bench-dist)
//   BENCH_OUT           file to write `key=value` results to (default: stdout only)
//   BENCH_PLAY_SECONDS  continuous play for the memory series (default 600)
//   BENCH_LOADS         cold loads for the start-up median (default 10)
//   BENCH_ANIM_QUERY    run for the animation bench (default below)
//   BENCH_STEP_QUERY    run of >= 10,000 events for the step-back bench (default below)
//
// Progress goes to stderr; `RESULT key=value` lines to stdout (and BENCH_OUT).
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, MOUNT_TIMEOUT_MS, VIEWPORT } from "./lib.mjs";
import { serve } from "./server.mjs";

const DIST = resolve(process.env.BENCH_DIST ?? "/tmp/bench-dist");
const OUT = process.env.BENCH_OUT;
const PLAY_SECONDS = Number(process.env.BENCH_PLAY_SECONDS ?? 600);
const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const ANIM_SECONDS = 5;
const SAMPLE_EVERY_S = 30;
// About 500 transmissions on the wire at once (497 in every technique at tick 50;
// `cargo test --release --test bench_native -- --ignored bench_most_in_flight` lists the
// candidates): 500 payments at 100 per 10 ticks, every one duplicated, copies up to 500
// ticks late.
const ANIM_QUERY =
  process.env.BENCH_ANIM_QUERY ??
  "s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100&p.dup=1000&p.dup_delay_max_ticks=500";
// A run whose shown technique has >= 10,000 events: telemetry at its largest load, the
// retry-every-sample technique (12,198 events; the same run as tests/bench_native.rs).
const STEP_QUERY =
  process.env.BENCH_STEP_QUERY ??
  "s=telemetry&seed=1&tech=retry-every-sample&p.sensors=8&p.rate_per_sec=10&p.seconds=30&p.queue_capacity=50";
const STEP_SAMPLES = 20;
const STARTUP_QUERY = process.env.BENCH_STARTUP_QUERY ?? "s=walkthrough";

const log = (...a) => console.error("[bench]", ...a);
if (OUT) writeFileSync(OUT, "");
function result(key, value) {
  const line = `${key}=${String(value).replace(/\n/g, " ")}`;
  console.log(`RESULT ${line}`);
  if (OUT) appendFileSync(OUT, `${line}\n`);
}

const quantile = (xs, q) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const mb = (b) => (b / 1048576).toFixed(2);

/** Installed before any page script: mount time, wasm instance, long tasks. */
function instrument() {
  const b = (window.__bench = { mounted: null, shell: null, wasmStarted: null, longtasks: [] });
  addEventListener("TrunkApplicationStarted", (e) => {
    window.__wasm = e.detail && e.detail.wasm;
    b.wasmStarted = performance.now();
  });
  const mounted = () =>
    document.querySelector("#app-root") && document.querySelector("section.ledgers [data-balance]");
  const mo = new MutationObserver(() => {
    if (b.shell === null && document.querySelector("#app-root section.ledgers")) b.shell = performance.now();
    if (b.mounted === null && mounted()) {
      b.mounted = performance.now();
      mo.disconnect();
    }
  });
  mo.observe(document, { childList: true, subtree: true });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch {
    b.longtasks = null;
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, "--enable-precise-memory-info"],
});
if (!existsSync(join(DIST, "index.html"))) throw new Error(`no ${DIST}/index.html`);
const server = await serve({ root: DIST });
log(`serving ${DIST} at ${server.url}; chromium ${browser.version()}`);

/** A page in a fresh context (cold: no cache, no compiled-code cache shared). */
async function open(query, { waitFor = "mounted" } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: "block" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  await page.addInitScript(instrument);
  await page.goto(`${server.url}${query ? `?${query}` : ""}`, { waitUntil: "load" });
  await page.waitForFunction((k) => window.__bench && window.__bench[k] !== null, waitFor, {
    timeout: MOUNT_TIMEOUT_MS,
    polling: 50,
  });
  page.closeAll = () => context.close();
  return page;
}

/** JS heap (after a forced GC, via CDP) and the wasm instance's linear memory. */
async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage").catch(() => {});
  await cdp.detach().catch(() => {});
  return page.evaluate(() => ({
    js: performance.memory ? performance.memory.usedJSHeapSize : null,
    wasm: window.__wasm && window.__wasm.memory ? window.__wasm.memory.buffer.byteLength : null,
    wasmKind: window.__wasm ? Object.keys(window.__wasm).slice(0, 8).join(",") : "none",
  }));
}

/** Fastest speed preset. */
async function fastest(page) {
  const sel = 'select[data-control="speed"]';
  const values = await page.$$eval(`${sel} option`, (os) => os.map((o) => Number(o.value)));
  const max = Math.max(...values);
  await page.selectOption(sel, String(max));
  return max;
}

/** Keep playing: click play whenever the run stopped (at its end "Replay" restarts it). */
async function keepPlaying(page) {
  await page.evaluate(() => {
    window.__restarts = 0;
    const btn = () => document.querySelector('button[data-action="play"]');
    const b = btn();
    if (b && b.getAttribute("aria-pressed") !== "true") b.click();
    window.__keep = setInterval(() => {
      const b = btn();
      if (b && b.getAttribute("aria-pressed") !== "true" && !b.disabled) {
        window.__restarts++;
        b.click();
      }
    }, 100);
  });
}

try {
  // ---- 3. start-up: median of cold loads --------------------------------------------
  // Mounted = #app-root and a rendered balance in section.ledgers. The home page opens
  // Two Generals, whose ledgers section has no balances, so the mount time is measured on
  // ?s=walkthrough; the home page is measured to its first rendered ledgers section.
  for (const [key, query, waitFor] of [
    ["startup", STARTUP_QUERY, "mounted"],
    ["startup_home", "", "shell"],
  ]) {
    const times = [];
    const fcp = [];
    let wasmKind = "";
    for (let i = 0; i < LOADS; i++) {
      const page = await open(query, { waitFor });
      const r = await page.evaluate(async (k) => {
        for (let n = 0; n < 100 && performance.getEntriesByName("first-contentful-paint").length === 0; n++) {
          await new Promise((ok) => setTimeout(ok, 50));
        }
        const p = performance.getEntriesByName("first-contentful-paint")[0];
        return { at: window.__bench[k], fcp: p ? p.startTime : null };
      }, waitFor);
      if (i === 0) wasmKind = (await memory(page)).wasmKind;
      times.push(r.at);
      if (r.fcp !== null) fcp.push(r.fcp);
      if (page.errors.length) log(`load ${i}: page errors: ${page.errors.join(" | ")}`);
      await page.closeAll();
      log(`${key} load ${i + 1}/${LOADS} (?${query}): ${waitFor} ${r.at.toFixed(1)} ms, FCP ${r.fcp?.toFixed(1)} ms`);
    }
    result(`${key}_query`, query || "(home)");
    result(`${key}_loads`, LOADS);
    result(`${key}_median_ms`, median(times).toFixed(1));
    result(`${key}_min_ms`, Math.min(...times).toFixed(1));
    result(`${key}_max_ms`, Math.max(...times).toFixed(1));
    result(`${key}_fcp_median_ms`, fcp.length ? median(fcp).toFixed(1) : "n/a");
    if (key === "startup") result("wasm_detail_keys", wasmKind);
  }

  // ---- 5a. memory at idle ------------------------------------------------------------
  {
    const page = await open(STARTUP_QUERY);
    await page.waitForTimeout(2000);
    const m = await memory(page);
    result("mem_idle_js", m.js ?? "n/a");
    result("mem_idle_wasm", m.wasm ?? "n/a");
    log(`idle: JS ${mb(m.js)} MB, wasm ${mb(m.wasm)} MB`);

    // ---- 5b. after a 10,000-schedule sweep (the in-app sweep panel) --------------------
    // src/ui/components/sweep.rs: section.sweep with a runs <select> (1,000 / 10,000 /
    // 100,000; default 10,000) and button[data-action="sweep"] ("Search"); while it runs the
    // button is button[data-action="sweep-cancel"]; when done it shows a
    // "N runs, M simulated events." line and ul.sweep-list (one row per technique).
    const run = page.locator('section.sweep button[data-action="sweep"]');
    if ((await run.count()) === 0) {
      result("sweep_app", 'n/a (no section.sweep button[data-action="sweep"] on the page)');
    } else {
      await page.selectOption("section.sweep select", "10000");
      const scenario = await page.evaluate(() => new URLSearchParams(location.search).get("s") ?? "(home)");
      const t0 = Date.now();
      await run.first().click();
      const done = await page
        .waitForFunction(
          () => {
            const s = document.querySelector("section.sweep");
            if (!s) return "gone";
            if (s.querySelector('[role="alert"]')) return "failed";
            return s.querySelector("ul.sweep-list") ? "done" : false;
          },
          null,
          { timeout: 300_000, polling: 10 },
        )
        .then((h) => h.jsonValue());
      const wall = (Date.now() - t0) / 1000;
      if (done !== "done") {
        const why = await page.locator("section.sweep").first().innerText().catch(() => done);
        result("sweep_app", `n/a (sweep ${done}: ${why.replace(/\s+/g, " ").slice(0, 120)})`);
      } else {
        const text = await page.locator("section.sweep ul.sweep-list").first().evaluate((ul) => {
          const meta = ul.previousElementSibling ? ul.previousElementSibling.textContent.trim() : "";
          const broke = [...ul.querySelectorAll("li.sweep-row")].filter((li) => !li.classList.contains("good")).length;
          return `${meta} ${broke} of ${ul.querySelectorAll("li.sweep-row").length} techniques broke`;
        });
        if (!/^10,?000 runs/.test(text)) log(`sweep: unexpected summary "${text}"`);
        const m2 = await memory(page);
        result("sweep_app_secs", wall.toFixed(2));
        result("sweep_app_text", `${text} [scenario ${scenario}]`);
        result("mem_sweep_js", m2.js ?? "n/a");
        result("mem_sweep_wasm", m2.wasm ?? "n/a");
        log(`sweep: ${wall.toFixed(2)} s wall (${text}); JS ${mb(m2.js)} MB, wasm ${mb(m2.wasm)} MB`);
      }
    }
    if (page.errors.length) log(`idle/sweep page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }

  // ---- 4. animation with many messages in flight ----------------------------------------
  // At the fastest speed (the run is replayed whenever it ends), then at the app's own
  // default speed for the run (about 8 s for the whole run: the crowd stays on screen).
  // Baseline: the same page, paused (what this headless Chromium on this machine gives).
  for (const [key, mode] of [["anim", "fast"], ["anim_default", "default"], ["anim_idle", "paused"]]) {
    const page = await open(ANIM_QUERY);
    const speed =
      mode === "fast" ? await fastest(page) : Number(await page.inputValue('select[data-control="speed"]'));
    await page.evaluate(() => window.__bench.longtasks && (window.__bench.longtasks.length = 0));
    if (mode === "paused") await page.evaluate(() => (window.__restarts = 0));
    else await keepPlaying(page);
    const r = await page.evaluate(
      (secs) =>
        new Promise((done) => {
          const deltas = [];
          const flights = [];
          let last = null;
          let t0 = null;
          let n = 0;
          const frame = (t) => {
            if (last !== null) deltas.push(t - last);
            if (t0 === null) t0 = t;
            last = t;
            if (n++ % 5 === 0) flights.push(document.querySelectorAll("g.token[data-net]").length);
            if (t - t0 < secs * 1000) requestAnimationFrame(frame);
            else done({ deltas, flights, longtasks: window.__bench.longtasks, restarts: window.__restarts });
          };
          requestAnimationFrame(frame);
        }),
      ANIM_SECONDS,
    );
    await page.evaluate(() => clearInterval(window.__keep));
    const d = r.deltas;
    result(`${key}_query`, ANIM_QUERY);
    result(`${key}_speed`, speed);
    result(`${key}_frames`, d.length);
    result(`${key}_p50_ms`, quantile(d, 0.5).toFixed(1));
    result(`${key}_p95_ms`, quantile(d, 0.95).toFixed(1));
    result(`${key}_max_ms`, Math.max(...d).toFixed(1));
    result(`${key}_flights_max`, Math.max(...r.flights));
    result(`${key}_flights_median`, median(r.flights));
    result(`${key}_longtasks`, r.longtasks === null ? "n/a (no longtask observer)" : r.longtasks.length);
    result(`${key}_longtask_max_ms`, r.longtasks?.length ? Math.max(...r.longtasks).toFixed(0) : 0);
    result(`${key}_restarts`, r.restarts);
    log(
      `animation ${mode} at ${speed} ticks/s: ${d.length} frames, p50 ${quantile(d, 0.5).toFixed(1)} p95 ` +
        `${quantile(d, 0.95).toFixed(1)} max ${Math.max(...d).toFixed(1)} ms; tokens max ${Math.max(...r.flights)}, ` +
        `median ${median(r.flights)}; long tasks ${r.longtasks?.length}; restarts ${r.restarts}`,
    );
    if (page.errors.length) log(`animation page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }

  // ---- 6. step-back latency on a >= 10,000-event run ---------------------------------
  {
    const probe = await open(STEP_QUERY);
    const end = Number(await probe.getAttribute("input.scrubber", "max"));
    await probe.closeAll();
    // Deterministic "random" ticks in the middle 90% of the run.
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const ticks = Array.from({ length: STEP_SAMPLES }, () => Math.max(1, Math.floor(end * (0.05 + 0.9 * rnd()))));
    const page = await open(`${STEP_QUERY}&t=${ticks[0]}`);
    const lat = [];
    const paint = [];
    for (let i = 0; i < ticks.length; i++) {
      if (i > 0) {
        // Seek with the scrubber, as a learner would, then step back from there.
        await page.$eval(
          "input.scrubber",
          (el, t) => {
            el.value = String(t);
            el.dispatchEvent(new Event("input", { bubbles: true }));
          },
          ticks[i],
        );
        await page.waitForSelector(`output.playhead[data-tick="${ticks[i]}"]`, { timeout: 10_000 });
      }
      await page.evaluate(() => {
        document.activeElement && document.activeElement.blur && document.activeElement.blur();
        const out = document.querySelector("output.playhead");
        const from = out.getAttribute("data-tick");
        window.__step = new Promise((done) => {
          let down = null;
          const onDown = () => (down = performance.now());
          addEventListener("keydown", onDown, { capture: true, once: true });
          const mo = new MutationObserver(() => {
            if (out.getAttribute("data-tick") !== from) {
              const changed = performance.now();
              mo.disconnect();
              requestAnimationFrame(() => {
                const frame = performance.now();
                setTimeout(() => done({ from, to: out.getAttribute("data-tick"), dom: changed - down, frame: frame - down }));
              });
            }
          });
          mo.observe(out, { attributes: true, attributeFilter: ["data-tick"] });
        });
      });
      await page.keyboard.press("ArrowLeft");
      const r = await page.evaluate(() => window.__step);
      if (Number(r.to) !== Number(r.from) - 1) log(`step-back ${r.from} -> ${r.to}?`);
      lat.push(r.dom);
      paint.push(r.frame);
    }
    result("step_query", STEP_QUERY);
    result("step_end_tick", end);
    result("step_samples", lat.length);
    result("step_median_ms", median(lat).toFixed(2));
    result("step_p95_ms", quantile(lat, 0.95).toFixed(2));
    result("step_max_ms", Math.max(...lat).toFixed(2));
    result("step_frame_median_ms", median(paint).toFixed(2));
    log(`step-back (keydown -> data-tick): median ${median(lat).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms; ` +
      `to next frame median ${median(paint).toFixed(2)} ms`);
    if (page.errors.length) log(`step page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }

  // ---- 5c. memory during continuous play at the fastest speed -------------------------
  {
    const page = await open(ANIM_QUERY);
    await fastest(page);
    const m0 = await memory(page);
    const series = [`0s:${mb(m0.js)}+${mb(m0.wasm)}`];
    const samples = [{ t: 0, ...m0 }];
    await keepPlaying(page);
    const t0 = Date.now();
    while ((Date.now() - t0) / 1000 < PLAY_SECONDS) {
      const left = PLAY_SECONDS * 1000 - (Date.now() - t0);
      await page.waitForTimeout(Math.min(SAMPLE_EVERY_S * 1000, left));
      const t = Math.round((Date.now() - t0) / 1000);
      const m = await memory(page);
      samples.push({ t, ...m });
      series.push(`${t}s:${mb(m.js)}+${mb(m.wasm)}`);
      log(`play ${t}s: JS ${mb(m.js)} MB, wasm ${mb(m.wasm)} MB`);
    }
    const restarts = await page.evaluate(() => {
      clearInterval(window.__keep);
      return window.__restarts;
    });
    // Growth: from the first sample taken while playing (t = 0 if there is only one).
    const first = samples.length > 2 ? samples[1] : samples[0];
    const last = samples[samples.length - 1];
    const total = (s) => (s.js ?? 0) + (s.wasm ?? 0);
    const growth = total(last) - total(first);
    result("play_seconds", PLAY_SECONDS);
    result("play_restarts", restarts);
    result("mem_play_series", series.join(" "));
    result("mem_play_end_js", last.js ?? "n/a");
    result("mem_play_end_wasm", last.wasm ?? "n/a");
    result("mem_play_max_total", Math.max(...samples.map(total)));
    result("mem_play_growth", growth);
    if (page.errors.length) log(`play page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }
} finally {
  await browser.close().catch(() => {});
  await server.close();
}
