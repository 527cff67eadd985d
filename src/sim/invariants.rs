//! Invariants checked per technique: truth vs observed.
//!
//! * exactly-once processing ⇔ the ledger equals truth and no message was applied
//!   twice (a compensated duplicate still counts: the entry was written);
//! * at-least-once ⇔ nothing lost; at-most-once ⇔ nothing applied twice.

use super::event::{Ev, Event};
use super::ids::{txn_name, Merchant, MsgId, NetId};
use super::ledger::{Ledger, LedgerUnit, Payment};
use super::run::Guarantee;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceDiff {
    pub merchant: Merchant,
    pub observed: i64,
    pub truth: i64,
}

/// A scenario-specific check (agreement of the generals, no dirty read, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    /// Index in the trace of the event that broke it.
    pub event: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The technique's claim held (and every scenario check passed).
    pub holds: bool,
    pub exactly_once: bool,
    pub lost: Vec<MsgId>,
    pub applied_twice: Vec<MsgId>,
    pub diffs: Vec<BalanceDiff>,
    /// Index in the trace of the first event where the ledger went wrong.
    pub first_violation: Option<usize>,
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Judge a ledger technique against the truth of `workload`.
    pub fn judge(
        trace: &[Event],
        ledger: &Ledger,
        workload: &[Payment],
        claim: Guarantee,
        checks: Vec<Check>,
    ) -> Verdict {
        let truth = Ledger::truth(workload).balances();
        let observed = ledger.balances();
        let apps = ledger.applications();
        let lost: Vec<MsgId> = workload
            .iter()
            .map(|p| p.msg)
            .filter(|m| !apps.contains_key(m))
            .collect();
        let applied_twice: Vec<MsgId> = apps
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(m, _)| *m)
            .collect();
        let mut merchants: Vec<Merchant> = truth.keys().chain(observed.keys()).copied().collect();
        merchants.sort_unstable();
        merchants.dedup();
        let diffs: Vec<BalanceDiff> = merchants
            .into_iter()
            .filter_map(|m| {
                let o = observed.get(&m).copied().unwrap_or(0);
                let t = truth.get(&m).copied().unwrap_or(0);
                (o != t).then_some(BalanceDiff {
                    merchant: m,
                    observed: o,
                    truth: t,
                })
            })
            .collect();
        let exactly_once = lost.is_empty() && applied_twice.is_empty() && diffs.is_empty();
        let claim_ok = match claim {
            Guarantee::ExactlyOnce => exactly_once,
            Guarantee::AtLeastOnce => lost.is_empty(),
            Guarantee::AtMostOnce => applied_twice.is_empty(),
            Guarantee::None => true,
        };
        let first_violation = first_violation(trace, &lost);
        let holds = claim_ok && checks.iter().all(|c| c.ok);
        Verdict {
            holds,
            exactly_once,
            lost,
            applied_twice,
            diffs,
            first_violation,
            checks,
        }
    }

    /// Only scenario checks (no ledger), e.g. Two Generals.
    pub fn checks_only(checks: Vec<Check>) -> Verdict {
        let first_violation = checks
            .iter()
            .filter(|c| !c.ok)
            .filter_map(|c| c.event)
            .min();
        Verdict {
            holds: checks.iter().all(|c| c.ok),
            exactly_once: true,
            lost: Vec::new(),
            applied_twice: Vec::new(),
            diffs: Vec::new(),
            first_violation,
            checks,
        }
    }

    /// "m-B over by ₹2000 — applied txn-3 twice" (empty when all is well).
    pub fn summary(&self) -> String {
        self.summary_in(LedgerUnit::Rupees)
    }

    /// The summary in the scenario's own units ("match A over by 6 runs").
    pub fn summary_in(&self, unit: LedgerUnit) -> String {
        let mut parts = Vec::new();
        for d in &self.diffs {
            let off = d.observed - d.truth;
            let sign = if off > 0 { "over" } else { "short" };
            parts.push(format!(
                "{} {} by {}",
                unit.entity(d.merchant),
                sign,
                unit.amount(off.abs())
            ));
        }
        let mut why = Vec::new();
        if !self.applied_twice.is_empty() {
            why.push(format!("applied {} twice", names(&self.applied_twice)));
        }
        if !self.lost.is_empty() {
            why.push(format!("never applied {}", names(&self.lost)));
        }
        for c in self.checks.iter().filter(|c| !c.ok) {
            why.push(c.detail.clone());
        }
        match (parts.is_empty(), why.is_empty()) {
            (true, true) => String::new(),
            (true, false) => why.join("; "),
            (false, true) => parts.join(", "),
            (false, false) => format!("{} — {}", parts.join(", "), why.join("; ")),
        }
    }
}

fn names(ms: &[MsgId]) -> String {
    const SHOWN: usize = 4;
    let mut s: Vec<String> = ms.iter().take(SHOWN).map(|m| txn_name(*m)).collect();
    if ms.len() > SHOWN {
        s.push(format!("{} more", ms.len() - SHOWN));
    }
    s.join(", ")
}

/// The first duplicate application, or else the last loss of a message never applied.
fn first_violation(trace: &[Event], lost: &[MsgId]) -> Option<usize> {
    let mut seen: BTreeMap<MsgId, ()> = BTreeMap::new();
    for (i, e) in trace.iter().enumerate() {
        if let Ev::Apply { entry, .. } = &e.ev {
            if entry.kind != super::event::EntryKind::Compensation
                && seen.insert(entry.msg, ()).is_some()
            {
                return Some(i);
            }
        }
    }
    if lost.is_empty() {
        return None;
    }
    let mut msg_of: BTreeMap<NetId, MsgId> = BTreeMap::new();
    let mut last = None;
    for (i, e) in trace.iter().enumerate() {
        match &e.ev {
            Ev::Send { net, p, .. } => {
                msg_of.insert(*net, p.msg);
            }
            Ev::Lose { net, .. } if msg_of.get(net).is_some_and(|m| lost.contains(m)) => {
                last = Some(i);
            }
            _ => {}
        }
    }
    last
}
