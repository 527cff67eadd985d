//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::{BOTH_ATTACK, BOTH_HOME, SEED_DANGEROUS, SEED_EIGHT_ROUNDS, SPLIT};
use crate::sim::params::Unit;
use crate::sim::promise::Expect;
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::param;

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "two-generals",
    title: "Two Generals",
    promise: "watch one lost messenger leave one general attacking alone",
    sections: &[1, 12],
    explain: &[
        "Two generals must attack together or not at all, and can only talk through messengers who may be caught on the way. A sends the plan; B cannot be sure A knows it arrived unless it sends a messenger back; A cannot be sure that one arrived without sending another; and so on. Each arrival adds one level to \"A knows that B knows that A knows…\".",
        "Each column is a strategy that fixes how many messengers the chain has before the generals commit at dawn. The one who receives the last messenger attacks only if it arrives; the one who sends it has to decide without ever learning its fate. Lose any earlier messenger and both stay home; lose the last one and they split — for every chain length.",
        "The theorem: no protocol guarantees both that the generals agree and that they attack whenever every messenger gets through. (Always staying home agrees, but never attacks.) Adding rounds makes the split rarer, never impossible: there is always a last messenger. The table under the ladder measures it over many seeds.",
        "The same holds for a sender and a receiver of data. A sender either gives up after one try (at-most-once) or retries until it hears back (at-least-once); no number of retries turns the wire into exactly-once delivery.",
        "It gets worse without a clock. In an asynchronous system where even one process may crash, no deterministic protocol guarantees agreement (Fischer, Lynch and Paterson, 1985): a crashed process and a slow one look the same. Real systems decide with timeouts, which can be wrong about a process that is merely slow, so the honest promise is exactly-once processing under the same failure assumptions as everything else, with dedup and fencing cleaning up after a wrong guess.",
    ],
    params: &[
        param(
            "loss",
            "Messenger loss",
            Unit::PerMille,
            0,
            1000,
            200,
            "Chance that a messenger is caught on the way.",
        ),
        param(
            "rounds",
            "Rounds insisted on",
            Unit::Count,
            1,
            8,
            4,
            "How many messengers the third strategy's chain has before the generals commit.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "A perfect valley",
            set: &[("loss", 0)],
            watch: "every strategy agrees, yet the last messenger's sender still never knew it arrived",
            seed: 0,
            expect: &[
                Expect::new("order-only", BOTH_ATTACK),
                Expect::new("order-and-ack", BOTH_ATTACK),
                Expect::new("n-rounds", BOTH_ATTACK),
            ],
        },
        TryThis {
            label: "Insist on eight rounds",
            set: &[("rounds", 8), ("loss", 100)],
            watch: "disagreement gets rarer, not impossible: on most seeds all eight arrive or an early one is caught, and only some seeds catch the eighth — this one does, and one general attacks alone",
            seed: SEED_EIGHT_ROUNDS,
            expect: &[Expect::new("n-rounds", SPLIT)],
        },
        TryThis {
            label: "A dangerous valley",
            set: &[("loss", 500)],
            watch: "the four-messenger chain stops early and both stay home; the one-messenger order still splits them, because its only messenger is also its last",
            seed: SEED_DANGEROUS,
            expect: &[
                Expect::new("order-only", SPLIT),
                Expect::new("n-rounds", BOTH_HOME),
            ],
        },
    ],
    showcase_seed: 26,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::Agreement,
};
