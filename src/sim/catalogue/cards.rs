//! The "common confusions" cards: a belief, why it is wrong, and the experiment that
//! refutes it — with the seed it opens with and what it promises, checked like a
//! try-this prompt ([`crate::sim::promise`]).

use crate::sim::event::{Ev, SkipWhy};
use crate::sim::ids::Tick;
use crate::sim::params::ParamSpec;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{RunResult, TechniqueRun};

/// One common confusion and the experiment that answers it.
pub struct Confusion {
    pub belief: &'static str,
    pub answer: &'static str,
    pub scenario: &'static str,
    /// Settings for the experiment; names the scenario does not declare are skipped.
    pub set: &'static [(&'static str, i64)],
    pub watch: &'static str,
    /// The seed the experiment opens with, chosen so that `expect` holds.
    pub seed: u64,
    /// What `watch` promises, as a check on the run.
    pub expect: &'static [Expect],
}

pub const CONFUSIONS: &[Confusion] = &[
    Confusion {
        belief: "“Delivered twice means processed twice.”",
        answer: "Delivery is what the network does; processing is what your state does. A message can arrive twice and still change the ledger once.",
        scenario: "walkthrough",
        set: &[],
        watch: "txn-3 is delivered twice to every handler; only the naive one writes it twice.",
        seed: 1,
        expect: &[
            Expect::new("naive", Outcome::Doubled(1)),
            Expect::new(
                "naive",
                Outcome::Custom {
                    says: "txn-3 delivered twice",
                    test: crate::sim::scenarios::walkthrough::txn3_delivered_twice,
                },
            ),
            Expect::new(
                "idempotent",
                Outcome::Custom {
                    says: "txn-3 delivered twice",
                    test: crate::sim::scenarios::walkthrough::txn3_delivered_twice,
                },
            ),
            Expect::new("idempotent", Outcome::Exact),
            Expect::new(
                "dedup",
                Outcome::Custom {
                    says: "txn-3 delivered twice",
                    test: crate::sim::scenarios::walkthrough::txn3_delivered_twice,
                },
            ),
            Expect::new("dedup", Outcome::Exact),
        ],
    },
    Confusion {
        belief: "“TCP already removes duplicates.”",
        answer: "TCP de-duplicates inside one connection. A retry after a lost ack is a new request the old connection never saw.",
        scenario: "delivery-semantics",
        set: &[("loss_req", 0), ("loss_ack", 400)],
        watch: "only acks are lost here: every retry is a request the receiver already applied, so at-least-once writes payments twice and only the consumer that remembers ids stays exact.",
        seed: crate::sim::scenarios::delivery_semantics::SEED_TCP_CARD,
        expect: &[
            crate::sim::promise::Expect::new("at-least-once", crate::sim::promise::Outcome::Doubled(1)),
            crate::sim::promise::Expect::new("exactly-once", crate::sim::promise::Outcome::Exact),
        ],
    },
    Confusion {
        belief: "“Our broker is exactly-once, so the whole pipeline is.”",
        answer: "Broker EOS covers read-transform-write inside the broker. A database write or an HTTP call outside it is at-least-once again. Even inside, a transaction only ties a read to its write: when an operator moves the offset back, the replay is committed a second time.",
        scenario: "eos-boundary",
        set: &[],
        watch: "the database write outside the broker is applied twice unless it dedups on a stable id — and after the operator's offset reset even the broker-only pipeline writes its output twice.",
        seed: 1,
        expect: &[
            Expect::new("eos-only", Outcome::Doubled(1)),
            Expect::new("eos-unique-column", Outcome::Exact),
            Expect::new("eos-to-topic", Outcome::Doubled(1)),
        ],
    },
    Confusion {
        belief: "“At-least-once plus idempotent — so why the debate?”",
        answer: "Some operations can be repeated safely (SET, upsert); many effects cannot — sending an email, calling a payment gateway. The only way to make those repeat-safe is a dedup record around them: an id kept somewhere, for some window. How long to keep it, where, and what that storage costs is a decision per workload — and a copy later than the window gets through.",
        scenario: "dedup-window",
        set: &[],
        watch: "copies can arrive later than the ids are kept: a late copy is applied again; kept forever, none is — but that table never stops growing.",
        seed: 2,
        expect: &[
            Expect::new("dedup-ttl", Outcome::Doubled(1)),
            Expect::new("dedup-forever", Outcome::Exact),
        ],
    },
    Confusion {
        belief: "“Two Generals is a puzzle about armies.”",
        answer: "It is every request with an acknowledgement. Whoever sent the last message can never know it arrived.",
        scenario: "two-generals",
        set: &[],
        watch: "on this seed the last messenger of the chain is caught and one general attacks alone; whether it is caught depends on the seed, so on another seed drop the last messenger by hand and the two sides disagree again.",
        seed: crate::sim::scenarios::two_generals::SEED_CARD,
        expect: &[crate::sim::promise::Expect::new(
            "n-rounds",
            crate::sim::scenarios::two_generals::SPLIT,
        )],
    },
    Confusion {
        belief: "“Idempotent means it has no side effects.”",
        answer: "Idempotent means running it twice leaves the same state as running it once — not that it does nothing. DELETE … WHERE id = k is idempotent and has an effect: the first run removes the row, a repeat finds nothing to remove. A refund sent on every call is a separate matter: it makes the handler non-idempotent even though its DELETE is, and the fix is to refund only when the DELETE reports one row affected — as this run's handler does.",
        scenario: "idempotent-ops",
        set: &[("dup", 1000), ("refund_if_deleted", 1)],
        watch: "every message arrives twice: each DELETE removes its row the first time and affects 0 rows the second, so the table ends right — the statement had its effect, once; this handler refunds only when a row was removed, so each cancelled payment is refunded once.",
        seed: 3,
        expect: &[
            Expect::new("delete", Outcome::Check("table state", true)),
            Expect::new(
                "delete",
                Outcome::Custom {
                    says: "every cancelled payment's DELETE ran again and affected 0 rows",
                    test: crate::sim::scenarios::idempotent_ops::every_delete_repeated,
                },
            ),
            Expect::new("delete", Outcome::Check("side effects", true)),
            Expect::new("delete", Outcome::Holds),
        ],
    },
    // S1
    Confusion {
        belief: "“Every workload needs exactly-once.” — Payments",
        answer: "Choose per workload. A payment applied twice moves money twice, so payments need exactly-once processing: retries for delivery, plus an id the ledger checks before it applies anything.",
        scenario: "walkthrough",
        set: &[],
        watch: "the naive handler credits a payment twice; the two handlers that check the payment id end exact.",
        seed: 0,
        expect: &[
            crate::sim::promise::Expect::new("naive", crate::sim::promise::Outcome::Doubled(1)),
            crate::sim::promise::Expect::new("idempotent", crate::sim::promise::Outcome::Exact),
            crate::sim::promise::Expect::new("dedup", crate::sim::promise::Outcome::Exact),
        ],
    },
    // S1
    Confusion {
        belief: "“Every workload needs exactly-once.” — An audit log",
        answer: "An audit log must not lose a record, but a repeated record is harmless when each carries its id: whoever queries the log counts each id once. At-least-once delivery with dedup at query time is enough.",
        scenario: "delivery-semantics",
        set: &[("loss_req", 0), ("loss_ack", 400)],
        watch: "at-least-once loses nothing and writes some payments twice; their entries carry the same id, so counting each id once gives the true totals.",
        seed: crate::sim::scenarios::delivery_semantics::SEED_AUDIT_CARD,
        expect: &[crate::sim::promise::Expect::new(
            "at-least-once",
            crate::sim::scenarios::delivery_semantics::AUDIT_DEDUP_AT_QUERY,
        )],
    },
    // S1
    Confusion {
        belief: "“Every workload needs exactly-once.” — Metrics",
        answer: "A per-second average of the samples that arrived is an unbiased estimate of the true one: a dropped sample moves it a little, up or down. Making every sample reliable costs an ack for each and a resend for each miss. Metrics like these can take at-most-once — unless the metric is a sum or a count, which falls short by every lost sample.",
        scenario: "telemetry",
        set: &[],
        watch: "fire-and-forget loses a sample, yet every published per-second average stays within the fidelity needed (the badge's threshold) — with no extra packets.",
        seed: 7,
        expect: &[crate::sim::promise::Expect::new(
            "fire-and-forget",
            crate::sim::scenarios::telemetry::LOST_YET_FAITHFUL,
        )],
    },
    Confusion {
        belief: "“Exactly-once is as easy on a queue as on a stream.”",
        answer: "A queue acks each message on its own and redelivers what it did not hear about (the walkthrough's broker): there is no position to store with your state, so every copy must be caught by its id. A stream gives the consumer one offset: write “read up to k” in the same transaction as the state, and a crash can neither repeat nor skip a record — no dedup table needed.",
        scenario: "atomic-commit",
        set: &[("crash_per_mille", 400), ("messages", 20)],
        watch: "the consumer crashes again and again; the one that commits its ledger row and its offset in one transaction keeps no dedup table and still ends exact, while the two-step consumers repeat or skip records.",
        seed: 1,
        expect: &[
            Expect::new(
                "atomic",
                Outcome::Custom {
                    says: "crashed, kept no dedup table, and ended exact",
                    test: crashed_without_dedup,
                },
            ),
            Expect::new("atomic", Outcome::Exact),
            Expect::new("non-atomic", Outcome::Doubled(1)),
            Expect::new("offset-first", Outcome::Lost(1)),
        ],
    },
    Confusion {
        belief: "“Any id will do for the destination to dedup on.”",
        answer: "The id must stay the same across every way a copy is made. A message id the producer puts in the message survives everything. A source offset (topic, partition, offset) survives redelivery but not a re-publish: the same message written again gets a new offset. Producer id × sequence number survives a producer's retry but not its restart without a transactional.id: it comes back with a new producer id and its retry looks new.",
        scenario: "broker-eos",
        set: &[("producer_crash_at", 4), ("loss_ack_per_mille", 0)],
        watch: "the producer restarts right after a write: the idempotent producer's new producer id makes its retry look new, and the payment is written twice; the transactional producer keeps its transactional.id and stays exact.",
        seed: 0,
        expect: &[
            Expect::new("idempotent-producer", Outcome::Doubled(1)),
            Expect::new("txn-read-committed", Outcome::Exact),
        ],
    },
    Confusion {
        belief: "“Replaying the log applies everything again.”",
        answer: "In event sourcing the log is the truth and the state is a projection of it. Replaying the log — to rebuild a projection, or after someone moves the offset back — hands every event over again; a projection that stores each event id with its state skips the ones it already applied. That makes exactly-once processing part of the structure, at a price: rebuilding a projection takes time, and every change to an event's schema must still read the old events.",
        scenario: "eos-boundary",
        set: &[],
        watch: "an operator moves the offset back and the log is replayed: the table keyed by message id skips every event it already has and ends exact, while the table without that key writes the replay a second time.",
        seed: 1,
        expect: &[
            Expect::new(
                "eos-unique-column",
                Outcome::Custom {
                    says: "after the offset reset, replayed events skipped by their id",
                    test: replay_skipped_by_id,
                },
            ),
            Expect::new("eos-unique-column", Outcome::Exact),
            Expect::new("eos-only", Outcome::Doubled(1)),
        ],
    },
];

/// The consumer crashed, never consulted a dedup table (no id skipped), and its
/// ledger is exact: the offset committed with the state did the work.
fn crashed_without_dedup(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let crash = t.trace.iter().find(|e| matches!(e.ev, Ev::Crash { .. }))?;
    let skipped = t.trace.iter().any(|e| matches!(e.ev, Ev::Skip { .. }));
    (!skipped && t.verdict.exactly_once).then_some(Some(crash.tick))
}

/// After an operator's offset reset, some replayed event was skipped by its id (the
/// unique constraint): the tick of the first such skip.
fn replay_skipped_by_id(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let reset = t
        .trace
        .iter()
        .position(|e| matches!(e.ev, Ev::Operator { .. }))?;
    t.trace[reset..]
        .iter()
        .find(|e| {
            matches!(
                e.ev,
                Ev::Skip {
                    why: SkipWhy::UniqueConstraint,
                    ..
                }
            )
        })
        .map(|e| Some(e.tick))
}

/// The settings of `set` that `specs` declares (so a link never sets an unknown parameter).
pub fn applicable(specs: &[ParamSpec], set: &[(&str, i64)]) -> Vec<(String, i64)> {
    set.iter()
        .filter(|(n, v)| specs.iter().any(|s| s.name == *n && s.check(*v).is_ok()))
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}
