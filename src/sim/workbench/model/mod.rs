//! One workbench run: the handler interpreted against the broker, database, cache,
//! gateway and downstream topic, with a given list of faults. Every step takes one
//! tick. Records the choice points it passed (the faults the assumptions offer there),
//! the faults that fired, a narrated trace, and the tally the verdict reads.
//!
//! Semantics (docs/workbench.md says the same for learners):
//! - Restart position: the stored offset if the handler has `store-offset`, else the
//!   broker's committed offset if it has `commit-offset`, else the start of the log.
//!   A handler with `ack` and neither offset step reads like a queue: acked records
//!   are gone, unacked ones come back.
//! - A transaction buffers its writes (apply, insert into the db, store-offset,
//!   outbox) and applies them at `commit`; a crash, or the handler ending with the
//!   transaction open, rolls it back. The side cache is another process: written at
//!   once, never rolled back, and it survives the consumer's crash.
//! - `lookup` hit, or an `insert` into the db of a key already there (a unique key):
//!   the handler skips the rest of its steps but its `commit`, `store-offset`, `commit-offset` and `ack`
//!   steps (a refused insert first rolls back the open transaction).
//! - A zombie's `commit-offset` and `ack` are refused (its generation is fenced); its
//!   database writes, charges and publishes go through.

use super::step::{Apply, Handler, Key, Step, Store};
use std::fmt;

/// `format!` only when the run is narrated (a check runs thousands of schedules
/// quietly and narrates the one it reports).
macro_rules! txt {
    ($w:expr, $($a:tt)*) => {
        if $w.narrate { format!($($a)*) } else { String::new() }
    };
}

mod consume;
mod effects;
mod replay;

use replay::{About, Effects, Pending};
pub use replay::{Actor, Beat, Breaking, Mark, MarkKind, Msg, Replay, Span, StageAt, Stores};

/// `txn-3`, formatted only when printed.
#[derive(Copy, Clone)]
struct Txn(u32);

impl fmt::Display for Txn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&txn_name(self.0))
    }
}

/// `m-A`, formatted only when printed.
#[derive(Copy, Clone)]
struct Name(Merchant);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&merchant_name(self.0))
    }
}
use super::{Fault, Setup};
use crate::sim::ids::{merchant_name, txn_name, Merchant, Tick};
use crate::sim::rng::Dice;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Ticks a crashed consumer stays down.
pub const RESTART_TICKS: Tick = 5;
/// Ticks a rebalance takes before the new consumer reads.
pub const REBALANCE_TICKS: Tick = 3;
/// Ticks after which the broker delivers an unacked record again.
pub const VISIBILITY_TICKS: Tick = 10;
/// A run stops after this many deliveries (and says so).
const MAX_DELIVERIES: u32 = 400;

/// One payment of the workload.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub merchant: Merchant,
    pub amount: i64,
    /// The merchant's balance after this payment (what `apply:set` writes).
    pub running: i64,
}

#[derive(Copy, Clone, Debug)]
struct Record {
    pay: usize,
    /// 0: the first publish; 1: the producer's second publish of the same payment.
    send: u64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Every fault the assumptions offer at the points this run passed.
    #[serde(skip)]
    pub points: Vec<Fault>,
    /// The faults that fired: tick, fault, in words.
    pub fired: Vec<(Tick, Fault, String)>,
    /// The narrated run, one line per event.
    pub trace: Vec<String>,
    /// The narrated run as a replay (lanes, messages, marks, the breaking step).
    #[serde(skip)]
    pub replay: Replay,
    /// What is wrong, in the scenario's terms (empty: every goal met).
    pub problems: Vec<String>,
    pub balances: Vec<i64>,
    pub applied: Vec<u32>,
    pub charged: Vec<u32>,
    pub downstream: Vec<u32>,
}

#[derive(Clone, Debug)]
enum Op {
    Apply(Apply),
    Insert(Key, u64, Option<Tick>),
    Store(u32),
    Outbox,
}

#[derive(Clone, Debug)]
struct Ctx {
    offset: u32,
    delivery: u16,
    live: bool,
    txn: Option<Vec<Op>>,
    skip: bool,
    acked_once: bool,
    /// A late copy.
    copy: bool,
    /// The index of the step being run.
    at: usize,
    /// Why this record is read again, as the doer of a sentence (delivery 2 on).
    again: &'static str,
}

/// The delivery a narrated step belongs to.
#[derive(Copy, Clone, Debug)]
struct Doing {
    lane: Actor,
    offset: u32,
    delivery: u16,
    copy: bool,
    again: &'static str,
}

enum Stop {
    Done,
    Crash,
    Pause(usize),
}

struct World<'a> {
    narrate: bool,
    h: &'a Handler,
    setup: &'a Setup,
    faults: &'a [Fault],
    pays: Vec<Payment>,
    log: Vec<Record>,
    now: Tick,
    pos: u32,
    deliveries: BTreeMap<u32, u16>,
    /// Why the consumer reads records again since it last moved its position.
    rereading: &'static str,
    delivered: u32,
    bal: Vec<i64>,
    row_offset: Vec<Option<u32>>,
    dedup: BTreeMap<(Key, u64), Option<Tick>>,
    stored: Option<u32>,
    outbox: Vec<usize>,
    cache: BTreeMap<(Key, u64), Option<Tick>>,
    committed: Option<u32>,
    acked: BTreeSet<u32>,
    /// Pending extra deliveries: (arrives, order, offset, only if still unacked).
    extra: Vec<(Tick, u32, u32, bool)>,
    gateway_keys: BTreeSet<(Key, u64)>,
    zombies: Vec<(Ctx, usize)>,
    out: Outcome,
    doing: Option<Doing>,
    pending: Pending,
    fx: Effects,
}

/// The payments of a run: merchant by the seed, amounts 10, 20, 40, … (so a payment
/// applied twice or never always shows in a balance).
pub fn payments(seed: u64, n: u32) -> Vec<Payment> {
    let d = Dice::new(seed);
    let mut running = [0i64; 2];
    (0..n)
        .map(|i| {
            let merchant = d.range(0, 1, 0x5742, u64::from(i), 0, 0) as Merchant;
            let amount = 10i64 << i;
            running[merchant as usize] += amount;
            Payment {
                merchant,
                amount,
                running: running[merchant as usize],
            }
        })
        .collect()
}

/// Run the handler once with these faults, narrated.
pub fn run(h: &Handler, setup: &Setup, faults: &[Fault]) -> Outcome {
    run_with(h, setup, faults, true)
}

/// Run without narration (no trace, no fault words): what a check runs.
pub(crate) fn run_quiet(h: &Handler, setup: &Setup, faults: &[Fault]) -> Outcome {
    run_with(h, setup, faults, false)
}

fn run_with(h: &Handler, setup: &Setup, faults: &[Fault], narrate: bool) -> Outcome {
    let pays = payments(setup.seed, setup.payments);
    let n = pays.len();
    let mut w = World {
        narrate,
        h,
        setup,
        faults,
        pays,
        log: Vec::new(),
        now: 0,
        pos: 0,
        deliveries: BTreeMap::new(),
        rereading: "the redelivery",
        delivered: 0,
        bal: vec![0; 2],
        row_offset: vec![None; 2],
        dedup: BTreeMap::new(),
        stored: None,
        outbox: Vec::new(),
        cache: BTreeMap::new(),
        committed: None,
        acked: BTreeSet::new(),
        extra: Vec::new(),
        gateway_keys: BTreeSet::new(),
        zombies: Vec::new(),
        out: Outcome {
            points: Vec::new(),
            fired: Vec::new(),
            trace: Vec::new(),
            problems: Vec::new(),
            balances: Vec::new(),
            applied: vec![0; n],
            charged: vec![0; n],
            downstream: vec![0; n],
            replay: Replay::default(),
        },
        doing: None,
        pending: Pending::default(),
        fx: Effects {
            applied: vec![Vec::new(); n],
            charged: vec![Vec::new(); n],
            downstream: vec![Vec::new(); n],
            writes: vec![Vec::new(); 2],
            handled: vec![None; n],
            ..Effects::default()
        },
    };
    w.publish_all();
    w.consume();
    w.relay();
    w.tally();
    w.finish_replay();
    w.out
}

impl World<'_> {
    fn say(&mut self, who: Actor, what: String) {
        let word = match who {
            Actor::Zombie => "zombie",
            a => a.word(),
        };
        self.say_as(who, word, what, false);
    }

    /// A narrated line at `lane`, `who` acting (the trace's second column).
    fn say_as(&mut self, lane: Actor, who: &'static str, what: String, fault: bool) {
        if !self.narrate {
            return;
        }
        self.out
            .trace
            .push(txt!(self, "t={:<4} {who:<9} {what}", self.now));
        self.beat(lane, who, what, fault);
    }

    fn offer(&mut self, f: Fault) -> bool {
        self.out.points.push(f);
        self.faults.contains(&f)
    }

    fn fire(&mut self, f: Fault, words: String) {
        self.fire_at(self.now, f, words);
    }

    /// The lane a fault strikes at, and its mark.
    fn fault_mark(&mut self, f: Fault) -> Actor {
        let (at, kind, label) = match f {
            Fault::DupPublish { txn } => (
                Actor::Producer,
                MarkKind::Fault,
                format!("{} twice", txn_name(txn)),
            ),
            Fault::Crash { .. } => (Actor::Consumer, MarkKind::Crash, "crash".into()),
            Fault::Zombie { .. } => (Actor::Consumer, MarkKind::Fault, "rebalance".into()),
            Fault::LoseAck { .. } | Fault::Late { .. } => return Actor::Broker,
            Fault::Reset { .. } => (Actor::Broker, MarkKind::Reset, "reset → 0".into()),
        };
        self.mark(at, kind, label);
        at
    }

    /// A fault that strikes at `tick` (a late copy strikes when it arrives).
    fn fire_at(&mut self, tick: Tick, f: Fault, words: String) {
        let lane = if self.narrate {
            self.fault_mark(f)
        } else {
            Actor::Consumer
        };
        self.say_as(lane, "fault", words.clone(), true);
        self.out.fired.push((tick, f, words));
    }

    fn txn_of(&self, offset: u32) -> Txn {
        Txn(self.log[offset as usize].pay as u32 + 1)
    }

    fn step_word(&self, i: usize) -> String {
        format!("`{}`", self.h.0[i])
    }

    fn publish_all(&mut self) {
        for p in 0..self.pays.len() {
            self.log.push(Record { pay: p, send: 0 });
            let f = Fault::DupPublish { txn: p as u32 + 1 };
            if self.setup.assume.dup_publish && self.offer(f) {
                let name = txn_name(p as u32 + 1);
                self.fire(f, txt!(self, "the producer publishes {name} twice (the second is a new message: new offset, msg-id and pid-seq; same business key)"));
                self.log.push(Record { pay: p, send: 1 });
            }
        }
        let n = self.log.len();
        if self.narrate {
            self.pending.msg = Some(Msg {
                from: Actor::Producer,
                to: Actor::Broker,
                sent: 0,
                arrive: 0,
                label: format!("{n} records"),
                lost: false,
                copy: false,
            });
        }
        self.say(
            Actor::Producer,
            txt!(self, "has published {n} records (offsets 0 to {})", n - 1),
        );
    }

    fn uses(&self, s: Step) -> bool {
        self.h.has(|x| x == s)
    }

    fn restart_position(&self) -> (u32, &'static str) {
        if self.uses(Step::StoreOffset) {
            (
                self.stored.unwrap_or(0),
                "the offset stored in the database",
            )
        } else if self.uses(Step::CommitOffset) {
            (self.committed.unwrap_or(0), "the broker's committed offset")
        } else if self.uses(Step::Ack) {
            (0, "the first unacked record")
        } else {
            (0, "the start of the log (nothing records progress)")
        }
    }

    fn queue_like(&self) -> bool {
        self.uses(Step::Ack) && !self.uses(Step::StoreOffset) && !self.uses(Step::CommitOffset)
    }

    fn reposition(&mut self) -> String {
        let (pos, why) = self.restart_position();
        self.pos = pos;
        txt!(self, "reads from offset {pos}, {why}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::workbench::Assumptions;

    fn go(text: &str, faults: &[Fault]) -> Outcome {
        let h = Handler::decode(text).unwrap();
        let s = Setup {
            assume: Assumptions::parse("all").unwrap(),
            ..Setup::for_handler(&h)
        };
        run(&h, &s, faults)
    }

    #[test]
    fn a_zombie_writes_the_database_but_its_offset_commit_is_fenced() {
        let o = go(
            "begin,apply:add,commit,commit-offset",
            &[Fault::Zombie {
                offset: 0,
                delivery: 1,
                after: 3,
            }],
        );
        assert_eq!(o.applied[0], 2);
        assert!(o
            .trace
            .iter()
            .any(|l| l.contains("zombie    commit-offset: refused by the broker")));
        assert_eq!(
            o.problems,
            ["txn-1 is applied twice, so m-A ends at 20 instead of 10"]
        );
    }

    #[test]
    fn a_crash_rolls_back_the_transaction_but_not_the_cache() {
        let text = "lookup:msg-id,begin,insert:msg-id:cache,apply:add,outbox,commit,commit-offset";
        let o = go(
            text,
            &[Fault::Crash {
                offset: 0,
                delivery: 1,
                after: 5,
            }],
        );
        assert_eq!((o.applied[0], o.downstream[0]), (0, 0), "{:#?}", o.trace);
        let o = go(text, &[]);
        assert_eq!((o.applied[0], o.downstream[0]), (1, 1));
        assert!(o.problems.is_empty());
    }

    #[test]
    fn a_lost_ack_brings_the_record_back_and_a_refused_insert_skips() {
        let o = go(
            "begin,apply:add,insert:msg-id,commit,ack",
            &[Fault::LoseAck {
                offset: 1,
                delivery: 1,
            }],
        );
        assert_eq!(o.applied, [1, 1, 1], "{:#?}", o.trace);
        assert!(o
            .trace
            .iter()
            .any(|l| l.contains("receives txn-2 (offset 1, delivery 2)")));
        assert!(o
            .trace
            .iter()
            .any(|l| l.contains("cannot insert the msg-id of txn-2")));
    }

    #[test]
    fn the_producers_second_publish_keeps_only_the_business_key() {
        let f = [Fault::DupPublish { txn: 1 }];
        assert_eq!(
            go("lookup:msg-id,apply:add,insert:msg-id", &f).applied[0],
            2
        );
        assert_eq!(
            go("lookup:pid-seq,apply:add,insert:pid-seq", &f).applied[0],
            2
        );
        assert_eq!(
            go("lookup:business,apply:add,insert:business", &f).applied[0],
            1
        );
    }
}
