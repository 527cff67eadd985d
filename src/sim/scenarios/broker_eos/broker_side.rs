//! The broker's and the consumer's side of a run: produce requests arriving, the
//! consumer fetching and applying records, and the dirty-read check.

use super::{ProducerMode, Timer, World, BROKER, CONSUMER, HOP_ACK, HOP_FETCH, PRODUCER};
use crate::sim::engine::Engine;
use crate::sim::event::{MsgKind, Payload, RejectWhy};
use crate::sim::invariants::Check;

impl World<'_> {
    pub(super) fn on_produce(&mut self, eng: &mut Engine<Timer>, p: Payload) {
        let Some(h) = self.headers.get(&(p.msg, p.attempt)).copied() else {
            return;
        };
        match self.mode {
            ProducerMode::Plain => {
                self.broker.append(eng, h.partition, p.msg, None);
            }
            ProducerMode::Idempotent | ProducerMode::Transactional => {
                // A write that leaves a gap is refused, not acknowledged: the
                // producer's timeout sends it again.
                if self
                    .broker
                    .append_idempotent(eng, h.partition, p.msg, h.txn, h.pid, h.seq)
                    == Err(RejectWhy::OutOfOrderSequence)
                {
                    return;
                }
            }
        }
        eng.send(
            BROKER,
            PRODUCER,
            HOP_ACK,
            Payload::new(MsgKind::Ack, p.msg, p.attempt),
            2,
        );
    }

    pub(super) fn poll(&mut self, eng: &mut Engine<Timer>) {
        let mut caught_up = true;
        let broker_up = eng.is_up(BROKER);
        for part in 0..self.partitions {
            if !broker_up {
                caught_up = false;
                continue;
            }
            let end = self.broker.readable_end(part, self.read_committed);
            while self.fetched[part as usize] < end {
                let offset = self.fetched[part as usize];
                self.fetched[part as usize] += 1;
                let Some((rec, at)) = self.broker.hand_over(part, offset) else {
                    break;
                };
                let attempt = self.sends.next((HOP_FETCH, rec.msg));
                self.fetching.insert((rec.msg, attempt), (part, offset));
                eng.send_reliable(
                    BROKER,
                    CONSUMER,
                    HOP_FETCH,
                    Payload::new(MsgKind::Record, rec.msg, attempt).in_log(at),
                    1,
                );
            }
            caught_up &= self.fetched[part as usize] >= self.broker.len(part);
        }
        let quiet = self.producer_done && eng.now > self.produce_until;
        if !(quiet && caught_up) {
            eng.timer(1, CONSUMER, Timer::Poll);
        }
    }

    pub(super) fn on_record(&mut self, eng: &mut Engine<Timer>, p: Payload) {
        let Some((part, offset)) = self.fetching.remove(&(p.msg, p.attempt)) else {
            return;
        };
        let Some((rec, visible)) =
            self.broker
                .read(eng, CONSUMER, part, offset, self.read_committed)
        else {
            return;
        };
        self.done_pos[part as usize] = offset + 1;
        if !visible {
            return;
        }
        let Some(pay) = self.workload.iter().find(|w| w.msg == rec.msg).copied() else {
            return;
        };
        if let Some(txn) = rec.txn {
            self.applied_txn.push((eng.trace.len(), txn));
        }
        self.ledger.write(eng, CONSUMER, pay.entry());
    }

    /// "No record of an aborted transaction was applied."
    pub(super) fn dirty_read_check(&self) -> Check {
        let dirty: Vec<(usize, u32)> = self
            .applied_txn
            .iter()
            .copied()
            .filter(|(_, t)| self.broker.status(*t) == Some(crate::sim::broker::TxnStatus::Aborted))
            .collect();
        Check {
            name: "no aborted record applied".to_string(),
            ok: dirty.is_empty(),
            detail: match dirty.first() {
                None => "every applied record belongs to a committed transaction".to_string(),
                Some((_, t)) => format!(
                    "applied {} record{} of aborted transactions (first: transaction {t})",
                    dirty.len(),
                    if dirty.len() == 1 { "" } else { "s" }
                ),
            },
            event: dirty.first().map(|(i, _)| *i),
        }
    }
}
