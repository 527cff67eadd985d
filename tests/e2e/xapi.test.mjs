// xAPI statements for lesson answers (scorm/xapi.js, docs/xapi.md): statements built from
// `answer` messages (docs/embedding.md) are valid xAPI 1.0.3 by the Learning Locker
// validator (@learninglocker/xapi-validation), carry the misconception in the context
// extension, and the worked example in docs/xapi.md is exactly what the function returns.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { REPO } from "./lib.mjs";

const validate = createRequire(import.meta.url)("@learninglocker/xapi-validation").default;
const ctx = {};
vm.runInNewContext(readFileSync(join(REPO, "scorm/xapi.js"), "utf8"), ctx);
const X = ctx.EOPxAPI;
const plain = (x) => JSON.parse(JSON.stringify(x));
/** The validator's warnings as short text (path: message). */
const warnings = (s) => validate(plain(s)).map((w) => `${w.path.join(".")}: ${w.message}`);

const actor = { objectType: "Agent", name: "A learner", account: { homePage: "https://lms.example.org", name: "learner-42" } };
const at = "2026-12-06T09:30:05.000Z";
const ANSWERS = {
  wrongChoice: { lesson: "walkthrough", step: 2, question: 0, correct: false, kind: "choice", response: "zero", correctResponse: "right", misconception: "the-copy-cancels-out" },
  rightChoice: { lesson: "walkthrough", step: 2, question: 0, correct: true, kind: "choice", response: "right", correctResponse: "right", misconception: null },
  wrongNumber: { lesson: "walkthrough", step: 6, question: 1, correct: false, kind: "number", response: 5, correctResponse: 6, misconception: "counting-payments-not-entries" },
  unnamedNumber: { lesson: "walkthrough", step: 6, question: 1, correct: false, kind: "number", response: 99, correctResponse: 6, misconception: null },
};

test("statements built from answer messages are valid xAPI (Learning Locker's validator)", () => {
  for (const [name, a] of Object.entries(ANSWERS)) {
    for (const opts of [{ actor, timestamp: at }, { actor, timestamp: at, prompt: "A question?", lessonTitle: "One duplicate, three handlers", lang: "en-GB" }]) {
      const s = X.statement(a, opts);
      assert.deepEqual(warnings(s), [], `${name}: ${JSON.stringify(s)}`);
      assert.equal(s.verb.id, "http://adlnet.gov/expapi/verbs/answered");
      assert.equal(s.object.id, `urn:eop:${a.lesson}:s${a.step}:q${a.question}`, "the same id as the SCORM interaction");
      assert.equal(s.result.success, a.correct);
      assert.equal(s.result.response, String(a.response));
      assert.equal(s.context.extensions["urn:eop:xapi:misconception"], a.misconception);
      assert.equal(s.context.contextActivities.parent[0].id, `urn:eop:${a.lesson}`);
    }
  }
  assert.deepEqual(plain(X.statement(ANSWERS.wrongNumber, { actor, timestamp: at }).object.definition), {
    type: "http://adlnet.gov/expapi/activities/cmi.interaction",
    interactionType: "numeric",
    correctResponsesPattern: ["6[:]6"],
  });
  // A right answer never carries a misconception, whatever the message says.
  assert.equal(X.statement({ ...ANSWERS.rightChoice, misconception: "x" }, { actor }).context.extensions[X.MISCONCEPTION], null);
});

test("the validator catches what a host could get wrong (so the check above can fail)", () => {
  const s = X.statement(ANSWERS.wrongChoice, { timestamp: at });
  assert.equal(s.actor, undefined, "the actor is the host's to add");
  assert.ok(warnings(s).some((w) => w.startsWith("statement.actor")), "a statement without an actor is not valid");
  const bad = { ...X.statement(ANSWERS.wrongChoice, { actor, timestamp: at }) };
  bad.result = { ...bad.result, success: "no" };
  assert.ok(warnings(bad).some((w) => w.startsWith("statement.result.success")), warnings(bad).join("; "));
  const badId = X.statement(ANSWERS.wrongChoice, { actor, timestamp: at });
  badId.object.id = "walkthrough step 2";
  assert.ok(warnings(badId).some((w) => w.startsWith("statement.object.id")), warnings(badId).join("; "));
  // Messages of another shape are refused rather than turned into a wrong statement.
  for (const a of [{}, { ...ANSWERS.wrongChoice, kind: "essay" }, { ...ANSWERS.wrongChoice, step: 0 }, { ...ANSWERS.wrongChoice, lesson: "Walk Through" }, { ...ANSWERS.wrongChoice, correct: "no" }]) {
    assert.throws(() => X.statement(a, { actor }), /answer\./, JSON.stringify(a));
  }
});

test("docs/xapi.md's worked example is what statement() returns, and valid", () => {
  const md = readFileSync(join(REPO, "docs/xapi.md"), "utf8");
  const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  assert.ok(blocks.length >= 2, "docs/xapi.md has the answer message and the statement as JSON blocks");
  const [answer, statement] = blocks;
  const { source, version, type, ...fields } = answer;
  assert.deepEqual([source, version, type], ["exactly-once-playground", 1, "answer"]);
  const built = plain(
    X.statement(fields, {
      actor: statement.actor,
      timestamp: statement.timestamp,
      prompt: statement.object.definition.name["en-US"],
      lessonTitle: statement.context.contextActivities.parent[0].definition.name["en-US"],
    }),
  );
  assert.deepEqual(built, statement);
  assert.deepEqual(warnings(statement), []);
});
