//! §7 fencing, §12 timeouts — a paused worker declared dead comes back as a zombie.
//!
//! Worker-1 reads payment records from the input partition and, per record, writes
//! one transaction to the broker: the payment into the output partition (the
//! ledger) plus its input offset. Heartbeats go out every tick from a thread that
//! a stop-the-world GC pause freezes too; after `session_timeout_ticks` without
//! one the coordinator declares worker-1 dead and starts worker-2 from the
//! committed offset. Worker-1 was only paused: it wakes up and finishes the write
//! it was in the middle of. With fencing, worker-2's registration bumped the
//! producer epoch and the broker refuses the zombie's write.

use super::{finish, param};
use crate::sim::broker::{payments, Broker};
use crate::sim::engine::{Actors, Engine, Item};
use crate::sim::event::{Ev, MsgKind, Payload};
use crate::sim::fault::{Fault, Faults};
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TryThis,
};

pub struct ZombieFencing;

const BROKER: NodeId = NodeId(0);
const W1: NodeId = NodeId(1);
const W2: NodeId = NodeId(2);
const HOP_RECORD: u8 = 0;
const HOP_PRODUCE: u8 = 1;
const INPUT: u8 = 0;
const OUTPUT: u8 = 1;
/// The transactional id both worker instances share.
const PID: u32 = 1;
/// Ticks a worker spends on one record.
const WORK_TICKS: Tick = 2;

const HEARTBEAT: u8 = 0;
const WORK: u8 = 1;

/// Dice tags for the pause jitter (clear of the fault source's own tags).
const TAG_PAUSE_START: u64 = 0x5A01;
const TAG_PAUSE_LEN: u64 = 0x5A02;

const END: Tick = 100_000;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "zombie-fencing",
    title: "Fencing a zombie worker",
    promise: "watch a worker frozen by GC wake up and write a payment twice",
    sections: &[7, 12],
    explain: &[
        "Worker-1 turns input records into ledger records, one broker transaction per record. Its heartbeats stop when a long garbage-collection pause freezes the whole process. The coordinator cannot tell a frozen process from a dead one: after the session timeout it declares worker-1 dead and hands the work to worker-2, which starts again from the last committed offset.",
        "That timeout was a false alarm. Worker-1 wakes up with no idea that time passed and finishes the record it was holding, which worker-2 has processed too. Without fencing, both writes land and the merchant is credited twice.",
        "With fencing, worker-2 registers under the same producer id and the broker bumps the epoch. The zombie's write still carries the old epoch, so the broker refuses it and worker-1 stands down. No timeout can tell slow from dead with certainty; fencing makes the wrong guess harmless.",
    ],
    params: &[
        param(
            "messages",
            "Payments",
            Unit::Count,
            1,
            300,
            8,
            "How many payment records wait in the input partition.",
        ),
        param(
            "session_timeout_ticks",
            "Session timeout",
            Unit::Ticks,
            2,
            200,
            8,
            "Silence (no heartbeat) after which the coordinator declares worker-1 dead.",
        ),
        param(
            "gc_pause_ticks",
            "GC pause",
            Unit::Ticks,
            1,
            300,
            14,
            "How long worker-1 stops the world (plus up to the jitter).",
        ),
        param(
            "pause_at_tick",
            "Pause at",
            Unit::Ticks,
            1,
            2000,
            10,
            "When worker-1's GC pause starts (plus up to the jitter).",
        ),
        param(
            "pause_jitter_ticks",
            "Pause jitter",
            Unit::Ticks,
            0,
            100,
            4,
            "Random extra delay of the pause's start and extra length, drawn from the seed.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "A short pause",
            set: &[("gc_pause_ticks", 3), ("pause_jitter_ticks", 0)],
            watch: "the pause ends before the session times out: no false alarm, no worker-2, both ledgers exact",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "A patient coordinator",
            set: &[("session_timeout_ticks", 40)],
            watch: "a longer timeout survives the pause too, at the price of noticing a really dead worker later",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "A jumpy coordinator",
            set: &[("session_timeout_ticks", 2), ("gc_pause_ticks", 3)],
            watch: "even a tiny pause is now mistaken for a death; fencing still keeps the ledger exact",
            seed: 0,
            expect: &[],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

#[derive(Copy, Clone, Default)]
struct Worker {
    /// Producer epoch this instance registered with.
    epoch: u32,
    /// The record being worked on: (input offset, msg).
    holding: Option<(u32, MsgId)>,
    /// The broker refused a write as a zombie's: this instance stood down.
    fenced: bool,
}

struct World {
    fencing: bool,
    workload: Vec<Payment>,
    ledger: Ledger,
    broker: Broker,
    workers: [Worker; 3],
    /// The group member that owns the input partition.
    owner: NodeId,
    /// Coordinator: last tick a heartbeat of worker-1 was seen; None once it stops watching.
    last_heartbeat: Option<Tick>,
    timeout: Tick,
    /// Transmissions per (hop, msg), so every send has a fresh attempt number.
    sends: Vec<[u16; 2]>,
}

impl World {
    fn worker(&mut self, n: NodeId) -> &mut Worker {
        &mut self.workers[n.0 as usize]
    }

    fn attempt(&mut self, hop: u8, msg: MsgId) -> u16 {
        let i = msg as usize;
        if self.sends.len() <= i {
            self.sends.resize(i + 1, [0; 2]);
        }
        let a = self.sends[i][hop as usize];
        self.sends[i][hop as usize] = a.saturating_add(1);
        a
    }

    fn done(&self) -> bool {
        self.broker.committed >= self.broker.len(INPUT)
    }

    /// The broker hands the owner the record at the committed offset.
    fn fetch(&mut self, eng: &mut Engine, to: NodeId) {
        let Some(rec) = self.broker.rec(INPUT, self.broker.committed) else {
            return;
        };
        let attempt = self.attempt(HOP_RECORD, rec.msg);
        eng.send_reliable(
            BROKER,
            to,
            HOP_RECORD,
            Payload::new(MsgKind::Record, rec.msg, attempt),
            1,
        );
    }

    /// The coordinator gives up on worker-1 and starts worker-2.
    fn fail_over(&mut self, eng: &mut Engine) {
        self.last_heartbeat = None;
        let committed = self.broker.committed;
        let msg = self
            .broker
            .rec(INPUT, committed)
            .map_or(committed + 1, |r| r.msg);
        eng.emit(Ev::Timeout {
            node: BROKER,
            msg,
            attempt: 0,
            suspect: Some(W1),
            false_alarm: eng.status(W1) != crate::sim::engine::Status::Down,
        });
        self.owner = W2;
        if self.fencing {
            let epoch = self.broker.register(eng, W2, PID);
            self.worker(W2).epoch = epoch;
        }
        self.fetch(eng, W2);
    }

    /// A worker's transactional write reaches the broker.
    fn produce(&mut self, eng: &mut Engine, from: NodeId, msg: MsgId) {
        let w = self.workers[from.0 as usize];
        let Some((offset, _)) = w.holding.filter(|(_, m)| *m == msg) else {
            return;
        };
        if self.fencing && !self.broker.check_epoch(eng, from, msg, PID, w.epoch) {
            self.worker(from).fenced = true;
            self.worker(from).holding = None;
            return;
        }
        self.worker(from).holding = None;
        let txn = self.broker.begin(eng);
        self.broker.append(eng, OUTPUT, msg, Some(txn));
        self.broker.commit_offset(eng, offset + 1);
        self.broker.end(eng, txn, true);
        if let Some(p) = self.workload.iter().find(|p| p.msg == msg).copied() {
            self.ledger.write(eng, BROKER, p.entry());
        }
        // Only the partition's owner is handed more records.
        if from == self.owner && !self.done() {
            self.fetch(eng, from);
        }
    }
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, from: NodeId, hop: u8, p: Payload) {
        match (to, hop) {
            (BROKER, HOP_PRODUCE) => self.produce(eng, from, p.msg),
            (W1 | W2, HOP_RECORD) => {
                if self.worker(to).fenced {
                    return;
                }
                let Some(offset) = self.broker.logs[INPUT as usize]
                    .iter()
                    .position(|r| r.msg == p.msg)
                else {
                    return;
                };
                eng.emit(Ev::Read {
                    node: to,
                    partition: INPUT,
                    offset: offset as u32,
                    msg: p.msg,
                    visible: true,
                });
                self.worker(to).holding = Some((offset as u32, p.msg));
                eng.timer(WORK_TICKS, to, WORK, p.msg, 0);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, kind: u8, msg: u32, _attempt: u16) {
        match (node, kind) {
            (BROKER, HEARTBEAT) => {
                let Some(last) = self.last_heartbeat else {
                    return;
                };
                if self.done() {
                    self.last_heartbeat = None;
                    return;
                }
                if eng.is_up(W1) {
                    self.last_heartbeat = Some(eng.now);
                } else if eng.now - last >= self.timeout {
                    self.fail_over(eng);
                    return;
                }
                eng.timer(1, BROKER, HEARTBEAT, 0, 0);
            }
            (W1 | W2, WORK) => {
                let w = self.workers[node.0 as usize];
                if w.fenced || w.holding.map(|(_, m)| m) != Some(msg) {
                    return;
                }
                let attempt = self.attempt(HOP_PRODUCE, msg);
                eng.send_reliable(
                    node,
                    BROKER,
                    HOP_PRODUCE,
                    Payload::new(MsgKind::Produce, msg, attempt),
                    1,
                );
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _eng: &mut Engine, node: NodeId) {
        if node == W1 || node == W2 {
            self.worker(node).holding = None;
        }
    }

    /// Hand-made crashes: a restarted owner asks for its record again; a restarted
    /// broker resumes watching heartbeats and hands the owner its record again.
    fn on_restart(&mut self, eng: &mut Engine, node: NodeId) {
        if self.done() {
            return;
        }
        if node == BROKER {
            if self.last_heartbeat.is_some() {
                self.last_heartbeat = Some(eng.now);
                eng.timer(1, BROKER, HEARTBEAT, 0, 0);
            }
            let owner = self.owner;
            self.worker(owner).holding = None;
            self.fetch(eng, owner);
        } else if node == self.owner {
            self.fetch(eng, node);
        }
    }
}

fn nodes() -> Vec<NodeInfo> {
    vec![
        NodeInfo::new(0, "broker", NodeKind::Broker, 72, 50),
        NodeInfo::new(1, "worker-1", NodeKind::Producer, 22, 25),
        NodeInfo::new(2, "worker-2", NodeKind::Producer, 22, 75),
    ]
}

impl Scenario for ZombieFencing {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let n = params.get("messages") as u32;
        let workload = payments(cfg.seed, n, 3);
        let jitter = params.ticks("pause_jitter_ticks");
        let dice = crate::sim::rng::Dice::new(cfg.seed);
        let pause = Fault::Pause {
            node: W1,
            at: params.ticks("pause_at_tick") + dice.range(0, jitter, TAG_PAUSE_START, 0, 0, 0),
            ticks: params.ticks("gc_pause_ticks") + dice.range(0, jitter, TAG_PAUSE_LEN, 0, 0, 0),
        };
        let techniques = [
            ("no-fencing", "No fencing", false, Guarantee::None),
            ("fencing", "Epoch fencing", true, Guarantee::ExactlyOnce),
        ]
        .into_iter()
        .map(|(id, label, fencing, claim)| {
            let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
            faults.add_explicit(pause);
            let mut eng = Engine::new(3, END, faults);
            eng.schedule_timed_faults();
            let mut broker = Broker::new(BROKER, 2);
            for p in &workload {
                broker.append(&mut eng, INPUT, p.msg, None);
            }
            let mut world = World {
                fencing,
                workload: workload.clone(),
                ledger: Ledger::default(),
                broker,
                workers: [Worker::default(); 3],
                owner: W1,
                last_heartbeat: Some(0),
                timeout: params.ticks("session_timeout_ticks"),
                sends: Vec::new(),
            };
            if fencing {
                let epoch = world.broker.register(&mut eng, W1, PID);
                world.worker(W1).epoch = epoch;
            }
            world.fetch(&mut eng, W1);
            eng.at(
                1,
                Item::Timer {
                    node: BROKER,
                    kind: HEARTBEAT,
                    msg: 0,
                    attempt: 0,
                },
            );
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
    use crate::sim::event::{Ev, RejectWhy};
    use crate::sim::ids::NodeId;
    use crate::sim::{run, RunConfig, RunResult};

    const ID: &str = "zombie-fencing";
    const RANDOM_PAUSES: [(&str, i64); 2] = [("gc_pause_ticks", 1), ("pause_jitter_ticks", 30)];

    fn timeouts(r: &RunResult, id: &str) -> Vec<(u32, Ev)> {
        r.technique(id)
            .unwrap()
            .trace
            .iter()
            .filter(|e| matches!(e.ev, Ev::Timeout { .. }))
            .map(|e| (e.tick, e.ev.clone()))
            .collect()
    }

    #[test]
    fn showcase_zombie_writes_twice_unless_fenced() {
        let r = run_with(ID, super::INFO.showcase_seed, &[]);
        let truth: Vec<(u8, i64)> = r.truth_balances().into_iter().collect();
        assert_eq!(truth, vec![(0, 1000), (1, 1000), (2, 6500)]);
        assert_eq!(balances(&r, "fencing"), truth);
        assert_eq!(
            balances(&r, "no-fencing"),
            vec![(0, 1000), (1, 1000), (2, 7500)]
        );
        assert_eq!(
            r.technique("no-fencing").unwrap().verdict.applied_twice,
            vec![4]
        );
        // Both see the same false alarm: worker-1 was only paused.
        for id in ["no-fencing", "fencing"] {
            assert_eq!(
                timeouts(&r, id),
                vec![(
                    19,
                    Ev::Timeout {
                        node: NodeId(0),
                        msg: 4,
                        attempt: 0,
                        suspect: Some(NodeId(1)),
                        false_alarm: true
                    }
                )]
            );
        }
        let fenced = &r.technique("fencing").unwrap().trace;
        assert!(fenced.iter().any(|e| e.ev
            == Ev::Fence {
                node: NodeId(2),
                epoch: 1
            }));
        let rejected: Vec<(u32, &Ev)> = fenced
            .iter()
            .filter(|e| matches!(e.ev, Ev::Rejected { .. }))
            .map(|e| (e.tick, &e.ev))
            .collect();
        assert_eq!(
            rejected,
            vec![(
                32,
                &Ev::Rejected {
                    node: NodeId(1),
                    msg: 4,
                    why: RejectWhy::Fenced
                }
            )]
        );
        assert!(r.end() < 100);
    }

    #[test]
    fn fencing_holds_on_many_seeds_with_random_pauses() {
        assert_holds(ID, &RANDOM_PAUSES, &["fencing"], 10_000);
    }

    #[test]
    fn no_fencing_breaks_on_pinned_seeds() {
        assert_eq!(first_violating_seed(ID, &[], "no-fencing", 100), Some(0));
        assert_eq!(
            first_violating_seed(ID, &RANDOM_PAUSES, "no-fencing", 1_000),
            Some(1)
        );
        // Seed 0 draws a pause shorter than the timeout: no alarm, nothing to fence.
        let calm = run_with(ID, 0, &RANDOM_PAUSES);
        assert!(timeouts(&calm, "no-fencing").is_empty());
        let r = run_with(ID, 1, &RANDOM_PAUSES);
        assert_eq!(timeouts(&r, "no-fencing").len(), 1);
        assert!(!r
            .technique("no-fencing")
            .unwrap()
            .verdict
            .applied_twice
            .is_empty());
        assert!(r.technique("fencing").unwrap().verdict.exactly_once);
    }

    #[test]
    fn a_pause_shorter_than_the_timeout_raises_no_alarm() {
        let mut alarms = 0;
        for seed in 0..2_000 {
            let r = run_with(ID, seed, &RANDOM_PAUSES);
            let t = r.technique("fencing").unwrap();
            let pause = t.trace.iter().find_map(|e| match e.ev {
                Ev::Pause { until, .. } => Some(until - e.tick),
                _ => None,
            });
            let alarm = !timeouts(&r, "fencing").is_empty();
            if pause.is_some_and(|p| p < 8) {
                assert!(
                    !alarm,
                    "seed {seed}: pause {pause:?} < timeout, yet a timeout fired"
                );
                assert!(r.techniques.iter().all(|t| t.verdict.exactly_once));
            }
            alarms += alarm as u32;
        }
        assert!(alarms > 500, "{alarms}");
        // At the boundary: a pause as long as the timeout is mistaken for a death.
        let short = run_with(ID, 1, &[("gc_pause_ticks", 7), ("pause_jitter_ticks", 0)]);
        assert!(timeouts(&short, "no-fencing").is_empty());
        assert!(short.techniques.iter().all(|t| t.verdict.exactly_once));
        let long = run_with(ID, 1, &[("gc_pause_ticks", 8), ("pause_jitter_ticks", 0)]);
        assert_eq!(timeouts(&long, "no-fencing").len(), 1);
    }

    #[test]
    fn deterministic() {
        let cfg = RunConfig::seed(9).set("messages", 40);
        assert_eq!(run(ID, &cfg).unwrap(), run(ID, &cfg).unwrap());
    }

    #[test]
    fn survives_hand_made_crashes_and_pauses() {
        crate::sim::scenarios::testkit::assert_survives_hand_made_faults(super::INFO.id, "fencing");
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
            assert!(timeouts(r, "no-fencing").is_empty());
            assert!(r.techniques.iter().all(|t| t.verdict.exactly_once));
        }
        let jumpy = &runs[2];
        assert_eq!(timeouts(jumpy, "fencing").len(), 1);
        assert!(!jumpy.technique("no-fencing").unwrap().verdict.exactly_once);
        assert!(jumpy.technique("fencing").unwrap().verdict.exactly_once);
    }
}
