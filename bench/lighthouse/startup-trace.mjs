#!/usr/bin/env node
// The app's start-up tasks, with what runs in each (issue 26): loads pages of a built dist/
// in headless Chromium with the CPU slowed down 4x (Lighthouse's mobile setting), records a
// Chrome trace (every main-thread task) and a sampling CPU profile, and prints every task of
// at least LONG_MS from navigation until the page has been idle, with the functions that
// took its time (self time, and the Rust functions on the stack).
//
//   node bench/lighthouse/startup-trace.mjs [DIST=dist] [QUERY ...]
//   TRACE_DISTS=a,b,... node bench/lighthouse/startup-trace.mjs [QUERY ...]
//
// TRACE_DISTS compares builds: each run loads each page from each dist in turn (one
// browser; interleaved, so a busy spell of the machine falls on all of them alike), and
// the key=value lines get the dist's index (trace_d0_walkthrough_longest_ms, ...).
//
// Function names need a wasm with its name section: `--names` rebuilds the dist's wasm and
// glue from cargo's (unoptimised by wasm-opt, so slower) release wasm into a copy of dist/.
// Env: TRACE_WALL, TRACE_CPU, TRACE_SLOWDOWN (below), LONG_MS (default 50) threshold in slowed-down ms,
//      TRACE_RUNS (default 3), TRACE_OUT: key=value lines (trace_<page>_longest_ms,
//      trace_<page>_tasks: slowed-down durations of the tasks >= LONG_MS) appended there.
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const require = createRequire(join(repo, "tests/e2e/package.json"));
const { chromium } = require("playwright-core");
const { serve } = await import("../../tests/e2e/server.mjs");

const args = process.argv.slice(2);
const names = args.includes("--names");
const rest = args.filter((a) => a !== "--names");
let dist = resolve(rest[0] && !rest[0].startsWith("?") ? rest.shift() : join(repo, "dist"));
const queries = rest.length ? rest : ["?s=walkthrough", "?lesson=walkthrough&step=2", "?s=outbox&embed=1"];
// TRACE_WALL=1: CDP's CPU throttling (TRACE_CPU, default 4) and wall-clock task durations;
// default: no throttling, each task's thread CPU time x TRACE_SLOWDOWN (default 4).
const WALL = process.env.TRACE_WALL === "1";
const CPU = WALL ? Number(process.env.TRACE_CPU ?? 4) : 1;
const SLOW = Number(process.env.TRACE_SLOWDOWN ?? 4);
const LONG = Number(process.env.LONG_MS ?? 50);
const RUNS = Number(process.env.TRACE_RUNS ?? 3);
// How long each load is recorded after the load event (ms).
const WAIT = Number(process.env.TRACE_WAIT_MS ?? 8000);
const out = (line) => (process.env.TRACE_OUT ? appendFileSync(process.env.TRACE_OUT, `${line}\n`) : console.log(line));

let tmp = null;
if (names) {
  // The dist's wasm and glue, rebuilt from cargo's wasm with its name section kept.
  tmp = mkdtempSync(join(tmpdir(), "eop-trace-"));
  const copy = join(tmp, "dist");
  cpSync(dist, copy, { recursive: true });
  const wasmName = readdirSync(copy).find((f) => f.endsWith("_bg.wasm"));
  const stem = wasmName.replace(/_bg\.wasm$/, "");
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const built = join(target, "wasm32-unknown-unknown/release/exactly-once-playground.wasm");
  execFileSync("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", tmp, "--out-name", stem, built]);
  for (const f of [`${stem}.js`, `${stem}_bg.wasm`]) {
    cpSync(join(tmp, f), join(copy, f));
    for (const ext of [".br", ".gz"]) rmSync(join(copy, f + ext), { force: true });
  }
  // The integrity hashes no longer match: drop them.
  const ix = join(copy, "index.html");
  writeFileSync(ix, readFileSync(ix, "utf8").replace(/ integrity=[^ >]+/g, ""));
  dist = copy;
}

// Builds compared side by side (TRACE_DISTS), else the one dist.
const dists = process.env.TRACE_DISTS ? process.env.TRACE_DISTS.split(",").map((d) => resolve(d)) : [dist];
const servers = [];
for (const root of dists) servers.push(await serve({ root: names && dists.length === 1 ? dist : root }));
const srv = servers[0];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});

/** One cold load: the main thread's tasks and CPU samples from navigation until idle. */
async function load(query, server = srv) {
  const ctx = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await browser.startTracing(page, { categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"] });
  await cdp.send("Profiler.start");
  // No polling in the page while tracing (Playwright's selector engine would add tasks):
  // a fixed wait, then one check that the app mounted.
  await page.goto(server.url + query, { waitUntil: "load" });
  await page.waitForTimeout(WAIT);
  const { profile } = await cdp.send("Profiler.stop");
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const mounted = await page.evaluate(() => !!document.querySelector("#app-root main.stage"));
  await ctx.close();
  if (!mounted) throw new Error(`${query}: the app did not mount`);
  return analyse(trace, profile);
}

function analyse(trace, profile) {
  const ev = trace.traceEvents;
  const navs = ev.filter((e) => e.name === "navigationStart" && String(e.args?.data?.documentLoaderURL ?? "").startsWith("http"));
  const navEv = navs.sort((a, b) => b.ts - a.ts)[0];
  const main = ev.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain" && e.pid === navEv.pid);
  const nav = navEv.ts;
  const onMain = ev.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && e.dur !== undefined);
  // Top-level tasks only (a RunTask nested in another is part of it).
  const tasks = [];
  // Until a second before the harness stops recording (its own messages to the page then
  // show up as tasks of their own, about 8.2 s in: not the app's).
  const until = nav + (WAIT - 1000) * 1000;
  for (const e of onMain.filter((e) => e.name === "RunTask" && e.ts >= nav && e.ts < until).sort((a, b) => a.ts - b.ts)) {
    const last = tasks[tasks.length - 1];
    if (last && e.ts < last.end) continue;
    // By default the task's CPU time on its thread (tdur) times the slowdown, as Lighthouse
    // simulates a 4x slower phone from an unthrottled load: on a shared machine, wall time
    // also counts the time other processes held the core.
    const dur = WALL ? e.dur / 1000 : ((e.tdur ?? e.dur) / 1000) * SLOW;
    tasks.push({ start: (e.ts - nav) / 1000, dur, wall: e.dur / 1000, ts: e.ts, end: e.ts + e.dur });
  }
  // What each task did, by trace event name (time of the events directly inside it):
  // only for the tasks reported (50 ms and over, or LONG_MS): short ones are most of them.
  const shown = Math.min(50, LONG);
  for (const task of tasks) {
    task.kinds = [];
    task.samples = 0;
    task.glue = task.self = task.incl = [];
    if (task.dur < shown) continue;
    const kinds = new Map();
    // The layouts in it: how many layout objects each one had to lay out, of how many.
    task.layouts = [];
    for (const e of onMain) {
      if (e.name === "Layout" && e.ts > task.ts && e.ts < task.end) {
        const b = e.args?.beginData ?? {};
        task.layouts.push(`${(e.dur / 1000).toFixed(1)}ms:${b.dirtyObjects ?? "?"}/${b.totalObjects ?? "?"}`);
      }
      if (e.ts <= task.ts || e.ts + e.dur > task.end || e.name === "RunTask" || e.dur < 1000) continue;
      kinds.set(e.name, (kinds.get(e.name) ?? 0) + e.dur / 1000);
      kinds.set(`#${e.name}`, (kinds.get(`#${e.name}`) ?? 0) + 1);
    }
    task.kinds = [...kinds].filter(([k]) => !k.startsWith("#")).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, d]) => [`${k}×${kinds.get(`#${k}`)}`, d]);
  }
  // Samples: (timestamp, node id); node -> parent, function name.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let t = profile.startTime;
  const samples = profile.samples.map((id, i) => ((t += profile.timeDeltas[i]), { ts: t, id }));
  const label = (n) => n.callFrame.functionName || `(${n.callFrame.url.split("/").pop() || "anon"})`;
  for (const task of tasks) {
    if (task.dur < LONG) continue;
    const self = new Map();
    const incl = new Map();
    let n = 0;
    for (const s of samples) {
      if (s.ts < task.ts || s.ts > task.end) continue;
      const node = byId.get(s.id);
      if (["(idle)", "(program)", "(garbage collector)"].includes(node.callFrame.functionName)) continue;
      n++;
      self.set(label(node), (self.get(label(node)) ?? 0) + 1);
      const seen = new Set();
      for (let id = s.id; id !== undefined; id = parent.get(id)) {
        const f = label(byId.get(id));
        if (seen.has(f)) continue;
        seen.add(f);
        incl.set(f, (incl.get(f) ?? 0) + 1);
      }
    }
    task.samples = n;
    // Where the glue's own time (DOM calls, forced layouts) comes from: the first named callers.
    const glue = new Map();
    for (const s of samples) {
      if (s.ts < task.ts || s.ts > task.end) continue;
      const node = byId.get(s.id);
      if (!(node.callFrame.functionName === "" || /^__wbg_(get|client|inner|offset|scroll)/.test(node.callFrame.functionName))) continue;
      const chain = [];
      for (let id = s.id; id !== undefined && chain.length < 4; id = parent.get(id)) {
        const f = label(byId.get(id));
        if (/^eop::/.test(f) || /^__wbg_\w+$/.test(f)) chain.push(f.replace(/::h[0-9a-f]{16}$/, "").slice(0, 70));
      }
      const k = chain.join(" < ");
      glue.set(k, (glue.get(k) ?? 0) + 1);
    }
    task.glue = [...glue].sort((a, b) => b[1] - a[1]).slice(0, 8);
    task.self = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8);
    const only = process.env.TRACE_FILTER ? new RegExp(process.env.TRACE_FILTER) : /::|eop|yew|exactly/;
    task.incl = [...incl].filter(([f]) => only.test(f)).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TRACE_TOP ?? 25));
  }
  // The browser's layout work over the load (CPU time, slowed down like the tasks).
  tasks.layoutMs = onMain
    .filter((e) => e.name === "Layout" && e.ts >= nav && e.ts < until)
    .reduce((t, e) => t + (WALL ? e.dur / 1000 : ((e.tdur ?? e.dur) / 1000) * SLOW), 0);
  return tasks;
}

for (const q of queries) {
  const key = q.includes("lesson=") ? "lesson" : q.includes("embed") ? "embed_outbox" : q === "?s=walkthrough" ? "walkthrough" : q.replace(/\W+/g, "_");
  const longest = dists.map(() => []);
  const blocking = dists.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let di = 0; di < dists.length; di++) {
      const tag = dists.length > 1 ? `[${dists[di]}] ` : "";
      const tasks = await load(q, servers[di]);
      const long = tasks.filter((x) => x.dur >= LONG);
      longest[di].push(Math.max(0, ...tasks.map((x) => x.dur)));
      // Blocking time as Lighthouse counts it (the part of each task over 50 ms), over the
      // whole load (Lighthouse counts from the first paint to interactive).
      const tbt = tasks.reduce((s, x) => s + Math.max(0, x.dur - 50), 0);
      blocking[di].push(tbt);
      process.stderr.write(`\n${tag}${q} run ${r + 1}: ${tasks.length} tasks, ${long.length} >= ${LONG} ms (${WALL ? `wall, CPU ${CPU}x` : `CPU time x ${SLOW}`}); longest ${longest[di][r].toFixed(0)} ms, blocking ${tbt.toFixed(0)} ms, layout ${tasks.layoutMs.toFixed(0)} ms: ${tasks.filter((x) => x.dur >= 50).map((x) => `${x.dur.toFixed(0)}@${x.start.toFixed(0)}(${(x.kinds.find(([k]) => !/RunTask|mojo/.test(k))?.[0] ?? "?").replace(/×.*/, "")})`).join(" ")}\n`);
      for (const x of long) {
        process.stderr.write(`  task at ${x.start.toFixed(0)} ms: ${x.dur.toFixed(1)} ms (${x.samples} samples)\n`);
        process.stderr.write(`    events: ${x.kinds.map(([f, d]) => `${f} ${d.toFixed(1)}`).join(", ")}\n`);
        if (x.layouts?.length) process.stderr.write(`    layouts (wall ms:dirty/total objects): ${x.layouts.join(" ")}\n`);
        process.stderr.write(`    self: ${x.self.map(([f, c]) => `${f} ${c}`).join(", ")}\n`);
        if (r === 0) for (const [f, c] of x.glue) process.stderr.write(`    glue ${String(c).padStart(6)}  ${f}\n`);
        if (r === 0) for (const [f, c] of x.incl) process.stderr.write(`    ${String(c).padStart(6)}  ${f.slice(0, 150)}\n`);
      }
      const k = dists.length > 1 ? `d${di}_${key}` : key;
      if (r === 0) out(`trace_${k}_tasks=${tasks.filter((x) => x.dur >= 50).map((x) => x.dur.toFixed(0)).join(" ")}`);
    }
  }
  const mid = (xs) => xs[Math.floor((xs.length - 1) / 2)].toFixed(0);
  for (let di = 0; di < dists.length; di++) {
    const k = dists.length > 1 ? `d${di}_${key}` : key;
    longest[di].sort((a, b) => a - b);
    blocking[di].sort((a, b) => a - b);
    out(`trace_${k}_longest_ms=${mid(longest[di])}`);
    out(`trace_${k}_longest_min_ms=${longest[di][0].toFixed(0)}`);
    out(`trace_${k}_blocking_ms=${mid(blocking[di])}`);
  }
}
await browser.close();
for (const x of servers) await x.close();
if (tmp) rmSync(tmp, { recursive: true, force: true });
