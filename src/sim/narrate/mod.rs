//! Plain-language lines for trace events: the event log, the screen-reader
//! narration and the golden traces all use these.

mod commit;
mod label;
mod render;

use super::event::{
    CommitWhat, DedupKey, EntryKind, Ev, Event, KeyState, LossWhy, RejectWhy, SkipWhy, TxnState,
};
use super::ids::NodeId;
use super::ledger::LedgerUnit;
use super::replay::View;
use super::run::NodeInfo;
pub use label::{node_name, payload_label};
pub use render::{mean_tenths, render, render_run};

/// One line for `e`, given the view *before* it (to name what a transmission carried):
/// `tick N: ` and the [`sentence`].
pub fn line(e: &Event, nodes: &[NodeInfo], before: &View, unit: LedgerUnit) -> String {
    format!("tick {}: {}", e.tick, sentence(e, nodes, before, unit))
}

/// What happened in `e`, in plain words, without its tick.
pub fn sentence(e: &Event, nodes: &[NodeInfo], before: &View, unit: LedgerUnit) -> String {
    let n = |id: NodeId| node_name(nodes, id);
    let txn_name = |m| unit.item(m);
    let rupees = |v| unit.amount(v);
    let merchant_name = |m| unit.entity(m);
    let carried = |net| {
        before
            .payload_of(net)
            .map(|(_, p)| payload_label(&p, unit))
            .unwrap_or_else(|| "a message".to_string())
    };
    let body = match &e.ev {
        Ev::Send {
            from,
            to,
            p,
            arrive,
            lost,
            copy_of,
            ..
        } => {
            let what = payload_label(p, unit);
            match (copy_of, lost) {
                (Some(_), _) => format!(
                    "the network duplicates a transmission — a second copy of {what} heads to {} (arrives tick {arrive})",
                    n(*to)
                ),
                // A send never foretells its fate (a learner predicting the outcome reads
                // this line): a lost transmission is narrated when it is lost.
                (None, lost) => {
                    let _ = lost;
                    format!("{} sends {what} to {} (due tick {arrive})", n(*from), n(*to))
                }
            }
        }
        Ev::Deliver { net } => format!("{} delivered", carried(*net)),
        Ev::Lose { net, why } => match why {
            LossWhy::Network => format!("{} lost in the network", carried(*net)),
            LossWhy::NodeDown => format!(
                "{} arrived at a crashed process and was lost",
                carried(*net)
            ),
            LossWhy::Overload => format!("{} dropped: queue full", carried(*net)),
        },
        Ev::Apply { node, entry } if unit == LedgerUnit::Samples => {
            let mut bal = before.balances.clone();
            super::ledger::apply_to(&mut bal, entry);
            format!(
                "{} adds {} ({}) to {}'s running sum: {}",
                n(*node),
                txn_name(entry.msg),
                entry.amount,
                merchant_name(entry.merchant),
                bal.get(&entry.merchant).copied().unwrap_or(0)
            )
        }
        // A broker's "ledger" is an output topic: its records are written (and made
        // visible by the transaction's commit), not applied to a database.
        Ev::Apply { node, entry }
            if entry.kind == EntryKind::Add && before.logs.keys().any(|(b, _)| b == node) =>
        {
            let mut bal = before.balances.clone();
            super::ledger::apply_to(&mut bal, entry);
            let m = merchant_name(entry.merchant);
            format!(
                "{}: {} {} for {m} is now written to the output topic, visible to read_committed readers; {m} = {}",
                n(*node),
                txn_name(entry.msg),
                rupees(entry.amount),
                rupees(bal.get(&entry.merchant).copied().unwrap_or(0))
            )
        }
        Ev::Apply { node, entry } => {
            let verb = match entry.kind {
                EntryKind::Add if unit == LedgerUnit::Runs => {
                    format!("applied {} ({})", txn_name(entry.msg), rupees(entry.amount))
                }
                EntryKind::Add => {
                    format!("applied {} {}", txn_name(entry.msg), rupees(entry.amount))
                }
                EntryKind::Set => format!(
                    "set balance to {} for {}",
                    rupees(entry.amount),
                    txn_name(entry.msg)
                ),
                EntryKind::Compensation => format!(
                    "wrote a compensating entry {} for {}",
                    rupees(entry.amount),
                    txn_name(entry.msg)
                ),
                EntryKind::Upsert | EntryKind::Refund => String::new(),
            };
            let mut bal = before.balances.clone();
            super::ledger::apply_to(&mut bal, entry);
            let now = rupees(bal.get(&entry.merchant).copied().unwrap_or(0));
            let m = merchant_name(entry.merchant);
            if entry.kind == EntryKind::Upsert {
                return format!(
                    "{} upserts {m}'s row with balance {} for {} (ON CONFLICT DO UPDATE: 1 row affected); {m} = {now}",
                    n(*node),
                    rupees(entry.amount),
                    txn_name(entry.msg)
                );
            }
            if entry.kind == EntryKind::Refund {
                // The row goes with the first DELETE; a repeat finds nothing to delete.
                let rows = if before.was_applied(entry.msg) {
                    "0 rows affected"
                } else {
                    "1 row affected"
                };
                return format!(
                    "{} runs DELETE … WHERE id = {} ({rows}) and sends a refund of {} to {m}; refunded to {m} so far = {now}",
                    n(*node),
                    txn_name(entry.msg),
                    rupees(entry.amount)
                );
            }
            format!(
                "{} {verb} to {}; {} = {}",
                n(*node),
                merchant_name(entry.merchant),
                merchant_name(entry.merchant),
                rupees(bal.get(&entry.merchant).copied().unwrap_or(0))
            )
        }
        Ev::Aggregate {
            node,
            bucket,
            sum,
            count,
            truth_sum,
            truth_count,
        } => format!(
            "{} publishes the average of {}: {} from {count} {} received (the second had {truth_count} samples; true average {})",
            n(*node),
            merchant_name(*bucket),
            mean_tenths(*sum, *count as i64),
            // Every reading that reached the collector in time, a retried copy included: a
            // second can count more readings than it had samples.
            if *count == 1 { "reading" } else { "readings" },
            mean_tenths(*truth_sum, *truth_count as i64)
        ),
        Ev::Late { node, msg, bucket } => format!(
            "{} arrives after {} was published: too late to count — {} acks it but leaves it out of every published average",
            txn_name(*msg),
            merchant_name(*bucket),
            n(*node)
        ),
        Ev::Skip {
            node,
            msg,
            why: SkipWhy::NoKey,
        } => format!(
            "{} cannot dedup {}: it arrived without a key",
            n(*node),
            txn_name(*msg)
        ),
        Ev::Skip { node, msg, why } => {
            let why = match why {
                SkipWhy::SeenId => "its id is already in the dedup table",
                SkipWhy::AppliedIds => {
                    "the merchant's row already lists it as applied, so the conditional write changes nothing"
                }
                SkipWhy::Idempotent => {
                    "running it again changes nothing (0 rows affected), so nothing more is done"
                }
                SkipWhy::StoredResponse => "answered from the stored response",
                SkipWhy::UniqueConstraint => "the unique constraint rejected the insert",
                SkipWhy::Aborted => "it belongs to an aborted transaction",
                SkipWhy::NoKey => "it carries no key, so it cannot be checked",
            };
            format!("{} skips {}: {why}", n(*node), txn_name(*msg))
        }
        Ev::Commit { node, what, value } => match what {
            CommitWhat::Offset => format!("{} commits offset {value}", n(*node)),
            CommitWhat::DbTxn => format!(
                "{} commits its database transaction for {}",
                n(*node),
                txn_name(*value)
            ),
            CommitWhat::RelayProgress => format!("{} records relay progress {value}", n(*node)),
        },
        Ev::AtomicCommit { node, txn, parts } => {
            commit::atomic_commit(&n(*node), *node, *txn, parts, before, unit)
        }
        Ev::Crash { node } => format!("{} crashes", n(*node)),
        Ev::Restart { node } => format!("{} restarts", n(*node)),
        Ev::Pause { node, until } => format!("{} pauses (GC) until tick {until}", n(*node)),
        Ev::Resume { node } => format!("{} resumes", n(*node)),
        Ev::Timeout {
            node,
            msg,
            attempt,
            suspect,
            false_alarm,
            gives_up,
        } => {
            match suspect {
                // A session timeout: nobody waited for a message, the heartbeats stopped.
                Some(s) => {
                    let wrongly = if *false_alarm {
                        " — wrongly, it is only paused"
                    } else {
                        ""
                    };
                    format!(
                        "{} has heard no heartbeat from {s} for a whole session timeout and declares {s} dead{wrongly}; a rebalance hands its work, from the committed offset ({}), to another worker",
                        n(*node),
                        txn_name(*msg),
                        s = n(*s)
                    )
                }
                None if *gives_up => format!(
                    "{} times out waiting for an answer about {} (try {t}) and gives up on it after {t} {tries}: it sends it no more",
                    n(*node),
                    txn_name(*msg),
                    t = attempt + 1,
                    tries = if *attempt == 0 { "try" } else { "tries" }
                ),
                None => format!(
                    "{} times out waiting for an answer about {} (try {})",
                    n(*node),
                    txn_name(*msg),
                    attempt + 1
                ),
            }
        }
        Ev::Redeliver { node, msg, .. } => format!(
            "{}'s redelivery timer fires with no ack for {}, so it hands {} over again",
            n(*node),
            txn_name(*msg),
            txn_name(*msg)
        ),
        Ev::Fence {
            node,
            epoch,
            fenced,
            aborted,
        } => match fenced {
            Some(old) => {
                let abort = match aborted {
                    Some(t) => format!(", and aborts its open transaction {t}"),
                    None => String::new(),
                };
                format!(
                    "{} registers the same transactional.id: the coordinator bumps the epoch to {epoch} and fences {}, still on epoch {}{abort}",
                    n(*node),
                    n(*old),
                    epoch.saturating_sub(1)
                )
            }
            None => {
                let abort = match aborted {
                    Some(t) => format!(" and aborts transaction {t}, left open by its earlier epoch"),
                    None => String::new(),
                };
                format!(
                    "{} registers its transactional.id: the coordinator gives it epoch {epoch}{abort}",
                    n(*node)
                )
            }
        },
        Ev::Rejected { node, msg, why } => match why {
            // A writer with an epoch is fenced by it (its write is refused); one
            // without is a consumer the group has removed: only its offset commit is
            // refused, the writes it made before are already done.
            RejectWhy::Fenced if before.node(*node).epoch.is_none() => format!(
                "broker refuses {}'s offset commit (its batch up to {}): {} is no longer in the consumer group since its session timed out — the ledger writes it made before are not undone",
                n(*node),
                txn_name(*msg),
                n(*node)
            ),
            RejectWhy::Fenced => format!(
                "broker refuses {}'s request about {}: its epoch is older than the current one, so it is a fenced zombie",
                n(*node),
                txn_name(*msg)
            ),
            RejectWhy::DuplicateSequence => format!(
                "broker recognises a retried write of {} (same producer id and sequence number as a recent write): acknowledged, not appended again",
                txn_name(*msg)
            ),
            RejectWhy::OutOfOrderSequence => format!(
                "broker refuses a write of {}: its sequence number is neither the next one nor a recent one it could recognise (OutOfOrderSequence)",
                txn_name(*msg)
            ),
            RejectWhy::KeyInFlight => format!(
                "{} answers a retry of {} with 409 Conflict: its key is still in flight, nothing charged",
                n(*node),
                txn_name(*msg)
            ),
            RejectWhy::KeyReused => format!(
                "{} answers {} with 422: its key was already used for a different charge, nothing charged",
                n(*node),
                txn_name(*msg)
            ),
        },
        Ev::DedupPut {
            node,
            key,
            expires,
            of,
        } => {
            // Named by what the row stores, never a bare "id 1" beside "txn-1".
            let what = match of {
                DedupKey::MessageId => format!("{}'s id", txn_name(*key)),
                DedupKey::OutboxId => format!("outbox_id {key}"),
            };
            match expires {
                Some(t) => format!(
                    "{} records {what} in its dedup table until tick {t}",
                    n(*node)
                ),
                None => format!("{} records {what} in its dedup table", n(*node)),
            }
        }
        Ev::DedupRow {
            node,
            key,
            stale_after,
        } => format!(
            "{} inserts {}'s id into its dedup table; after tick {stale_after} the next cleanup deletes it",
            n(*node),
            txn_name(*key)
        ),
        Ev::DedupExpire { node, key } if before.swept.contains(&(*node, *key)) => format!(
            "{}'s periodic cleanup job deletes {}'s row from its dedup table (stale after tick {})",
            n(*node),
            txn_name(*key),
            before.dedup.get(&(*node, *key)).copied().flatten().unwrap_or(e.tick)
        ),
        Ev::DedupExpire { node, key } => {
            format!("{} forgets {}'s id (expired)", n(*node), txn_name(*key))
        }
        Ev::KeyRecord {
            node,
            key,
            msg,
            state,
            expires,
        } => {
            let until = expires.map(|t| format!(", kept until tick {t}")).unwrap_or_default();
            match state {
                KeyState::InFlight => format!(
                    "{} records key {key} for {} as in flight{until} — before charging",
                    n(*node),
                    txn_name(*msg)
                ),
                KeyState::Stored => format!(
                    "{} records key {key} for {} with its response (200){until}",
                    n(*node),
                    txn_name(*msg)
                ),
                KeyState::Released => format!(
                    "{} releases key {key}: a crash interrupted {} before its charge committed, so a retry may run it",
                    n(*node),
                    txn_name(*msg)
                ),
                KeyState::Expired => format!("{} forgets key {key} (TTL over)", n(*node)),
            }
        }
        Ev::LogAppend {
            node,
            partition,
            offset,
            msg,
            txn,
        } => match txn {
            Some(t) => format!(
                "{} appends {} to partition {partition} at offset {offset} (transaction {t})",
                n(*node),
                txn_name(*msg)
            ),
            None => format!(
                "{} appends {} to partition {partition} at offset {offset}",
                n(*node),
                txn_name(*msg)
            ),
        },
        Ev::Txn { node, txn, state } => {
            let s = match state {
                TxnState::Begin => "begins",
                TxnState::Commit => "commits",
                TxnState::Abort => "aborts",
            };
            format!("{} {s} transaction {txn}", n(*node))
        }
        Ev::Read {
            node,
            partition,
            offset,
            msg,
            visible,
        } => {
            if *visible {
                format!(
                    "{} reads {} at partition {partition} offset {offset}",
                    n(*node),
                    txn_name(*msg)
                )
            } else {
                format!(
                    "{} passes over {} at offset {offset} (not committed)",
                    n(*node),
                    txn_name(*msg)
                )
            }
        }
        Ev::Outbox {
            node,
            msg,
            published,
        } => {
            if *published {
                format!("{} publishes outbox row {}", n(*node), txn_name(*msg))
            } else {
                format!(
                    "{} writes outbox row {} in the same transaction",
                    n(*node),
                    txn_name(*msg)
                )
            }
        }
        Ev::Knowledge { node, level } => format!("{} now knows to depth {level}", n(*node)),
        Ev::Decide { node, attack } => {
            if *attack {
                format!("{} decides to attack", n(*node))
            } else {
                format!("{} decides to hold back", n(*node))
            }
        }
        Ev::Operator { node, value, .. } => {
            format!(
                "an operator resets {}'s committed offset to {value}: its next read starts there, whatever it read before",
                n(*node)
            )
        }
    };
    body
}
