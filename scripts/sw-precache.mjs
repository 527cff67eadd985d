#!/usr/bin/env node
// trunk post_build hook: write the precache list and a build hash into the staged sw.js
// (the offline service worker, static/sw.js; registered by src/ui/offline.rs).
//
// FILES: every file of the build, as paths relative to sw.js (so dist/ works under any
// sub-path), plus "./" (the address index.html is usually reached at). sw.js itself is
// left out: the browser fetches it to look for updates.
//
// BUILD: a hash of every file's name and content. trunk runs the post_build hooks at the
// same time, and two of them edit files in place (csp-hash.mjs: index.html, worker-glue.mjs:
// static/sweep-worker.js); for those two the hash reads the sources they are made from
// (their text in the repository and the hooks' own scripts; the hashed names they write in
// are hashed as file names). Same sources, same hash; any change, a new service worker.
//
// Usage: run by trunk with TRUNK_STAGING_DIR set; or `node scripts/sw-precache.mjs DIR`.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? "dist";
const repo = process.env.TRUNK_SOURCE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const SW = "sw.js";
const EDITED_BY_OTHER_HOOKS = {
  "index.html": ["index.html", "scripts/csp-hash.mjs", "target/shell/shell.js", "Trunk.toml"],
  "static/sweep-worker.js": ["static/sweep-worker.js", "scripts/worker-glue.mjs"],
};

function walk(d, out = []) {
  for (const name of readdirSync(d).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(relative(dir, p).split(sep).join("/"));
  }
  return out;
}

const files = walk(dir).filter((f) => f !== SW);
if (!files.includes("index.html")) {
  console.error(`sw-precache: no index.html in ${dir}`);
  process.exit(1);
}
const hash = createHash("sha256");
for (const f of files) {
  hash.update(`${f}\0`);
  const sources = EDITED_BY_OTHER_HOOKS[f];
  if (sources) for (const s of sources) hash.update(readFileSync(join(repo, s)));
  else hash.update(readFileSync(join(dir, f)));
  hash.update("\0");
}
const swPath = join(dir, SW);
let sw = readFileSync(swPath, "utf8");
hash.update(sw);
const build = hash.digest("hex").slice(0, 16);

const FILES_MARK = /\/\*__EOP_FILES__\*\/ \[\]/;
if (!sw.includes("__EOP_BUILD__") || !FILES_MARK.test(sw)) {
  console.error(`sw-precache: no __EOP_BUILD__ / __EOP_FILES__ placeholder in ${swPath}`);
  process.exit(1);
}
const list = ["./", ...files];
sw = sw.replace("__EOP_BUILD__", build).replace(FILES_MARK, () => JSON.stringify(list));
writeFileSync(swPath, sw);
console.log(`sw-precache: sw.js precaches ${list.length} files, build ${build}`);
