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

mod checks;
mod text;

use super::prelude::*;
use crate::sim::broker::payments_in_steps;
use crate::sim::engine::Status;
use crate::sim::event::{CommitWhat, Entry, EntryKind, LogAt, RejectWhy, SkipWhy};
use checks::{badge, entry_count_check};
use std::collections::VecDeque;
use text::INFO;

nodes! {
    BROKER: "broker (payments partition)", Broker @ 12, 50;
    W1: "worker-1", Consumer @ 50, 25;
    W2: "worker-2 (replacement)", Consumer @ 50, 75;
    LEDGER: "ledger", Database @ 88, 50;
}

/// Broker → worker-1 / worker-2 records.
const HOP_REC: [u8; 2] = [0, 1];
/// Worker-1 / worker-2 → ledger writes.
const HOP_WRITE: [u8; 2] = [2, 3];
/// Worker-1 / worker-2 → broker offset commits.
const HOP_COMMIT: [u8; 2] = [4, 5];

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// The broker starts worker-1 and hands it the first batch.
    Start,
    /// The worker has spent its time on the payment at the head of its queue.
    Process,
    /// The worker sends its next heartbeat.
    Heartbeat,
    /// The broker's session check of worker `worker`, armed by heartbeat `beat`.
    Session { worker: usize, beat: u32 },
}

/// Ticks a worker spends on one payment.
const PROCESS_TICKS: Tick = 2;
/// Heartbeat interval of a live worker.
const HEARTBEAT_TICKS: Tick = 3;
/// Dice tag for the tick the GC pause starts at.
const TAG_GC_AT: u64 = 0x6C;

techniques! {
    Tech;
    AsBuilt = "as-built", "As built: at-least-once + partial idempotency + compensator", ExactlyOnce,
        BuiltToBreak("the compensator hides duplicates: the story's point");
    NoCompensator = "no-compensator", "Compensator removed", AtLeastOnce;
    RealDedup = "real-dedup", "Processed-payments table (unique id)", ExactlyOnce;
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

struct World<'a> {
    tech: Tech,
    workload: &'a [Payment],
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

impl World<'_> {
    fn n(&self) -> u32 {
        self.workload.len() as u32
    }

    fn done(&self) -> bool {
        self.committed >= self.n()
    }

    /// The broker hands the owner the batch starting at the committed offset.
    fn dispatch(&mut self, eng: &mut Engine<Timer>, attempt: u16) {
        if self.done() {
            return;
        }
        let i = widx(self.owner);
        let end = (self.committed + self.in_flight).min(self.n());
        self.workers[i].batch_end = end;
        for off in self.committed..end {
            let msg = self.workload[off as usize].msg;
            let p = Payload::new(MsgKind::Record, msg, attempt);
            eng.send_reliable(BROKER, self.owner, HOP_REC[i], p, 1);
        }
    }

    fn heartbeat(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        let i = widx(node);
        if !self.workers[i].active || self.done() {
            return;
        }
        self.workers[i].beats += 1;
        let beat = self.workers[i].beats;
        self.heard[i] = beat;
        let session = Timer::Session { worker: i, beat };
        eng.timer(self.session_timeout, BROKER, session);
        eng.timer(HEARTBEAT_TICKS, node, Timer::Heartbeat);
    }

    /// The broker's session check for worker `i`, armed by heartbeat `beat`.
    fn session_check(&mut self, eng: &mut Engine<Timer>, i: usize, beat: u32) {
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
            gives_up: false,
        });
        // Rebalance: the partition moves to the replacement, from the committed offset.
        self.owner = W2;
        self.workers[1].active = true;
        self.heartbeat(eng, W2);
        self.dispatch(eng, 1);
    }

    fn process(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        let i = widx(node);
        self.workers[i].busy = false;
        if !self.workers[i].active {
            self.workers[i].queue.clear();
            return;
        }
        // The worker's write and its offset commit are its own first tries, whatever
        // delivery of the record it holds (a replacement's write after a rebalance is
        // not a retry of the zombie's).
        let Some((off, msg, _delivery)) = self.workers[i].queue.pop_front() else {
            return;
        };
        let p = Payload::new(MsgKind::Request, msg, 0);
        eng.send_reliable(node, LEDGER, HOP_WRITE[i], p, 1);
        if off + 1 == self.workers[i].batch_end {
            // The whole batch is written: commit the offset after it (an ack that
            // carries its place in the log, narrated as the offset commit it is).
            let at = LogAt {
                offset: self.workers[i].batch_end,
                ..LogAt::default()
            };
            let c = Payload {
                key: None,
                ..Payload::new(MsgKind::Ack, msg, 0).in_log(at)
            };
            eng.send_reliable(node, BROKER, HOP_COMMIT[i], c, 1);
        }
        self.arm(eng, node);
    }

    fn arm(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        let i = widx(node);
        if !self.workers[i].busy && !self.workers[i].queue.is_empty() {
            self.workers[i].busy = true;
            eng.timer(PROCESS_TICKS, node, Timer::Process);
        }
    }

    fn on_commit(&mut self, eng: &mut Engine<Timer>, from: NodeId, msg: MsgId) {
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

    fn on_write(&mut self, eng: &mut Engine<Timer>, msg: MsgId) {
        let Some(pay) = self.workload.iter().find(|w| w.msg == msg).copied() else {
            return;
        };
        match self.tech {
            Tech::RealDedup => {
                let why = SkipWhy::UniqueConstraint;
                if !first_sight(eng, &mut self.processed, LEDGER, (msg, msg), why) {
                    return;
                }
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

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, from, p, .. }: Delivery) {
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

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match timer {
            Timer::Start => {
                self.heartbeat(eng, W1);
                self.dispatch(eng, 0);
            }
            Timer::Process => self.process(eng, node),
            Timer::Heartbeat => self.heartbeat(eng, node),
            Timer::Session { worker, beat } => self.session_check(eng, worker, beat),
        }
    }
}

/// Quarter-end payments over three merchants, ₹500..₹5000 in steps of ₹500.
fn workload(seed: u64, n: u32) -> Vec<Payment> {
    payments_in_steps(seed, n, 3, 500, 10)
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let work = workload(cfg.seed, params.get("payments") as u32);
    run_each(&INFO, cfg, params, work, &TECHNIQUES, |t, work| {
        let tech = t.mode;
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
        let mut eng = Engine::start(NODES.len(), end, faults);
        eng.timer_at(1, BROKER, Timer::Start);
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
            workload: work,
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
        let mut run = t.finish(Done::new(infos(&NODES), eng, world.ledger, work).checks(checks));
        if let Some(b) = badge(&run) {
            run.badge = b;
        }
        run
    })
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
    use super::super::testkit::*;
    use super::zero_pairs;
    use crate::sim::event::{Ev, RejectWhy, SkipWhy};

    const ID: &str = "quarter-end";

    #[test]
    fn showcase_books_balance_but_entries_do_not() {
        let (r, truth) = showcase_truth(&super::INFO, &[(0, 10500), (1, 4500), (2, 7000)]);

        // As built: every balance right, 18 entries for 10 payments, four ₹0 pairs.
        let a = r.technique("as-built").unwrap();
        assert_eq!(balances(&r, "as-built"), truth);
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
            balances(&r, "no-compensator"),
            vec![(0, 13500), (1, 9000), (2, 8500)]
        );
        assert_eq!(nc.ledger.entries.len(), 14);
        assert_eq!(nc.verdict.diffs.len(), 3);
        assert!(nc.verdict.holds, "at-least-once is all it claims");

        // Real dedup: four copies refused by the unique id, ten entries.
        let d = r.technique("real-dedup").unwrap();
        assert_eq!(balances(&r, "real-dedup"), truth);
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
        let r = showcase(&super::INFO);
        assert_eq!(
            r.technique("as-built").unwrap().badge.text,
            "✕ balanced books, yet 4 payments written twice"
        );
        assert_eq!(
            r.technique("no-compensator").unwrap().badge.text,
            "! no payment lost, but 4 payments applied twice"
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
        // Without a pause no copy arrives: the badge says so, and credits the as-built
        // system with nothing it was not tested on (review R2-6).
        let calm = run_with(ID, 7, &[("gc_pause_ticks", 0)]);
        assert_eq!(
            calm.technique("as-built").unwrap().badge.text,
            "✓ no copy arrived in this run: one entry per payment"
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
        let v = verdict(&r, "as-built");
        assert!(v.diffs.is_empty(), "balances match truth");
        assert_eq!(v.applied_twice, vec![9, 10]);
        assert!(v.checks.iter().any(|c| !c.ok));
        let seed = first_violating_seed(ID, &[], "no-compensator", 1000);
        assert_eq!(seed, Some(0));
        assert_eq!(verdict(&r, "no-compensator").diffs.len(), 2);
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
}
