// The SCORM adapter of the Exactly-Once Playground package (docs/lms.md).
//
// scorm/launch.html (the SCO an LMS launches) frames the app (../index.html?embed=1&lesson=…)
// and runs this script. It finds the LMS's SCORM API (SCORM 1.2 `API` or 2004
// `API_1484_11`, walking window.parent and window.opener the standard way), and reports
// what the app's host-page API (docs/embedding.md) tells it: lesson status, score (share of
// predict and recall questions right on the first try), session time, and the learner's
// place in suspend_data so a relaunch resumes at the same lesson and step, and every answer
// as an interaction (cmi.interactions.n: which question, the learner's response, the right
// one, the result and the misconception the answer shows). The app knows
// nothing of SCORM; this script reads only validated `exactly-once-playground` messages
// from its own frame. Without an LMS API it reports nothing: the app just runs.
//
// The pure parts (message checks, the suspend_data code, the score, time formats, the
// interaction records, API discovery) are on `EOPScorm` for tests (tests/e2e/scorm-suspend.test.mjs loads this file
// in a node `vm`).
(function (root) {
  "use strict";

  var SOURCE = "exactly-once-playground";
  var VERSION = 1;
  var ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
  /** Steps and questions are stored as one base-36 digit each. */
  var MAX_STEP = 35;
  var MAX_Q = 35;
  /** SCORM 1.2 allows 4,096 characters of suspend_data (2004: 64,000). */
  var SUSPEND_LIMIT_12 = 4096;
  /** How long a `load` may go unanswered before the lesson is opened by address. */
  var LOAD_WAIT_MS = 3000;

  function isInt(v, lo, hi) {
    return typeof v === "number" && Math.floor(v) === v && v >= lo && v <= hi;
  }
  /** An option id (a SCORM short identifier: letters, digits, `_`, `.`, `-`). */
  var OPTION_RE = /^[A-Za-z0-9_.-]{1,64}$/;
  /** A misconception id: kebab-case. */
  var MISC_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  function isOptionId(v) {
    return typeof v === "string" && OPTION_RE.test(v);
  }
  function isNumber(v) {
    return typeof v === "number" && isFinite(v) && Math.floor(v) === v && Math.abs(v) < 1e12;
  }
  /** A yes-or-no answer ("can it ever happen?"): "yes" or "no". */
  function isYesNo(v) {
    return v === "yes" || v === "no";
  }
  /** What a message says was answered: kind, response, right response, misconception; null if malformed. */
  function answered(d) {
    var resp = d.kind === "choice" ? isOptionId : d.kind === "number" ? isNumber : d.kind === "yes-no" ? isYesNo : null;
    if (!resp || !resp(d.response) || !resp(d.correctResponse)) return null;
    if (!(d.misconception === null || d.misconception === undefined || (typeof d.misconception === "string" && d.misconception.length <= 200 && MISC_RE.test(d.misconception)))) return null;
    return { kind: d.kind, response: d.response, correctResponse: d.correctResponse, misconception: d.correct ? null : d.misconception || null };
  }
  function isPlain(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  /**
   * One message from the app, checked: a copy with only the fields this adapter uses, or
   * null for anything else (another script's message, a wrong shape, an unknown type).
   */
  function validate(d) {
    if (!isPlain(d) || d.source !== SOURCE || d.version !== VERSION || typeof d.type !== "string") return null;
    switch (d.type) {
      case "ready":
        return { type: "ready" };
      case "error":
        return { type: "error", message: typeof d.message === "string" ? d.message.slice(0, 300) : "" };
      case "lesson":
        if (typeof d.lesson !== "string" || !ID_RE.test(d.lesson)) return null;
        if (!isInt(d.steps, 1, MAX_STEP) || !isInt(d.step, 1, d.steps)) return null;
        if (typeof d.completed !== "boolean" || !isInt(d.questions, 0, MAX_Q)) return null;
        return { type: "lesson", lesson: d.lesson, step: d.step, steps: d.steps, completed: d.completed, questions: d.questions };
      case "answer": {
        if (typeof d.lesson !== "string" || !ID_RE.test(d.lesson)) return null;
        if (!isInt(d.step, 0, MAX_STEP) || typeof d.correct !== "boolean") return null;
        if (d.question !== undefined && !isInt(d.question, 0, MAX_Q - 1)) return null;
        var a = { type: "answer", lesson: d.lesson, step: d.step, correct: d.correct, question: d.question === undefined ? null : d.question, kind: null };
        // What was answered (docs/embedding.md): recorded as an interaction when present and
        // well-formed; an answer without it still counts for the score.
        var what = answered(d);
        if (what) {
          a.kind = what.kind;
          a.response = what.response;
          a.correctResponse = what.correctResponse;
          a.misconception = what.misconception;
        }
        return a;
      }
      case "practice": {
        // A practice answer (docs/embedding.md): a variant of a lesson's prediction (`lesson`,
        // `step`, `variant`, `seed`) or a "can it ever happen?" question (`space`). Recorded as
        // an interaction of its own; it never counts for the score. Anything malformed: null.
        if (typeof d.correct !== "boolean") return null;
        var w = answered(d);
        if (!w) return null;
        var pr = { type: "practice", correct: d.correct, kind: w.kind, response: w.response, correctResponse: w.correctResponse, misconception: w.misconception };
        if (d.space !== undefined) {
          if (typeof d.space !== "string" || !ID_RE.test(d.space) || w.kind !== "yes-no" || !isInt(d.faults, 0, 9)) return null;
          if (d.correct !== (d.response === d.correctResponse)) return null;
          pr.space = d.space;
          pr.faults = d.faults;
          return pr;
        }
        if (typeof d.lesson !== "string" || !ID_RE.test(d.lesson) || !isInt(d.step, 1, MAX_STEP)) return null;
        if (!isInt(d.variant, 0, 4294967295) || typeof d.seed !== "string" || !/^[0-9]{1,20}$/.test(d.seed)) return null;
        if (w.kind === "yes-no") return null;
        pr.lesson = d.lesson;
        pr.step = d.step;
        pr.question = isInt(d.question, 0, MAX_Q - 1) ? d.question : 0;
        pr.variant = d.variant;
        pr.seed = d.seed;
        return pr;
      }
      case "workbench": {
        // A workbench check (docs/embedding.md): recorded as an interaction when it met a challenge.
        if (d.challenge !== null && (typeof d.challenge !== "string" || !ID_RE.test(d.challenge))) return null;
        if (typeof d.handler !== "string" || d.handler.length > 600 || !/^[a-z0-9:=,-]*$/.test(d.handler)) return null;
        if (!isInt(d.k, 0, 3) || typeof d.holds !== "boolean" || typeof d.met !== "boolean") return null;
        return { type: "workbench", challenge: d.challenge, handler: d.handler, k: d.k, holds: d.holds, met: d.met && d.challenge !== null };
      }
      default:
        return null;
    }
  }

  // ---- progress and its suspend_data code ----
  //
  // progress = {cur: {lesson, step} | null, lessons: {id: {done, step, steps, questions, answers}}}
  // answers: {answerStep: ["R" | "W" | "_", …]} (the first answer to each question: Right,
  // Wrong; "_" not answered yet). Code, version 1 ("e1"):
  //   e1|<cur id>.<step>|<id>.<c|i><step><steps><questions|_>[.<answer step><R|W|_…>]*,…
  // with every number one base-36 digit. Example:
  //   e1|walkthrough.4|two-generals.c66.2R.4W.6RWR,walkthrough.i465.2R

  function newProgress() {
    return { cur: null, lessons: {} };
  }
  function b36(n) {
    return n.toString(36);
  }
  function un36(c, lo, hi) {
    if (!/^[0-9a-z]$/.test(c)) return null;
    var n = parseInt(c, 36);
    return n >= lo && n <= hi ? n : null;
  }

  function encode(p) {
    var ids = Object.keys(p.lessons).sort();
    var parts = ids.map(function (id) {
      var l = p.lessons[id];
      var s = id + "." + (l.done ? "c" : "i") + b36(l.step) + b36(l.steps) + (l.questions === null ? "_" : b36(l.questions));
      Object.keys(l.answers)
        .map(Number)
        .sort(function (a, b) {
          return a - b;
        })
        .forEach(function (k) {
          s += "." + b36(k) + l.answers[k].join("");
        });
      return s;
    });
    var cur = p.cur ? p.cur.lesson + "." + b36(p.cur.step) : "";
    return "e1|" + cur + "|" + parts.join(",");
  }

  /** The progress a suspend_data string holds; null for an empty or unreadable one. */
  function decode(text) {
    if (typeof text !== "string" || text.slice(0, 3) !== "e1|") return null;
    var f = text.split("|");
    if (f.length !== 3) return null;
    var p = newProgress();
    if (f[1] !== "") {
      var c = f[1].split(".");
      var st = c.length === 2 && c[1].length === 1 ? un36(c[1], 1, MAX_STEP) : null;
      if (c.length !== 2 || !ID_RE.test(c[0]) || st === null) return null;
      p.cur = { lesson: c[0], step: st };
    }
    if (f[2] === "") return p;
    var entries = f[2].split(",");
    for (var i = 0; i < entries.length; i++) {
      var seg = entries[i].split(".");
      var id = seg[0];
      var h = seg[1] || "";
      if (!ID_RE.test(id) || h.length !== 4 || (h[0] !== "c" && h[0] !== "i")) return null;
      var step = un36(h[1], 1, MAX_STEP);
      var steps = un36(h[2], 1, MAX_STEP);
      var q = h[3] === "_" ? null : un36(h[3], 0, MAX_Q);
      if (step === null || steps === null || step > steps || (q === null && h[3] !== "_")) return null;
      var l = { done: h[0] === "c", step: step, steps: steps, questions: q, answers: {} };
      for (var j = 2; j < seg.length; j++) {
        var k = un36(seg[j][0] || "", 0, MAX_STEP);
        var rs = seg[j].slice(1);
        if (k === null || !/^[RW_]{1,35}$/.test(rs)) return null;
        l.answers[k] = rs.split("");
      }
      p.lessons[id] = l;
    }
    return p;
  }

  function lessonEntry(p, id) {
    if (!p.lessons[id]) p.lessons[id] = { done: false, step: 1, steps: 1, questions: null, answers: {} };
    return p.lessons[id];
  }

  /** Apply a validated `lesson` message. Returns true if something changed. */
  function onLesson(p, m) {
    var before = encode(p);
    var l = lessonEntry(p, m.lesson);
    l.steps = m.steps;
    l.step = m.step;
    l.questions = m.questions;
    if (m.completed) l.done = true;
    p.cur = { lesson: m.lesson, step: m.step };
    return encode(p) !== before;
  }

  /**
   * Record a validated `answer`: only the first answer to a question counts. `question` is
   * the index within the step; without it, the question being answered is `ptr` (the
   * learner retries a question until it is right, then moves to the next; see docs/lms.md).
   * Returns the next `ptr` for that step.
   */
  function onAnswer(p, m, ptr) {
    var l = lessonEntry(p, m.lesson);
    var q = m.question !== null ? m.question : ptr;
    if (q > MAX_Q - 1) return ptr;
    var a = l.answers[m.step] || (l.answers[m.step] = []);
    while (a.length <= q) a.push("_");
    if (a[q] === "_") a[q] = m.correct ? "R" : "W";
    return m.question !== null ? ptr : m.correct ? ptr + 1 : ptr;
  }

  /**
   * The report over the lessons that count: {done, total, right, answered (questions with a
   * first answer), asked, raw (0–100 or null when no question is known), complete}. `known`: question counts from the
   * package (null = unknown until the app's `lesson` message says).
   */
  function report(p, counted, known) {
    var done = 0;
    var right = 0;
    var answered = 0;
    var asked = 0;
    var anyKnown = false;
    counted.forEach(function (id) {
      var l = p.lessons[id];
      var q = l && l.questions !== null ? l.questions : known && known[id] != null ? known[id] : null;
      if (l && l.done) done++;
      if (q !== null) {
        anyKnown = true;
        asked += q;
      }
      if (l) {
        var r = 0;
        Object.keys(l.answers).forEach(function (k) {
          l.answers[k].forEach(function (x) {
            if (x === "R") r++;
            if (x !== "_") answered++;
          });
        });
        right += q !== null ? Math.min(r, q) : r;
      }
    });
    var raw = null;
    if (anyKnown) raw = asked > 0 ? Math.round((100 * Math.min(right, asked)) / asked) : 100;
    return { done: done, total: counted.length, right: right, answered: answered, asked: asked, raw: raw, complete: done === counted.length };
  }

  // ---- time formats ----
  function pad(n, w) {
    var s = String(n);
    while (s.length < w) s = "0" + s;
    return s;
  }
  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (hours capped at 9999). */
  function timespan12(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000);
    if (h > 9999) return "9999:59:59.99";
    var m = Math.floor((cs % 360000) / 6000);
    var s = Math.floor((cs % 6000) / 100);
    return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs % 100, 2);
  }
  /** SCORM 2004 timeinterval (ISO 8601 duration): PT#H#M#S with hundredths. */
  function duration2004(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000);
    var m = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (Math.round(s * 100) / 100) + "S";
  }

  // ---- interactions (one record per answer; docs/lms.md) ----

  /** `cmi.interactions.n.id`: urn:eop:<lesson>:s<step>:q<question> (stable per question). */
  function interactionId(lesson, step, q) {
    return "urn:eop:" + lesson + ":s" + step + ":q" + q;
  }
  /** The objective id an answer that shows a misconception is tied to. */
  function misconceptionUrn(id) {
    return "urn:eop:misconception:" + id;
  }
  /** 2004 timestamp (time(second,10,0)): YYYY-MM-DDThh:mm:ss.sZ, in UTC. */
  function timestamp2004(d) {
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2) + "T" + pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2) + "." + Math.floor(d.getUTCMilliseconds() / 100) + "Z";
  }
  /** 1.2 CMITime: hh:mm:ss (the learner's clock). */
  function time12(d) {
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }
  /** `text` cut to at most `n` characters (with an ellipsis when cut). */
  function cut(text, n) {
    return text.length <= n ? text : text.slice(0, n - 1) + "\u2026";
  }

  /**
   * The data-model elements recording answer `m` (validated, with `kind`) to question `q`
   * of its step as interaction number `n`, in the order they must be set: [[element,
   * value], …]. `ask`: what the package knows of the question ({prompt, options: [option
   * ids in lesson order]}) or null. `v12`: SCORM 1.2 (else 2004); `now`: a Date.
   *
   * Choice: 2004's responses are short identifiers: the learner's is the misconception id
   * when the answer shows one, else the option id; the correct pattern is the right
   * option's id. SCORM 1.2 allows only single characters (a–z) in choice responses: the
   * option's letter in lesson order (a, b, c, …). Number: the number itself; 2004's
   * pattern is the range `n[:]n`. In both versions an answer that shows a misconception
   * is tied to the objective `urn:eop:misconception:<id>`; 2004's description is the
   * question's prompt, plus the misconception.
   */
  function interaction(m, q, n, ask, v12, now) {
    var p = "cmi.interactions." + n + ".";
    var out = [[p + "id", interactionId(m.lesson, m.step, q)]];
    var numeric = m.kind === "number";
    if (m.misconception) out.push([p + "objectives.0.id", misconceptionUrn(m.misconception)]);
    if (m.kind === "yes-no") return out.concat(yesNoRecord(m, q, p, ask, v12, now));
    if (v12) {
      out.push([p + "time", time12(now)]);
      out.push([p + "type", numeric ? "numeric" : "choice"]);
      var letter = function (id) {
        var i = ask && ask.options ? ask.options.indexOf(id) : -1;
        return i >= 0 && i < 26 ? String.fromCharCode(97 + i) : null;
      };
      var right = numeric ? String(m.correctResponse) : letter(m.correctResponse);
      var got = numeric ? String(m.response) : letter(m.response);
      if (right !== null) out.push([p + "correct_responses.0.pattern", right]);
      if (got !== null) out.push([p + "student_response", got]);
      out.push([p + "result", m.correct ? "correct" : "wrong"]);
    } else {
      out.push([p + "timestamp", timestamp2004(now)]);
      out.push([p + "type", numeric ? "numeric" : "choice"]);
      out.push([p + "correct_responses.0.pattern", numeric ? m.correctResponse + "[:]" + m.correctResponse : m.correctResponse]);
      out.push([p + "learner_response", numeric ? String(m.response) : m.misconception || m.response]);
      out.push([p + "result", m.correct ? "correct" : "incorrect"]);
      var tail = m.misconception ? " (misconception: " + m.misconception + ")" : "";
      var prompt = ask && ask.prompt ? ask.prompt : "Question " + (q + 1) + " of step " + m.step + " of " + m.lesson;
      out.push([p + "description", cut(prompt, 250 - tail.length) + tail]);
    }
    return out;
  }

  /**
   * The rest of a yes-or-no answer's record ("can it ever happen?": can the design end
   * wrong?), type `true-false`: SCORM 1.2's responses are `t` / `f`, 2004's `true` /
   * `false`; 2004's description is the question's prompt, or its id.
   */
  function yesNoRecord(m, q, p, ask, v12, now) {
    var tf = function (yn) {
      return v12 ? (yn === "yes" ? "t" : "f") : yn === "yes" ? "true" : "false";
    };
    var out = [];
    if (v12) {
      out.push([p + "time", time12(now)]);
      out.push([p + "type", "true-false"]);
      out.push([p + "correct_responses.0.pattern", tf(m.correctResponse)]);
      out.push([p + "student_response", tf(m.response)]);
      out.push([p + "result", m.correct ? "correct" : "wrong"]);
    } else {
      out.push([p + "timestamp", timestamp2004(now)]);
      out.push([p + "type", "true-false"]);
      out.push([p + "correct_responses.0.pattern", tf(m.correctResponse)]);
      out.push([p + "learner_response", tf(m.response)]);
      out.push([p + "result", m.correct ? "correct" : "incorrect"]);
      var prompt = ask && ask.prompt ? ask.prompt : m.space ? "Can it ever happen? (" + m.space + ", at most " + m.faults + (m.faults === 1 ? " fault)" : " faults)") : "Question " + (q + 1) + " of step " + m.step + " of " + m.lesson;
      out.push([p + "description", cut(prompt, 250)]);
    }
    return out;
  }

  /**
   * `cmi.interactions.n.id` of a practice answer: urn:eop:practice:<lesson>:s<step>:v<variant>
   * for a variant of a lesson's prediction, urn:eop:practice:space:<question> for a "can it
   * ever happen?" question. Never a lesson question's id: a practice record sits beside the
   * lesson's and overwrites nothing.
   */
  function practiceId(m) {
    return m.space !== undefined ? "urn:eop:practice:space:" + m.space : "urn:eop:practice:" + m.lesson + ":s" + m.step + ":v" + m.variant;
  }

  /**
   * The data-model elements recording practice answer `m` (validated) as interaction number
   * `n`: the same record as a lesson answer (`interaction`), with the practice id, and
   * (2004) a description that says it is practice and which variant (its seed).
   */
  function practiceInteraction(m, n, ask, v12, now) {
    var out = interaction(m, m.question || 0, n, ask, v12, now);
    out[0] = [out[0][0], practiceId(m)];
    if (!v12) {
      out = out.map(function (kv) {
        if (!/\.description$/.test(kv[0])) return kv;
        var tail = m.space !== undefined ? "" : " (variant " + m.variant + ", seed " + m.seed + ")";
        return [kv[0], cut("Practice: " + kv[1], 250 - tail.length) + tail];
      });
    }
    return out;
  }

  /**
   * The data-model elements recording workbench check `m` (validated) that met its
   * challenge, as interaction number `n`: id `urn:eop:workbench:<challenge>`, the handler
   * as the learner's response (2004: type `other`; 1.2: `performance`, cut to 255
   * characters), result correct, and (2004) a description naming the challenge and k.
   */
  function workbenchInteraction(m, n, v12, now) {
    var p = "cmi.interactions." + n + ".";
    var out = [[p + "id", "urn:eop:workbench:" + m.challenge]];
    if (v12) {
      out.push([p + "time", time12(now)]);
      out.push([p + "type", "performance"]);
      out.push([p + "student_response", cut(m.handler, 255)]);
      out.push([p + "result", "correct"]);
    } else {
      out.push([p + "timestamp", timestamp2004(now)]);
      out.push([p + "type", "other"]);
      out.push([p + "learner_response", cut(m.handler, 4000)]);
      out.push([p + "result", "correct"]);
      out.push([p + "description", "Workbench challenge " + m.challenge + " met: the handler holds in every schedule with at most " + m.k + (m.k === 1 ? " fault" : " faults")]);
    }
    return out;
  }

  // ---- API discovery (ADL's algorithm) ----
  /** Look for `name` on `win` and its parents, at most `limit` steps up. */
  function scan(win, name, limit) {
    var tries = 0;
    try {
      while (win && !win[name] && win.parent && win.parent !== win) {
        if (++tries > limit) return null;
        win = win.parent;
      }
      return (win && win[name]) || null;
    } catch (e) {
      return null; // a window of another origin
    }
  }
  /** The LMS API object: this window's parents, then the opener's (and its top). */
  function findAPI(win, version) {
    var name = version === "1.2" ? "API" : "API_1484_11";
    var limit = version === "1.2" ? 7 : 500;
    var api = scan(win, name, limit);
    try {
      if (!api && win.opener) api = scan(win.opener, name, limit);
      if (!api && win.opener && win.opener.top) api = scan(win.opener.top, name, limit);
    } catch (e) {
      api = null;
    }
    return api;
  }

  // ---- the SCORM session ----
  /** The data-model calls of one SCORM version behind one small interface. */
  function lms(api, version) {
    var v12 = version === "1.2";
    function get(k) {
      try {
        var v = v12 ? api.LMSGetValue(k) : api.GetValue(k);
        return v === undefined || v === null ? "" : String(v);
      } catch (e) {
        return "";
      }
    }
    function set(k, v) {
      try {
        return String(v12 ? api.LMSSetValue(k, String(v)) : api.SetValue(k, String(v))) === "true";
      } catch (e) {
        return false;
      }
    }
    function call(f12, f04) {
      try {
        return String(v12 ? api[f12]("") : api[f04]("")) === "true";
      } catch (e) {
        return false;
      }
    }
    return {
      v12: v12,
      get: get,
      set: set,
      init: function () {
        return call("LMSInitialize", "Initialize");
      },
      commit: function () {
        return call("LMSCommit", "Commit");
      },
      finish: function () {
        return call("LMSFinish", "Terminate");
      },
    };
  }

  /** Mastery score 0–100 from the LMS (which read it from the manifest), else the package's. */
  function masteryOf(s, cfgMastery) {
    var v = s.v12 ? s.get("cmi.student_data.mastery_score") : s.get("cmi.scaled_passing_score");
    if (v !== "" && !isNaN(Number(v))) {
      var n = s.v12 ? Number(v) : Number(v) * 100;
      if (n >= 0 && n <= 100) return n;
    }
    return cfgMastery;
  }

  /** Write the report to the data model (only what changed since the last write). */
  function writer(s) {
    var last = {};
    return function (k, v) {
      if (v === null || v === undefined || last[k] === String(v)) return;
      if (s.set(k, v)) last[k] = String(v);
    };
  }

  function statusFor(r, mastery) {
    if (!r.complete) return { completion: "incomplete", success: "unknown", status12: "incomplete" };
    if (mastery === null || r.raw === null) return { completion: "completed", success: "unknown", status12: "completed" };
    var ok = r.raw >= mastery;
    return { completion: "completed", success: ok ? "passed" : "failed", status12: ok ? "passed" : "failed" };
  }

  // ---- the launch page ----
  function main(win, doc) {
    var cfg = win.EOP_SCORM_CONFIG;
    var frame = doc.getElementById("app");
    var bar = doc.getElementById("bar");
    var note = doc.getElementById("lms-note");
    var select = doc.getElementById("lesson-pick");
    var nextBtn = doc.getElementById("next-lesson");
    var summary = doc.getElementById("summary");
    if (!cfg || !frame) return;

    var params = new URLSearchParams(win.location.search);
    var ids = cfg.lessons.map(function (l) {
      return l.id;
    });
    var one = params.get("lesson");
    var warn = "";
    if (one !== null && ids.indexOf(one) < 0) {
      warn = "This package has no lesson '" + one.slice(0, 60) + "'; showing the course. ";
      one = null;
    }
    // Which lessons this SCO covers: one (a per-lesson SCO) or all of them.
    var counted = one !== null ? [one] : ids;
    var known = {};
    var titles = {};
    cfg.lessons.forEach(function (l) {
      known[l.id] = l.questions;
      titles[l.id] = l.title;
    });

    var api = findAPI(win, cfg.scorm);
    var s = api ? lms(api, cfg.scorm) : null;
    if (s && !s.init()) s = null;

    var progress = newProgress();
    if (s) {
      var saved = decode(s.get("cmi.suspend_data"));
      if (saved) progress = saved;
    }
    var resume = progress.cur && counted.indexOf(progress.cur.lesson) >= 0 ? progress.cur : null;
    var start = resume || { lesson: firstOpen(), step: 1 };

    function firstOpen() {
      for (var i = 0; i < counted.length; i++) {
        var l = progress.lessons[counted[i]];
        if (!l || !l.done) return counted[i];
      }
      return counted[0];
    }
    function link(at) {
      return "?embed=1&lesson=" + encodeURIComponent(at.lesson) + "&step=" + at.step;
    }
    var appUrl = new URL(cfg.app, win.location.href);
    function srcFor(at) {
      return appUrl.pathname + link(at);
    }

    // The picker (whole course only): every lesson of the package.
    if (one === null && select) {
      counted.forEach(function (id, i) {
        var o = doc.createElement("option");
        o.value = id;
        o.textContent = i + 1 + ". " + titles[id];
        select.appendChild(o);
      });
      select.value = start.lesson;
      select.addEventListener("change", function () {
        go({ lesson: select.value, step: (progress.lessons[select.value] && progress.lessons[select.value].step) || 1 });
      });
      nextBtn.addEventListener("click", function () {
        var i = counted.indexOf(select.value);
        if (i >= 0 && i + 1 < counted.length) go({ lesson: counted[i + 1], step: 1 });
      });
    } else if (bar) {
      bar.classList.add("single");
      doc.getElementById("single-title").textContent = titles[counted[0]] || counted[0];
    }
    frame.src = srcFor(start);
    // The practice page (predictions of finished lessons as new runs; "can it ever
    // happen?"): its answers are `practice` messages, recorded but never scored.
    var onPractice = false;
    var practiceBtn = doc.getElementById("practice-open");
    if (practiceBtn) {
      practiceBtn.addEventListener("click", function () {
        onPractice = true;
        frame.src = appUrl.pathname + "?embed=1&practice=1";
      });
    }

    var pending = null; // a navigation sent as `load`, awaiting the app's reply
    var pendingTimer = null;
    var firstReady = true;
    /** Open `at` by address (the app refused or ignored the `load`). */
    function fallback() {
      clearTimeout(pendingTimer);
      if (!pending) return;
      var at = pending;
      pending = null;
      frame.src = srcFor(at);
    }
    function settled() {
      clearTimeout(pendingTimer);
      pending = null;
    }
    function go(at) {
      if (!s || onPractice) {
        // The practice page takes no `load`: open the lesson by address.
        onPractice = false;
        frame.src = srcFor(at);
        return;
      }
      clearTimeout(pendingTimer);
      pending = at;
      send({ type: "load", link: link(at) });
      pendingTimer = setTimeout(fallback, LOAD_WAIT_MS);
    }
    function send(cmd) {
      var m = { target: SOURCE, version: VERSION };
      for (var k in cmd) m[k] = cmd[k];
      try {
        frame.contentWindow.postMessage(m, win.location.origin === "null" ? "*" : win.location.origin);
      } catch (e) {
        /* the frame is gone */
      }
    }
    function updateBar() {
      if (select && one === null && progress.cur && counted.indexOf(progress.cur.lesson) >= 0) select.value = progress.cur.lesson;
      if (nextBtn) nextBtn.disabled = one !== null || counted.indexOf(select.value) + 1 >= counted.length;
      if (!s) return;
      var r = report(progress, counted, known);
      summary.textContent =
        (counted.length > 1 ? r.done + " of " + r.total + " lessons complete · " : r.complete ? "Lesson complete · " : "") +
        r.right + (r.right === 1 ? " question" : " questions") + " right on the first try";
    }

    if (!s) {
      note.textContent = warn + "No learning platform found: your progress is not reported.";
      updateBar();
      return; // no LMS: the app runs as usual, nothing is reported
    }
    note.textContent = warn + "Your progress is saved to your course.";

    var t0 = Date.now();
    // A status the LMS already holds as final is never set back to incomplete (say, if
    // suspend_data was lost): only this attempt's own progress can finish it again.
    var FINAL = ["passed", "failed", "completed"];
    var wasFinal = FINAL.indexOf(s.v12 ? s.get("cmi.core.lesson_status") : s.get("cmi.completion_status")) >= 0;
    var mastery = masteryOf(s, cfg.mastery);
    var put = writer(s);
    var ptr = {}; // "lesson:answerStep" → the question being answered (no `question` field)
    var finished = false;

    // Interactions are journaled: every answer is a new record after those the LMS holds.
    var nextInteraction = Number(s.get("cmi.interactions._count")) || 0;
    var asks = cfg.asks || {};
    var metChallenges = {};
    function record(m, q) {
      if (finished) return;
      var ask = (asks[m.lesson] && asks[m.lesson][m.step + ":" + q]) || null;
      var ok = true;
      interaction(m, q, nextInteraction, ask, s.v12, new Date()).forEach(function (kv) {
        if (ok) ok = s.set(kv[0], kv[1]);
      });
      // A record the LMS refused is not retried (its number is used either way).
      nextInteraction++;
    }

    function save() {
      if (finished) return;
      var r = report(progress, counted, known);
      var st = statusFor(r, mastery);
      var code = encode(progress);
      if (s.v12 && code.length > SUSPEND_LIMIT_12) code = encode({ cur: progress.cur, lessons: {} });
      put("cmi.suspend_data", code);
      var where = progress.cur ? progress.cur.lesson + "/" + progress.cur.step : null;
      // The score only once every lesson that counts is finished: an LMS that knows a
      // mastery score judges pass/fail from any score it is given (SCORM 1.2 LMSs may set
      // lesson_status from score.raw; 2004 sets success_status from score.scaled), so a
      // partial score would read as "failed" halfway through.
      if (!r.complete) r.raw = null;
      if (s.v12) {
        put("cmi.core.lesson_location", where);
        if (r.raw !== null) {
          put("cmi.core.score.min", 0);
          put("cmi.core.score.max", 100);
          put("cmi.core.score.raw", r.raw);
        }
        if (!(wasFinal && st.status12 === "incomplete")) put("cmi.core.lesson_status", st.status12);
        put("cmi.core.exit", "suspend");
        s.set("cmi.core.session_time", timespan12(Date.now() - t0));
      } else {
        put("cmi.location", where);
        if (r.raw !== null) {
          put("cmi.score.min", 0);
          put("cmi.score.max", 100);
          put("cmi.score.raw", r.raw);
          put("cmi.score.scaled", r.raw / 100);
        }
        put("cmi.progress_measure", Math.round((1000 * r.done) / r.total) / 1000);
        if (!(wasFinal && st.completion === "incomplete")) {
          put("cmi.completion_status", st.completion);
          put("cmi.success_status", st.success);
        }
        put("cmi.exit", "suspend");
        s.set("cmi.session_time", duration2004(Date.now() - t0));
      }
      s.commit();
      updateBar();
    }

    function terminate() {
      if (finished) return;
      save();
      finished = true;
      s.finish();
    }

    win.addEventListener("message", function (ev) {
      if (ev.source !== frame.contentWindow || ev.origin !== win.location.origin) return;
      var m = validate(ev.data);
      if (!m) return;
      if (m.type === "ready") {
        if (firstReady && resume) send({ type: "load", link: link(resume) });
        firstReady = false;
      } else if (m.type === "error") {
        // A `load` the app refused: open the lesson by address instead (once).
        fallback();
      } else if (m.type === "lesson") {
        settled();
        if (counted.indexOf(m.lesson) < 0) return; // not a lesson of this SCO
        var prev = progress.lessons[m.lesson];
        if (!prev || prev.step !== m.step || m.completed) {
          Object.keys(ptr).forEach(function (k) {
            if (k.indexOf(m.lesson + ":") === 0) delete ptr[k];
          });
        }
        onLesson(progress, m);
        save();
      } else if (m.type === "workbench") {
        // A challenge met, once per challenge and session.
        if (!m.met || finished || metChallenges[m.challenge]) return;
        metChallenges[m.challenge] = true;
        var ok = true;
        workbenchInteraction(m, nextInteraction, s.v12, new Date()).forEach(function (kv) {
          if (ok) ok = s.set(kv[0], kv[1]);
        });
        nextInteraction++;
        s.commit();
      } else if (m.type === "practice") {
        // A practice answer: an interaction of its own; the score and suspend_data are the
        // lessons' alone (practice is open-ended and spaced over days).
        if (finished || (m.lesson !== undefined && counted.indexOf(m.lesson) < 0)) return;
        var pask = m.lesson !== undefined ? (asks[m.lesson] && asks[m.lesson][m.step + ":" + (m.question || 0)]) || null : null;
        var pok = true;
        practiceInteraction(m, nextInteraction, pask, s.v12, new Date()).forEach(function (kv) {
          if (pok) pok = s.set(kv[0], kv[1]);
        });
        nextInteraction++;
        s.commit();
      } else if (m.type === "answer") {
        if (counted.indexOf(m.lesson) < 0) return;
        var key = m.lesson + ":" + m.step;
        var q = m.question !== null ? m.question : ptr[key] || 0;
        ptr[key] = onAnswer(progress, m, ptr[key] || 0);
        if (m.kind) record(m, q);
        save();
      }
    });
    win.addEventListener("pagehide", terminate);
    win.addEventListener("unload", terminate);
    win.addEventListener("beforeunload", function () {
      save();
    });
    // The first report: the attempt has begun.
    save();
  }

  var EOPScorm = {
    SOURCE: SOURCE,
    SUSPEND_LIMIT_12: SUSPEND_LIMIT_12,
    MAX_STEP: MAX_STEP,
    MAX_Q: MAX_Q,
    validate: validate,
    newProgress: newProgress,
    encode: encode,
    decode: decode,
    onLesson: onLesson,
    onAnswer: onAnswer,
    report: report,
    statusFor: statusFor,
    timespan12: timespan12,
    duration2004: duration2004,
    interaction: interaction,
    interactionId: interactionId,
    workbenchInteraction: workbenchInteraction,
    practiceInteraction: practiceInteraction,
    practiceId: practiceId,
    timestamp2004: timestamp2004,
    findAPI: findAPI,
    main: main,
  };
  root.EOPScorm = EOPScorm;
  if (root.document && root.EOP_SCORM_CONFIG) {
    if (root.document.readyState === "loading") {
      root.document.addEventListener("DOMContentLoaded", function () {
        main(root, root.document);
      });
    } else {
      main(root, root.document);
    }
  }
})(typeof window !== "undefined" ? window : this);
