// Browser benchmarks of a release build (the Playwright part of `make bench`): page
// start-up against a minimal Yew baseline app loaded in the same run (mount, FCP, and a
// breakdown of where start-up goes, from resource timing, a wrapped WebAssembly loader
// and a Chrome trace), animation frame times for every scenario at its defaults and for a
// run with ~500 messages in flight, memory (idle, after a 10,000-schedule sweep, during a
// long play) and step-back latency. Standalone script, not a *.test.mjs: `make test` does
// not run it.
//
//   node bench/browser.mjs
//
// Env:
//   BENCH_DIST           built app to serve (default: /tmp/bench-dist)
//   BENCH_BASELINE_DIST  built baseline (bench/baseline/; default /tmp/bench-baseline-dist);
//                        missing: the baseline column says n/a
//   BENCH_OUT            file to write `key=value` results to (default: stdout only)
//   BENCH_QUICK=1        fewer loads and samples, 2 s of frames per run, no long play
//   BENCH_PLAY_SECONDS   continuous play for the memory series (default 600; quick: 0 = skip)
//   BENCH_LOADS          cold loads per app for the start-up medians (default 10; quick 5)
//   BENCH_ANIM_QUERY     the many-in-flight run for the animation bench (default below)
//   BENCH_STEP_QUERY     run of >= 10,000 events for the step-back bench (default below)
//   BENCH_SECTIONS       only these sections (e.g. "startup" to compare two builds' start-up:
//                        BENCH_DIST=a BENCH_BASELINE_DIST=b BENCH_SECTIONS=startup)
//   BENCH_PROFILE        one measurement to CPU-profile (100 µs sampling): "step", or
//                        "frames-default" / "frames-fast" (the many-in-flight run); written to
//                        /tmp/bench-<name>.cpuprofile (open in Chrome DevTools; function
//                        names need a build whose wasm keeps its name section)
//
// Progress goes to stderr; `RESULT key=value` lines to stdout (and BENCH_OUT).
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { CHROMIUM, CHROMIUM_ARGS, MOUNT_TIMEOUT_MS, VIEWPORT } from "../tests/e2e/lib.mjs";
import { serve } from "../tests/e2e/server.mjs";
// Playwright is tests/e2e's npm package.
const { chromium } = createRequire(new URL("../tests/e2e/package.json", import.meta.url))("playwright-core");

const QUICK = process.env.BENCH_QUICK === "1";
const DIST = resolve(process.env.BENCH_DIST ?? "/tmp/bench-dist");
const BASELINE_DIST = resolve(process.env.BENCH_BASELINE_DIST ?? "/tmp/bench-baseline-dist");
const OUT = process.env.BENCH_OUT;
const PLAY_SECONDS = Number(process.env.BENCH_PLAY_SECONDS ?? (QUICK ? 0 : 600));
const LOADS = Number(process.env.BENCH_LOADS ?? (QUICK ? 5 : 10));
const TRACED_LOADS = QUICK ? 1 : 3;
const ANIM_SECONDS = QUICK ? 2 : 5;
const SAMPLE_EVERY_S = 30;
// About 500 transmissions on the wire at once (497 in every technique at tick 50;
// `cargo test --release --test bench_native -- --ignored bench_most_in_flight` lists the
// candidates): 500 payments at 100 per 10 ticks, every one duplicated, copies up to 500
// ticks late.
const ANIM_QUERY =
  process.env.BENCH_ANIM_QUERY ??
  "s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100&p.dup=1000&p.dup_delay_max_ticks=500";
// A run whose shown technique has >= 10,000 events: telemetry at its largest load, the
// retry-every-sample technique (12,198 events; the same run as bench/bench_native.rs).
const STEP_QUERY =
  process.env.BENCH_STEP_QUERY ??
  "s=telemetry&seed=1&tech=retry-every-sample&p.sensors=8&p.rate_per_sec=10&p.seconds=30&p.queue_capacity=50";
// 20 in quick mode too: with 10, p95 is the largest sample, i.e. the first step ever taken.
const STEP_SAMPLES = 20;
const STARTUP_QUERY = process.env.BENCH_STARTUP_QUERY ?? "s=walkthrough";
// The handler the workbench row checks: six steps, every schedule with up to 2 faults.
const WORKBENCH_QUERY =
  process.env.BENCH_WORKBENCH_QUERY ??
  "workbench=1&h=begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset&k=2";
const WORKBENCH_CHECKS = QUICK ? 3 : 7;
// Which sections run (comma-separated; default all): startup, memory, workbench, frames, step, play.
const SECTIONS = (process.env.BENCH_SECTIONS ?? "startup,memory,workbench,frames,step,play").split(",");
const want = (s) => SECTIONS.includes(s);
/**
 * What "mounted" means per app: ours, every region in the page (the root's `data-mounted`:
 * it mounts region by region, src/ui/app/mount.rs) with a balance in the ledgers; the
 * baseline's list.
 */
const OURS = { name: "ours", mounted: "#app-root[data-mounted] section.ledgers [data-balance]", shell: "#app-root[data-mounted] section.ledgers" };
// BENCH_BASELINE_IS_APP=1: the "baseline" dist is another build of this app (to compare a
// change's start-up against the current one), loaded with the same query and selectors.
const BASELINE_IS_APP = process.env.BENCH_BASELINE_IS_APP === "1";
const BASELINE = BASELINE_IS_APP
  ? { ...OURS, name: "baseline" }
  : { name: "baseline", mounted: "#app-root ul.items li[data-item]", shell: "#app-root" };

const t0 = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
const PROFILE = process.env.BENCH_PROFILE ?? "";

/** `run()`, CPU-profiled into /tmp/bench-<name>.cpuprofile when BENCH_PROFILE names it. */
async function profiled(page, name, run) {
  if (PROFILE !== name) return run();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  try {
    return await run();
  } finally {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(`/tmp/bench-${name}.cpuprofile`, JSON.stringify(profile));
    log(`profile -> /tmp/bench-${name}.cpuprofile`);
  }
}
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
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const mb = (b) => (b / 1048576).toFixed(2);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

/**
 * Installed before any page script: mount time, wasm instance, long tasks, and the wasm
 * loader's phases. `WebAssembly.compileStreaming` and `instantiate` (our loader) and
 * `instantiateStreaming` (the baseline's) get a timestamp after each step, and the
 * instance's `__wbindgen_start` (the Rust `main`) is wrapped to time it; if the wasm is
 * never compiled streaming (wrong MIME type, old glue) `wasm.streaming` stays false.
 */
function instrument({ mounted, shell }) {
  const b = (window.__bench = { mounted: null, shell: null, wasmStarted: null, longtasks: [], wasm: { streaming: false } });
  const w = b.wasm;
  const WA = WebAssembly;
  const compileStreaming = WA.compileStreaming;
  const instantiate = WA.instantiate;
  // The instance, with `__wbindgen_start` (the Rust `main`) timed.
  const timed = (module, instance) => {
    w.instantiated = performance.now();
    const start = instance.exports.__wbindgen_start;
    if (typeof start !== "function") return { module, instance };
    const exports = Object.assign({}, instance.exports);
    exports.__wbindgen_start = (...a) => {
      w.mainStart = performance.now();
      try {
        return start(...a);
      } finally {
        w.mainEnd = performance.now();
      }
    };
    return { module, instance: { exports } };
  };
  if (typeof WA.instantiateStreaming === "function" && typeof compileStreaming === "function") {
    // Ours: the loader (Trunk.toml) compiles the wasm itself, streaming, and hands the
    // module to the glue, which instantiates it (the glue passes on an object that is not an
    // Instance as its own `{ instance, module }`).
    WA.compileStreaming = async (source) => {
      w.streaming = true;
      w.called = performance.now();
      const module = await compileStreaming.call(WA, source);
      w.compiled = performance.now();
      return module;
    };
    WA.instantiate = async (what, imports) =>
      what instanceof WA.Module ? timed(what, await instantiate.call(WA, what, imports)) : instantiate.call(WA, what, imports);
    // The baseline: trunk's default loader, through the glue's instantiateStreaming.
    WA.instantiateStreaming = async (source, imports) => {
      w.streaming = true;
      w.called = performance.now();
      const module = await compileStreaming.call(WA, source);
      w.compiled = performance.now();
      return timed(module, await instantiate.call(WA, module, imports));
    };
  }
  addEventListener("TrunkApplicationStarted", (e) => {
    window.__wasm = e.detail && e.detail.wasm;
    b.wasmStarted = performance.now();
  });
  const mo = new MutationObserver(() => {
    if (b.shell === null && document.querySelector(shell)) b.shell = performance.now();
    if (b.mounted === null && document.querySelector(mounted)) {
      b.mounted = performance.now();
      performance.mark("bench-mounted");
      mo.disconnect();
    }
  });
  // Attributes too: ours marks its root `data-mounted` when its last region is in.
  mo.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-mounted"] });
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
const baseServer = existsSync(join(BASELINE_DIST, "index.html")) ? await serve({ root: BASELINE_DIST }) : null;
log(`serving ${DIST} at ${server.url}; baseline ${baseServer ? `${BASELINE_DIST} at ${baseServer.url}` : "missing"}; chromium ${browser.version()}`);
result("quick", QUICK ? 1 : 0);

/** A page in a fresh context (cold: no cache, no compiled-code cache shared). */
async function open(query, { waitFor = "mounted", app = OURS, srv = server } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: "block" });
  const page = await context.newPage();
  page.errors = [];
  page.warnings = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(m.text());
    if (m.type() === "warning") page.warnings.push(m.text());
  });
  await page.addInitScript(instrument, { mounted: app.mounted, shell: app.shell });
  page.closeAll = () => context.close();
  page.ready = async () => {
    await page.goto(`${srv.url}${query ? `?${query}` : ""}`, { waitUntil: "load" });
    await page.waitForFunction((k) => window.__bench && window.__bench[k] !== null, waitFor, {
      timeout: MOUNT_TIMEOUT_MS,
      polling: 50,
    });
  };
  if (waitFor !== "none") await page.ready();
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

/** Frame deltas, in-flight tokens, long tasks and restarts over `secs` of requestAnimationFrame. */
async function sampleFrames(page, secs) {
  await page.evaluate(() => window.__bench.longtasks && (window.__bench.longtasks.length = 0));
  return page.evaluate(
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
          if (n++ % 5 === 0) flights.push(
            Number(document.querySelector("svg.stage-svg[data-flights]")?.dataset.flights ??
              document.querySelectorAll("g.token[data-net]").length),
          );
          if (t - t0 < secs * 1000) requestAnimationFrame(frame);
          else done({ deltas, flights, longtasks: window.__bench.longtasks, restarts: window.__restarts ?? 0 });
        };
        requestAnimationFrame(frame);
      }),
    secs,
  );
}

/**
 * Frames of an open page: `mode` "default" plays at the run's own default speed, "fast" at
 * the fastest preset, "paused" does not play (what this machine's headless Chromium gives
 * an idle page). The run is replayed whenever it ends; playing stops afterwards.
 */
async function framesOn(page, mode) {
  let speed = "-";
  if (mode !== "paused") {
    const sel = 'select[data-control="speed"]';
    if ((await page.locator(sel).count()) === 0 || (await page.locator('button[data-action="play"]').count()) === 0) {
      return { error: "no speed select or play button" };
    }
    speed = mode === "fast" ? await fastest(page) : Number(await page.inputValue(sel));
    await keepPlaying(page);
  }
  const r = await sampleFrames(page, ANIM_SECONDS);
  await page.evaluate(() => {
    clearInterval(window.__keep);
    const b = document.querySelector('button[data-action="play"]');
    if (b && b.getAttribute("aria-pressed") === "true") b.click();
  });
  return { speed, ...r };
}

/**
 * Wait until what renders after the first paint (side panels, course list, ledger
 * counters) is in the page and two frames have passed: playing and stepping are measured
 * apart from start-up, whose deferred render (up to ~55 ms on the 500-message run) would
 * otherwise land in the first sampled frames or be batched with the first key press.
 */
async function settled(page, app = OURS) {
  if (app === OURS) await page.waitForSelector("aside.side > *", { timeout: MOUNT_TIMEOUT_MS });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(300);
}

/** `framesOn` a freshly loaded page, once it has settled (`profile`: its BENCH_PROFILE name). */
async function playFrames(query, mode, { app = OURS, srv = server, profile = "" } = {}) {
  const page = await open(query, { app, srv, waitFor: "shell" });
  try {
    await settled(page, app);
    const r = await profiled(page, profile, () => framesOn(page, mode));
    if (page.errors.length) log(`${query} ${mode}: page errors: ${page.errors.join(" | ")}`);
    return r;
  } finally {
    await page.closeAll();
  }
}

/** Open scenario `id` in the page as a learner does: its link in the scenario nav. */
async function navigate(page, id) {
  await page.click(`nav.scenario-nav a[data-scenario="${id}"]`);
  await page.waitForFunction((id) => new URLSearchParams(location.search).get("s") === id, id, { timeout: MOUNT_TIMEOUT_MS });
  await page.waitForSelector("output.playhead[data-tick]", { timeout: MOUNT_TIMEOUT_MS }).catch(() => {});
  await page.waitForTimeout(200);
}

/** p50 / p95 / max of frame deltas and the long tasks of a set of `playFrames` results. */
function frameStats(runs) {
  const ok = runs.filter((r) => r.deltas);
  const d = ok.flatMap((r) => r.deltas);
  const lt = ok.flatMap((r) => r.longtasks ?? []);
  return {
    frames: d.length,
    p50: quantile(d, 0.5),
    p95: quantile(d, 0.95),
    max: d.length ? Math.max(...d) : NaN,
    longtasks: lt.length,
    longtaskMax: lt.length ? Math.max(...lt) : 0,
    flightsMax: ok.length ? Math.max(...ok.flatMap((r) => r.flights)) : 0,
  };
}

function putFrames(key, runs) {
  const st = frameStats(runs);
  result(`${key}_frames`, st.frames);
  result(`${key}_p50_ms`, f1(st.p50));
  result(`${key}_p95_ms`, f1(st.p95));
  result(`${key}_max_ms`, f1(st.max));
  result(`${key}_longtasks`, st.longtasks);
  result(`${key}_longtask_max_ms`, st.longtaskMax.toFixed(0));
  result(`${key}_flights_max`, st.flightsMax);
  return st;
}

/** One cold load: mount, FCP and the start-up milestones (ms since navigation start). */
async function startupLoad(app, srv, query, waitFor = "mounted") {
  const page = await open(query, { app, srv, waitFor: "none" });
  const wasmRequests = [];
  page.on("request", (r) => /\.wasm(\?|$)/.test(r.url()) && wasmRequests.push(r.url()));
  await page.ready();
  const r = await page.evaluate(async (k) => {
    for (let n = 0; n < 100 && performance.getEntriesByName("first-contentful-paint").length === 0; n++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
    // The first contentful paint is the shell's (index.html), before the wasm: wait for the mount too.
    for (let n = 0; n < 600 && window.__bench[k] === null; n++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const b = window.__bench;
    const w = b.wasm;
    const nav = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource");
    const span = (re) => {
      const es = res.filter((e) => re.test(new URL(e.name).pathname));
      return es.length
        ? { n: es.length, start: Math.min(...es.map((e) => e.startTime)), end: Math.max(...es.map((e) => e.responseEnd)) }
        : null;
    };
    const p = performance.getEntriesByName("first-contentful-paint")[0];
    return {
      at: b[k],
      mounted: b.mounted,
      fcp: p ? p.startTime : null,
      html: nav ? nav.responseEnd : null,
      dcl: nav ? nav.domContentLoadedEventEnd : null,
      css: span(/\.css$/),
      js: span(/\.m?js$/),
      wasm: span(/\.wasm$/),
      fonts: span(/\.(woff2?|ttf|otf)$/),
      w,
    };
  }, waitFor);
  r.wasmRequests = wasmRequests.length;
  r.mimeWarning = page.warnings.some((t) => /instantiateStreaming/.test(t));
  if (page.errors.length) log(`${app.name} load: page errors: ${page.errors.join(" | ")}`);
  await page.closeAll();
  return r;
}

/** Start-up phases of one load, as [label, ms] (NaN when the app has no such phase). */
function phases(r) {
  const w = r.w ?? {};
  const d = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? b - a : NaN);
  const wasmEnd = r.wasm?.end;
  return [
    ["HTML: navigation → last byte", r.html],
    ["CSS: request → last byte", d(r.css?.start, r.css?.end)],
    ["JS glue: request → last byte", d(r.js?.start, r.js?.end)],
    ["wasm: requested at", r.wasm?.start],
    ["wasm: request → last byte", d(r.wasm?.start, wasmEnd)],
    ["wasm: compileStreaming, call → compiled", d(w.called, w.compiled)],
    ["wasm: compile left after the last byte", d(Math.max(wasmEnd ?? NaN, w.called ?? NaN), w.compiled)],
    ["wasm: instantiate", d(w.compiled, w.instantiated)],
    ["Rust main (sync part: set-up; Yew schedules its first render)", d(w.mainStart, w.mainEnd)],
    ["main returned → mounted (Yew's first render: simulator run + components)", d(w.mainEnd, r.mounted)],
    ["mounted → first contentful paint (style, layout, paint)", d(r.mounted, r.fcp)],
    ["DOMContentLoaded", r.dcl],
    ["mounted", r.mounted],
    ["first contentful paint", r.fcp],
  ];
}

// Main-thread trace events (Chrome's own names) grouped for the start-up breakdown. The
// time of each group is its self time (minus nested events of the set) up to "mounted" or
// the first contentful paint, whichever is later.
const TRACE_GROUPS = [
  ["HTML parse", ["ParseHTML"]],
  ["CSS parse", ["ParseAuthorStyleSheet"]],
  ["script + wasm execution (glue, simulator, Yew)", ["v8.evaluateModule", "EvaluateScript", "FunctionCall", "RunMicrotasks", "v8.callFunction", "TimerFire", "EventDispatch", "FireAnimationFrame", "v8.run"]],
  ["wasm compile, lazy (functions on first call)", ["wasm.CompileLazy"]],
  ["wasm streaming compile + instantiate (main-thread part)", ["wasm.FinishStreaming", "wasm.ValidateFunctionsStreaming", "wasm.OnBytesReceived", "wasm.AsyncInstantiate", "wasm.SyncInstantiate", "wasm.StartStreamingCompilation"]],
  ["style recalc", ["UpdateLayoutTree"]],
  ["layout", ["Layout"]],
  ["paint + pre-paint + layerize", ["PrePaint", "Paint", "Layerize", "UpdateLayer", "Commit"]],
  ["GC", ["MinorGC", "MajorGC"]],
  ["fonts (decode)", ["DecodeFont"]],
];

/** Main-thread time by group until the app mounted and painted, from a Chrome trace of one cold load. */
async function tracedLoad(app, srv, query) {
  const page = await open(query, { app, srv, waitFor: "none" });
  await browser.startTracing(page, {
    categories: [
      "devtools.timeline",
      "disabled-by-default-devtools.timeline",
      "v8",
      "v8.wasm",
      "v8.execute",
      "blink.user_timing",
      "loading",
      "blink",
    ],
  });
  await page.ready();
  await page.waitForTimeout(300);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await page.closeAll();
  const ev = trace.traceEvents ?? trace;
  const mark = ev.find((e) => e.name === "bench-mounted");
  if (!mark) return null;
  const { pid, tid } = mark;
  // navigationStart of the page's main frame: the earliest navigationStart on that thread.
  const navs = ev.filter((e) => e.name === "navigationStart" && e.pid === pid && e.tid === tid).map((e) => e.ts);
  const t0 = navs.length ? Math.min(...navs) : null;
  // Until mounted and painted: the later of the mount mark and the first contentful paint.
  const fcp = ev.find((e) => e.name === "firstContentfulPaint" && e.pid === pid);
  const cut = Math.max(mark.ts, fcp ? fcp.ts : 0);
  const group = new Map();
  for (const [label, names] of TRACE_GROUPS) for (const n of names) group.set(n, label);
  const main = ev
    .filter((e) => e.ph === "X" && e.pid === pid && e.tid === tid && group.has(e.name) && e.ts <= cut && (t0 === null || e.ts >= t0))
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur)
    .map((e) => ({ name: e.name, ts: e.ts, end: e.ts + (e.dur ?? 0), self: e.dur ?? 0 }));
  const stack = [];
  for (const e of main) {
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    if (stack.length) stack[stack.length - 1].self -= Math.min(e.end, stack[stack.length - 1].end) - e.ts;
    stack.push(e);
  }
  const out = new Map(TRACE_GROUPS.map(([l]) => [l, 0]));
  for (const e of main) out.set(group.get(e.name), out.get(group.get(e.name)) + Math.max(0, Math.min(e.end, cut) - e.ts) * (e.self / Math.max(1, e.end - e.ts)) / 1000);
  const busy = [...out.values()].reduce((a, b) => a + b, 0);
  const forced = ev.filter((e) => e.name === "Blink.ForcedStyleAndLayout.UpdateTime" && e.pid === pid && e.tid === tid && e.ts <= cut);
  const offMain = ev
    .filter((e) => e.name === "wasm.ExecuteCompilationUnits" && e.ph === "X" && !(e.pid === pid && e.tid === tid) && e.ts <= cut)
    .reduce((a, e) => a + (e.dur ?? 0), 0);
  const span = t0 === null ? NaN : (cut - t0) / 1000;
  return {
    groups: [...out.entries()],
    busy,
    span,
    forcedMs: forced.reduce((a, e) => a + (e.dur ?? 0), 0) / 1000,
    forcedN: forced.length,
    offMainWasmMs: offMain / 1000,
  };
}

try {
  // ---- 3. start-up: ours and the baseline, alternating cold loads ------------------------
  if (want("startup")) {
    // Mounted = #app-root, every region in, with a rendered balance in section.ledgers (ours; the home page
    // opens Two Generals, whose ledgers have no balances, so mount is measured on
    // ?s=walkthrough) and the baseline's 20 list items.
    const apps = [[OURS, server, STARTUP_QUERY]];
    if (baseServer) apps.push([BASELINE, baseServer, BASELINE_IS_APP ? STARTUP_QUERY : ""]);
    const loads = new Map(apps.map(([a]) => [a.name, []]));
    for (let i = 0; i < LOADS; i++) {
      for (const [app, srv, query] of apps) {
        const r = await startupLoad(app, srv, query);
        loads.get(app.name).push(r);
        log(`${app.name} load ${i + 1}/${LOADS}: mounted ${f1(r.mounted)} ms, FCP ${f1(r.fcp)} ms`);
      }
    }
    for (const [app, , query] of apps) {
      const rs = loads.get(app.name);
      const k = app === OURS ? "startup" : "baseline";
      const times = rs.map((r) => r.mounted);
      result(`${k}_query`, query || "(home)");
      result(`${k}_loads`, rs.length);
      result(`${k}_median_ms`, f1(median(times)));
      result(`${k}_min_ms`, f1(Math.min(...times)));
      result(`${k}_max_ms`, f1(Math.max(...times)));
      result(`${k}_fcp_median_ms`, f1(median(rs.map((r) => r.fcp ?? NaN))));
      result(`${k}_streaming`, rs.every((r) => r.w.streaming) ? "yes" : `no (${rs.filter((r) => !r.w.streaming).length} of ${rs.length} loads)`);
      result(`${k}_mime_warning`, rs.some((r) => r.mimeWarning) ? "yes" : "no");
      result(`${k}_wasm_requests`, Math.max(...rs.map((r) => r.wasmRequests)));
      result(`${k}_font_files`, Math.max(...rs.map((r) => r.fonts?.n ?? 0)));
      phases(rs[0]).forEach(([label], j) => {
        result(`${k}_phase_${String(j).padStart(2, "0")}`, `${label}|${f1(median(rs.map((r) => phases(r)[j][1])))}`);
      });
    }
    // The home page (Two Generals) to its first rendered ledgers section.
    {
      const rs = [];
      for (let i = 0; i < Math.ceil(LOADS / 2); i++) rs.push(await startupLoad(OURS, server, "", "shell"));
      result("startup_home_median_ms", f1(median(rs.map((r) => r.at))));
      result("startup_home_fcp_median_ms", f1(median(rs.map((r) => r.fcp ?? NaN))));
      result("startup_home_loads", rs.length);
    }
    // Main-thread activity until mounted, from Chrome traces (median over TRACED_LOADS).
    for (const [app, srv, query] of apps) {
      const k = app === OURS ? "startup" : "baseline";
      const ts = [];
      for (let i = 0; i < TRACED_LOADS; i++) {
        const t = await tracedLoad(app, srv, query).catch((e) => (log(`trace failed: ${e}`), null));
        if (t) ts.push(t);
      }
      result(`${k}_traces`, ts.length);
      if (ts.length === 0) continue;
      TRACE_GROUPS.forEach(([label], j) => {
        result(`${k}_trace_${String(j).padStart(2, "0")}`, `${label}|${f1(median(ts.map((t) => t.groups[j][1])))}`);
      });
      result(`${k}_trace_busy`, f1(median(ts.map((t) => t.busy))));
      result(`${k}_trace_span`, f1(median(ts.map((t) => t.span))));
      result(`${k}_trace_forced`, `${f1(median(ts.map((t) => t.forcedMs)))} ms in ${median(ts.map((t) => t.forcedN))}`);
      result(`${k}_trace_offmain_wasm`, f1(median(ts.map((t) => t.offMainWasmMs))));
      log(`${app.name} trace: main thread busy ${f1(median(ts.map((t) => t.busy)))} of ${f1(median(ts.map((t) => t.span)))} ms until mounted`);
    }
  }

  // ---- 5a. memory at idle (ours and the baseline) ------------------------------------------
  if (baseServer && want("memory")) {
    const page = await open("", { app: BASELINE, srv: baseServer });
    await page.waitForTimeout(2000);
    const m = await memory(page);
    result("baseline_mem_js", m.js ?? "n/a");
    result("baseline_mem_wasm", m.wasm ?? "n/a");
    await page.closeAll();
  }
  // ---- 5a. memory at idle ------------------------------------------------------------
  if (want("memory")) {
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

  // ---- 5c. the workbench: the k = 2 and k = 3 checks of a six-step handler, click to verdict
  // src/ui/components/workbench.rs: the Check button is the page's button.primary; the
  // verdict is [data-wb-verdict] with data-ms (click to verdict, as the page timed it) and
  // data-schedules. From k = 2 the check runs in a Web Worker (workbench/offthread.rs):
  // `gap` is the longest time between two animation frames from the click to the verdict
  // (how long the page stopped responding).
  if (want("workbench")) {
    const page = await open(WORKBENCH_QUERY, { waitFor: "none" });
    const one = async (query) => {
      const clicks = [];
      const checks = [];
      const gaps = [];
      let schedules = "n/a";
      let holds = "n/a";
      // Each check on a freshly loaded page, so each verdict is a new element.
      for (let i = 0; i < WORKBENCH_CHECKS; i++) {
        await page.goto(`${server.url}?${query}`, { waitUntil: "load" });
        const button = page.locator("button.primary").first();
        await button.waitFor({ timeout: MOUNT_TIMEOUT_MS });
        await page.evaluate(() => {
          window.__gap = 0;
          window.__last = performance.now();
          const tick = (t) => {
            window.__gap = Math.max(window.__gap, t - window.__last);
            window.__last = t;
            if (!window.__t1) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          window.__t1 = 0;
          window.__t0 = performance.now();
        });
        await button.click();
        await page.waitForFunction(
          () => {
            if (!document.querySelector("[data-wb-verdict]")) return false;
            window.__t1 = performance.now();
            return true;
          },
          null,
          { polling: "raf", timeout: 60_000 },
        );
        const r = await page.evaluate(() => {
          const v = document.querySelector("[data-wb-verdict]");
          return { click: window.__t1 - window.__t0, check: Number(v.dataset.ms), gap: window.__gap, schedules: v.dataset.schedules, holds: v.dataset.holds };
        });
        clicks.push(r.click);
        checks.push(r.check);
        gaps.push(r.gap);
        schedules = r.schedules;
        holds = r.holds;
      }
      const med = (xs) => quantile(xs, 0.5);
      return { check: med(checks), click: med(clicks), gap: med(gaps), schedules, holds };
    };
    const k2 = await one(WORKBENCH_QUERY);
    result("workbench_check_ms", k2.check.toFixed(1));
    result("workbench_click_ms", k2.click.toFixed(1));
    result("workbench_gap_ms", k2.gap.toFixed(1));
    result("workbench_text", `${k2.schedules} schedules, holds=${k2.holds}, median of ${WORKBENCH_CHECKS}`);
    log(`workbench k=2: check ${k2.check.toFixed(1)} ms, click→verdict ${k2.click.toFixed(1)} ms, longest frame gap ${k2.gap.toFixed(0)} ms (${k2.schedules} schedules, holds=${k2.holds})`);
    const k3 = await one(WORKBENCH_QUERY.replace(/&k=\d/, "") + "&k=3");
    result("workbench3_check_ms", k3.check.toFixed(1));
    result("workbench3_click_ms", k3.click.toFixed(1));
    result("workbench3_gap_ms", k3.gap.toFixed(1));
    log(`workbench k=3: check ${k3.check.toFixed(1)} ms, click→verdict ${k3.click.toFixed(1)} ms, longest frame gap ${k3.gap.toFixed(0)} ms (${k3.schedules} schedules, holds=${k3.holds})`);
    if (page.errors.length) log(`workbench page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }

  // ---- 4. frames while playing: every scenario at its defaults, and the many-in-flight run ---
  // At the run's own default speed and at the fastest preset (the run is replayed whenever
  // it ends). Baselines: our page paused, and the Yew baseline page, on this machine now.
  if (want("frames")) {
    const probe = await open(STARTUP_QUERY, { waitFor: "shell" });
    const ids = await probe.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
    await probe.closeAll();
    result("frames_scenarios", ids.length);
    const groups = { defaults_default: [], defaults_fast: [], many_default: [], many_fast: [] };
    let row = 0;
    const detail = (id, mode, r) => {
      const st = frameStats([r]);
      const cells = r.error
        ? [id, mode, r.error, "", "", "", "", ""]
        : [id, `${mode} (${r.speed}/s)`, st.frames, f1(st.p50), f1(st.p95), f1(st.max), `${st.longtasks} (${st.longtaskMax.toFixed(0)} ms)`, st.flightsMax];
      result(`frames_row_${String(row++).padStart(3, "0")}`, cells.join("|"));
      log(`frames ${cells.join(" | ")}`);
    };
    // One page per speed; every scenario opened from the nav (which resets it to its
    // defaults and its default speed), as a learner goes through them.
    for (const mode of ["default", "fast"]) {
      const page = await open(STARTUP_QUERY, { waitFor: "shell" });
      for (const id of ids) {
        await navigate(page, id);
        const r = await framesOn(page, mode);
        groups[`defaults_${mode}`].push({ id, ...r });
        detail(id, mode, r);
      }
      if (page.errors.length) log(`frames ${mode}: page errors: ${page.errors.join(" | ")}`);
      await page.closeAll();
    }
    for (const mode of ["default", "fast"]) {
      const r = await playFrames(ANIM_QUERY, mode, { profile: `frames-${mode}` });
      groups[`many_${mode}`].push({ id: "500 messages", ...r });
      detail("dedup-window, 500 messages", mode, r);
    }
    result("anim_query", ANIM_QUERY);
    for (const [key, runs] of Object.entries(groups)) {
      putFrames(`frames_${key}`, runs);
      const worst = runs.filter((r) => r.deltas).sort((a, b) => quantile(b.deltas, 0.95) - quantile(a.deltas, 0.95))[0];
      if (worst) result(`frames_${key}_worst`, `${worst.id} ${f1(quantile(worst.deltas, 0.95))}`);
    }
    const playing = Object.values(groups).flat();
    const all = frameStats(playing);
    result("frames_playing_longtasks", all.longtasks);
    result("frames_playing_longtask_max_ms", all.longtaskMax.toFixed(0));
    result("frames_playing_longtask_where", playing.filter((r) => r.longtasks?.length).map((r) => r.id).filter((v, i, a) => a.indexOf(v) === i).join(", "));
    putFrames("frames_idle_ours", [await playFrames(ANIM_QUERY, "paused")]);
    if (baseServer) putFrames("frames_idle_baseline", [await playFrames("", "paused", { app: BASELINE, srv: baseServer })]);
  }

  // ---- 6. step-back latency on a >= 10,000-event run ---------------------------------
  if (want("step")) {
    // Telemetry's ledgers show samples, not balances: wait for the shell, then the scrubber.
    const probe = await open(STEP_QUERY, { waitFor: "shell" });
    await probe.waitForSelector("input.scrubber", { timeout: MOUNT_TIMEOUT_MS });
    const end = Number(await probe.getAttribute("input.scrubber", "max"));
    await probe.closeAll();
    // Deterministic "random" ticks in the middle 90% of the run.
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const ticks = Array.from({ length: STEP_SAMPLES }, () => Math.max(1, Math.floor(end * (0.05 + 0.9 * rnd()))));
    const page = await open(`${STEP_QUERY}&t=${ticks[0]}`, { waitFor: "shell" });
    await page.waitForSelector("output.playhead[data-tick]", { timeout: MOUNT_TIMEOUT_MS });
    // Stepping, not start-up (see `settled`). The first sample is still the first step
    // ever taken (its code compiled on first call) and is reported on its own.
    await settled(page);
    const lat = [];
    const paint = [];
    await profiled(page, "step", async () => {
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
    });
    result("step_query", STEP_QUERY);
    result("step_end_tick", end);
    result("step_samples", lat.length);
    result("step_median_ms", median(lat).toFixed(2));
    result("step_p95_ms", quantile(lat, 0.95).toFixed(2));
    result("step_max_ms", Math.max(...lat).toFixed(2));
    result("step_first_ms", lat[0].toFixed(2));
    result("step_frame_median_ms", median(paint).toFixed(2));
    log(`step-back (keydown -> data-tick): median ${median(lat).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms; ` +
      `to next frame median ${median(paint).toFixed(2)} ms`);
    if (page.errors.length) log(`step page errors: ${page.errors.join(" | ")}`);
    await page.closeAll();
  }

  // ---- 5c. memory during continuous play at the fastest speed (skipped when 0 s) --------
  if (PLAY_SECONDS > 0 && want("play")) {
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
  await baseServer?.close();
}
