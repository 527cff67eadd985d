//! §6 — commit the state change and the consumer offset in one transaction.
//!
//! A consumer reads payment records from a partition log, writes each to a ledger
//! table in a database and records its offset. Crash points (per message and
//! delivery): 0 after the read, 1 between the two writes, 2 after both. A crash at
//! point 1 is what separates the techniques: writing the ledger first re-applies
//! the redelivered record, committing the offset first loses it, and one database
//! transaction holding both rolls back as a whole.

mod text;

use super::plumbing::{crash_at, PollTimer, Poller, Step, POINT_AFTER, POINT_BETWEEN, POINT_READ};
use super::prelude::*;
use crate::sim::broker::{payments, Broker};
use crate::sim::event::{CommitPart, CommitWhat, TxnState};
use text::INFO;

nodes! {
    BROKER: "broker", Broker @ 15, 50;
    CONSUMER: "consumer", Consumer @ 50, 50;
    DATABASE: "database", Database @ 85, 50;
}

/// Safety bound on a run (the queue normally empties long before).
const END: Tick = 200_000;

techniques! {
    Mode;
    /// Offset first, ledger second.
    OffsetFirst = "offset-first", "Offset first, then ledger", AtMostOnce;
    /// Ledger first, offset second.
    NonAtomic = "non-atomic", "Ledger first, then offset", AtLeastOnce;
    /// Ledger and offset in one database transaction.
    Atomic = "atomic", "Ledger + offset in one transaction", ExactlyOnce;
}

struct World<'a> {
    mode: Mode,
    workload: &'a [Payment],
    ledger: Ledger,
    broker: Broker,
    /// Atomic mode: the offset row stored in the database.
    db_offset: u32,
    /// Atomic mode: the open database transaction, if any.
    db_txn: Option<u32>,
    db_txns: u32,
    /// The consumer's volatile state.
    consumer: Poller,
}

impl World<'_> {
    /// Ask the fault source whether to crash here; crash if so.
    fn crash_here(&mut self, eng: &mut Engine<PollTimer>, msg: MsgId, base: u8) -> bool {
        let point = self.consumer.point(base);
        crash_at(self, eng, CONSUMER, msg, point)
    }

    fn durable_offset(&self) -> u32 {
        match self.mode {
            Mode::Atomic => self.db_offset,
            _ => self.broker.committed,
        }
    }

    fn apply(&mut self, eng: &mut Engine<PollTimer>, offset: u32) {
        let entry = self.workload[offset as usize].entry();
        self.ledger.write(eng, DATABASE, entry);
    }

    /// First write (or the start of the transaction).
    fn first_step(&mut self, eng: &mut Engine<PollTimer>, offset: u32, msg: MsgId) {
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
        self.consumer.working = Some(offset);
        self.consumer.schedule_second_step(eng, msg);
    }

    /// Second write (or the commit of the transaction).
    fn second_step(&mut self, eng: &mut Engine<PollTimer>, msg: MsgId) {
        let Some(offset) = self.consumer.working else {
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
        self.consumer.working = None;
        self.consumer.pos = offset + 1;
        if self.crash_here(eng, msg, POINT_AFTER) {
            return;
        }
        self.consumer.schedule_poll(eng);
    }
}

impl Actors for World<'_> {
    type Timer = PollTimer;

    fn on_deliver(&mut self, eng: &mut Engine<PollTimer>, d @ Delivery { p, .. }: Delivery) {
        if !self.consumer.accept(d) {
            return;
        }
        let offset = self.consumer.pos;
        eng.emit(Ev::Read {
            node: CONSUMER,
            partition: 0,
            offset,
            msg: p.msg,
            visible: true,
        });
        self.first_step(eng, offset, p.msg);
    }

    fn on_timer(&mut self, eng: &mut Engine<PollTimer>, node: NodeId, timer: PollTimer) {
        match self.consumer.step(node, timer) {
            Some(Step::Poll) => self.consumer.poll(eng, &mut self.broker, &[DATABASE]),
            Some(Step::SecondStep(msg)) => self.second_step(eng, msg),
            None => {}
        }
    }

    fn on_crash(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        // A hand-made crash of the broker or the database fails the record in hand
        // too; an open database transaction rolls back.
        let durable = self.durable_offset();
        if self.consumer.crashed(eng, node, durable) {
            if let Some(txn) = self.db_txn.take() {
                eng.emit(Ev::Txn {
                    node: DATABASE,
                    txn,
                    state: TxnState::Abort,
                });
            }
        }
    }

    fn on_restart(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        let durable = self.durable_offset();
        self.consumer.back(eng, node, Some(durable));
    }

    fn on_resume(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        self.consumer.back(eng, node, None);
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let workload = payments(cfg.seed, params.get("messages") as u32, 3);
    run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
        let mut faults = Faults::for_run(cfg);
        faults.crash_at = params.chance("crash_per_mille");
        faults.crash_down_max = params.ticks("restart_ticks_max");
        let mut eng = Engine::start(NODES.len(), END, faults);
        let mut broker = Broker::new(BROKER, 1);
        for p in workload {
            broker.append(&mut eng, 0, p.msg, None);
        }
        let consumer = Poller::new(CONSUMER, BROKER);
        eng.timer_at(
            1,
            CONSUMER,
            PollTimer::Poll {
                life: consumer.life,
            },
        );
        let mut world = World {
            mode: t.mode,
            workload,
            ledger: Ledger::default(),
            broker,
            db_offset: 0,
            db_txn: None,
            db_txns: 0,
            consumer,
        };
        eng.run(&mut world);
        t.finish(Done::new(infos(&NODES), eng, world.ledger, workload))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{CommitPart, Ev, TxnState};
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::narrate::render;
    use crate::sim::{run, RunConfig};

    const ID: &str = "atomic-commit";

    #[test]
    fn showcase_crash_between_the_writes() {
        let (r, truth) = showcase_truth(&super::INFO, &[(0, 1000), (1, 1000), (2, 6500)]);
        assert_eq!(balances(&r, "atomic"), truth);
        assert_eq!(
            balances(&r, "non-atomic"),
            vec![(0, 1000), (1, 1000), (2, 7700)]
        );
        assert_eq!(
            balances(&r, "offset-first"),
            vec![(0, 1000), (1, 1000), (2, 5300)]
        );
        let non = verdict(&r, "non-atomic");
        assert_eq!(non.applied_twice, vec![6]);
        assert!(non.holds, "at-least-once keeps its claim: nothing lost");
        let first = verdict(&r, "offset-first");
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

    /// One transaction is one commit — a single event listing the
    /// ledger entry and the offset it made durable, narrated as one line.
    #[test]
    fn one_transaction_is_one_commit_event() {
        let r = showcase(&super::INFO);
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
            "database commits transaction 1: the write of txn-1 + input offset 1 become durable together\n"
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
        let non = verdict(&r, "non-atomic");
        assert_eq!((non.applied_twice.len(), non.lost.len()), (1, 0));
        let first = verdict(&r, "offset-first");
        assert_eq!((first.applied_twice.len(), first.lost.len()), (0, 1));
        assert_eq!(non.applied_twice, first.lost);
        assert!(verdict(&r, "atomic").exactly_once);
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
        let non = verdict(&r, "non-atomic");
        assert_eq!(non.applied_twice, vec![3]);
        assert!(non.lost.is_empty());
        let first = verdict(&r, "offset-first");
        assert_eq!(first.lost, vec![3]);
        assert!(first.applied_twice.is_empty());
        assert!(verdict(&r, "atomic").exactly_once);
        // Without the hand-made crash, all three are exact.
        let calm = run(ID, &RunConfig::seed(7).set("crash_per_mille", 0)).unwrap();
        assert!(calm.techniques.iter().all(|t| t.verdict.exactly_once));
    }

    #[test]
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs = try_this_runs(info);
        assert!(runs[0].techniques.iter().all(|t| t.verdict.exactly_once));
        for r in &runs[1..] {
            let non = verdict(r, "non-atomic");
            let first = verdict(r, "offset-first");
            assert!(!non.applied_twice.is_empty() && non.lost.is_empty());
            assert!(!first.lost.is_empty() && first.applied_twice.is_empty());
            assert!(verdict(r, "atomic").exactly_once);
        }
    }

    /// The protected technique stays exactly-once under hand-made crashes and pauses.
    #[test]
    fn protected_technique_survives_hand_made_crashes_and_pauses() {
        assert_survives_hand_made_faults("atomic-commit", "atomic");
    }
}
