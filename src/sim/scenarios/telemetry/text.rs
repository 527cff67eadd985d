//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::means::{published, within};
use crate::sim::event::{Ev, LossWhy, MsgKind};
use crate::sim::ids::{Merchant, MsgId, NetId, Tick};
use crate::sim::promise::Outcome;
use crate::sim::run::{RunResult, TechniqueRun};
use std::collections::{BTreeMap, BTreeSet};

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

/// The first retried sample delivered after its second was published (too late to
/// count, so the retry saved nothing): its tick.
fn first_late(r: &RunResult, t: &TechniqueRun) -> Option<Tick> {
    let second: BTreeMap<MsgId, Merchant> =
        r.workload.iter().map(|p| (p.msg, p.merchant)).collect();
    let mut done: BTreeSet<Merchant> = BTreeSet::new();
    let mut retried: BTreeMap<NetId, MsgId> = BTreeMap::new();
    for e in &t.trace {
        match e.ev {
            Ev::Aggregate { bucket, .. } => {
                done.insert(bucket);
            }
            Ev::Send { net, p, .. } if p.kind == MsgKind::Datagram && p.attempt > 0 => {
                retried.insert(net, p.msg);
            }
            Ev::Deliver { net } => {
                let late = retried
                    .get(&net)
                    .and_then(|m| second.get(m))
                    .is_some_and(|s| done.contains(s));
                if late {
                    return Some(e.tick);
                }
            }
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

/// "A lossy network": samples lost, and every mean within the run's threshold — the
/// same test as the badge's ✓.
fn lossy_faithful(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    if t.verdict.lost.is_empty() || !t.badge.good() {
        return None;
    }
    all_within(t, super::tolerance(&r.params))
}

/// "Overload the collector": over half the datagrams dropped, and every mean within
/// the run's threshold (the badge's ✓).
fn overload_close(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    if overload_drops(t) * 2 <= r.workload.len() || !t.badge.good() {
        return None;
    }
    all_within(t, super::tolerance(&r.params))
}

/// The retrying sensors send at least twice the packets, and some retried sample lands
/// after its second was published (shown at that tick).
fn retries_late(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    if datagrams_and_acks(t) < 2 * r.workload.len() {
        return None;
    }
    first_late(r, t).map(Some)
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
