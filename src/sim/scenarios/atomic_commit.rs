//! §6 — commit the state change and the consumer offset in one transaction.
//!
//! A consumer reads payment records from a partition log, writes each to a ledger
//! table in a database and records its offset. Crash points (per message and
//! delivery): 0 after the read, 1 between the two writes, 2 after both. A crash at
//! point 1 is what separates the techniques: writing the ledger first re-applies
//! the redelivered record, committing the offset first loses it, and one database
//! transaction holding both rolls back as a whole.

use super::{finish, param};
use crate::sim::broker::{payments, Broker};
use crate::sim::engine::{Actors, Engine, Item};
use crate::sim::event::{CommitPart, CommitWhat, Ev, MsgKind, Payload, TxnState};
use crate::sim::fault::Faults;
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::promise::{Expect, Outcome};
use crate::sim::rng::Ratio;
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TryThis,
};
use std::collections::BTreeMap;

pub struct AtomicCommit;

const BROKER: NodeId = NodeId(0);
const CONSUMER: NodeId = NodeId(1);
const DATABASE: NodeId = NodeId(2);
const HOP_RECORD: u8 = 0;

/// Crash points inside the handling of one record.
const POINT_READ: u8 = 0;
const POINT_BETWEEN: u8 = 1;
const POINT_AFTER: u8 = 2;
const POINTS: u32 = 3;

const POLL: u8 = 0;
const SECOND_WRITE: u8 = 1;

/// Safety bound on a run (the queue normally empties long before).
const END: Tick = 200_000;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "atomic-commit",
    title: "State and offset in one commit",
    promise: "watch a crash between two writes charge a merchant twice",
    sections: &[6],
    explain: &[
        "A consumer takes payment records from a log one offset at a time. For each it does two things: add the amount to the merchant's ledger row in the database, and remember how far it got (the committed offset). After a crash it forgets everything except what was made durable, and starts reading again at the committed offset.",
        "If the two writes are separate, a crash between them leaves them out of step. Ledger first, offset second: the record is read again after the restart and added a second time. Offset first, ledger second: the restart skips the record and the payment never lands.",
        "Put the offset in the database and write both in one transaction, and the gap disappears. Its commit is a single step that makes the ledger row and the offset durable together: a crash before it rolls back both, so the record is read again and applied once; a crash after it finds both done. The messages were still delivered more than once; only the state change happens once.",
    ],
    params: &[
        param(
            "messages",
            "Payments",
            Unit::Count,
            1,
            500,
            8,
            "How many payment records sit in the partition log.",
        ),
        param(
            "crash_per_mille",
            "Crash chance",
            Unit::PerMille,
            0,
            500,
            150,
            "Chance that the consumer crashes at each crash point (after the read, between the two writes, after both) of each delivery.",
        ),
        param(
            "restart_ticks_max",
            "Restart time",
            Unit::Ticks,
            1,
            50,
            4,
            "A crashed consumer comes back after 1 to this many ticks, with only its durable state.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "No crashes",
            set: &[("crash_per_mille", 0)],
            watch: "without a crash all three ledgers match the truth: the order of the writes only matters when something fails between them",
            seed: 1,
            expect: &[
                Expect::new("offset-first", Outcome::Exact),
                Expect::new("non-atomic", Outcome::Exact),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A crash-prone consumer",
            set: &[("crash_per_mille", 400), ("messages", 20)],
            watch: "ledger-first drifts over, offset-first drifts short, the one-transaction consumer stays exact",
            seed: 1,
            expect: &[
                Expect::new("non-atomic", Outcome::Doubled(1)),
                Expect::new("offset-first", Outcome::Lost(1)),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Many payments",
            set: &[("messages", 200), ("crash_per_mille", 50)],
            watch: "even a rare crash between the writes is enough to break the two-step consumers",
            seed: 1,
            expect: &[
                Expect::new("non-atomic", Outcome::Doubled(1)),
                Expect::new("offset-first", Outcome::Lost(1)),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

#[derive(Copy, Clone, PartialEq, Eq)]
enum Mode {
    /// Offset first, ledger second.
    OffsetFirst,
    /// Ledger first, offset second.
    NonAtomic,
    /// Ledger and offset in one database transaction.
    Atomic,
}

struct World {
    mode: Mode,
    workload: Vec<Payment>,
    ledger: Ledger,
    broker: Broker,
    /// Atomic mode: the offset row stored in the database.
    db_offset: u32,
    /// Atomic mode: the open database transaction, if any.
    db_txn: Option<u32>,
    db_txns: u32,
    /// Volatile: next offset to read, and the delivery the consumer waits for.
    pos: u32,
    expect: Option<(MsgId, u16)>,
    /// Volatile: the record between the first and the second write.
    working: Option<u32>,
    /// Waiting for a crashed broker or database to come back.
    stalled: bool,
    /// Bumped on every crash: timers of an earlier life are ignored.
    life: u16,
    /// Bookkeeping of the simulation (not the consumer's): deliveries per message,
    /// so every redelivery asks fresh crash questions.
    deliveries: BTreeMap<MsgId, u32>,
    /// Delivery number of the record being handled.
    delivery: u32,
}

impl World {
    fn point(&self, base: u8) -> u8 {
        (base as u32 + POINTS * self.delivery.min(80)) as u8
    }

    /// Ask the fault source whether to crash here; crash if so.
    fn crash_here(&mut self, eng: &mut Engine, msg: MsgId, base: u8) -> bool {
        let point = self.point(base);
        match eng.faults.crash_at(CONSUMER, msg, point) {
            Some(down) => {
                eng.crash(self, CONSUMER, down);
                true
            }
            None => false,
        }
    }

    /// Drop the volatile state; an open database transaction rolls back.
    fn abandon(&mut self, eng: &mut Engine) {
        self.life = self.life.wrapping_add(1);
        self.expect = None;
        self.working = None;
        if let Some(txn) = self.db_txn.take() {
            eng.emit(Ev::Txn {
                node: DATABASE,
                txn,
                state: TxnState::Abort,
            });
        }
    }

    fn durable_offset(&self) -> u32 {
        match self.mode {
            Mode::Atomic => self.db_offset,
            _ => self.broker.committed,
        }
    }

    fn apply(&mut self, eng: &mut Engine, offset: u32) {
        let entry = self.workload[offset as usize].entry();
        self.ledger.write(eng, DATABASE, entry);
    }

    /// The broker or the database is back: a consumer waiting for it polls again.
    fn unstall(&mut self, eng: &mut Engine) {
        if self.stalled && eng.is_up(CONSUMER) {
            self.stalled = false;
            eng.timer(1, CONSUMER, POLL, 0, self.life);
        }
    }

    fn poll(&mut self, eng: &mut Engine) {
        if self.pos >= self.broker.len(0) || self.expect.is_some() || self.working.is_some() {
            return;
        }
        // The broker or the database is down or paused (by hand): wait for it.
        if !eng.is_up(BROKER) || !eng.is_up(DATABASE) {
            self.stalled = true;
            return;
        }
        let Some(rec) = self.broker.rec(0, self.pos) else {
            return;
        };
        let n = self.deliveries.entry(rec.msg).or_insert(0);
        let attempt = (*n).min(u16::MAX as u32) as u16;
        *n += 1;
        self.expect = Some((rec.msg, attempt));
        eng.send_reliable(
            BROKER,
            CONSUMER,
            HOP_RECORD,
            Payload::new(MsgKind::Record, rec.msg, attempt),
            1,
        );
    }

    /// First write (or the start of the transaction).
    fn first_step(&mut self, eng: &mut Engine, offset: u32, msg: MsgId) {
        if self.crash_here(eng, msg, POINT_READ) {
            return;
        }
        match self.mode {
            Mode::NonAtomic => {
                self.apply(eng, offset);
                eng.emit(Ev::Commit {
                    node: DATABASE,
                    what: CommitWhat::DbTxn,
                    value: msg,
                });
            }
            Mode::OffsetFirst => self.broker.commit_offset(eng, offset + 1),
            Mode::Atomic => {
                self.db_txns += 1;
                self.db_txn = Some(self.db_txns);
                eng.emit(Ev::Txn {
                    node: DATABASE,
                    txn: self.db_txns,
                    state: TxnState::Begin,
                });
            }
        }
        self.working = Some(offset);
        eng.timer(1, CONSUMER, SECOND_WRITE, msg, self.life);
    }

    /// Second write (or the commit of the transaction).
    fn second_step(&mut self, eng: &mut Engine, msg: MsgId) {
        let Some(offset) = self.working else {
            return;
        };
        if self.crash_here(eng, msg, POINT_BETWEEN) {
            return;
        }
        match self.mode {
            Mode::NonAtomic => self.broker.commit_offset(eng, offset + 1),
            Mode::OffsetFirst => {
                self.apply(eng, offset);
                eng.emit(Ev::Commit {
                    node: DATABASE,
                    what: CommitWhat::DbTxn,
                    value: msg,
                });
            }
            Mode::Atomic => {
                // Inside the open transaction: the ledger row and the offset row.
                self.apply(eng, offset);
                self.db_offset = offset + 1;
                // One commit makes both durable: one event that lists both.
                if let Some(txn) = self.db_txn.take() {
                    eng.emit(Ev::AtomicCommit {
                        node: DATABASE,
                        txn,
                        parts: vec![
                            CommitPart::Entry { msg },
                            CommitPart::Offset { value: offset + 1 },
                        ],
                    });
                }
            }
        }
        self.working = None;
        self.pos = offset + 1;
        if self.crash_here(eng, msg, POINT_AFTER) {
            return;
        }
        eng.timer(1, CONSUMER, POLL, 0, self.life);
    }
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, _from: NodeId, _hop: u8, p: Payload) {
        if to != CONSUMER || self.expect != Some((p.msg, p.attempt)) {
            return;
        }
        self.expect = None;
        let offset = self.pos;
        self.delivery = p.attempt as u32;
        eng.emit(Ev::Read {
            node: CONSUMER,
            partition: 0,
            offset,
            msg: p.msg,
            visible: true,
        });
        self.first_step(eng, offset, p.msg);
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, kind: u8, msg: u32, life: u16) {
        if node != CONSUMER || life != self.life {
            return;
        }
        match kind {
            POLL => self.poll(eng),
            SECOND_WRITE => self.second_step(eng, msg),
            _ => {}
        }
    }

    fn on_crash(&mut self, eng: &mut Engine, node: NodeId) {
        if node == CONSUMER {
            self.abandon(eng);
            self.stalled = false;
        } else if eng.is_up(CONSUMER) {
            // A hand-made crash of the broker or the database fails the record in
            // hand; the consumer goes back to its durable offset and waits.
            self.abandon(eng);
            self.pos = self.durable_offset();
            self.stalled = true;
        }
    }

    fn on_restart(&mut self, eng: &mut Engine, node: NodeId) {
        if node == CONSUMER {
            self.pos = self.durable_offset();
            eng.timer(1, CONSUMER, POLL, 0, self.life);
        } else {
            self.unstall(eng);
        }
    }

    fn on_resume(&mut self, eng: &mut Engine, node: NodeId) {
        if node != CONSUMER {
            self.unstall(eng);
        }
    }
}

fn nodes() -> Vec<NodeInfo> {
    vec![
        NodeInfo::new(0, "broker", NodeKind::Broker, 15, 50),
        NodeInfo::new(1, "consumer", NodeKind::Consumer, 50, 50),
        NodeInfo::new(2, "database", NodeKind::Database, 85, 50),
    ]
}

impl Scenario for AtomicCommit {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let n = params.get("messages") as u32;
        let workload = payments(cfg.seed, n, 3);
        let techniques = [
            (
                "offset-first",
                "Offset first, then ledger",
                Mode::OffsetFirst,
                Guarantee::AtMostOnce,
            ),
            (
                "non-atomic",
                "Ledger first, then offset",
                Mode::NonAtomic,
                Guarantee::AtLeastOnce,
            ),
            (
                "atomic",
                "Ledger + offset in one transaction",
                Mode::Atomic,
                Guarantee::ExactlyOnce,
            ),
        ]
        .into_iter()
        .map(|(id, label, mode, claim)| {
            let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
            faults.crash_at = Ratio::per_mille(params.get("crash_per_mille"));
            faults.crash_down_max = params.ticks("restart_ticks_max");
            let mut eng = Engine::new(3, END, faults);
            eng.schedule_timed_faults();
            let mut broker = Broker::new(BROKER, 1);
            for p in &workload {
                broker.append(&mut eng, 0, p.msg, None);
            }
            eng.at(
                1,
                Item::Timer {
                    node: CONSUMER,
                    kind: POLL,
                    msg: 0,
                    attempt: 0,
                },
            );
            let mut world = World {
                mode,
                workload: workload.clone(),
                ledger: Ledger::default(),
                broker,
                db_offset: 0,
                db_txn: None,
                db_txns: 0,
                pos: 0,
                expect: None,
                working: None,
                life: 0,
                stalled: false,
                deliveries: BTreeMap::new(),
                delivery: 0,
            };
            eng.run(&mut world);
            finish(
                id,
                label,
                claim,
                nodes(),
                eng,
                world.ledger,
                &workload,
                Vec::new(),
            )
        })
        .collect();
        RunResult::assemble(&INFO, cfg, params, workload, techniques)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{assert_holds, balances, first_violating_seed, run_with};
    use crate::sim::event::{CommitPart, Ev, TxnState};
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::narrate::render;
    use crate::sim::{run, RunConfig, RunResult};

    const ID: &str = "atomic-commit";

    #[test]
    fn showcase_crash_between_the_writes() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let truth: Vec<(u8, i64)> = r.truth_balances().into_iter().collect();
        assert_eq!(truth, vec![(0, 1000), (1, 1000), (2, 6500)]);
        assert_eq!(balances(&r, "atomic"), truth);
        assert_eq!(
            balances(&r, "non-atomic"),
            vec![(0, 1000), (1, 1000), (2, 7700)]
        );
        assert_eq!(
            balances(&r, "offset-first"),
            vec![(0, 1000), (1, 1000), (2, 5300)]
        );
        let non = &r.technique("non-atomic").unwrap().verdict;
        assert_eq!(non.applied_twice, vec![6]);
        assert!(non.holds, "at-least-once keeps its claim: nothing lost");
        let first = &r.technique("offset-first").unwrap().verdict;
        assert_eq!(first.lost, vec![6]);
        assert!(first.holds, "at-most-once keeps its claim: nothing twice");
        let atomic = r.technique("atomic").unwrap();
        assert!(atomic.verdict.holds && atomic.verdict.exactly_once);
        // The same crash point hit all three: between the two writes of txn-6.
        for t in &r.techniques {
            assert!(
                t.fired.contains(&Fault::CrashAt {
                    node: NodeId(1),
                    msg: 6,
                    point: 1,
                    down: 3
                }),
                "{}: {:?}",
                t.id,
                t.fired
            );
        }
        // Inside the transaction the crash rolled both writes back.
        assert!(atomic.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Txn {
                state: TxnState::Abort,
                ..
            }
        )));
        assert!(r.end() < 100, "{}", r.end());
    }

    /// Issue 11 item 8: one transaction is one commit — a single event listing the
    /// ledger entry and the offset it made durable, narrated as one line.
    #[test]
    fn one_transaction_is_one_commit_event() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let t = r.technique("atomic").unwrap();
        let commits: Vec<&Ev> = t
            .trace
            .iter()
            .map(|e| &e.ev)
            .filter(|e| {
                matches!(
                    e,
                    Ev::Commit { .. }
                        | Ev::AtomicCommit { .. }
                        | Ev::Txn {
                            state: TxnState::Commit,
                            ..
                        }
                )
            })
            .collect();
        // Eight payments, eight commits, each listing the entry and the next offset.
        assert_eq!(commits.len(), 8);
        for (i, e) in commits.iter().enumerate() {
            let Ev::AtomicCommit { parts, .. } = e else {
                panic!("{e:?}");
            };
            assert_eq!(parts.len(), 2);
            assert!(matches!(parts[1], CommitPart::Offset { value } if value == i as u32 + 1));
        }
        let story = render(&t.trace, &t.nodes, super::INFO.unit);
        assert!(story.contains(
            "database commits transaction 1: the write of txn-1 + offset 1 become durable together\n"
        ));
        assert!(!story.contains("commits offset"));
        assert!(!story.contains("commits its database transaction"));
    }

    #[test]
    fn atomic_holds_on_many_seeds() {
        assert_holds(ID, &[], &["atomic"], 10_000);
        assert_holds(
            ID,
            &[("crash_per_mille", 400), ("messages", 20)],
            &["atomic"],
            1_000,
        );
    }

    #[test]
    fn two_step_consumers_break_on_pinned_seeds() {
        assert_eq!(first_violating_seed(ID, &[], "non-atomic", 100), Some(0));
        assert_eq!(first_violating_seed(ID, &[], "offset-first", 100), Some(0));
        let rare = [("crash_per_mille", 10)];
        assert_eq!(
            first_violating_seed(ID, &rare, "non-atomic", 1_000),
            Some(15)
        );
        assert_eq!(
            first_violating_seed(ID, &rare, "offset-first", 1_000),
            Some(15)
        );
        // Seed 15 has one crash between the two writes: one copy too many, one payment missing.
        let r = run_with(ID, 15, &rare);
        let non = &r.technique("non-atomic").unwrap().verdict;
        assert_eq!((non.applied_twice.len(), non.lost.len()), (1, 0));
        let first = &r.technique("offset-first").unwrap().verdict;
        assert_eq!((first.applied_twice.len(), first.lost.len()), (0, 1));
        assert_eq!(non.applied_twice, first.lost);
        assert!(r.technique("atomic").unwrap().verdict.exactly_once);
    }

    #[test]
    fn hand_made_crash_between_the_writes() {
        let mut cfg = RunConfig::seed(7).set("crash_per_mille", 0);
        cfg.manual = vec![Fault::CrashAt {
            node: NodeId(1),
            msg: 3,
            point: 1,
            down: 2,
        }];
        let r = run(ID, &cfg).unwrap();
        let non = &r.technique("non-atomic").unwrap().verdict;
        assert_eq!(non.applied_twice, vec![3]);
        assert!(non.lost.is_empty());
        let first = &r.technique("offset-first").unwrap().verdict;
        assert_eq!(first.lost, vec![3]);
        assert!(first.applied_twice.is_empty());
        assert!(r.technique("atomic").unwrap().verdict.exactly_once);
        // Without the hand-made crash, all three are exact.
        let calm = run(ID, &RunConfig::seed(7).set("crash_per_mille", 0)).unwrap();
        assert!(calm.techniques.iter().all(|t| t.verdict.exactly_once));
    }

    #[test]
    fn deterministic() {
        let cfg = RunConfig::seed(42).set("messages", 30);
        assert_eq!(run(ID, &cfg).unwrap(), run(ID, &cfg).unwrap());
    }

    #[test]
    fn survives_hand_made_crashes_and_pauses() {
        crate::sim::scenarios::testkit::assert_survives_hand_made_faults(super::INFO.id, "atomic");
    }

    #[test]
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs: Vec<RunResult> = info
            .try_this
            .iter()
            .map(|t| run_with(info.id, info.showcase_seed, t.set))
            .collect();
        assert!(runs[0].techniques.iter().all(|t| t.verdict.exactly_once));
        for r in &runs[1..] {
            let non = &r.technique("non-atomic").unwrap().verdict;
            let first = &r.technique("offset-first").unwrap().verdict;
            assert!(!non.applied_twice.is_empty() && non.lost.is_empty());
            assert!(!first.lost.is_empty() && first.applied_twice.is_empty());
            assert!(r.technique("atomic").unwrap().verdict.exactly_once);
        }
    }
}
