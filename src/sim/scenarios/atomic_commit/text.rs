//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "atomic-commit",
    title: "State and offset in one commit",
    promise: "watch a crash between two writes charge a merchant twice",
    sections: &[6],
    explain: &[
        "A consumer takes payment records from a log one offset at a time. For each it does two things: add the amount to the merchant's ledger row in the database, and remember how far it got (the committed offset). After a crash it forgets everything except what was made durable, and starts reading again at the committed offset.",
        "If the two writes are separate, a crash between them leaves them out of step. Ledger first, offset second: the record is read again after the restart and added a second time. Offset first, ledger second: the restart skips the record and the payment never lands.",
        "Put the offset in the database and write both in one transaction, and the gap disappears. Its commit is a single step that makes the ledger row and the offset durable together: a crash before it rolls back both, so the record is read again and applied once; a crash after it finds both done. The messages were still delivered more than once; only the state change happens once.",
    ],
    params: &[
        messages_param(500, 8, "How many payment records sit in the partition log."),
        param(
            "crash_per_mille",
            "Crash chance",
            Unit::PerMille,
            0,
            500,
            150,
            "Chance that the consumer crashes at each crash point (after the read, between the two writes, after both) of each delivery.",
        ),
        param(
            "restart_ticks_max",
            "Restart time",
            Unit::Ticks,
            1,
            50,
            4,
            "A crashed consumer comes back after 1 to this many ticks, with only its durable state.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "No crashes",
            set: &[("crash_per_mille", 0)],
            watch: "without a crash all three ledgers match the truth: the order of the writes only matters when something fails between them",
            seed: 1,
            expect: &[
                Expect::new("offset-first", Outcome::Exact),
                Expect::new("non-atomic", Outcome::Exact),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A crash-prone consumer",
            set: &[("crash_per_mille", 400), ("messages", 20)],
            watch: "ledger-first drifts over, offset-first drifts short, the one-transaction consumer stays exact",
            seed: 1,
            expect: &[
                Expect::new("non-atomic", Outcome::Doubled(1)),
                Expect::new("offset-first", Outcome::Lost(1)),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Many payments",
            set: &[("messages", 200), ("crash_per_mille", 50)],
            watch: "even a rare crash between the writes is enough to break the two-step consumers",
            seed: 1,
            expect: &[
                Expect::new("non-atomic", Outcome::Doubled(1)),
                Expect::new("offset-first", Outcome::Lost(1)),
                Expect::new("atomic", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
