//! Time travel: the state a learner sees at any point of a trace.
//!
//! A [`View`] is a fold over the trace: applying events `0..cursor` to an empty
//! view gives exactly what the stage shows after those events. Playing forward
//! applies one event in place (nothing is cloned); stepping back or scrubbing
//! starts from the nearest [`Timeline`] snapshot (one every `every` events) and
//! replays at most `every` events.

use super::event::{
    CommitPart, CommitWhat, EntryKind, Ev, Event, KeyState, MsgKind, Payload, TxnState,
};
use super::ids::{Merchant, MsgId, NetId, NodeId, Tick};
use super::ledger::apply_to;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NodeStatus {
    #[default]
    Up,
    Down,
    Paused {
        until: Tick,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NodeView {
    pub status: NodeStatus,
    /// Two Generals: depth of "A knows that B knows that …".
    pub knowledge: u32,
    pub decision: Option<bool>,
    /// Producer epoch after the last fence, if any.
    pub epoch: Option<u32>,
    /// Times this node had a write rejected as a fenced zombie.
    pub fenced: u32,
}

/// A transmission on the wire.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flight {
    pub net: NetId,
    pub hop: u8,
    pub from: NodeId,
    pub to: NodeId,
    pub p: Payload,
    pub sent: Tick,
    pub arrive: Tick,
    pub lost: bool,
    pub copy_of: Option<NetId>,
}

impl Flight {
    /// The transmission a `Send` event puts on the wire (`None` for other events).
    pub fn of(e: &Event) -> Option<Flight> {
        match e.ev {
            Ev::Send {
                net,
                hop,
                from,
                to,
                p,
                arrive,
                lost,
                copy_of,
            } => Some(Flight {
                net,
                hop,
                from,
                to,
                p,
                sent: e.tick,
                arrive,
                lost,
                copy_of,
            }),
            _ => None,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecState {
    /// Not in a transaction.
    Plain,
    Open,
    Committed,
    Aborted,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRec {
    pub offset: u32,
    pub msg: MsgId,
    pub txn: Option<u32>,
    pub state: RecState,
}

pub use super::counters::Counters;

/// What the stage shows after `cursor` events.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct View {
    pub cursor: usize,
    pub tick: Tick,
    pub nodes: Vec<NodeView>,
    pub flights: BTreeMap<NetId, Flight>,
    pub balances: BTreeMap<Merchant, i64>,
    /// Number of ledger entries written so far (a prefix of the final ledger).
    pub entries: usize,
    /// Dedup tables: (node, key) → expiry tick (None: kept until cleaned).
    pub dedup: BTreeMap<(NodeId, u32), Option<Tick>>,
    /// Dedup rows a periodic cleanup job deletes (a SQL table), not a TTL.
    #[serde(default)]
    pub swept: BTreeSet<(NodeId, u32)>,
    /// Broker partition logs: (broker, partition) → records.
    pub logs: BTreeMap<(NodeId, u8), Vec<LogRec>>,
    /// Committed offsets and relay progress per node.
    pub committed: BTreeMap<NodeId, u32>,
    /// Outbox rows: message → published yet?
    pub outbox: BTreeMap<MsgId, bool>,
    /// Idempotency key stores: (server, key) → (message, state, expiry).
    pub keys: BTreeMap<(NodeId, u32), (MsgId, KeyState, Option<Tick>)>,
    pub counters: Counters,
    /// (receiver, kind, message) taken in so far.
    delivered: BTreeSet<(NodeId, u8, MsgId)>,
    applied: BTreeSet<MsgId>,
    msg_of: BTreeMap<NetId, (u8, Payload)>,
    to_of: BTreeMap<NetId, NodeId>,
    /// The last delivery and whether it was counted as a duplicate (undone when a full
    /// queue drops it on arrival).
    last_delivery: Option<(NetId, bool)>,
}

fn is_forward(kind: MsgKind) -> bool {
    !matches!(kind, MsgKind::Ack | MsgKind::Response)
}

impl View {
    pub fn node(&self, id: NodeId) -> NodeView {
        self.nodes.get(id.0 as usize).cloned().unwrap_or_default()
    }

    fn node_mut(&mut self, id: NodeId) -> &mut NodeView {
        let i = id.0 as usize;
        if self.nodes.len() <= i {
            self.nodes.resize(i + 1, NodeView::default());
        }
        &mut self.nodes[i]
    }

    /// The (hop, payload) a transmission carried.
    /// Was `msg` written to the ledger before this point?
    pub fn was_applied(&self, msg: MsgId) -> bool {
        self.applied.contains(&msg)
    }

    pub fn payload_of(&self, net: NetId) -> Option<(u8, Payload)> {
        self.msg_of.get(&net).copied()
    }

    fn undo_delivery(&mut self, net: NetId, p: Payload) {
        let Some((last, dup)) = self.last_delivery.take() else {
            return;
        };
        let Some(to) = self.to_of.get(&net).copied() else {
            return;
        };
        if last != net {
            return;
        }
        if dup {
            self.counters.dup_delivered = self.counters.dup_delivered.saturating_sub(1);
            if let Some(n) = self.counters.dup_at.get_mut(&to) {
                *n -= 1;
                if *n == 0 {
                    self.counters.dup_at.remove(&to);
                }
            }
        } else {
            self.delivered.remove(&(to, p.kind as u8, p.msg));
        }
    }

    /// Apply one event (the `cursor`-th) in place.
    pub fn apply(&mut self, e: &Event) {
        self.cursor += 1;
        self.tick = e.tick;
        match e.ev {
            Ev::Send {
                net,
                hop,
                to,
                p,
                copy_of,
                ..
            } => {
                if is_forward(p.kind) && copy_of.is_none() {
                    self.counters.sent += 1;
                }
                self.msg_of.insert(net, (hop, p));
                self.to_of.insert(net, to);
                if let Some(f) = Flight::of(e) {
                    self.flights.insert(net, f);
                }
            }
            Ev::Deliver { net } => {
                self.flights.remove(&net);
                if let (Some((_, p)), Some(to)) = (
                    self.msg_of.get(&net).copied(),
                    self.to_of.get(&net).copied(),
                ) {
                    if is_forward(p.kind) {
                        self.counters.delivered += 1;
                        let dup = !self.delivered.insert((to, p.kind as u8, p.msg));
                        if dup {
                            self.counters.dup_delivered += 1;
                            *self.counters.dup_at.entry(to).or_insert(0) += 1;
                        }
                        self.last_delivery = Some((net, dup));
                    }
                }
            }
            Ev::Lose { net, why } => {
                let in_flight = self.flights.remove(&net).is_some();
                if let Some((_, p)) = self.msg_of.get(&net).copied() {
                    if is_forward(p.kind) {
                        self.counters.lost += 1;
                        // Dropped on arrival (a full queue): it was counted as delivered,
                        // and it was not taken in: a later copy is no duplicate.
                        if !in_flight && why == super::event::LossWhy::Overload {
                            self.counters.delivered = self.counters.delivered.saturating_sub(1);
                            self.undo_delivery(net, p);
                        }
                    }
                }
            }
            Ev::Apply { entry, .. } => {
                apply_to(&mut self.balances, &entry);
                self.entries += 1;
                if entry.kind != EntryKind::Compensation && !self.applied.insert(entry.msg) {
                    self.counters.applied_twice += 1;
                }
            }
            Ev::Aggregate { .. } | Ev::Late { .. } => {}
            Ev::Skip { why, .. } => {
                if why != super::event::SkipWhy::NoKey {
                    self.counters.dup_absorbed += 1;
                }
            }
            Ev::Commit { node, what, value } => {
                if what != CommitWhat::DbTxn {
                    self.committed.insert(node, value);
                }
            }
            Ev::Crash { node } => {
                self.node_mut(node).status = NodeStatus::Down;
            }
            Ev::Restart { node } | Ev::Resume { node } => {
                self.node_mut(node).status = NodeStatus::Up;
            }
            Ev::Pause { node, until } => {
                self.node_mut(node).status = NodeStatus::Paused { until };
            }
            Ev::Fence { node, epoch, .. } => {
                self.node_mut(node).epoch = Some(epoch);
            }
            Ev::Rejected { node, why, .. } => {
                if why == super::event::RejectWhy::Fenced {
                    // A writer fenced by its epoch is a zombie: its copy of the work the
                    // new instance redoes is refused, a repeat that changes nothing. A
                    // consumer removed from its group (no epoch) loses only its offset
                    // commit; the writes it made stand.
                    let n = self.node_mut(node);
                    n.fenced += 1;
                    if n.epoch.is_some() {
                        self.counters.dup_absorbed += 1;
                    }
                } else if matches!(
                    why,
                    super::event::RejectWhy::DuplicateSequence
                        | super::event::RejectWhy::KeyInFlight
                ) {
                    self.counters.dup_absorbed += 1;
                }
            }
            Ev::DedupPut {
                node, key, expires, ..
            } => {
                self.dedup.insert((node, key), expires);
            }
            Ev::DedupRow {
                node,
                key,
                stale_after,
            } => {
                self.dedup.insert((node, key), Some(stale_after));
                self.swept.insert((node, key));
            }
            Ev::DedupExpire { node, key } => {
                self.dedup.remove(&(node, key));
            }
            Ev::KeyRecord {
                node,
                key,
                msg,
                state,
                expires,
            } => match state {
                KeyState::InFlight | KeyState::Stored => {
                    self.keys.insert((node, key), (msg, state, expires));
                }
                KeyState::Released | KeyState::Expired => {
                    self.keys.remove(&(node, key));
                }
            },
            Ev::AtomicCommit {
                node,
                txn,
                ref parts,
            } => {
                // Records the transaction wrote to `node`'s logs become committed.
                for ((broker, _), recs) in self.logs.iter_mut() {
                    if *broker == node {
                        for r in recs.iter_mut().filter(|r| r.txn == Some(txn)) {
                            r.state = RecState::Committed;
                        }
                    }
                }
                for part in parts {
                    match *part {
                        CommitPart::Offset { value } => {
                            self.committed.insert(node, value);
                        }
                        CommitPart::OutboxRow { msg } => {
                            self.outbox.entry(msg).or_insert(false);
                        }
                        CommitPart::DedupRow { msg } => {
                            self.dedup.insert((node, msg), None);
                        }
                        CommitPart::KeyRecord { key } => {
                            if let Some(k) = self.keys.get_mut(&(node, key)) {
                                k.1 = KeyState::Stored;
                            }
                        }
                        CommitPart::Entry { .. } => {}
                    }
                }
            }
            Ev::LogAppend {
                node,
                partition,
                offset,
                msg,
                txn,
            } => {
                let state = if txn.is_some() {
                    RecState::Open
                } else {
                    RecState::Plain
                };
                self.logs
                    .entry((node, partition))
                    .or_default()
                    .push(LogRec {
                        offset,
                        msg,
                        txn,
                        state,
                    });
            }
            Ev::Txn { node, txn, state } => {
                let to = match state {
                    TxnState::Begin => None,
                    TxnState::Commit => Some(RecState::Committed),
                    TxnState::Abort => Some(RecState::Aborted),
                };
                if let Some(to) = to {
                    for ((broker, _), recs) in self.logs.iter_mut() {
                        if *broker == node {
                            for r in recs.iter_mut().filter(|r| r.txn == Some(txn)) {
                                r.state = to;
                            }
                        }
                    }
                }
            }
            Ev::Outbox { msg, published, .. } => {
                let row = self.outbox.entry(msg).or_insert(false);
                *row = *row || published;
            }
            Ev::Knowledge { node, level } => {
                let n = self.node_mut(node);
                n.knowledge = n.knowledge.max(level);
            }
            Ev::Decide { node, attack } => {
                self.node_mut(node).decision = Some(attack);
            }
            Ev::Read { .. } | Ev::Timeout { .. } | Ev::Operator { .. } => {}
            Ev::Redeliver { .. } => {}
        }
    }

    /// Fold `events` from an empty view.
    pub fn of(events: &[Event]) -> View {
        let mut v = View::default();
        for e in events {
            v.apply(e);
        }
        v
    }
}

/// Number of events at or before `tick` (the cursor that shows `tick`).
pub fn cursor_for_tick(trace: &[Event], tick: Tick) -> usize {
    trace.partition_point(|e| e.tick <= tick)
}

/// Snapshots of one trace for fast random access.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    every: usize,
    snaps: Vec<View>,
}

impl Timeline {
    pub const DEFAULT_EVERY: usize = 128;

    pub fn new(trace: &[Event], every: usize) -> Timeline {
        let every = every.max(1);
        let mut snaps = vec![View::default()];
        let mut v = View::default();
        for (i, e) in trace.iter().enumerate() {
            v.apply(e);
            if (i + 1) % every == 0 {
                snaps.push(v.clone());
            }
        }
        Timeline { every, snaps }
    }

    /// The view after `cursor` events.
    pub fn view_at(&self, trace: &[Event], cursor: usize) -> View {
        let cursor = cursor.min(trace.len());
        let k = (cursor / self.every).min(self.snaps.len().saturating_sub(1));
        let mut v = self.snaps.get(k).cloned().unwrap_or_default();
        for e in &trace[v.cursor..cursor] {
            v.apply(e);
        }
        v
    }

    pub fn snapshots(&self) -> usize {
        self.snaps.len()
    }
}
