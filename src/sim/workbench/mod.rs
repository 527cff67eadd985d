//! The workbench: the learner writes the handler, and the check grades it.
//!
//! A producer publishes N payments to a broker (one partition, a log with offsets).
//! A consumer runs the learner's handler ([`Handler`], a list of typed steps) once
//! per delivered record, against a database (balances with a per-row source offset, a
//! dedup table, a stored offset, an outbox table), a side cache, a payment gateway
//! and a downstream topic. [`check`] runs every schedule with at most k faults of the
//! switchable fault model ([`Assumptions`]) and gives the verdict in the scenario's
//! terms: every balance right, every payment charged once, every downstream event
//! once ([`Goal`]), with the smallest breaking schedule narrated.
//!
//! The model is self-contained (its own small interpreter and breadth-first
//! enumerator, the same idea as [`crate::sim::explore`]: the choice points of a run
//! are where a fault may strike, and a schedule is a sorted set of faults at them).
//! Deterministic: no clock, no OS randomness, ordered collections only; the seed
//! picks each payment's merchant.

pub mod challenges;
mod check;
mod model;
mod step;

pub use check::{check, search, verdict, Check, Counterexample, Found, MAX_SCHEDULES};
pub use model::{
    run, Actor, Beat, Breaking, Mark, MarkKind, Msg, Outcome, Payment, Replay, Span, StageAt,
    Stores, REBALANCE_TICKS, RESTART_TICKS, VISIBILITY_TICKS,
};
pub use step::{Apply, CodecError, Handler, Key, Step, Store, MAX_STEPS, MAX_TTL};

use crate::sim::ids::Tick;
use serde::{Deserialize, Serialize};

/// Most faults per schedule.
pub const MAX_K: u8 = 3;
/// Most payments a workbench run may have.
pub const MAX_PAYMENTS: u32 = 6;

/// Which faults may strike (a challenge states these as its assumptions).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assumptions {
    /// The consumer crashes between two steps (or after the last) and restarts.
    pub crash: bool,
    /// The broker loses an `ack` or a `commit-offset`.
    pub lost_ack: bool,
    /// The producer publishes a payment again as a new message.
    pub dup_publish: bool,
    /// A delivered record arrives once more, up to this many ticks late (`None`: never).
    pub late: Option<Tick>,
    /// A rebalance pauses the consumer mid-handler and it wakes as a zombie.
    pub zombie: bool,
    /// The operator resets the group's committed offset to the start.
    pub offset_reset: bool,
}

impl Assumptions {
    /// Every consumer-side fault on (a copy up to 30 ticks late); the producer's
    /// resend off.
    pub const DEFAULT: Assumptions = Assumptions {
        crash: true,
        lost_ack: true,
        dup_publish: false,
        late: Some(30),
        zombie: true,
        offset_reset: true,
    };
    pub const NONE: Assumptions = Assumptions {
        crash: false,
        lost_ack: false,
        dup_publish: false,
        late: None,
        zombie: false,
        offset_reset: false,
    };

    /// The delays a late copy is tried with: 1 tick, half the maximum and the maximum.
    pub fn late_delays(&self) -> Vec<Tick> {
        let Some(max) = self.late else {
            return Vec::new();
        };
        let mut d = vec![1, max / 2, max];
        d.retain(|&t| t >= 1);
        d.dedup();
        d
    }

    /// Parse a comma-separated list: `crash`, `lost-ack`, `dup-publish`, `late=<ticks>`,
    /// `zombie`, `reset`, or `all` / `none` / `default`.
    pub fn parse(text: &str) -> Result<Assumptions, String> {
        let mut a = Assumptions::NONE;
        for w in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match w {
                "all" => a = Assumptions { dup_publish: true, ..Assumptions::DEFAULT },
                "none" => a = Assumptions::NONE,
                "default" => a = Assumptions::DEFAULT,
                "crash" => a.crash = true,
                "lost-ack" => a.lost_ack = true,
                "dup-publish" => a.dup_publish = true,
                "zombie" => a.zombie = true,
                "reset" => a.offset_reset = true,
                _ => match w.strip_prefix("late=").map(str::parse::<Tick>) {
                    Some(Ok(t)) if (1..=1000).contains(&t) => a.late = Some(t),
                    _ => {
                        return Err(format!(
                            "unknown fault `{w}`: expected crash, lost-ack, dup-publish, late=<1..1000 ticks>, zombie, reset, all, none or default"
                        ))
                    }
                },
            }
        }
        Ok(a)
    }

    /// The fault model in words.
    pub fn words(&self) -> String {
        let mut on = Vec::new();
        if self.crash {
            on.push(format!(
                "a crash between any two steps or after the last (restart {RESTART_TICKS} ticks later)"
            ));
        }
        if self.lost_ack {
            on.push(format!(
                "a lost ack or commit-offset (an unacked record comes back {VISIBILITY_TICKS} ticks later)"
            ));
        }
        if self.dup_publish {
            on.push("the producer publishing a payment again as a new message".into());
        }
        if let Some(max) = self.late {
            let d: Vec<String> = self.late_delays().iter().map(|t| t.to_string()).collect();
            on.push(format!(
                "a record delivered again up to {max} ticks late (tried at {} ticks)",
                d.join(", ")
            ));
        }
        if self.zombie {
            on.push("a rebalance that leaves the paused consumer a zombie".into());
        }
        if self.offset_reset {
            on.push("an operator resetting the committed offset to the start".into());
        }
        if on.is_empty() {
            "no faults".into()
        } else {
            on.join("; ")
        }
    }
}

/// What the verdict checks besides the balances.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Every payment charged at the gateway exactly once.
    pub charge: bool,
    /// Every payment's downstream event published exactly once.
    pub downstream: bool,
}

impl Goal {
    /// What a handler's own steps promise: charges if it charges, events if it publishes.
    pub fn of(h: &Handler) -> Goal {
        Goal {
            charge: h.has(|s| matches!(s, Step::Charge(_))),
            downstream: h.has(|s| matches!(s, Step::Publish | Step::Outbox)),
        }
    }
}

/// Everything a workbench run depends on besides the handler and the faults.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub seed: u64,
    pub payments: u32,
    pub assume: Assumptions,
    pub goal: Goal,
}

impl Setup {
    /// Three payments, seed 1, the default faults, the goal the handler's steps imply.
    pub fn for_handler(h: &Handler) -> Setup {
        Setup {
            seed: 1,
            payments: 3,
            assume: Assumptions::DEFAULT,
            goal: Goal::of(h),
        }
    }
}

/// One fault at one choice point. Deliveries are named by the record's offset and the
/// delivery's number (1 for the first time the live consumer receives that record).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Fault {
    /// The producer publishes payment `txn` (1-based) a second time, as a new message.
    DupPublish { txn: u32 },
    /// The consumer crashes after the handler's step number `after` (1-based).
    Crash {
        offset: u32,
        delivery: u16,
        after: u8,
    },
    /// A rebalance pauses the consumer after step `after`; it resumes as a zombie.
    Zombie {
        offset: u32,
        delivery: u16,
        after: u8,
    },
    /// The broker loses this delivery's first `ack` or `commit-offset`.
    LoseAck { offset: u32, delivery: u16 },
    /// The broker delivers this record once more, `delay` ticks after this delivery began.
    Late {
        offset: u32,
        delivery: u16,
        delay: Tick,
    },
    /// After this delivery, the operator resets the committed offset to the start.
    Reset { offset: u32, delivery: u16 },
}

impl Fault {
    /// A short code for the fault (what the Web Worker sends back): `P1`, `C0.1.2`,
    /// `Z0.1.2`, `L0.1`, `T0.1.30`, `R0.1`.
    pub fn code(&self) -> String {
        match *self {
            Fault::DupPublish { txn } => format!("P{txn}"),
            Fault::Crash {
                offset,
                delivery,
                after,
            } => format!("C{offset}.{delivery}.{after}"),
            Fault::Zombie {
                offset,
                delivery,
                after,
            } => format!("Z{offset}.{delivery}.{after}"),
            Fault::LoseAck { offset, delivery } => format!("L{offset}.{delivery}"),
            Fault::Late {
                offset,
                delivery,
                delay,
            } => format!("T{offset}.{delivery}.{delay}"),
            Fault::Reset { offset, delivery } => format!("R{offset}.{delivery}"),
        }
    }

    /// The fault a [`Fault::code`] names; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Fault> {
        let kind = code.chars().next()?;
        let n: Vec<u64> = code[kind.len_utf8()..]
            .split('.')
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        let offset = |i: usize| u32::try_from(n[i]).ok();
        let delivery = || u16::try_from(n[1]).ok();
        Some(match (kind, n.len()) {
            ('P', 1) => Fault::DupPublish { txn: offset(0)? },
            ('C', 3) => Fault::Crash {
                offset: offset(0)?,
                delivery: delivery()?,
                after: u8::try_from(n[2]).ok()?,
            },
            ('Z', 3) => Fault::Zombie {
                offset: offset(0)?,
                delivery: delivery()?,
                after: u8::try_from(n[2]).ok()?,
            },
            ('L', 2) => Fault::LoseAck {
                offset: offset(0)?,
                delivery: delivery()?,
            },
            ('T', 3) => Fault::Late {
                offset: offset(0)?,
                delivery: delivery()?,
                delay: Tick::try_from(n[2]).ok()?,
            },
            ('R', 2) => Fault::Reset {
                offset: offset(0)?,
                delivery: delivery()?,
            },
            _ => return None,
        })
    }
}
