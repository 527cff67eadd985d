//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::means::{published, within};
use crate::sim::event::{Ev, LossWhy};
use crate::sim::ids::{Merchant, Tick};
use crate::sim::promise::Outcome;
use crate::sim::run::{RunResult, TechniqueRun};
use std::collections::BTreeSet;

/// Seeds the prompts open with (each chosen so that its promise holds).
pub(super) const SEED_OVERLOAD: u64 = 0;
pub(super) const SEED_LOSSY: u64 = 2;
pub(super) const SEED_PERFECT: u64 = 6;

/// Every published mean within `tol` ‰: the tick of the last publication.
fn all_within(t: &TechniqueRun, tol: i64) -> Option<Option<Tick>> {
    let rows = published(&t.trace);
    let ok = !rows.is_empty()
        && rows
            .iter()
            .all(|r| within((r.truth_sum, r.truth_count), (r.sum, r.count), tol));
    ok.then(|| rows.last().map(|r| r.tick))
}

/// The first sample that arrived after its second was published: its tick.
fn first_late(t: &TechniqueRun) -> Option<Tick> {
    let mut done: BTreeSet<Merchant> = BTreeSet::new();
    for e in &t.trace {
        match e.ev {
            Ev::Aggregate { bucket, .. } => {
                done.insert(bucket);
            }
            Ev::Apply { entry, .. } if done.contains(&entry.merchant) => return Some(e.tick),
            _ => {}
        }
    }
    None
}

fn datagrams_and_acks(t: &TechniqueRun) -> usize {
    t.trace
        .iter()
        .filter(|e| matches!(e.ev, Ev::Send { .. }))
        .count()
}

fn overload_drops(t: &TechniqueRun) -> usize {
    t.trace
        .iter()
        .filter(|e| {
            matches!(
                e.ev,
                Ev::Lose {
                    why: LossWhy::Overload,
                    ..
                }
            )
        })
        .count()
}

/// "A lossy network": 5–15% of samples lost, every mean within 3%.
fn lossy_within_3(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let lost = t.verdict.lost.len() * 100;
    let n = r.workload.len().max(1);
    if lost < 5 * n || lost > 15 * n {
        return None;
    }
    all_within(t, 30)
}

/// "Overload the collector": over half the datagrams dropped, every mean within 5%.
fn overload_close(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    if overload_drops(t) * 2 <= r.workload.len() {
        return None;
    }
    all_within(t, 50)
}

/// The retrying sensors send at least twice the packets, and some retried sample lands
/// after its second was published (shown at that tick).
fn retries_late(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    if datagrams_and_acks(t) < 2 * r.workload.len() {
        return None;
    }
    first_late(t).map(Some)
}

/// Metrics can take at-most-once: some sample lost, and the published means still
/// within the scenario's tolerance (its badge is a ✓).
pub const LOST_YET_FAITHFUL: Outcome = Outcome::Custom {
    says: "a sample lost, yet every published per-second mean within the tolerance",
    test: |_, t| {
        (!t.verdict.lost.is_empty() && t.badge.good())
            .then(|| published(&t.trace).last().map(|r| r.tick))
    },
};

include!(concat!(env!("OUT_DIR"), "/scenario_texts/telemetry.rs"));
