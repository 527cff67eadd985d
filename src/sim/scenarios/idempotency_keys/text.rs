//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::REUSER;
use crate::sim::event::{Ev, KeyState, RejectWhy, SkipWhy};
use crate::sim::ids::Tick;
use crate::sim::run::{RunResult, TechniqueRun};
use crate::sim::scenarios::plumbing::{first_rejected, first_skip, first_tick};

fn stored_answer(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_skip(t, SkipWhy::StoredResponse)
}
fn key_expired(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_tick(t, |e| {
        matches!(
            e,
            Ev::KeyRecord {
                state: KeyState::Expired,
                ..
            }
        )
    })
}
fn conflict_409(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_rejected(t, RejectWhy::KeyInFlight)
}
fn reused_422(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    first_tick(t, |e| {
        matches!(
            e,
            Ev::Rejected {
                msg: REUSER,
                why: RejectWhy::KeyReused,
                ..
            }
        )
    })
}
fn crash_before_key(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    t.trace
        .windows(2)
        .find(|w| matches!((&w[0].ev, &w[1].ev), (Ev::Apply { .. }, Ev::Crash { .. })))
        .map(|w| Some(w[1].tick))
}

include!(concat!(
    env!("OUT_DIR"),
    "/scenario_texts/idempotency_keys.rs"
));
