//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "eos-boundary",
    title: "Where broker exactly-once stops",
    promise: "watch a replayed offset write every payment into the database twice",
    sections: &[7],
    explain: &[
        "Inside the broker, exactly-once holds: the upstream producer wrote the payments in transactions, one of them aborted and was rewritten, and the read_committed sink never sees the aborted copies.",
        "The sink's job ends outside the broker: it inserts each payment into a database and only then commits its offset. A database row is not part of a broker transaction, so a crash between the insert and the offset commit makes the broker hand the record over again, and the sink inserts it again.",
        "An operator resetting the consumer group's offset to replay is the same problem at scale: the broker does what it is told and redelivers everything after the new offset. Broker EOS cannot know those rows already exist.",
        "The reset breaks a pipeline that never leaves the broker, too. The third column writes each payment to an output topic and commits its input offset in the same transaction, so crashes cannot duplicate anything. But a transaction only ties a read to its write: once the operator moves the read position back, the sink reads the same input again and commits every output record a second time, each in a perfectly valid transaction.",
        "Give the table a unique constraint on the message id and the database itself refuses a second row for the same payment. Every replayed or redelivered record is skipped, and the state heals itself whatever the broker sends.",
    ],
    params: &[
        messages_param(300, 8, "How many payments the upstream producer wrote."),
        param(
            "crash_per_mille",
            "Sink crash chance",
            Unit::PerMille,
            0,
            500,
            50,
            "Chance that the sink crashes at each crash point (after the read, between insert and offset commit, after both) of each delivery.",
        ),
        param(
            "restart_ticks_max",
            "Restart time",
            Unit::Ticks,
            1,
            50,
            4,
            "A crashed sink comes back after 1 to this many ticks and resumes at the committed offset.",
        ),
        param(
            "offset_reset",
            "Operator resets the offset",
            Unit::Flag,
            0,
            1,
            1,
            "An operator resets the consumer group's committed offset to replay the partition.",
        ),
        param(
            "reset_at_ticks",
            "Reset at",
            Unit::Ticks,
            1,
            5000,
            40,
            "When the operator resets the offset.",
        ),
        param(
            "reset_to",
            "Reset to offset",
            Unit::Count,
            0,
            1000,
            0,
            "The offset the group is reset to (0: replay from the start; beyond the last read offset: records are skipped).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "No operator",
            set: &[("offset_reset", 0), ("crash_per_mille", 150)],
            watch: "crashes alone still sneak duplicate rows past broker EOS; the unique column catches them, and the broker-to-broker column stays exact because its transaction holds the write and the offset",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Doubled(1)),
                Expect::new("eos-unique-column", Outcome::Exact),
                Expect::new("eos-to-topic", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Reset mid-run",
            set: &[("reset_at_ticks", 12), ("reset_to", 1)],
            watch: "the sink jumps back while it is still working; the constrained table skips the rows it already has, while the table without it and the output topic get them twice",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Doubled(1)),
                Expect::new("eos-unique-column", Outcome::Exact),
                Expect::new("eos-to-topic", Outcome::Doubled(1)),
            ],
        },
        TryThis {
            label: "Reset forward",
            set: &[("reset_at_ticks", 5), ("reset_to", 9)],
            watch: "skipping ahead loses payments in every column: a dedup column removes copies, it cannot bring back what was never read",
            seed: 1,
            expect: &[
                Expect::new("eos-only", Outcome::Lost(1)),
                Expect::new("eos-unique-column", Outcome::Lost(1)),
                Expect::new("eos-to-topic", Outcome::Lost(1)),
            ],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
