//! Named placeholders in lesson prose. A text says `{ $payments }` (the Fluent
//! placeable syntax, so a translation system can carry it) and the lesson's `values`
//! name the quantity it stands for; `{ $value }` (or the older `{value}`) is the
//! question's computed answer in feedback and the option's own value in a label.
//! Nothing in prose is a number typed by hand.

use super::*;
use crate::course::model::{Lesson, Question};

/// The placeholder names in a text, in order (`{ $name }`, `{$name}`, `{value}`).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(a) = rest.find('{') {
        let Some(b) = rest[a..].find('}') else { break };
        let inner = rest[a + 1..a + b].trim();
        out.push(inner.trim_start_matches('$').trim().to_string());
        rest = &rest[a + b + 1..];
    }
    out
}

/// Replace every `{ $name }` whose name is in `vars`; `{value}` is `{ $value }`.
/// Placeholders not in `vars` are left as they are.
pub fn fill_vars(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(a) = rest.find('{') {
        out.push_str(&rest[..a]);
        let Some(b) = rest[a..].find('}') else {
            out.push_str(&rest[a..]);
            return out;
        };
        let whole = &rest[a..a + b + 1];
        let name = rest[a + 1..a + b].trim().trim_start_matches('$').trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(whole),
        }
        rest = &rest[a + b + 1..];
    }
    out.push_str(rest);
    out
}

/// The named values of step `i` (or of the lesson alone): the lesson's `values` at
/// the lesson's setup, then the step's at the step's setup.
pub fn vars(
    ev: &mut Evaluator,
    lesson: &Lesson,
    i: Option<usize>,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let base = Setup {
        scenario: Some(lesson.scenario.clone()),
        ..lesson.setup.clone()
    };
    for (name, q) in &lesson.values {
        let v = ev
            .value(&lesson.scenario, &base, q)
            .map_err(|e| format!("values.{name}: {e}"))?;
        out.insert(name.clone(), v.show(&labels(ev, &lesson.scenario, &base)));
    }
    if let Some(st) = i.and_then(|i| lesson.steps.get(i).map(|s| (i, s))) {
        let setup = step_setup(lesson, st.0);
        for (name, q) in &st.1.values {
            let v = ev
                .value(&lesson.scenario, &setup, q)
                .map_err(|e| format!("values.{name}: {e}"))?;
            out.insert(name.clone(), v.show(&labels(ev, &lesson.scenario, &setup)));
        }
    }
    Ok(out)
}

fn labels(ev: &mut Evaluator, sc: &str, s: &Setup) -> BTreeMap<String, String> {
    ev.run(sc, s)
        .map(|r| {
            r.techniques
                .iter()
                .map(|t| (t.id.clone(), t.label.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Every learner-facing text of a question, with a name for messages.
pub fn question_texts(q: &Question) -> Vec<(String, &String)> {
    let mut v = vec![("prompt".to_string(), &q.prompt)];
    for (k, o) in q.options.iter().enumerate() {
        v.push((format!("options[{k}].label"), &o.label));
        v.push((format!("options[{k}].feedback"), &o.feedback));
        if let Some(r) = &o.refutation {
            v.push((format!("options[{k}].refutation"), r));
        }
    }
    if let Some(r) = &q.right {
        v.push(("right".to_string(), r));
    }
    if let Some(r) = &q.wrong {
        v.push(("wrong".to_string(), r));
    }
    for (k, m) in q.misconceptions.iter().enumerate() {
        v.push((format!("misconceptions[{k}].feedback"), &m.feedback));
        if let Some(r) = &m.refutation {
            v.push((format!("misconceptions[{k}].refutation"), r));
        }
    }
    v
}

/// The lesson with every named placeholder filled from its runs (`{ $value }` is
/// left for the answer and option labels, filled when shown). What the page shows.
pub fn resolve(ev: &mut Evaluator, lesson: &Lesson) -> Result<Lesson, String> {
    let mut out = lesson.clone();
    let lv = vars(ev, lesson, None)?;
    let f = |t: &mut String, v: &BTreeMap<String, String>| *t = fill_vars(t, v);
    if let Some(t) = out.takeaway.as_mut() {
        f(t, &lv);
    }
    for i in 0..out.steps.len() {
        let v = vars(ev, lesson, Some(i))?;
        let st = &mut out.steps[i];
        f(&mut st.title, &v);
        f(&mut st.text, &v);
        for t in [&mut st.explain, &mut st.hint, &mut st.success]
            .into_iter()
            .flatten()
        {
            f(t, &v);
        }
        for q in st.question.iter_mut().chain(st.questions.iter_mut()) {
            f(&mut q.prompt, &v);
            for o in &mut q.options {
                f(&mut o.label, &v);
                f(&mut o.feedback, &v);
                if let Some(r) = o.refutation.as_mut() {
                    f(r, &v);
                }
            }
            for t in [&mut q.right, &mut q.wrong].into_iter().flatten() {
                f(t, &v);
            }
            for m in &mut q.misconceptions {
                f(&mut m.feedback, &v);
                if let Some(r) = m.refutation.as_mut() {
                    f(r, &v);
                }
            }
        }
    }
    Ok(out)
}
