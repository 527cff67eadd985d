// xAPI statements for lesson answers (docs/xapi.md): a host page that forwards the
// playground's `answer` messages (docs/embedding.md) to a learning record store builds one
// statement per answer with `EOPxAPI.statement(answer, options)` and sends it with its own
// LRS client and credentials. This file sends nothing and knows no LRS; the host supplies
// the actor (who the learner is).
//
// Shipped in the SCORM packages as scorm/xapi.js; copy it next to a course page to use it
// there. Loaded as a classic script it defines `window.EOPxAPI`; in node it is read with
// `vm` (tests/e2e/xapi.test.mjs).
(function (root) {
  "use strict";

  var ANSWERED = { id: "http://adlnet.gov/expapi/verbs/answered", display: { "en-US": "answered" } };
  var INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";
  var LESSON = "http://adlnet.gov/expapi/activities/lesson";
  /** The context extension that carries the misconception id (null: none shown). */
  var MISCONCEPTION = "urn:eop:xapi:misconception";
  var ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

  /** The activity id of a question: the same id as the SCORM interaction's. */
  function questionId(lesson, step, question) {
    return "urn:eop:" + lesson + ":s" + step + ":q" + question;
  }
  function lessonId(lesson) {
    return "urn:eop:" + lesson;
  }

  /**
   * The statement for one `answer` message's data (`answer`: {lesson, step, question,
   * correct, kind, response, correctResponse, misconception}). `options`: `actor` (an xAPI
   * Agent; left out when not given, for the host to add), `timestamp` (a Date or ISO
   * 8601 text; default now), `prompt` (the question's text, as the activity's name),
   * `lessonTitle`, `lang` (default "en-US"). Throws on an answer of another shape.
   */
  function statement(answer, options) {
    var a = answer || {};
    var o = options || {};
    if (typeof a.lesson !== "string" || !ID_RE.test(a.lesson)) throw new Error("answer.lesson must be a lesson id");
    if (!(a.step >= 1) || Math.floor(a.step) !== a.step) throw new Error("answer.step must be a whole number from 1");
    var q = a.question === undefined ? 0 : a.question;
    if (!(q >= 0) || Math.floor(q) !== q) throw new Error("answer.question must be a whole number from 0");
    if (typeof a.correct !== "boolean") throw new Error("answer.correct must be true or false");
    var numeric = a.kind === "number";
    // A predict-space answer ("can it ever happen?"): yes or no, as xAPI's true-false.
    var yesNo = a.kind === "yes-no";
    var tf = function (x) {
      return x === "yes" ? "true" : "false";
    };
    if (!numeric && !yesNo && a.kind !== "choice") throw new Error("answer.kind must be 'choice', 'number' or 'yes-no'");
    var lang = o.lang || "en-US";
    var definition = {
      type: INTERACTION,
      interactionType: numeric ? "numeric" : yesNo ? "true-false" : "choice",
      correctResponsesPattern: [numeric ? a.correctResponse + "[:]" + a.correctResponse : yesNo ? tf(a.correctResponse) : String(a.correctResponse)],
    };
    if (o.prompt) {
      definition.name = {};
      definition.name[lang] = String(o.prompt);
    }
    var parent = { objectType: "Activity", id: lessonId(a.lesson), definition: { type: LESSON } };
    if (o.lessonTitle) {
      parent.definition.name = {};
      parent.definition.name[lang] = String(o.lessonTitle);
    }
    var extensions = {};
    extensions[MISCONCEPTION] = a.correct ? null : typeof a.misconception === "string" ? a.misconception : null;
    var ts = o.timestamp instanceof Date ? o.timestamp : o.timestamp ? new Date(o.timestamp) : new Date();
    var s = {};
    if (o.actor) s.actor = o.actor;
    s.verb = ANSWERED;
    s.object = { objectType: "Activity", id: questionId(a.lesson, a.step, q), definition: definition };
    s.result = { success: a.correct, response: yesNo ? tf(a.response) : String(a.response) };
    s.context = { platform: "Exactly-Once Playground", language: lang, contextActivities: { parent: [parent] }, extensions: extensions };
    s.timestamp = ts.toISOString();
    return s;
  }

  var EOPxAPI = { statement: statement, questionId: questionId, lessonId: lessonId, ANSWERED: ANSWERED.id, MISCONCEPTION: MISCONCEPTION };
  root.EOPxAPI = EOPxAPI;
})(typeof window !== "undefined" ? window : this);
