//! The delivery counters under the ledgers, each defined in one sentence.

use super::ids::NodeId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The delivery counters under the ledgers. Each is defined in one sentence here, in
/// the ledgers' tooltips ([`Counters::DEFINITIONS`]) and in `docs/counters.md`;
/// `tests/native/recount.rs` recounts every one from the raw trace with its own code.
/// "Forward" transmissions are everything but acks and responses.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counters {
    /// Forward transmissions sent, retries and redeliveries included, network copies not.
    pub sent: u32,
    /// Forward transmissions (network copies included) that arrived and were taken in;
    /// one dropped on arrival by a full queue is not.
    pub delivered: u32,
    /// Forward transmissions that never were taken in: lost by the network, sent to a
    /// process that was down, or dropped by a full queue.
    pub lost: u32,
    /// Deliveries to a process of a message (same id and kind) it had already taken in
    /// once, over every receiving process; per process in `dup_at`.
    pub dup_delivered: u32,
    /// `dup_delivered` per receiving process (only those with at least one).
    #[serde(default)]
    pub dup_at: BTreeMap<NodeId, u32>,
    /// Repeats a process recognised and let change nothing: skipped by id, by an applied
    /// list or as an idempotent no-op, answered from a stored response, refused by a unique
    /// constraint, a duplicate sequence number or a key still in flight, refused as a
    /// fenced zombie's (a writer whose epoch is older), or hidden from a read_committed
    /// reader as part of an aborted transaction.
    pub dup_absorbed: u32,
    /// Ledger writes of a message that was already applied (compensations aside): a
    /// message written three times counts 2.
    pub applied_twice: u32,
}

impl Counters {
    /// (row name, field, one-sentence definition) of every counter, in display order.
    pub const DEFINITIONS: [(&'static str, &'static str, &'static str); 6] = [
        (
            "sent",
            "sent",
            "Messages sent towards the state (requests, records, datagrams, messengers; not acks or responses), retries and redeliveries included, network copies not.",
        ),
        (
            "delivered",
            "delivered",
            "Of those, and of the network's copies, the ones that arrived and were taken in (a datagram dropped on arrival by a full queue is not).",
        ),
        (
            "lost",
            "lost",
            "Messages that were never taken in: lost by the network, sent to a process that was down, or dropped by a full queue.",
        ),
        (
            "dup delivered",
            "dup_delivered",
            "Deliveries to a process of a message it had already taken in once (a retry of a message that was lost is not one).",
        ),
        (
            "dup absorbed",
            "dup_absorbed",
            "Repeats a process recognised and let change nothing: skipped by id, answered from a stored response, refused as a duplicate or as a fenced zombie's, or hidden as part of an aborted transaction.",
        ),
        (
            "applied again",
            "applied_twice",
            "Ledger writes of a message that was already applied (a message written three times counts 2).",
        ),
    ];

    /// `dup_delivered` at one receiving process.
    pub fn dup_delivered_at(&self, node: NodeId) -> u32 {
        self.dup_at.get(&node).copied().unwrap_or(0)
    }
}
