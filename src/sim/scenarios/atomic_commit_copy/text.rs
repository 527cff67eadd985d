//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use crate::sim::event::Ev;
use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};

/// The consumer crashed, never consulted a dedup table (no id skipped), and its
/// ledger is exact: the offset committed with the state did the work.
pub(super) fn crashed_without_dedup(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let crash = t.trace.iter().find(|e| matches!(e.ev, Ev::Crash { .. }))?;
    let skipped = t.trace.iter().any(|e| matches!(e.ev, Ev::Skip { .. }));
    (!skipped && t.verdict.exactly_once).then_some(Some(crash.tick))
}

include!(concat!(env!("OUT_DIR"), "/scenario_texts/atomic_commit_copy.rs"));
