#!/usr/bin/env node
// make bench: how much of the wasm's code the entry pages run as they start,
// and what the first download would be if only that code came first (a profile-guided
// split, as binaryen's wasm-split makes: the primary module keeps the functions that ran,
// the rest waits in a second module behind placeholders).
//
//   node bench/first-screen-code.mjs [DIST=dist]
//
// How: Chromium compiles each wasm function the first time it is called (lazy compilation),
// and `--js-flags=--trace-wasm-compilation-times` prints one line per compiled function
// with its index. Each load is in a fresh browser (V8 shares compiled code between pages
// of one process), at a phone's size (and two pages also at 1280 px), until `[data-mounted]`
// and 1.5 s after it; the sweep worker's script is refused, so only the page's own thread counts. The union
// over the pages is a lower bound for what a first module must hold: another scenario's
// first screen, or the first click, runs more. (Run to run, a load's count can differ by a
// function.)
//
// The primary module is estimated by replacing every body that did not run with
// `unreachable` (wasm-split leaves a call to a placeholder import: a few bytes either way);
// the data section stays whole (wasm-split does not split data).
// Prints a table, then `fsc_*=…` lines for bench.sh.
import fs from "node:fs";
import os from "node:os";
import { spawn } from "node:child_process";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { brotli as br, readModule, uleb } from "./wasm-module.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const require = createRequire(path.join(repo, "tests/e2e/package.json"));
const { chromium } = require("playwright-core");
const { serve } = await import("../tests/e2e/server.mjs");

const dist = path.resolve(process.argv[2] ?? path.join(repo, "dist"));
const PHONE = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PAGES = [
  ["walkthrough", "?s=walkthrough", PHONE],
  ["lesson", "?lesson=walkthrough&step=2", PHONE],
  ["embed_outbox", "?s=outbox&embed=1", PHONE],
  ["desktop_walkthrough", "?s=walkthrough", DESKTOP],
  ["desktop_lesson", "?lesson=walkthrough&step=2", DESKTOP],
];

// ---- the served wasm: its sections, imported function count, function bodies ----
const wasmName = fs.readdirSync(dist).find((f) => f.endsWith("_bg.wasm"));
const b = fs.readFileSync(path.join(dist, wasmName));
const { sections: secs, section: sec, imports, bodies } = readModule(b);
const codeAll = Buffer.concat(bodies);

// ---- which functions each page ran ----
const srv = await serve({ root: dist });
const ran = {};
for (const [key, query, device] of PAGES) {
  // Chromium started here (not by Playwright) so that its output, where V8's trace goes, is ours.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "eop-fsc-"));
  const proc = spawn(process.env.CHROMIUM ?? "/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--no-first-run", `--user-data-dir=${profile}`,
    "--remote-debugging-port=0", "--js-flags=--trace-wasm-compilation-times", "about:blank"], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  proc.stdout.on("data", (d) => (text += d));
  const ws = await new Promise((ok, fail) => {
    let err = "";
    proc.stderr.on("data", (d) => { err += d; const m = /DevTools listening on (ws:\S+)/.exec(err); if (m) ok(m[1]); });
    proc.on("exit", () => fail(new Error(`chromium exited: ${err.slice(-500)}`)));
  });
  const browser = await chromium.connectOverCDP(ws);
  const ctx = await browser.newContext(device);
  await ctx.route("**/sweep-worker.js", (r) => r.abort());
  const page = await ctx.newPage();
  await page.goto(srv.url + query);
  await page.waitForSelector("[data-mounted]", { timeout: 120000 });
  await page.waitForTimeout(1500);
  // A clean exit, so that each process flushes its buffered output (a kill loses its tail).
  const exited = new Promise((ok) => (proc.exitCode !== null ? ok() : proc.on("exit", ok)));
  await (await browser.newBrowserCDPSession()).send("Browser.close").catch(() => {});
  await exited;
  try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch { /* a profile left in /tmp is harmless */ }
  const set = new Set();
  // V8 numbers functions with the imports first; `bodysize` must agree with ours.
  for (const m of text.matchAll(/Compiled function \S+#(\d+) using \S+, took \d+ \S+ and \d+ bytes; bodysize (\d+)/g)) {
    const i = Number(m[1]) - imports;
    if (bodies[i]?.length !== Number(m[2])) throw new Error(`${key}: function #${m[1]} is ${m[2]} B to V8, ${bodies[i]?.length} B here`);
    set.add(i);
  }
  if (set.size === 0) throw new Error(`${key}: no compile trace from Chromium (does it print --trace-wasm-compilation-times?)`);
  ran[key] = set;
}
await srv.close();

const pick = (set) => [...set].filter((i) => i >= 0 && i < bodies.length).sort((x, y) => x - y);
const out = [];
const put = (k, v) => out.push(`fsc_${k}=${v}`);
const label = (key, query, device) => `${query}${device === DESKTOP ? " (1280 px)" : " (phone)"}`;
const line = (name, idx) => {
  const c = Buffer.concat(idx.map((i) => bodies[i]));
  console.log(`${name.padEnd(40)} ran ${String(idx.length).padStart(5)} functions, ${String(c.length).padStart(8)} B raw, ${String(br(c)).padStart(7)} B brotli`);
  return br(c);
};
console.log(`code section: ${bodies.length} functions, ${codeAll.length} B raw, ${br(codeAll)} B brotli`);
for (const [key, query, device] of PAGES) {
  const idx = pick(ran[key]);
  put(`${key}_fns`, idx.length);
  put(`${key}_br`, line(label(key, query, device), idx));
}
put("all_fns", bodies.length);
put("all_code_br", br(codeAll));

// The primary module: the bodies that ran, `unreachable` for the rest, every other section as it is.
const stub = Buffer.from([0x00, 0x00, 0x0b]); // no locals; unreachable; end
function primaryOf(keep) {
  const code = [uleb(bodies.length)];
  bodies.forEach((body, i) => (keep.has(i) ? code.push(uleb(body.length), body) : code.push(uleb(stub.length), stub)));
  const codeSec = Buffer.concat(code);
  const parts = [b.subarray(0, 8)];
  for (const s of secs) parts.push(s.id === 10 ? Buffer.concat([Buffer.from([10]), uleb(codeSec.length), codeSec]) : b.subarray(s.hdr, s.end));
  const primary = Buffer.concat(parts);
  if (!WebAssembly.validate(primary)) throw new Error("the estimated primary module does not validate");
  return br(primary);
}
const data = sec(11) ? br(b.subarray(sec(11).start, sec(11).end)) : 0;
// The rest of the first download, as data-areas.mjs counts it: the glue, index.html, the stylesheet.
const rest = fs.readdirSync(dist)
  .filter((f) => /^(index\.html|app-.*\.css|exactly-once-playground-[^.]*\.js)$/.test(f))
  .reduce((n, f) => n + br(fs.readFileSync(path.join(dist, f))), 0);
put("wasm_br", br(b));
put("data_br", data);
put("rest_br", rest);
console.log(`whole wasm ${br(b)} B brotli (data section ${data} B of it); glue, index.html and CSS ${rest} B`);
for (const [key, name, keys] of [
  ["phone", "union of the phone loads", PAGES.filter(([, , d]) => d === PHONE).map(([k]) => k)],
  ["every", "union of every load", PAGES.map(([k]) => k)],
]) {
  const union = new Set(keys.flatMap((k) => pick(ran[k])));
  put(`${key}_fns`, union.size);
  put(`${key}_code_br`, line(name, pick(union)));
  const pb = primaryOf(union);
  put(`${key}_primary_br`, pb);
  console.log(`  a primary module with only that code (and the whole data section): ${pb} B brotli; first download with it ${pb + rest} B`);
}
for (const l of out) console.log(l);
