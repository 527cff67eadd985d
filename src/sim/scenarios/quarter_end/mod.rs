//! §11, §12 — the quarter-end incident, replayed.
//!
//! A payments worker consumes one partition in batches of `in_flight` records and
//! commits the offset after each batch. At quarter end it stops the world for a
//! long GC pause; its heartbeats stop, the broker's session timeout fires (a false
//! alarm: the worker is only paused) and the partition moves to a replacement
//! worker, which re-reads the uncommitted batch. The paused worker wakes, unaware,
//! and writes its in-flight events too. Its late offset commit is refused — but
//! the ledger writes already happened.
//!
//! * `as-built`: the ledger's old "just in case" guard posts an inverted entry for
//!   each copy it notices. Balances equal truth; the entry count does not.
//! * `no-compensator`: the duplicates stay, and balances are visibly wrong.
//! * `real-dedup`: a processed-payments table with a unique payment id, written in
//!   the same transaction as the entry: the copy is refused, no extra entries.

mod text;

use super::finish;
use crate::sim::engine::{Actors, Engine, Legacy, Status};
use crate::sim::event::{CommitWhat, Entry, EntryKind, Ev, MsgKind, Payload, RejectWhy, SkipWhy};
use crate::sim::fault::{Fault, Faults};
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::invariants::{Badge, Check, Tone};
use crate::sim::ledger::{rupees, Ledger, Payment};
use crate::sim::params::Params;
use crate::sim::promise::Outcome;
use crate::sim::rng::workload_rng;
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TechniqueRun,
};
use rand::Rng;
use std::collections::{BTreeSet, VecDeque};
use text::INFO;

pub struct QuarterEnd;

const BROKER: NodeId = NodeId(0);
const W1: NodeId = NodeId(1);
const W2: NodeId = NodeId(2);
const LEDGER: NodeId = NodeId(3);

/// Broker → worker-1 / worker-2 records.
const HOP_REC: [u8; 2] = [0, 1];
/// Worker-1 / worker-2 → ledger writes.
const HOP_WRITE: [u8; 2] = [2, 3];
/// Worker-1 / worker-2 → broker offset commits.
const HOP_COMMIT: [u8; 2] = [4, 5];

const T_PROCESS: u8 = 0;
const T_HEARTBEAT: u8 = 1;
const T_SESSION: u8 = 2;
const T_START: u8 = 3;

/// Ticks a worker spends on one payment.
const PROCESS_TICKS: Tick = 2;
/// Heartbeat interval of a live worker.
const HEARTBEAT_TICKS: Tick = 3;
/// Dice tag for the tick the GC pause starts at.
const TAG_GC_AT: u64 = 0x6C;

/// No session timeout fired.
const NO_ALARM: Outcome = Outcome::Custom {
    says: "no session timeout fired, so nothing was redelivered",
    test: |_, t| (!t.trace.iter().any(|e| matches!(e.ev, Ev::Timeout { .. }))).then_some(None),
};

/// Every balance matches the truth although some payment was written twice.
const BALANCED: Outcome = Outcome::Custom {
    says: "every balance matches the truth, though payments were written twice",
    test: |_, t| {
        let v = &t.verdict;
        (v.diffs.is_empty() && !v.applied_twice.is_empty()).then_some(None)
    },
};

/// The as-built badge says what the learner must see: the books balance, and yet
/// payments were written twice (hidden behind ₹0 reversal pairs).
fn badge(t: &TechniqueRun) -> Option<Badge> {
    let v = &t.verdict;
    if t.id != "as-built" || !v.diffs.is_empty() || v.applied_twice.is_empty() {
        return None;
    }
    Some(Badge::new(
        Tone::Bad,
        &format!(
            "balanced books, yet {} written twice",
            INFO.unit.count(v.applied_twice.len())
        ),
    ))
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Tech {
    AsBuilt,
    NoCompensator,
    RealDedup,
}

#[derive(Clone, Debug, Default)]
struct Worker {
    /// Records received and not yet processed: (offset, msg, delivery attempt).
    queue: VecDeque<(u32, MsgId, u16)>,
    /// A process timer is pending.
    busy: bool,
    /// The offset after the batch being worked on.
    batch_end: u32,
    /// Member of the group (worker-2 joins at failover; worker-1 leaves when refused).
    active: bool,
    /// Heartbeats sent.
    beats: u32,
}

struct World {
    tech: Tech,
    workload: Vec<Payment>,
    in_flight: u32,
    session_timeout: Tick,
    ledger: Ledger,
    workers: [Worker; 2],
    // Broker state.
    owner: NodeId,
    committed: u32,
    /// Last heartbeat number the broker heard from each worker.
    heard: [u32; 2],
    // Ledger state.
    written: BTreeSet<MsgId>,
    processed: BTreeSet<MsgId>,
}

fn widx(node: NodeId) -> usize {
    if node == W2 {
        1
    } else {
        0
    }
}

fn worker_node(i: usize) -> NodeId {
    if i == 1 {
        W2
    } else {
        W1
    }
}

impl World {
    fn n(&self) -> u32 {
        self.workload.len() as u32
    }

    fn done(&self) -> bool {
        self.committed >= self.n()
    }

    /// The broker hands the owner the batch starting at the committed offset.
    fn dispatch(&mut self, eng: &mut Engine, attempt: u16) {
        if self.done() {
            return;
        }
        let i = widx(self.owner);
        let end = (self.committed + self.in_flight).min(self.n());
        self.workers[i].batch_end = end;
        for off in self.committed..end {
            let msg = self.workload[off as usize].msg;
            let p = Payload {
                kind: MsgKind::Record,
                msg,
                key: Some(msg),
                attempt,
                headers: None,
            };
            eng.send_reliable(BROKER, self.owner, HOP_REC[i], p, 1);
        }
    }

    fn heartbeat(&mut self, eng: &mut Engine, node: NodeId) {
        let i = widx(node);
        if !self.workers[i].active || self.done() {
            return;
        }
        self.workers[i].beats += 1;
        let beat = self.workers[i].beats;
        self.heard[i] = beat;
        eng.legacy_timer(self.session_timeout, BROKER, T_SESSION, beat, i as u16);
        eng.legacy_timer(HEARTBEAT_TICKS, node, T_HEARTBEAT, 0, 0);
    }

    /// The broker's session check for worker `i`, armed by heartbeat `beat`.
    fn session_check(&mut self, eng: &mut Engine, i: usize, beat: u32) {
        let node = worker_node(i);
        if self.heard[i] != beat || self.owner != node || self.done() {
            return;
        }
        let msg = self.workload[self.committed as usize].msg;
        let false_alarm = matches!(eng.status(node), Status::Paused { .. });
        eng.emit(Ev::Timeout {
            node: BROKER,
            msg,
            attempt: 0,
            suspect: Some(node),
            false_alarm,
        });
        // Rebalance: the partition moves to the replacement, from the committed offset.
        self.owner = W2;
        self.workers[1].active = true;
        self.heartbeat(eng, W2);
        self.dispatch(eng, 1);
    }

    fn process(&mut self, eng: &mut Engine, node: NodeId) {
        let i = widx(node);
        self.workers[i].busy = false;
        if !self.workers[i].active {
            self.workers[i].queue.clear();
            return;
        }
        let Some((off, msg, attempt)) = self.workers[i].queue.pop_front() else {
            return;
        };
        let p = Payload {
            kind: MsgKind::Request,
            msg,
            key: Some(msg),
            attempt,
            headers: None,
        };
        eng.send_reliable(node, LEDGER, HOP_WRITE[i], p, 1);
        if off + 1 == self.workers[i].batch_end {
            // The whole batch is written: commit the offset after it.
            let c = Payload {
                kind: MsgKind::Ack,
                msg,
                key: None,
                attempt,
                headers: None,
            };
            eng.send_reliable(node, BROKER, HOP_COMMIT[i], c, 1);
        }
        self.arm(eng, node);
    }

    fn arm(&mut self, eng: &mut Engine, node: NodeId) {
        let i = widx(node);
        if !self.workers[i].busy && !self.workers[i].queue.is_empty() {
            self.workers[i].busy = true;
            eng.legacy_timer(PROCESS_TICKS, node, T_PROCESS, 0, 0);
        }
    }

    fn on_commit(&mut self, eng: &mut Engine, from: NodeId, msg: MsgId) {
        let i = widx(from);
        if from != self.owner {
            // Kafka would say "not a member of the group any more": the zombie's
            // commit is refused, but its ledger writes have already happened.
            eng.emit(Ev::Rejected {
                node: from,
                msg,
                why: RejectWhy::Fenced,
            });
            self.workers[i].active = false;
            self.workers[i].queue.clear();
            return;
        }
        self.committed = self.workers[i].batch_end;
        eng.emit(Ev::Commit {
            node: BROKER,
            what: CommitWhat::Offset,
            value: self.committed,
        });
        self.dispatch(eng, 0);
    }

    fn on_write(&mut self, eng: &mut Engine, msg: MsgId) {
        let Some(pay) = self.workload.iter().find(|w| w.msg == msg).copied() else {
            return;
        };
        match self.tech {
            Tech::RealDedup => {
                if !self.processed.insert(msg) {
                    eng.emit(Ev::Skip {
                        node: LEDGER,
                        msg,
                        why: SkipWhy::UniqueConstraint,
                    });
                    return;
                }
                eng.emit(Ev::DedupPut {
                    node: LEDGER,
                    key: msg,
                    expires: None,
                });
                self.ledger.write(eng, LEDGER, pay.entry());
                eng.emit(Ev::Commit {
                    node: LEDGER,
                    what: CommitWhat::DbTxn,
                    value: msg,
                });
            }
            Tech::NoCompensator => self.ledger.write(eng, LEDGER, pay.entry()),
            Tech::AsBuilt => {
                self.ledger.write(eng, LEDGER, pay.entry());
                if !self.written.insert(msg) {
                    // The "just in case" guard: reverse the copy it noticed.
                    let reversal = Entry {
                        amount: -pay.amount,
                        kind: EntryKind::Compensation,
                        ..pay.entry()
                    };
                    self.ledger.write(eng, LEDGER, reversal);
                }
            }
        }
    }
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, from: NodeId, _hop: u8, p: Payload) {
        match (to, p.kind) {
            (LEDGER, MsgKind::Request) => self.on_write(eng, p.msg),
            (BROKER, MsgKind::Ack) => self.on_commit(eng, from, p.msg),
            (W1 | W2, MsgKind::Record) => {
                let i = widx(to);
                if !self.workers[i].active {
                    return;
                }
                let Some(off) = self.workload.iter().position(|w| w.msg == p.msg) else {
                    return;
                };
                eng.emit(Ev::Read {
                    node: to,
                    partition: 0,
                    offset: off as u32,
                    msg: p.msg,
                    visible: true,
                });
                self.workers[i]
                    .queue
                    .push_back((off as u32, p.msg, p.attempt));
                self.arm(eng, to);
            }
            _ => {}
        }
    }

    type Timer = Legacy;

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, timer: Legacy) {
        let Legacy { kind, msg, attempt } = timer;
        match kind {
            T_START => {
                self.heartbeat(eng, W1);
                self.dispatch(eng, 0);
            }
            T_PROCESS => self.process(eng, node),
            T_HEARTBEAT => self.heartbeat(eng, node),
            T_SESSION => self.session_check(eng, attempt as usize, msg),
            _ => {}
        }
    }
}

/// Quarter-end payments over three merchants, ₹500..₹5000 in steps of ₹500.
fn workload(seed: u64, n: usize) -> Vec<Payment> {
    let mut rng = workload_rng(seed);
    (1..=n as u32)
        .map(|msg| Payment {
            msg,
            merchant: rng.gen_range(0..3u8),
            amount: 500 * rng.gen_range(1..=10i64),
            kind: EntryKind::Add,
        })
        .collect()
}

fn nodes() -> Vec<NodeInfo> {
    vec![
        NodeInfo::new(0, "broker (payments partition)", NodeKind::Broker, 12, 50),
        NodeInfo::new(1, "worker-1", NodeKind::Consumer, 50, 25),
        NodeInfo::new(2, "worker-2 (replacement)", NodeKind::Consumer, 50, 75),
        NodeInfo::new(3, "ledger", NodeKind::Database, 88, 50),
    ]
}

/// "one ledger entry per payment" — the only place the as-built duplicates show.
fn entry_count_check(trace: &[crate::sim::event::Event], ledger: &Ledger, n: usize) -> Check {
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
            "{} entries for {n} payments: {pairs} duplicate + reversal pairs summing to {}",
            ledger.entries.len(),
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

fn run_technique(
    cfg: &RunConfig,
    params: &Params,
    work: &[Payment],
    id: &str,
    label: &str,
    tech: Tech,
    claim: Guarantee,
) -> TechniqueRun {
    let mut faults = Faults::for_run(cfg);
    let n = work.len() as Tick;
    let gc = params.ticks("gc_pause_ticks");
    let session_timeout = params.ticks("session_timeout_ticks");
    if gc > 0 {
        // Quarter end: the pause starts somewhere while worker-1 is busy.
        let at = 3 + faults.dice.range(0, n * PROCESS_TICKS, TAG_GC_AT, 0, 0, 0);
        faults.add_explicit(Fault::Pause {
            node: W1,
            at,
            ticks: gc,
        });
    }
    let end = 20 + n * (PROCESS_TICKS + 2) + gc + 2 * session_timeout;
    let mut eng = Engine::start(4, end, faults);
    eng.timer_at(
        1,
        BROKER,
        Legacy {
            kind: T_START,
            msg: 0,
            attempt: 0,
        },
    );
    // The partition already holds the quarter's payments.
    for (off, w) in work.iter().enumerate() {
        eng.emit(Ev::LogAppend {
            node: BROKER,
            partition: 0,
            offset: off as u32,
            msg: w.msg,
            txn: None,
        });
    }
    let mut world = World {
        tech,
        workload: work.to_vec(),
        in_flight: params.get("in_flight") as u32,
        session_timeout,
        ledger: Ledger::default(),
        workers: [
            Worker {
                active: true,
                ..Worker::default()
            },
            Worker::default(),
        ],
        owner: W1,
        committed: 0,
        heard: [0, 0],
        written: BTreeSet::new(),
        processed: BTreeSet::new(),
    };
    eng.run(&mut world);
    let checks = match tech {
        Tech::NoCompensator => Vec::new(),
        _ => vec![entry_count_check(&eng.trace, &world.ledger, work.len())],
    };
    let mut t = finish(id, label, claim, nodes(), eng, world.ledger, work, checks);
    if let Some(b) = badge(&t) {
        t.badge = b;
    }
    t
}

impl Scenario for QuarterEnd {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let work = workload(cfg.seed, params.get("payments") as usize);
        let techniques = [
            (
                "as-built",
                "As built: retries + compensator",
                Tech::AsBuilt,
                Guarantee::ExactlyOnce,
            ),
            (
                "no-compensator",
                "Compensator removed",
                Tech::NoCompensator,
                Guarantee::AtLeastOnce,
            ),
            (
                "real-dedup",
                "Processed-payments table (unique id)",
                Tech::RealDedup,
                Guarantee::ExactlyOnce,
            ),
        ]
        .into_iter()
        .map(|(id, label, tech, claim)| run_technique(cfg, params, &work, id, label, tech, claim))
        .collect();
        RunResult::assemble(&INFO, cfg, params, work, techniques)
    }
}

/// Per-merchant map of how many ₹0 duplicate + reversal pairs a ledger holds.
#[cfg(test)]
fn zero_pairs(ledger: &Ledger) -> std::collections::BTreeMap<u8, usize> {
    let mut m = std::collections::BTreeMap::new();
    for e in ledger
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Compensation)
    {
        *m.entry(e.merchant).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{assert_holds, first_violating_seed, run_with};
    use super::zero_pairs;
    use crate::sim::event::{Ev, RejectWhy, SkipWhy};
    use crate::sim::RunResult;

    const ID: &str = "quarter-end";

    fn bal(r: &RunResult, t: &str) -> Vec<(u8, i64)> {
        r.technique(t)
            .unwrap()
            .ledger
            .balances()
            .into_iter()
            .collect()
    }

    #[test]
    fn showcase_books_balance_but_entries_do_not() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let truth: Vec<(u8, i64)> = r.truth_balances().into_iter().collect();
        assert_eq!(truth, vec![(0, 10500), (1, 4500), (2, 7000)]);

        // As built: every balance right, 18 entries for 10 payments, four ₹0 pairs.
        let a = r.technique("as-built").unwrap();
        assert_eq!(bal(&r, "as-built"), truth);
        assert!(a.verdict.diffs.is_empty());
        assert_eq!(a.verdict.applied_twice, vec![5, 6, 7, 8]);
        assert!(!a.verdict.exactly_once && !a.verdict.holds);
        assert_eq!(a.ledger.entries.len(), 18);
        assert_eq!(
            zero_pairs(&a.ledger).into_iter().collect::<Vec<_>>(),
            vec![(0, 1), (1, 2), (2, 1)]
        );
        assert_eq!(
            a.verdict.summary(),
            "applied txn-5, txn-6, txn-7, txn-8 twice; \
             18 entries for 10 payments: 4 duplicate + reversal pairs summing to ₹0"
        );
        // The timeout was a false alarm, and the zombie's offset commit was refused.
        assert!(a.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Timeout {
                false_alarm: true,
                ..
            }
        )));
        assert!(a.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Rejected {
                why: RejectWhy::Fenced,
                ..
            }
        )));

        // Without the compensator the same duplicates are visible in the balances.
        let nc = r.technique("no-compensator").unwrap();
        assert_eq!(
            bal(&r, "no-compensator"),
            vec![(0, 13500), (1, 9000), (2, 8500)]
        );
        assert_eq!(nc.ledger.entries.len(), 14);
        assert_eq!(nc.verdict.diffs.len(), 3);
        assert!(nc.verdict.holds, "at-least-once is all it claims");

        // Real dedup: four copies refused by the unique id, ten entries.
        let d = r.technique("real-dedup").unwrap();
        assert_eq!(bal(&r, "real-dedup"), truth);
        assert_eq!(d.ledger.entries.len(), 10);
        assert!(d.verdict.holds && d.verdict.exactly_once);
        let refused = d
            .trace
            .iter()
            .filter(|e| {
                matches!(
                    e.ev,
                    Ev::Skip {
                        why: SkipWhy::UniqueConstraint,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(refused, 4);
    }

    /// The as-built badge names the hidden duplicate in the learner's terms.
    #[test]
    fn as_built_badge_says_balanced_books_yet_written_twice() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        assert_eq!(
            r.technique("as-built").unwrap().badge.text,
            "✕ balanced books, yet 4 payments written twice"
        );
        assert_eq!(
            r.technique("no-compensator").unwrap().badge.text,
            "! nothing lost, but 4 payments applied twice"
        );
        assert_eq!(
            r.technique("real-dedup").unwrap().badge.text,
            "✓ exactly-once effect"
        );
        // The timeout that lied is explained with FLP.
        assert!(super::INFO
            .explain
            .iter()
            .any(|p| p.starts_with("A timeout that lied.") && p.contains("1985")));
        // Without a pause the as-built badge is a plain ✓.
        let calm = run_with(ID, 7, &[("gc_pause_ticks", 0)]);
        assert_eq!(
            calm.technique("as-built").unwrap().badge.text,
            "✓ exactly-once effect"
        );
    }

    #[test]
    fn real_dedup_holds_on_10k_seeds() {
        // The seed moves the pause around the whole run.
        assert_holds(ID, &[], &["real-dedup"], 10_000);
    }

    #[test]
    fn real_dedup_holds_with_bigger_batches() {
        assert_holds(
            ID,
            &[("in_flight", 9), ("payments", 30), ("gc_pause_ticks", 90)],
            &["real-dedup"],
            2_000,
        );
    }

    #[test]
    fn as_built_hides_duplicates_behind_zero_pairs() {
        let seed = first_violating_seed(ID, &[], "as-built", 1000);
        assert_eq!(seed, Some(0));
        let r = run_with(ID, 0, &[]);
        let v = &r.technique("as-built").unwrap().verdict;
        assert!(v.diffs.is_empty(), "balances match truth");
        assert_eq!(v.applied_twice, vec![9, 10]);
        assert!(v.checks.iter().any(|c| !c.ok));
        let seed = first_violating_seed(ID, &[], "no-compensator", 1000);
        assert_eq!(seed, Some(0));
        assert_eq!(
            r.technique("no-compensator").unwrap().verdict.diffs.len(),
            2
        );
    }

    #[test]
    fn pause_shorter_than_session_timeout_is_harmless() {
        for seed in 0..200 {
            let r = run_with(ID, seed, &[("gc_pause_ticks", 8)]);
            for t in &r.techniques {
                assert!(t.verdict.exactly_once, "{} seed {seed}", t.id);
                assert!(!t.trace.iter().any(|e| matches!(e.ev, Ev::Timeout { .. })));
            }
        }
    }

    #[test]
    fn deterministic() {
        let a = run_with(ID, 9, &[("payments", 60)]);
        let b = run_with(ID, 9, &[("payments", 60)]);
        assert_eq!(a, b);
        assert_eq!(a.checksum(), b.checksum());
    }

    #[test]
    fn try_this_settings_are_valid() {
        for t in super::INFO.try_this {
            let r = run_with(ID, super::INFO.showcase_seed, t.set);
            assert!(!r.techniques.is_empty(), "{}", t.label);
        }
    }
}
