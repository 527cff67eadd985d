//! The rules of one predict step, run on their own: what a practice variant
//! (`course::practice`) is checked with.

use super::{agree, already_watched, answer_hints, Rules};
use crate::course::eval::{self, Evaluator};
use crate::course::model::{Lesson, Question};

/// The rules that read one predict step's run, against its evaluation `se`: the
/// questions' agreement (`agree`), the hold, and the answer hints and "already
/// watched" rules for that step. A practice variant (`course::practice`) is checked
/// with exactly these.
pub fn check_predict(ev: &mut Evaluator, l: &Lesson, i: usize, se: &eval::StepEval) -> Vec<String> {
    let rules = Rules { course: true };
    let mut errs = Vec::new();
    let mut e = |w: String, m: String| errs.push(format!("{w}: {m}"));
    let at = format!("lesson '{}' step {} (predict)", l.id, i + 1);
    let qs: Vec<(String, &Question)> = l.steps[i]
        .question
        .iter()
        .map(|q| ("question".to_string(), q))
        .collect();
    agree::questions(&mut e, ev, l, i, rules, se, &qs, &mut Vec::new());
    if let Some(r) = se.reveal.filter(|r| *r <= se.start) {
        e(format!("{at} field `reveal`"), format!("the answer shows at tick {r}, not after the step's start (tick {}): nothing could be held back", se.start));
    }
    let this = format!("step {} (predict)", i + 1);
    for (w, m) in answer_hints(ev, l)
        .into_iter()
        .chain(already_watched(ev, l))
    {
        if w.contains(&this) || m.contains(&this) {
            e(w, m);
        }
    }
    errs
}
