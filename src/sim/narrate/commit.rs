//! The sentence for an atomic commit: what became durable (or visible) together.

use crate::sim::event::CommitPart;
use crate::sim::ids::NodeId;
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::View;

/// "worker commits transaction 2: the write of txn-3 + input offset 4 become durable together".
pub(super) fn atomic_commit(
    who: &str,
    node: NodeId,
    txn: u32,
    parts: &[CommitPart],
    before: &View,
    unit: LedgerUnit,
) -> String {
    let txn_name = |m| unit.item(m);
    // Writes are listed together ("the writes of txn-1, txn-2 and txn-3").
    let writes: Vec<String> = parts
        .iter()
        .filter_map(|part| match part {
            CommitPart::Entry { msg } => Some(txn_name(*msg)),
            _ => None,
        })
        .collect();
    let mut what = Vec::new();
    match writes.len() {
        0 => {}
        1 => what.push(format!("the write of {}", writes[0])),
        k => what.push(format!(
            "the writes of {} and {}",
            writes[..k - 1].join(", "),
            writes[k - 1]
        )),
    }
    for part in parts {
        what.push(match part {
            CommitPart::Entry { .. } => continue,
            CommitPart::Offset { value } => match before.committed.get(&node).copied() {
                Some(old) if old > *value => {
                    format!("offset {value} (moving the committed offset back from {old})")
                }
                // The consumer position committed with the state: the input's, not
                // a position in the log this transaction writes to.
                _ => format!("input offset {value}"),
            },
            CommitPart::OutboxRow { msg } => format!("outbox row {}", txn_name(*msg)),
            CommitPart::DedupRow { msg } => {
                format!("the processed-id row for {}", txn_name(*msg))
            }
            CommitPart::KeyRecord { key } => format!("the record of key {key}"),
        });
    }
    // A broker transaction's records are already in the log: its commit makes
    // them visible (to read_committed readers) together with the offset. A
    // database transaction makes its writes durable together.
    let broker = before.logs.keys().any(|(n, _)| *n == node);
    let together = match (broker, parts.len() > 1) {
        (true, true) => " take effect together (visible to read_committed readers)",
        (true, false) => " takes effect (visible to read_committed readers)",
        (false, true) => " become durable together",
        (false, false) => " becomes durable",
    };
    format!(
        "{} commits transaction {txn}: {}{together}",
        who,
        what.join(" + ")
    )
}
