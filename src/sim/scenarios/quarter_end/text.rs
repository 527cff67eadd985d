//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{no_timeout, param};

/// No session timeout fired.
const NO_ALARM: Outcome = Outcome::Custom {
    says: "no session timeout fired, so nothing was redelivered",
    test: |_, t| no_timeout(t),
};

/// Every balance matches the truth although some payment was written twice.
const BALANCED: Outcome = Outcome::Custom {
    says: "every balance matches the truth, though payments were written twice",
    test: |_, t| {
        let v = &t.verdict;
        (v.diffs.is_empty() && !v.applied_twice.is_empty()).then_some(None)
    },
};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "quarter-end",
    title: "The quarter-end incident",
    promise: "replay a GC pause whose duplicates hid behind ₹0 reversal pairs",
    sections: &[11, 12],
    explain: &[
        "A worker takes a batch of payment events from its partition, writes each one to the ledger and only then commits the offset. At quarter end it freezes in a long garbage-collection pause. Its heartbeats stop, the broker's session timeout fires, and the batch goes to a replacement worker. The timeout was a false alarm: the first worker was slow, not dead.",
        "When the first worker wakes it has no idea time passed. It finishes its batch and writes those payments too; only its offset commit is refused. Every payment of that batch is now in the ledger twice.",
        "The system as built had an old guard in the ledger that posts an inverted entry whenever it sees a payment id twice. So every duplicate comes with a reversal, each pair sums to ₹0, and every balance matches. Nobody notices — except that the ledger holds more entries than there were payments.",
        "Remove the guard and the duplicates show up as wrong balances. Add a processed-payments table with a unique payment id, written in the same transaction as the entry, and the second copy is refused: no extra entries at all.",
        "A timeout that lied. In an asynchronous system, where a message or a pause may take any time, no deterministic protocol can guarantee agreement if even one process may crash (Fischer, Lynch and Paterson, 1985). So real systems use timeouts, and a timeout that fires on a process that is only slow, like this GC pause, is a false positive. The honest claim is exactly-once processing under the same failure assumptions as the rest of the system, with dedup at the state (and fencing) making a wrong timeout harmless.",
    ],
    params: &[
        param(
            "payments",
            "Payments",
            Unit::Count,
            1,
            400,
            10,
            "Payment events in the partition.",
        ),
        param(
            "in_flight",
            "Batch size",
            Unit::Count,
            1,
            50,
            4,
            "Events a worker takes at once; the offset is committed after the whole batch.",
        ),
        param(
            "gc_pause_ticks",
            "GC pause",
            Unit::Ticks,
            0,
            500,
            40,
            "Length of the stop-the-world pause of worker-1 (0: no pause). The seed picks when it starts.",
        ),
        param(
            "session_timeout_ticks",
            "Session timeout",
            Unit::Ticks,
            4,
            300,
            12,
            "Ticks without a heartbeat (sent every 3 ticks) before the broker declares a worker dead.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "A short GC pause",
            set: &[("gc_pause_ticks", 8)],
            watch: "the pause ends before the session times out: no redelivery, no duplicates, no reversals",
            seed: 7,
            expect: &[
                Expect::new("as-built", NO_ALARM),
                Expect::new("as-built", Outcome::Exact),
                Expect::new("no-compensator", Outcome::Exact),
                Expect::new("real-dedup", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A bigger batch in flight",
            set: &[("in_flight", 8), ("payments", 16)],
            watch: "more events in flight means more duplicate + reversal pairs (more than the 4 of the default batch), still all balances match",
            seed: 7,
            expect: &[
                Expect::new("as-built", Outcome::Doubled(5)),
                Expect::new("as-built", BALANCED),
                Expect::new("real-dedup", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A patient session timeout",
            set: &[("session_timeout_ticks", 60)],
            watch: "a timeout longer than the pause never fires: the price is slower failover of a really dead worker",
            seed: 7,
            expect: &[
                Expect::new("as-built", NO_ALARM),
                Expect::new("as-built", Outcome::Exact),
                Expect::new("no-compensator", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 7,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
