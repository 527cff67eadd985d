// scripts/scorm-lessons.txt (the lessons `make scorm` packages by default, in teaching
// order) must name exactly the lessons compiled into the app: src/course/lessons/*.json
// (file-name order) when the lessons are in this checkout, else the scenarios of
// src/sim/scenarios/mod.rs `all()` (one lesson per scenario, same id, same order).
import { strict as assert } from "node:assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./lib.mjs";
import { defaultLessons } from "../../scripts/scorm.mjs";

/** Scenario ids in the order of scenarios::all(): each `&module::Type` → the id in module.rs. */
function scenarioIds() {
  const dir = join(REPO, "src/sim/scenarios");
  const mod = readFileSync(join(dir, "mod.rs"), "utf8");
  const body = /pub fn all\(\)[^{]*\{\s*&\[([\s\S]*?)\]/.exec(mod);
  assert.ok(body, "scenarios::all() not found in mod.rs");
  return [...body[1].matchAll(/&(\w+)::(\w+)/g)].map(([, m, ty]) => {
    const src = readFileSync(join(dir, `${m}.rs`), "utf8");
    const id = /\bid:\s*"([^"]+)"/.exec(src);
    assert.ok(id, `no id: "…" in ${m}.rs (for ${ty})`);
    return id[1];
  });
}

test("scripts/scorm-lessons.txt names the lessons compiled into the app, in order", () => {
  const list = defaultLessons(REPO);
  assert.equal(new Set(list).size, list.length, "no lesson twice");
  const dir = join(REPO, "src/course/lessons");
  if (existsSync(dir)) {
    const ids = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")).id);
    assert.deepEqual(list, ids, "scripts/scorm-lessons.txt vs src/course/lessons/*.json");
  } else {
    assert.deepEqual(list, scenarioIds(), "scripts/scorm-lessons.txt vs scenarios::all()");
  }
  assert.equal(list.length, 14);
});
