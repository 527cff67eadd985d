//! Checking a lesson file: its shape (fields, kinds, counts, text length) and its
//! agreement with the simulator (every right answer, every distractor, every reveal
//! and try goal computed from a run). Every message names the step and the field.

use super::eval::{self, Evaluator, Value};
use super::model::{Expect, Lesson, Quantity, Question, StepKind, FORMAT};
use crate::sim::params::Params;
use crate::sim::scenarios;

/// The largest lesson file accepted.
pub const MAX_BYTES: usize = 64 * 1024;
pub const MIN_STEPS: usize = 4;
pub const MAX_STEPS: usize = 8;

/// Parse a lesson file. A serde error is reported with the field it happened in.
pub fn parse(text: &str) -> Result<Lesson, String> {
    parse_report(text).map(|(l, _)| l)
}

/// What format 2 added to format 1 (named when a newer file is refused or an older
/// one migrated).
pub const FORMAT_2_ADDED: &str = "format 2 added `format`, `expect` (the author's answer), `misconception_id` and `refutation` on wrong answers, the lesson's `takeaway`, named `values` for `{ $name }` placeholders, `at` on `entries`/`counter`, and the `observe` step kind";

/// Parse a lesson file, migrating an older format; the second value lists what the
/// migration did (warnings to show, not errors).
pub fn parse_report(text: &str) -> Result<(Lesson, Vec<String>), String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "the file is {} bytes; a lesson file is at most {MAX_BYTES}",
            text.len()
        ));
    }
    let mut warnings = Vec::new();
    let migrated;
    let mut text = text;
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(obj) = v.as_object_mut() {
            let format = match obj.get("format") {
                None => 1,
                Some(f) => match f.as_u64() {
                    Some(n) => n,
                    None => return Err(format!("field `format`: '{f}' is not a format number (this playground reads 1 and {FORMAT})")),
                },
            };
            if format > u64::from(FORMAT) || format == 0 {
                return Err(format!(
                    "field `format`: this lesson is format {format}, written for a newer playground; this one reads formats 1 and {FORMAT} ({FORMAT_2_ADDED}). Open it in a newer playground, or rewrite it as format {FORMAT}"
                ));
            }
            if format == 1 {
                let n = migrate(obj);
                warnings.push(format!(
                    "this lesson is format 1 and was migrated to format {FORMAT}: {n} misconception id(s) derived from their text; it has no `expect` answers, so its answers come from the simulator alone"
                ));
                migrated = serde_json::Value::Object(obj.clone()).to_string();
                text = &migrated;
            }
        }
    }
    let l = serde_json::from_str::<Lesson>(text).map_err(|e| {
        let why = e.to_string();
        match field_at(text, e.line(), e.column()) {
            Some(f) if !why.contains("field `") => format!("field `{f}`: {why}"),
            _ => why,
        }
    })?;
    Ok((l, warnings))
}

/// Format 1 → 2: set `format`, derive each missing `misconception_id` from the
/// misconception's text (kebab-case, made unique in the lesson). Returns how many ids
/// were derived. `expect`, `takeaway` and `refutation` cannot be derived.
pub fn migrate(obj: &mut serde_json::Map<String, serde_json::Value>) -> usize {
    obj.insert("format".into(), FORMAT.into());
    let mut used: Vec<String> = Vec::new();
    let mut n = 0;
    let Some(steps) = obj.get_mut("steps").and_then(|s| s.as_array_mut()) else {
        return 0;
    };
    for st in steps {
        if let Some(q) = st.get_mut("question") {
            n += migrate_question(q, &mut used);
        }
        if let Some(arr) = st.get_mut("questions").and_then(|q| q.as_array_mut()) {
            for q in arr {
                n += migrate_question(q, &mut used);
            }
        }
    }
    n
}

fn migrate_question(q: &mut serde_json::Value, used: &mut Vec<String>) -> usize {
    let mut n = 0;
    for (list, text_field) in [("options", "misconception"), ("misconceptions", "name")] {
        let Some(arr) = q.get_mut(list).and_then(|o| o.as_array_mut()) else {
            continue;
        };
        for o in arr {
            let Some(o) = o.as_object_mut() else { continue };
            if o.contains_key("misconception_id") {
                continue;
            }
            let Some(text) = o.get(text_field).and_then(|t| t.as_str()) else {
                continue;
            };
            let mut id = kebab(text);
            let base = id.clone();
            let mut k = 2;
            while used.contains(&id) {
                id = format!("{base}-{k}");
                k += 1;
            }
            used.push(id.clone());
            o.insert("misconception_id".into(), id.into());
            n += 1;
        }
    }
    n
}

/// A short kebab-case id from a text: its first five words, letters and digits only.
pub fn kebab(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    if words.is_empty() {
        "misconception".to_string()
    } else {
        words.join("-")
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The last object key that starts before line `line`, column `col` (1-based).
fn field_at(text: &str, line: usize, col: usize) -> Option<String> {
    if line == 0 {
        return None;
    }
    let mut off = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            off += col.min(l.len());
            break;
        }
        off += l.len();
    }
    let mut cut = off.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let colon = before.rfind("\":")?;
    let start = before[..colon].rfind('"')?;
    Some(before[start + 1..colon].to_string())
}

/// How many sentences a text has (ends of `.`, `?`, `!` followed by a space or the end).
pub fn sentences(text: &str) -> usize {
    let t = text.trim();
    let b: Vec<char> = t.chars().collect();
    let mut n = 0;
    for (i, c) in b.iter().enumerate() {
        if matches!(c, '.' | '?' | '!') && b.get(i + 1).is_none_or(|x| x.is_whitespace()) {
            // "e.g." and "…" inside a sentence are not ends.
            let prev = if i >= 2 { b[i - 2] } else { ' ' };
            if !(prev == '.' || (i >= 3 && b[i - 3..i].iter().collect::<String>() == "e.g")) {
                n += 1;
            }
        }
    }
    n.max(usize::from(!t.is_empty()))
}

/// Words in a text (for the report of words per lesson).
pub fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Every word a learner reads in a lesson.
pub fn lesson_words(l: &Lesson) -> usize {
    let q = |q: &Question| {
        words(&q.prompt)
            + q.options
                .iter()
                .map(|o| words(&o.label) + words(&o.feedback))
                .sum::<usize>()
            + q.right.as_deref().map_or(0, words)
            + q.wrong.as_deref().map_or(0, words)
            + q.misconceptions
                .iter()
                .map(|m| words(&m.feedback))
                .sum::<usize>()
    };
    l.steps
        .iter()
        .map(|s| {
            words(&s.title)
                + words(&s.text)
                + s.explain.as_deref().map_or(0, words)
                + s.hint.as_deref().map_or(0, words)
                + s.success.as_deref().map_or(0, words)
                + s.question.as_ref().map_or(0, q)
                + s.questions.iter().map(q).sum::<usize>()
        })
        .sum()
}

/// Options for stricter rules on the built-in course.
#[derive(Copy, Clone, Debug, Default)]
pub struct Rules {
    /// Built-in lessons: the last step is a recall with three questions, one about
    /// an earlier lesson's scenario; every wrong option names its misconception.
    pub course: bool,
}

/// Check a parsed lesson: shape and simulator agreement. Returns every problem.
pub fn check(l: &Lesson, rules: Rules) -> Vec<String> {
    let mut errs = Vec::new();
    let mut e = |where_: String, msg: String| errs.push(format!("{where_}: {msg}"));
    let lid = format!("lesson '{}'", l.id);
    if l.id.is_empty()
        || !l
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        e(
            format!("{lid} field `id`"),
            "must be lowercase letters, digits and '-'".into(),
        );
    }
    if l.title.trim().is_empty() {
        e(format!("{lid} field `title`"), "is empty".into());
    }
    let Ok(sc) = scenarios::find(&l.scenario) else {
        e(
            format!("{lid} field `scenario`"),
            format!(
                "'{}' is not a scenario (one of {})",
                l.scenario,
                scenarios::ids().join(", ")
            ),
        );
        return errs;
    };
    let n = l.steps.len();
    if !(MIN_STEPS..=MAX_STEPS).contains(&n) {
        e(
            format!("{lid} field `steps`"),
            format!("has {n} steps; a lesson has {MIN_STEPS} to {MAX_STEPS}"),
        );
    }
    let count = |k: StepKind| l.steps.iter().filter(|s| s.kind == k).count();
    if count(StepKind::Predict) < 2 {
        e(
            format!("{lid} field `steps`"),
            format!(
                "has {} predict steps; at least 2 are needed",
                count(StepKind::Predict)
            ),
        );
    }
    if count(StepKind::Try) < 1 {
        e(
            format!("{lid} field `steps`"),
            "has no try step; at least 1 is needed".into(),
        );
    }
    if rules.course {
        match l.steps.last() {
            Some(s) if s.kind == StepKind::Recall => {
                let pos = scenarios::ids()
                    .iter()
                    .position(|x| *x == l.scenario)
                    .unwrap_or(0);
                let earlier = s.questions.iter().any(|q| {
                    q.setup
                        .as_ref()
                        .and_then(|x| x.scenario.as_deref())
                        .and_then(|x| scenarios::ids().iter().position(|y| *y == x))
                        .is_some_and(|p| p < pos)
                });
                if pos > 0 && !earlier {
                    e(
                        format!("{lid} step {n} (recall) field `questions`"),
                        "needs a question about an earlier lesson's scenario (setup.scenario)"
                            .into(),
                    );
                }
            }
            _ => e(
                format!("{lid} field `steps`"),
                "the last step of a course lesson is a recall step".into(),
            ),
        }
    }
    // The lesson's setup must be a valid run.
    check_setup(
        &mut e,
        &format!("{lid} field `setup`"),
        &l.scenario,
        &l.setup,
    );
    if rules.course {
        if l.format != Some(FORMAT) {
            e(
                format!("{lid} field `format`"),
                format!("a course lesson is written in format {FORMAT}"),
            );
        }
        if l.takeaway.as_deref().is_none_or(|t| t.trim().is_empty()) {
            e(
                format!("{lid} field `takeaway`"),
                "a course lesson ends with a one-line takeaway".into(),
            );
        }
        for (i, st) in l.steps.iter().enumerate() {
            if st.kind == StepKind::Watch
                && l.steps.get(i + 1).map(|s| s.kind) != Some(StepKind::Observe)
            {
                e(
                    format!("{lid} step {} (watch)", i + 2),
                    "a watch step is followed by an observe step".into(),
                );
            }
        }
        for p in free_numbers(l) {
            e(lid.clone(), p);
        }
    }
    for p in unknown_placeholders(l) {
        e(lid.clone(), p);
    }
    // (id, field, refutation, misconception text) of every wrong answer.
    type MisId = (String, String, Option<String>, Option<String>);
    let mut mis_ids: Vec<MisId> = Vec::new();
    let mut ev = Evaluator::new();
    for (i, st) in l.steps.iter().enumerate() {
        let at = format!("{lid} step {} ({})", i + 1, st.kind.name());
        if st.title.trim().is_empty() {
            e(format!("{at} field `title`"), "is empty".into());
        }
        let s = sentences(&st.text);
        if st.text.trim().is_empty() || s > 4 || st.text.len() > 700 {
            e(
                format!("{at} field `text`"),
                format!(
                    "has {s} sentences ({} characters); write 1 to 4 sentences",
                    st.text.len()
                ),
            );
        }
        let setup = eval::step_setup(l, i);
        if !check_setup(
            &mut e,
            &format!("{at} field `setup`"),
            &l.scenario,
            &st.setup,
        ) {
            continue;
        }
        let need = |f: bool, name: &str, e: &mut dyn FnMut(String, String)| {
            if !f {
                e(
                    format!("{at} field `{name}`"),
                    format!("is required for a {} step", st.kind.name()),
                );
            }
        };
        let forbid = |f: bool, name: &str, e: &mut dyn FnMut(String, String)| {
            if f {
                e(
                    format!("{at} field `{name}`"),
                    format!("does not belong to a {} step", st.kind.name()),
                );
            }
        };
        match st.kind {
            StepKind::Read => {
                forbid(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
            }
            StepKind::Watch => forbid(st.question.is_some(), "question", &mut e),
            StepKind::Predict => need(st.question.is_some(), "question", &mut e),
            StepKind::Observe => {
                need(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
                if eval::watched(l, i).is_none() {
                    e(
                        format!("{at} field `kind`"),
                        "an observe step comes right after a watch step".into(),
                    );
                }
            }
            StepKind::Try => {
                need(st.goal.is_some(), "goal", &mut e);
                need(st.hint.is_some(), "hint", &mut e);
                need(st.show_me.is_some(), "show_me", &mut e);
                need(st.success.is_some(), "success", &mut e);
            }
            StepKind::Recall => {
                if st.questions.len() != 3 && rules.course {
                    e(
                        format!("{at} field `questions`"),
                        format!("has {}; a recall step asks 3", st.questions.len()),
                    );
                }
                need(!st.questions.is_empty(), "questions", &mut e);
            }
        }
        // Shape of each question.
        let qs: Vec<(String, &Question)> = match st.kind {
            StepKind::Predict | StepKind::Observe => st
                .question
                .iter()
                .map(|q| ("question".to_string(), q))
                .collect(),
            StepKind::Recall => st
                .questions
                .iter()
                .enumerate()
                .map(|(k, q)| (format!("questions[{k}]"), q))
                .collect(),
            _ => Vec::new(),
        };
        for (f, q) in &qs {
            let qa = format!("{at} field `{f}");
            if q.prompt.trim().is_empty() {
                e(format!("{qa}.prompt`"), "is empty".into());
            }
            if let Some(s) = &q.setup {
                check_setup(&mut e, &format!("{qa}.setup`"), &l.scenario, s);
            }
            if q.number != q.options.is_empty() {
                e(
                    format!("{qa}.options`"),
                    "give either 2 to 6 options or \"number\": true".into(),
                );
            } else if !q.number && !(2..=6).contains(&q.options.len()) {
                e(
                    format!("{qa}.options`"),
                    format!("has {}; give 2 to 6", q.options.len()),
                );
            }
            let mut ids: Vec<&str> = Vec::new();
            for (k, o) in q.options.iter().enumerate() {
                if o.id.is_empty() || ids.contains(&o.id.as_str()) {
                    e(
                        format!("{qa}.options[{k}].id`"),
                        format!("'{}' is empty or used twice", o.id),
                    );
                }
                ids.push(&o.id);
                if o.label.trim().is_empty() || o.feedback.trim().is_empty() {
                    e(
                        format!("{qa}.options[{k}]`"),
                        "needs a label and feedback".into(),
                    );
                }
            }
            if q.number && q.right.is_none() {
                e(
                    format!("{qa}.right`"),
                    "a number question needs feedback for the right number".into(),
                );
            }
        }
        // Agreement with the simulator.
        let se = match eval::step(&mut ev, l, i) {
            Ok(x) => x,
            Err(why) => {
                e(at.clone(), why);
                continue;
            }
        };
        for ((f, q), qe) in qs.iter().zip(&se.questions) {
            let qa = format!("{at} field `{f}");
            let shown = |v: &Value| v.show(&qe.labels);
            let qname = format!("{}, step {}, question `{f}`", lid, i + 1);
            // Double entry: the author's answer against the simulator's.
            match (&q.expect, q.number) {
                (None, _) => {
                    if rules.course {
                        e(
                            format!("{qa}.expect`"),
                            "is required: the answer the author expects (an option id, or the number at the lesson's seed)".into(),
                        );
                    }
                }
                (Some(Expect::Option(id)), false) => {
                    let computed = qe.right.and_then(|k| q.options.get(k));
                    if !q.options.iter().any(|o| o.id == *id) {
                        e(
                            format!("{qa}.expect`"),
                            format!("'{id}' is not one of the question's option ids"),
                        );
                    } else if computed.map(|o| o.id.as_str()) != Some(id.as_str()) {
                        e(
                            format!("{qa}.expect`"),
                            format!(
                                "{qname}: expected option '{id}' but computed {} (the run's answer is {}); the prompt, the options or the expectation is wrong",
                                computed.map_or("no option".to_string(), |o| format!("option '{}'", o.id)),
                                shown(&qe.answer)
                            ),
                        );
                    }
                }
                (Some(Expect::Number(n)), true) => {
                    if Value::Int(*n) != qe.answer {
                        e(
                            format!("{qa}.expect`"),
                            format!(
                                "{qname}: expected {n} but computed {}; the prompt or the expectation is wrong",
                                shown(&qe.answer)
                            ),
                        );
                    }
                }
                (Some(x), _) => e(
                    format!("{qa}.expect`"),
                    format!(
                        "{x} does not fit a {} question",
                        if q.number {
                            "number"
                        } else {
                            "multiple-choice"
                        }
                    ),
                ),
            }
            // Misconception ids: on every wrong answer, none on the right one.
            for (k, o) in q.options.iter().enumerate() {
                let field = format!("{qa}.options[{k}].misconception_id`");
                match &o.misconception_id {
                    Some(id) if Some(k) == qe.right => e(
                        field,
                        format!(
                            "option '{}' is the right answer and cannot carry misconception '{id}'",
                            o.id
                        ),
                    ),
                    Some(id) => mis_ids.push((
                        id.clone(),
                        field,
                        o.refutation.clone(),
                        o.misconception.clone(),
                    )),
                    None if Some(k) != qe.right && rules.course => e(
                        field,
                        format!(
                            "wrong option '{}' needs a misconception id (kebab-case)",
                            o.id
                        ),
                    ),
                    None => {}
                }
            }
            for (k, m) in q.misconceptions.iter().enumerate() {
                let field = format!("{qa}.misconceptions[{k}].misconception_id`");
                match &m.misconception_id {
                    Some(id) => mis_ids.push((
                        id.clone(),
                        field,
                        m.refutation.clone(),
                        Some(m.name.clone()),
                    )),
                    None if rules.course => {
                        e(field, "needs a misconception id (kebab-case)".into())
                    }
                    None => {}
                }
            }
            if rules.course {
                for (name, t) in eval::question_texts(q) {
                    if name == "right" || name.ends_with("feedback") {
                        if t.trim_start().to_lowercase().starts_with("right") {
                            e(
                                format!("{qa}.{name}`"),
                                "starts with \"Right\"; the page already says ✓ Right".into(),
                            );
                        }
                    }
                }
            }
            if !q.number {
                // Form gives nothing away: one label template, distinct labels, three
                // or more options unless yes/no, and the right set's size shared.
                let labels: Vec<String> = (0..q.options.len())
                    .map(|k| eval::option_label(q, qe, k))
                    .collect();
                for a in 0..labels.len() {
                    for b in a + 1..labels.len() {
                        if labels[a] == labels[b] {
                            e(
                                format!("{qa}.options[{b}].label`"),
                                format!(
                                    "reads the same as option '{}': \"{}\"",
                                    q.options[a].id, labels[a]
                                ),
                            );
                        }
                    }
                }
                if rules.course && !matches!(qe.answer, Value::Bool(_)) {
                    if q.options.len() < 3 {
                        e(
                            format!("{qa}.options`"),
                            format!("has {}; a question with more than two honest answers gives 3 or more", q.options.len()),
                        );
                    }
                    if let Some(o) = q.options.iter().find(|o| o.label != q.options[0].label) {
                        e(
                            format!("{qa}.options`"),
                            format!(
                                "labels follow one template per question (\"{}\" vs \"{}\"), so form gives nothing away",
                                q.options[0].label, o.label
                            ),
                        );
                    }
                    if let (Value::Set(r), Some(rk)) = (&qe.answer, qe.right) {
                        let same = qe.options.iter().enumerate().any(|(k, v)| {
                            k != rk && matches!(v, Value::Set(x) if x.len() == r.len())
                        });
                        if !same && qe.options.len() > 1 {
                            e(
                                format!("{qa}.options`"),
                                format!("the right option alone names {} technique(s); give a distractor of the same size", r.len()),
                            );
                        }
                    }
                }
            }
            if st.kind == StepKind::Observe {
                let run = ev.run(&l.scenario, &se.setup).cloned();
                let mut refs = Vec::new();
                let mut whole = Vec::new();
                tick_refs(&q.ask, &mut refs, &mut whole);
                for o in &q.options {
                    tick_refs(&o.value, &mut refs, &mut whole);
                }
                for w in whole {
                    e(
                        format!("{qa}.ask`"),
                        format!("an observe question reads what was watched: `{w}` needs `at` (a tick up to the watch's stop)"),
                    );
                }
                if let Ok(run) = run {
                    for r in refs {
                        if let Ok(t) = eval::tick(&run, &r) {
                            if t > se.start {
                                e(
                                    format!("{qa}.ask`"),
                                    format!(
                                        "reads tick {t}, after the watch stopped (tick {})",
                                        se.start
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            if !q.number {
                let right: Vec<usize> = (0..qe.options.len())
                    .filter(|k| qe.options[*k] == qe.answer)
                    .collect();
                match right.len() {
                    0 => e(
                        format!("{qa}.options`"),
                        format!(
                            "no option equals the simulator's answer ({})",
                            shown(&qe.answer)
                        ),
                    ),
                    1 => {}
                    _ => e(
                        format!("{qa}.options`"),
                        format!(
                            "options {} all equal the answer ({}); exactly one may",
                            right
                                .iter()
                                .map(|k| format!("'{}'", q.options[*k].id))
                                .collect::<Vec<_>>()
                                .join(", "),
                            shown(&qe.answer)
                        ),
                    ),
                }
                for (k, o) in q.options.iter().enumerate() {
                    // The right option names no misconception: if the simulator's answer
                    // moves to an option written as a misconception, this catches it.
                    if Some(k) == qe.right && rules.course && o.misconception.is_some() {
                        e(
                            format!("{qa}.options[{k}].misconception`"),
                            format!(
                                "option '{}' is the simulator's answer ({}) but is written as a misconception; did the simulator change?",
                                o.id,
                                shown(&qe.answer)
                            ),
                        );
                    }
                    if Some(k) != qe.right
                        && rules.course
                        && o.misconception
                            .as_deref()
                            .is_none_or(|m| m.trim().is_empty())
                    {
                        e(
                            format!("{qa}.options[{k}].misconception`"),
                            format!("wrong option '{}' must name its misconception", o.id),
                        );
                    }
                }
                // Two wrong options with the same value would read the same.
                for a in 0..qe.options.len() {
                    for b in a + 1..qe.options.len() {
                        if qe.options[a] == qe.options[b] && qe.options[a] != qe.answer {
                            e(
                                format!("{qa}.options`"),
                                format!(
                                    "options '{}' and '{}' have the same value ({})",
                                    q.options[a].id,
                                    q.options[b].id,
                                    shown(&qe.options[a])
                                ),
                            );
                        }
                    }
                }
            } else {
                if !matches!(qe.answer, Value::Int(_)) {
                    e(
                        format!("{qa}.ask`"),
                        format!(
                            "a number question needs a number, not {}",
                            shown(&qe.answer)
                        ),
                    );
                }
                for (k, m) in qe.misconceptions.iter().enumerate() {
                    if *m == qe.answer {
                        e(
                            format!("{qa}.misconceptions[{k}].value`"),
                            format!("equals the right answer ({})", shown(m)),
                        );
                    }
                }
            }
        }
        if let (Some(r), StepKind::Predict) = (se.reveal, st.kind) {
            if r <= se.start {
                e(format!("{at} field `reveal`"), format!("the answer shows at tick {r}, not after the step's start (tick {}): nothing could be held back", se.start));
            }
        }
        if let Some(stop) = se.stop {
            if stop <= se.start {
                e(
                    format!("{at} field `to`"),
                    format!("tick {stop} is not after `from` (tick {})", se.start),
                );
            }
        }
        if let (Some(goal), Some(show)) = (&st.goal, &st.show_me) {
            match ev.goal_met(&l.scenario, &setup, goal) {
                Ok(true) => e(
                    format!("{at} field `goal`"),
                    "already holds at the step's starting setting: nothing to try".into(),
                ),
                Ok(false) => {}
                Err(why) => e(format!("{at} field `goal`"), why),
            }
            if check_setup(&mut e, &format!("{at} field `show_me`"), &l.scenario, show) {
                match ev.goal_met(&l.scenario, &setup.overlay(show), goal) {
                    Ok(true) => {}
                    Ok(false) => e(
                        format!("{at} field `show_me`"),
                        "this setting does not reach the goal".into(),
                    ),
                    Err(why) => e(format!("{at} field `show_me`"), why),
                }
            }
        }
    }
    // An id names one misconception in the lesson: it may come back (a recall asks
    // about it again) only with the same text and refutation.
    for (k, (id, field, refutation, text)) in mis_ids.iter().enumerate() {
        if !is_kebab(id) {
            e(
                field.clone(),
                format!("'{id}' is not a short kebab-case id"),
            );
        }
        if let Some((_, first, r0, t0)) = mis_ids[..k].iter().find(|(x, ..)| x == id) {
            if r0 != refutation || t0 != text {
                e(
                    field.clone(),
                    format!("'{id}' already names a different misconception at {first}; one id, one misconception (same text and refutation) per lesson"),
                );
            }
        }
        if rules.course && refutation.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e(
                field.replace("misconception_id`", "refutation`"),
                format!("misconception '{id}' needs a one-line refutation"),
            );
        }
    }
    let _ = sc;
    errs
}

/// Tick references a quantity reads, and the whole-run quantities it reads (by name).
fn tick_refs(q: &Quantity, refs: &mut Vec<super::model::TickRef>, whole: &mut Vec<&'static str>) {
    match q {
        Quantity::Balance { at, .. }
        | Quantity::Entries { at, .. }
        | Quantity::Counter { at, .. } => match at {
            Some(r) => refs.push(r.clone()),
            None => whole.push(match q {
                Quantity::Balance { .. } => "balance",
                Quantity::Entries { .. } => "entries",
                _ => "counter",
            }),
        },
        Quantity::Sum(p) => p.iter().for_each(|x| tick_refs(x, refs, whole)),
        Quantity::AppliedTwice { .. } => whole.push("applied_twice"),
        Quantity::Lost { .. } => whole.push("lost"),
        Quantity::DedupPeak { .. } => whole.push("dedup_peak"),
        Quantity::Is { .. } => whole.push("is"),
        Quantity::Where { .. } => whole.push("where"),
        Quantity::Truth { .. }
        | Quantity::Const(_)
        | Quantity::Techniques(_)
        | Quantity::Under { .. } => {}
    }
}

/// Every learner-facing text of a lesson, with the field it is in.
pub fn lesson_texts(l: &Lesson) -> Vec<(String, String)> {
    let mut v = vec![("title".to_string(), l.title.clone())];
    if let Some(t) = &l.takeaway {
        v.push(("takeaway".to_string(), t.clone()));
    }
    for (i, st) in l.steps.iter().enumerate() {
        let at = format!("step {} ({})", i + 1, st.kind.name());
        v.push((format!("{at} field `title`"), st.title.clone()));
        v.push((format!("{at} field `text`"), st.text.clone()));
        for (name, t) in [
            ("explain", &st.explain),
            ("hint", &st.hint),
            ("success", &st.success),
        ] {
            if let Some(t) = t {
                v.push((format!("{at} field `{name}`"), t.clone()));
            }
        }
        let qs: Vec<(String, &Question)> = st
            .question
            .iter()
            .map(|q| ("question".to_string(), q))
            .chain(
                st.questions
                    .iter()
                    .enumerate()
                    .map(|(k, q)| (format!("questions[{k}]"), q)),
            )
            .collect();
        for (f, q) in qs {
            for (name, t) in eval::question_texts(q) {
                v.push((format!("{at} field `{f}.{name}`"), t.clone()));
            }
        }
    }
    v
}

/// `{ $name }` placeholders no `values` entry defines (`value` is the answer).
fn unknown_placeholders(l: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for (i, st) in l.steps.iter().enumerate() {
        let known = |n: &str| n == "value" || l.values.contains_key(n) || st.values.contains_key(n);
        let at = format!("step {} ({})", i + 1, st.kind.name());
        for (field, t) in lesson_texts(l)
            .into_iter()
            .filter(|(f, _)| f.starts_with(&format!("{at} ")))
        {
            for n in eval::placeholders(&t) {
                if !known(&n) {
                    out.push(format!("{field}: placeholder '{{ ${n} }}' is not in the step's or the lesson's `values`"));
                }
            }
        }
    }
    out
}

/// Comparison words and number words that state a quantity (spec §16).
pub const NUMBER_WORDS: &[&str] = &[
    "twice",
    "thrice",
    "half",
    "halves",
    "double",
    "doubles",
    "doubled",
    "triple",
    "tripled",
    "fewer",
    "more than",
    "less than",
    "as many as",
    "as much as",
    "one in",
    "percent",
    "%",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "dozen",
    "hundred",
    "thousand",
    "most of",
    "majority",
];

/// Reviewed exceptions: (lesson id or `*`, phrase that may contain a number or a
/// comparison word, why it is not a free number).
pub const NUMBER_ALLOW: &[(&str, &str, &str)] = &[
    ("*", "two generals", "the name of the problem, not a count"),
    (
        "*",
        "applied twice",
        "the name of the property \"applied more than once\" (a verdict), not a count",
    ),
    (
        "*",
        "three questions",
        "a course recall step asks exactly three questions (validator rule)",
    ),
    (
        "*",
        "more than once",
        "vocabulary: applied more than once is what a duplicate is, not a count",
    ),
    (
        "*",
        "two writes",
        "the subject of the design: the state write and the offset or publish write",
    ),
];

/// Digits and comparison words in a lesson's prose that are neither inside a
/// placeholder, nor part of an id (txn-3, m-B, msg-12), nor on the allow-list.
pub fn free_numbers(l: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for (field, text) in lesson_texts(l) {
        // Placeholders are filled from the run: blank them out (keeping positions).
        let mut plain = String::with_capacity(text.len());
        let mut depth = 0;
        for c in text.chars() {
            match c {
                '{' => {
                    depth += 1;
                    plain.push(' ');
                }
                '}' if depth > 0 => {
                    depth -= 1;
                    plain.push(' ');
                }
                _ if depth > 0 => plain.push(' '),
                _ => plain.push(c),
            }
        }
        let low = plain.to_lowercase();
        let allowed = |pos: usize, len: usize| {
            NUMBER_ALLOW.iter().any(|(lesson, phrase, _)| {
                (*lesson == "*" || *lesson == l.id)
                    && low
                        .match_indices(phrase)
                        .any(|(a, _)| a <= pos && pos + len <= a + phrase.len())
            })
        };
        let mut found: Vec<String> = Vec::new();
        // Words with digits that are not ids.
        let mut pos = 0;
        for w in low.split_inclusive(|c: char| c.is_whitespace()) {
            let word = w
                .trim_end()
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != '-');
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            let start = pos + w.find(word).unwrap_or(0);
            pos += w.len();
            if !word.chars().any(|c| c.is_ascii_digit() || c == '%') {
                continue;
            }
            if is_id(word) || allowed(start, word.len()) {
                continue;
            }
            found.push(format!("'{word}'"));
        }
        // Number and comparison words, as whole words.
        for nw in NUMBER_WORDS {
            for (a, _) in low.match_indices(nw) {
                let before = low[..a].chars().next_back();
                let after = low[a + nw.len()..].chars().next();
                let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
                if (nw.chars().all(|c| c.is_alphanumeric() || c == ' ')
                    && !(edge(before) && edge(after)))
                    || allowed(a, nw.len())
                {
                    continue;
                }
                found.push(format!("'{nw}'"));
            }
        }
        if !found.is_empty() {
            out.push(format!(
                "{field}: free number or comparison {} (fill it from the run with a `{{ $name }}` placeholder, remove it, or add a reviewed exception to NUMBER_ALLOW)",
                found.join(", ")
            ));
        }
    }
    out
}

/// An id such as txn-3, msg-12, m-9237 (letters, a dash, then letters/digits).
fn is_id(w: &str) -> bool {
    let mut parts = w.split('-');
    let first = parts.next().unwrap_or("");
    !first.is_empty()
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && w.contains('-')
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A setup's params, faults and technique must fit its scenario. Returns whether usable.
fn check_setup(
    e: &mut impl FnMut(String, String),
    at: &str,
    default_scenario: &str,
    s: &crate::course::model::Setup,
) -> bool {
    let scenario = s.scenario.as_deref().unwrap_or(default_scenario);
    let sc = match scenarios::find(scenario) {
        Ok(x) => x,
        Err(_) => {
            e(
                format!("{at}.scenario"),
                format!("'{scenario}' is not a scenario"),
            );
            return false;
        }
    };
    let params: Vec<(String, i64)> = s.params.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if let Err(why) = Params::with(sc.info().params, &params) {
        e(format!("{at}.params"), why.to_string());
        return false;
    }
    if let Err(why) = eval::config(default_scenario, s) {
        e(format!("{at}.faults"), why);
        return false;
    }
    true
}

/// Parse and check a lesson file (what a teacher's import goes through).
pub fn load(text: &str) -> Result<Lesson, Vec<String>> {
    load_report(text).map(|(l, _)| l)
}

/// `load`, with the warnings an accepted file earned: a migrated older format,
/// questions without `expect`, free numbers in its prose (refused in the course,
/// only warned about in a teacher's own file).
pub fn load_report(text: &str) -> Result<(Lesson, Vec<String>), Vec<String>> {
    let (l, mut warnings) = parse_report(text).map_err(|e| vec![e])?;
    let errs = check(&l, Rules::default());
    if !errs.is_empty() {
        return Err(errs);
    }
    let missing = l
        .steps
        .iter()
        .flat_map(|s| s.question.iter().chain(s.questions.iter()))
        .filter(|q| q.expect.is_none())
        .count();
    if missing > 0 && l.format == Some(FORMAT) && warnings.is_empty() {
        warnings.push(format!(
            "{missing} question(s) have no `expect`: their answers come from the simulator alone, unchecked by a second entry"
        ));
    }
    warnings.extend(free_numbers(&l));
    Ok((l, warnings))
}
