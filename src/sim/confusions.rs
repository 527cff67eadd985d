//! The "common confusions" cards: a belief, why it is wrong, and the experiment that
//! refutes it — with the seed it opens with and what it promises, checked like a
//! try-this prompt ([`super::promise`]).

use super::params::ParamSpec;
use super::promise::{Expect, Outcome};

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
                    test: super::scenarios::walkthrough::txn3_delivered_twice,
                },
            ),
            Expect::new(
                "idempotent",
                Outcome::Custom {
                    says: "txn-3 delivered twice",
                    test: super::scenarios::walkthrough::txn3_delivered_twice,
                },
            ),
            Expect::new("idempotent", Outcome::Exact),
            Expect::new(
                "dedup",
                Outcome::Custom {
                    says: "txn-3 delivered twice",
                    test: super::scenarios::walkthrough::txn3_delivered_twice,
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
        watch: "ids kept for 20 ticks, copies up to 60 ticks late: a late copy is applied again; kept forever, none is — but that table never stops growing.",
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
        watch: "on this seed the last messenger of the four is caught and one general attacks alone; whether it is caught depends on the seed, so on another seed drop the last messenger by hand and the two sides disagree again.",
        seed: crate::sim::scenarios::two_generals::SEED_CARD,
        expect: &[crate::sim::promise::Expect::new(
            "n-rounds",
            crate::sim::scenarios::two_generals::SPLIT,
        )],
    },
    Confusion {
        belief: "“Idempotent means it has no side effects.”",
        answer: "Idempotent means doing it twice leaves the same state as once. Deleting row 5 is idempotent — and it still deletes.",
        scenario: "idempotent-ops",
        set: &[("dup", 1000)],
        watch: "every message arrives twice: DELETE leaves the table right, yet every cancelled payment is refunded twice; SET still ends right.",
        seed: 3,
        expect: &[
            Expect::new("delete", Outcome::Check("table state", true)),
            Expect::new(
                "delete",
                Outcome::Custom {
                    says: "every payment refunded twice",
                    test: super::scenarios::idempotent_ops::every_payment_doubled,
                },
            ),
            Expect::new("set", Outcome::Holds),
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
        answer: "A dashboard of per-second averages barely moves when a sample is dropped, and making every sample reliable costs an ack and a retry each. Metrics can take at-most-once — unless the metric is a sum or a count, which falls short by every lost sample.",
        scenario: "telemetry",
        set: &[],
        watch: "fire-and-forget loses a sample, yet every published per-second average stays within the allowed 2% — with no extra packets.",
        seed: 7,
        expect: &[crate::sim::promise::Expect::new(
            "fire-and-forget",
            crate::sim::scenarios::telemetry::LOST_YET_FAITHFUL,
        )],
    },
];

/// The settings of `set` that `specs` declares (so a link never sets an unknown parameter).
pub fn applicable(specs: &[ParamSpec], set: &[(&str, i64)]) -> Vec<(String, i64)> {
    set.iter()
        .filter(|(n, v)| specs.iter().any(|s| s.name == *n && s.check(*v).is_ok()))
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}
