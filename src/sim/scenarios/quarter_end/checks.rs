//! What the quarter-end run is judged by beyond lost / applied twice: the ledger's
//! entry count (where the as-built duplicates show) and the as-built badge.

use super::INFO;
use crate::sim::event::{EntryKind, Ev, Event};
use crate::sim::invariants::{Badge, Check, Tone};
use crate::sim::ledger::{rupees, Ledger};
use crate::sim::run::TechniqueRun;
use std::collections::BTreeSet;

/// The as-built badge says what the learner must see: the books balance, and yet
/// payments were written twice (hidden behind ₹0 reversal pairs).
///
/// A run in which no copy of any payment arrived (the pause was too short, or the
/// session timeout too long, for a redelivery) put no technique to the test: its badge
/// says so rather than crediting the technique with an exactly-once it never had to
/// earn.
pub(super) fn badge(t: &TechniqueRun) -> Option<Badge> {
    let v = &t.verdict;
    let copies = crate::sim::replay::View::of(&t.trace)
        .counters
        .dup_delivered;
    if v.exactly_once && copies == 0 {
        return Some(Badge::new(
            Tone::Good,
            "no copy arrived in this run: one entry per payment",
        ));
    }
    if t.id != "as-built" || !v.diffs.is_empty() || v.applied_twice.is_empty() {
        return None;
    }
    Some(Badge::new(
        Tone::Bad,
        &format!("balanced books, yet {}", v.repeats_as(INFO.unit, "written")),
    ))
}

/// "one ledger entry per payment" — the only place the as-built duplicates show.
pub(super) fn entry_count_check(trace: &[Event], ledger: &Ledger, n: usize) -> Check {
    let pairs = ledger
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Compensation)
        .count();
    let extra = ledger.entries.len().saturating_sub(n);
    let ok = ledger.entries.len() == n;
    let detail = if ok {
        format!("{n} entries for {n} payments")
    } else if pairs > 0 {
        format!(
            "{} entries for {n} payments: {pairs} duplicate + reversal pair{} summing to {}",
            ledger.entries.len(),
            if pairs == 1 { "" } else { "s" },
            rupees(0)
        )
    } else {
        format!(
            "{} entries for {n} payments ({extra} extra)",
            ledger.entries.len()
        )
    };
    let mut seen = BTreeSet::new();
    let event = trace.iter().position(|e| match &e.ev {
        Ev::Apply { entry, .. } => entry.kind != EntryKind::Compensation && !seen.insert(entry.msg),
        _ => false,
    });
    Check {
        name: "one ledger entry per payment".to_string(),
        ok,
        detail,
        event: if ok { None } else { event },
    }
}
