//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use crate::sim::event::{Ev, SkipWhy};
use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};

/// After an operator's offset reset, some replayed event was skipped by its id (the
/// unique constraint): the tick of the first such skip.
pub(super) fn replay_skipped_by_id(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let reset = t
        .trace
        .iter()
        .position(|e| matches!(e.ev, Ev::Operator { .. }))?;
    t.trace[reset..]
        .iter()
        .find(|e| {
            matches!(
                e.ev,
                Ev::Skip {
                    why: SkipWhy::UniqueConstraint,
                    ..
                }
            )
        })
        .map(|e| Some(e.tick))
}

include!(concat!(env!("OUT_DIR"), "/scenario_texts/eos_boundary.rs"));
