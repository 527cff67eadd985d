//! §7 fencing, §12 timeouts — a paused worker declared dead comes back as a zombie.
//!
//! Worker-1 reads payment records from the input partition and, per record, runs
//! one broker transaction: it writes the payment to the output partition (the
//! ledger; the transaction is now open) and, after working on it, asks the
//! coordinator to commit the output together with its input offset (one
//! [`Ev::AtomicCommit`]). Heartbeats go out every tick from a thread that a
//! stop-the-world GC pause freezes too; after `session_timeout_ticks` without one
//! the coordinator declares worker-1 dead and starts worker-2 from the committed
//! offset. Worker-1 was only paused: it wakes up and finishes the transaction it
//! was in the middle of. Without fencing its commit lands — a second credit, and
//! its stale input offset moves the committed offset back. With fencing both
//! instances share one transactional id; worker-2's registration bumps the epoch,
//! aborts the transaction the old epoch left open, and the zombie is refused.

mod text;

use super::plumbing::{first_tick, no_timeout};
use super::prelude::*;
use crate::sim::broker::{payments, Broker};
use crate::sim::event::CommitPart;
use crate::sim::invariants::{Badge, Check, Tone};
use crate::sim::promise::Outcome;

use text::INFO;

nodes! {
    BROKER: "broker", Broker @ 72, 50;
    W1: "worker-1", Producer @ 22, 25;
    W2: "worker-2", Producer @ 22, 75;
}
hops! {
    HOP_RECORD;
    HOP_PRODUCE;
    HOP_COMMIT;
}
const INPUT: u8 = 0;
const OUTPUT: u8 = 1;
/// The transactional id both worker instances share.
const PID: u32 = 1;
/// Ticks a worker spends on one record.
const WORK_TICKS: Tick = 2;

/// The timers of the coordinator (on the broker) and of the workers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// The coordinator checks worker-1's heartbeat.
    Heartbeat,
    /// A worker finished its work on `msg` and asks to commit.
    Work { msg: MsgId },
}

techniques! {
    bool =>
    "no-fencing", "No fencing", None => false;
    "fencing", "Epoch fencing", ExactlyOnce => true;
}

/// Dice tags for the pause jitter (clear of the fault source's own tags).
const TAG_PAUSE_START: u64 = 0x5A01;
const TAG_PAUSE_LEN: u64 = 0x5A02;

const END: Tick = 100_000;

#[derive(Copy, Clone, Default)]
struct Worker {
    /// Producer epoch this instance registered with.
    epoch: u32,
    /// The record being worked on: (input offset, msg).
    holding: Option<(u32, MsgId)>,
    /// The broker transaction holding this worker's output for that record.
    txn: Option<u32>,
    /// The broker refused a write as a zombie's: this instance stood down.
    fenced: bool,
}

/// No timeout fired: nobody was declared dead.
const NO_ALARM: Outcome = Outcome::Custom {
    says: "no timeout fired, so worker-2 never started",
    test: |_, t| no_timeout(t),
};

/// A timeout fired on a worker that was only paused.
const FALSE_ALARM: Outcome = Outcome::Custom {
    says: "the coordinator declared the paused worker-1 dead (a false alarm)",
    test: |_, t| {
        first_tick(t, |e| {
            matches!(
                e,
                Ev::Timeout {
                    false_alarm: true,
                    ..
                }
            )
        })
    },
};

struct World<'a> {
    fencing: bool,
    workload: &'a [Payment],
    ledger: Ledger,
    broker: Broker,
    workers: [Worker; 3],
    /// The group member that owns the input partition.
    owner: NodeId,
    /// Coordinator: last tick a heartbeat of worker-1 was seen; None once it stops watching.
    last_heartbeat: Option<Tick>,
    timeout: Tick,
    /// Transmissions per (hop, msg, sender), so every send has a fresh attempt number.
    sends: Attempts<(u8, MsgId, u8)>,
}

impl World<'_> {
    fn worker(&mut self, n: NodeId) -> &mut Worker {
        &mut self.workers[n.0 as usize]
    }

    /// The producer id a worker writes under: with fencing both instances share one
    /// transactional id; without it each has its own.
    fn pid(&self, n: NodeId) -> u32 {
        if self.fencing {
            PID
        } else {
            PID + n.0 as u32
        }
    }

    fn done(&self) -> bool {
        self.broker.committed >= self.broker.len(INPUT)
    }

    /// The broker hands the owner the record at the committed offset.
    fn fetch(&mut self, eng: &mut Engine<Timer>, to: NodeId) {
        let Some((rec, at)) = self.broker.hand_over(INPUT, self.broker.committed) else {
            return;
        };
        let attempt = self.sends.next((HOP_RECORD, rec.msg, BROKER.0));
        eng.send_reliable(
            BROKER,
            to,
            HOP_RECORD,
            Payload::new(MsgKind::Record, rec.msg, attempt).in_log(at),
            1,
        );
    }

    fn send(&mut self, eng: &mut Engine<Timer>, from: NodeId, hop: u8, kind: MsgKind, msg: MsgId) {
        let attempt = self.sends.next((hop, msg, from.0));
        eng.send_reliable(from, BROKER, hop, Payload::new(kind, msg, attempt), 1);
    }

    /// The coordinator gives up on worker-1 and starts worker-2.
    fn fail_over(&mut self, eng: &mut Engine<Timer>) {
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
            gives_up: false,
        });
        self.owner = W2;
        if self.fencing {
            let epoch = self.broker.register(eng, W2, PID);
            self.worker(W2).epoch = epoch;
        }
        self.fetch(eng, W2);
    }

    /// With fencing: is `from` still on the current epoch? If not, the broker refuses
    /// its request and the zombie stands down.
    fn admit(&mut self, eng: &mut Engine<Timer>, from: NodeId, msg: MsgId) -> bool {
        let epoch = self.workers[from.0 as usize].epoch;
        if self.fencing && !self.broker.check_epoch(eng, from, msg, PID, epoch) {
            let w = self.worker(from);
            w.fenced = true;
            w.holding = None;
            w.txn = None;
            return false;
        }
        true
    }

    fn holds(&self, from: NodeId, msg: MsgId) -> Option<u32> {
        self.workers[from.0 as usize]
            .holding
            .filter(|(_, m)| *m == msg)
            .map(|(offset, _)| offset)
    }

    /// A worker's output record reaches the broker: its transaction begins.
    fn produce(&mut self, eng: &mut Engine<Timer>, from: NodeId, msg: MsgId) {
        if self.holds(from, msg).is_none() || !self.admit(eng, from, msg) {
            return;
        }
        let pid = self.pid(from);
        let txn = self.broker.begin_for(eng, pid);
        self.broker.append(eng, OUTPUT, msg, Some(txn));
        self.worker(from).txn = Some(txn);
    }

    /// A worker asks to commit: its output record and its input offset, together.
    fn end_txn(&mut self, eng: &mut Engine<Timer>, from: NodeId, msg: MsgId) {
        let Some(offset) = self.holds(from, msg) else {
            return;
        };
        if !self.admit(eng, from, msg) {
            return;
        }
        let w = self.worker(from);
        w.holding = None;
        let Some(txn) = w.txn.take() else {
            return;
        };
        self.broker
            .commit_record_and_offset(eng, txn, msg, offset + 1);
        if let Some(p) = self.workload.iter().find(|p| p.msg == msg).copied() {
            self.ledger.write(eng, BROKER, p.entry());
        }
        // Only the partition's owner is handed more records.
        if from == self.owner && !self.done() {
            self.fetch(eng, from);
        }
    }

    /// A transaction left open by a crash is aborted (a restarted instance registers
    /// again with fencing; without, the coordinator times it out).
    fn abort_open(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        if self.fencing {
            let epoch = self.broker.register(eng, node, PID);
            self.worker(node).epoch = epoch;
        } else if let Some(t) = self.broker.open_txn(self.pid(node)) {
            self.broker.end(eng, t, false);
        }
        self.worker(node).txn = None;
    }
}

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, from, hop, p }: Delivery) {
        match (to, hop) {
            (BROKER, HOP_PRODUCE) => self.produce(eng, from, p.msg),
            (BROKER, HOP_COMMIT) => self.end_txn(eng, from, p.msg),
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
                self.send(eng, to, HOP_PRODUCE, MsgKind::Produce, p.msg);
                eng.timer(WORK_TICKS, to, Timer::Work { msg: p.msg });
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match (node, timer) {
            (BROKER, Timer::Heartbeat) => {
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
                eng.timer(1, BROKER, Timer::Heartbeat);
            }
            (W1 | W2, Timer::Work { msg }) => {
                let w = self.workers[node.0 as usize];
                if w.fenced || w.holding.map(|(_, m)| m) != Some(msg) {
                    return;
                }
                self.send(eng, node, HOP_COMMIT, MsgKind::EndTxn, msg);
            }
            _ => debug_assert!(false, "{timer:?} at node {}", node.0),
        }
    }

    fn on_crash(&mut self, _eng: &mut Engine<Timer>, node: NodeId) {
        if node == W1 || node == W2 {
            self.worker(node).holding = None;
        }
    }

    /// Hand-made crashes: a restarted owner registers again (aborting what it left
    /// open) and asks for its record again; a restarted broker aborts the open
    /// transactions, resumes watching heartbeats and hands the owner its record again.
    fn on_restart(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        if self.done() {
            return;
        }
        if node == BROKER {
            if self.last_heartbeat.is_some() {
                self.last_heartbeat = Some(eng.now);
                eng.timer(1, BROKER, Timer::Heartbeat);
            }
            for w in [W1, W2] {
                if let Some(t) = self.worker(w).txn.take() {
                    self.broker.end(eng, t, false);
                }
            }
            let owner = self.owner;
            self.worker(owner).holding = None;
            self.fetch(eng, owner);
        } else if node == self.owner {
            self.abort_open(eng, node);
            self.fetch(eng, node);
        }
    }
}

/// "The committed offset never moves back": a late commit of a zombie carries its
/// stale position and rewinds the group, so a restart would read records again.
fn rewind_check(trace: &[crate::sim::event::Event]) -> Check {
    let mut committed: Option<u32> = None;
    let mut rewind = None;
    for (i, e) in trace.iter().enumerate() {
        if let Ev::AtomicCommit { parts, .. } = &e.ev {
            for p in parts {
                if let CommitPart::Offset { value } = *p {
                    if rewind.is_none() && committed.is_some_and(|c| value < c) {
                        rewind = Some((i, committed.unwrap_or(0), value, e.tick));
                    }
                    committed = Some(value);
                }
            }
        }
    }
    Check {
        name: "committed offset never moves back".to_string(),
        ok: rewind.is_none(),
        detail: match rewind {
            None => "the committed offset only moved forward".to_string(),
            Some((_, from, to, tick)) => format!(
                "the zombie's late commit moved the committed offset back from {from} to {to} at tick {tick}: until the next commit, a restart would read {} again",
                if from == to + 1 {
                    format!("offset {to}")
                } else {
                    format!("offsets {to} to {}", from - 1)
                }
            ),
        },
        event: rewind.map(|(i, ..)| i),
    }
}

/// The exactly-once-effect badge, naming a rewound offset next to a double write.
fn badge(t: &crate::sim::run::TechniqueRun) -> Badge {
    let unit = INFO.unit;
    let v = &t.verdict;
    let rewound = v.checks.iter().any(|c| !c.ok);
    if v.exactly_once && !rewound {
        return Badge::effect(t.claim, v, unit);
    }
    let mut what = Vec::new();
    if !v.applied_twice.is_empty() {
        what.push(v.repeats_in(unit));
    }
    if !v.lost.is_empty() {
        what.push(format!("{} lost", unit.count(v.lost.len())));
    }
    if rewound {
        what.push("committed offset moved back".to_string());
    }
    if what.is_empty() {
        return Badge::effect(t.claim, v, unit);
    }
    Badge::new(Tone::Bad, &what.join(", "))
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let n = params.get("messages") as u32;
    let workload = payments(cfg.seed, n, 3);
    let jitter = params.ticks("pause_jitter_ticks");
    let dice = crate::sim::rng::Dice::new(cfg.seed);
    let pause = Fault::Pause {
        node: W1,
        at: params.ticks("pause_at_tick") + dice.range(0, jitter, TAG_PAUSE_START, 0, 0, 0),
        ticks: params.ticks("gc_pause_ticks") + dice.range(0, jitter, TAG_PAUSE_LEN, 0, 0, 0),
    };
    run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
        let fencing = t.mode;
        let mut faults = Faults::for_run(cfg);
        faults.add_explicit(pause);
        let mut eng = Engine::start(NODES.len(), END, faults);
        let mut broker = Broker::new(BROKER, 2);
        for p in workload {
            broker.append(&mut eng, INPUT, p.msg, None);
        }
        let mut world = World {
            fencing,
            workload,
            ledger: Ledger::default(),
            broker,
            workers: [Worker::default(); 3],
            owner: W1,
            last_heartbeat: Some(0),
            timeout: params.ticks("session_timeout_ticks"),
            sends: Attempts::default(),
        };
        if fencing {
            let epoch = world.broker.register(&mut eng, W1, PID);
            world.worker(W1).epoch = epoch;
        }
        world.fetch(&mut eng, W1);
        eng.timer_at(1, BROKER, Timer::Heartbeat);
        eng.run(&mut world);
        let checks = vec![rewind_check(&eng.trace)];
        let mut run =
            t.finish(Done::new(infos(&NODES), eng, world.ledger, workload).checks(checks));
        run.badge = badge(&run);
        run
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{CommitPart, Ev, RejectWhy, TxnState};
    use crate::sim::ids::NodeId;
    use crate::sim::narrate::render;
    use crate::sim::RunResult;

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
        let (r, truth) = showcase_truth(&super::INFO, &[(0, 2400), (1, 1700), (2, 5100)]);
        assert_eq!(balances(&r, "fencing"), truth);
        assert_eq!(
            balances(&r, "no-fencing"),
            vec![(0, 2500), (1, 1700), (2, 5100)]
        );
        assert_eq!(verdict(&r, "no-fencing").applied_twice, vec![3]);
        // Both see the same false alarm: worker-1 was only paused.
        for id in ["no-fencing", "fencing"] {
            assert_eq!(
                timeouts(&r, id),
                vec![(
                    18,
                    Ev::Timeout {
                        node: NodeId(0),
                        msg: 3,
                        attempt: 0,
                        suspect: Some(NodeId(1)),
                        false_alarm: true,
                        gives_up: false,
                    }
                )]
            );
        }
        let fenced = &r.technique("fencing").unwrap().trace;
        let rejected: Vec<(u32, &Ev)> = fenced
            .iter()
            .filter(|e| matches!(e.ev, Ev::Rejected { .. }))
            .map(|e| (e.tick, &e.ev))
            .collect();
        assert_eq!(
            rejected,
            vec![(
                30,
                &Ev::Rejected {
                    node: NodeId(1),
                    msg: 3,
                    why: RejectWhy::Fenced
                }
            )]
        );
        assert!(r.end() < 100);
    }

    /// The new instance registers the same transactional.id, the
    /// coordinator bumps the epoch, fences the OLD instance and aborts the
    /// transaction its epoch left open — and the narration says so.
    #[test]
    fn the_old_instance_is_fenced_and_its_open_transaction_aborted() {
        let r = showcase(&super::INFO);
        let t = r.technique("fencing").unwrap();
        let i = t
            .trace
            .iter()
            .position(|e| matches!(e.ev, Ev::Fence { epoch: 1, .. }))
            .unwrap();
        assert_eq!(
            t.trace[i].ev,
            Ev::Fence {
                node: NodeId(2),
                epoch: 1,
                fenced: Some(NodeId(1)),
                aborted: Some(3)
            }
        );
        // Transaction 3 was opened by worker-1's write of txn-3 before the pause.
        assert!(t.trace[..i].iter().any(|e| e.ev
            == Ev::LogAppend {
                node: NodeId(0),
                partition: 1,
                offset: 2,
                msg: 3,
                txn: Some(3)
            }));
        assert_eq!(
            t.trace[i + 1].ev,
            Ev::Txn {
                node: NodeId(0),
                txn: 3,
                state: TxnState::Abort
            }
        );
        let story = render(&t.trace, &t.nodes, super::INFO.unit);
        assert!(story.contains(
            "tick 18: worker-2 registers the same transactional.id: the coordinator bumps the epoch to 1 and fences worker-1, still on epoch 0, and aborts its open transaction 3\n"
        ));
        assert!(!story.contains("fences worker-2"));
        // The timeout that lied is explained with FLP.
        assert!(super::INFO
            .explain
            .iter()
            .any(|p| p.starts_with("A timeout that lied.") && p.contains("1985")));
        // The aborted record never reaches the ledger: txn-3 is credited once.
        assert_eq!(t.verdict.applied_twice, Vec::<u32>::new());
    }

    /// Without fencing the zombie's commit also moves the committed
    /// offset back (5 → 3 here) — in the trace, the narration and a failed check.
    #[test]
    fn without_fencing_the_zombie_rewinds_the_committed_offset() {
        let r = showcase(&super::INFO);
        let t = r.technique("no-fencing").unwrap();
        let c = &t.verdict.checks[0];
        assert_eq!(c.name, "committed offset never moves back");
        assert!(!c.ok);
        assert!(
            c.detail.contains("back from 5 to 3 at tick 30"),
            "{}",
            c.detail
        );
        assert!(c.detail.contains("offsets 3 to 4"), "{}", c.detail);
        let e = &t.trace[c.event.unwrap()];
        assert_eq!(e.tick, 30);
        assert!(matches!(&e.ev, Ev::AtomicCommit { parts, .. }
            if parts.contains(&CommitPart::Offset { value: 3 })));
        let story = render(&t.trace, &t.nodes, super::INFO.unit);
        assert!(story.contains(
            "tick 30: broker commits transaction 3: the write of txn-3 + offset 3 (moving the committed offset back from 5) take effect together (visible to read_committed readers)\n"
        ));
        assert!(t.badge.text.contains("committed offset moved back"));
        // With fencing the offset only moves forward.
        let f = r.technique("fencing").unwrap();
        assert!(f.verdict.checks[0].ok);
        // Every seed with the default settings: the unfenced zombie rewinds, the fenced one cannot.
        for seed in 0..200 {
            let r = run_with(ID, seed, &[]);
            let rewound = |id: &str| !verdict(&r, id).checks[0].ok;
            assert!(rewound("no-fencing") && !rewound("fencing"), "seed {seed}");
        }
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
        assert!(!verdict(&r, "no-fencing").applied_twice.is_empty());
        assert!(verdict(&r, "fencing").exactly_once);
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
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs = try_this_runs(info);
        for r in &runs[..2] {
            assert!(timeouts(r, "no-fencing").is_empty());
            assert!(r.techniques.iter().all(|t| t.verdict.exactly_once));
        }
        let jumpy = &runs[2];
        assert_eq!(timeouts(jumpy, "fencing").len(), 1);
        assert!(!verdict(jumpy, "no-fencing").exactly_once);
        assert!(verdict(jumpy, "fencing").exactly_once);
    }

    /// The protected technique stays exactly-once under hand-made crashes and pauses.
    #[test]
    fn protected_technique_survives_hand_made_crashes_and_pauses() {
        assert_survives_hand_made_faults("zombie-fencing", "fencing");
    }
}
