//! The trace vocabulary: every step of every run is one [`Event`]. The UI animates
//! traces, the tests pin them, the invariants are checked over them.

use super::ids::{Merchant, MsgId, NetId, NodeId, Tick};
use serde::{Deserialize, Serialize};

mod payload;
pub use payload::{Headers, LogAt, MsgKind, Payload, Resend};

/// How a ledger entry changes a balance.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// `balance += amount` (a credit; negative for a debit).
    Add,
    /// `balance = amount` (an idempotent assignment).
    Set,
    /// `INSERT … ON CONFLICT (merchant) DO UPDATE SET balance = amount`: rewrites the
    /// merchant's row (1 row affected) — an assignment, like `Set`.
    Upsert,
    /// A refund sent after `DELETE … WHERE id = msg` (adds to the refunded total).
    Refund,
    /// An inverted entry written to cancel a suspected duplicate.
    Compensation,
}

/// One row of a ledger.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub msg: MsgId,
    pub merchant: Merchant,
    pub amount: i64,
    pub kind: EntryKind,
}

/// Why a message did not arrive.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossWhy {
    /// The network lost it (random or hand-made fault).
    Network,
    /// It arrived at a crashed process.
    NodeDown,
    /// Dropped under load (a full queue).
    Overload,
}

/// Why a delivered message changed nothing.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkipWhy {
    /// Its id was in the dedup table / processed set.
    SeenId,
    /// The merchant's row already lists its id among the payments applied to it: the
    /// conditional write (credit + id in one statement) changed nothing.
    AppliedIds,
    /// The operation is idempotent: applying it again changes nothing.
    Idempotent,
    /// The idempotency-key store answered from its stored response.
    StoredResponse,
    /// A unique constraint rejected the insert.
    UniqueConstraint,
    /// It belongs to an aborted transaction and the reader is read_committed.
    Aborted,
    /// It carries no key a later stage could check (not absorbed: shown for clarity).
    NoKey,
}

/// Why a broker or server refused a write.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectWhy {
    /// The producer's epoch is older than the current one: a fenced zombie.
    Fenced,
    /// The broker already stored this producer id + sequence number.
    DuplicateSequence,
    /// The sequence number skips ahead of the last one stored (a gap): the broker
    /// refuses it so that the partition never holds the producer's writes out of order.
    OutOfOrderSequence,
    /// 409 Conflict: a request with this idempotency key is still being processed.
    KeyInFlight,
    /// 422: the idempotency key was already used for a request with other parameters.
    KeyReused,
}

/// What a commit made durable.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitWhat {
    /// A consumer group's committed offset (value = next offset to read).
    Offset,
    /// A local database transaction (value = message id).
    DbTxn,
    /// A relay's progress through the outbox (value = next outbox row).
    RelayProgress,
}

/// One thing an atomic commit made durable ([`Ev::AtomicCommit`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitPart {
    Entry { msg: MsgId },
    Offset { value: u32 },
    OutboxRow { msg: MsgId },
    DedupRow { msg: MsgId },
    KeyRecord { key: u32 },
}

/// What a dedup table's key is.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DedupKey {
    /// The message's own id (the producer put it in the message).
    #[default]
    MessageId,
    /// The `outbox_id` header a CDC relay put on the record.
    OutboxId,
}

impl DedupKey {
    pub fn is_message_id(&self) -> bool {
        *self == DedupKey::MessageId
    }
}

/// The state of an idempotency key in a server's key store.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    /// Recorded before the side effect: the request is being processed.
    InFlight,
    /// The response is stored; repeats get it back.
    Stored,
    /// Removed after a crash: no charge was committed, so a retry may run it again.
    Released,
    /// Removed because its TTL ran out.
    Expired,
}

/// Transaction states in a broker log.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnState {
    Begin,
    Commit,
    Abort,
}

/// One step of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub tick: Tick,
    pub ev: Ev,
}

/// The event kinds. Faults are events too (`Lose`, `Crash`, `Pause`, `Operator`…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ev {
    /// A transmission leaves `from`. `lost` says whether the network will lose it;
    /// `copy_of` marks a network duplicate of an earlier transmission.
    Send {
        net: NetId,
        hop: u8,
        from: NodeId,
        to: NodeId,
        p: Payload,
        arrive: Tick,
        lost: bool,
        copy_of: Option<NetId>,
    },
    Deliver {
        net: NetId,
    },
    Lose {
        net: NetId,
        why: LossWhy,
    },
    /// A ledger write.
    Apply {
        node: NodeId,
        entry: Entry,
    },
    /// Telemetry: sample `msg` reached `node` after its bucket (second) `bucket` was
    /// already published: too late to count in any published figure.
    Late {
        node: NodeId,
        msg: MsgId,
        bucket: Merchant,
    },
    /// Telemetry: `node` publishes the mean of bucket `bucket` (a second) from the
    /// `count` samples (summing to `sum`) it had by then; `truth_sum`/`truth_count` are
    /// what every sample of that second would have given (for the learner, not the node).
    Aggregate {
        node: NodeId,
        bucket: Merchant,
        sum: i64,
        count: u32,
        truth_sum: i64,
        truth_count: u32,
    },
    /// A duplicate absorbed (or, with `NoKey`, a message that could not be checked).
    Skip {
        node: NodeId,
        msg: MsgId,
        why: SkipWhy,
    },
    Commit {
        node: NodeId,
        what: CommitWhat,
        value: u32,
    },
    /// One transaction `txn` commits at `node`, making every one of `parts` durable
    /// together (all or none): one event, not one per part.
    AtomicCommit {
        node: NodeId,
        txn: u32,
        parts: Vec<CommitPart>,
    },
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    /// A stop-the-world pause (GC): the process is alive but does nothing until `until`.
    Pause {
        node: NodeId,
        until: Tick,
    },
    Resume {
        node: NodeId,
    },
    /// A timeout fired at `node` about `msg`. `suspect` is who it declares dead or
    /// slow, if anyone; `false_alarm` is true when that process was only paused.
    Timeout {
        node: NodeId,
        msg: MsgId,
        attempt: u16,
        suspect: Option<NodeId>,
        false_alarm: bool,
        /// The sender's last try: it sends `msg` no more (its retries are used up).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        gives_up: bool,
    },
    /// `node` (a broker) got no ack for `msg` in time and hands it over again:
    /// delivery `attempt` (1 for the first redelivery) follows.
    Redeliver {
        node: NodeId,
        msg: MsgId,
        attempt: u16,
    },
    /// The broker moved `node`'s producer id to `epoch`; older epochs are fenced.
    Fence {
        node: NodeId,
        epoch: u32,
        /// The older instance of the same transactional id that is now fenced.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fenced: Option<NodeId>,
        /// The older epoch's open transaction, which the coordinator aborts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        aborted: Option<u32>,
    },
    Rejected {
        node: NodeId,
        msg: MsgId,
        why: RejectWhy,
    },
    DedupPut {
        node: NodeId,
        key: u32,
        expires: Option<Tick>,
        /// What the key is: the message's own id (the default), or a header's id.
        #[serde(default, skip_serializing_if = "DedupKey::is_message_id")]
        of: DedupKey,
    },
    /// A row inserted into a SQL dedup table cleaned by a periodic job: after
    /// `stale_after` the next cleanup deletes it; until then a lookup still finds it.
    DedupRow {
        node: NodeId,
        key: u32,
        stale_after: Tick,
    },
    DedupExpire {
        node: NodeId,
        key: u32,
    },
    /// An idempotency key store changed: `key` (sent with `msg`) is now in `state`.
    KeyRecord {
        node: NodeId,
        key: u32,
        msg: MsgId,
        state: KeyState,
        expires: Option<Tick>,
    },
    /// A record appended to a broker partition log.
    LogAppend {
        node: NodeId,
        partition: u8,
        offset: u32,
        msg: MsgId,
        txn: Option<u32>,
    },
    Txn {
        node: NodeId,
        txn: u32,
        state: TxnState,
    },
    /// A consumer read a record; `visible` is false when read_committed hid it.
    Read {
        node: NodeId,
        partition: u8,
        offset: u32,
        msg: MsgId,
        visible: bool,
    },
    /// An outbox row written (`published: false`) or published by the relay.
    Outbox {
        node: NodeId,
        msg: MsgId,
        published: bool,
    },
    /// Two Generals: `node` now holds knowledge of depth `level`.
    Knowledge {
        node: NodeId,
        level: u32,
    },
    /// Two Generals: `node` decides whether to attack.
    Decide {
        node: NodeId,
        attack: bool,
    },
    /// An operator action, e.g. resetting a consumer group's offset to `value`.
    Operator {
        node: NodeId,
        action: OperatorAction,
        value: u32,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperatorAction {
    ResetOffset,
}

impl Ev {
    /// The process an event happens at, for lanes in the space-time view.
    pub fn node(&self) -> Option<NodeId> {
        match *self {
            Ev::Send { from, .. } => Some(from),
            Ev::Deliver { .. } | Ev::Lose { .. } => None,
            Ev::Apply { node, .. }
            | Ev::Aggregate { node, .. }
            | Ev::Late { node, .. }
            | Ev::Skip { node, .. }
            | Ev::Commit { node, .. }
            | Ev::AtomicCommit { node, .. }
            | Ev::Crash { node }
            | Ev::Restart { node }
            | Ev::Pause { node, .. }
            | Ev::Resume { node }
            | Ev::Timeout { node, .. }
            | Ev::Redeliver { node, .. }
            | Ev::Fence { node, .. }
            | Ev::Rejected { node, .. }
            | Ev::DedupPut { node, .. }
            | Ev::DedupRow { node, .. }
            | Ev::DedupExpire { node, .. }
            | Ev::KeyRecord { node, .. }
            | Ev::LogAppend { node, .. }
            | Ev::Txn { node, .. }
            | Ev::Read { node, .. }
            | Ev::Outbox { node, .. }
            | Ev::Knowledge { node, .. }
            | Ev::Decide { node, .. }
            | Ev::Operator { node, .. } => Some(node),
        }
    }
}
impl Ev {
    /// A sender's timeout about `msg`, nobody suspected; `gives_up` on its last try.
    pub fn timeout(node: NodeId, msg: MsgId, attempt: u16, gives_up: bool) -> Ev {
        Ev::Timeout {
            node,
            msg,
            attempt,
            suspect: None,
            false_alarm: false,
            gives_up,
        }
    }
}
