// The SCORM packages in a stand-in LMS: a host page provides the LMS API from scorm-again
// (Scorm12API on window.API, Scorm2004API on window.API_1484_11), frames the package's
// entry point (scorm/launch.html), a lesson is driven to completion, and the test reads what
// the LMS recorded (status, score, suspend_data, session time), then relaunches with that
// data and checks the learner is back at the saved step.
//
// Two apps: a stub (tests/e2e/fixtures/stub-app.html, speaking the host-page protocol on
// command) tests the adapter's logic on its own; the real dist/ is used once it has the
// lessons and the host-page API (the final test fails, with a message, until then).
// Without any API the packaged app mounts and runs without a console error.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import vm from "node:vm";
import { DIST, REPO, assertClean, launch, newPage } from "./lib.mjs";
import { serve } from "./server.mjs";
import { build, options, promptLabel } from "../../scripts/scorm.mjs";

const here = join(REPO, "tests/e2e");
const ctx = {};
vm.runInNewContext(readFileSync(join(REPO, "scorm/adapter.js"), "utf8"), ctx);
const { decode } = ctx.EOPScorm;
const plain = (x) => JSON.parse(JSON.stringify(x));
const TIMEOUT = 30_000;

const root = mkdtempSync(join(tmpdir(), "eop-scorm-lms-"));
let server;
let browser;

/** Build packages of `dist` with `args` and unzip each as root/<name>-<version>/. */
function pkg(name, dist, args) {
  const out = join(root, `.out-${name}`);
  const made = build(options(["--dist", dist, "--out", out, ...args]), { log: () => {} });
  for (const z of made) {
    const dir = join(root, `${name}-${z.version}`);
    mkdirSync(dir, { recursive: true });
    execFileSync("unzip", ["-q", "-o", z.zip, "-d", dir]);
  }
}

before(async () => {
  // The stub app as a whole "dist/".
  const stubDist = join(root, ".stub-dist");
  mkdirSync(stubDist, { recursive: true });
  copyFileSync(join(here, "fixtures/stub-app.html"), join(stubDist, "index.html"));
  const two = ["--lessons", "walkthrough,dedup-window", "--mastery", "80"];
  pkg("stub-lesson", stubDist, [...two, "--sco", "per-lesson"]);
  pkg("stub-course", stubDist, [...two, "--sco", "course"]);
  if (existsSync(join(DIST, "index.html"))) {
    pkg("real-course", DIST, ["--sco", "course"]);
    pkg("real-lesson", DIST, ["--sco", "per-lesson"]);
  }
  // The package exports no file path: the browser bundle is read from its directory.
  copyFileSync(join(here, "node_modules/scorm-again/dist/scorm-again.min.js"), join(root, "scorm-again.min.js"));
  writeFileSync(join(root, "lms.html"), '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>LMS</title>\n<script src="scorm-again.min.js"></script></head><body></body></html>\n');
  writeFileSync(join(root, "no-lms.html"), '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No LMS</title></head><body></body></html>\n');
  server = await serve({ root });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Open the stand-in LMS with a fresh API of SCORM `version` ("12" or "2004"), loaded with
 * `init` (flattened cmi values from an earlier session), and launch `sco` in a frame.
 * Every SetValue/Commit/Initialize/Terminate call is logged with its result and error code.
 */
async function lms(version, sco, init = {}) {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(new URL("lms.html", server.url).href);
  await page.evaluate(
    ({ version, sco, init }) => {
      const v12 = version === "12";
      const api = v12 ? new window.Scorm12API({ logLevel: 5 }) : new window.Scorm2004API({ logLevel: 5 });
      api.loadFromFlattenedJSON(init);
      window.calls = [];
      const names = v12
        ? ["LMSInitialize", "LMSSetValue", "LMSCommit", "LMSFinish"]
        : ["Initialize", "SetValue", "Commit", "Terminate"];
      for (const n of names) {
        const f = api[n].bind(api);
        api[n] = (...a) => {
          const r = f(...a);
          const err = v12 ? api.LMSGetLastError() : api.GetLastError();
          window.calls.push({ n, a, r: String(r), err: String(err) });
          return r;
        };
      }
      window[v12 ? "API" : "API_1484_11"] = api;
      const f = document.createElement("iframe");
      f.id = "sco";
      f.src = sco;
      f.style.cssText = "width: 1240px; height: 860px; border: 0";
      document.body.append(f);
    },
    { version, sco, init },
  );
  return page;
}

/** The launch page's frame, and the app frame inside it (waiting for the app to be there). */
const launchFrame = (page) => page.frames().find((f) => f.url().includes("/scorm/launch.html"));
async function appFrame(page, check = "window.stub && window.stub.state") {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const f = page.frames().find((f) => f.parentFrame() && f.parentFrame() === launchFrame(page) && f.url().includes("/index.html"));
    if (f) {
      try {
        if (await f.evaluate(check)) return f;
      } catch {
        /* navigating */
      }
    }
    if (Date.now() > deadline) throw new Error(`no app frame (${check}) in ${page.frames().map((f) => f.url()).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const stub = async (page, fn, ...args) => (await appFrame(page)).evaluate(([fn, args]) => window.stub[fn](...args), [fn, args]);
const stubState = async (page) => plain(await (await appFrame(page)).evaluate(() => ({ ...window.stub.state, commands: window.stub.commands })));

/** The last value set for every cmi element, and the calls that failed. */
async function recorded(page) {
  const calls = await page.evaluate(() => window.calls);
  const set = {};
  const failed = [];
  for (const c of calls) {
    if (c.n.endsWith("SetValue")) set[c.a[0]] = c.a[1];
    if (c.r !== "true") failed.push(`${c.n}(${c.a.join(", ")}) = ${c.r}, error ${c.err}`);
  }
  return { calls: calls.map((c) => c.n), set, failed };
}

/** Wait until the adapter has committed something satisfying `pred(set)`. */
async function waitSet(page, pred, what) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const r = await recorded(page);
    if (pred(r.set)) return r;
    if (Date.now() > deadline) throw new Error(`${what}: never recorded; last values ${JSON.stringify(r.set)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Close the SCO (the learner leaves: its frame goes away) and return what the LMS kept. */
async function close(page, version) {
  await page.evaluate(() => document.getElementById("sco").remove());
  const fin = version === "12" ? "LMSFinish" : "Terminate";
  await page.waitForFunction((fin) => window.calls.some((c) => c.n === fin), fin);
  const r = await recorded(page);
  assert.deepEqual(r.failed, [], "every SCORM call succeeded");
  assert.equal(r.calls.filter((n) => n === fin).length, 1, `${fin} once`);
  assert.equal(r.calls[0], version === "12" ? "LMSInitialize" : "Initialize", "initialized first");
  const cmi = await page.evaluate((v12) => {
    const a = v12 ? window.API : window.API_1484_11;
    return JSON.parse(JSON.stringify(a.cmi));
  }, version === "12");
  return { ...r, cmi };
}

const progressOf = (set) => plain(decode(set["cmi.suspend_data"]));

test("SCORM 1.2, one SCO per lesson (stub app): status, score, suspend_data; relaunch resumes at the saved step", async () => {
  const sco = new URL("stub-lesson-12/scorm/launch.html?lesson=walkthrough", server.url).href;
  let page = await lms("12", sco);
  assert.deepEqual(await stubState(page).then((s) => [s.lesson, s.step]), ["walkthrough", 1], "the lesson opens at step 1");
  await waitSet(page, (s) => s["cmi.core.lesson_status"] === "incomplete", "incomplete at the start");
  assert.equal((await recorded(page)).set["cmi.core.score.raw"], undefined, "no score before the first answer");
  // Step 2 (a predict question): wrong, then right. Step 4: right at once.
  await stub(page, "go", 2);
  await stub(page, "answer", 1, false);
  await stub(page, "answer", 1, true);
  await stub(page, "go", 3);
  await stub(page, "go", 4);
  await stub(page, "answer", 3, true);
  await waitSet(page, (s) => s["cmi.core.lesson_location"] === "walkthrough/4" && /3R/.test(s["cmi.suspend_data"]), "at step 4 with its answer");
  // Messages the adapter must ignore: another source, another version, bad shapes, and a
  // well-formed one from a window that is not the app's frame.
  await stub(page, "raw", { source: "someone-else", version: 1, type: "lesson", lesson: "walkthrough", step: 1, steps: 6, completed: true, questions: 1 });
  await stub(page, "raw", { source: "exactly-once-playground", version: 2, type: "lesson", lesson: "walkthrough", step: 1, steps: 6, completed: true, questions: 1 });
  await stub(page, "raw", { source: "exactly-once-playground", version: 1, type: "answer", lesson: "walkthrough", step: "3", correct: true });
  await stub(page, "raw", { source: "exactly-once-playground", version: 1, type: "lesson", lesson: "walkthrough", step: 9, steps: 6, completed: true, questions: 5 });
  await stub(page, "raw", "exactly-once-playground");
  await page.evaluate(() => document.getElementById("sco").contentWindow.postMessage({ source: "exactly-once-playground", version: 1, type: "lesson", lesson: "walkthrough", step: 1, steps: 6, completed: true, questions: 5 }, "*"));
  await stub(page, "go", 4); // a real message after the forged ones: they were read first, if at all
  let r = await close(page, "12");
  assert.equal(r.cmi.core.lesson_status, "incomplete");
  assert.equal(r.set["cmi.core.score.raw"], undefined, "no score before the lesson is finished (an LMS would judge it against the mastery score)");
  assert.equal(r.set["cmi.core.exit"], "suspend");
  assert.match(r.set["cmi.core.session_time"], /^\d{4}:\d{2}:\d{2}\.\d{2}$/);
  assert.equal(r.cmi.core.lesson_location, "walkthrough/4");
  const saved = r.cmi.suspend_data;
  assert.deepEqual(progressOf({ "cmi.suspend_data": saved }), {
    cur: { lesson: "walkthrough", step: 4 },
    lessons: { walkthrough: { done: false, step: 4, steps: 6, questions: 5, answers: { 1: ["W"], 3: ["R"] } } },
  });
  assertClean(page);
  await page.close();

  // Relaunch with what the LMS kept: back at step 4, by address and by a `load` command.
  page = await lms("12", sco, { "cmi.suspend_data": saved, "cmi.core.lesson_status": "incomplete", "cmi.core.entry": "resume" });
  let s = await stubState(page);
  assert.deepEqual([s.lesson, s.step], ["walkthrough", 4], "resumed at the saved step");
  s = await (async () => {
    for (let i = 0; i < 100; i++) {
      const x = await stubState(page);
      if (x.commands.length) return x;
      await new Promise((res) => setTimeout(res, 50));
    }
    return stubState(page);
  })();
  assert.deepEqual(s.commands, [{ target: "exactly-once-playground", version: 1, type: "load", link: "?embed=1&lesson=walkthrough&step=4" }]);
  // A retry of an answered question does not change its first answer.
  await stub(page, "answer", 3, false);
  await stub(page, "go", 5);
  await stub(page, "go", 6);
  for (const [q, c] of [[0, true], [1, false], [1, true], [2, true]]) await stub(page, "answer", 5, c, q);
  await stub(page, "complete");
  await waitSet(page, (x) => x["cmi.core.lesson_status"] === "failed", "failed below mastery");
  r = await close(page, "12");
  assert.equal(r.cmi.core.lesson_status, "failed", "3 of 5 = 60 is below the mastery score 80");
  assert.equal(r.cmi.core.score.raw, "60");
  assert.equal(r.set["cmi.core.score.min"], "0");
  assert.equal(r.set["cmi.core.score.max"], "100");
  const p = progressOf({ "cmi.suspend_data": r.cmi.suspend_data });
  assert.equal(p.lessons.walkthrough.done, true);
  assert.deepEqual(p.lessons.walkthrough.answers, { 1: ["W"], 3: ["R"], 5: ["R", "W", "R"] });
  assertClean(page);
  await page.close();
});

test("SCORM 2004, one SCO for the course (stub app): lesson picker, completion, success, scaled score; relaunch resumes", async () => {
  const sco = new URL("stub-course-2004/scorm/launch.html", server.url).href;
  let page = await lms("2004", sco);
  assert.deepEqual(await stubState(page).then((s) => [s.lesson, s.step]), ["walkthrough", 1], "the course opens at its first lesson");
  // The whole of lesson 1, every question right at once (no `question` field on predicts).
  await stub(page, "go", 2);
  await stub(page, "answer", 1, true);
  await stub(page, "go", 4);
  await stub(page, "answer", 3, true);
  await stub(page, "go", 6);
  for (const q of [0, 1, 2]) await stub(page, "answer", 5, true, q);
  await stub(page, "complete");
  await waitSet(page, (x) => x["cmi.progress_measure"] === "0.5", "one lesson of two");
  // The next lesson through the launch page's button: a `load` command.
  await launchFrame(page).click("#next-lesson");
  await appFrame(page, "window.stub && window.stub.state.lesson === 'dedup-window'");
  let s = await stubState(page);
  assert.deepEqual(s.commands.at(-1), { target: "exactly-once-playground", version: 1, type: "load", link: "?embed=1&lesson=dedup-window&step=1" });
  await stub(page, "go", 2);
  await stub(page, "answer", 1, true);
  await stub(page, "go", 3);
  await waitSet(page, (x) => x["cmi.location"] === "dedup-window/3", "at dedup-window step 3");
  assert.equal(await launchFrame(page).$eval("#lesson-pick", (el) => el.value), "dedup-window");
  assert.equal(await launchFrame(page).$eval("#summary", (el) => el.textContent), "1 of 2 lessons complete · 6 questions right on the first try");
  let r = await close(page, "2004");
  assert.equal(r.cmi.completion_status, "incomplete");
  assert.equal(r.cmi.success_status, "unknown");
  assert.equal(r.set["cmi.score.scaled"], undefined, "no score before the course is finished");
  assert.equal(r.set["cmi.score.raw"], undefined);
  assert.equal(r.set["cmi.exit"], "suspend");
  assert.match(r.set["cmi.session_time"], /^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$/);
  const saved = r.cmi.suspend_data;
  assertClean(page);
  await page.close();

  page = await lms("2004", sco, { "cmi.suspend_data": saved, "cmi.completion_status": "incomplete" });
  s = await stubState(page);
  assert.deepEqual([s.lesson, s.step], ["dedup-window", 3], "resumed at the saved lesson and step");
  assert.equal(await launchFrame(page).$eval("#lesson-pick", (el) => el.value), "dedup-window");
  await stub(page, "answer", 3, true);
  await stub(page, "go", 6);
  for (const q of [0, 1, 2]) await stub(page, "answer", 5, true, q);
  await stub(page, "complete");
  await waitSet(page, (x) => x["cmi.success_status"] === "passed", "passed");
  // An app that refuses a lesson `load`: the launch page opens the lesson by address.
  await (await appFrame(page)).evaluate(() => (window.stub.refuseLoad = true));
  await launchFrame(page).selectOption("#lesson-pick", "walkthrough");
  await appFrame(page, "window.stub && window.stub.state.lesson === 'walkthrough' && window.stub.commands.length === 0");
  s = await stubState(page);
  assert.equal(s.step, 6, "the lesson's last step");
  r = await close(page, "2004");
  assert.equal(r.cmi.completion_status, "completed");
  assert.equal(r.cmi.success_status, "passed");
  assert.equal(Number(r.cmi.score.scaled), 1);
  assert.equal(r.set["cmi.score.raw"], "100", "10 of 10 right on the first try");
  assert.equal(r.set["cmi.progress_measure"], "1");
  assertClean(page);
  await page.close();
});

test("a status the LMS holds as final is not set back; an unknown ?lesson= shows the course (stub app)", async () => {
  const page = await lms("12", new URL("stub-course-12/scorm/launch.html?lesson=nope", server.url).href, { "cmi.core.lesson_status": "passed" });
  assert.deepEqual(await stubState(page).then((s) => [s.lesson, s.step]), ["walkthrough", 1], "the course's first lesson");
  assert.match(await launchFrame(page).$eval("#lms-note", (el) => el.textContent), /no lesson 'nope'; showing the course/);
  await stub(page, "go", 2);
  await stub(page, "answer", 1, true);
  await waitSet(page, (x) => /1R/.test(x["cmi.suspend_data"] ?? ""), "the answer recorded");
  // An app that does not answer a `load` at all: after a while the lesson opens by address.
  await (await appFrame(page)).evaluate(() => (window.stub.ignoreLoad = true));
  await launchFrame(page).click("#next-lesson");
  await appFrame(page, "window.stub && window.stub.state.lesson === 'dedup-window' && window.stub.commands.length === 0");
  const r = await close(page, "12");
  assert.equal(r.set["cmi.core.lesson_status"], undefined, "lesson_status never written");
  assert.equal(r.cmi.core.lesson_status, "passed");
  assertClean(page);
  await page.close();
});

test("without any LMS API the package runs and reports nothing (stub app)", async () => {
  // bypassCSP: for axe's injected script only (the other tests run under the page's CSP).
  const page = await newPage(browser, { context: { bypassCSP: true } });
  await page.goto(new URL("no-lms.html", server.url).href);
  await page.evaluate((src) => {
    const f = document.createElement("iframe");
    f.id = "sco";
    f.src = src;
    document.body.append(f);
  }, new URL("stub-course-12/scorm/launch.html", server.url).href);
  const s = await stubState(page);
  assert.deepEqual([s.lesson, s.step], ["walkthrough", 1]);
  assert.match(await launchFrame(page).$eval("#lms-note", (el) => el.textContent), /No learning platform found/);
  await launchFrame(page).selectOption("#lesson-pick", "dedup-window");
  await appFrame(page, "window.stub && window.stub.state.lesson === 'dedup-window'");
  assert.deepEqual((await stubState(page)).commands, [], "no commands without an LMS");
  // axe on the launch page: nothing serious.
  await launchFrame(page).addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
  const violations = await launchFrame(page).evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`));
  assert.deepEqual(violations, [], "axe on scorm/launch.html");
  assertClean(page);
  await page.close();
});

test("without any LMS API the packaged real app mounts and runs (no console error)", async () => {
  assert.ok(existsSync(join(DIST, "index.html")), `no ${DIST}/index.html: run 'make build' first`);
  for (const sco of ["real-course-12/scorm/launch.html", "real-lesson-2004/scorm/launch.html?lesson=walkthrough"]) {
    const page = await newPage(browser);
    await page.goto(new URL(sco, server.url).href);
    const app = await appFrame(page, "!!document.querySelector('#app-root')");
    await app.waitForSelector("[data-tick]", { timeout: TIMEOUT });
    await app.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    assert.match(await launchFrame(page).$eval("#lms-note", (el) => el.textContent), /No learning platform found/);
    assertClean(page, sco);
    await page.close();
  }
});

/** 2004's description of an answer: the prompt (templates as "…"), cut to fit 250 characters with the misconception. */
function describe(prompt, mis) {
  const tail = mis ? ` (misconception: ${mis})` : "";
  const label = promptLabel(prompt);
  const room = 250 - tail.length;
  return (label.length <= room ? label : label.slice(0, room - 1) + "\u2026") + tail;
}

/** A misconception name in kebab-case (as src/ui/host/mod.rs derives the id). */
const kebab = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");

/**
 * The interactions the real app's answers (`log`, in order) made the adapter record: one
 * per answer, with the question's id, the response (SCORM 1.2: the option's letter in
 * the lesson file's order; 2004: the misconception id of a wrong option, else the option
 * id), the right answer, the result and the misconception, from the lesson file.
 */
function checkRealInteractions(version, log, set, id = "walkthrough") {
  const v12 = version === "12";
  const lesson = lessonFile(id);
  const got = interactionsOf(set);
  assert.deepEqual(Object.keys(got).map(Number), log.map((_, i) => i), `one record per answer (${log.length})`);
  log.forEach((a, n) => {
    if (a.build) {
      const rec = got[n];
      assert.deepEqual([rec.id, rec.type, rec.result], [`urn:eop:workbench:${a.build}`, v12 ? "performance" : "other", "correct"], `${id}: the challenge met`);
      assert.match(v12 ? rec.student_response : rec.learner_response, /^begin,lookup:msg-id,/);
      return;
    }
    if (a.yesno) {
      // A predict-space answer: true-false, its id the step's like any lesson question.
      const rec = got[n];
      const tf = (x) => (v12 ? (x === "yes" ? "t" : "f") : x === "yes" ? "true" : "false");
      const what = `SCORM ${version}, ${id} answer ${n}: ${JSON.stringify(a)} → ${JSON.stringify(rec)}`;
      assert.equal(lesson.steps[a.step - 1].kind, "predict-space", what);
      assert.deepEqual(
        [rec.id, rec.type, v12 ? rec.student_response : rec.learner_response, rec["correct_responses.0.pattern"], rec.result],
        [`urn:eop:${id}:s${a.step}:q0`, "true-false", tf(a.yesno), tf(a.right), a.correct ? "correct" : v12 ? "wrong" : "incorrect"],
        what,
      );
      if (!v12) assert.equal(rec.description, `Can it ever happen? (${lesson.steps[a.step - 1].space})`, what);
      return;
    }
    const st = lesson.steps[a.step - 1];
    const q = st.question ? [st.question][a.q] : st.questions[a.q];
    const rec = got[n];
    assert.ok(q && rec, `${id} step ${a.step} q${a.q}: a question of the lesson file, and a record (${n})`);
    const what = `SCORM ${version}, ${id} answer ${n}: ${JSON.stringify(a)} → ${JSON.stringify(rec)}`;
    assert.equal(rec.id, `urn:eop:${id}:s${a.step}:q${a.q}`, what);
    assert.equal(rec.result, a.correct ? "correct" : v12 ? "wrong" : "incorrect", what);
    const response = v12 ? rec.student_response : rec.learner_response;
    if (a.option !== undefined) {
      const opt = q.options.find((o) => o.id === a.option);
      const mis = a.correct ? null : (opt.misconception_id ?? (opt.misconception ? kebab(opt.misconception) : null));
      const right = log.find((b) => b.step === a.step && b.q === a.q && b.correct).option;
      const letter = (id) => String.fromCharCode(97 + q.options.findIndex((o) => o.id === id));
      assert.equal(rec.type, "choice", what);
      assert.equal(response, v12 ? letter(a.option) : (mis ?? a.option), what);
      assert.equal(rec["correct_responses.0.pattern"], v12 ? letter(right) : right, what);
      assert.equal(rec["objectives.0.id"], mis ? `urn:eop:misconception:${mis}` : undefined, what);
      if (!v12) assert.equal(rec.description, describe(q.prompt, mis), what);
    } else {
      assert.equal(rec.type, "numeric", what);
      assert.equal(response, String(a.number), what);
      const right = log.find((b) => b.step === a.step && b.q === a.q && b.correct).number;
      assert.equal(rec["correct_responses.0.pattern"], v12 ? String(right) : `${right}[:]${right}`, what);
      assert.equal(rec["objectives.0.id"], undefined, `${what}: -987654 is no named misconception`);
      if (!v12) assert.equal(rec.description, describe(q.prompt, null), what);
    }
  });
  // Every wrong option the learner tried showed a misconception, and at least one was recorded.
  assert.ok(log.some((a) => !a.correct && a.option !== undefined), "the walk answered some option wrong");
}

/** Whether the packaged real app has the lessons and the host-page API. */
async function realAppHasLessons() {
  if (!existsSync(join(DIST, "index.html"))) return false;
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  if (!html.includes("exactly-once-playground")) return false;
  const page = await newPage(browser);
  try {
    await page.goto(new URL("real-lesson-12/index.html?embed=1&lesson=walkthrough&step=1", server.url).href);
    await page.waitForSelector("[data-lesson], [data-lesson-panel]", { timeout: TIMEOUT });
    return true;
  } catch {
    return false;
  } finally {
    await page.close();
  }
}

/**
 * Take the lesson in the real app frame to its end: each question's options in order until
 * one is right (a number question: a wrong number, then the right one). Returns how many
 * questions there were and how many were right on the first try.
 */
/** The lesson file of `id` (src/course/lessons/NN-<id>.json). */
function lessonFile(id) {
  const dir = join(REPO, "src/course/lessons");
  const f = readdirSync(dir).find((n) => n.endsWith(`-${id}.json`));
  return JSON.parse(readFileSync(join(dir, f), "utf8"));
}

/** Set a try step's own controls ([data-step-controls]) to its show_me parameters. */
async function useStepControls(app, id, step) {
  const params = lessonFile(id).steps[step - 1].show_me?.params ?? {};
  assert.ok(Object.keys(params).length > 0, `${id} step ${step}: a try step whose show_me sets parameters`);
  for (const [name, value] of Object.entries(params)) {
    const el = app.locator(`[data-step-controls] [data-param="${name}"]`);
    assert.equal(await el.count(), 1, `${id} step ${step}: the control ${name} is inside the step panel`);
    const type = await el.evaluate((e) => (e.tagName === "SELECT" ? "select" : e.type));
    if (type === "checkbox") {
      if ((await el.isChecked()) !== (value !== 0)) await app.locator(`[data-step-controls] label.switch:has([data-param="${name}"])`).click();
    } else if (type === "select") {
      await el.selectOption(String(value));
    } else {
      await el.fill(String(value));
      await el.dispatchEvent("change");
    }
  }
}

async function takeRealLesson(page, { stopAt = Infinity, log = [], lessonId = "walkthrough" } = {}) {
  let questions = 0;
  let firstRight = 0;
  let tries = 0;
  for (let guard = 0; guard < 14; guard++) {
    const app = await appFrame(page, "!!document.querySelector('[data-step]')");
    const { step, kind } = await app.$eval("[data-step]", (el) => ({ step: el.dataset.step, kind: el.dataset.stepKind ?? "done" }));
    if (kind === "done" || Number(step) >= stopAt) return { questions, firstRight, step, tries };
    if (kind === "predict" || kind === "recall" || kind === "observe") {
      const qs = await app.$$eval("[data-question]", (els) => els.map((el) => ({ q: el.dataset.question, options: [...el.querySelectorAll("[data-option]")].map((o) => o.dataset.option) })));
      for (const { q, options } of qs) {
        questions++;
        const fb = async () => {
          await app.waitForSelector(`[data-question="${q}"] [data-feedback]`);
          return app.$eval(`[data-question="${q}"] [data-feedback]`, (el) => ({ correct: el.dataset.correct === "true", right: el.dataset.right }));
        };
        if (options.length === 0) {
          await app.fill(`[data-question="${q}"] input[data-answer]`, "-987654");
          await app.click(`[data-question="${q}"] [data-action="answer"]`);
          const f = await fb();
          assert.equal(f.correct, false);
          log.push({ step: Number(step), q: Number(q), number: -987654, correct: false });
          await app.fill(`[data-question="${q}"] input[data-answer]`, f.right);
          await app.click(`[data-question="${q}"] [data-action="answer"]`);
          await app.waitForSelector(`[data-question="${q}"] [data-feedback][data-correct="true"]`);
          log.push({ step: Number(step), q: Number(q), number: Number(f.right), correct: true });
        } else {
          for (const [i, o] of options.entries()) {
            await app.click(`[data-question="${q}"] [data-option="${o}"]`);
            await app.waitForFunction(([q, o]) => document.querySelector(`[data-question="${q}"] [data-option="${o}"]`)?.getAttribute("aria-pressed") === "true", [q, o]);
            const f = await fb();
            log.push({ step: Number(step), q: Number(q), option: o, correct: f.correct });
            if (f.correct) {
              if (i === 0) firstRight++;
              break;
            }
          }
        }
      }
    }
    if (kind === "predict-space") {
      // "Can it ever happen?": one answer (yes), judged by the exhaustive check in the page.
      questions++;
      await app.click('[data-question="0"] [data-option="yes"]');
      await app.waitForSelector('[data-question="0"] [data-feedback]');
      const f = await app.$eval('[data-question="0"] [data-feedback]', (el) => ({ correct: el.dataset.correct === "true", right: el.dataset.right }));
      if (f.correct) firstRight++;
      log.push({ step: Number(step), q: 0, yesno: "yes", right: f.right, correct: f.correct });
    }
    if (kind === "try") {
      // The real controls inside the step panel, set to the step's show_me values (never "Show me").
      assert.equal(await app.locator('[data-action="show-me"]').count() > 0, true, `${lessonId} step ${step}: a try step (Show me is there, and not used)`);
      await useStepControls(app, lessonId, Number(step));
      await app.waitForSelector('[data-step-controls] [data-feedback][data-correct="true"]', { timeout: TIMEOUT });
      assert.match(await app.$eval('[data-step-controls] [data-feedback][data-correct="true"]', (el) => el.textContent), /You did it/, `${lessonId} step ${step}`);
      tries++;
    }
    if (kind === "build") {
      // A build step: its starting handler breaks; after two checks, "Show me a solution", which holds.
      for (let i = 0; i < 2; i++) await app.click('[data-action="build-check"]');
      await app.click('[data-action="build-show-me"]');
      await app.click('[data-action="build-check"]');
      await app.waitForSelector('.wb-build [data-wb-verdict][data-holds="true"]');
      // The challenge met is one more interaction (the checks that broke are not).
      if (log) log.push({ build: await app.$eval("[data-wb-build]", (el) => el.dataset.wbBuild), step: Number(step) });
    }
    await app.click('[data-action="next-step"]:not([disabled])', { timeout: TIMEOUT });
    await app.waitForFunction((n) => {
      const el = document.querySelector("[data-step]");
      return el && (el.dataset.step === String(n) || el.dataset.step === "done");
    }, Number(step) + 1);
  }
  throw new Error("the lesson did not end");
}

/** The lessons the app compiles in, in teaching order (src/course/lessons/*.json). */
const LESSON_IDS = readdirSync(join(REPO, "src/course/lessons"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(REPO, "src/course/lessons", f), "utf8")).id);

/**
 * Every lesson of the course in the real app, packaged one SCO per lesson, under
 * scorm-again's SCORM `version`: taken to its end (questions: each option in order until
 * one is right; try steps: the real controls inside the step panel, never "Show me"),
 * then the status, score and the `cmi.interactions.n` records checked against the
 * lesson file. Returns a line per lesson (questions, records).
 */
async function everyLessonInTheLms(version) {
  assert.ok(
    await realAppHasLessons(),
    "dist/ does not have the lessons and the host-page API (no [data-lesson] hook after loading ?embed=1&lesson=walkthrough): run 'make build'.",
  );
  assert.equal(LESSON_IDS.length, 14, "14 lessons");
  const lines = [];
  for (const id of LESSON_IDS) {
    const sco = new URL(`real-lesson-${version}/scorm/launch.html?lesson=${id}`, server.url).href;
    const page = await lms(version, sco);
    const log = [];
    const { questions, firstRight, tries } = await takeRealLesson(page, { log, lessonId: id });
    assert.ok(questions > 0, `${id}: a lesson with questions`);
    const raw = Math.round((100 * firstRight) / questions);
    const status = raw >= 80 ? "passed" : "failed";
    await waitSet(page, (x) => (version === "12" ? x["cmi.core.lesson_status"] === status : x["cmi.completion_status"] === "completed"), `${id}: the lesson completes`);
    const r = await close(page, version);
    const p = progressOf({ "cmi.suspend_data": r.cmi.suspend_data });
    assert.equal(p.lessons[id].done, true, `${id}: done`);
    assert.equal(p.lessons[id].questions, questions, `${id}: the lesson message's question count`);
    checkRealInteractions(version, log, r.set, id);
    if (version === "12") {
      assert.equal(r.cmi.core.lesson_status, status, id);
      assert.equal(r.cmi.core.score.raw, String(raw), `${id}: ${firstRight} of ${questions} right on the first try`);
    } else {
      assert.equal(r.cmi.completion_status, "completed", id);
      assert.equal(r.cmi.success_status, status, id);
      assert.equal(Number(r.cmi.score.scaled), raw / 100, id);
    }
    lines.push(`${id}: ${questions} questions, ${log.length} interaction records, ${tries} try step(s) done with the step's own controls`);
    assertClean(page);
    await page.close();
  }
  console.log(`SCORM ${version}, every lesson:\n  ${lines.join("\n  ")}`);
}

test("the real app under SCORM 1.2: every lesson to completion (try steps with the step's own controls), its interactions recorded", async () => {
  await everyLessonInTheLms("12");
});

test("the real app under SCORM 2004: every lesson to completion (try steps with the step's own controls), its interactions recorded", async () => {
  await everyLessonInTheLms("2004");
});

test("the real app: SCORM 1.2 and 2004, a learner who stops at step 3 is back at step 3 on relaunch", async () => {
  assert.ok(await realAppHasLessons(), "dist/ does not have the lessons and the host-page API: run 'make build'.");
  for (const version of ["12", "2004"]) {
    const sco = new URL(`real-lesson-${version}/scorm/launch.html?lesson=walkthrough`, server.url).href;
    let page = await lms(version, sco);
    await takeRealLesson(page, { stopAt: 3 });
    await waitSet(page, (x) => (x["cmi.core.lesson_location"] ?? x["cmi.location"]) === "walkthrough/3", "at step 3");
    const r = await close(page, version);
    assertClean(page);
    await page.close();
    page = await lms(version, sco, { "cmi.suspend_data": r.cmi.suspend_data });
    const app = await appFrame(page, "!!document.querySelector('[data-step]')");
    await app.waitForSelector('[data-step="3"]', { timeout: TIMEOUT });
    assertClean(page);
    await page.close();
  }
});

/** The interaction records SetValue'd, as {n: {element: value}} (from the call log). */
function interactionsOf(set) {
  const out = {};
  for (const [k, v] of Object.entries(set)) {
    const m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(k);
    if (m) (out[m[1]] ??= {})[m[2]] = v;
  }
  return out;
}

test("interactions (stub app): an answer wrong then right is recorded per answer, with the misconception; SCORM 1.2 and 2004 under scorm-again", async () => {
  const prompt = "After both copies of txn-3, what does the naive handler show for m-B?";
  const wrong = { kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" };
  const right = { kind: "choice", response: "right", correctResponse: "right", misconception: null };
  const numWrong = { kind: "number", response: 5, correctResponse: 6, misconception: "counting-payments-not-entries" };
  for (const version of ["12", "2004"]) {
    const v12 = version === "12";
    const sco = new URL(`stub-lesson-${version}/scorm/launch.html?lesson=walkthrough`, server.url).href;
    // An LMS that already holds two records of an earlier session (2004 reads them back).
    const init = v12 ? {} : { "cmi.interactions.0.id": "urn:eop:walkthrough:s2:q0", "cmi.interactions.0.type": "choice", "cmi.interactions.1.id": "urn:eop:walkthrough:s4:q0", "cmi.interactions.1.type": "choice" };
    const page = await lms(version, sco, init);
    const first = v12 ? 0 : 2;
    await stub(page, "go", 2);
    await stub(page, "answer", 2, false, 0, wrong);
    await stub(page, "answer", 2, true, 0, right);
    await stub(page, "go", 6);
    await stub(page, "answer", 7, false, 1, numWrong);
    // An answer without what was answered (an older app): scored, not recorded.
    await stub(page, "answer", 7, true, 1);
    await stub(page, "go", 5); // read after the answers (messages arrive in order)
    await waitSet(page, (x) => (x["cmi.core.lesson_location"] ?? x["cmi.location"]) === "walkthrough/5", "after the answers");
    const r = await close(page, version);
    const got = interactionsOf(r.set);
    assert.deepEqual(Object.keys(got).map(Number), [first, first + 1, first + 2], "one record per answer that says what was answered");
    const strip = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "time" && k !== "timestamp"));
    if (v12) {
      assert.deepEqual(strip(got[0]), { id: "urn:eop:walkthrough:s2:q0", "objectives.0.id": "urn:eop:misconception:the-copy-cancels-out", type: "choice", "correct_responses.0.pattern": "b", student_response: "c", result: "wrong" });
      assert.deepEqual(strip(got[1]), { id: "urn:eop:walkthrough:s2:q0", type: "choice", "correct_responses.0.pattern": "b", student_response: "b", result: "correct" });
      assert.deepEqual(strip(got[2]), { id: "urn:eop:walkthrough:s7:q1", "objectives.0.id": "urn:eop:misconception:counting-payments-not-entries", type: "numeric", "correct_responses.0.pattern": "6", student_response: "5", result: "wrong" });
      for (const n of [0, 1, 2]) assert.match(got[n].time, /^\d{2}:\d{2}:\d{2}$/);
    } else {
      const numPrompt = promptLabel(lessonFile("walkthrough").steps[6].questions[1].prompt);
      assert.deepEqual(strip(got[2]), { id: "urn:eop:walkthrough:s2:q0", "objectives.0.id": "urn:eop:misconception:the-copy-cancels-out", type: "choice", "correct_responses.0.pattern": "right", learner_response: "the-copy-cancels-out", result: "incorrect", description: `${prompt} (misconception: the-copy-cancels-out)` });
      assert.deepEqual(strip(got[3]), { id: "urn:eop:walkthrough:s2:q0", type: "choice", "correct_responses.0.pattern": "right", learner_response: "right", result: "correct", description: prompt });
      assert.deepEqual(strip(got[4]), { id: "urn:eop:walkthrough:s7:q1", "objectives.0.id": "urn:eop:misconception:counting-payments-not-entries", type: "numeric", "correct_responses.0.pattern": "6[:]6", learner_response: "5", result: "incorrect", description: `${numPrompt} (misconception: counting-payments-not-entries)` });
      for (const n of [2, 3, 4]) assert.match(got[n].timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\dZ$/);
      // What the LMS holds: the earlier records, then these.
      const held = r.cmi.interactions;
      assert.deepEqual(Object.keys(held), ["0", "1", "2", "3", "4"]);
      assert.deepEqual(Object.values(held).map((x) => x.id), ["urn:eop:walkthrough:s2:q0", "urn:eop:walkthrough:s4:q0", "urn:eop:walkthrough:s2:q0", "urn:eop:walkthrough:s2:q0", "urn:eop:walkthrough:s7:q1"]);
      assert.deepEqual([held[2].learner_response, held[2].result, held[2].objectives["0"].id, held[2].correct_responses["0"].pattern], ["the-copy-cancels-out", "incorrect", "urn:eop:misconception:the-copy-cancels-out", "right"]);
      assert.deepEqual([held[4].type, held[4].learner_response, held[4].correct_responses["0"].pattern], ["numeric", "5", "6[:]6"]);
    }
    // The score is unchanged by the records: first answers count.
    const p = progressOf({ "cmi.suspend_data": r.cmi.suspend_data });
    assert.deepEqual(p.lessons.walkthrough.answers, { 2: ["W"], 7: ["_", "W"] });
    assertClean(page);
    await page.close();
  }
});

test("a workbench challenge met is an interaction (stub app): once per challenge; a check that breaks, or free play, is not recorded; SCORM 1.2 and 2004", async () => {
  const wb = (fields) => ({ source: "exactly-once-playground", version: 1, type: "workbench", k: 2, schedules: 900, breaking: 0, verdict: "holds", ...fields });
  const handler = "apply:add-if-newer,commit-offset";
  for (const version of ["12", "2004"]) {
    const v12 = version === "12";
    const sco = new URL(`stub-lesson-${version}/scorm/launch.html?lesson=walkthrough`, server.url).href;
    const page = await lms(version, sco);
    await stub(page, "go", 2);
    await stub(page, "raw", wb({ challenge: "no-transaction", handler: "apply:add,commit-offset", holds: false, met: false, breaking: 3 }));
    await stub(page, "raw", wb({ challenge: null, handler, holds: true, met: true }));
    await stub(page, "raw", wb({ challenge: "no-transaction", handler: "BAD TEXT", holds: true, met: true }));
    await stub(page, "raw", wb({ challenge: "no-transaction", handler, holds: true, met: true }));
    await stub(page, "raw", wb({ challenge: "no-transaction", handler, holds: true, met: true }));
    await stub(page, "go", 3); // read after the messages (they arrive in order)
    await waitSet(page, (x) => (x["cmi.core.lesson_location"] ?? x["cmi.location"]) === "walkthrough/3", "after the checks");
    const r = await close(page, version);
    const got = interactionsOf(r.set);
    assert.deepEqual(Object.keys(got), ["0"], "one record: the challenge met, once");
    const strip = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "time" && k !== "timestamp"));
    if (v12) {
      assert.deepEqual(strip(got[0]), { id: "urn:eop:workbench:no-transaction", type: "performance", student_response: handler, result: "correct" });
    } else {
      assert.deepEqual(strip(got[0]), {
        id: "urn:eop:workbench:no-transaction",
        type: "other",
        learner_response: handler,
        result: "correct",
        description: "Workbench challenge no-transaction met: the handler holds in every schedule with at most 2 faults",
      });
      assert.equal(r.cmi.interactions["0"].learner_response, handler, "the LMS holds it");
    }
    assertClean(page);
    await page.close();
  }
});

test("practice answers are interactions of their own (stub app): a variant and a 'can it ever happen?' answer recorded in SCORM 1.2 and 2004, never scored; malformed or unknown ones refused", async () => {
  const P = (fields) => ({ source: "exactly-once-playground", version: 1, type: "practice", ...fields });
  const variant = { lesson: "walkthrough", step: 2, question: 0, variant: 7, seed: "123456", params: {}, correct: false, kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" };
  const space = { space: "ledger-first", scenario: "atomic-commit", technique: "non-atomic", faults: 2, correct: true, kind: "yes-no", response: "yes", correctResponse: "yes", schedules: 349, misconception: null };
  const refused = [
    P({ ...variant, seed: 12 }), // a seed is a string of digits
    P({ ...variant, variant: -1 }),
    P({ ...variant, lesson: "Not An Id" }),
    P({ ...variant, step: 0 }),
    P({ ...variant, kind: "yes-no", response: "yes", correctResponse: "no" }), // a variant asks a lesson question
    P({ ...variant, correct: "no" }),
    P({ ...variant, response: "has space" }),
    P({ ...space, kind: "choice" }),
    P({ ...space, response: "maybe" }),
    P({ ...space, correct: false }), // the response is the right one: correct must say so
    P({ ...space, space: "../x" }),
    P({ ...space, faults: 12 }),
    P({ correct: true, kind: "choice", response: "a", correctResponse: "a" }), // neither a lesson nor a question
    { source: "exactly-once-playground", version: 1, type: "practise", ...space }, // an unknown type
  ];
  for (const version of ["12", "2004"]) {
    const v12 = version === "12";
    const sco = new URL(`stub-lesson-${version}/scorm/launch.html?lesson=walkthrough`, server.url).href;
    const page = await lms(version, sco);
    await stub(page, "go", 2);
    await stub(page, "answer", 2, true, 0, { kind: "choice", response: "right", correctResponse: "right", misconception: null });
    for (const m of refused) await stub(page, "raw", m);
    await stub(page, "raw", P(variant));
    await stub(page, "raw", P(space));
    // A variant of a lesson this SCO does not count: not recorded.
    await stub(page, "raw", P({ ...variant, lesson: "dedup-window" }));
    await stub(page, "go", 3); // read after the messages (they arrive in order)
    await waitSet(page, (x) => (x["cmi.core.lesson_location"] ?? x["cmi.location"]) === "walkthrough/3", "after the practice answers");
    const r = await close(page, version);
    const got = interactionsOf(r.set);
    assert.deepEqual(Object.keys(got), ["0", "1", "2"], "the lesson answer, then the two practice answers");
    const strip = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "time" && k !== "timestamp"));
    assert.equal(got[0].id, "urn:eop:walkthrough:s2:q0", "the lesson's own record");
    if (v12) {
      assert.deepEqual(strip(got[1]), { id: "urn:eop:practice:walkthrough:s2:v7", "objectives.0.id": "urn:eop:misconception:the-copy-cancels-out", type: "choice", "correct_responses.0.pattern": "b", student_response: "c", result: "wrong" });
      assert.deepEqual(strip(got[2]), { id: "urn:eop:practice:space:ledger-first", type: "true-false", "correct_responses.0.pattern": "t", student_response: "t", result: "correct" });
    } else {
      const prompt = "After both copies of txn-3, what does the naive handler show for m-B?";
      assert.deepEqual(strip(got[1]), {
        id: "urn:eop:practice:walkthrough:s2:v7",
        "objectives.0.id": "urn:eop:misconception:the-copy-cancels-out",
        type: "choice",
        "correct_responses.0.pattern": "right",
        learner_response: "the-copy-cancels-out",
        result: "incorrect",
        description: `Practice: ${prompt} (misconception: the-copy-cancels-out) (variant 7, seed 123456)`,
      });
      assert.deepEqual(strip(got[2]), { id: "urn:eop:practice:space:ledger-first", type: "true-false", "correct_responses.0.pattern": "true", learner_response: "true", result: "correct", description: "Practice: Can it ever happen? (ledger-first, at most 2 faults)" });
      assert.deepEqual(Object.values(r.cmi.interactions).map((x) => x.id), ["urn:eop:walkthrough:s2:q0", "urn:eop:practice:walkthrough:s2:v7", "urn:eop:practice:space:ledger-first"], "the LMS holds them");
    }
    // Practice never counts: the score's first answers are the lesson's alone.
    const p = progressOf({ "cmi.suspend_data": r.cmi.suspend_data });
    assert.deepEqual(p.lessons.walkthrough.answers, { 2: ["R"] });
    assertClean(page);
    await page.close();
  }
});

test("the real app's practice page in a SCORM package: a due variant and a 'can it ever happen?' answer become interactions of their own, SCORM 1.2 and 2004", async () => {
  assert.ok(await realAppHasLessons(), "dist/ does not have the lessons and the host-page API: run 'make build'.");
  for (const version of ["12", "2004"]) {
    const v12 = version === "12";
    const page = await lms(version, new URL(`real-lesson-${version}/scorm/launch.html?lesson=outbox`, server.url).href);
    // Once every region is in: the app's own progress is written to storage by then (it
    // would overwrite what this test writes next).
    const lessonApp = await appFrame(page, "!!document.querySelector('[data-step]') && !!document.querySelector('[data-mounted]')");
    // The outbox lesson finished earlier: its first varying prediction (step 2) is due now.
    await lessonApp.evaluate(() => localStorage.setItem("eop.lessons", JSON.stringify({
      lessons: { outbox: { step: 6, done: true, answers: {} } },
      practice: { items: { "outbox#1": { lesson: "outbox", step: 1, stage: 0, due: 0, next_variant: 0, right: 0, missed: 0 } } },
    })));
    // The learner opens the practice page from the launch page's bar (the same frame).
    await launchFrame(page).click("#practice-open");
    let app = await appFrame(page, "!!document.querySelector('[data-practice-item]')");
    const k = await app.$eval("[data-practice-item]", (el) => el.dataset.variant);
    await app.click("[data-practice-item] button[data-option]");
    await app.waitForSelector("[data-practice-item] [data-feedback]");
    const correct = (await app.$eval("[data-practice-item] [data-feedback]", (el) => el.dataset.correct)) === "true";
    const vid = `urn:eop:practice:outbox:s2:v${k}`;
    let rec = await waitSet(page, (x) => Object.values(x).includes(vid), "the variant's record");
    let got = Object.values(interactionsOf(rec.set)).find((x) => x.id === vid);
    assert.deepEqual([got.type, got.result], ["choice", correct ? "correct" : v12 ? "wrong" : "incorrect"], vid);
    if (!v12) assert.match(got.description, new RegExp(`^Practice: .+ \\(variant ${k}, seed \\d+\\)$`), got.description);
    // Its "can it ever happen?" question about ledger first (as a link to it opens it).
    await launchFrame(page).evaluate(() => {
      const f = document.getElementById("app");
      f.src = f.src.replace(/\?.*$/, "?embed=1&practice=1&space=ledger-first");
    });
    app = await appFrame(page, "!!document.querySelector('[data-space-question=\"ledger-first\"]')");
    await app.click('[data-space-question="ledger-first"] [data-option="no"]');
    await app.waitForSelector("[data-space-answer]");
    rec = await waitSet(page, (x) => Object.values(x).includes("urn:eop:practice:space:ledger-first"), "the practice record");
    got = Object.values(interactionsOf(rec.set)).find((x) => x.id === "urn:eop:practice:space:ledger-first");
    assert.deepEqual(
      [got.type, v12 ? got.student_response : got.learner_response, got["correct_responses.0.pattern"], got.result],
      ["true-false", v12 ? "f" : "false", v12 ? "t" : "true", v12 ? "wrong" : "incorrect"],
    );
    const r = await close(page, version);
    const p = progressOf({ "cmi.suspend_data": r.cmi.suspend_data });
    assert.deepEqual(p.lessons.outbox?.answers ?? {}, {}, "practice does not score");
    assertClean(page);
    await page.close();
  }
});
