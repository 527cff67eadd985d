// Frame times while playing and step-back latency (issue 14 items 3 and 4), for every
// scenario at its defaults and for the ~500-in-flight dedup run at the default and the
// fastest speed. A measuring script, not a test: `make test` does not run it.
//
//   node tests/e2e/perf-frames.mjs            # over dist/ (E2E_DIST to change)
//
// Env:
//   PERF_SECONDS   seconds of play per measurement (default 5)
//   PERF_ONLY      comma-separated labels to run (e.g. "dedup-500-fast,step-back")
//   PERF_PROFILE   a label: write a CPU profile of that measurement to /tmp/perf-<label>.cpuprofile
//   PERF_OUT       also write the results as JSON here
//
// Frame delta = time between two requestAnimationFrame callbacks of the page (what a
// learner sees); long tasks from the PerformanceObserver; step-back = ← keydown to the
// playhead's data-tick change, as tests/e2e/bench.mjs measures it.
import { writeFileSync } from "node:fs";
import { launch, newPage, DIST } from "./lib.mjs";
import { serve } from "./server.mjs";

const SECONDS = Number(process.env.PERF_SECONDS ?? 5);
const ONLY = process.env.PERF_ONLY ? process.env.PERF_ONLY.split(",") : null;
const PROFILE = process.env.PERF_PROFILE ?? "";
const DEDUP_500 = "s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100&p.dup=1000&p.dup_delay_max_ticks=500";
const STEP_QUERY =
  "s=telemetry&seed=1&tech=retry-every-sample&p.sensors=8&p.rate_per_sec=10&p.seconds=30&p.queue_capacity=50";

const q = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const f1 = (x) => Number(x.toFixed(1));
const log = (...a) => console.error("[perf]", ...a);

function instrument() {
  window.__long = [];
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__long.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
}

const browser = await launch();
const server = await serve({ root: DIST });
const results = [];

async function open(query) {
  const page = await newPage(browser);
  await page.addInitScript(instrument);
  await page.goto(`${server.url}?${query}`, { waitUntil: "load" });
  await page.waitForSelector("main.stage .stage-svg, main.stage svg", { timeout: 30_000 });
  await page.waitForTimeout(300);
  return page;
}

async function frames(label, query, fast) {
  if (ONLY && !ONLY.includes(label)) return;
  const page = await open(query);
  const sel = 'select[data-control="speed"]';
  if (fast) {
    const vals = await page.$$eval(`${sel} option`, (os) => os.map((o) => Number(o.value)));
    await page.selectOption(sel, String(Math.max(...vals)));
  }
  const speed = await page.inputValue(sel);
  let cdp = null;
  if (PROFILE === label) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const r = await page.evaluate((secs) => {
    window.__long.length = 0;
    const btn = () => document.querySelector('button[data-action="play"]');
    const keep = () => {
      const b = btn();
      if (b && b.getAttribute("aria-pressed") !== "true" && !b.disabled) b.click();
    };
    keep();
    const iv = setInterval(keep, 100);
    return new Promise((done) => {
      const d = [];
      const tokens = [];
      let last = null;
      let t0 = null;
      let n = 0;
      const frame = (t) => {
        if (last !== null) d.push(t - last);
        if (t0 === null) t0 = t;
        last = t;
        if (n++ % 10 === 0) tokens.push(document.querySelectorAll(".stage-svg [data-net]").length);
        if (t - t0 < secs * 1000) requestAnimationFrame(frame);
        else {
          clearInterval(iv);
          done({ d, tokens, long: [...window.__long] });
        }
      };
      requestAnimationFrame(frame);
    });
  }, SECONDS);
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(`/tmp/perf-${label}.cpuprofile`, JSON.stringify(profile));
    log(`profile -> /tmp/perf-${label}.cpuprofile`);
  }
  const row = {
    label,
    speed: Number(speed),
    frames: r.d.length,
    p50: f1(q(r.d, 0.5)),
    p95: f1(q(r.d, 0.95)),
    max: f1(Math.max(...r.d)),
    long: r.long.length,
    longMax: r.long.length ? f1(Math.max(...r.long)) : 0,
    tokensMax: Math.max(0, ...r.tokens),
  };
  if (page.problems.length) row.problems = page.problems.slice(0, 3);
  results.push(row);
  log(JSON.stringify(row));
  await page.context().close();
}

async function stepBack(samples = 20) {
  const label = "step-back";
  if (ONLY && !ONLY.includes(label)) return;
  const probe = await open(STEP_QUERY);
  const end = Number(await probe.getAttribute("input.scrubber", "max"));
  await probe.context().close();
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ticks = Array.from({ length: samples }, () => Math.max(1, Math.floor(end * (0.05 + 0.9 * rnd()))));
  const page = await open(`${STEP_QUERY}&t=${ticks[0]}`);
  const cdp = PROFILE === label ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
  }
  const lat = [];
  for (let i = 0; i < ticks.length; i++) {
    if (i > 0) {
      await page.$eval(
        "input.scrubber",
        (el, t) => {
          el.value = String(t);
          el.dispatchEvent(new Event("input", { bubbles: true }));
        },
        ticks[i],
      );
      await page.waitForSelector(`output.playhead[data-tick="${ticks[i]}"]`, { timeout: 10_000 });
      await page.waitForTimeout(50);
    }
    await page.evaluate(() => {
      document.activeElement?.blur?.();
      const out = document.querySelector("output.playhead");
      const from = out.getAttribute("data-tick");
      window.__step = new Promise((done) => {
        let down = null;
        addEventListener("keydown", () => (down = performance.now()), { capture: true, once: true });
        const mo = new MutationObserver(() => {
          if (out.getAttribute("data-tick") !== from) {
            mo.disconnect();
            done(performance.now() - down);
          }
        });
        mo.observe(out, { attributes: true, attributeFilter: ["data-tick"] });
      });
    });
    await page.keyboard.press("ArrowLeft");
    lat.push(await page.evaluate(() => window.__step));
  }
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(`/tmp/perf-${label}.cpuprofile`, JSON.stringify(profile));
    log(`profile -> /tmp/perf-${label}.cpuprofile (includes the seeks)`);
  }
  const row = { label, samples: lat.length, p50: f1(q(lat, 0.5)), p95: f1(q(lat, 0.95)), max: f1(Math.max(...lat)) };
  results.push(row);
  log(JSON.stringify(row));
  await page.context().close();
}

try {
  const first = await open("s=walkthrough");
  const ids = await first.$$eval("nav.scenario-nav a[data-scenario]", (as) => as.map((a) => a.dataset.scenario));
  await first.context().close();
  await frames("dedup-500", DEDUP_500, false);
  await frames("dedup-500-fast", DEDUP_500, true);
  await stepBack();
  for (const id of ids) await frames(id, `s=${id}`, false);
} finally {
  await browser.close().catch(() => {});
  await server.close();
}
console.log(`load ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("label | speed | frames | p50 | p95 | max | long tasks (max) | tokens max");
for (const r of results) {
  if (r.label === "step-back") console.log(`step-back | ${r.samples} samples | p50 ${r.p50} | p95 ${r.p95} | max ${r.max}`);
  else
    console.log(
      `${r.label} | ${r.speed} | ${r.frames} | ${r.p50} | ${r.p95} | ${r.max} | ${r.long} (${r.longMax}) | ${r.tokensMax}${r.problems ? ` | ${r.problems.join("; ")}` : ""}`,
    );
}
if (process.env.PERF_OUT) writeFileSync(process.env.PERF_OUT, JSON.stringify(results, null, 1));
