//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::DROP_CHOICES;
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::param;

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "key-threading",
    title: "Threading the key through a pipeline",
    promise: "watch one stage that forgets the key put duplicate balls on every viewer's screen",
    sections: &[10],
    explain: &[
        "Ball-by-ball commentary passes through three stages before it reaches the viewers. Every hop is at-least-once: the network sometimes delivers a message twice, and a sender that misses an ack sends again. So every stage remembers the keys it has seen — the ball's (match id, ball id) — and drops a repeat.",
        "That only works if the key arrives. Let one middle stage forward the ball without its key, for example because it builds a fresh message and copies only the text. That stage still dedups correctly on what it received, and every other stage is unchanged.",
        "Yet duplicates created after that stage can no longer be recognised: to the next stages and to the viewers a copy looks exactly like a new ball. Viewers see a boundary twice and the score runs ahead. Exactly-once processing across a pipeline needs the key on every hop, not just a correct dedup at each stage.",
    ],
    params: &[
        param(
            "balls",
            "Balls",
            Unit::Count,
            1,
            300,
            8,
            "Deliveries bowled; one enters the pipeline every 5 ticks.",
        ),
        param(
            "dup",
            "Duplication",
            Unit::PerMille,
            0,
            500,
            100,
            "Chance that a hop delivers a transmission twice.",
        ),
        param(
            "loss",
            "Loss",
            Unit::PerMille,
            0,
            500,
            50,
            "Chance that a hop loses a transmission or its ack; the sender retries after a timeout.",
        ),
        param(
            "drop_key_stage",
            "Stage that drops the key",
            Unit::Choice(DROP_CHOICES),
            0,
            3,
            2,
            "Which middle stage forwards balls without their key in the second pipeline (none: both pipelines keep it).",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Drop the key at the last stage",
            set: &[("drop_key_stage", 3)],
            watch: "only the last hop can sneak duplicates through — fewer, but still some",
            seed: 0,
            expect: &[
                Expect::new("one-stage-drops-key", Outcome::Doubled(1)),
                Expect::new("keyed-all-the-way", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Dedup only at the end?",
            set: &[("drop_key_stage", 1), ("balls", 20)],
            watch: "stage-1 forwards each ball as a new message without its key, so the viewer feed sees only the last hop's message: copies made on the three later hops reach the viewers as new balls. Dedup at the end needs the source's key, carried all the way",
            seed: 0,
            expect: &[
                Expect::new("one-stage-drops-key", Outcome::Doubled(2)),
                Expect::new("keyed-all-the-way", Outcome::Exact),
            ],
        },
        TryThis {
            label: "Keep the key everywhere",
            set: &[("drop_key_stage", 0)],
            watch: "both pipelines now agree with the real score",
            seed: 0,
            expect: &[
                Expect::new("keyed-all-the-way", Outcome::Exact),
                Expect::new("one-stage-drops-key", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A very noisy network",
            set: &[("dup", 500), ("loss", 300)],
            watch: "lots of copies everywhere; the keyed pipeline still shows each ball once",
            seed: 0,
            expect: &[
                Expect::new("keyed-all-the-way", Outcome::Exact),
                Expect::new("one-stage-drops-key", Outcome::Doubled(1)),
            ],
        },
    ],
    showcase_seed: 0,
    unit: crate::sim::ledger::LedgerUnit::Runs,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
