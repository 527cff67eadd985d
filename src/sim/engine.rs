//! The discrete-event engine one technique runs on: simulated time, a queue of
//! deliveries and timers in deterministic order, process status (up / crashed /
//! paused), and the trace. Actors never perform I/O: they react to an item by
//! calling `send`, `timer` and `emit` on the engine (stateright's `Out`, in spirit).

use super::event::{Ev, Event, LossWhy, Payload};
use super::fault::{Fault, Faults};
use super::ids::{NetId, NodeId, Tick};
use super::ledger::Ledger;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Hard cap on one technique's trace: a run never grows without bound.
pub const EVENT_CAP: usize = 200_000;

/// Something that happens at a tick. `T` is the technique's own timer type.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Item<T> {
    Deliver {
        net: NetId,
        d: Delivery,
    },
    /// A lost transmission reaching the point where it would have arrived.
    Vanish {
        net: NetId,
    },
    /// A timer set by `node`; what it means is the actors' own (`Actors::Timer`).
    Timer {
        node: NodeId,
        timer: T,
    },
    Fault(Fault),
    Restart {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
}

/// A transmission arriving at `to`: what [`Actors::on_deliver`] reacts to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub to: NodeId,
    pub from: NodeId,
    pub hop: u8,
    pub p: Payload,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Up,
    Down,
    Paused { until: Tick },
}

/// How a technique's actors react. Default crash/restart hooks do nothing.
pub trait Actors {
    /// What a timer of this technique means: a small `Copy` enum per scenario.
    type Timer: Copy;
    fn on_deliver(&mut self, eng: &mut Engine<Self::Timer>, d: Delivery);
    fn on_timer(&mut self, eng: &mut Engine<Self::Timer>, node: NodeId, timer: Self::Timer);
    /// `node` lost its volatile state.
    fn on_crash(&mut self, _eng: &mut Engine<Self::Timer>, _node: NodeId) {}
    /// `node` is back, with only its durable state.
    fn on_restart(&mut self, _eng: &mut Engine<Self::Timer>, _node: NodeId) {}
    /// `node` woke from a pause, unaware that time passed.
    fn on_resume(&mut self, _eng: &mut Engine<Self::Timer>, _node: NodeId) {}
    /// A scenario-specific timed fault (e.g. an operator's offset reset).
    fn on_fault(&mut self, _eng: &mut Engine<Self::Timer>, _f: Fault) {}
}

/// A queued item, ordered by (tick, insertion sequence): deterministic, FIFO per tick.
/// Both live in one `u64` (`tick << 32 | seq`): one comparison per heap step and a
/// smaller element to move (the heap is the engine's hottest structure).
#[derive(Debug)]
struct Queued<T> {
    key: u64,
    item: Item<T>,
}

impl<T> Queued<T> {
    fn tick(&self) -> Tick {
        (self.key >> 32) as Tick
    }
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Queued<T> {}
impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Queued<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// The engine of one technique; `T` is its timer type (`Actors::Timer`).
pub struct Engine<T> {
    pub now: Tick,
    /// No item at or after this tick is processed.
    pub end: Tick,
    seq: u64,
    queue: BinaryHeap<Reverse<Queued<T>>>,
    next_net: u32,
    pub trace: Vec<Event>,
    pub faults: Faults,
    status: Vec<Status>,
    /// Items that reached a paused process, released when it resumes.
    held: Vec<(NodeId, Item<T>)>,
    pub truncated: bool,
}

impl<T: Copy> Engine<T> {
    /// An engine for `nodes` processes that stops before `end`, with the explicit
    /// timed faults of `faults` already queued: the one way scenarios start a run.
    pub fn start(nodes: usize, end: Tick, faults: Faults) -> Engine<T> {
        let mut eng = Engine::new(nodes, end, faults);
        eng.schedule_timed_faults();
        eng
    }

    pub fn new(nodes: usize, end: Tick, faults: Faults) -> Engine<T> {
        debug_assert!(nodes > 0 && nodes <= usize::from(u8::MAX), "{nodes} nodes");
        Engine {
            now: 0,
            end,
            seq: 0,
            queue: BinaryHeap::new(),
            next_net: 0,
            trace: Vec::new(),
            faults,
            status: vec![Status::Up; nodes],
            held: Vec::new(),
            truncated: false,
        }
    }

    pub fn emit(&mut self, ev: Ev) {
        if self.trace.len() >= EVENT_CAP {
            self.truncated = true;
            return;
        }
        self.trace.push(Event { tick: self.now, ev });
    }

    pub fn at(&mut self, tick: Tick, item: Item<T>) {
        self.seq += 1;
        // A run queues far fewer than 2^32 items (its trace stops at EVENT_CAP events).
        debug_assert!(self.seq <= u64::from(u32::MAX));
        let tick = u64::from(tick.max(self.now));
        self.queue.push(Reverse(Queued {
            key: tick << 32 | (self.seq & 0xFFFF_FFFF),
            item,
        }));
    }

    pub fn status(&self, node: NodeId) -> Status {
        debug_assert!(
            (node.0 as usize) < self.status.len(),
            "status of unknown node {}",
            node.0
        );
        self.status
            .get(node.0 as usize)
            .copied()
            .unwrap_or(Status::Up)
    }

    pub fn is_up(&self, node: NodeId) -> bool {
        self.status(node) == Status::Up
    }

    /// Transmit `p` from `from` to `to` on `hop`, taking `base` ticks (at least 1).
    /// The fault source decides loss, extra delay and duplication.
    pub fn send(&mut self, from: NodeId, to: NodeId, hop: u8, p: Payload, base: Tick) -> NetId {
        let lost = self.faults.lose(hop, p.msg, p.attempt);
        let delay = base.max(1) + self.faults.delay(hop, p.msg, p.attempt);
        let net = self.transmit(from, to, hop, p, delay, lost, None);
        if !lost {
            if let Some(extra) = self.faults.duplicate(hop, p.msg, p.attempt) {
                self.transmit(from, to, hop, p, delay + extra.max(1), false, Some(net));
            }
        }
        net
    }

    /// Transmit without consulting the fault source (for links the scenario keeps reliable).
    pub fn send_reliable(
        &mut self,
        from: NodeId,
        to: NodeId,
        hop: u8,
        p: Payload,
        base: Tick,
    ) -> NetId {
        self.transmit(from, to, hop, p, base.max(1), false, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn transmit(
        &mut self,
        from: NodeId,
        to: NodeId,
        hop: u8,
        p: Payload,
        delay: Tick,
        lost: bool,
        copy_of: Option<NetId>,
    ) -> NetId {
        let net = NetId(self.next_net);
        self.next_net += 1;
        let arrive = self.now + delay;
        self.emit(Ev::Send {
            net,
            hop,
            from,
            to,
            p,
            arrive,
            lost,
            copy_of,
        });
        let item = if lost {
            Item::Vanish { net }
        } else {
            let d = Delivery { to, from, hop, p };
            Item::Deliver { net, d }
        };
        self.at(arrive, item);
        net
    }

    /// `timer` fires at `node` after `after` ticks (at least 1), unless it is down.
    pub fn timer(&mut self, after: Tick, node: NodeId, timer: T) {
        self.timer_at(self.now + after.max(1), node, timer);
    }

    /// `timer` fires at `node` at tick `at` (or now, if `at` has passed).
    pub fn timer_at(&mut self, at: Tick, node: NodeId, timer: T) {
        debug_assert!(
            (node.0 as usize) < self.status.len(),
            "timer for unknown node {}",
            node.0
        );
        self.at(at, Item::Timer { node, timer });
    }

    /// Crash `node` now; it restarts after `down` ticks (never, if 0).
    pub fn crash<A: Actors<Timer = T>>(&mut self, actors: &mut A, node: NodeId, down: Tick) {
        if self.status(node) == Status::Down {
            return;
        }
        self.set_status(node, Status::Down);
        self.held.retain(|(n, _)| *n != node);
        self.emit(Ev::Crash { node });
        actors.on_crash(self, node);
        if down > 0 {
            self.at(self.now + down, Item::Restart { node });
        }
    }

    /// Pause `node` (stop the world) for `ticks`.
    pub fn pause(&mut self, node: NodeId, ticks: Tick) {
        if self.status(node) != Status::Up {
            return;
        }
        let until = self.now + ticks.max(1);
        self.set_status(node, Status::Paused { until });
        self.emit(Ev::Pause { node, until });
        self.at(until, Item::Resume { node });
    }

    fn set_status(&mut self, node: NodeId, s: Status) {
        let i = node.0 as usize;
        if self.status.len() <= i {
            self.status.resize(i + 1, Status::Up);
        }
        self.status[i] = s;
    }

    /// Queue the explicit timed faults ([`Engine::start`] does it).
    fn schedule_timed_faults(&mut self) {
        for f in self.faults.timed() {
            if let Some(at) = f.at() {
                self.at(at, Item::Fault(f));
            }
        }
    }

    /// Process items in (tick, insertion) order until the queue is empty or `end`.
    pub fn run<A: Actors<Timer = T>>(&mut self, actors: &mut A) {
        while let Some(Reverse(next)) = self.queue.peek() {
            if next.tick() >= self.end || self.truncated {
                break;
            }
            let Some(Reverse(q)) = self.queue.pop() else {
                break;
            };
            self.now = q.tick();
            self.dispatch(actors, q.item);
        }
        self.queue.clear();
    }

    fn dispatch<A: Actors<Timer = T>>(&mut self, actors: &mut A, item: Item<T>) {
        match item {
            Item::Vanish { net } => self.emit(Ev::Lose {
                net,
                why: LossWhy::Network,
            }),
            Item::Deliver { net, d } => match self.status(d.to) {
                Status::Down => self.emit(Ev::Lose {
                    net,
                    why: LossWhy::NodeDown,
                }),
                Status::Paused { .. } => self.held.push((d.to, item)),
                Status::Up => {
                    self.emit(Ev::Deliver { net });
                    actors.on_deliver(self, d);
                }
            },
            Item::Timer { node, timer } => match self.status(node) {
                Status::Down => {}
                Status::Paused { .. } => self.held.push((node, item)),
                Status::Up => actors.on_timer(self, node, timer),
            },
            Item::Fault(f) => match f {
                Fault::Crash { node, down, .. } => self.crash(actors, node, down),
                Fault::Pause { node, ticks, .. } => self.pause(node, ticks),
                other => actors.on_fault(self, other),
            },
            Item::Restart { node } => {
                debug_assert!(
                    self.status(node) != Status::Up,
                    "restart of node {} that never went down",
                    node.0
                );
                if self.status(node) == Status::Down {
                    self.set_status(node, Status::Up);
                    self.emit(Ev::Restart { node });
                    actors.on_restart(self, node);
                }
            }
            Item::Resume { node } => {
                if let Status::Paused { until } = self.status(node) {
                    if until == self.now {
                        self.set_status(node, Status::Up);
                        self.emit(Ev::Resume { node });
                        actors.on_resume(self, node);
                        let (mine, rest): (Vec<_>, Vec<_>) =
                            self.held.drain(..).partition(|(n, _)| *n == node);
                        self.held = rest;
                        for (_, it) in mine {
                            self.at(self.now, it);
                        }
                    }
                }
            }
        }
    }
}

impl Ledger {
    /// Write `entry` (and record it in the trace as applied at `node`).
    pub fn write<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        node: NodeId,
        entry: super::event::Entry,
    ) {
        self.entries.push(entry);
        eng.emit(Ev::Apply { node, entry });
    }
}
