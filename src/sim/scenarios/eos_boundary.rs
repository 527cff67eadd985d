//! §7 — where broker exactly-once stops, and an operator's offset reset.
//!
//! An upstream transactional producer has written the payments to a partition
//! (one of its transactions aborted and was rewritten). A read_committed sink reads
//! them, inserts each into a database table and then commits its offset at the
//! broker. Crash points per message and delivery: 0 after the read, 1 between the
//! insert and the offset commit, 2 after both. The operator may reset the group's
//! offset to replay. `eos-only` inserts every delivered record; `eos-unique-column`
//! has a unique constraint on a message-id column and skips what is already there;
//! `eos-to-topic` is a pure broker-to-broker pipeline: it writes each record to an
//! output topic and commits the input offset in the same broker transaction —
//! exact under crashes, yet the operator's reset makes it commit every replayed
//! record to the output topic again.

use super::{finish, param};
use crate::sim::broker::{payments, Broker};
use crate::sim::engine::{Actors, Engine, Item, Status};
use crate::sim::event::{CommitPart, CommitWhat, Ev, MsgKind, OperatorAction, Payload, SkipWhy};
use crate::sim::fault::{Fault, Faults};
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::invariants::{Badge, Tone};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::promise::{Expect, Outcome};
use crate::sim::rng::Ratio;
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TryThis,
};
use std::collections::{BTreeMap, BTreeSet};

pub struct EosBoundary;

const BROKER: NodeId = NodeId(0);
const SINK: NodeId = NodeId(1);
const DATABASE: NodeId = NodeId(2);
const HOP_RECORD: u8 = 0;
/// The topic sink's output partition (the input is partition 0).
const OUTPUT: u8 = 1;
/// The topic sink's transactional id.
const SINK_PID: u32 = 7;

const POINT_READ: u8 = 0;
const POINT_BETWEEN: u8 = 1;
const POINT_AFTER: u8 = 2;
const POINTS: u32 = 3;

const POLL: u8 = 0;
const COMMIT: u8 = 1;

/// Records per upstream transaction; the second transaction aborts once.
const UPSTREAM_TXN: usize = 3;

const END: Tick = 200_000;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "eos-boundary",
    title: "Where broker exactly-once stops",
    promise: "watch a replayed offset write every payment into the database twice",
    sections: &[7],
    explain: &[
        "Inside the broker, exactly-once holds: the upstream producer wrote the payments in transactions, one of them aborted and was rewritten, and the read_committed sink never sees the aborted copies.",
        "The sink's job ends outside the broker: it inserts each payment into a database and only then commits its offset. A database row is not part of a broker transaction, so a crash between the insert and the offset commit makes the broker hand the record over again, and the sink inserts it again.",
        "An operator resetting the consumer group's offset to replay is the same problem at scale: the broker does what it is told and redelivers everything after the new offset. Broker EOS cannot know those rows already exist.",
        "The reset breaks a pipeline that never leaves the broker, too. The third column writes each payment to an output topic and commits its input offset in the same transaction, so crashes cannot duplicate anything. But a transaction only ties a read to its write: once the operator moves the read position back, the sink reads the same input again and commits every output record a second time, each in a perfectly valid transaction.",
        "Give the table a unique constraint on the message id and the database itself refuses a second row for the same payment. Every replayed or redelivered record is skipped, and the state heals itself whatever the broker sends.",
    ],
    params: &[
        param(
            "messages",
            "Payments",
            Unit::Count,
            1,
            300,
            8,
            "How many payments the upstream producer wrote.",
        ),
        param(
            "crash_per_mille",
            "Sink crash chance",
            Unit::PerMille,
            0,
            500,
            50,
            "Chance that the sink crashes at each crash point (after the read, between insert and offset commit, after both) of each delivery.",
        ),
        param(
            "restart_ticks_max",
            "Restart time",
            Unit::Ticks,
            1,
            50,
            4,
            "A crashed sink comes back after 1 to this many ticks and resumes at the committed offset.",
        ),
        param(
            "offset_reset",
            "Operator resets the offset",
            Unit::Flag,
            0,
            1,
            1,
            "An operator resets the consumer group's committed offset to replay the partition.",
        ),
        param(
            "reset_at_ticks",
            "Reset at",
            Unit::Ticks,
            1,
            5000,
            40,
            "When the operator resets the offset.",
        ),
        param(
            "reset_to",
            "Reset to offset",
            Unit::Count,
            0,
            1000,
            0,
            "The offset the group is reset to (0: replay from the start; beyond the last read offset: records are skipped).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "No operator",
            set: &[("offset_reset", 0), ("crash_per_mille", 150)],
            watch: "crashes alone still sneak duplicate rows past broker EOS; the unique column catches them, and the broker-to-broker column stays exact because its transaction holds the write and the offset",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Doubled(1)),
                Expect::new("eos-unique-column", Outcome::Exact),
                Expect::new("eos-to-topic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Reset mid-run",
            set: &[("reset_at_ticks", 12), ("reset_to", 1)],
            watch: "the sink jumps back while it is still working; the constrained table skips the rows it already has, while the table without it and the output topic get them twice",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Doubled(1)),
                Expect::new("eos-unique-column", Outcome::Exact),
                Expect::new("eos-to-topic", Outcome::Doubled(1)),
            ],
        },
        TryThis {
            label: "Reset forward",
            set: &[("reset_at_ticks", 5), ("reset_to", 9)],
            watch: "skipping ahead loses payments in every column: a dedup column removes copies, it cannot bring back what was never read",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Lost(1)),
                Expect::new("eos-unique-column", Outcome::Lost(1)),
                Expect::new("eos-to-topic", Outcome::Lost(1)),
            ],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

/// What the sink writes to.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Sink {
    /// A database table, every delivered record inserted.
    Table,
    /// A database table with a unique message-id column.
    UniqueTable,
    /// An output topic on the same broker, in a transaction with the input offset.
    Topic,
}

struct World {
    sink: Sink,
    unique: bool,
    /// Topic sink: its open broker transaction.
    txn: Option<u32>,
    workload: Vec<Payment>,
    ledger: Ledger,
    broker: Broker,
    /// The database's unique message-id column.
    ids: BTreeSet<MsgId>,
    /// Volatile sink state.
    pos: u32,
    expect: Option<(MsgId, u16)>,
    working: Option<u32>,
    life: u16,
    /// Waiting for a crashed broker or database to come back.
    stalled: bool,
    /// Simulation bookkeeping: deliveries per message (fresh crash questions per delivery).
    deliveries: BTreeMap<MsgId, u32>,
    delivery: u32,
}

impl World {
    fn crash_here(&mut self, eng: &mut Engine, msg: MsgId, base: u8) -> bool {
        let point = (base as u32 + POINTS * self.delivery.min(80)) as u8;
        match eng.faults.crash_at(SINK, msg, point) {
            Some(down) => {
                eng.crash(self, SINK, down);
                true
            }
            None => false,
        }
    }

    /// The broker or the database is back: a consumer waiting for it polls again.
    fn unstall(&mut self, eng: &mut Engine) {
        if self.stalled && eng.is_up(SINK) {
            self.stalled = false;
            eng.timer(1, SINK, POLL, 0, self.life);
        }
    }

    fn poll(&mut self, eng: &mut Engine) {
        if self.expect.is_some() || self.working.is_some() {
            return;
        }
        // The broker or the database is down or paused (by hand): wait for it.
        let db_down = self.sink != Sink::Topic && !eng.is_up(DATABASE);
        if self.pos < self.broker.len(0) && (!eng.is_up(BROKER) || db_down) {
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
            SINK,
            HOP_RECORD,
            Payload::new(MsgKind::Record, rec.msg, attempt),
            1,
        );
    }

    fn on_record(&mut self, eng: &mut Engine, p: Payload) {
        self.expect = None;
        self.delivery = p.attempt as u32;
        let offset = self.pos;
        let Some(rec) = self.broker.rec(0, offset) else {
            return;
        };
        let visible = !self.broker.aborted(rec);
        eng.emit(Ev::Read {
            node: SINK,
            partition: 0,
            offset,
            msg: rec.msg,
            visible,
        });
        if !visible {
            eng.emit(Ev::Skip {
                node: SINK,
                msg: rec.msg,
                why: SkipWhy::Aborted,
            });
            self.pos += 1;
            eng.timer(1, SINK, POLL, 0, self.life);
            return;
        }
        if self.crash_here(eng, rec.msg, POINT_READ) {
            return;
        }
        if self.sink == Sink::Topic {
            // Read-process-write inside the broker: the output record opens a
            // transaction that will also carry the input offset.
            let txn = self.broker.begin_for(eng, SINK_PID);
            self.broker.append(eng, OUTPUT, rec.msg, Some(txn));
            self.txn = Some(txn);
        } else if self.unique && self.ids.contains(&rec.msg) {
            eng.emit(Ev::Skip {
                node: DATABASE,
                msg: rec.msg,
                why: SkipWhy::UniqueConstraint,
            });
        } else if let Some(pay) = self.workload.iter().find(|w| w.msg == rec.msg).copied() {
            self.ledger.write(eng, DATABASE, pay.entry());
            if self.unique {
                self.ids.insert(rec.msg);
                eng.emit(Ev::DedupPut {
                    node: DATABASE,
                    key: rec.msg,
                    expires: None,
                });
            }
            eng.emit(Ev::Commit {
                node: DATABASE,
                what: CommitWhat::DbTxn,
                value: rec.msg,
            });
        }
        self.working = Some(offset);
        eng.timer(1, SINK, COMMIT, rec.msg, self.life);
    }

    fn commit(&mut self, eng: &mut Engine, msg: MsgId) {
        let Some(offset) = self.working.take() else {
            return;
        };
        if self.crash_here(eng, msg, POINT_BETWEEN) {
            return;
        }
        if self.sink == Sink::Topic {
            let Some(txn) = self.txn.take() else {
                return;
            };
            // The output record and the input offset commit as one.
            self.broker.commit_atomic(
                eng,
                txn,
                vec![
                    CommitPart::Entry { msg },
                    CommitPart::Offset { value: offset + 1 },
                ],
            );
            // A read_committed reader of the output topic now sees the payment.
            if let Some(pay) = self.workload.iter().find(|w| w.msg == msg).copied() {
                self.ledger.write(eng, BROKER, pay.entry());
            }
        } else {
            self.broker.commit_offset(eng, offset + 1);
        }
        self.pos = offset + 1;
        if self.crash_here(eng, msg, POINT_AFTER) {
            return;
        }
        eng.timer(1, SINK, POLL, 0, self.life);
    }

    /// A topic sink (re)starts: it registers its transactional.id, and the
    /// coordinator aborts whatever its earlier epoch left open.
    fn reinit(&mut self, eng: &mut Engine) {
        if self.sink == Sink::Topic {
            self.broker.register(eng, SINK, SINK_PID);
            self.txn = None;
        }
    }

    /// Drop the sink's volatile state (a crash, or a rebalance after an offset reset).
    fn forget(&mut self) {
        self.life = self.life.wrapping_add(1);
        self.expect = None;
        self.working = None;
    }
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, _from: NodeId, _hop: u8, p: Payload) {
        if to == SINK && self.expect == Some((p.msg, p.attempt)) {
            self.on_record(eng, p);
        }
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, kind: u8, msg: u32, life: u16) {
        if node != SINK || life != self.life {
            return;
        }
        match kind {
            POLL => self.poll(eng),
            COMMIT => self.commit(eng, msg),
            _ => {}
        }
    }

    fn on_crash(&mut self, eng: &mut Engine, node: NodeId) {
        if node == SINK {
            self.forget();
            self.stalled = false;
        } else if eng.is_up(SINK) {
            // A hand-made crash of the broker or the database fails the record in
            // hand; the sink goes back to the committed offset and waits.
            self.forget();
            self.pos = self.broker.committed;
            self.stalled = true;
        }
    }

    fn on_restart(&mut self, eng: &mut Engine, node: NodeId) {
        if node == SINK {
            self.reinit(eng);
            self.pos = self.broker.committed;
            eng.timer(1, SINK, POLL, 0, self.life);
        } else {
            self.unstall(eng);
        }
    }

    fn on_resume(&mut self, eng: &mut Engine, node: NodeId) {
        if node != SINK {
            self.unstall(eng);
        }
    }

    fn on_fault(&mut self, eng: &mut Engine, f: Fault) {
        let Fault::ResetOffset { node, to, .. } = f else {
            return;
        };
        if node != SINK {
            return;
        }
        eng.emit(Ev::Operator {
            node: SINK,
            action: OperatorAction::ResetOffset,
            value: to,
        });
        self.broker.commit_offset(eng, to);
        // The group rebalances: a running sink drops what it was doing and
        // resumes at the new offset (a crashed one will on restart).
        if eng.status(SINK) != Status::Down {
            self.forget();
            self.reinit(eng);
            self.pos = to;
            eng.timer(1, SINK, POLL, 0, self.life);
        }
    }
}

fn nodes(sink: Sink) -> Vec<NodeInfo> {
    if sink == Sink::Topic {
        return vec![
            NodeInfo::new(0, "broker", NodeKind::Broker, 15, 50),
            NodeInfo::new(1, "sink", NodeKind::Consumer, 50, 50),
        ];
    }
    vec![
        NodeInfo::new(0, "broker", NodeKind::Broker, 15, 50),
        NodeInfo::new(1, "sink", NodeKind::Consumer, 50, 50),
        NodeInfo::new(2, "database", NodeKind::Database, 85, 50),
    ]
}

/// The upstream producer's transactions: `UPSTREAM_TXN` payments each; the second
/// one aborts once and is written again.
fn write_upstream(eng: &mut Engine, broker: &mut Broker, workload: &[Payment]) {
    for (i, chunk) in workload.chunks(UPSTREAM_TXN).enumerate() {
        let tries = if i == 1 { 2 } else { 1 };
        for t in 0..tries {
            let txn = broker.begin(eng);
            for p in chunk {
                broker.append(eng, 0, p.msg, Some(txn));
            }
            broker.end(eng, txn, t + 1 == tries);
        }
    }
}

impl Scenario for EosBoundary {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let n = params.get("messages") as u32;
        let workload = payments(cfg.seed, n, 3);
        let techniques = [
            ("eos-only", "Broker EOS only", Sink::Table, Guarantee::None),
            (
                "eos-unique-column",
                "Broker EOS + unique message-id column",
                Sink::UniqueTable,
                Guarantee::ExactlyOnce,
            ),
            (
                "eos-to-topic",
                "Broker to broker: output topic + offset in one transaction",
                Sink::Topic,
                Guarantee::ExactlyOnce,
            ),
        ]
        .into_iter()
        .map(|(id, label, sink, claim)| {
            let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
            faults.crash_at = Ratio::per_mille(params.get("crash_per_mille"));
            faults.crash_down_max = params.ticks("restart_ticks_max");
            if params.flag("offset_reset") {
                faults.add_explicit(Fault::ResetOffset {
                    node: SINK,
                    at: params.ticks("reset_at_ticks"),
                    to: params.get("reset_to") as u32,
                });
            }
            let mut eng = Engine::new(3, END, faults);
            eng.schedule_timed_faults();
            let mut broker = Broker::new(BROKER, if sink == Sink::Topic { 2 } else { 1 });
            write_upstream(&mut eng, &mut broker, &workload);
            eng.at(
                1,
                Item::Timer {
                    node: SINK,
                    kind: POLL,
                    msg: 0,
                    attempt: 0,
                },
            );
            let mut world = World {
                sink,
                unique: sink == Sink::UniqueTable,
                txn: None,
                workload: workload.clone(),
                ledger: Ledger::default(),
                broker,
                ids: BTreeSet::new(),
                pos: 0,
                expect: None,
                working: None,
                life: 0,
                stalled: false,
                deliveries: BTreeMap::new(),
                delivery: 0,
            };
            world.reinit(&mut eng);
            eng.run(&mut world);
            let mut t = finish(
                id,
                label,
                claim,
                nodes(sink),
                eng,
                world.ledger,
                &workload,
                Vec::new(),
            );
            if sink == Sink::Topic && !t.verdict.applied_twice.is_empty() {
                t.badge = Badge::new(
                    Tone::Bad,
                    &format!(
                        "{} written twice to the output topic, in committed transactions",
                        INFO.unit.count(t.verdict.applied_twice.len())
                    ),
                );
            }
            t
        })
        .collect();
        RunResult::assemble(&INFO, cfg, params, workload, techniques)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{assert_holds, balances, count, first_violating_seed, run_with};
    use crate::sim::event::{CommitPart, Ev, OperatorAction, SkipWhy};
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::{run, RunConfig, RunResult};

    const ID: &str = "eos-boundary";

    #[test]
    fn showcase_replay_doubles_the_table_unless_constrained() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let truth: Vec<(u8, i64)> = r.truth_balances().into_iter().collect();
        assert_eq!(truth, vec![(0, 1000), (1, 1000), (2, 6500)]);
        assert_eq!(
            balances(&r, "eos-only"),
            vec![(0, 2000), (1, 2000), (2, 13000)]
        );
        assert_eq!(
            r.technique("eos-only").unwrap().verdict.applied_twice,
            (1..=8).collect::<Vec<u32>>()
        );
        assert_eq!(balances(&r, "eos-unique-column"), truth);
        for id in ["eos-only", "eos-unique-column"] {
            // Inside the broker EOS works: the aborted copies are never applied (two passes).
            assert_eq!(
                count(&r, id, |e| matches!(e, Ev::Read { visible: false, .. })),
                6
            );
            let reset = |e: &Ev| {
                *e == Ev::Operator {
                    node: NodeId(1),
                    action: OperatorAction::ResetOffset,
                    value: 0,
                }
            };
            assert_eq!(count(&r, id, reset), 1);
        }
        let unique = |e: &Ev| {
            matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::UniqueConstraint,
                    ..
                }
            )
        };
        assert_eq!(count(&r, "eos-unique-column", unique), 8);
        assert_eq!(count(&r, "eos-only", unique), 0);
        assert!(r.end() < 100);
    }

    /// Issue 11 seed point: an operator's offset reset breaks a pure broker-to-broker
    /// pipeline too — every replayed record is committed to the output topic again,
    /// in valid transactions — while crashes alone cannot break it.
    #[test]
    fn a_reset_breaks_a_broker_to_broker_pipeline_too() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let t = r.technique("eos-to-topic").unwrap();
        assert_eq!(t.verdict.applied_twice, (1..=8).collect::<Vec<u32>>());
        assert_eq!(
            t.badge.text,
            "✕ 8 payments written twice to the output topic, in committed transactions"
        );
        // Every copy was committed (one event: the output write and the offset).
        let commits = count(&r, "eos-to-topic", |e| {
            matches!(e, Ev::AtomicCommit { parts, .. }
                if parts.iter().any(|p| matches!(p, CommitPart::Entry { msg: 1 })))
        });
        assert_eq!(commits, 2);
        // Crashes alone, without the operator: it stays exact.
        assert_holds(
            ID,
            &[("offset_reset", 0), ("crash_per_mille", 300)],
            &["eos-to-topic"],
            1_000,
        );
    }

    #[test]
    fn unique_column_holds_on_many_seeds() {
        assert_holds(ID, &[], &["eos-unique-column"], 10_000);
        assert_holds(
            ID,
            &[
                ("crash_per_mille", 300),
                ("reset_at_ticks", 15),
                ("messages", 20),
            ],
            &["eos-unique-column"],
            1_000,
        );
    }

    #[test]
    fn eos_only_breaks_on_pinned_seeds() {
        assert_eq!(first_violating_seed(ID, &[], "eos-only", 100), Some(0));
        // Without the operator, a crash between insert and offset commit is enough.
        let calm = [("offset_reset", 0)];
        assert_eq!(first_violating_seed(ID, &calm, "eos-only", 1_000), Some(6));
        let r = run_with(ID, 6, &calm);
        let v = &r.technique("eos-only").unwrap().verdict;
        assert!(v.lost.is_empty());
        assert_eq!(v.applied_twice, vec![1, 2]);
        let fired = &r.technique("eos-only").unwrap().fired;
        for m in [1, 2] {
            assert!(fired.iter().any(|f| matches!(
                f,
                Fault::CrashAt { msg, point: 1, .. } if *msg == m
            )));
        }
        assert!(
            r.technique("eos-unique-column")
                .unwrap()
                .verdict
                .exactly_once
        );
    }

    #[test]
    fn a_reset_forward_loses_payments_in_both() {
        let r = run_with(
            ID,
            1,
            &[
                ("reset_at_ticks", 5),
                ("reset_to", 9),
                ("crash_per_mille", 0),
            ],
        );
        for t in &r.techniques {
            assert!(!t.verdict.lost.is_empty(), "{}", t.id);
            assert!(t.verdict.applied_twice.is_empty(), "{}", t.id);
        }
    }

    #[test]
    fn hand_made_reset_replays() {
        let mut cfg = RunConfig::seed(3)
            .set("offset_reset", 0)
            .set("crash_per_mille", 0);
        cfg.manual = vec![Fault::ResetOffset {
            node: NodeId(1),
            at: 60,
            to: 3,
        }];
        let r = run(ID, &cfg).unwrap();
        assert!(!r.technique("eos-only").unwrap().verdict.exactly_once);
        assert!(
            r.technique("eos-unique-column")
                .unwrap()
                .verdict
                .exactly_once
        );
    }

    #[test]
    fn deterministic() {
        let cfg = RunConfig::seed(5)
            .set("messages", 40)
            .set("crash_per_mille", 200);
        assert_eq!(run(ID, &cfg).unwrap(), run(ID, &cfg).unwrap());
    }

    #[test]
    fn survives_hand_made_crashes_and_pauses() {
        crate::sim::scenarios::testkit::assert_survives_hand_made_faults(
            super::INFO.id,
            "eos-unique-column",
        );
    }

    #[test]
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs: Vec<RunResult> = info
            .try_this
            .iter()
            .map(|t| run_with(info.id, info.showcase_seed, t.set))
            .collect();
        for r in &runs[..2] {
            let only = &r.technique("eos-only").unwrap().verdict;
            assert!(!only.applied_twice.is_empty() && only.lost.is_empty());
            assert!(
                r.technique("eos-unique-column")
                    .unwrap()
                    .verdict
                    .exactly_once
            );
        }
        for t in &runs[2].techniques {
            assert!(!t.verdict.lost.is_empty(), "{}", t.id);
        }
    }
}
