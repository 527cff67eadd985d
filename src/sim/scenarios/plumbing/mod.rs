//! The plumbing every scenario's `build` uses, with one shape:
//!
//! ```text
//! static TECHNIQUES: [Technique<Mode>; N] = [Technique::new(id, label, claim, mode), …];
//! run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
//!     let mut faults = Faults::for_run(cfg);            // then the scenario's rates
//!     let mut eng = Engine::start(nodes, END, faults);  // timed faults queued
//!     eng.timer_at(1, NODE, Timer::Start);              // typed timers
//!     eng.run(&mut world);
//!     t.finish(Done { nodes, eng, ledger, workload, checks })
//! })
//! ```

mod chains;
pub use chains::Chains;

use crate::sim::broker::Broker;
use crate::sim::engine::{Actors, Delivery, Engine};
use crate::sim::event::{DedupKey, Ev, Event, MsgKind, Payload, RejectWhy, SkipWhy};
use crate::sim::fault::{Faults, HopFaults};
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::invariants::{Check, Verdict};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::Params;
use crate::sim::rng::Ratio;
use crate::sim::run::{
    AtDefaults, Guarantee, NodeInfo, RunConfig, RunResult, ScenarioInfo, TechniqueRow, TechniqueRun,
};
use std::collections::{BTreeMap, BTreeSet};

/// One row of a scenario's technique table: what the UI and links call it, what it
/// claims, and the scenario's own `mode` that makes it behave as it does.
#[derive(Copy, Clone, Debug)]
pub struct Technique<M> {
    /// Stable id used in data attributes and links (`naive`, `dedup`, …).
    pub id: &'static str,
    pub label: &'static str,
    pub claim: Guarantee,
    /// What it does at the defaults beyond its claim (built to break, or safe).
    pub at_defaults: AtDefaults,
    pub mode: M,
}

impl<M> Technique<M> {
    pub const fn new(id: &'static str, label: &'static str, claim: Guarantee, mode: M) -> Self {
        Technique {
            id,
            label,
            claim,
            at_defaults: AtDefaults::AsClaimed,
            mode,
        }
    }

    /// The row without the mode.
    pub fn row(&self) -> TechniqueRow {
        TechniqueRow {
            id: self.id,
            label: self.label,
            claim: self.claim,
            at_defaults: self.at_defaults,
        }
    }

    /// Judge the finished run of this technique and collect what the UI needs.
    pub fn finish<T>(&self, done: Done<'_, T>) -> TechniqueRun {
        judge(self.id, self.label, self.claim, done)
    }
}

/// Judge one technique's finished run (`finish` without a table row).
pub fn judge<T>(id: &str, label: &str, claim: Guarantee, done: Done<'_, T>) -> TechniqueRun {
    let Done {
        nodes,
        eng,
        ledger,
        workload,
        checks,
    } = done;
    let verdict = Verdict::judge(&eng.trace, &ledger, workload, claim, checks);
    let end = eng.trace.last().map(|e| e.tick).unwrap_or(0).max(eng.now);
    TechniqueRun {
        id: id.to_string(),
        label: label.to_string(),
        claim,
        nodes,
        dedup_sizes: dedup_sizes(&eng.trace),
        truncated: eng.truncated,
        crash_points: eng.faults.crash_points.into_iter().collect(),
        fired: eng.faults.fired,
        trace: eng.trace,
        ledger,
        verdict,
        badge: Default::default(),
        end,
    }
}

/// What one technique's run left behind, for [`Technique::finish`].
pub struct Done<'a, T> {
    pub nodes: Vec<NodeInfo>,
    pub eng: Engine<T>,
    pub ledger: Ledger,
    /// The input every technique shares (the truth is each payment applied once).
    pub workload: &'a [Payment],
    /// The scenario's own checks, beyond lost / applied twice.
    pub checks: Vec<Check>,
}

impl<'a, T> Done<'a, T> {
    /// A finished run judged on lost / applied twice alone (no checks of its own).
    pub fn new(
        nodes: Vec<NodeInfo>,
        eng: Engine<T>,
        ledger: Ledger,
        workload: &'a [Payment],
    ) -> Self {
        Done {
            nodes,
            eng,
            ledger,
            workload,
            checks: Vec::new(),
        }
    }

    /// The scenario's own checks, judged beside lost / applied twice.
    pub fn checks(self, checks: Vec<Check>) -> Self {
        Done { checks, ..self }
    }
}

/// Faults for a run whose one hop delivers a copy of a message with the `dup`
/// parameter's chance, the copy up to `delay_max` ticks late (plus the run's own).
pub fn copying_hop(cfg: &RunConfig, params: &Params, hop: u8, delay_max: Tick) -> Faults {
    let mut faults = Faults::for_run(cfg);
    faults.set_hop(
        hop,
        HopFaults::NONE.copying(params.chance("dup"), delay_max),
    );
    faults
}

/// The payment a delivery on a one-hop run (broker → `consumer`) carries, found by its id
/// in the workload; `None` for an id the workload does not hold.
pub fn carried(
    workload: &BTreeMap<MsgId, Payment>,
    d: &Delivery,
    consumer: NodeId,
) -> Option<Payment> {
    debug_assert_eq!(d.to, consumer, "one hop, to the consumer");
    workload.get(&d.p.msg).copied()
}

/// `node` keeps a table of the ids it has seen and never forgets one: the first
/// sight of `key` (carried by `msg`) goes in, a `DedupPut`, and answers true; a
/// repeat is skipped for `why` and answers false.
pub fn first_sight<T: Copy>(
    eng: &mut Engine<T>,
    seen: &mut BTreeSet<u32>,
    node: NodeId,
    (msg, key): (MsgId, u32),
    why: SkipWhy,
) -> bool {
    first_sight_of(eng, seen, node, (msg, key, DedupKey::MessageId), why)
}

/// [`first_sight`] for a key that is `of` (a header's id rather than the message's).
pub fn first_sight_of<T: Copy>(
    eng: &mut Engine<T>,
    seen: &mut BTreeSet<u32>,
    node: NodeId,
    (msg, key, of): (MsgId, u32, DedupKey),
    why: SkipWhy,
) -> bool {
    if !seen.insert(key) {
        eng.emit(Ev::Skip { node, msg, why });
        return false;
    }
    eng.emit(Ev::DedupPut {
        node,
        key,
        expires: None,
        of,
    });
    true
}

/// Run every technique of `table` over the same `workload` and assemble the result.
pub fn run_each<M>(
    info: &ScenarioInfo,
    cfg: &RunConfig,
    params: &Params,
    workload: Vec<Payment>,
    table: &[Technique<M>],
    mut one: impl FnMut(&Technique<M>, &[Payment]) -> TechniqueRun,
) -> RunResult {
    debug_assert!(!table.is_empty(), "{}: no techniques", info.id);
    let techniques = table.iter().map(|t| one(t, &workload)).collect();
    RunResult::assemble(info, cfg, params, workload, techniques)
}

/// How often each key (a message, a hop and message, …) was sent: the attempt
/// number of the next transmission, so every retry asks the fault source afresh.
#[derive(Clone, Debug, Default)]
pub struct Attempts<K>(BTreeMap<K, u16>);

impl<K: Ord> Attempts<K> {
    /// The attempt number of this transmission of `key` (0 for the first).
    pub fn next(&mut self, key: K) -> u16 {
        let n = self.0.entry(key).or_insert(0);
        let a = *n;
        *n = n.saturating_add(1);
        a
    }

    /// How many times `key` was sent so far.
    pub fn sent(&self, key: &K) -> u16 {
        self.0.get(key).copied().unwrap_or(0)
    }
}

/// The timers of a sender that retries until it hears back: send `msg` for the
/// first time, or (no answer to transmission `attempt` yet) time out and maybe
/// send it again.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RetryTimer {
    Send { msg: MsgId },
    Retry { msg: MsgId, attempt: u16 },
}

/// Which life of a process a timer belongs to: bumped on every crash, so a timer
/// set before the crash finds a newer life and is ignored.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Life(u16);

impl Life {
    pub fn next(self) -> Life {
        Life(self.0.wrapping_add(1))
    }
}

/// `node` heard nothing about attempt `attempt` of `msg` in time (an ack, a
/// response): it blames nobody, and typically sends again.
pub fn timed_out<T: Copy>(eng: &mut Engine<T>, node: NodeId, msg: MsgId, attempt: u16) {
    eng.emit(Ev::timeout(node, msg, attempt, false));
}

/// `node` timed out on its last try of `msg` and gives up: it sends it no more.
pub fn gives_up<T: Copy>(eng: &mut Engine<T>, node: NodeId, msg: MsgId, attempt: u16) {
    eng.emit(Ev::timeout(node, msg, attempt, true));
}

/// Ask the fault source whether `node` crashes at `point` of handling `msg`, and
/// crash it if so.
pub fn crash_at<A: Actors>(
    actors: &mut A,
    eng: &mut Engine<A::Timer>,
    node: NodeId,
    msg: MsgId,
    point: u8,
) -> bool {
    match eng.faults.crash_at(node, msg, point) {
        Some(down) => {
            eng.crash(actors, node, down);
            true
        }
        None => false,
    }
}

/// [`crash_at`] at crash chance `rate` (scenarios whose nodes crash at different
/// rates), the crashed node staying down at least one tick.
pub fn crash_at_rate<A: Actors>(
    actors: &mut A,
    eng: &mut Engine<A::Timer>,
    rate: Ratio,
    node: NodeId,
    msg: MsgId,
    point: u8,
) -> bool {
    eng.faults.crash_at = rate;
    match eng.faults.crash_at(node, msg, point) {
        Some(down) => {
            eng.crash(actors, node, down.max(1));
            true
        }
        None => false,
    }
}

/// Crash points inside a polling consumer's handling of one record.
pub const POINT_READ: u8 = 0;
pub const POINT_BETWEEN: u8 = 1;
pub const POINT_AFTER: u8 = 2;
const POINTS: u32 = 3;

/// The timers of a [`Poller`]: poll the next record, or take the second step
/// (second write, commit) of the record in hand.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PollTimer {
    Poll { life: Life },
    SecondStep { msg: MsgId, life: Life },
}

/// What a current [`PollTimer`] asks the consumer to do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Poll,
    SecondStep(MsgId),
}

/// The volatile state of a consumer that reads partition 0 of a broker one record
/// at a time, handles it in two steps with crash points before, between and after
/// them, and goes back to a durable offset after a crash (atomic-commit,
/// eos-boundary).
#[derive(Clone, Debug)]
pub struct Poller {
    /// The consumer and the broker it reads from.
    pub node: NodeId,
    pub broker: NodeId,
    /// Next offset to read.
    pub pos: u32,
    /// The delivery the consumer waits for.
    expect: Option<(MsgId, u16)>,
    /// The offset between the first and the second step.
    pub working: Option<u32>,
    pub life: Life,
    /// Waiting for a crashed broker or database to come back.
    stalled: bool,
    /// Simulation bookkeeping (not the consumer's): deliveries per message, so
    /// every redelivery asks fresh crash questions.
    deliveries: Attempts<MsgId>,
    /// Delivery number of the record in hand.
    delivery: u16,
}

impl Poller {
    pub fn new(node: NodeId, broker: NodeId) -> Poller {
        Poller {
            node,
            broker,
            pos: 0,
            expect: None,
            working: None,
            life: Life::default(),
            stalled: false,
            deliveries: Attempts::default(),
            delivery: 0,
        }
    }

    /// The crash point `base` of the record in hand (fresh for every delivery).
    pub fn point(&self, base: u8) -> u8 {
        debug_assert!(u32::from(base) < POINTS);
        (base as u32 + POINTS * u32::from(self.delivery).min(80)) as u8
    }

    /// Poll again after one tick.
    pub fn schedule_poll(&self, eng: &mut Engine<PollTimer>) {
        eng.timer(1, self.node, PollTimer::Poll { life: self.life });
    }

    /// Take the second step of `msg` after one tick.
    pub fn schedule_second_step(&self, eng: &mut Engine<PollTimer>, msg: MsgId) {
        let life = self.life;
        eng.timer(1, self.node, PollTimer::SecondStep { msg, life });
    }

    /// What `timer` at `node` asks for, if it is this consumer's and of its current life.
    pub fn step(&self, node: NodeId, timer: PollTimer) -> Option<Step> {
        match timer {
            _ if node != self.node => None,
            PollTimer::Poll { life } if life == self.life => Some(Step::Poll),
            PollTimer::SecondStep { msg, life } if life == self.life => Some(Step::SecondStep(msg)),
            _ => None,
        }
    }

    /// Is `p` at `to` the delivery this consumer waits for? If so it is in hand now.
    pub fn accept(&mut self, Delivery { to, p, .. }: Delivery) -> bool {
        if to != self.node || self.expect != Some((p.msg, p.attempt)) {
            return false;
        }
        self.expect = None;
        self.delivery = p.attempt;
        true
    }

    /// Fetch the record at `pos` unless one is in hand or the log is read to the
    /// end; stall instead while the broker or one of `needs` is down or paused.
    pub fn poll(&mut self, eng: &mut Engine<PollTimer>, broker: &mut Broker, needs: &[NodeId]) {
        if self.expect.is_some() || self.working.is_some() || self.pos >= broker.len(0) {
            return;
        }
        if !eng.is_up(self.broker) || needs.iter().any(|n| !eng.is_up(*n)) {
            self.stalled = true;
            return;
        }
        let Some((rec, at)) = broker.hand_over(0, self.pos) else {
            return;
        };
        let attempt = self.deliveries.next(rec.msg);
        self.expect = Some((rec.msg, attempt));
        let p = Payload::new(MsgKind::Record, rec.msg, attempt).in_log(at);
        eng.send_reliable(self.broker, self.node, 0, p, 1);
    }

    /// Drop the volatile state (a crash, or a rebalance): timers of the old life die.
    pub fn forget(&mut self) {
        self.life = self.life.next();
        self.expect = None;
        self.working = None;
    }

    /// `node` crashed. The consumer itself forgets; if another node failed while the
    /// consumer runs, the record in hand fails: back to `durable` and wait.
    /// Returns whether the consumer dropped its state.
    pub fn crashed(&mut self, eng: &Engine<PollTimer>, node: NodeId, durable: u32) -> bool {
        if node == self.node {
            self.forget();
            self.stalled = false;
            true
        } else if eng.is_up(self.node) {
            self.forget();
            self.pos = durable;
            self.stalled = true;
            true
        } else {
            false
        }
    }

    /// `node` restarted or resumed: the consumer goes on from `durable` (after its
    /// own restart) or polls again if it waited for `node`.
    pub fn back(&mut self, eng: &mut Engine<PollTimer>, node: NodeId, durable: Option<u32>) {
        if node == self.node {
            if let Some(d) = durable {
                self.pos = d;
                self.schedule_poll(eng);
            }
        } else if self.stalled && eng.is_up(self.node) {
            self.stalled = false;
            self.schedule_poll(eng);
        }
    }
}

/// Dedup-table size after each change.
pub fn dedup_sizes(trace: &[Event]) -> Vec<(Tick, u32)> {
    let mut size = 0u32;
    let mut out: Vec<(Tick, u32)> = Vec::new();
    for e in trace {
        let changed = match e.ev {
            Ev::DedupPut { .. } | Ev::DedupRow { .. } => {
                size += 1;
                true
            }
            Ev::DedupExpire { .. } => {
                size = size.saturating_sub(1);
                true
            }
            _ => false,
        };
        if changed {
            match out.last_mut() {
                Some(last) if last.0 == e.tick => last.1 = size,
                _ => out.push((e.tick, size)),
            }
        }
    }
    out
}

/// The tick of the first event of `t`'s trace that `f` picks, as an
/// `Outcome::Custom` test answers (`None`: there is none).
pub fn first_tick(t: &TechniqueRun, f: impl Fn(&Ev) -> bool) -> Option<Option<Tick>> {
    t.trace.iter().find(|e| f(&e.ev)).map(|e| Some(e.tick))
}

/// The first tick `t` skipped a message for `why`.
pub fn first_skip(t: &TechniqueRun, why: SkipWhy) -> Option<Option<Tick>> {
    first_tick(t, |e| matches!(e, Ev::Skip { why: w, .. } if *w == why))
}

/// The first tick `t` refused a request or write for `why`.
pub fn first_rejected(t: &TechniqueRun, why: RejectWhy) -> Option<Option<Tick>> {
    first_tick(t, |e| matches!(e, Ev::Rejected { why: w, .. } if *w == why))
}

/// `Some(None)` when no timeout fired in `t`'s run (nobody was declared dead).
pub fn no_timeout(t: &TechniqueRun) -> Option<Option<Tick>> {
    (!t.trace.iter().any(|e| matches!(e.ev, Ev::Timeout { .. }))).then_some(None)
}
