//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::{SEED_ACKS, SEED_COPYING, SEED_GIVE_UP, SEED_IMPATIENT};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "delivery-semantics",
    title: "At-most-once, at-least-once, exactly-once",
    promise: "watch a lost request short a merchant and a lost ack charge one twice",
    sections: &[2, 1],
    explain: &[
        "The same payments cross the same lossy network three times. When a message or its ack disappears, the producer cannot tell which of the two vanished: it only sees silence.",
        "Never retrying (at-most-once) means a lost request is a payment that never lands: the ledger ends short. Retrying until an ack arrives (at-least-once) means a lost ack triggers a second copy of a payment that already landed: the ledger ends over.",
        "No retry setting makes the wire deliver exactly once. The third column keeps the retries and lets the consumer remember which message ids it already applied, so a copy is skipped and simply acked again: duplicates still travel, but the balances come out exact.",
        "The guarantees hold within their assumptions: at-least-once needs enough retries to get through the loss rate, and at-most-once assumes the network itself never copies a message.",
    ],
    params: &[
        messages_param(500, 8, "How many payments the producer sends."),
        param(
            "loss_req",
            "Request loss",
            Unit::PerMille,
            0,
            1000,
            200,
            "Chance that a payment in flight to the consumer is lost.",
        ),
        param(
            "loss_ack",
            "Ack loss",
            Unit::PerMille,
            0,
            1000,
            200,
            "Chance that an ack in flight back to the producer is lost.",
        ),
        param(
            "timeout_ticks",
            "Retry timeout",
            Unit::Ticks,
            1,
            100,
            6,
            "How long the producer waits for an ack before retrying (a round trip takes 4 ticks).",
        ),
        param(
            "retries_max",
            "Max retries",
            Unit::Count,
            0,
            50,
            20,
            "Retries per payment before the producer gives up; too few and even at-least-once can lose one.",
        ),
        param(
            "dup",
            "Network duplication",
            Unit::PerMille,
            0,
            1000,
            0,
            "Chance that the network itself delivers a request twice (TCP would hide this inside one connection, but not across reconnects).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Lose only acks",
            set: &[("loss_req", 0), ("loss_ack", 400)],
            watch: "at-most-once is exact now, at-least-once piles up duplicates, exactly-once skips them",
            seed: SEED_ACKS,
            expect: &[
                Expect::new("at-most-once", Outcome::Exact),
                Expect::new("at-least-once", Outcome::Doubled(2)),
                Expect::new("exactly-once", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Impatient timeout",
            set: &[("timeout_ticks", 2), ("loss_req", 0), ("loss_ack", 0)],
            watch: "no loss at all, yet at-least-once double-applies: the retry fires before the ack can return",
            seed: SEED_IMPATIENT,
            expect: &[
                Expect::new("at-most-once", Outcome::Exact),
                Expect::new("at-least-once", Outcome::Doubled(1)),
                Expect::new("exactly-once", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Give up early",
            set: &[("retries_max", 1), ("loss_req", 500)],
            watch: "with too few retries at-least-once loses payments too: a payment whose try and single retry are both lost is gone (on most seeds, not all — it depends on the seed)",
            seed: SEED_GIVE_UP,
            expect: &[Expect::new("at-least-once", Outcome::Lost(1))],
        },
        TryThis {
            label: "A copying network",
            set: &[("dup", 300), ("loss_req", 0), ("loss_ack", 0)],
            watch: "even the sender that never retries gets a payment applied twice",
            seed: SEED_COPYING,
            expect: &[
                Expect::new("at-most-once", Outcome::Doubled(1)),
                Expect::new("exactly-once", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 2,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
