//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::event::{RejectWhy, SkipWhy};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{first_rejected, first_skip, messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "broker-eos",
    title: "Idempotent producer and transactions",
    promise: "watch a lost ack duplicate the log, and an aborted transaction leak into a ledger",
    sections: &[7],
    explain: &[
        "A producer writes each payment to a partition and waits for the broker's ack. When the ack is lost, the producer cannot tell a lost write from a lost ack, so it sends the payment again; a plain broker appends it a second time and the consumer credits the merchant twice.",
        "An idempotent producer gets a producer id and numbers its writes per partition. The broker appends a write only if its number is the next one; a repeat of one of the last few numbers is a retry, acknowledged but not appended again; a number that leaves a gap is refused (OutOfOrderSequence), so the log never holds the producer's writes out of order.",
        "That protection lasts one producer session. A producer that restarts without a transactional.id gets a new producer id, and the broker cannot link its retry to the old session's write. And the ledger is only as exact as its consumer: in every column the consumer stores its read position in the same transaction as its ledger rows, so its own restarts neither re-apply nor skip a record. Without that, the producer's care would be undone downstream.",
        "A transactional producer puts several payments, on several partitions, and its own input position into one transaction. If it aborts (here: by chance, and it then retries the payments in a fresh transaction), the aborted records stay in the log, marked. A read_uncommitted consumer has already credited them; a read_committed consumer waits until each transaction is decided and skips what was aborted.",
    ],
    params: &[
        messages_param(300, 8, "How many payments the producer writes."),
        param(
            "partitions",
            "Partitions",
            Unit::Count,
            1,
            4,
            2,
            "Partitions of the topic; a payment goes to partition merchant mod partitions.",
        ),
        param(
            "loss_ack_per_mille",
            "Ack loss",
            Unit::PerMille,
            0,
            900,
            250,
            "Chance that the broker's ack of one write is lost on the way back.",
        ),
        param(
            "abort_per_mille",
            "Abort chance",
            Unit::PerMille,
            0,
            900,
            250,
            "Chance that a transaction aborts (the producer then retries its payments in a new one).",
        ),
        param(
            "txn_size",
            "Payments per transaction",
            Unit::Count,
            1,
            10,
            3,
            "How many payments the transactional producer groups into one transaction.",
        ),
        param(
            "producer_crash_at",
            "Producer crash at",
            Unit::Ticks,
            0,
            5000,
            0,
            "The producer crashes at this tick and restarts 3 ticks later (0: never). Without a transactional.id it comes back with a new producer id.",
        ),
        param(
            "timeout_ticks",
            "Ack timeout",
            Unit::Ticks,
            1,
            50,
            6,
            "How long the producer waits for an ack before sending again (a round trip takes 4 ticks).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "An impatient producer",
            set: &[("timeout_ticks", 3), ("loss_ack_per_mille", 0)],
            watch: "no ack is lost, yet every write is retried before its ack can arrive: the plain log doubles, the sequence numbers absorb it",
            seed: 35,
            expect: &[
                Expect::new("plain-producer", Outcome::Doubled(8)),
                Expect::new("idempotent-producer", RETRY_ABSORBED),
                Expect::new("idempotent-producer", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Transactions that always commit",
            set: &[("abort_per_mille", 0)],
            watch: "with nothing aborted, read_uncommitted and read_committed agree",
            seed: 35,
            expect: &[
                Expect::new("txn-read-uncommitted", Outcome::Exact),
                Expect::new("txn-read-committed", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Flaky transactions",
            set: &[("abort_per_mille", 600), ("partitions", 4), ("txn_size", 5)],
            watch: "read_uncommitted credits every aborted attempt; read_committed shows them greyed out and skips them",
            seed: 35,
            expect: &[
                Expect::new(
                    "txn-read-uncommitted",
                    Outcome::Check("no aborted record applied", false),
                ),
                Expect::new("txn-read-committed", ABORTED_SKIPPED),
                Expect::new("txn-read-committed", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Restart the producer",
            set: &[("producer_crash_at", 4), ("loss_ack_per_mille", 0)],
            watch: "the producer crashes right after its first write lands, before the ack: restarted under a new producer id, the idempotent producer writes that payment again, while the transactional one keeps its transactional.id, aborts the open transaction and stays exact",
            seed: 0,
            expect: &[
                Expect::new("idempotent-producer", Outcome::Doubled(1)),
                Expect::new("txn-read-committed", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 35,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

/// The broker recognised a retried write by its sequence number.
const RETRY_ABSORBED: Outcome = Outcome::Custom {
    says: "the broker recognised a retried write by its sequence number",
    test: |_, t| first_rejected(t, RejectWhy::DuplicateSequence),
};

/// The read_committed consumer passed over a record of an aborted transaction.
const ABORTED_SKIPPED: Outcome = Outcome::Custom {
    says: "skipped the records of aborted transactions",
    test: |_, t| first_skip(t, SkipWhy::Aborted),
};
