// The SCORM adapter's pure parts (scorm/adapter.js, loaded in a node vm; no browser):
// the suspend_data code (round trip, the worst case of the course under SCORM 1.2's 4,096
// characters), message validation, first-try scoring, status by mastery, time formats and
// API discovery.
import { strict as assert } from "node:assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { REPO } from "./lib.mjs";
import { defaultLessons } from "../../scripts/scorm.mjs";

const ctx = {};
vm.runInNewContext(readFileSync(join(REPO, "scorm/adapter.js"), "utf8"), ctx);
const S = ctx.EOPScorm;
const plain = (x) => JSON.parse(JSON.stringify(x));
const msg = (type, f) => ({ source: "exactly-once-playground", version: 1, type, ...f });

/**
 * Lesson shapes (questions per step) for the worst case: from src/course/lessons/*.json when
 * they are in this checkout, else the course's shape (6 steps: predict at 2 and 4, a recall
 * of three at 6).
 */
function shapes() {
  const dir = join(REPO, "src/course/lessons");
  const files = new Map();
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const l = JSON.parse(readFileSync(join(dir, f), "utf8"));
      files.set(l.id, l.steps.map((s) => (s.kind === "predict" || s.kind === "observe" || s.kind === "predict-space" ? 1 : s.kind === "recall" ? s.questions.length : 0)));
    }
  }
  return defaultLessons(REPO).map((id) => ({ id, steps: files.get(id) ?? [0, 1, 0, 1, 0, 3] }));
}

/** Take every lesson through the adapter's handlers, each question answered wrong then right. */
function worstCase(lessons, { withQuestionField }) {
  const p = S.newProgress();
  for (const l of lessons) {
    const n = l.steps.length;
    const questions = l.steps.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      const m = S.validate(msg("lesson", { lesson: l.id, step: i + 1, steps: n, completed: false, questions }));
      assert.ok(m, `${l.id}: the lesson message is valid`);
      S.onLesson(p, m);
      let ptr = 0;
      for (let q = 0; q < l.steps[i]; q++) {
        for (const correct of [false, true]) {
          const a = S.validate(msg("answer", { lesson: l.id, step: i, correct, ...(withQuestionField ? { question: q } : {}) }));
          assert.ok(a);
          ptr = S.onAnswer(p, a, ptr);
        }
      }
    }
    S.onLesson(p, S.validate(msg("lesson", { lesson: l.id, step: n, steps: n, completed: true, questions })));
  }
  return p;
}

test("suspend_data: the worst case of the whole course fits SCORM 1.2's 4,096 characters", () => {
  const lessons = shapes();
  assert.equal(lessons.length, 14);
  let largest = 0;
  for (const withQuestionField of [true, false]) {
    const p = worstCase(lessons, { withQuestionField });
    const code = S.encode(p);
    largest = Math.max(largest, code.length);
    assert.ok(code.length <= S.SUSPEND_LIMIT_12, `worst case is ${code.length} characters`);
    assert.deepEqual(plain(S.decode(code)), plain(p), "decode(encode(p)) = p");
    const ids = lessons.map((l) => l.id);
    const r = S.report(p, ids, {});
    const total = lessons.reduce((a, l) => a + l.steps.reduce((x, y) => x + y, 0), 0);
    assert.equal(r.asked, total);
    assert.equal(r.right, 0, "every first answer was wrong");
    assert.equal(r.raw, 0);
    assert.equal(r.complete, true);
    assert.equal(S.statusFor(r, 80).status12, "failed");
  }
  // A generous bound beyond the course: 14 lessons of 8 steps, every step four questions.
  const big = worstCase(
    defaultLessons(REPO).map((id) => ({ id, steps: Array(8).fill(4) })),
    { withQuestionField: true },
  );
  const bigCode = S.encode(big);
  assert.ok(bigCode.length <= S.SUSPEND_LIMIT_12, `generous bound is ${bigCode.length} characters`);
  console.log(`suspend_data worst case: ${largest} characters for the course (14 lessons, every question wrong then right); ${bigCode.length} for 14 lessons x 8 steps x 4 questions; limit ${S.SUSPEND_LIMIT_12}`);
});

test("suspend_data: decoding refuses damaged text (a fresh start, never a throw)", () => {
  for (const bad of ["", "x", "e1|", "e2||", "e1|walk.0|", "e1|Walk.1|", "e1||a.x111", "e1||a.c51_", "e1||a.c11_.1Q", "e1||a.c11_.zz", "e1|a.1|b.c11", null, 42]) {
    assert.equal(S.decode(bad), null, `decode(${JSON.stringify(bad)})`);
  }
  assert.deepEqual(plain(S.decode("e1||")), { cur: null, lessons: {} });
  const p = S.decode("e1|walkthrough.4|two-generals.c665.1R.3W.5RWR,walkthrough.i465.1R");
  assert.deepEqual(plain(p.cur), { lesson: "walkthrough", step: 4 });
  assert.equal(p.lessons["two-generals"].done, true);
  assert.equal(S.report(p, ["two-generals", "walkthrough"], {}).right, 4);
});

test("messages: only well-formed ones from the playground are read", () => {
  const good = [
    msg("ready"),
    msg("lesson", { lesson: "walkthrough", step: 2, steps: 6, completed: false, questions: 5 }),
    msg("answer", { lesson: "walkthrough", step: 1, correct: true }),
    msg("answer", { lesson: "walkthrough", step: 1, correct: false, question: 2 }),
  ];
  for (const m of good) assert.ok(S.validate(m), JSON.stringify(m));
  const bad = [
    null,
    "ready",
    [],
    { ...msg("ready"), source: "someone-else" },
    { ...msg("ready"), version: 2 },
    { ...msg("ready"), version: "1" },
    msg("unknown"),
    msg("lesson", { lesson: "Walk Through", step: 1, steps: 6, completed: false, questions: 5 }),
    msg("lesson", { lesson: "walkthrough", step: 7, steps: 6, completed: false, questions: 5 }),
    msg("lesson", { lesson: "walkthrough", step: 0, steps: 6, completed: false, questions: 5 }),
    msg("lesson", { lesson: "walkthrough", step: 1.5, steps: 6, completed: false, questions: 5 }),
    msg("lesson", { lesson: "walkthrough", step: 1, steps: 6, completed: "yes", questions: 5 }),
    msg("lesson", { lesson: "walkthrough", step: 1, steps: 6, completed: false }),
    msg("lesson", { lesson: "walkthrough", step: 1, steps: 99, completed: false, questions: 5 }),
    msg("answer", { lesson: "walkthrough", step: 1, correct: 1 }),
    msg("answer", { lesson: "walkthrough", step: -1, correct: true }),
    msg("answer", { lesson: "walkthrough", step: 1, correct: true, question: "0" }),
    msg("answer", { lesson: "x".repeat(65), step: 1, correct: true }),
  ];
  for (const m of bad) assert.equal(S.validate(m), null, JSON.stringify(m));
});

test("score: the first answer to each question counts; status by mastery", () => {
  const p = S.newProgress();
  S.onLesson(p, S.validate(msg("lesson", { lesson: "outbox", step: 2, steps: 6, completed: false, questions: 5 })));
  // Predict at step 1 (0-based in the answer): wrong, then right -> W.
  let ptr = S.onAnswer(p, S.validate(msg("answer", { lesson: "outbox", step: 1, correct: false })), 0);
  assert.equal(ptr, 0, "a wrong answer stays on the question");
  ptr = S.onAnswer(p, S.validate(msg("answer", { lesson: "outbox", step: 1, correct: true })), ptr);
  assert.equal(ptr, 1);
  // Recall at step 5 with question indexes: q0 right, q1 wrong then right, q2 right.
  for (const [q, c] of [[0, true], [1, false], [1, true], [2, true], [0, false]]) {
    S.onAnswer(p, S.validate(msg("answer", { lesson: "outbox", step: 5, correct: c, question: q })), 0);
  }
  assert.deepEqual(plain(p.lessons.outbox.answers), { 1: ["W"], 5: ["R", "W", "R"] });
  let r = S.report(p, ["outbox"], {});
  assert.deepEqual([r.right, r.asked, r.raw, r.complete], [2, 5, 40, false]);
  assert.deepEqual(plain(S.statusFor(r, 80)), { completion: "incomplete", success: "unknown", status12: "incomplete" });
  S.onLesson(p, S.validate(msg("lesson", { lesson: "outbox", step: 6, steps: 6, completed: true, questions: 5 })));
  r = S.report(p, ["outbox"], {});
  assert.equal(S.statusFor(r, 80).status12, "failed");
  assert.equal(S.statusFor(r, 40).status12, "passed", "at the mastery score is a pass");
  assert.equal(S.statusFor(r, null).status12, "completed");
  // A lesson the app has not reported yet counts with the package's question count.
  r = S.report(p, ["outbox", "walkthrough"], { walkthrough: 5 });
  assert.deepEqual([r.asked, r.raw, r.complete], [10, 20, false]);
  // Unknown everywhere: no score yet.
  assert.equal(S.report(S.newProgress(), ["walkthrough"], {}).raw, null);
});

test("time: SCORM 1.2 timespan and SCORM 2004 duration", () => {
  assert.equal(S.timespan12(0), "0000:00:00.00");
  assert.equal(S.timespan12(3723456), "0001:02:03.46");
  assert.equal(S.timespan12(1e12), "9999:59:59.99");
  assert.equal(S.duration2004(0), "PT0S");
  assert.equal(S.duration2004(3723456), "PT1H2M3.46S");
  assert.equal(S.duration2004(59990), "PT59.99S");
  for (const ms of [0, 999, 61000, 3600000, 86400000 * 3]) {
    assert.match(S.timespan12(ms), /^\d{4}:\d{2}:\d{2}\.\d{2}$/);
    assert.match(S.duration2004(ms), /^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$/);
  }
});

test("API discovery: parents up to the limit, then the opener; other origins are skipped", () => {
  const api = { LMSInitialize() {} };
  const chain = (n, top) => {
    let w = top;
    for (let i = 0; i < n; i++) w = { parent: w };
    return w;
  };
  const top = { API: api };
  top.parent = top;
  assert.equal(S.findAPI(chain(3, top), "1.2"), api);
  assert.equal(S.findAPI(chain(9, top), "1.2"), null, "SCORM 1.2: at most 7 parents up");
  assert.equal(S.findAPI(chain(3, top), "2004"), null, "API_1484_11 is another name");
  const top04 = { API_1484_11: api };
  top04.parent = top04;
  assert.equal(S.findAPI(chain(20, top04), "2004"), api);
  const lone = { opener: chain(2, top) };
  lone.parent = lone;
  assert.equal(S.findAPI(lone, "1.2"), api, "through the opener");
  const hostile = {};
  Object.defineProperty(hostile, "API", { get() { throw new Error("cross-origin"); } });
  hostile.parent = hostile;
  assert.equal(S.findAPI({ parent: hostile }, "1.2"), null);
});

test("answers: what was answered is validated; an answer without it still counts", () => {
  const base = { lesson: "walkthrough", step: 2, question: 0, correct: false };
  const full = { ...base, kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" };
  const m = plain(S.validate(msg("answer", full)));
  assert.deepEqual(m, { type: "answer", lesson: "walkthrough", step: 2, correct: false, question: 0, kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" });
  // Without the fields (an older app) or with a bad one: scored, not recorded.
  for (const bad of [{}, { kind: "essay" }, { kind: "choice", response: "a b", correctResponse: "right" }, { kind: "number", response: "5", correctResponse: 5 }, { kind: "number", response: 1.5, correctResponse: 5 }, { ...full, misconception: "Not Kebab" }, { ...full, misconception: 3 }, { ...full, misconception: "a".repeat(201) }]) {
    const a = S.validate(msg("answer", { ...base, ...bad }));
    assert.ok(a, JSON.stringify(bad));
    assert.equal(a.kind, null, JSON.stringify(bad));
  }
  // A right answer shows no misconception, whatever the message says.
  assert.equal(S.validate(msg("answer", { ...full, correct: true, response: "right" })).misconception, null);
  assert.equal(S.validate(msg("answer", { ...full, misconception: null })).misconception, null);
});

test("interactions: the exact cmi elements of a right and a wrong answer, SCORM 1.2 and 2004", () => {
  const at = new Date(Date.UTC(2026, 11, 6, 9, 30, 5, 420));
  const ask = { prompt: "After both copies of txn-3, what does the naive handler show for m-B?", options: ["truth", "right", "zero"] };
  const wrong = S.validate(msg("answer", { lesson: "walkthrough", step: 2, question: 0, correct: false, kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" }));
  const right = S.validate(msg("answer", { lesson: "walkthrough", step: 2, question: 0, correct: true, kind: "choice", response: "right", correctResponse: "right", misconception: null }));
  const num = S.validate(msg("answer", { lesson: "walkthrough", step: 6, question: 1, correct: false, kind: "number", response: 5, correctResponse: 6, misconception: "counting-payments-not-entries" }));
  const hh = (d) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
  assert.deepEqual(plain(S.interaction(wrong, 0, 3, ask, true, at)), [
    ["cmi.interactions.3.id", "urn:eop:walkthrough:s2:q0"],
    ["cmi.interactions.3.objectives.0.id", "urn:eop:misconception:the-copy-cancels-out"],
    ["cmi.interactions.3.time", hh(at)],
    ["cmi.interactions.3.type", "choice"],
    ["cmi.interactions.3.correct_responses.0.pattern", "b"],
    ["cmi.interactions.3.student_response", "c"],
    ["cmi.interactions.3.result", "wrong"],
  ]);
  assert.deepEqual(plain(S.interaction(right, 0, 4, ask, true, at)), [
    ["cmi.interactions.4.id", "urn:eop:walkthrough:s2:q0"],
    ["cmi.interactions.4.time", hh(at)],
    ["cmi.interactions.4.type", "choice"],
    ["cmi.interactions.4.correct_responses.0.pattern", "b"],
    ["cmi.interactions.4.student_response", "b"],
    ["cmi.interactions.4.result", "correct"],
  ]);
  assert.deepEqual(plain(S.interaction(wrong, 0, 0, ask, false, at)), [
    ["cmi.interactions.0.id", "urn:eop:walkthrough:s2:q0"],
    ["cmi.interactions.0.objectives.0.id", "urn:eop:misconception:the-copy-cancels-out"],
    ["cmi.interactions.0.timestamp", "2026-12-06T09:30:05.4Z"],
    ["cmi.interactions.0.type", "choice"],
    ["cmi.interactions.0.correct_responses.0.pattern", "right"],
    ["cmi.interactions.0.learner_response", "the-copy-cancels-out"],
    ["cmi.interactions.0.result", "incorrect"],
    ["cmi.interactions.0.description", ask.prompt + " (misconception: the-copy-cancels-out)"],
  ]);
  assert.deepEqual(plain(S.interaction(right, 0, 1, ask, false, at)).slice(4), [
    ["cmi.interactions.1.learner_response", "right"],
    ["cmi.interactions.1.result", "correct"],
    ["cmi.interactions.1.description", ask.prompt],
  ]);
  // Numbers: the number itself; 2004's pattern is a range. Without the package's
  // knowledge of the question a 1.2 choice has no letters (no responses), 2004 a plain description.
  assert.deepEqual(plain(S.interaction(num, 1, 7, null, true, at)).filter(([k]) => !k.endsWith(".time")), [
    ["cmi.interactions.7.id", "urn:eop:walkthrough:s6:q1"],
    ["cmi.interactions.7.objectives.0.id", "urn:eop:misconception:counting-payments-not-entries"],
    ["cmi.interactions.7.type", "numeric"],
    ["cmi.interactions.7.correct_responses.0.pattern", "6"],
    ["cmi.interactions.7.student_response", "5"],
    ["cmi.interactions.7.result", "wrong"],
  ]);
  const n04 = Object.fromEntries(S.interaction(num, 1, 7, null, false, at));
  assert.equal(n04["cmi.interactions.7.correct_responses.0.pattern"], "6[:]6");
  assert.equal(n04["cmi.interactions.7.learner_response"], "5");
  assert.equal(n04["cmi.interactions.7.description"], "Question 2 of step 6 of walkthrough (misconception: counting-payments-not-entries)");
  assert.deepEqual(plain(S.interaction(wrong, 0, 0, null, true, at)).map(([k]) => k.split(".").slice(3).join(".")), ["id", "objectives.0.id", "time", "type", "result"]);
  // A long prompt is cut so the description stays within 250 characters, misconception kept whole.
  const long = Object.fromEntries(S.interaction(wrong, 0, 0, { prompt: "x".repeat(400), options: [] }, false, at))["cmi.interactions.0.description"];
  assert.equal(long.length, 250);
  assert.ok(long.endsWith("… (misconception: the-copy-cancels-out)"));
});
