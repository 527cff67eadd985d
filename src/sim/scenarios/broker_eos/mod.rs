//! §7 — broker exactly-once: the idempotent producer and transactions.
//!
//! A producer writes payments to a broker's partitions (partition = merchant mod
//! partitions) and waits for each ack, retrying after a timeout; acks get lost. A
//! consumer reads every partition and credits the ledger. Four techniques:
//!
//! * `plain-producer`: every retry is appended again — a lost ack duplicates the log;
//! * `idempotent-producer`: producer id + per-partition sequence number; the broker
//!   refuses a sequence it already stored;
//! * `txn-read-uncommitted` / `txn-read-committed`: the idempotent producer also
//!   groups payments into transactions (records on several partitions plus its input
//!   offset). Some transactions abort and are retried whole in a new one; the
//!   read_uncommitted consumer applies the aborted copies too, the read_committed one
//!   waits for the outcome and skips them.

mod broker_side;
mod text;

use super::prelude::*;
use crate::sim::broker::{payments, Broker};
use crate::sim::event::CommitPart;

use text::INFO;

nodes! {
    PRODUCER: "producer", Producer @ 12, 50;
    BROKER: "broker", Broker @ 50, 50;
    CONSUMER: "consumer", Consumer @ 88, 50;
}
hops! {
    HOP_PRODUCE;
    HOP_ACK;
    HOP_FETCH;
}
const PID: u32 = 1;

/// The producer's and the consumer's timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// The producer starts writing.
    Start,
    /// No ack for transmission `attempt` of `msg`: send it again.
    AckTimeout { msg: MsgId, attempt: u16 },
    /// The producer's batch is written: end its transaction (unless it crashed since).
    EndTxn { life: Life },
    /// The consumer fetches what is new.
    Poll,
}

/// Dice tag for "does this transaction abort" (clear of the fault source's tags).
const TAG_ABORT: u64 = 0xB0E1;

/// A run's last tick: far beyond what a run needs, but a broker crashed for good
/// (by hand) does not keep the producer retrying forever.
fn end_tick(messages: u32, timeout: Tick) -> Tick {
    (1_000 + messages * (timeout + 4) * 40).min(200_000)
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum ProducerMode {
    Plain,
    Idempotent,
    Transactional,
}

/// A technique: how the producer writes, and whether the consumer reads committed only.
type Mode = (ProducerMode, bool);

techniques! {
    Mode =>
    "plain-producer", "Plain producer", AtLeastOnce => (ProducerMode::Plain, false);
    "idempotent-producer", "Idempotent producer", ExactlyOnce => (ProducerMode::Idempotent, false);
    "txn-read-uncommitted", "Transactions, read_uncommitted consumer", None => (ProducerMode::Transactional, false);
    "txn-read-committed", "Transactions, read_committed consumer", ExactlyOnce => (ProducerMode::Transactional, true);
}

/// What a produce request carries besides its message id.
#[derive(Copy, Clone)]
struct Header {
    /// The producer id of the session that sent it.
    pid: u32,
    partition: u8,
    seq: u32,
    txn: Option<u32>,
}

struct World<'a> {
    mode: ProducerMode,
    read_committed: bool,
    workload: &'a [Payment],
    ledger: Ledger,
    broker: Broker,
    partitions: u8,
    txn_size: usize,
    timeout: Tick,
    abort: Ratio,
    // Producer.
    idx: usize,
    batch_start: usize,
    batch_end: usize,
    batch_no: u64,
    batch_try: u64,
    txn: Option<u32>,
    /// The write awaiting its ack: (msg, last attempt).
    waiting: Option<(MsgId, u16)>,
    /// Why a write the producer sent before goes out again from `send_next`: after a
    /// restart or an aborted transaction (a timeout's resend is a retry).
    rewrite: Resend,
    header: Option<Header>,
    next_seq: [u32; 4],
    /// The producer id of the current producer session.
    pid: u32,
    producer_done: bool,
    /// The last tick a produce request can still reach the broker.
    produce_until: Tick,
    /// Bumped when the producer crashes: its earlier timers are void.
    life: Life,
    /// Request headers by (msg, attempt).
    headers: BTreeMap<(MsgId, u16), Header>,
    /// Transmissions per (hop, msg): every send gets a fresh attempt number.
    sends: Attempts<(u8, MsgId)>,
    /// Retries per write within its current chain of sends (a restart or an abort
    /// starts a new chain).
    chains: Chains<MsgId>,
    // Consumer.
    fetched: Vec<u32>,
    /// Next offset per partition whose record the consumer has handled (kept with
    /// its ledger, so it survives a crash).
    done_pos: Vec<u32>,
    /// Fetched records in flight by (msg, attempt): (partition, offset).
    fetching: BTreeMap<(MsgId, u16), (u8, u32)>,
    /// (trace index of the Apply, txn) for every applied transactional record.
    applied_txn: Vec<(usize, u32)>,
}

impl World<'_> {
    fn transactional(&self) -> bool {
        self.mode == ProducerMode::Transactional
    }

    fn begin_batch(&mut self, eng: &mut Engine<Timer>) {
        self.batch_start = self.idx;
        self.batch_end = (self.idx + self.txn_size).min(self.workload.len());
        self.txn = Some(self.broker.begin_for(eng, PID));
        self.send_next(eng);
    }

    fn send_next(&mut self, eng: &mut Engine<Timer>) {
        let stop = if self.transactional() {
            self.batch_end
        } else {
            self.workload.len()
        };
        if self.idx >= stop {
            if self.transactional() {
                eng.timer(1, PRODUCER, Timer::EndTxn { life: self.life });
            } else {
                self.producer_done = true;
            }
            return;
        }
        let pay = self.workload[self.idx];
        let partition = pay.merchant % self.partitions;
        let seq = self.next_seq[partition as usize];
        self.next_seq[partition as usize] += 1;
        self.header = Some(Header {
            pid: self.pid,
            partition,
            seq,
            txn: self.txn,
        });
        self.transmit(eng, pay.msg, self.rewrite);
    }

    /// Send (or resend) the write awaiting its ack.
    fn transmit(&mut self, eng: &mut Engine<Timer>, msg: MsgId, why: Resend) {
        let Some(h) = self.header else {
            return;
        };
        let attempt = self.sends.next((HOP_PRODUCE, msg));
        let why = self.chains.name(msg, attempt, why);
        self.headers.insert((msg, attempt), h);
        self.waiting = Some((msg, attempt));
        let before = eng.trace.len();
        eng.send(
            PRODUCER,
            BROKER,
            HOP_PRODUCE,
            Payload {
                resend: why,
                ..Payload::new(MsgKind::Produce, msg, attempt)
            },
            2,
        );
        // When the last copy of this write can reach the broker (the consumer keeps
        // polling until then: a late retry can still append).
        for e in &eng.trace[before..] {
            if let Ev::Send { arrive, .. } = e.ev {
                self.produce_until = self.produce_until.max(arrive);
            }
        }
        eng.timer(self.timeout, PRODUCER, Timer::AckTimeout { msg, attempt });
    }

    fn end_txn(&mut self, eng: &mut Engine<Timer>) {
        let Some(txn) = self.txn.take() else {
            return;
        };
        let abort = eng
            .faults
            .dice
            .chance(self.abort, TAG_ABORT, self.batch_no, self.batch_try, 0);
        if abort {
            self.broker.end(eng, txn, false);
            self.rewrite = Resend::AfterAbort;
            self.batch_try += 1;
            self.idx = self.batch_start;
        } else {
            // The batch's records and the producer's input position commit together.
            let mut parts: Vec<CommitPart> = self.workload[self.batch_start..self.batch_end]
                .iter()
                .map(|p| CommitPart::Entry { msg: p.msg })
                .collect();
            parts.push(CommitPart::Offset {
                value: self.batch_end as u32,
            });
            self.broker.commit_atomic(eng, txn, parts);
            self.batch_no += 1;
            self.batch_try = 0;
        }
        if self.idx >= self.workload.len() {
            self.producer_done = true;
        } else {
            self.begin_batch(eng);
        }
    }
}

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, hop, p, .. }: Delivery) {
        match (to, hop) {
            (BROKER, HOP_PRODUCE) => self.on_produce(eng, p),
            (PRODUCER, HOP_ACK) if self.waiting.map(|(m, _)| m) == Some(p.msg) => {
                self.waiting = None;
                self.header = None;
                self.idx += 1;
                self.send_next(eng);
            }
            (CONSUMER, HOP_FETCH) => self.on_record(eng, p),
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match (node, timer) {
            (PRODUCER, Timer::AckTimeout { msg, attempt })
                if self.waiting == Some((msg, attempt)) =>
            {
                timed_out(eng, PRODUCER, msg, attempt);
                self.transmit(eng, msg, Resend::Retry);
            }
            (PRODUCER, Timer::EndTxn { life }) if life == self.life => self.end_txn(eng),
            (PRODUCER, Timer::Start) => {
                if self.transactional() {
                    self.broker.register(eng, PRODUCER, PID);
                    self.begin_batch(eng);
                } else {
                    self.send_next(eng);
                }
            }
            (CONSUMER, Timer::Poll) => self.poll(eng),
            _ => {}
        }
    }

    fn on_crash(&mut self, _eng: &mut Engine<Timer>, node: NodeId) {
        match node {
            PRODUCER => {
                self.life = self.life.next();
                self.waiting = None;
                self.header = None;
            }
            CONSUMER => self.fetching.clear(),
            _ => {}
        }
    }

    /// Hand-made crashes. A restarted transactional producer registers its
    /// transactional.id again (the coordinator aborts the open transaction) and
    /// redoes the batch; a restarted plain or idempotent producer writes its current
    /// payment again as a new write under a new producer id (idempotence holds per
    /// producer session). A restarted consumer re-reads from where its ledger got to.
    fn on_restart(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        match node {
            PRODUCER if !self.producer_done => {
                self.next_seq = [0; 4];
                self.rewrite = Resend::AfterRestart;
                if self.transactional() {
                    // Same transactional.id: the coordinator bumps the epoch and
                    // aborts what the old session left open.
                    self.broker.register(eng, PRODUCER, PID);
                    self.txn = None;
                    self.batch_try += 1;
                    self.idx = self.batch_start;
                    self.begin_batch(eng);
                } else {
                    // No transactional.id: a new session gets a new producer id,
                    // and the broker cannot link its writes to the old session's.
                    self.pid += 1;
                    self.send_next(eng);
                }
            }
            CONSUMER => {
                self.fetched = self.done_pos.clone();
                eng.timer(1, CONSUMER, Timer::Poll);
            }
            _ => {}
        }
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let n = params.get("messages") as u32;
    let workload = payments(cfg.seed, n, 4);
    let partitions = params.get("partitions") as u8;
    run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
        let (mode, read_committed) = t.mode;
        let mut faults = Faults::for_run(cfg);
        faults.set_hop(
            HOP_ACK,
            HopFaults::lossy(params.chance("loss_ack_per_mille")),
        );
        let crash_at = params.ticks("producer_crash_at");
        if crash_at > 0 {
            faults.add_explicit(Fault::Crash {
                node: PRODUCER,
                at: crash_at,
                down: 3,
            });
        }
        let mut eng = Engine::start(
            NODES.len(),
            end_tick(n, params.ticks("timeout_ticks")),
            faults,
        );
        let mut world = World {
            mode,
            read_committed,
            workload,
            ledger: Ledger::default(),
            broker: Broker::new(BROKER, partitions),
            partitions,
            txn_size: params.get("txn_size") as usize,
            timeout: params.ticks("timeout_ticks"),
            abort: params.chance("abort_per_mille"),
            idx: 0,
            batch_start: 0,
            batch_end: 0,
            batch_no: 0,
            batch_try: 0,
            txn: None,
            waiting: None,
            rewrite: Resend::Retry,
            header: None,
            next_seq: [0; 4],
            pid: PID,
            producer_done: false,
            produce_until: 0,
            life: Life::default(),
            done_pos: vec![0; partitions as usize],
            headers: BTreeMap::new(),
            sends: Attempts::default(),
            chains: Chains::default(),
            fetched: vec![0; partitions as usize],
            fetching: BTreeMap::new(),
            applied_txn: Vec::new(),
        };
        eng.timer_at(1, PRODUCER, Timer::Start);
        eng.timer_at(1, CONSUMER, Timer::Poll);
        eng.run(&mut world);
        let checks = if mode == ProducerMode::Transactional {
            vec![world.dirty_read_check()]
        } else {
            Vec::new()
        };
        t.finish(Done::new(infos(&NODES), eng, world.ledger, workload).checks(checks))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{Ev, RejectWhy, SkipWhy};
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::narrate::render;
    use crate::sim::{run, RunConfig};

    const ID: &str = "broker-eos";

    #[test]
    fn showcase_lost_ack_and_aborted_transaction() {
        let (r, truth) = showcase_truth(&super::INFO, &[(1, 1400), (2, 3400), (3, 1500)]);
        // (a) The ack of txn-5's write is lost; the retry lands twice in a plain log.
        assert_eq!(
            balances(&r, "plain-producer"),
            vec![(1, 1400), (2, 3900), (3, 1500)]
        );
        let plain = verdict(&r, "plain-producer");
        assert_eq!(plain.applied_twice, vec![5]);
        assert!(plain.holds, "at-least-once: nothing lost");
        assert_eq!(balances(&r, "idempotent-producer"), truth);
        let dup_seq = |e: &Ev| {
            matches!(
                e,
                Ev::Rejected {
                    msg: 5,
                    why: RejectWhy::DuplicateSequence,
                    ..
                }
            )
        };
        assert_eq!(count(&r, "idempotent-producer", dup_seq), 1);
        assert_eq!(count(&r, "plain-producer", dup_seq), 0);
        // (b) The first transaction (txn-1..3) aborts and is retried.
        assert_eq!(
            balances(&r, "txn-read-uncommitted"),
            vec![(1, 2500), (2, 3400), (3, 2600)]
        );
        let ru = r.technique("txn-read-uncommitted").unwrap();
        assert_eq!(ru.verdict.applied_twice, vec![1, 2, 3]);
        let dirty = &ru.verdict.checks[0];
        assert!(!dirty.ok);
        let at = dirty.event.unwrap();
        assert!(matches!(ru.trace[at].ev, Ev::Apply { entry, .. } if entry.msg == 1));
        assert!(!ru.verdict.holds);
        let rc = r.technique("txn-read-committed").unwrap();
        assert_eq!(balances(&r, "txn-read-committed"), truth);
        assert!(rc.verdict.holds && rc.verdict.checks[0].ok);
        let skipped = |e: &Ev| {
            matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::Aborted,
                    ..
                }
            )
        };
        let hidden = |e: &Ev| matches!(e, Ev::Read { visible: false, .. });
        assert_eq!(count(&r, "txn-read-committed", skipped), 3);
        assert_eq!(count(&r, "txn-read-committed", hidden), 3);
        assert_eq!(count(&r, "txn-read-uncommitted", skipped), 0);
        assert!(r.end() < 100);
    }

    #[test]
    fn protected_hold() {
        assert_holds(
            ID,
            &[],
            &["idempotent-producer", "txn-read-committed"],
            10_000,
        );
        assert_holds(
            ID,
            &[
                ("partitions", 4),
                ("abort_per_mille", 600),
                ("txn_size", 5),
                ("loss_ack_per_mille", 500),
                ("timeout_ticks", 3),
                ("messages", 20),
            ],
            &["idempotent-producer", "txn-read-committed"],
            1_000,
        );
    }

    #[test]
    fn unprotected_break_on_pinned_seeds() {
        assert_eq!(
            first_violating_seed(ID, &[], "plain-producer", 100),
            Some(0)
        );
        assert_eq!(
            first_violating_seed(ID, &[], "txn-read-uncommitted", 100),
            Some(2)
        );
        let r = run_with(ID, 2, &[]);
        let ru = verdict(&r, "txn-read-uncommitted");
        assert!(!ru.checks[0].ok);
        assert_eq!(ru.applied_twice, vec![4, 5, 6]);
        // Without aborts, read_uncommitted reads nothing it should not have.
        assert_eq!(
            first_violating_seed(ID, &[("abort_per_mille", 0)], "txn-read-uncommitted", 300),
            None
        );
    }

    #[test]
    fn an_impatient_producer_duplicates_every_write() {
        let r = run_with(ID, 3, &[("timeout_ticks", 3), ("loss_ack_per_mille", 0)]);
        let plain = verdict(&r, "plain-producer");
        assert_eq!(plain.applied_twice, (1..=8).collect::<Vec<u32>>());
        assert!(verdict(&r, "idempotent-producer").exactly_once);
        assert!(verdict(&r, "txn-read-committed").exactly_once);
    }

    /// Idempotence holds per producer session. A producer that
    /// restarts without a transactional.id gets a new producer id, so its resend of a
    /// write the broker already stored is appended again; the transactional producer
    /// keeps its id, and read_committed stays exact.
    #[test]
    fn idempotence_holds_per_producer_session() {
        // txn-1 is appended at tick 3; the producer crashes at 4, before its ack lands.
        let cfg = RunConfig::seed(0)
            .set("loss_ack_per_mille", 0)
            .set("producer_crash_at", 4);
        let r = run(ID, &cfg).unwrap();
        let idem = r.technique("idempotent-producer").unwrap();
        assert_eq!(idem.verdict.applied_twice, vec![1]);
        let dup_seq = |e: &Ev| {
            matches!(
                e,
                Ev::Rejected {
                    why: RejectWhy::DuplicateSequence,
                    ..
                }
            )
        };
        assert_eq!(count(&r, "idempotent-producer", dup_seq), 0);
        let rc = r.technique("txn-read-committed").unwrap();
        assert!(rc.verdict.exactly_once, "{}", rc.verdict.summary());
        // The restarted transactional producer registered again: the coordinator
        // aborted the transaction its first session left open.
        assert!(rc.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Fence {
                epoch: 1,
                aborted: Some(1),
                ..
            }
        )));
        // Without the crash the same run is exact for the idempotent producer.
        let calm = run(ID, &RunConfig::seed(0).set("loss_ack_per_mille", 0)).unwrap();
        assert!(verdict(&calm, "idempotent-producer").exactly_once);
    }

    /// The idempotent-producer column's consumer stores its read
    /// position with its ledger, so consumer crashes neither re-apply nor skip.
    #[test]
    fn the_consumer_keeps_its_position_with_its_ledger() {
        for at in [3, 6, 9, 14, 20, 27] {
            for seed in 0..20 {
                let mut cfg = RunConfig::seed(seed);
                cfg.manual = vec![Fault::Crash {
                    node: NodeId(2),
                    at,
                    down: 4,
                }];
                let r = run(ID, &cfg).unwrap();
                for id in ["idempotent-producer", "txn-read-committed"] {
                    let v = verdict(&r, id);
                    assert!(v.exactly_once, "{id} seed {seed} at {at}: {}", v.summary());
                }
            }
        }
    }

    /// The transactional commit is one event listing the batch's
    /// records and the producer's input offset.
    #[test]
    fn a_transaction_commits_its_records_and_offset_at_once() {
        let r = showcase(&super::INFO);
        let t = r.technique("txn-read-committed").unwrap();
        let story = render(&t.trace, &t.nodes, super::INFO.unit);
        assert!(
            story.contains(
                "broker commits transaction 2: the writes of txn-1, txn-2 and txn-3 + input offset 3 take effect together (visible to read_committed readers)"
            ),
            "{story}"
        );
        assert!(!story.contains("commits offset"));
    }

    #[test]
    fn try_this_prompts_show_what_they_promise() {
        let info = &super::INFO;
        let runs = try_this_runs(info);
        let impatient = &runs[0];
        assert_eq!(
            verdict(impatient, "plain-producer").applied_twice,
            (1..=8).collect::<Vec<u32>>()
        );
        assert!(verdict(impatient, "idempotent-producer").exactly_once);
        let calm = &runs[1];
        assert!(verdict(calm, "txn-read-uncommitted").holds);
        assert_eq!(
            balances(calm, "txn-read-uncommitted"),
            balances(calm, "txn-read-committed")
        );
        let flaky = &runs[2];
        let ru = verdict(flaky, "txn-read-uncommitted");
        assert!(!ru.exactly_once && !ru.checks[0].ok);
        assert!(verdict(flaky, "txn-read-committed").exactly_once);
        let skipped = |e: &Ev| {
            matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::Aborted,
                    ..
                }
            )
        };
        assert!(count(flaky, "txn-read-committed", skipped) > 0);
    }

    /// The protected technique stays exactly-once under hand-made crashes and pauses.
    #[test]
    fn protected_technique_survives_hand_made_crashes_and_pauses() {
        assert_survives_hand_made_faults("broker-eos", "txn-read-committed");
    }
}
