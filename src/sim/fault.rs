//! Faults: explicit, seeded, replayable.
//!
//! A run's faults come from two places: the random rates of its parameters (decided
//! by [`Dice`], keyed by hop/message/attempt so every technique sees the same ones)
//! and an explicit list (hand-made faults from the UI, or a shrunk counterexample).
//! Every random fault that fires is recorded as an explicit [`Fault`], so a run can
//! be replayed — and shrunk — with random faults switched off.

use super::ids::{MsgId, NodeId, Tick};
use super::rng::{Dice, Ratio};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One fault. Network faults name the transmission by `(hop, msg, attempt)`, which
/// is the same in every technique; process faults name a node and a tick, or a
/// crash point inside the handling of one message.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "f", rename_all = "snake_case")]
pub enum Fault {
    /// The network loses this transmission.
    Lose { hop: u8, msg: MsgId, attempt: u16 },
    /// The network delivers this transmission twice; the copy arrives `extra` ticks later.
    Duplicate {
        hop: u8,
        msg: MsgId,
        attempt: u16,
        extra: Tick,
    },
    /// The network holds this transmission `extra` ticks longer (reordering it).
    Delay {
        hop: u8,
        msg: MsgId,
        attempt: u16,
        extra: Tick,
    },
    /// `node` crashes at `at` and restarts `down` ticks later (never, if 0).
    Crash { node: NodeId, at: Tick, down: Tick },
    /// `node` crashes at a named point while handling `msg` (e.g. between apply and
    /// commit; the scenario defines the points) and restarts after `down` ticks.
    CrashAt {
        node: NodeId,
        msg: MsgId,
        point: u8,
        down: Tick,
    },
    /// `node` stops the world (GC) at `at` for `ticks`.
    Pause { node: NodeId, at: Tick, ticks: Tick },
    /// An operator resets a consumer group's offset to `to` at `at`.
    ResetOffset { node: NodeId, at: Tick, to: u32 },
}

impl Fault {
    /// When a timed fault happens (network and crash-point faults have no fixed tick).
    pub fn at(&self) -> Option<Tick> {
        match *self {
            Fault::Crash { at, .. } | Fault::Pause { at, .. } | Fault::ResetOffset { at, .. } => {
                Some(at)
            }
            _ => None,
        }
    }
}

/// Random fault rates of one hop (one direction of one link).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopFaults {
    pub loss: Ratio,
    pub dup: Ratio,
    /// Extra delay of a duplicate copy: uniform in `1..=dup_delay_max`.
    pub dup_delay_max: Tick,
    /// Random jitter added to every transmission: uniform in `0..=jitter_max`.
    pub jitter_max: Tick,
}

impl HopFaults {
    pub const NONE: HopFaults = HopFaults {
        loss: Ratio::NEVER,
        dup: Ratio::NEVER,
        dup_delay_max: 1,
        jitter_max: 0,
    };

    /// A hop that loses a transmission at chance `loss`, and nothing else.
    pub const fn lossy(loss: Ratio) -> HopFaults {
        HopFaults {
            loss,
            ..HopFaults::NONE
        }
    }

    /// This hop, also copying a transmission at chance `dup`, the copy arriving up
    /// to `delay_max` ticks after it.
    pub const fn copying(self, dup: Ratio, delay_max: Tick) -> HopFaults {
        HopFaults {
            dup,
            dup_delay_max: delay_max,
            ..self
        }
    }

    /// This hop, adding up to `max` ticks of jitter to every transmission.
    pub const fn jittery(self, max: Tick) -> HopFaults {
        HopFaults {
            jitter_max: max,
            ..self
        }
    }
}

const TAG_LOSS: u64 = 1;
const TAG_DUP: u64 = 2;
const TAG_DUP_DELAY: u64 = 3;
const TAG_JITTER: u64 = 4;
const TAG_CRASH_AT: u64 = 5;
const TAG_CRASH_DOWN: u64 = 6;

/// What decides faults in one run of one technique.
#[derive(Clone, Debug)]
pub struct Faults {
    pub dice: Dice,
    /// Random faults on (a normal run) or off (replaying an explicit list).
    pub random: bool,
    hops: Vec<HopFaults>,
    /// Probability of crashing at each crash point, per `(node, msg, point)`.
    pub crash_at: Ratio,
    pub crash_down_max: Tick,
    explicit: BTreeSet<Fault>,
    /// Explicit network faults by (kind, hop, msg, attempt) → extra ticks, and
    /// crash points by (node, msg, point) → downtime: O(log n) look-ups per send.
    net_index: BTreeMap<(u8, u8, MsgId, u16), Tick>,
    crash_index: BTreeMap<(u8, MsgId, u8), Tick>,
    /// Every random fault that fired, in firing order (deduplicated).
    pub fired: Vec<Fault>,
    /// Crash points the run passed through, when random faults are off: the choice
    /// points of [`super::explore`] (every `(node, msg, point)` once, in order).
    pub crash_points: BTreeSet<(NodeId, MsgId, u8)>,
    fired_set: BTreeSet<Fault>,
}

const NET_LOSE: u8 = 0;
const NET_DUP: u8 = 1;
const NET_DELAY: u8 = 2;

impl Faults {
    pub fn new(seed: u64, random: bool, explicit: &[Fault]) -> Faults {
        let mut f = Faults {
            dice: Dice::new(seed),
            random,
            hops: Vec::new(),
            crash_at: Ratio::NEVER,
            crash_down_max: 1,
            explicit: BTreeSet::new(),
            net_index: BTreeMap::new(),
            crash_index: BTreeMap::new(),
            crash_points: BTreeSet::new(),
            fired: Vec::new(),
            fired_set: BTreeSet::new(),
        };
        for x in explicit {
            f.add_explicit(*x);
        }
        f
    }

    pub fn set_hop(&mut self, hop: u8, f: HopFaults) {
        let i = hop as usize;
        if self.hops.len() <= i {
            self.hops.resize(i + 1, HopFaults::NONE);
        }
        self.hops[i] = f;
    }

    fn hop(&self, hop: u8) -> HopFaults {
        self.hops
            .get(hop as usize)
            .copied()
            .unwrap_or(HopFaults::NONE)
    }

    /// Add a fault that the scenario's parameters ask for (not recorded as fired).
    pub fn add_explicit(&mut self, f: Fault) {
        if !self.explicit.insert(f) {
            return;
        }
        // Two explicit faults for one key: the smaller delay wins (order-independent).
        match f {
            Fault::Lose { hop, msg, attempt } => {
                self.net_index
                    .entry((NET_LOSE, hop, msg, attempt))
                    .or_insert(0);
            }
            Fault::Duplicate {
                hop,
                msg,
                attempt,
                extra,
            } => {
                self.net_index
                    .entry((NET_DUP, hop, msg, attempt))
                    .and_modify(|e| *e = (*e).min(extra))
                    .or_insert(extra);
            }
            Fault::Delay {
                hop,
                msg,
                attempt,
                extra,
            } => {
                self.net_index
                    .entry((NET_DELAY, hop, msg, attempt))
                    .and_modify(|e| *e = (*e).min(extra))
                    .or_insert(extra);
            }
            Fault::CrashAt {
                node,
                msg,
                point,
                down,
            } => {
                self.crash_index
                    .entry((node.0, msg, point))
                    .and_modify(|e| *e = (*e).min(down))
                    .or_insert(down);
            }
            _ => {}
        }
    }

    /// The explicit timed faults, in order.
    pub fn timed(&self) -> Vec<Fault> {
        self.explicit
            .iter()
            .filter(|f| f.at().is_some())
            .copied()
            .collect()
    }

    fn fire(&mut self, f: Fault) {
        if !self.explicit.contains(&f) && self.fired_set.insert(f) {
            self.fired.push(f);
        }
    }

    pub fn lose(&mut self, hop: u8, msg: MsgId, attempt: u16) -> bool {
        if self.net_index.contains_key(&(NET_LOSE, hop, msg, attempt)) {
            return true;
        }
        let f = Fault::Lose { hop, msg, attempt };
        let h = self.hop(hop);
        if self.random
            && self
                .dice
                .chance(h.loss, TAG_LOSS, hop as u64, msg as u64, attempt as u64)
        {
            self.fire(f);
            return true;
        }
        false
    }

    /// Extra delay of a network duplicate of this transmission, if one is made.
    pub fn duplicate(&mut self, hop: u8, msg: MsgId, attempt: u16) -> Option<Tick> {
        if let Some(extra) = self.net_index.get(&(NET_DUP, hop, msg, attempt)) {
            return Some(*extra);
        }
        let h = self.hop(hop);
        if self.random
            && self
                .dice
                .chance(h.dup, TAG_DUP, hop as u64, msg as u64, attempt as u64)
        {
            let extra = self.dice.range(
                1,
                h.dup_delay_max.max(1),
                TAG_DUP_DELAY,
                hop as u64,
                msg as u64,
                attempt as u64,
            );
            self.fire(Fault::Duplicate {
                hop,
                msg,
                attempt,
                extra,
            });
            return Some(extra);
        }
        None
    }

    /// Extra delay of this transmission (explicit delay, or random jitter).
    pub fn delay(&mut self, hop: u8, msg: MsgId, attempt: u16) -> Tick {
        if let Some(extra) = self.net_index.get(&(NET_DELAY, hop, msg, attempt)) {
            return *extra;
        }
        let h = self.hop(hop);
        if self.random && h.jitter_max > 0 {
            let extra = self.dice.range(
                0,
                h.jitter_max,
                TAG_JITTER,
                hop as u64,
                msg as u64,
                attempt as u64,
            );
            if extra > 0 {
                self.fire(Fault::Delay {
                    hop,
                    msg,
                    attempt,
                    extra,
                });
            }
            return extra;
        }
        0
    }

    /// Should `node` crash at `point` while handling `msg`? Returns the downtime.
    pub fn crash_at(&mut self, node: NodeId, msg: MsgId, point: u8) -> Option<Tick> {
        if !self.random {
            self.crash_points.insert((node, msg, point));
        }
        if let Some(down) = self.crash_index.get(&(node.0, msg, point)) {
            return Some(*down);
        }
        if self.random
            && self.dice.chance(
                self.crash_at,
                TAG_CRASH_AT,
                node.0 as u64,
                msg as u64,
                point as u64,
            )
        {
            let down = self.dice.range(
                1,
                self.crash_down_max.max(1),
                TAG_CRASH_DOWN,
                node.0 as u64,
                msg as u64,
                point as u64,
            );
            self.fire(Fault::CrashAt {
                node,
                msg,
                point,
                down,
            });
            return Some(down);
        }
        None
    }
}
