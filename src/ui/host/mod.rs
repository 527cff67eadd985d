//! The host-page API: what a course page that frames the playground hears from it, and
//! the few commands it may send (documented in `docs/embedding.md`, version 1).
//!
//! Out (to `window.parent`, only when framed): `{source: "exactly-once-playground",
//! version: 1, type, …}` with `type` one of `ready`, `resize`, `state`, `answer`,
//! `warning`, `error`. Everything posted is what a share link already reveals (or the
//! learner's own lesson answer), so it goes to any origin (`"*"`).
//!
//! In (from `window.parent` only): `{target: "exactly-once-playground", version: 1,
//! type, …}` with `type` one of `load` (`link`), `play`, `pause`, `seek` (`tick`).
//! [`parse`] is the pure part (native tests): a message becomes a [`Command`], is
//! refused with a reason (posted back as `error`, nothing changes), or is ignored (meant
//! for another script). Links go through the share-link decoder ([`share::decode`]).
//!
//! [`use_host_api`] is the browser glue, a hook called once from the `App`.

use crate::course::eval::{self, Answer, QuestionEval, Value as EvalValue};
use crate::course::model::Question;
use crate::sim::ids::Tick;
use crate::ui::share::{self, ShareState, MAX_LINK};
use crate::ui::state::{Action, State};
use serde_json::{json, Map, Value};

/// `source` of every message the app posts, and `target` of every command it accepts.
pub const NAME: &str = "exactly-once-playground";
/// The API version spoken here. A change that breaks a host page gets a new number.
pub const VERSION: u64 = 1;
/// Longest command accepted, as JSON text (a link is at most [`MAX_LINK`] characters).
pub const MAX_MESSAGE: usize = 16 * 1024;
/// `state` messages while playing: at most one per this many milliseconds.
pub const STATE_EVERY_MS: f64 = 250.0;

/// A command the host page may send.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a link's state; one command at a time
pub enum Command {
    /// Open a share link; `warnings` are the decoder's corrections (the rest applies).
    Load {
        share: ShareState,
        warnings: Vec<String>,
    },
    Play,
    Pause,
    Seek(Tick),
    /// Measure the content again and post `resize` if its height changed (embed.js
    /// sends this when the frame's width changes while it is off-screen, where the
    /// browser may not run the frame's resize observers).
    Measure,
}

/// What to do with one incoming message.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// Carry out the command.
    Do(Command),
    /// Refuse it: post `{type: "error", message}` back and change nothing.
    Refuse(String),
    /// Not addressed to the playground (another script's message): no answer.
    Ignore,
}

/// Shorten text from a message quoted back in an error.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// A short description of a JSON value for error messages.
fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => clip(&n.to_string()),
        Value::String(s) => format!("'{}'", clip(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Parse a message given as JSON text (what `JSON.stringify` made of the posted data;
/// `None` when it could not be stringified). Refuses oversized text before parsing.
pub fn parse_text(text: Option<&str>) -> Incoming {
    let Some(text) = text else {
        return Incoming::Refuse(
            "the message cannot be read as JSON; send a plain object such as {target: \"exactly-once-playground\", version: 1, type: \"play\"}".into(),
        );
    };
    if text.len() > MAX_MESSAGE {
        return Incoming::Refuse(format!(
            "the message is {} characters long; at most {MAX_MESSAGE} are accepted",
            text.len()
        ));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse(&v),
        Err(_) => Incoming::Refuse("the message cannot be read as JSON".into()),
    }
}

/// Parse one message (see the module docs). Never panics.
pub fn parse(v: &Value) -> Incoming {
    let Value::Object(m) = v else {
        return Incoming::Refuse(format!(
            "a command must be an object {{target: \"{NAME}\", version: {VERSION}, type, …}}, not {}",
            kind(v)
        ));
    };
    match m.get("target") {
        Some(Value::String(t)) if t == NAME => {}
        // Addressed to some other script on the page.
        Some(Value::String(_)) => return Incoming::Ignore,
        Some(other) => {
            return Incoming::Refuse(format!("target must be \"{NAME}\", not {}", kind(other)))
        }
        None => return Incoming::Refuse(format!("a command needs target: \"{NAME}\"")),
    }
    match m.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(other) => {
            return Incoming::Refuse(format!(
                "version {} is not spoken here; this playground speaks version {VERSION}",
                kind(other)
            ))
        }
        None => {
            return Incoming::Refuse(format!(
                "a command needs version: {VERSION} (the API version it was written for)"
            ))
        }
    }
    let ty = match m.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(other) => {
            return Incoming::Refuse(format!(
                "type must be one of load, play, pause, seek, measure, not {}",
                kind(other)
            ))
        }
        None => {
            return Incoming::Refuse(
                "a command needs a type: load, play, pause, seek or measure".into(),
            )
        }
    };
    match ty {
        "play" => Incoming::Do(Command::Play),
        "pause" => Incoming::Do(Command::Pause),
        "measure" => Incoming::Do(Command::Measure),
        "seek" => parse_seek(m.get("tick")),
        "load" => parse_load(m.get("link")),
        other => Incoming::Refuse(format!(
            "unknown command type '{}' (load, play, pause, seek or measure)",
            clip(other)
        )),
    }
}

fn parse_seek(tick: Option<&Value>) -> Incoming {
    let Some(t) = tick else {
        return Incoming::Refuse("seek needs a tick (a whole number)".into());
    };
    match t.as_u64().map(Tick::try_from) {
        Some(Ok(t)) => Incoming::Do(Command::Seek(t)),
        _ => Incoming::Refuse(format!(
            "seek: tick {} is not a tick number (a whole number from 0 to {})",
            kind(t),
            Tick::MAX
        )),
    }
}

/// What a `load` of `link` does: the same checks as the command (`eosim links check`
/// reports a link the way a host page's `load` would treat it).
pub fn load_link(link: &str) -> Incoming {
    parse_load(Some(&Value::String(link.to_string())))
}

fn parse_load(link: Option<&Value>) -> Incoming {
    let link = match link {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Incoming::Refuse(format!(
                "load: link must be a share-link query string such as \"?s=walkthrough\", not {}",
                kind(other)
            ))
        }
        None => {
            return Incoming::Refuse(
                "load needs a link: a share-link query string such as \"?s=walkthrough\"".into(),
            )
        }
    };
    if link.len() > MAX_LINK {
        return Incoming::Refuse(format!(
            "load: the link is {} characters long; at most {MAX_LINK} are accepted",
            link.len()
        ));
    }
    // A whole address is fine too: its query is the link (a #fragment is not part of it).
    let query = link.split('#').next().unwrap_or("");
    let query = match query.find('?') {
        Some(i) => &query[i..],
        None => query,
    };
    // The scenario (or the lesson) is the one part a link cannot do without: loading
    // another one instead (the decoder's fallback) would not be what the host asked for.
    let field = |name: &str| {
        query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|p| p.split_once('=').or(Some((p, ""))))
            .filter(|(k, _)| share::unescape(k) == name)
            .map(|(_, v)| share::unescape(v))
            .next_back()
    };
    if let Some(l) = field("lesson") {
        if crate::course::find(&l).is_none() {
            return Incoming::Refuse(format!(
                "load: unknown lesson '{}'; nothing was loaded",
                clip(&l)
            ));
        }
        let d = share::decode(query);
        return Incoming::Do(Command::Load {
            share: d.state,
            warnings: d.warnings,
        });
    }
    let asked = field("s");
    match asked {
        None => {
            return Incoming::Refuse(format!(
                "load: the link '{}' names no scenario (s=…, e.g. \"?s=walkthrough\")",
                clip(link)
            ))
        }
        Some(s) if crate::sim::scenarios::find(&s).is_err() => {
            return Incoming::Refuse(format!(
                "load: unknown scenario '{}'; nothing was loaded",
                clip(&s)
            ))
        }
        Some(_) => {}
    }
    let d = share::decode(query);
    Incoming::Do(Command::Load {
        share: d.state,
        warnings: d.warnings,
    })
}

/// What a seek to `t` will show instead, if the run or a step range moves it.
pub fn seek_warning(t: Tick, range: (Tick, Tick), end: Tick) -> Option<String> {
    let (lo, hi) = range;
    if t > end && hi == end {
        Some(format!(
            "tick {t} is past the end of this run; showing tick {end}"
        ))
    } else if t > hi || t < lo {
        let shown = t.clamp(lo, hi);
        Some(format!(
            "tick {t} is outside the step range {lo}–{hi}; showing tick {shown}"
        ))
    } else {
        None
    }
}

/// A message for the host page: `{source, version, type, …fields}`.
pub fn envelope(ty: &str, fields: Value) -> Value {
    let mut m = Map::new();
    m.insert("source".into(), json!(NAME));
    m.insert("version".into(), json!(VERSION));
    m.insert("type".into(), json!(ty));
    if let Value::Object(f) = fields {
        for (k, v) in f {
            m.entry(k).or_insert(v);
        }
    }
    Value::Object(m)
}

/// The `state` message's fields: what the link says, where the playhead is, and each
/// technique's verdict as its tab shows it.
pub fn state_fields(s: &State) -> Value {
    // A lesson before its question is answered: the verdicts are withheld (the page
    // shows none either; docs/embedding.md).
    let withheld = crate::ui::state::lesson::withhold(s);
    let verdicts: Vec<Value> = s
        .run
        .techniques()
        .iter()
        .filter(|_| !withheld)
        .map(|t| {
            json!({
                "id": t.id,
                "label": t.label,
                "claim": t.claim.label(),
                "holds": t.verdict.holds,
                "propertyHeld": t.badge.good(),
                "badge": t.badge.text,
            })
        })
        .collect();
    let technique = s
        .run
        .techniques()
        .get(s.technique_index())
        .map(|t| t.id.clone());
    json!({
        "scenario": s.inputs.scenario.id,
        "seed": s.inputs.config.seed.to_string(),
        "tick": s.tick(),
        "end": s.run.end,
        "playing": s.playing,
        "technique": technique,
        "link": format!("?{}", s.query()),
        "verdicts": verdicts,
        // The link this frame opened carries a fingerprint its run no longer matches.
        "stale": s.stale.is_some(),
        "staleNotice": s.stale.as_ref().map(|st| st.text.clone()),
        "withheld": withheld,
    })
}

/// A name in kebab-case: lowercase ASCII letters and digits, runs of anything else one `-`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The stable id of the misconception a wrong answer shows, or `None` (a right answer, or
/// a wrong number no named misconception explains). Until the lesson model carries a
/// `misconception_id` it is the kebab-case of the misconception's name (the choice's
/// `misconception`, the number misconception's `name`).
pub fn misconception_of(q: &Question, e: &QuestionEval, a: &Answer) -> Option<String> {
    if eval::judge(q, e, a).correct {
        return None;
    }
    match a {
        Answer::Option(i) => {
            let o = q.options.get(*i)?;
            o.misconception_id
                .clone()
                .or_else(|| o.misconception.as_deref().map(kebab))
        }
        Answer::Number(v) => {
            let k = e
                .misconceptions
                .iter()
                .position(|m| *m == EvalValue::Int(*v))?;
            let m = q.misconceptions.get(k)?;
            Some(m.misconception_id.clone().unwrap_or_else(|| kebab(&m.name)))
        }
    }
}

/// The `answer` message's fields: `step` counts from 1 (as in `?step=`), `question` is
/// the question's index within the step (a recall step asks several); `kind` is
/// `choice` (`response` and `correctResponse` are option ids) or `number` (they are
/// numbers); `misconception` is [`misconception_of`] (null when right).
pub fn answer_fields(
    lesson: &str,
    step: usize,
    question: usize,
    q: &Question,
    e: &QuestionEval,
    a: &Answer,
) -> Value {
    let correct = eval::judge(q, e, a).correct;
    let (kind, response, right) = match a {
        Answer::Option(i) => (
            "choice",
            json!(q.options.get(*i).map(|o| o.id.as_str())),
            json!(e
                .right
                .and_then(|r| q.options.get(r))
                .map(|o| o.id.as_str())),
        ),
        Answer::Number(v) => (
            "number",
            json!(v),
            match &e.answer {
                EvalValue::Int(n) => json!(n),
                other => json!(other.to_string()),
            },
        ),
    };
    json!({
        "lesson": lesson,
        "step": step + 1,
        "question": question,
        "correct": correct,
        "kind": kind,
        "response": response,
        "correctResponse": right,
        "misconception": misconception_of(q, e, a),
    })
}

/// The `lesson` message's fields, or `None` outside a built-in lesson: where the learner
/// is (`step` from 1), how many steps and graded questions (predict + recall) the
/// lesson has, and whether it is finished.
pub fn lesson_fields(s: &State) -> Option<Value> {
    let l = s.lesson.as_ref().filter(|l| !l.imported)?;
    let questions: usize = l
        .lesson
        .steps
        .iter()
        .map(|st| {
            st.question.iter().count()
                + st.questions.len()
                + usize::from(st.kind == crate::course::model::StepKind::PredictSpace)
        })
        .sum();
    Some(json!({
        "lesson": l.lesson.id,
        "step": l.step + 1,
        "steps": l.lesson.steps.len(),
        "completed": l.finished,
        "questions": questions,
    }))
}

/// The `workbench` message's fields: a workbench check's result (the page's Check, or a
/// lesson's build step). `challenge` is the challenge's id (null in free play), `handler`
/// the handler's text, `k` the faults per schedule, `holds` the verdict, `met` whether a
/// challenge that can be met was met (holds, every schedule run), `schedules` and
/// `breaking` the counts, `verdict` the one-line verdict, `breakingTick` the tick of the
/// smallest counterexample's breaking step (null when it holds).
pub fn workbench_fields(
    c: &crate::sim::workbench::Check,
    challenge: Option<&crate::sim::workbench::challenges::Challenge>,
) -> Value {
    let holds = c.holds();
    json!({
        "challenge": challenge.map(|ch| ch.id),
        "handler": c.handler,
        "k": c.k,
        "holds": holds,
        "met": challenge.is_some_and(|ch| ch.possible) && holds,
        "schedules": c.schedules,
        "breaking": c.breaking,
        "verdict": c.verdict(),
        "breakingTick": c.counterexample.as_ref().and_then(|x| x.breaking.as_ref()).map(|b| b.tick),
    })
}

// ------------------------------------------------------------------ browser glue

pub use glue::{post, post_answer, use_host_api};
pub use practice::{practice_fields, space_answer_fields, space_fields};

mod glue;
mod practice;

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(extra: Value) -> Value {
        let mut v = json!({ "target": NAME, "version": 1 });
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        v
    }

    fn refused(v: &Value) -> String {
        match parse(v) {
            Incoming::Refuse(m) => m,
            other => panic!("{v} was not refused: {other:?}"),
        }
    }

    #[test]
    fn the_four_commands() {
        assert_eq!(
            parse(&cmd(json!({"type": "play"}))),
            Incoming::Do(Command::Play)
        );
        assert_eq!(
            parse(&cmd(json!({"type": "pause"}))),
            Incoming::Do(Command::Pause)
        );
        assert_eq!(
            parse(&cmd(json!({"type": "seek", "tick": 7}))),
            Incoming::Do(Command::Seek(7))
        );
        assert_eq!(
            parse(&cmd(json!({"type": "seek", "tick": 4294967295u64}))),
            Incoming::Do(Command::Seek(u32::MAX))
        );
        match parse(&cmd(
            json!({"type": "load", "link": "?s=walkthrough&from=3&to=9&t=4"}),
        )) {
            Incoming::Do(Command::Load { share, warnings }) => {
                assert_eq!(share.inputs.scenario, "walkthrough");
                assert_eq!(
                    (share.from, share.to, share.tick),
                    (Some(3), Some(9), Some(4))
                );
                assert!(warnings.is_empty(), "{warnings:?}");
            }
            other => panic!("{other:?}"),
        }
        // Unknown extra fields are allowed (a later minor addition may send them).
        assert_eq!(
            parse(&cmd(json!({"type": "play", "id": 3}))),
            Incoming::Do(Command::Play)
        );
    }

    #[test]
    fn a_link_goes_through_the_share_link_decoder() {
        // A whole address works; its query is the link.
        let Incoming::Do(Command::Load { share, warnings }) = parse(&cmd(json!({
            "type": "load",
            "link": "https://example.org/play/?s=two-generals&seed=9&embed=1#x"
        }))) else {
            panic!("not loaded");
        };
        assert_eq!(
            (share.inputs.scenario.id, share.inputs.config.seed),
            ("two-generals", 9)
        );
        assert!(warnings.is_empty());
        // What the decoder corrects is reported and the rest applies, as for a link.
        let Incoming::Do(Command::Load { share, warnings }) = parse(&cmd(json!({
            "type": "load",
            "link": "?s=walkthrough&seed=banana&t=-4"
        }))) else {
            panic!("not loaded");
        };
        assert_eq!(share.inputs.scenario, "walkthrough");
        assert_eq!(share.tick, None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("seed 'banana'"), "{warnings:?}");
        assert!(warnings[1].contains("not a tick number"), "{warnings:?}");
    }

    #[test]
    fn malformed_commands_are_refused_with_a_reason() {
        let long = "x".repeat(MAX_LINK + 1);
        let cases: Vec<(Value, &str)> = vec![
            (json!("play"), "must be an object"),
            (json!([1, 2]), "not an array"),
            (json!(null), "not null"),
            (json!({"version": 1, "type": "play"}), "needs target"),
            (
                json!({"target": 5, "version": 1, "type": "play"}),
                "target must be",
            ),
            (
                cmd(json!({"version": 2, "type": "play"})),
                "version 2 is not spoken",
            ),
            (json!({"target": NAME, "type": "play"}), "needs version"),
            (cmd(json!({"version": "1", "type": "play"})), "version '1'"),
            (cmd(json!({})), "needs a type"),
            (cmd(json!({"type": 3})), "type must be one of"),
            (
                cmd(json!({"type": "rewind"})),
                "unknown command type 'rewind'",
            ),
            (cmd(json!({"type": "seek"})), "seek needs a tick"),
            (
                cmd(json!({"type": "seek", "tick": 2.5})),
                "tick 2.5 is not a tick number",
            ),
            (cmd(json!({"type": "seek", "tick": -1})), "tick -1"),
            (cmd(json!({"type": "seek", "tick": "5"})), "tick '5'"),
            (
                cmd(json!({"type": "seek", "tick": 4294967296u64})),
                "not a tick number",
            ),
            (cmd(json!({"type": "load"})), "load needs a link"),
            (cmd(json!({"type": "load", "link": 42})), "not 42"),
            (
                cmd(json!({"type": "load", "link": {"s": "x"}})),
                "not an object",
            ),
            (cmd(json!({"type": "load", "link": long})), "at most 8192"),
            (
                cmd(json!({"type": "load", "link": "walkthrough"})),
                "names no scenario",
            ),
            (
                cmd(json!({"type": "load", "link": "?s=nope"})),
                "unknown scenario 'nope'",
            ),
            (
                cmd(json!({"type": "load", "link": "?lesson=nope&step=2"})),
                "unknown lesson 'nope'",
            ),
        ];
        for (v, word) in cases {
            let m = refused(&v);
            assert!(m.contains(word), "{v}: {m:?} lacks {word:?}");
        }
    }

    #[test]
    fn text_is_size_checked_before_parsing() {
        assert_eq!(
            parse_text(Some(
                r#"{"target":"exactly-once-playground","version":1,"type":"pause"}"#
            )),
            Incoming::Do(Command::Pause)
        );
        let big = format!(
            r#"{{"target":"{NAME}","version":1,"type":"load","link":"?s=walkthrough&x={}"}}"#,
            "a".repeat(MAX_MESSAGE)
        );
        let Incoming::Refuse(m) = parse_text(Some(&big)) else {
            panic!("a huge message was not refused");
        };
        assert!(m.contains("at most 16384"), "{m}");
        assert!(matches!(parse_text(None), Incoming::Refuse(_)));
        assert!(matches!(parse_text(Some("{")), Incoming::Refuse(_)));
    }

    #[test]
    fn other_scripts_messages_are_ignored() {
        assert_eq!(
            parse(&json!({"target": "some-widget", "type": "play"})),
            Incoming::Ignore
        );
    }

    #[test]
    fn seeks_out_of_range_say_what_is_shown() {
        assert_eq!(seek_warning(5, (0, 31), 31), None);
        assert_eq!(
            seek_warning(99, (0, 31), 31).as_deref(),
            Some("tick 99 is past the end of this run; showing tick 31")
        );
        assert_eq!(
            seek_warning(1, (3, 9), 31).as_deref(),
            Some("tick 1 is outside the step range 3–9; showing tick 3")
        );
        assert_eq!(
            seek_warning(12, (3, 9), 31).as_deref(),
            Some("tick 12 is outside the step range 3–9; showing tick 9")
        );
    }

    #[test]
    fn state_messages_say_what_the_link_says_and_the_verdicts() {
        let s = State::from_share(&share::decode("?s=walkthrough&t=4").state, &[]);
        let m = envelope("state", state_fields(&s));
        assert_eq!(m["source"], NAME);
        assert_eq!(m["version"], 1);
        assert_eq!(m["type"], "state");
        assert_eq!(m["scenario"], "walkthrough");
        assert_eq!(m["tick"], 4);
        assert_eq!(m["playing"], false);
        assert_eq!(m["technique"], "naive");
        assert_eq!(m["link"], "?s=walkthrough&t=4");
        let v = m["verdicts"].as_array().unwrap();
        let ids: Vec<&str> = v.iter().map(|x| x["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["naive", "idempotent", "dedup"]);
        // The naive handler credits the redelivered payment twice in this run.
        assert_eq!(v[0]["propertyHeld"], false);
        assert_eq!(v[0]["badge"], "✕ 1 payment applied twice");
        assert_eq!(v[2]["propertyHeld"], true);
        assert_eq!(v[2]["badge"], "✓ exactly-once effect");
        // Fields of the envelope are not overwritten by a field of the same name.
        let e = envelope("x", json!({"type": "y", "source": "z", "n": 1}));
        assert_eq!(
            (e["type"].as_str(), e["source"].as_str()),
            (Some("x"), Some(NAME))
        );
        assert_eq!(e["n"], 1);
    }

    #[test]
    fn kebab_case_ids() {
        assert_eq!(
            kebab("the broker or TCP removes the copy"),
            "the-broker-or-tcp-removes-the-copy"
        );
        assert_eq!(
            kebab("  read_uncommitted only shows what was committed!"),
            "read-uncommitted-only-shows-what-was-committed"
        );
        assert_eq!(
            kebab("retries give exactly-once"),
            "retries-give-exactly-once"
        );
    }

    /// The walkthrough lesson's questions, evaluated: (step index, question, its eval).
    fn walkthrough_questions() -> Vec<(usize, Question, QuestionEval)> {
        let l = crate::course::find("walkthrough").expect("the walkthrough lesson");
        let mut ev = eval::Evaluator::new();
        let mut out = vec![];
        for (i, s) in l.steps.iter().enumerate() {
            let se = eval::step(&mut ev, l, i).expect("the step evaluates");
            let qs: Vec<&Question> = s.question.iter().chain(s.questions.iter()).collect();
            for (q, e) in qs.into_iter().zip(se.questions) {
                out.push((i, q.clone(), e));
            }
        }
        out
    }

    #[test]
    fn workbench_messages_carry_the_handler_the_verdict_and_whether_the_challenge_was_met() {
        use crate::sim::workbench::{challenges, check, Handler, Setup};
        let ch = challenges::find("no-transaction").unwrap();
        let h = Handler::decode(ch.solutions[0]).unwrap();
        let m = workbench_fields(&check(&h, &ch.setup(), ch.k), Some(ch));
        assert_eq!(m["challenge"], "no-transaction");
        assert_eq!(m["handler"], ch.solutions[0]);
        assert_eq!(
            (m["k"].clone(), m["holds"].clone(), m["met"].clone()),
            (json!(ch.k), json!(true), json!(true))
        );
        assert_eq!(
            (m["breaking"].clone(), m["breakingTick"].clone()),
            (json!(0), Value::Null)
        );
        let h = Handler::decode("apply:add,commit-offset").unwrap();
        let m = workbench_fields(&check(&h, &Setup::for_handler(&h), 1), None);
        assert_eq!(
            m,
            json!({"challenge": null, "handler": "apply:add,commit-offset", "k": 1, "holds": false,
                "met": false, "schedules": 25, "breaking": 18, "breakingTick": 7,
                "verdict": "breaks: 18 of 25 schedules with at most 1 fault break it; the smallest has 1 fault"})
        );
        // A challenge no handler can meet is never met.
        let ch = challenges::ALL.iter().find(|c| !c.possible).unwrap();
        let h = Handler::decode(ch.wrong[0]).unwrap();
        assert_eq!(
            workbench_fields(&check(&h, &ch.setup(), ch.k), Some(ch))["met"],
            false
        );
    }

    #[test]
    fn answer_messages_carry_the_misconception_and_both_responses() {
        let qs = walkthrough_questions();
        // Step 2 (index 1): "what does the naive handler show for m-B?"
        let (step, q, e) = &qs[0];
        assert_eq!(*step, 1);
        let right = e.right.expect("a right option");
        let wrong = q
            .options
            .iter()
            .position(|o| o.misconception.as_deref() == Some("the broker or TCP removes the copy"))
            .expect("the 'truth' distractor");
        let m = envelope(
            "answer",
            answer_fields("walkthrough", *step, 0, q, e, &Answer::Option(wrong)),
        );
        assert_eq!(
            m,
            json!({"source": NAME, "version": 1, "type": "answer", "lesson": "walkthrough",
                "step": 2, "question": 0, "correct": false, "kind": "choice",
                "response": q.options[wrong].id, "correctResponse": q.options[right].id,
                "misconception": "broker-removes-copy"})
        );
        let m = answer_fields("walkthrough", *step, 0, q, e, &Answer::Option(right));
        assert_eq!(m["correct"], true);
        assert_eq!(m["misconception"], Value::Null);
        assert_eq!(m["response"], m["correctResponse"]);
        // A number question with a named misconception: the dedup handler's entry count.
        let (step, q, e) = qs
            .iter()
            .find(|(_, q, _)| q.number && !q.misconceptions.is_empty())
            .expect("a number question with a misconception");
        let EvalValue::Int(answer) = e.answer else {
            panic!("a number answer")
        };
        let EvalValue::Int(named) = e.misconceptions[0] else {
            panic!("a number misconception")
        };
        assert_ne!(answer, named);
        let m = answer_fields("walkthrough", *step, 1, q, e, &Answer::Number(named));
        assert_eq!(
            (
                &m["kind"],
                &m["response"],
                &m["correctResponse"],
                &m["correct"]
            ),
            (
                &json!("number"),
                &json!(named),
                &json!(answer),
                &json!(false)
            )
        );
        assert_eq!(m["misconception"], "counting-payments-not-entries");
        // A wrong number no misconception names, and the right one: no misconception.
        let other = answer.max(named) + 1000;
        let m = answer_fields("walkthrough", *step, 1, q, e, &Answer::Number(other));
        assert_eq!(
            (&m["correct"], &m["misconception"]),
            (&json!(false), &Value::Null)
        );
        let m = answer_fields("walkthrough", *step, 1, q, e, &Answer::Number(answer));
        assert_eq!(
            (&m["correct"], &m["misconception"]),
            (&json!(true), &Value::Null)
        );
    }

    #[test]
    fn practice_answers_are_their_own_message_and_say_which_variant() {
        use crate::course::practice::{self, find_space, Outcome};
        // A practice variant of the outbox lesson's first varying prediction.
        let l = crate::course::find("outbox").unwrap();
        let i = practice::varying_steps(l)[0];
        let mut ev = eval::Evaluator::new();
        let v = (0..64)
            .find_map(|k| match practice::variant(&mut ev, l, i, k) {
                Outcome::Asked(v) => Some(v),
                _ => None,
            })
            .expect("an asked variant");
        let q = v.lesson.steps[i].question.as_ref().unwrap();
        let e = &v.eval.questions[0];
        let right = e.right.unwrap();
        let m = envelope(
            "practice",
            practice_fields("outbox", i, q, e, &Answer::Option(right), v.k, &v.over),
        );
        let seed = v.over.seed.unwrap().to_string();
        let lesson_answer = answer_fields("outbox", i, 0, q, e, &Answer::Option(right));
        assert_eq!(m["type"], "practice");
        for f in [
            "lesson",
            "step",
            "question",
            "correct",
            "kind",
            "response",
            "correctResponse",
            "misconception",
        ] {
            assert_eq!(m[f], lesson_answer[f], "{f}: as a lesson answer");
        }
        assert_eq!(
            (
                m["step"].clone(),
                m["correct"].clone(),
                m["variant"].clone(),
                m["seed"].clone()
            ),
            (json!(i + 1), json!(true), json!(v.k), json!(seed))
        );
        assert_eq!(m["params"], json!(v.over.params));
        // A "can it ever happen?" answer: yes or no against the exhaustive check.
        let q = find_space("ttl-longer-than-delay").unwrap();
        let a = q.answer().unwrap();
        assert!(!a.can);
        let m = envelope("practice", space_fields(q, true, &a));
        assert_eq!(
            m,
            json!({"source": NAME, "version": 1, "type": "practice", "space": "ttl-longer-than-delay",
                "scenario": "dedup-window", "technique": "dedup-ttl", "faults": 2, "correct": false,
                "kind": "yes-no", "response": "yes", "correctResponse": "no",
                "schedules": a.checked, "misconception": null})
        );
        // The same question as a lesson step: an `answer`, with the lesson and step.
        let m = space_answer_fields("dedup-window", 7, q, false, &a);
        assert_eq!(
            (
                m["lesson"].clone(),
                m["step"].clone(),
                m["question"].clone(),
                m["correct"].clone(),
                m["response"].clone()
            ),
            (
                json!("dedup-window"),
                json!(8),
                json!(0),
                json!(true),
                json!("no")
            )
        );
    }

    #[test]
    fn every_wrong_option_of_every_lesson_has_a_misconception_id() {
        for l in crate::course::course() {
            let mut ev = eval::Evaluator::new();
            for (i, s) in l.steps.iter().enumerate() {
                let se = eval::step(&mut ev, l, i).expect("the step evaluates");
                let qs: Vec<&Question> = s.question.iter().chain(s.questions.iter()).collect();
                for (q, e) in qs.into_iter().zip(&se.questions) {
                    for k in 0..q.options.len() {
                        let id = misconception_of(q, e, &Answer::Option(k));
                        if e.right == Some(k) {
                            assert_eq!(id, None);
                            continue;
                        }
                        let id = id.unwrap_or_else(|| {
                            panic!(
                                "{} step {}: option {} has no misconception",
                                l.id,
                                i + 1,
                                q.options[k].id
                            )
                        });
                        assert!(
                            !id.is_empty()
                                && id.chars().all(|c| c.is_ascii_lowercase()
                                    || c.is_ascii_digit()
                                    || c == '-')
                                && !id.starts_with('-')
                                && !id.ends_with('-'),
                            "{id:?} is not kebab-case"
                        );
                    }
                }
            }
        }
    }
}
