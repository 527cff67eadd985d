//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::param;

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "walkthrough",
    title: "Five payments, one duplicate",
    promise: "watch one redelivered payment credit a merchant twice",
    sections: &[3],
    explain: &[
        "Five payment events reach a handler, which acks each one. The ack of txn-3 is lost, so the broker's redelivery timer fires and it hands txn-3 over a second time — brokers are allowed to: delivery is at-least-once.",
        "The naive handler adds every amount it sees, so m-B ends at ₹4000 instead of ₹2000.",
        "The idempotent handler makes the write itself safe: each merchant's row lists the payment ids applied to it, and one conditional write adds the amount and the id only if the id is not listed yet. The dedup-table handler first looks the id up in one global table of seen ids, whatever the operation. Both skip the copy and end at m-A ₹1800, m-B ₹2000.",
    ],
    params: &[
        param(
            "dup_txn3",
            "Lose the ack of txn-3",
            Unit::Flag,
            0,
            1,
            1,
            "The handler's ack of txn-3 is lost, so the broker redelivers txn-3.",
        ),
        param(
            "dup",
            "Network copies",
            Unit::PerMille,
            0,
            1000,
            0,
            "Chance that the network also delivers a record twice (a second copy of the same transmission, not a redelivery).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Turn off the redelivery",
            set: &[("dup_txn3", 0)],
            watch: "with no duplicate, even the naive handler is right",
            seed: 1,
            expect: &[
                Expect::new("naive", Outcome::Exact),
                Expect::new("idempotent", Outcome::Exact),
                Expect::new("dedup", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Duplicate everything",
            set: &[("dup", 1000), ("dup_txn3", 0)],
            watch: "the network delivers every record twice: the naive handler applies all four payments twice; the other two still match truth",
            seed: 1,
            expect: &[
                Expect::new("naive", Outcome::Doubled(4)),
                Expect::new("idempotent", Outcome::Exact),
                Expect::new("dedup", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
