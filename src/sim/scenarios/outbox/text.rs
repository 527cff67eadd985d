//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::event::SkipWhy;
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{first_skip, param};

const NOTHING_LOST: Outcome = Outcome::Custom {
    says: "no order lost",
    test: |_, t| t.verdict.lost.is_empty().then_some(None),
};
const SKIPPED_BY_OUTBOX_ID: Outcome = Outcome::Custom {
    says: "billing skips a republished row by its outbox_id header",
    test: |_, t| first_skip(t, SkipWhy::SeenId),
};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "outbox",
    title: "Dual write vs the transactional outbox",
    promise: "watch a crash between database and broker lose one order and duplicate another",
    sections: &[9],
    explain: &[
        "The order service has two things to update: its own database and the broker that feeds billing. No transaction spans both. With a dual write it commits the order, then publishes; its producer retries until the broker answers and keeps unanswered publishes in a journal so it can resend them after a restart.",
        "That leaves two bad crash points. Crash right after the commit and the event never reached the journal: billing never hears of the order. Crash after the broker stored the event but before its answer was written down, and the restarted service sends it again, and this billing consumer has no dedup, so it charges twice. A lost answer from the broker does the same.",
        "The outbox fixes the first problem: the order row and an outbox row commit in one local transaction, so either both exist or neither does, and no order goes unannounced. A relay tails the database log (CDC), publishes each new row with its outbox_id in the message headers, retries until acknowledged, and records how far it got.",
        "It does not fix the second. A relay that misses the broker's ack, or crashes after publishing but before recording its progress, publishes again; the middle column, whose consumer has no dedup, charges those twice. Only the consumer can drop the repeat, and the last column does, by the outbox_id header.",
        "Why not one distributed transaction over the database and the broker? Two-phase commit needs a coordinator, holds locks in both systems while messages cross the network, and if the coordinator dies between the phases the participants stay blocked, locks held, until it comes back. A Kafka transaction cannot include Postgres anyway: it spans only Kafka partitions and offsets. The outbox needs one table, one relay and a dedup check instead.",
    ],
    params: &[
        param(
            "orders",
            "Orders",
            Unit::Count,
            1,
            300,
            8,
            "Orders placed, one every 8 ticks.",
        ),
        param(
            "crash",
            "Service crash",
            Unit::PerMille,
            0,
            1000,
            100,
            "Chance the order service crashes at each crash point: after the database commit, and (dual write) after publishing but before recording the broker's ack.",
        ),
        param(
            "relay_crash",
            "Relay crash",
            Unit::PerMille,
            0,
            1000,
            150,
            "Chance the relay crashes after a publish was acknowledged but before it recorded its progress.",
        ),
        param(
            "loss",
            "Publish loss",
            Unit::PerMille,
            0,
            500,
            30,
            "Chance the network loses a publish or its ack on the way between publisher and broker.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Crash a lot",
            set: &[("crash", 400), ("orders", 16)],
            watch: "dual write is short on some orders and over on others; neither outbox column loses an order, and with consumer dedup the ledger matches truth",
            seed: 20,
            expect: &[
                Expect::new("dual-write", Outcome::Lost(1)),
                Expect::new("dual-write", Outcome::Doubled(1)),
                Expect::new("outbox-no-dedup", NOTHING_LOST),
                Expect::new("outbox", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A crash-happy relay",
            set: &[("relay_crash", 700), ("crash", 0)],
            watch: "the relay republishes rows it already sent: the consumer without dedup charges them twice, the one with dedup skips them by their outbox_id header",
            seed: 20,
            expect: &[
                Expect::new("outbox-no-dedup", Outcome::Doubled(1)),
                Expect::new("outbox-no-dedup", NOTHING_LOST),
                Expect::new("outbox", Outcome::Exact),
                Expect::new("outbox", SKIPPED_BY_OUTBOX_ID),
            ],
        },
        TryThis {
            label: "No crashes at all",
            set: &[("crash", 0), ("relay_crash", 0), ("loss", 0)],
            watch: "on a good day dual write looks fine — the flaw only shows when something fails",
            seed: 20,
            expect: &[
                Expect::new("dual-write", Outcome::Exact),
                Expect::new("outbox", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 20,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
