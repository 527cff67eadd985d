//! A question against the simulator: the right option, the author's `expect` (double
//! entry), misconception ids, the form of the options, what an observe step may read.

use super::{MisId, Rules};
use crate::course::eval::{self, Evaluator, StepEval, Value};
use crate::course::model::{Expect, Lesson, Quantity, Question, StepKind, TickRef};

/// Check every question of step `i` against its evaluation `se`.
#[allow(clippy::too_many_arguments)]
pub(super) fn questions(
    e: &mut dyn FnMut(String, String),
    ev: &mut Evaluator,
    l: &Lesson,
    i: usize,
    rules: Rules,
    se: &StepEval,
    qs: &[(String, &Question)],
    mis_ids: &mut Vec<MisId>,
) {
    let st = &l.steps[i];
    let lid = format!("lesson '{}'", l.id);
    let at = format!("{lid} step {} ({})", i + 1, st.kind.name());
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
                None if rules.course => e(field, "needs a misconception id (kebab-case)".into()),
                None => {}
            }
        }
        if rules.course {
            for (name, t) in eval::question_texts(q) {
                if (name == "right" || name.ends_with("feedback"))
                    && t.trim_start().to_lowercase().starts_with("right")
                {
                    e(
                        format!("{qa}.{name}`"),
                        "starts with \"Right\"; the page already says ✓ Right".into(),
                    );
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
                        format!(
                            "has {}; a question with more than two honest answers gives 3 or more",
                            q.options.len()
                        ),
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
                    let same =
                        qe.options.iter().enumerate().any(|(k, v)| {
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
}

/// Tick references a quantity reads, and the whole-run quantities it reads (by name).
fn tick_refs(q: &Quantity, refs: &mut Vec<TickRef>, whole: &mut Vec<&'static str>) {
    match q {
        Quantity::Balance { at, .. }
        | Quantity::Entries { at, .. }
        | Quantity::Message { at, .. }
        | Quantity::Counter { at, .. } => match at {
            Some(r) => refs.push(r.clone()),
            None => whole.push(match q {
                Quantity::Balance { .. } => "balance",
                Quantity::Entries { .. } => "entries",
                Quantity::Message { .. } => "message",
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
