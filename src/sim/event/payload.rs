//! What a network message is and carries: its kind, payment, attempt, headers and,
//! for a record, its place in a broker's log.

use crate::sim::ids::MsgId;
use serde::{Deserialize, Serialize};

/// What a network message is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MsgKind {
    /// A payment/record/command travelling towards the state it changes.
    Request,
    /// "Got it" travelling back.
    Ack,
    /// An API response carrying the stored result.
    Response,
    /// A Two Generals messenger; `msg` is its round.
    Messenger,
    /// A producer's write to a broker partition.
    Produce,
    /// A transactional producer asks the coordinator to commit its open transaction.
    EndTxn,
    /// A broker handing a record to a consumer.
    Record,
    /// A relay publishing an outbox row.
    Publish,
    /// A telemetry datagram.
    Datagram,
}

impl MsgKind {
    pub fn short(self) -> &'static str {
        match self {
            MsgKind::Request => "req",
            MsgKind::Ack => "ack",
            MsgKind::Response => "resp",
            MsgKind::Messenger => "messenger",
            MsgKind::Produce => "produce",
            MsgKind::EndTxn => "commit",
            MsgKind::Record => "record",
            MsgKind::Publish => "publish",
            MsgKind::Datagram => "datagram",
        }
    }
}

/// What a network message carries. `Copy` and small on purpose: traces are long.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Payload {
    pub kind: MsgKind,
    pub msg: MsgId,
    /// The dedup / idempotency key carried, if any (`None`: a stage dropped it).
    pub key: Option<u32>,
    /// 0 for the first attempt, 1 for the first retry, …
    pub attempt: u16,
    /// Why a transmission with `attempt` > 0 was sent again: a retry after a timeout
    /// (the default), or a resend after a restart or an aborted transaction.
    #[serde(default, skip_serializing_if = "Resend::is_retry")]
    pub resend: Resend,
    /// Message headers, when the scenario shows them (e.g. a CDC relay's outbox id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
    /// For a record a broker hands over: where it sits in the log, and which
    /// handing-over of that record (not of its payment) this is. On an ack: the
    /// consumer's offset commit, `offset` the next one to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<LogAt>,
}

/// A record's place in a partition log and its count there: `delivery` numbers the
/// hand-overs of this one record (0 the first); `copy` says how many earlier records
/// in the partition carry the same payment (0: this is its first record).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogAt {
    pub partition: u8,
    pub offset: u32,
    pub delivery: u16,
    pub copy: u16,
}

/// Headers a record carries next to its body (Kafka-style), each optional.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Headers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<u32>,
}

impl Headers {
    /// "outbox_id=3, key=3": the headers that are set, for labels and narration.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        if let Some(v) = self.outbox_id {
            out.push(format!("outbox_id={v}"));
        }
        if let Some(v) = self.key {
            out.push(format!("key={v}"));
        }
        if let Some(v) = self.sequence {
            out.push(format!("seq={v}"));
        }
        if let Some(v) = self.epoch {
            out.push(format!("epoch={v}"));
        }
        out.join(", ")
    }
}

impl Payload {
    pub fn new(kind: MsgKind, msg: MsgId, attempt: u16) -> Payload {
        Payload {
            kind,
            msg,
            key: Some(msg),
            attempt,
            resend: Resend::Retry,
            headers: None,
            at: None,
        }
    }

    /// This payload as the record at `at` in a broker's log.
    pub fn in_log(self, at: LogAt) -> Payload {
        Payload {
            at: Some(at),
            ..self
        }
    }
}

/// Why a sender sends a message again (its `attempt` > 0).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Resend {
    /// It timed out waiting for an answer: a retry.
    #[default]
    Retry,
    /// It restarted and found the message unacknowledged (in its journal, or past its
    /// recorded progress), so it sends it again.
    AfterRestart,
    /// Its transaction aborted, so it writes the batch again in a new one.
    AfterAbort,
    /// A stage took in a copy it could not recognise and forwards it as new.
    ForwardedAgain,
    /// A retry after a timeout, numbered among the retries of its own chain of
    /// transmissions (`attempt` counts every transmission of the message on the hop):
    /// a stage that forwards a message again starts a new chain.
    RetryOf { retry: u16, forwarded_again: bool },
}

impl Resend {
    pub fn is_retry(&self) -> bool {
        *self == Resend::Retry
    }
}
