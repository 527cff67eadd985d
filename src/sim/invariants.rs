//! Invariants checked per technique: truth vs observed.
//!
//! * exactly-once processing ⇔ the ledger equals truth and no message was applied
//!   twice (a compensated duplicate still counts: the entry was written);
//! * at-least-once ⇔ nothing lost; at-most-once ⇔ nothing applied twice.

use super::event::{Ev, Event};
use super::ids::{Merchant, MsgId, NetId};
use super::ledger::{Ledger, LedgerUnit, Payment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The guarantee a technique is built to give.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Guarantee {
    /// Never applied twice; may be lost.
    AtMostOnce,
    /// Never lost; may be applied twice.
    AtLeastOnce,
    /// Every message changes state exactly once.
    ExactlyOnce,
    /// Nothing promised: shown to see what goes wrong.
    None,
}

impl Guarantee {
    pub fn label(self) -> &'static str {
        match self {
            Guarantee::AtMostOnce => "at-most-once",
            Guarantee::AtLeastOnce => "at-least-once",
            Guarantee::ExactlyOnce => "exactly-once processing",
            Guarantee::None => "no guarantee",
        }
    }
}

/// How a badge reads at a glance (the words carry the meaning; colour and glyph repeat it).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// The scenario's property held for this technique in this run.
    Good,
    /// The technique kept its own (weaker) promise, but the property did not hold.
    Warn,
    /// The property failed.
    Bad,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
        }
    }
    pub fn glyph(self) -> &'static str {
        match self {
            Tone::Good => "✓",
            Tone::Warn => "!",
            Tone::Bad => "✕",
        }
    }
}

/// A technique's final verdict in the words of the scenario's own property
/// ("✓ both attack", "✕ m-B over by ₹2000", "! no payment lost, but 1 applied twice").
/// The UI, the CLI and the sweep all show this text; none of them makes up its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    pub tone: Option<Tone>,
    /// Starts with the tone's glyph.
    pub text: String,
}

impl Badge {
    pub fn new(tone: Tone, words: &str) -> Badge {
        Badge {
            tone: Some(tone),
            text: format!("{} {words}", tone.glyph()),
        }
    }
    pub fn tone(&self) -> Tone {
        self.tone.unwrap_or(Tone::Bad)
    }
    /// The scenario's property held in this run.
    pub fn good(&self) -> bool {
        self.tone == Some(Tone::Good)
    }

    /// The badge of a technique judged by its *effect* on a ledger: was every logical
    /// message applied exactly once? Speaks of what happened in this run, in `unit`'s
    /// nouns, and never calls an unprotected technique's lucky run a guarantee.
    pub fn effect(claim: Guarantee, v: &Verdict, unit: LedgerUnit) -> Badge {
        let checks_ok = v.checks.iter().all(|c| c.ok);
        // "no payment lost": a payment, not a transmission (the "lost" counter counts
        // those, and a sender that retries recovers them).
        let noun = unit.count(1).trim_start_matches("1 ").to_string();
        let twice = v.applied_twice.len();
        let lost = v.lost.len();
        if v.exactly_once && checks_ok {
            return match claim {
                Guarantee::ExactlyOnce => Badge::new(Tone::Good, "exactly-once effect"),
                Guarantee::AtLeastOnce => Badge::new(
                    Tone::Good,
                    &format!("no {noun} lost, and no copy applied in this run"),
                ),
                Guarantee::AtMostOnce => Badge::new(
                    Tone::Good,
                    &format!("no {noun} applied twice, and none lost in this run"),
                ),
                Guarantee::None => {
                    Badge::new(Tone::Good, "right in this run — nothing protects it")
                }
            };
        }
        let mut what = Vec::new();
        if twice > 0 {
            what.push(v.repeats_in(unit));
        }
        if lost > 0 {
            what.push(format!("{} lost", unit.count(lost)));
        }
        if what.is_empty() {
            if let Some(c) = v.checks.iter().find(|c| !c.ok) {
                what.push(c.detail.clone());
            } else if let Some(d) = v.diffs.first() {
                let off = d.observed - d.truth;
                what.push(format!(
                    "{} {} by {}",
                    unit.entity(d.merchant),
                    if off > 0 { "over" } else { "short" },
                    unit.amount(off.abs())
                ));
            }
        }
        let what = what.join(", ");
        match claim {
            Guarantee::AtLeastOnce if v.holds => {
                Badge::new(Tone::Warn, &format!("no {noun} lost, but {what}"))
            }
            Guarantee::AtMostOnce if v.holds => {
                Badge::new(Tone::Warn, &format!("no {noun} applied twice, but {what}"))
            }
            _ => Badge::new(Tone::Bad, &what),
        }
    }
}

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
    /// How many times each message of `applied_twice` was applied (same order): a
    /// message applied three times is said to be.
    #[serde(default)]
    pub applied_times: Vec<(MsgId, u32)>,
    pub diffs: Vec<BalanceDiff>,
    /// Index in the trace of the first event where the ledger went wrong.
    pub first_violation: Option<usize>,
    pub checks: Vec<Check>,
    /// What a repeat did where "applied" would be the wrong word ("written" for records
    /// written to an output topic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
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
        let applied_times: Vec<(MsgId, u32)> = apps
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(m, n)| (*m, *n))
            .collect();
        let applied_twice: Vec<MsgId> = applied_times.iter().map(|(m, _)| *m).collect();
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
            applied_times,
            diffs,
            first_violation,
            checks,
            verb: None,
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
            applied_times: Vec::new(),
            diffs: Vec::new(),
            first_violation,
            checks,
            verb: None,
        }
    }

    /// The messages applied more than once, grouped by how often (twice first).
    pub fn by_times(&self) -> Vec<(u32, Vec<MsgId>)> {
        let mut by: BTreeMap<u32, Vec<MsgId>> = BTreeMap::new();
        if self.applied_times.len() == self.applied_twice.len() {
            for (m, n) in &self.applied_times {
                by.entry(*n).or_default().push(*m);
            }
        } else {
            // An old run file without the counts: all that is known is "more than once".
            by.insert(2, self.applied_twice.clone());
        }
        by.into_iter().collect()
    }

    /// "3 balls applied twice", or, when some were applied more often, "9 balls
    /// applied more than once: 5 twice, 3 three times, 1 four times".
    pub fn repeats_in(&self, unit: LedgerUnit) -> String {
        self.repeats_as(unit, "applied")
    }

    /// [`Verdict::repeats_in`] with another verb ("written", "refunded").
    pub fn repeats_as(&self, unit: LedgerUnit, verb: &str) -> String {
        let by = self.by_times();
        let all = unit.count(self.applied_twice.len());
        match by.as_slice() {
            [] => String::new(),
            [(n, _)] => format!("{all} {verb} {}", times(*n)),
            _ => {
                // "1 eleven times"; past the spelled-out words "2 of them 14 times",
                // never two bare numbers side by side ("1 14 times").
                let parts: Vec<String> = by
                    .iter()
                    .map(|(n, ms)| match times(*n) {
                        t if t.starts_with(|c: char| c.is_ascii_digit()) => {
                            format!("{} of them {t}", ms.len())
                        }
                        t => format!("{} {t}", ms.len()),
                    })
                    .collect();
                format!("{all} {verb} more than once: {}", parts.join(", "))
            }
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
        for (n, ms) in self.by_times() {
            why.push(match &self.verb {
                Some(verb) => format!("{} {verb} {}", names(&ms, unit), times(n)),
                None => format!("applied {} {}", names(&ms, unit), times(n)),
            });
        }
        if !self.lost.is_empty() {
            why.push(format!("never applied {}", names(&self.lost, unit)));
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

/// "twice", "three times", "twelve times", "13 times".
pub fn times(n: u32) -> String {
    const WORDS: [&str; 13] = [
        "never", "once", "twice", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    match n {
        0..=2 => WORDS[n as usize].to_string(),
        3..=12 => format!("{} times", WORDS[n as usize]),
        _ => format!("{n} times"),
    }
}

fn names(ms: &[MsgId], unit: LedgerUnit) -> String {
    const SHOWN: usize = 4;
    let mut s: Vec<String> = ms.iter().take(SHOWN).map(|m| unit.item(*m)).collect();
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

/// The one verdict text of a technique's run, for every output path (the page, the
/// CLI's `run`, `sweep` and `check`, the sweep panel, the host API): the simulator's
/// badge and what went wrong, both in the scenario's own nouns and units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictText {
    /// The badge ("✕ 1 ball applied twice").
    pub badge: String,
    /// What went wrong, in detail ("match A over by 2 runs — applied ball 1 twice");
    /// empty when nothing did.
    pub why: String,
}

impl VerdictText {
    /// The badge, followed by the detail when it adds any: in brackets, or after a
    /// colon when the detail has brackets of its own (never "((…))"); a detail that
    /// starts with the badge's own words adds only what follows them.
    pub fn line(&self) -> String {
        let words = self
            .badge
            .split_once(' ')
            .map_or(self.badge.as_str(), |(_, w)| w);
        if self.why.is_empty() || self.badge.contains(&self.why) {
            self.badge.clone()
        } else if let Some(rest) = self.why.strip_prefix(words).filter(|_| !words.is_empty()) {
            format!("{}{rest}", self.badge)
        } else if self.why.contains('(') {
            format!("{}: {}", self.badge, self.why)
        } else {
            format!("{} ({})", self.badge, self.why)
        }
    }
    /// The detail, or the badge's words when there is none (a counterexample's "what").
    pub fn what(&self) -> String {
        if self.why.is_empty() {
            self.badge
                .split_once(' ')
                .map(|(_, w)| w.to_string())
                .unwrap_or_else(|| self.badge.clone())
        } else {
            self.why.clone()
        }
    }
}
