//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::{every_balance_doubled, every_payment_doubled};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "idempotent-ops",
    title: "Idempotent operations",
    promise: "watch the same duplicate double an increment and leave a SET untouched",
    sections: &[4],
    explain: &[
        "An operation is idempotent when doing it twice leaves the same state as doing it once. The same duplicated messages hit five consumers that each record a payment with a different kind of write.",
        "So each column is judged by where it ends — the final balances, rows and refunds — not by how many writes it made. SET balance = <new total> runs twice for a copy, and the second write puts back the value that is already there.",
        "The upsert is INSERT … ON CONFLICT (merchant) DO UPDATE SET balance = <new total>: it rewrites the merchant's row every time (1 row affected), so it is idempotent by final state exactly like SET. (A variant that adds WHERE balance IS DISTINCT FROM the new value would report 0 rows for a copy; the row ends the same.)",
        "Idempotent is not order-proof. A copy that arrives late, after a newer payment, writes an older total back and rewinds the balance — try Late copies.",
        "balance = balance + amount is not idempotent: every copy adds again. DELETE … WHERE id = k is idempotent on the table, yet each run also sends the merchant a refund, so a copy refunds twice — idempotent is not the same as free of side effects.",
        "The only way to make the increment safe is to carry the message id into the write: \"add ₹100 unless txn-7 was already applied\". That is a dedup table, arriving by the back door.",
    ],
    params: &[
        messages_param(200, 8, "How many payment messages the producer sends."),
        param(
            "dup",
            "Duplication",
            Unit::PerMille,
            0,
            1000,
            500,
            "Chance that the network delivers a message twice.",
        ),
        param(
            "dup_delay_max_ticks",
            "Longest duplicate delay",
            Unit::Ticks,
            1,
            100,
            2,
            "A copy arrives 1 to this many ticks after the original; above 3 it can overtake the next payment.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Late copies",
            set: &[("dup_delay_max_ticks", 30)],
            watch: "a late copy of an old SET or upsert rewinds a balance: idempotent is not order-proof; the id-threaded increment is unaffected",
            seed: 3,
            expect: &[
                Expect::new("set", Outcome::Check("final state", false)),
                Expect::new("upsert", Outcome::Check("final state", false)),
                Expect::new("increment-with-id", Outcome::Holds),
            ],
        },
        TryThis {
            label: "Every message twice",
            set: &[("dup", 1000)],
            watch: "increment doubles every balance, delete refunds everything twice while its table ends right, SET and increment-with-id end right",
            seed: 3,
            expect: &[
                Expect::new(
                    "increment",
                    Outcome::Custom {
                        says: "every balance is twice the truth",
                        test: every_balance_doubled,
                    },
                ),
                Expect::new(
                    "delete",
                    Outcome::Custom {
                        says: "every payment refunded twice",
                        test: every_payment_doubled,
                    },
                ),
                Expect::new("delete", Outcome::Check("table state", true)),
                Expect::new("set", Outcome::Holds),
                Expect::new("increment-with-id", Outcome::Holds),
            ],
        },
        TryThis {
            label: "No duplicates",
            set: &[("dup", 0)],
            watch: "all five are right: the differences only show when a message arrives twice",
            seed: 3,
            expect: &[
                Expect::new("set", Outcome::Holds),
                Expect::new("increment", Outcome::Holds),
                Expect::new("upsert", Outcome::Holds),
                Expect::new("delete", Outcome::Holds),
                Expect::new("increment-with-id", Outcome::Holds),
            ],
        },
    ],
    showcase_seed: 3,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::FinalState,
};
