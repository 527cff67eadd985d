// The lessons `make scorm` packages by default are read from src/course/lessons/ (file-name
// order, the teaching order build.rs compiles into the app), so there is no list to keep.
// This checks what that reading gives: one lesson per scenario folder, each id once, and
// the ids the app's lesson links use.
import { strict as assert } from "node:assert";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./lib.mjs";
import { defaultLessons } from "../../scripts/scorm.mjs";

test("the SCORM package's default lessons are every lesson of the course, one per scenario, in order", () => {
  const list = defaultLessons(REPO);
  assert.equal(new Set(list).size, list.length, "no lesson twice");
  const files = readdirSync(join(REPO, "src/course/lessons")).filter((f) => f.endsWith(".json")).sort();
  assert.deepEqual(
    list,
    files.map((f) => f.replace(/^\d+-/, "").replace(/\.json$/, "")),
    "each lesson file is NN-<id>.json, in teaching order",
  );
  const dir = join(REPO, "src/sim/scenarios");
  const scenarios = readdirSync(dir).filter((d) => existsSync(join(dir, d, "text.json")));
  assert.equal(list.length, scenarios.length, "one lesson per scenario folder");
  assert.ok(list.includes("two-generals") && list.includes("quarter-end"), list.join(" "));
});
