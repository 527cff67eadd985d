//! A small Kafka-style broker model for the broker scenarios: partition logs, one
//! consumer group's committed offset, producer ids with per-partition sequence
//! numbers, producer epochs (fencing) and transactions. Pure state: every method
//! that changes something also records it in the trace.
//!
//! Event conventions: `LogAppend`, `Txn` and offset `Commit`s happen at the broker
//! node; `Rejected { why: DuplicateSequence }` is absorbed at the broker node;
//! `Fence` names the producer instance that now owns the new epoch and
//! `Rejected { why: Fenced }` names the zombie whose write was refused (as the
//! replay view expects).

use super::engine::Engine;
use super::event::{CommitPart, CommitWhat, EntryKind, Ev, LogAt, RejectWhy, SkipWhy, TxnState};
use super::ids::{MsgId, NodeId};
use super::ledger::Payment;
use super::rng::workload_rng;
use rand::Rng;
use std::collections::BTreeMap;

/// How many of a producer's latest writes per partition the broker remembers to
/// recognise a retry (Kafka keeps the last 5 batches).
pub const RECENT_WRITES: u32 = 5;

/// One record of a partition log.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    pub msg: MsgId,
    pub txn: Option<u32>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TxnStatus {
    Open,
    Committed,
    Aborted,
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub node: NodeId,
    pub logs: Vec<Vec<Rec>>,
    /// The consumer group's committed offset (next offset to read).
    pub committed: u32,
    txns: BTreeMap<u32, TxnStatus>,
    next_txn: u32,
    /// Producer id → current epoch.
    epochs: BTreeMap<u32, u32>,
    /// (producer id, partition) → last sequence number stored.
    seqs: BTreeMap<(u32, u8), u32>,
    /// Producer id → the instance that registered it last.
    owners: BTreeMap<u32, NodeId>,
    /// Producer id → its open transaction, if any.
    open: BTreeMap<u32, u32>,
    /// (partition, offset) → how many times that record was handed to a consumer.
    handed: BTreeMap<(u8, u32), u16>,
}

impl Broker {
    pub fn new(node: NodeId, partitions: u8) -> Broker {
        Broker {
            node,
            logs: vec![Vec::new(); partitions.max(1) as usize],
            committed: 0,
            txns: BTreeMap::new(),
            next_txn: 1,
            epochs: BTreeMap::new(),
            seqs: BTreeMap::new(),
            owners: BTreeMap::new(),
            open: BTreeMap::new(),
            handed: BTreeMap::new(),
        }
    }

    /// The record at `offset` handed to a consumer once more: the record, and where
    /// it sits with its delivery number (per record) and copy number (per payment).
    pub fn hand_over(&mut self, partition: u8, offset: u32) -> Option<(Rec, LogAt)> {
        let rec = self.rec(partition, offset)?;
        let n = self.handed.entry((partition, offset)).or_insert(0);
        let delivery = *n;
        *n += 1;
        let copy = self.logs[partition as usize][..offset as usize]
            .iter()
            .filter(|r| r.msg == rec.msg)
            .count() as u16;
        let at = LogAt {
            partition,
            offset,
            delivery,
            copy,
        };
        Some((rec, at))
    }

    pub fn len(&self, partition: u8) -> u32 {
        self.logs
            .get(partition as usize)
            .map_or(0, |l| l.len() as u32)
    }

    pub fn rec(&self, partition: u8, offset: u32) -> Option<Rec> {
        self.logs
            .get(partition as usize)
            .and_then(|l| l.get(offset as usize))
            .copied()
    }

    /// Append a record; returns its offset.
    pub fn append<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        partition: u8,
        msg: MsgId,
        txn: Option<u32>,
    ) -> u32 {
        debug_assert!(
            (partition as usize) < self.logs.len(),
            "append to partition {partition} of {}",
            self.logs.len()
        );
        let i = (partition as usize).min(self.logs.len() - 1);
        let offset = self.logs[i].len() as u32;
        self.logs[i].push(Rec { msg, txn });
        eng.emit(Ev::LogAppend {
            node: self.node,
            partition: i as u8,
            offset,
            msg,
            txn,
        });
        offset
    }

    /// An idempotent producer's write with sequence number `seq` on `partition`
    /// (sequences are per producer id and partition, and start at 0):
    ///
    /// * `seq == last + 1` (or 0 for a producer id's first write): appended;
    /// * `seq` equal to one of the last [`RECENT_WRITES`] stored: a retry of a recent
    ///   write (its ack was lost) — acknowledged, not appended again
    ///   (`DuplicateSequence`);
    /// * anything else — a gap, or older than what the broker remembers: refused
    ///   (`OutOfOrderSequence`), so the log never holds a producer's writes out of order.
    #[allow(clippy::too_many_arguments)]
    pub fn append_idempotent<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        partition: u8,
        msg: MsgId,
        txn: Option<u32>,
        pid: u32,
        seq: u32,
    ) -> Result<u32, RejectWhy> {
        let last = self.seqs.get(&(pid, partition)).copied();
        let next = last.map_or(0, |l| l + 1);
        let why = match last {
            _ if seq == next => None,
            Some(l) if seq <= l && l - seq < RECENT_WRITES => Some(RejectWhy::DuplicateSequence),
            _ => Some(RejectWhy::OutOfOrderSequence),
        };
        if let Some(why) = why {
            eng.emit(Ev::Rejected {
                node: self.node,
                msg,
                why,
            });
            return Err(why);
        }
        self.seqs.insert((pid, partition), seq);
        Ok(self.append(eng, partition, msg, txn))
    }

    /// Commit the consumer group's offset (the next offset to read).
    pub fn commit_offset<T: Copy>(&mut self, eng: &mut Engine<T>, value: u32) {
        self.committed = value;
        eng.emit(Ev::Commit {
            node: self.node,
            what: CommitWhat::Offset,
            value,
        });
    }

    pub fn begin<T: Copy>(&mut self, eng: &mut Engine<T>) -> u32 {
        let txn = self.next_txn;
        self.next_txn += 1;
        self.txns.insert(txn, TxnStatus::Open);
        eng.emit(Ev::Txn {
            node: self.node,
            txn,
            state: TxnState::Begin,
        });
        txn
    }

    /// Read-process-write: commit the open transaction `txn` holding the output
    /// record of `msg` together with the input offset `next` (one atomic step).
    pub fn commit_record_and_offset<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        txn: u32,
        msg: MsgId,
        next: u32,
    ) {
        let parts = vec![
            CommitPart::Entry { msg },
            CommitPart::Offset { value: next },
        ];
        self.commit_atomic(eng, txn, parts);
    }

    /// Commit the open transaction `txn` as one atomic step: its records become
    /// visible and, if `parts` holds an offset, the consumer group's committed offset
    /// moves there — one [`Ev::AtomicCommit`] listing both.
    pub fn commit_atomic<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        txn: u32,
        parts: Vec<CommitPart>,
    ) {
        if self.txns.get(&txn) != Some(&TxnStatus::Open) {
            return;
        }
        self.txns.insert(txn, TxnStatus::Committed);
        for p in &parts {
            if let CommitPart::Offset { value } = *p {
                self.committed = value;
            }
        }
        eng.emit(Ev::AtomicCommit {
            node: self.node,
            txn,
            parts,
        });
    }

    /// Write the commit or abort marker of an open transaction.
    pub fn end<T: Copy>(&mut self, eng: &mut Engine<T>, txn: u32, commit: bool) {
        if self.txns.get(&txn) != Some(&TxnStatus::Open) {
            return;
        }
        let (status, state) = if commit {
            (TxnStatus::Committed, TxnState::Commit)
        } else {
            (TxnStatus::Aborted, TxnState::Abort)
        };
        self.txns.insert(txn, status);
        eng.emit(Ev::Txn {
            node: self.node,
            txn,
            state,
        });
    }

    pub fn status(&self, txn: u32) -> Option<TxnStatus> {
        self.txns.get(&txn).copied()
    }

    /// Does `rec` belong to an aborted transaction?
    pub fn aborted(&self, rec: Rec) -> bool {
        rec.txn
            .is_some_and(|t| self.status(t) == Some(TxnStatus::Aborted))
    }

    /// `node` reads record `offset` of `partition`, and the trace shows it; a
    /// read_committed reader passes over a record of an aborted transaction (the
    /// trace says so). Returns the record and whether the reader may use it.
    pub fn read<T: Copy>(
        &self,
        eng: &mut Engine<T>,
        node: NodeId,
        partition: u8,
        offset: u32,
        read_committed: bool,
    ) -> Option<(Rec, bool)> {
        let rec = self.rec(partition, offset)?;
        let visible = !(read_committed && self.aborted(rec));
        eng.emit(Ev::Read {
            node,
            partition,
            offset,
            msg: rec.msg,
            visible,
        });
        if !visible {
            eng.emit(Ev::Skip {
                node,
                msg: rec.msg,
                why: SkipWhy::Aborted,
            });
        }
        Some((rec, visible))
    }

    /// Where a reader's fetch stops: the log end for read_uncommitted; for
    /// read_committed the first record of a still-open transaction (the last
    /// stable offset).
    pub fn readable_end(&self, partition: u8, read_committed: bool) -> u32 {
        let Some(log) = self.logs.get(partition as usize) else {
            return 0;
        };
        if !read_committed {
            return log.len() as u32;
        }
        log.iter()
            .position(|r| {
                r.txn
                    .is_some_and(|t| self.status(t) == Some(TxnStatus::Open))
            })
            .unwrap_or(log.len()) as u32
    }

    /// A transaction of producer `pid` begins (the coordinator remembers it as the
    /// producer's open transaction until it ends).
    pub fn begin_for<T: Copy>(&mut self, eng: &mut Engine<T>, pid: u32) -> u32 {
        let txn = self.begin(eng);
        self.open.insert(pid, txn);
        txn
    }

    /// The producer's open transaction, if any.
    pub fn open_txn(&self, pid: u32) -> Option<u32> {
        self.open
            .get(&pid)
            .copied()
            .filter(|t| self.status(*t) == Some(TxnStatus::Open))
    }

    /// A new instance of transactional id `pid` registers: the coordinator bumps the
    /// epoch, which fences every older instance, and aborts the open transaction of
    /// the old epoch. `instance` is the node that now owns the epoch.
    pub fn register<T: Copy>(&mut self, eng: &mut Engine<T>, instance: NodeId, pid: u32) -> u32 {
        let epoch = self.epochs.get(&pid).map_or(0, |e| e + 1);
        self.epochs.insert(pid, epoch);
        let fenced = self
            .owners
            .insert(pid, instance)
            .filter(|old| *old != instance);
        let aborted = self.open_txn(pid);
        // A new epoch numbers its writes from 0 again.
        self.seqs.retain(|(p, _), _| *p != pid);
        eng.emit(Ev::Fence {
            node: instance,
            epoch,
            fenced,
            aborted,
        });
        if let Some(t) = aborted {
            self.end(eng, t, false);
        }
        epoch
    }

    /// Accept a write of `pid` at `epoch`, or refuse it as a fenced zombie's.
    pub fn check_epoch<T: Copy>(
        &mut self,
        eng: &mut Engine<T>,
        writer: NodeId,
        msg: MsgId,
        pid: u32,
        epoch: u32,
    ) -> bool {
        let current = self.epochs.get(&pid).copied().unwrap_or(0);
        if epoch < current {
            eng.emit(Ev::Rejected {
                node: writer,
                msg,
                why: RejectWhy::Fenced,
            });
            return false;
        }
        true
    }
}

/// `n` payments numbered from 1, spread over `merchants` merchants, amounts
/// ₹100..=₹2000 in steps of ₹100 (drawn from the run's workload generator).
pub fn payments(seed: u64, n: u32, merchants: u8) -> Vec<Payment> {
    payments_in_steps(seed, n, merchants, 100, 20)
}

/// `n` payments numbered from 1, spread over `merchants` merchants, amounts
/// `step` × 1..=`steps` (drawn from the run's workload generator).
pub fn payments_in_steps(seed: u64, n: u32, merchants: u8, step: i64, steps: i64) -> Vec<Payment> {
    let mut rng = workload_rng(seed);
    (1..=n)
        .map(|msg| Payment {
            msg,
            merchant: rng.gen_range(0..merchants.max(1)),
            amount: step * rng.gen_range(1..=steps.max(1)),
            kind: EntryKind::Add,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fault::Faults;

    #[test]
    fn sequences_fencing_and_last_stable_offset() {
        let mut eng = Engine::<()>::new(3, 100, Faults::new(1, false, &[]));
        let mut b = Broker::new(NodeId(0), 2);
        assert_eq!(b.append_idempotent(&mut eng, 0, 1, None, 7, 0), Ok(0));
        assert_eq!(
            b.append_idempotent(&mut eng, 0, 1, None, 7, 0),
            Err(RejectWhy::DuplicateSequence)
        );
        // Sequences are per partition.
        assert_eq!(b.append_idempotent(&mut eng, 1, 2, None, 7, 0), Ok(0));
        let t = b.begin(&mut eng);
        b.append(&mut eng, 0, 3, Some(t));
        b.append(&mut eng, 0, 4, None);
        assert_eq!(b.readable_end(0, true), 1);
        assert_eq!(b.readable_end(0, false), 3);
        b.end(&mut eng, t, false);
        assert_eq!(b.readable_end(0, true), 3);
        assert!(b.aborted(b.rec(0, 1).unwrap()));
        assert!(!b.aborted(b.rec(0, 2).unwrap()));
        assert_eq!(b.register(&mut eng, NodeId(1), 9), 0);
        let open = b.begin_for(&mut eng, 9);
        assert_eq!(b.register(&mut eng, NodeId(2), 9), 1);
        // The new epoch fences worker 1 and aborts the old epoch's open transaction.
        assert_eq!(b.status(open), Some(TxnStatus::Aborted));
        assert!(eng.trace.iter().any(|e| e.ev
            == Ev::Fence {
                node: NodeId(2),
                epoch: 1,
                fenced: Some(NodeId(1)),
                aborted: Some(open)
            }));
        assert!(!b.check_epoch(&mut eng, NodeId(1), 5, 9, 0));
        assert!(b.check_epoch(&mut eng, NodeId(2), 5, 9, 1));
        assert_eq!(payments(3, 5, 3), payments(3, 5, 3));
    }

    /// The three sequence rules: `last + 1` is appended, a repeat of a recent write is
    /// a duplicate, a gap (or a write older than the broker remembers) is refused.
    #[test]
    fn sequence_rules() {
        let mut eng = Engine::<()>::new(3, 100, Faults::new(1, false, &[]));
        let mut b = Broker::new(NodeId(0), 1);
        // A producer id's first write must carry sequence 0.
        assert_eq!(
            b.append_idempotent(&mut eng, 0, 1, None, 7, 1),
            Err(RejectWhy::OutOfOrderSequence)
        );
        for seq in 0..7 {
            assert_eq!(
                b.append_idempotent(&mut eng, 0, seq + 1, None, 7, seq),
                Ok(seq)
            );
        }
        // Last stored: 6. A repeat of any of the last five (2..=6) is a duplicate.
        for seq in 2..=6 {
            assert_eq!(
                b.append_idempotent(&mut eng, 0, seq + 1, None, 7, seq),
                Err(RejectWhy::DuplicateSequence),
                "seq {seq}"
            );
        }
        // Older than the broker remembers: it cannot tell, so it refuses.
        assert_eq!(
            b.append_idempotent(&mut eng, 0, 2, None, 7, 1),
            Err(RejectWhy::OutOfOrderSequence)
        );
        // A gap is refused, and does not move the sequence on.
        assert_eq!(
            b.append_idempotent(&mut eng, 0, 9, None, 7, 8),
            Err(RejectWhy::OutOfOrderSequence)
        );
        assert_eq!(b.append_idempotent(&mut eng, 0, 8, None, 7, 7), Ok(7));
        assert_eq!(b.len(0), 8);
        // Another producer id (a restarted producer without a transactional id) starts
        // again at 0: the broker cannot link its writes to the old id's.
        assert_eq!(b.append_idempotent(&mut eng, 0, 8, None, 8, 0), Ok(8));
        let rejected = |w: RejectWhy| {
            eng.trace
                .iter()
                .filter(|e| matches!(e.ev, Ev::Rejected { why, .. } if why == w))
                .count()
        };
        assert_eq!(rejected(RejectWhy::DuplicateSequence), 5);
        assert_eq!(rejected(RejectWhy::OutOfOrderSequence), 3);
        let nodes = [crate::sim::run::NodeInfo::new(
            0,
            "broker",
            crate::sim::run::NodeKind::Broker,
            0,
            0,
        )];
        let story =
            crate::sim::narrate::render(&eng.trace, &nodes, crate::sim::ledger::LedgerUnit::Rupees);
        assert!(story.contains(
            "broker refuses a write of txn-9: its sequence number is neither the next one nor a recent one it could recognise (OutOfOrderSequence)"
        ));
        assert!(story.contains("broker recognises a retried write of txn-3"));
    }
}
