//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::{
    cache_lets_more_through, holds_300_at_the_end, peaks_near_140, shrinks_after_peak, STORES,
};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{messages_param, param};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "dedup-window",
    title: "The dedup window",
    promise: "watch a late duplicate slip in after its id expired",
    sections: &[5],
    explain: &[
        "A dedup table remembers the ids of messages already processed and skips any message whose id it finds. It works for any operation, but it is storage: ids have to go again after a while, and that while (the TTL) is the dedup window.",
        "If a copy can arrive later than the window — here the network holds duplicates for up to the longest delay — its id is gone by then and the copy is applied a second time. How \"gone\" happens depends on the store (the Store setting).",
        "sql-table: a processed-messages table in the same database as the balances, so the id row and the credit commit together. A cleanup job deletes rows older than the TTL every few ticks; until it runs, a row past its TTL is still found and still stops a copy. ttl-cache: a side cache such as Redis; a key is gone the moment its TTL ends, and a lookup never returns an expired key.",
        "Where the table lives has a price. A side cache and the database are two writes that can disagree: crash after the credit but before the cache write and the redelivered copy is applied again; write the cache first and crash before the credit, and the payment is skipped for good. A broker's own dedup (an idempotent producer) only protects the broker's log, never your database.",
        "Keeping ids forever closes the gap but the table only ever grows. With a TTL the table levels off at roughly window × message rate, which is why the window should be the longest real delay times a safety margin, not a round number picked by feel.",
    ],
    params: &[
        messages_param(500, 20, "How many payments the broker delivers."),
        param(
            "rate_per_10_ticks",
            "Message rate",
            Unit::Count,
            1,
            100,
            2,
            "Payments delivered per 10 ticks.",
        ),
        param(
            "dup",
            "Duplication",
            Unit::PerMille,
            0,
            1000,
            300,
            "Chance that a payment is delivered a second time.",
        ),
        param(
            "dup_delay_max_ticks",
            "Longest duplicate delay",
            Unit::Ticks,
            1,
            500,
            60,
            "A duplicate arrives 1 to this many ticks after the original.",
        ),
        param(
            "ttl_ticks",
            "Dedup TTL",
            Unit::Ticks,
            1,
            1000,
            20,
            "How long an id is kept in the dedup-ttl table (the dedup window).",
        ),
        param(
            "store",
            "Store",
            Unit::Choice(STORES),
            0,
            1,
            0,
            "sql-table: rows older than the TTL are deleted by a periodic cleanup (found until then). ttl-cache: a key vanishes the moment its TTL ends.",
        ),
        param(
            "cleanup_every_ticks",
            "Cleanup period",
            Unit::Ticks,
            1,
            200,
            10,
            "sql-table only: how often the cleanup job deletes rows older than the TTL.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Window longer than the longest delay",
            set: &[("ttl_ticks", 60)],
            watch: "dedup-ttl becomes exact; its table is bigger but shrinks again once the payments stop",
            seed: 2,
            expect: &[
                Expect::new("dedup-ttl", Outcome::Exact),
                Expect::new(
                    "dedup-ttl",
                    Outcome::Custom {
                        says: "the table shrinks again after its peak",
                        test: shrinks_after_peak,
                    },
                ),
            ],
        },
        TryThis {
            label: "A long, busy run",
            set: &[("messages", 300), ("rate_per_10_ticks", 20), ("ttl_ticks", 60)],
            watch: "dedup-forever ends holding 300 ids; dedup-ttl peaks near (60-tick TTL + up to 10 ticks until the cleanup) × 2 ids per tick = 140 and then shrinks",
            seed: 0,
            expect: &[
                Expect::new(
                    "dedup-forever",
                    Outcome::Custom {
                        says: "ends holding 300 ids",
                        test: holds_300_at_the_end,
                    },
                ),
                Expect::new(
                    "dedup-ttl",
                    Outcome::Custom {
                        says: "peaks between 120 and 140 ids, then shrinks",
                        test: peaks_near_140,
                    },
                ),
            ],
        },
        TryThis {
            label: "Only prompt duplicates",
            set: &[("dup_delay_max_ticks", 15)],
            watch: "a 20-tick window is enough when no copy is later than 15 ticks, while no-dedup still applies copies",
            seed: 0,
            expect: &[
                Expect::new("dedup-ttl", Outcome::Exact),
                Expect::new("no-dedup", Outcome::Doubled(1)),
            ],
        },
        TryThis {
            label: "A cache instead of a table",
            set: &[("store", 1)],
            watch: "ids vanish the moment their TTL ends, so on some seeds (this one included) copies that the SQL table's slower cleanup still caught now get through",
            seed: 2,
            expect: &[Expect::new(
                "dedup-ttl",
                Outcome::Custom {
                    says: "more copies applied again than with the SQL table",
                    test: cache_lets_more_through,
                },
            )],
        },
    ],
    showcase_seed: 2,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
