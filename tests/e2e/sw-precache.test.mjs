// scripts/sw-precache.mjs (a trunk post_build hook) on a made-up build: every file but
// sw.js is listed, relative to sw.js; the build hash is the same for the same build and
// changes with any file, but not with what the other hooks write into index.html and
// static/sweep-worker.js at the same time (their sources are hashed instead). No browser.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./lib.mjs";

const SW = readFileSync(join(REPO, "static/sw.js"), "utf8");

/** A staged build in a temp dir; returns its dir. */
function stage({ wasm = "wasm-1", index = "<html>a</html>", worker = "const GLUE = 'x';" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "eop-stage-"));
  mkdirSync(join(dir, "static"));
  writeFileSync(join(dir, "index.html"), index);
  writeFileSync(join(dir, "app-0123456789abcdef.css"), "body{}");
  writeFileSync(join(dir, "eop-0123456789abcdef_bg.wasm"), wasm);
  writeFileSync(join(dir, "embed.js"), "/* embed */");
  writeFileSync(join(dir, "static/sweep-worker.js"), worker);
  writeFileSync(join(dir, ".hidden"), "not shipped");
  writeFileSync(join(dir, "sw.js"), SW);
  return dir;
}

/** Run the hook on `dir`; returns {build, files} read back from the written sw.js. */
function run(dir) {
  execFileSync("node", [join(REPO, "scripts/sw-precache.mjs"), dir], {
    env: { ...process.env, TRUNK_SOURCE_DIR: REPO },
    stdio: "pipe",
  });
  const sw = readFileSync(join(dir, "sw.js"), "utf8");
  const build = sw.match(/const BUILD = "([0-9a-f]{16})";/)?.[1];
  const files = JSON.parse(sw.match(/const FILES = (\[.*\]);/)[1]);
  return { build, files };
}

test("every file but sw.js and dotfiles is precached, relative to sw.js", () => {
  const { build, files } = run(stage());
  assert.match(build, /^[0-9a-f]{16}$/);
  assert.deepEqual(files, [
    "./",
    "app-0123456789abcdef.css",
    "embed.js",
    "eop-0123456789abcdef_bg.wasm",
    "index.html",
    "static/sweep-worker.js",
  ]);
});

test("the build hash: same build, same hash; another file's content, another hash", () => {
  const a = run(stage()).build;
  assert.equal(run(stage()).build, a, "deterministic");
  assert.notEqual(run(stage({ wasm: "wasm-2" })).build, a, "a changed file");
  // What csp-hash.mjs / worker-glue.mjs write in concurrently does not matter.
  assert.equal(run(stage({ index: "<html>a + csp hash</html>", worker: "const GLUE = 'glue-abc.js';" })).build, a);
  const extra = stage();
  writeFileSync(join(extra, "static/new.txt"), "x");
  assert.notEqual(run(extra).build, a, "an added file");
});

test("a staged sw.js without the placeholders fails the build", () => {
  const dir = stage();
  cpSync(join(dir, "index.html"), join(dir, "sw.js"));
  assert.throws(() => run(dir));
});
