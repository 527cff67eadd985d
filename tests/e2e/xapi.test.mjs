// xAPI statements for lesson answers (scorm/xapi.js, docs/xapi.md): statements built from
// `answer` messages (docs/embedding.md) are valid xAPI 1.0.3 by the Learning Locker
// validator (@learninglocker/xapi-validation), carry the misconception in the context
// extension, and the worked example in docs/xapi.md is exactly what the function returns;
// with the real build, a course page on another origin turns the app's own `answer`
// events (embed.js) into statements in the browser, and they are valid too.
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { REPO, assertClean, newPage, start } from "./lib.mjs";
import { serve } from "./server.mjs";

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

test("the real app: a course page turns its answer events into valid statements (wrong, then right)", async () => {
  const env = await start();
  const dir = mkdtempSync(join(tmpdir(), "eop-xapi-"));
  const host = await serve({ root: dir });
  try {
    copyFileSync(join(REPO, "scorm/xapi.js"), join(dir, "xapi.js"));
    // The pattern docs/xapi.md shows: one listener, the host's actor, a statement per answer.
    writeFileSync(
      join(dir, "course.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>course</title></head><body>
<div id="a" data-eop="?lesson=walkthrough&amp;step=2"></div>
<script src="xapi.js"></script>
<script>
  window.sent = [];
  document.addEventListener("eop:answer", (e) => {
    window.sent.push({ message: e.detail, statement: EOPxAPI.statement(e.detail, { actor: ${JSON.stringify(actor)} }) });
  });
</script>
<script src="${env.url("embed.js")}"></script>
</body></html>`,
    );
    const page = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
    await page.goto(`${host.url}course.html`);
    let frame;
    for (let i = 0; i < 200 && !frame; i++) {
      frame = page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(env.server.url));
      if (!frame) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(frame, "the playground frame");
    await frame.waitForSelector('[data-question="0"] [data-option]', { timeout: 30_000 });
    const lesson = JSON.parse(readFileSync(join(REPO, "src/course/lessons/04-walkthrough.json"), "utf8"));
    const q = lesson.steps[1].question;
    const wrong = q.options.find((o) => o.misconception || o.misconception_id);
    for (const o of q.options) {
      await frame.click(`[data-question="0"] [data-option="${o.id}"]`);
      const n = q.options.indexOf(o) + 1;
      await page.waitForFunction((n) => window.sent.length >= n, n);
    }
    const sent = plain(await page.evaluate(() => window.sent));
    assert.equal(sent.length, q.options.length, "one answer event per click");
    const kebab = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    const rightOpt = q.options.find((o) => sent.some((x) => x.message.response === o.id && x.message.correct));
    assert.ok(rightOpt, "one option was right");
    for (const [i, { message, statement }] of sent.entries()) {
      const o = q.options[i];
      const mis = message.correct ? null : (o.misconception_id ?? (o.misconception ? kebab(o.misconception) : null));
      assert.deepEqual(
        { ...message },
        { source: "exactly-once-playground", version: 1, type: "answer", lesson: "walkthrough", step: 2, question: 0, correct: o === rightOpt, kind: "choice", response: o.id, correctResponse: rightOpt.id, misconception: mis },
        `the answer message for option ${o.id}`,
      );
      assert.deepEqual(warnings(statement), [], JSON.stringify(statement));
      assert.equal(statement.object.id, "urn:eop:walkthrough:s2:q0");
      assert.equal(statement.context.extensions["urn:eop:xapi:misconception"], mis);
    }
    assert.ok(sent.some((x) => x.message.misconception === (wrong.misconception_id ?? kebab(wrong.misconception))), "a wrong option's misconception was sent");
    assertClean(page);
    await page.close();
  } finally {
    await host.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
