#!/usr/bin/env node
// trunk post_build hook: write the app's hashed wasm-bindgen glue name
// (`exactly-once-playground-<hash>.js`) into the staged static/sweep-worker.js, which
// imports it to run the app's own wasm as the sweep Web Worker (src/ui/worker.rs).
//
// Usage: run by trunk with TRUNK_STAGING_DIR set; or `node scripts/worker-glue.mjs DIR`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? "dist";
const PLACEHOLDER = "__EOP_APP_GLUE__";
const glue = readdirSync(dir).filter((f) => /^exactly-once-playground(-[0-9a-f]+)?\.js$/.test(f));
if (glue.length !== 1) {
  console.error(`worker-glue: expected one exactly-once-playground*.js in ${dir}, found ${JSON.stringify(glue)}`);
  process.exit(1);
}
const file = join(dir, "static", "sweep-worker.js");
const js = readFileSync(file, "utf8");
if (!js.includes(PLACEHOLDER)) {
  console.error(`worker-glue: no ${PLACEHOLDER} in ${file}`);
  process.exit(1);
}
writeFileSync(file, js.replaceAll(PLACEHOLDER, glue[0]));
console.log(`worker-glue: static/sweep-worker.js imports ${glue[0]}`);
