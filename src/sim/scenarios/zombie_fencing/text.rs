//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::{FALSE_ALARM, NO_ALARM};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "zombie-fencing",
    title: "Fencing a zombie worker",
    promise: "watch a worker frozen by GC wake up and write a payment twice",
    sections: &[7, 12],
    explain: &[
        "Worker-1 turns input records into ledger records, one broker transaction per record: it writes the output record, then commits it together with its input offset. Its heartbeats stop when a long garbage-collection pause freezes the whole process. The coordinator cannot tell a frozen process from a dead one: after the session timeout it declares worker-1 dead and hands the work to worker-2, which starts again from the last committed offset.",
        "That timeout was a false alarm. Worker-1 wakes up with no idea that time passed and commits the record it was holding, which worker-2 has processed too. Without fencing both commits land: the merchant is credited twice, and the zombie's commit carries its old input offset, so the committed offset moves back — a restart at that moment would read those records again.",
        "With fencing, both instances use the same transactional.id. When worker-2 registers it, the coordinator bumps the epoch, which fences every request still carrying the old one, and aborts the transaction the old epoch left open. The zombie's late commit is refused and worker-1 stands down.",
        "A timeout that lied. In an asynchronous system, where a message or a pause may take any time, no deterministic protocol can guarantee agreement if even one process may crash (Fischer, Lynch and Paterson, 1985). Real systems decide with timeouts anyway, and a timeout that fires on a process that is only slow, like this GC pause, is a false positive. Fencing does not make the timeout right; it makes the wrong guess harmless.",
    ],
    params: &[
        messages_param(300, 8, "How many payment records wait in the input partition."),
        param(
            "session_timeout_ticks",
            "Session timeout",
            Unit::Ticks,
            2,
            200,
            8,
            "Silence (no heartbeat) after which the coordinator declares worker-1 dead.",
        ),
        param(
            "gc_pause_ticks",
            "GC pause",
            Unit::Ticks,
            1,
            300,
            14,
            "How long worker-1 stops the world (plus up to the jitter).",
        ),
        param(
            "pause_at_tick",
            "Pause at",
            Unit::Ticks,
            1,
            2000,
            10,
            "When worker-1's GC pause starts (plus up to the jitter).",
        ),
        param(
            "pause_jitter_ticks",
            "Pause jitter",
            Unit::Ticks,
            0,
            100,
            4,
            "Random extra delay of the pause's start and extra length, drawn from the seed.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "A short pause",
            set: &[("gc_pause_ticks", 3), ("pause_jitter_ticks", 0)],
            watch: "the pause ends before the session times out: no false alarm, no worker-2, both ledgers exact",
            seed: 5,
            expect: &[
                Expect::new("no-fencing", NO_ALARM),
                Expect::new("no-fencing", Outcome::Exact),
                Expect::new("fencing", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A patient coordinator",
            set: &[("session_timeout_ticks", 40)],
            watch: "a longer timeout survives the pause too, at the price of noticing a really dead worker later",
            seed: 5,
            expect: &[
                Expect::new("no-fencing", NO_ALARM),
                Expect::new("no-fencing", Outcome::Exact),
                Expect::new("fencing", Outcome::Exact),
            ],
        },
        TryThis {
            label: "A jumpy coordinator",
            set: &[("session_timeout_ticks", 2), ("gc_pause_ticks", 3)],
            watch: "even a tiny pause is now mistaken for a death; without fencing the zombie writes twice, with fencing the ledger stays exact",
            seed: 5,
            expect: &[
                Expect::new("fencing", FALSE_ALARM),
                Expect::new("no-fencing", Outcome::Doubled(1)),
                Expect::new("fencing", Outcome::Exact),
            ],
        },
    ],
    showcase_seed: 5,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
