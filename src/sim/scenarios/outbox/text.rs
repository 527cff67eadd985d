//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use crate::sim::event::SkipWhy;
use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};
use crate::sim::scenarios::plumbing::first_skip;

fn nothing_lost(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    t.verdict.lost.is_empty().then_some(None)
}
fn skipped_by_outbox_id(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_skip(t, SkipWhy::SeenId)
}

include!(concat!(env!("OUT_DIR"), "/scenario_texts/outbox.rs"));
