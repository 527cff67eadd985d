//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use crate::sim::event::{RejectWhy, SkipWhy};
use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};
use crate::sim::scenarios::plumbing::{first_rejected, first_skip};

/// The broker recognised a retried write by its sequence number.
fn retry_absorbed(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_rejected(t, RejectWhy::DuplicateSequence)
}

/// The read_committed consumer passed over a record of an aborted transaction.
fn aborted_skipped(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_skip(t, SkipWhy::Aborted)
}

include!(concat!(env!("OUT_DIR"), "/scenario_texts/broker_eos.rs"));
