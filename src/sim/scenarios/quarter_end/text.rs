//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};
use crate::sim::scenarios::plumbing::no_timeout;

/// No session timeout fired.
fn no_alarm(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    no_timeout(t)
}

/// Every balance matches the truth although some payment was written twice.
fn balanced(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let v = &t.verdict;
    (v.diffs.is_empty() && !v.applied_twice.is_empty()).then_some(None)
}

include!(concat!(env!("OUT_DIR"), "/scenario_texts/quarter_end.rs"));
