// make bench: what loading the texts and lessons on demand could take off the first
// download. Input: the pre-wasm-bindgen wasm after `wasm-opt -Os --debuginfo`
// (as bench/wasm-areas.mjs), and optionally the brotli size of the whole first download
// (the wasm, its glue, index.html, CSS: what ?s=walkthrough transfers).
//
//   node bench/data-areas.mjs NAMED.wasm [FIRST_DOWNLOAD_BROTLI_BYTES | DIST]
//
// The last lines, `data_*=…`, are for bench.sh.
//
// Finds, in the wasm's data section, the bytes of every lesson file (src/course/lessons/,
// embedded verbatim) and every string of every scenario's text.json (compiled into
// statics by build.rs), and prints, per entry page, the data section's brotli size with
// everything that page's first screen does not read taken out: the other scenarios'
// texts (their titles stay: the scenario list shows them) and the other lessons (their
// titles stay: the course list shows them). The code section is printed beside it: it
// is what no data split can take off.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotli as br, readModule } from "./wasm-module.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const b = fs.readFileSync(process.argv[2]);
// The first download: a number, or a dist/ to add up (its .br files, else compressed here).
function firstOf(arg) {
  if (arg === undefined) return NaN;
  if (!fs.existsSync(arg) || !fs.statSync(arg).isDirectory()) return Number(arg);
  const files = fs.readdirSync(arg).filter((f) => /^(index\.html|app-.*\.css|exactly-once-playground-[^.]*\.js|exactly-once-playground-.*_bg\.wasm)$/.test(f));
  return files.reduce((n, f) => {
    const z = path.join(arg, `${f}.br`);
    return n + (fs.existsSync(z) ? fs.statSync(z).size : br(fs.readFileSync(path.join(arg, f))));
  }, 0);
}
const firstDownload = firstOf(process.argv[3]);

const secs = Object.fromEntries(readModule(b).sections.filter((x) => x.id !== 0).map((x) => [x.id, x]));
const code = b.subarray(secs[10].start, secs[10].end);
const data = b.subarray(secs[11].start, secs[11].end);

// The scenarios' texts: every string leaf of text.json, by scenario id; titles apart.
const scenarioDir = path.join(repo, "src/sim/scenarios");
const scenarios = {};
for (const dir of fs.readdirSync(scenarioDir)) {
  const f = path.join(scenarioDir, dir, "text.json");
  if (!fs.existsSync(f)) continue;
  const j = JSON.parse(fs.readFileSync(f, "utf8"));
  const leaves = [];
  const walk = (v, key) => {
    if (typeof v === "string") { if (key !== "title" && key !== "id" && v.length >= 12) leaves.push(v); }
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(j, "");
  scenarios[j.id] = leaves;
}
// The lessons: whole files (their titles stay, for the course list).
const lessonDir = path.join(repo, "src/course/lessons");
const lessons = {};
for (const f of fs.readdirSync(lessonDir).filter((f) => f.endsWith(".json"))) {
  const text = fs.readFileSync(path.join(lessonDir, f), "utf8");
  lessons[JSON.parse(text).id] = text;
}

/** Byte ranges of `data` holding `s` (every occurrence). */
function ranges(s) {
  const needle = Buffer.from(s, "utf8");
  const out = [];
  for (let i = data.indexOf(needle); i >= 0; i = data.indexOf(needle, i + needle.length)) out.push([i, i + needle.length]);
  return out;
}
/** The data section without the bytes in `rs`. */
function without(rs) {
  const cut = new Uint8Array(data.length);
  for (const [a, z] of rs) cut.fill(1, a, z);
  const kept = [];
  let from = -1;
  for (let i = 0; i <= data.length; i++) {
    const keep = i < data.length && !cut[i];
    if (keep && from < 0) from = i;
    if (!keep && from >= 0) { kept.push(data.subarray(from, i)); from = -1; }
  }
  return Buffer.concat(kept);
}
const scenarioRanges = Object.fromEntries(Object.entries(scenarios).map(([id, ls]) => [id, ls.flatMap(ranges)]));
const lessonRanges = Object.fromEntries(Object.entries(lessons).map(([id, t]) => [id, ranges(t)]));
const found = (rs) => rs.reduce((n, [a, z]) => n + z - a, 0);
const allS = Object.values(scenarioRanges).flat();
const allL = Object.values(lessonRanges).flat();

const dataBr = br(data);
const codeBr = br(code);
const num = (n) => Math.round(n).toLocaleString("en-US");
console.log(`data section: ${num(data.length)} B raw, ${num(dataBr)} B brotli; code section: ${num(code.length)} B raw, ${num(codeBr)} B brotli`);
console.log(`  scenario texts (all ${Object.keys(scenarios).length}, titles kept): ${num(found(allS))} B raw found; data without them: ${num(br(without(allS)))} B brotli`);
console.log(`  lesson files (all ${Object.keys(lessons).length}): ${num(found(allL))} B raw found; data without them: ${num(br(without(allL)))} B brotli`);
const pages = [
  ["?s=walkthrough", "walkthrough", null],
  ["?lesson=walkthrough&step=2", "walkthrough", "walkthrough"],
  ["?s=outbox&embed=1", "outbox", null],
];
const keys = [];
console.log("entry page | data its first screen reads (brotli) | deferrable | first download if deferred (brotli) | of which code");
for (const [page, sc, lesson] of pages) {
  const defer = [
    ...Object.entries(scenarioRanges).filter(([id]) => id !== sc).flatMap(([, r]) => r),
    ...Object.entries(lessonRanges).filter(([id]) => id !== lesson).flatMap(([, r]) => r),
  ];
  const kept = br(without(defer));
  const saved = dataBr - kept;
  const first = Number.isFinite(firstDownload) ? `${num(firstDownload - saved)} B (now ${num(firstDownload)})` : "-";
  console.log(`${page} | ${num(kept)} B | ${num(saved)} B | ${first} | ${num(codeBr)} B`);
  keys.push(`data_saved_${page.includes("lesson") ? "lesson" : page.includes("embed") ? "embed_outbox" : "walkthrough"}=${saved}`);
}
keys.push(`data_code_br=${codeBr}`, `data_br=${dataBr}`);
if (Number.isFinite(firstDownload)) keys.push(`data_first_br=${firstDownload}`);
for (const k of keys) console.log(k);
