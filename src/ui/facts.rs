//! What the components say about a run, derived from the trace and nothing else:
//! the live verdict at the playhead, which ledger rows are duplicates or
//! compensations, the badges of one tick, the Two Generals knowledge sentences and
//! plain descriptions of hand-made faults. Pure (no Yew): unit-tested natively.

use crate::sim::event::{CommitWhat, Entry, EntryKind, Ev, Event, RejectWhy, SkipWhy, TxnState};
use crate::sim::fault::Fault;
use crate::sim::ids::{txn_name, NodeId};
use crate::sim::invariants::Verdict;
use crate::sim::ledger::{rupees, Ledger, Payment};
use crate::sim::narrate::{node_name, payload_label};
use crate::sim::replay::View;
use crate::sim::run::{NodeInfo, TechniqueRun};
use std::collections::{BTreeMap, BTreeSet};

/// The verdict of a technique at the playhead.
///
/// Before the technique's trace is over it judges the ledger *so far* against the
/// truth of the payments applied so far — a double application or a wrong balance
/// shows the moment it happens, while a payment not applied *yet* is not called lost.
/// Once the trace is over it is the simulator's final verdict.
pub fn live_verdict(tr: &TechniqueRun, view: &View, workload: &[Payment]) -> (Verdict, bool) {
    if view.cursor >= tr.trace.len() {
        return (tr.verdict.clone(), true);
    }
    let n = view.entries.min(tr.ledger.entries.len());
    let prefix = Ledger {
        entries: tr.ledger.entries[..n].to_vec(),
    };
    let seen: BTreeSet<u32> = prefix
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Compensation)
        .map(|e| e.msg)
        .collect();
    let so_far: Vec<Payment> = workload
        .iter()
        .filter(|p| seen.contains(&p.msg))
        .copied()
        .collect();
    let end = view.cursor.min(tr.trace.len());
    let v = Verdict::judge(&tr.trace[..end], &prefix, &so_far, tr.claim, Vec::new());
    (v, false)
}

/// One row of a ledger's entry list.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub entry: Entry,
    /// A second (or later) application of the same message.
    pub duplicate: bool,
    pub compensation: bool,
}

/// The first `n` entries of a ledger, with duplicates and compensations marked.
pub fn entry_rows(ledger: &Ledger, n: usize) -> Vec<EntryRow> {
    let mut seen = BTreeSet::new();
    ledger
        .entries
        .iter()
        .take(n)
        .map(|e| {
            let compensation = e.kind == EntryKind::Compensation;
            let duplicate = !compensation && !seen.insert(e.msg);
            EntryRow {
                entry: *e,
                duplicate,
                compensation,
            }
        })
        .collect()
}

/// "+₹1000", "−₹2000", "= ₹5000".
pub fn entry_amount(e: &Entry) -> String {
    match e.kind {
        EntryKind::Set | EntryKind::Upsert => format!("= {}", rupees(e.amount)),
        _ if e.amount < 0 => format!("−{}", rupees(-e.amount)),
        _ => format!("+{}", rupees(e.amount)),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Warn,
    Info,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Warn => "warn",
            Tone::Info => "info",
        }
    }
    /// A glyph so colour is never the only signal.
    pub fn glyph(self) -> &'static str {
        match self {
            Tone::Good => "✓",
            Tone::Bad => "✕",
            Tone::Warn => "!",
            Tone::Info => "•",
        }
    }
}

/// A short label shown next to a node for an event of the current tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub node: NodeId,
    pub text: String,
    pub tone: Tone,
}

/// Badges for `events` (the events of one tick). `view` is the view after them and
/// `ledger` the technique's final ledger (to tell a first application from a repeat).
pub fn badges(events: &[Event], view: &View, ledger: &Ledger) -> Vec<Badge> {
    badges_in(events, view, ledger, crate::sim::ledger::LedgerUnit::Rupees)
}

/// [`badges`] in the scenario's own nouns and units (ball 3, +2 runs, match A).
pub fn badges_in(
    events: &[Event],
    view: &View,
    ledger: &Ledger,
    unit: crate::sim::ledger::LedgerUnit,
) -> Vec<Badge> {
    let txn_name = |m| unit.item(m);
    let merchant_name = |m| unit.entity(m);
    let entry_amount = |e: &Entry| match e.kind {
        EntryKind::Set => format!("= {}", unit.amount(e.amount)),
        _ if e.amount < 0 => format!("−{}", unit.amount(-e.amount)),
        _ => format!("+{}", unit.amount(e.amount)),
    };
    let applies = events
        .iter()
        .filter(|e| matches!(e.ev, Ev::Apply { .. }))
        .count();
    let mut entry_idx = view.entries.saturating_sub(applies);
    let mut out = Vec::new();
    for e in events {
        let b = |node: NodeId, text: String, tone: Tone| Badge { node, text, tone };
        let badge = match e.ev {
            Ev::Apply { node, entry } => {
                let before = &ledger.entries[..entry_idx.min(ledger.entries.len())];
                entry_idx += 1;
                let again = entry.kind != EntryKind::Compensation
                    && before
                        .iter()
                        .any(|x| x.msg == entry.msg && x.kind != EntryKind::Compensation);
                let what = format!(
                    "{} {} {}",
                    txn_name(entry.msg),
                    entry_amount(&entry),
                    merchant_name(entry.merchant)
                );
                if entry.kind == EntryKind::Compensation {
                    Some(b(node, format!("compensate {what}"), Tone::Warn))
                } else if again {
                    Some(b(node, format!("applied AGAIN {what}"), Tone::Bad))
                } else {
                    Some(b(node, format!("apply {what}"), Tone::Info))
                }
            }
            Ev::Skip { node, msg, why } => {
                let why = match why {
                    SkipWhy::SeenId => "id seen",
                    SkipWhy::AppliedIds => "already applied",
                    SkipWhy::Idempotent => "no change",
                    SkipWhy::StoredResponse => "stored response",
                    SkipWhy::UniqueConstraint => "unique key",
                    SkipWhy::Aborted => "aborted",
                    SkipWhy::NoKey => "no key to check",
                };
                let tone = if matches!(
                    e.ev,
                    Ev::Skip {
                        why: SkipWhy::NoKey,
                        ..
                    }
                ) {
                    Tone::Warn
                } else {
                    Tone::Good
                };
                if tone == Tone::Warn {
                    Some(b(
                        node,
                        format!("can't dedup {}: no key", txn_name(msg)),
                        tone,
                    ))
                } else {
                    Some(b(node, format!("skip {} ({why})", txn_name(msg)), tone))
                }
            }
            Ev::Commit { node, what, value } => Some(b(
                node,
                match what {
                    CommitWhat::Offset => format!("commit offset {value}"),
                    CommitWhat::DbTxn => format!("db commit {}", txn_name(value)),
                    CommitWhat::RelayProgress => format!("relay at row {value}"),
                },
                Tone::Good,
            )),
            Ev::AtomicCommit {
                node,
                txn,
                ref parts,
            } => Some(b(
                node,
                format!("txn {txn} committed: {} parts at once", parts.len()),
                Tone::Good,
            )),
            Ev::Crash { node } => Some(b(node, "crashed".into(), Tone::Bad)),
            Ev::Restart { node } => Some(b(node, "restarted".into(), Tone::Info)),
            Ev::Pause { node, until } => Some(b(node, format!("GC pause → t{until}"), Tone::Warn)),
            Ev::Resume { node } => Some(b(node, "resumed".into(), Tone::Info)),
            Ev::Timeout {
                node,
                msg,
                false_alarm,
                ..
            } => Some(b(
                node,
                if false_alarm {
                    format!("timeout {} (false alarm)", txn_name(msg))
                } else {
                    format!("timeout {}", txn_name(msg))
                },
                Tone::Warn,
            )),
            Ev::Redeliver { node, msg, .. } => Some(b(
                node,
                format!("no ack: redeliver {}", txn_name(msg)),
                Tone::Warn,
            )),
            Ev::Fence { node, epoch, .. } => Some(b(node, format!("epoch {epoch}"), Tone::Info)),
            Ev::Rejected { node, msg, why } => Some(match why {
                // No epoch: a consumer the group removed (quarter-end); only its offset
                // commit is refused — the writes it made are done.
                RejectWhy::Fenced if view.node(node).epoch.is_none() => {
                    b(node, "offset commit refused".into(), Tone::Warn)
                }
                RejectWhy::Fenced => b(
                    node,
                    format!("fenced: {} refused", txn_name(msg)),
                    Tone::Good,
                ),
                RejectWhy::DuplicateSequence => b(
                    node,
                    format!("dup seq {} dropped", txn_name(msg)),
                    Tone::Good,
                ),
                RejectWhy::OutOfOrderSequence => b(
                    node,
                    format!("seq gap: {} refused", txn_name(msg)),
                    Tone::Warn,
                ),
                RejectWhy::KeyInFlight => b(node, "409 key in flight".into(), Tone::Good),
                RejectWhy::KeyReused => b(node, "422 key reused".into(), Tone::Warn),
            }),
            Ev::KeyRecord {
                node, key, state, ..
            } => match state {
                crate::sim::event::KeyState::InFlight => {
                    Some(b(node, format!("key {key} in flight"), Tone::Info))
                }
                crate::sim::event::KeyState::Stored => {
                    Some(b(node, format!("key {key} stored"), Tone::Good))
                }
                _ => Some(b(node, format!("key {key} removed"), Tone::Warn)),
            },
            Ev::DedupPut { node, key, .. } => {
                Some(b(node, format!("remember id {key}"), Tone::Info))
            }
            Ev::DedupRow { node, key, .. } => {
                Some(b(node, format!("remember id {key}"), Tone::Info))
            }
            Ev::DedupExpire { node, key } => Some(b(node, format!("forget id {key}"), Tone::Warn)),
            Ev::Txn { node, txn, state } => match state {
                TxnState::Begin => None,
                TxnState::Commit => Some(b(node, format!("txn {txn} committed"), Tone::Good)),
                TxnState::Abort => Some(b(node, format!("txn {txn} aborted"), Tone::Warn)),
            },
            Ev::Read {
                node,
                msg,
                visible: false,
                ..
            } => Some(b(node, format!("hidden {}", txn_name(msg)), Tone::Good)),
            Ev::Outbox {
                node,
                msg,
                published,
            } => Some(if published {
                b(node, format!("publish {}", txn_name(msg)), Tone::Info)
            } else {
                b(node, format!("outbox row {}", txn_name(msg)), Tone::Info)
            }),
            Ev::Knowledge { node, level } => {
                Some(b(node, format!("knows depth {level}"), Tone::Info))
            }
            Ev::Decide { node, attack } => Some(if attack {
                b(node, "decides: attack".into(), Tone::Warn)
            } else {
                b(node, "decides: hold".into(), Tone::Info)
            }),
            Ev::Operator { node, value, .. } => Some(b(
                node,
                format!("operator reset → offset {value}"),
                Tone::Bad,
            )),
            _ => None,
        };
        if let Some(x) = badge {
            out.push(x);
        }
    }
    out
}

/// "B knows the plan", "A knows that B knows the plan", … for `level` names
/// alternating from `holder`.
pub fn knowledge_sentence(holder: &str, other: &str, level: u32) -> String {
    if level == 0 {
        return format!("{holder} knows only its own plan");
    }
    let mut names = Vec::new();
    for i in 0..level.min(12) {
        names.push(if i % 2 == 0 { holder } else { other });
    }
    let mut s = names.join(" knows that ");
    s.push_str(" knows the plan");
    if level > 12 {
        s.push_str(&format!(" … ({level} levels)"));
    }
    s
}

/// The (from, to) of each hop, from the first transmission on it.
pub fn hop_ends(trace: &[Event]) -> BTreeMap<u8, (NodeId, NodeId)> {
    let mut m = BTreeMap::new();
    for e in trace {
        if let Ev::Send { hop, from, to, .. } = e.ev {
            m.entry(hop).or_insert((from, to));
        }
    }
    m
}

/// The distinct (from, to) pairs that ever carry a transmission, in first-use order.
pub fn links(trace: &[Event]) -> Vec<(NodeId, NodeId)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for e in trace {
        if let Ev::Send { from, to, .. } = e.ev {
            let key = if from <= to { (from, to) } else { (to, from) };
            if seen.insert(key) {
                out.push(key);
            }
        }
    }
    out
}

/// A hand-made fault in words.
pub fn describe_fault(
    f: &Fault,
    nodes: &[NodeInfo],
    hops: &BTreeMap<u8, (NodeId, NodeId)>,
) -> String {
    let n = |id: NodeId| node_name(nodes, id);
    let hop = |h: u8| match hops.get(&h) {
        Some((a, b)) => format!("{} → {}", n(*a), n(*b)),
        None => format!("hop {h}"),
    };
    let attempt = |a: u16| {
        if a == 0 {
            "first send".to_string()
        } else {
            format!("retry {a}")
        }
    };
    match *f {
        Fault::Lose {
            hop: h,
            msg,
            attempt: a,
        } => {
            format!("drop {} ({}) on {}", txn_name(msg), attempt(a), hop(h))
        }
        Fault::Duplicate {
            hop: h,
            msg,
            attempt: a,
            extra,
        } => format!(
            "duplicate {} ({}) on {}, copy {extra} ticks later",
            txn_name(msg),
            attempt(a),
            hop(h)
        ),
        Fault::Delay {
            hop: h,
            msg,
            attempt: a,
            extra,
        } => format!(
            "delay {} ({}) on {} by {extra} ticks",
            txn_name(msg),
            attempt(a),
            hop(h)
        ),
        Fault::Crash { node, at, down } => {
            if down == 0 {
                format!("crash {} at tick {at} for good", n(node))
            } else {
                format!("crash {} at tick {at}, back {down} ticks later", n(node))
            }
        }
        Fault::CrashAt {
            node,
            msg,
            point,
            down,
        } => format!(
            "crash {} at point {point} while handling {}, back after {down} ticks",
            n(node),
            txn_name(msg)
        ),
        Fault::Pause { node, at, ticks } => {
            format!("pause {} (GC) at tick {at} for {ticks} ticks", n(node))
        }
        Fault::ResetOffset { node, at, to } => {
            format!("operator resets {}'s offset to {to} at tick {at}", n(node))
        }
    }
}

/// "txn-3", "ack txn-3", "messenger 2"… without the retry suffix (shown separately).
pub fn token_label(p: &crate::sim::event::Payload, unit: crate::sim::ledger::LedgerUnit) -> String {
    let mut q = *p;
    q.attempt = 0;
    // Headers go on the token's second line, not in its label.
    q.headers = None;
    payload_label(&q, unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::replay::{cursor_for_tick, View};
    use crate::sim::{run, RunConfig};

    #[test]
    fn live_verdict_shows_the_double_apply_when_it_happens() {
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        let naive = r.technique("naive").unwrap();
        let bad = naive.verdict.first_violation.unwrap();
        let t = naive.trace[bad].tick;
        let before = View::of(&naive.trace[..cursor_for_tick(&naive.trace, t - 1)]);
        let (v, done) = live_verdict(naive, &before, &r.workload);
        assert!(!done);
        assert!(
            v.applied_twice.is_empty() && v.diffs.is_empty(),
            "{}",
            v.summary()
        );
        assert!(v.lost.is_empty(), "not yet applied is not lost");
        let at = View::of(&naive.trace[..cursor_for_tick(&naive.trace, t)]);
        let (v, _) = live_verdict(naive, &at, &r.workload);
        assert_eq!(v.summary(), "m-B over by ₹2000 — applied txn-3 twice");
        let end = View::of(&naive.trace);
        let (v, done) = live_verdict(naive, &end, &r.workload);
        assert!(done);
        assert_eq!(v, naive.verdict);
    }

    #[test]
    fn entry_rows_mark_the_second_application() {
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        let naive = r.technique("naive").unwrap();
        let rows = entry_rows(&naive.ledger, naive.ledger.entries.len());
        let dups: Vec<u32> = rows
            .iter()
            .filter(|r| r.duplicate)
            .map(|r| r.entry.msg)
            .collect();
        assert_eq!(dups, vec![3]);
        assert_eq!(entry_rows(&naive.ledger, 2).len(), 2);
        let dedup = r.technique("dedup").unwrap();
        assert!(entry_rows(&dedup.ledger, 99).iter().all(|r| !r.duplicate));
    }

    #[test]
    fn badges_name_the_repeat() {
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        let naive = r.technique("naive").unwrap();
        let bad = naive.verdict.first_violation.unwrap();
        let t = naive.trace[bad].tick;
        let a = cursor_for_tick(&naive.trace, t - 1);
        let b = cursor_for_tick(&naive.trace, t);
        let view = View::of(&naive.trace[..b]);
        let bs = badges(&naive.trace[a..b], &view, &naive.ledger);
        assert!(
            bs.iter()
                .any(|x| x.tone == Tone::Bad && x.text.contains("AGAIN txn-3")),
            "{bs:?}"
        );
        let dedup = r.technique("dedup").unwrap();
        let all = badges(&dedup.trace, &View::of(&dedup.trace), &dedup.ledger);
        assert!(
            all.iter().any(|x| x.text == "skip txn-3 (id seen)"),
            "{all:?}"
        );
        assert!(all.iter().all(|x| !x.text.contains("AGAIN")));
    }

    /// Item 9: node badges speak the scenario's units — balls and runs in cricket.
    #[test]
    fn key_threading_badges_speak_balls_and_runs() {
        let r = run("key-threading", &RunConfig::seed(0)).unwrap();
        let d = r.technique("one-stage-drops-key").unwrap();
        let unit = crate::sim::ledger::LedgerUnit::Runs;
        let all = badges_in(&d.trace, &View::of(&d.trace), &d.ledger, unit);
        assert!(all
            .iter()
            .all(|x| !x.text.contains('₹') && !x.text.contains("txn-")));
        assert!(
            all.iter()
                .any(|x| x.text == "applied AGAIN ball 5 +1 run match A"),
            "{all:?}"
        );
        assert!(all.iter().any(|x| x.text == "can't dedup ball 5: no key"));
    }

    #[test]
    fn knowledge_sentences_alternate() {
        assert_eq!(knowledge_sentence("B", "A", 1), "B knows the plan");
        assert_eq!(
            knowledge_sentence("A", "B", 2),
            "A knows that B knows the plan"
        );
        assert_eq!(
            knowledge_sentence("B", "A", 3),
            "B knows that A knows that B knows the plan"
        );
        assert!(knowledge_sentence("A", "B", 40).ends_with("(40 levels)"));
    }

    #[test]
    fn faults_in_words() {
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        let naive = r.technique("naive").unwrap();
        let hops = hop_ends(&naive.trace);
        let f = Fault::Lose {
            hop: 0,
            msg: 3,
            attempt: 0,
        };
        assert_eq!(
            describe_fault(&f, &naive.nodes, &hops),
            "drop txn-3 (first send) on broker → handler"
        );
        assert_eq!(links(&naive.trace), vec![(NodeId(0), NodeId(1))]);
    }

    #[test]
    fn amounts() {
        let e = Entry {
            msg: 1,
            merchant: 0,
            amount: -300,
            kind: EntryKind::Compensation,
        };
        assert_eq!(entry_amount(&e), "−₹300");
    }
}
