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

mod text;

use super::plumbing::{crash_at, PollTimer, Poller, Step, POINT_AFTER, POINT_BETWEEN, POINT_READ};
use super::prelude::*;
use crate::sim::broker::{payments, Broker};
use crate::sim::engine::Status;
use crate::sim::event::{CommitWhat, OperatorAction, SkipWhy};
use crate::sim::invariants::{Badge, Tone};
use text::INFO;

nodes! {
    BROKER: "broker", Broker @ 15, 50;
    SINK: "sink", Consumer @ 50, 50;
    DATABASE: "database", Database @ 85, 50;
}
/// The topic sink's output partition (the input is partition 0).
const OUTPUT: u8 = 1;
/// The topic sink's transactional id.
const SINK_PID: u32 = 7;

/// Records per upstream transaction; the second transaction aborts once.
const UPSTREAM_TXN: usize = 3;

const END: Tick = 200_000;

techniques! {
    /// What the sink writes to.
    Sink;
    /// A database table, every delivered record inserted.
    Table = "eos-only", "Broker EOS only", None;
    /// A database table with a unique message-id column.
    UniqueTable = "eos-unique-column", "Broker EOS + unique message-id column", ExactlyOnce;
    /// An output topic on the same broker, in a transaction with the input offset.
    Topic = "eos-to-topic", "Broker to broker: output topic + offset in one transaction", ExactlyOnce;
}

struct World<'a> {
    sink: Sink,
    /// Topic sink: its open broker transaction.
    txn: Option<u32>,
    workload: &'a [Payment],
    ledger: Ledger,
    broker: Broker,
    /// The database's unique message-id column.
    ids: BTreeSet<MsgId>,
    /// The sink's volatile state.
    consumer: Poller,
}

impl World<'_> {
    fn crash_here(&mut self, eng: &mut Engine<PollTimer>, msg: MsgId, base: u8) -> bool {
        let point = self.consumer.point(base);
        crash_at(self, eng, SINK, msg, point)
    }

    fn poll(&mut self, eng: &mut Engine<PollTimer>) {
        let needs: &[NodeId] = if self.sink == Sink::Topic {
            &[]
        } else {
            &[DATABASE]
        };
        self.consumer.poll(eng, &mut self.broker, needs);
    }

    fn payment(&self, msg: MsgId) -> Option<Payment> {
        self.workload.iter().find(|w| w.msg == msg).copied()
    }

    fn on_record(&mut self, eng: &mut Engine<PollTimer>) {
        let offset = self.consumer.pos;
        let Some((rec, visible)) = self.broker.read(eng, SINK, 0, offset, true) else {
            return;
        };
        if !visible {
            self.consumer.pos += 1;
            self.consumer.schedule_poll(eng);
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
        } else if self.sink == Sink::UniqueTable && self.ids.contains(&rec.msg) {
            eng.emit(Ev::Skip {
                node: DATABASE,
                msg: rec.msg,
                why: SkipWhy::UniqueConstraint,
            });
        } else if let Some(pay) = self.payment(rec.msg) {
            self.ledger.write(eng, DATABASE, pay.entry());
            if self.sink == Sink::UniqueTable {
                self.ids.insert(rec.msg);
                eng.emit(Ev::DedupPut {
                    node: DATABASE,
                    key: rec.msg,
                    expires: None,
                    of: crate::sim::event::DedupKey::MessageId,
                });
            }
            eng.emit(Ev::Commit {
                node: DATABASE,
                what: CommitWhat::DbTxn,
                value: rec.msg,
            });
        }
        self.consumer.working = Some(offset);
        self.consumer.schedule_second_step(eng, rec.msg);
    }

    fn commit(&mut self, eng: &mut Engine<PollTimer>, msg: MsgId) {
        let Some(offset) = self.consumer.working.take() else {
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
            self.broker
                .commit_record_and_offset(eng, txn, msg, offset + 1);
            // A read_committed reader of the output topic now sees the payment.
            if let Some(pay) = self.payment(msg) {
                self.ledger.write(eng, BROKER, pay.entry());
            }
        } else {
            self.broker.commit_offset(eng, offset + 1);
        }
        self.consumer.pos = offset + 1;
        if self.crash_here(eng, msg, POINT_AFTER) {
            return;
        }
        self.consumer.schedule_poll(eng);
    }

    /// A topic sink (re)starts: it registers its transactional.id, and the
    /// coordinator aborts whatever its earlier epoch left open.
    fn reinit(&mut self, eng: &mut Engine<PollTimer>) {
        if self.sink == Sink::Topic {
            self.broker.register(eng, SINK, SINK_PID);
            self.txn = None;
        }
    }
}

impl Actors for World<'_> {
    type Timer = PollTimer;

    fn on_deliver(&mut self, eng: &mut Engine<PollTimer>, d: Delivery) {
        if self.consumer.accept(d) {
            self.on_record(eng);
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<PollTimer>, node: NodeId, timer: PollTimer) {
        match self.consumer.step(node, timer) {
            Some(Step::Poll) => self.poll(eng),
            Some(Step::SecondStep(msg)) => self.commit(eng, msg),
            None => {}
        }
    }

    fn on_crash(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        // A hand-made crash of the broker or the database fails the record in
        // hand; the sink goes back to the committed offset and waits.
        self.consumer.crashed(eng, node, self.broker.committed);
    }

    fn on_restart(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        if node == SINK {
            self.reinit(eng);
        }
        self.consumer.back(eng, node, Some(self.broker.committed));
    }

    fn on_resume(&mut self, eng: &mut Engine<PollTimer>, node: NodeId) {
        self.consumer.back(eng, node, None);
    }

    fn on_fault(&mut self, eng: &mut Engine<PollTimer>, f: Fault) {
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
            self.consumer.forget();
            self.reinit(eng);
            self.consumer.pos = to;
            self.consumer.schedule_poll(eng);
        }
    }
}

/// The stage: the table sinks write to the database, the topic sink has none.
fn nodes(sink: Sink) -> Vec<NodeInfo> {
    infos(
        NODES
            .iter()
            .filter(|n| n.id != DATABASE || sink != Sink::Topic),
    )
}

/// The upstream producer's transactions: `UPSTREAM_TXN` payments each; the second
/// one aborts once and is written again.
fn write_upstream(eng: &mut Engine<PollTimer>, broker: &mut Broker, workload: &[Payment]) {
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

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let workload = payments(cfg.seed, params.get("messages") as u32, 3);
    run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
        let sink = t.mode;
        let mut faults = Faults::for_run(cfg);
        faults.crash_at = params.chance("crash_per_mille");
        faults.crash_down_max = params.ticks("restart_ticks_max");
        if params.flag("offset_reset") {
            faults.add_explicit(Fault::ResetOffset {
                node: SINK,
                at: params.ticks("reset_at_ticks"),
                to: params.get("reset_to") as u32,
            });
        }
        let mut eng = Engine::start(NODES.len(), END, faults);
        let mut broker = Broker::new(BROKER, if sink == Sink::Topic { 2 } else { 1 });
        write_upstream(&mut eng, &mut broker, workload);
        let consumer = Poller::new(SINK, BROKER);
        eng.timer_at(
            1,
            SINK,
            PollTimer::Poll {
                life: consumer.life,
            },
        );
        let mut world = World {
            sink,
            txn: None,
            workload,
            ledger: Ledger::default(),
            broker,
            ids: BTreeSet::new(),
            consumer,
        };
        world.reinit(&mut eng);
        eng.run(&mut world);
        let mut run = t.finish(Done::new(nodes(sink), eng, world.ledger, workload));
        if sink == Sink::Topic {
            // Records written to an output topic, not a database's applied rows.
            run.verdict.verb = Some("written".to_string());
        }
        if sink == Sink::Topic && !run.verdict.applied_twice.is_empty() {
            run.badge = Badge::new(
                Tone::Bad,
                &format!(
                    "{} to the output topic, in committed transactions",
                    run.verdict.repeats_as(INFO.unit, "written")
                ),
            );
        }
        run
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{CommitPart, Ev, OperatorAction, SkipWhy};
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::{run, RunConfig};

    const ID: &str = "eos-boundary";
    /// The operator's replay (the try-this "An operator replays").
    const REPLAY: [(&str, i64); 2] = [("offset_reset", 1), ("crash_per_mille", 50)];

    /// Review R1-4: the showcase's failure is the database boundary. No operator: a sink
    /// crash between the database insert and the offset commit makes the broker hand
    /// the record over again, and the table without a unique column inserts it twice;
    /// inside the broker the output topic stays exact.
    #[test]
    fn showcase_a_database_write_outside_the_transaction_is_applied_twice() {
        let (r, truth) = showcase_truth(&super::INFO, &[(0, 1000), (1, 1000), (2, 6500)]);
        for t in &r.techniques {
            assert_eq!(
                count(&r, &t.id, |e| matches!(e, Ev::Operator { .. })),
                0,
                "no operator in the showcase"
            );
        }
        let only = verdict(&r, "eos-only");
        assert_eq!(only.applied_twice.len(), 1, "{only:?}");
        let doubled = only.applied_twice[0];
        // The crash fell between that payment's insert and its offset commit.
        let t = r.technique("eos-only").unwrap();
        let first = t
            .trace
            .iter()
            .position(|e| matches!(e.ev, Ev::Apply { entry, .. } if entry.msg == doubled))
            .unwrap();
        let after: Vec<&Ev> = t.trace[first..].iter().map(|e| &e.ev).collect();
        let crash = after
            .iter()
            .position(|e| matches!(e, Ev::Crash { .. }))
            .expect("a crash after the first insert");
        assert!(
            !after[..crash].iter().any(|e| matches!(
                e,
                Ev::Commit {
                    what: crate::sim::event::CommitWhat::Offset,
                    ..
                }
            )),
            "the crash came before the offset commit"
        );
        assert_eq!(balances(&r, "eos-unique-column"), truth);
        assert!(verdict(&r, "eos-unique-column").exactly_once);
        assert!(verdict(&r, "eos-to-topic").exactly_once);
        assert_eq!(
            r.technique("eos-to-topic").unwrap().badge.text,
            "✓ exactly-once effect"
        );
    }

    #[test]
    fn the_replay_doubles_the_table_unless_constrained() {
        let r = run_with(ID, 1, &REPLAY);
        let truth = truth(&r);
        assert_eq!(truth, [(0, 1000), (1, 1000), (2, 6500)]);
        assert_eq!(
            balances(&r, "eos-only"),
            vec![(0, 2000), (1, 2000), (2, 13000)]
        );
        assert_eq!(
            verdict(&r, "eos-only").applied_twice,
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

    /// An operator's offset reset breaks a pure broker-to-broker
    /// pipeline too — every replayed record is committed to the output topic again,
    /// in valid transactions — while crashes alone cannot break it.
    #[test]
    fn a_reset_breaks_a_broker_to_broker_pipeline_too() {
        let r = run_with(ID, 1, &REPLAY);
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
        assert_eq!(first_violating_seed(ID, &REPLAY, "eos-only", 100), Some(0));
        // Without the operator (the default), a crash between insert and offset commit
        // is enough.
        assert_eq!(first_violating_seed(ID, &[], "eos-only", 100), Some(1));
        let calm = [("offset_reset", 0), ("crash_per_mille", 50)];
        assert_eq!(first_violating_seed(ID, &calm, "eos-only", 1_000), Some(6));
        let r = run_with(ID, 6, &calm);
        let v = verdict(&r, "eos-only");
        assert!(v.lost.is_empty());
        assert_eq!(v.applied_twice, vec![1, 2]);
        let fired = &r.technique("eos-only").unwrap().fired;
        for m in [1, 2] {
            assert!(fired.iter().any(|f| matches!(
                f,
                Fault::CrashAt { msg, point: 1, .. } if *msg == m
            )));
        }
        assert!(verdict(&r, "eos-unique-column").exactly_once);
    }

    #[test]
    fn a_reset_forward_loses_payments_in_both() {
        let r = run_with(
            ID,
            1,
            &[
                ("offset_reset", 1),
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
        assert!(!verdict(&r, "eos-only").exactly_once);
        assert!(verdict(&r, "eos-unique-column").exactly_once);
    }

    #[test]
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs = try_this_runs(info);
        for r in &runs[..2] {
            let only = verdict(r, "eos-only");
            assert!(!only.applied_twice.is_empty() && only.lost.is_empty());
            assert!(verdict(r, "eos-unique-column").exactly_once);
        }
        for t in &runs[2].techniques {
            assert!(!t.verdict.lost.is_empty(), "{}", t.id);
        }
    }

    /// The protected technique stays exactly-once under hand-made crashes and pauses.
    #[test]
    fn protected_technique_survives_hand_made_crashes_and_pauses() {
        assert_survives_hand_made_faults("eos-boundary", "eos-unique-column");
    }
}
