//! The steps that may close a lesson after its recall: a predict-space step ("can it
//! ever happen?", `course::practice::QUESTIONS`), then a build step, each optional.

use crate::course::model::{Lesson, StepKind};

/// The number of steps up to the recall: a lesson may close with a predict-space step
/// and then a build step after it (each optional, in that order).
pub fn core_len(l: &Lesson) -> usize {
    let mut core = l.steps.len();
    for k in [StepKind::Build, StepKind::PredictSpace] {
        if core > 0 && l.steps[core - 1].kind == k {
            core -= 1;
        }
    }
    core
}

/// What is wrong with a predict-space step's `space` in a lesson about `scenario`: not
/// a question's id, or a question about another scenario.
pub fn space_problem(id: &str, scenario: &str) -> Option<String> {
    use crate::course::practice::{find_space, QUESTIONS};
    match find_space(id) {
        None => Some(format!(
            "'{id}' is not a \"can it ever happen?\" question (one of {})",
            QUESTIONS
                .iter()
                .map(|q| q.id)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(q) if q.scenario != scenario => Some(format!(
            "'{id}' asks about the scenario '{}', not this lesson's '{scenario}'",
            q.scenario
        )),
        Some(_) => None,
    }
}
