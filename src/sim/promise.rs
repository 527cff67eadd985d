//! Promises the app makes in words ("Watch: …" on a try-this prompt or a confusion
//! card) as checkable expectations about a run, in the simulator's own terms.
//!
//! This is vocabulary: it names no scenario. A prompt carries the seed it opens with;
//! the catalogue module lists every promise, `tests/native/teaching.rs`
//! checks that each is kept at its seed, and `eosim promises` prints how often it is
//! kept over many seeds. The UI shows whether the run on screen kept it ([`keep`]).

use super::event::{EntryKind, Ev};
use super::ids::{MsgId, NetId, Tick};
use super::ledger::LedgerUnit;
use super::run::{RunResult, TechniqueRun};
use std::collections::BTreeSet;

/// What one technique is promised to do in the run.
#[derive(Copy, Clone, Debug)]
pub enum Outcome {
    /// The scenario's property held (its badge is a ✓).
    Holds,
    /// The scenario's property failed (the badge is ! or ✕).
    Breaks,
    /// At least this many logical messages were never applied.
    Lost(usize),
    /// At least this many logical messages were applied more than once.
    Doubled(usize),
    /// Ledger equals the truth; nothing lost or doubled; every check passed.
    Exact,
    /// A scenario check (by name) passed (`true`) or failed (`false`).
    Check(&'static str, bool),
    /// A scenario-specific quantity: `test` answers `None` when the promise is not
    /// kept, else the tick where the learner sees it (if there is one such tick).
    Custom {
        says: &'static str,
        test: fn(&RunResult, &TechniqueRun) -> Option<Option<Tick>>,
    },
}

/// One technique's promised outcome.
#[derive(Copy, Clone, Debug)]
pub struct Expect {
    /// Technique id (`naive`, `dedup`, …).
    pub technique: &'static str,
    pub outcome: Outcome,
}

impl Expect {
    pub const fn new(technique: &'static str, outcome: Outcome) -> Expect {
        Expect { technique, outcome }
    }
}

/// Where a kept promise shows: which technique, in words, and the tick to jump to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub technique: String,
    pub says: String,
    pub tick: Option<Tick>,
}

/// Is every expectation met by `r`, a run of a scenario counted in `unit`? `Ok` with
/// the evidence, or `Err` naming the first one that is not.
pub fn keep(expect: &[Expect], r: &RunResult, unit: LedgerUnit) -> Result<Vec<Evidence>, String> {
    let mut out = Vec::new();
    for e in expect {
        let Some(t) = r.technique(e.technique) else {
            return Err(format!("no technique '{}' in {}", e.technique, r.scenario));
        };
        let v = &t.verdict;
        let (ok, says, tick) = match e.outcome {
            Outcome::Holds => (t.badge.good(), t.badge.text.clone(), None),
            Outcome::Breaks => (
                !t.badge.good(),
                t.badge.text.clone(),
                v.first_violation
                    .and_then(|i| t.trace.get(i))
                    .map(|e| e.tick),
            ),
            Outcome::Lost(n) => {
                let first = v.lost.first().copied();
                (
                    v.lost.len() >= n.max(1),
                    match first {
                        Some(m) => format!("lost {}", unit.item(m)),
                        None => "lost nothing".to_string(),
                    },
                    first.and_then(|m| last_loss_tick(t, m)),
                )
            }
            Outcome::Doubled(n) => {
                let first = v.applied_twice.first().copied();
                (
                    v.applied_twice.len() >= n.max(1),
                    match first {
                        Some(m) => format!("applied {} twice", unit.item(m)),
                        None => "applied nothing twice".to_string(),
                    },
                    first.and_then(|m| second_apply_tick(t, m)),
                )
            }
            Outcome::Exact => (
                v.exactly_once && v.checks.iter().all(|c| c.ok),
                "matches the truth: nothing lost, nothing applied twice".to_string(),
                None,
            ),
            Outcome::Check(name, want) => match v.checks.iter().find(|c| c.name == name) {
                Some(c) => (
                    c.ok == want,
                    c.detail.clone(),
                    c.event.and_then(|i| t.trace.get(i)).map(|e| e.tick),
                ),
                None => (false, format!("no check '{name}'"), None),
            },
            Outcome::Custom { says, test } => match test(r, t) {
                Some(tick) => (true, says.to_string(), tick),
                None => (false, says.to_string(), None),
            },
        };
        if !ok {
            return Err(format!("{}: not {says}", t.label));
        }
        out.push(Evidence {
            technique: t.id.clone(),
            says: format!("{} — {says}", t.label),
            tick,
        });
    }
    Ok(out)
}

/// The tick of the last loss of any transmission that carried `msg` (requests only:
/// acks carry the id of what they acknowledge).
fn last_loss_tick(t: &TechniqueRun, msg: MsgId) -> Option<Tick> {
    let mut nets: BTreeSet<NetId> = BTreeSet::new();
    let mut last = None;
    for e in &t.trace {
        match &e.ev {
            Ev::Send { net, p, .. } if p.msg == msg => {
                nets.insert(*net);
            }
            Ev::Lose { net, .. } if nets.contains(net) => last = Some(e.tick),
            _ => {}
        }
    }
    last
}

/// The tick `msg` was applied for the second time.
fn second_apply_tick(t: &TechniqueRun, msg: MsgId) -> Option<Tick> {
    t.trace
        .iter()
        .filter(|e| {
            matches!(&e.ev, Ev::Apply { entry, .. }
                if entry.msg == msg && entry.kind != EntryKind::Compensation)
        })
        .nth(1)
        .map(|e| e.tick)
}
