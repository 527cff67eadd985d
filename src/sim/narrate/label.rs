//! Names for nodes and for what a transmission carries ("txn-3 (retry 1)").

use crate::sim::event::{LogAt, MsgKind, Payload, Resend};
use crate::sim::ids::NodeId;
use crate::sim::ledger::LedgerUnit;
use crate::sim::run::NodeInfo;

pub fn node_name(nodes: &[NodeInfo], id: NodeId) -> String {
    nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| n.name.clone())
        .unwrap_or_else(|| format!("node-{}", id.0))
}

/// "txn-3", "ack txn-3", "messenger 2", "txn-3 (retry 1)" — business names in the
/// scenario's own nouns (`unit`), never the network's internal transmission numbers.
pub fn payload_label(p: &Payload, unit: LedgerUnit) -> String {
    let txn_name = |m| unit.item(m);
    let base = match p.kind {
        MsgKind::Messenger => format!("messenger {}", p.msg),
        MsgKind::Request | MsgKind::Record | MsgKind::Produce | MsgKind::Publish => txn_name(p.msg),
        MsgKind::Datagram => format!("sample {}", p.msg),
        MsgKind::EndTxn => format!("the commit of {}", txn_name(p.msg)),
        // An ack that carries a place in the log is a consumer's offset commit.
        MsgKind::Ack if p.at.is_some() => format!("offset commit up to {}", txn_name(p.msg)),
        MsgKind::Ack => format!("ack {}", txn_name(p.msg)),
        MsgKind::Response => format!("response {}", txn_name(p.msg)),
    };
    // A record a broker hands over again is not a sender's retry: it is the record's
    // next delivery (a redelivery, a rebalance, a re-read from the committed offset —
    // the line before it says which).
    let base = match p.kind {
        // An ack or response answers whatever arrived; the line before names that
        // delivery or retry, so the answer carries no attempt of its own.
        MsgKind::Messenger | MsgKind::Ack | MsgKind::Response => base,
        // A record from a broker's log is numbered per record (its offset), never
        // per payment: a second record of the same payment is a second copy.
        MsgKind::Record if p.at.is_some() => in_log(&base, p.at.unwrap_or_default()),
        _ if p.attempt == 0 => base,
        // A record from a broker's log is numbered per record (its offset), never
        // per payment: a second record of the same payment is a second copy.
        MsgKind::Record => format!("{base} (delivery {})", p.attempt + 1),
        // A sender's resend is a retry only when a timeout caused it: a restart or an
        // aborted transaction is named as what it is.
        _ => match p.resend {
            Resend::Retry => format!("{base} (retry {})", p.attempt),
            Resend::AfterRestart => format!("{base} (resent after restart)"),
            Resend::AfterAbort => format!("{base} (written again after the abort)"),
            Resend::ForwardedAgain => format!("{base} (forwarded again)"),
            Resend::RetryOf {
                retry,
                forwarded_again: true,
            } => format!("{base} (forwarded again, retry {retry})"),
            Resend::RetryOf { retry, .. } => format!("{base} (retry {retry})"),
        },
    };
    // Headers, where a scenario shows them, on the messages that carry the data.
    match p.headers {
        Some(h) if !matches!(p.kind, MsgKind::Ack | MsgKind::Response) => {
            let d = h.describe();
            if d.is_empty() {
                format!("{base} [no key]")
            } else {
                format!("{base} [{d}]")
            }
        }
        _ => base,
    }
}

/// "txn-5", "txn-5 (delivery 2)", "txn-5 (second copy in the log, offset 1)".
fn in_log(base: &str, at: LogAt) -> String {
    let delivery = (at.delivery > 0).then(|| format!("delivery {}", at.delivery + 1));
    let copy = (at.copy > 0).then(|| {
        let nth = match at.copy {
            1 => "second".to_string(),
            2 => "third".to_string(),
            3 => "fourth".to_string(),
            k => format!("copy {} of the payment", k + 1),
        };
        let nth = if at.copy <= 3 {
            format!("{nth} copy")
        } else {
            nth
        };
        format!("{nth} in the log, offset {}", at.offset)
    });
    match (copy, delivery) {
        (None, None) => base.to_string(),
        (None, Some(d)) => format!("{base} ({d})"),
        (Some(c), None) => format!("{base} ({c})"),
        (Some(c), Some(d)) => format!("{base} ({c}, {d})"),
    }
}
