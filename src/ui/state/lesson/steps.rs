//! What a lesson step puts on screen besides its text: the misconception an answer
//! stands for (its id, refutation and the lesson's takeaway), a try step's
//! own controls, and the ledger rows a step names.

use super::LessonRun;
use crate::course::eval::{self, Answer};
use crate::course::model::{Lesson, StepKind};
use crate::ui::state::ScenarioRef;

/// The misconception a wrong answer stands for: its name and its one-line refutation.
pub(super) fn misconception_met(
    q: &crate::course::model::Question,
    e: &eval::QuestionEval,
    a: &Answer,
) -> Option<(String, String)> {
    match a {
        Answer::Option(i) => {
            let o = q.options.get(*i)?;
            let name = misconception_id(o)?;
            Some((name, refutation_of(o)))
        }
        Answer::Number(v) => {
            let k = e
                .misconceptions
                .iter()
                .position(|m| *m == eval::Value::Int(*v))?;
            let m = q.misconceptions.get(k)?;
            Some((
                m.misconception_id.clone().unwrap_or_else(|| m.name.clone()),
                m.refutation.clone().unwrap_or_else(|| m.feedback.clone()),
            ))
        }
    }
}

/// A wrong option's stable misconception id (`data-misconception` on its button).
pub fn misconception_id(o: &crate::course::model::Choice) -> Option<String> {
    o.misconception_id
        .clone()
        .or_else(|| o.misconception.clone())
}
/// The one-line refutation of the misconception an option stands for.
pub fn refutation_of(o: &crate::course::model::Choice) -> String {
    o.refutation.clone().unwrap_or_else(|| o.feedback.clone())
}
/// The lesson's one-sentence takeaway, shown in the summary.
pub fn takeaway(l: &Lesson) -> Option<String> {
    l.takeaway.clone()
}

/// The parameters a try step's own controls change (from its `show_me`), in the
/// scenario's order: rendered inside the step panel.
pub fn step_params(l: &LessonRun) -> Vec<String> {
    let Some(st) = l
        .lesson
        .steps
        .get(l.step)
        .filter(|s| s.kind == StepKind::Try)
    else {
        return Vec::new();
    };
    let Some(show) = &st.show_me else {
        return Vec::new();
    };
    let Ok(sc) = ScenarioRef::find(&l.lesson.scenario) else {
        return Vec::new();
    };
    sc.info()
        .params
        .iter()
        .filter(|p| show.params.contains_key(p.name))
        .map(|p| p.name.to_string())
        .collect()
}

/// Whether a try step's goal needs a hand-made fault (its `show_me` makes one).
pub fn step_needs_fault(l: &LessonRun) -> bool {
    l.lesson
        .steps
        .get(l.step)
        .filter(|s| s.kind == StepKind::Try)
        .and_then(|s| s.show_me.as_ref())
        .and_then(|s| s.faults.as_ref())
        .is_some_and(|f| !f.is_empty())
}

/// The ledger rows (merchants) the step's questions and goal name; empty: all rows.
pub fn step_rows(l: &LessonRun) -> Vec<String> {
    use crate::course::model::Quantity;
    fn walk(q: &Quantity, out: &mut Vec<String>) {
        match q {
            Quantity::Balance { merchant: m, .. }
            | Quantity::Truth { merchant: m }
            | Quantity::Entries {
                merchant: Some(m), ..
            } if !out.contains(m) => out.push(m.clone()),
            Quantity::Under { setup, of } if setup.scenario.is_none() => walk(of, out),
            Quantity::Sum(parts) => parts.iter().for_each(|p| walk(p, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let Some(st) = l.lesson.steps.get(l.step) else {
        return out;
    };
    for q in st.question.iter().chain(st.questions.iter()) {
        if q.setup.as_ref().is_some_and(|s| s.scenario.is_some()) {
            continue;
        }
        walk(&q.ask, &mut out);
        q.options.iter().for_each(|o| walk(&o.value, &mut out));
    }
    if let Some(g) = &st.goal {
        walk(&g.when, &mut out);
    }
    out
}

/// Whether the step's questions or goal read a delivery counter: if not, the counters
/// fold away while the lesson is on the step (the page is built around what it names).
pub fn step_reads_counters(l: &LessonRun) -> bool {
    use crate::course::model::Quantity;
    fn reads(q: &Quantity) -> bool {
        match q {
            Quantity::Counter { .. } => true,
            Quantity::Under { of, .. } => reads(of),
            Quantity::Sum(parts) => parts.iter().any(reads),
            _ => false,
        }
    }
    let Some(st) = l.lesson.steps.get(l.step) else {
        return false;
    };
    st.question.iter().chain(st.questions.iter()).any(|q| {
        reads(&q.ask)
            || q.options.iter().any(|o| reads(&o.value))
            || q.misconceptions.iter().any(|m| reads(&m.value))
    }) || st
        .goal
        .as_ref()
        .is_some_and(|g| reads(&g.when) || reads(&g.value))
}
