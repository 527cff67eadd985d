#!/usr/bin/env node
// trunk pre_build hook: writes target/shell/shell.js, the first-screen shell that index.html
// inlines (`<link data-trunk rel="inline" …>`), from static/shell.js with its SHELL_DATA
// filled in: every scenario's title and headline (src/sim/scenarios/*/text.json), every
// lesson's title, scenario and number of steps (src/course/lessons/*.json), the scenario a
// link without one opens (DEFAULT_SCENARIO in src/ui/share/mod.rs) and the number of
// lessons. A pre_build hook, not post_build: trunk runs the hooks of one stage in parallel,
// and scripts/csp-hash.mjs (post_build) must hash the inlined script as built.
//
// Usage: node scripts/shell-data.mjs [OUT=target/shell/shell.js]
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(repo, process.argv[2] ?? "target/shell/shell.js");

export function shellData(root = repo) {
  const scenarios = {};
  const sdir = join(root, "src/sim/scenarios");
  for (const d of readdirSync(sdir, { withFileTypes: true })) {
    // A scenario is a folder with a text.json (build.rs reads the same); others are plumbing.
    if (!d.isDirectory() || !existsSync(join(sdir, d.name, "text.json"))) continue;
    const t = JSON.parse(readFileSync(join(sdir, d.name, "text.json"), "utf8"));
    scenarios[t.id] = { title: t.title, promise: t.promise };
  }
  const lessons = {};
  const ldir = join(root, "src/course/lessons");
  const files = readdirSync(ldir).filter((f) => f.endsWith(".json")).sort();
  for (const f of files) {
    const l = JSON.parse(readFileSync(join(ldir, f), "utf8"));
    lessons[l.id] = { title: l.title, scenario: l.scenario, steps: l.steps.length };
  }
  const share = readFileSync(join(root, "src/ui/share/mod.rs"), "utf8");
  const home = /pub const DEFAULT_SCENARIO: &str = "([^"]+)"/.exec(share)?.[1];
  if (!home || !scenarios[home]) throw new Error("shell-data: DEFAULT_SCENARIO not found in src/ui/share/mod.rs");
  return { scenarios, lessons, home, course: files.length };
}

export function buildShell(root = repo) {
  const src = readFileSync(join(root, "static/shell.js"), "utf8");
  const re = /\/\*SHELL_DATA\*\/[\s\S]*?\/\*END\*\//;
  if (!re.test(src)) throw new Error("shell-data: no /*SHELL_DATA*/ … /*END*/ in static/shell.js");
  // `</` cannot end the inline <script> early: JSON has no other way to write it.
  const json = JSON.stringify(shellData(root)).replace(/<\//g, "<\\/");
  // The leading comment is for readers of static/shell.js, not for every page load.
  return src.replace(/^(\/\/.*\n)+/, "").replace(re, () => json);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, buildShell());
  renameSync(tmp, out);
}
