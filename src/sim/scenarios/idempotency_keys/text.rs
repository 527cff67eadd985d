//! What the learner reads about this scenario: explanation, parameters, try-this prompts.

use super::REUSER;
use crate::sim::event::{Ev, KeyState, RejectWhy, SkipWhy};
use crate::sim::params::Unit;
use crate::sim::promise::{Expect, Outcome};
use crate::sim::run::{ScenarioInfo, TryThis};
use crate::sim::scenarios::{first_rejected, first_skip, first_tick, param};

/// The keyed technique's id.
const K: &str = "idempotency-key";

const STORED_ANSWER: Outcome = Outcome::Custom {
    says: "a retry is answered from the stored response",
    test: |_, t| first_skip(t, SkipWhy::StoredResponse),
};
const KEY_EXPIRED: Outcome = Outcome::Custom {
    says: "a key expires before its retry",
    test: |_, t| {
        first_tick(t, |e| {
            matches!(
                e,
                Ev::KeyRecord {
                    state: KeyState::Expired,
                    ..
                }
            )
        })
    },
};
const CONFLICT_409: Outcome = Outcome::Custom {
    says: "a retry that overtakes the first try gets 409",
    test: |_, t| first_rejected(t, RejectWhy::KeyInFlight),
};
const REUSED_422: Outcome = Outcome::Custom {
    says: "txn-4 is refused with 422",
    test: |_, t| {
        first_tick(t, |e| {
            matches!(
                e,
                Ev::Rejected {
                    msg: REUSER,
                    why: RejectWhy::KeyReused,
                    ..
                }
            )
        })
    },
};
const CRASH_BEFORE_KEY: Outcome = Outcome::Custom {
    says: "the server crashes right after a charge, before recording its key",
    test: |_, t| {
        t.trace
            .windows(2)
            .find(|w| matches!((&w[0].ev, &w[1].ev), (Ev::Apply { .. }, Ev::Crash { .. })))
            .map(|w| Some(w[1].tick))
    },
};

pub(super) static INFO: ScenarioInfo = ScenarioInfo {
    id: "idempotency-keys",
    title: "Idempotency keys for a charge API",
    promise: "watch a lost response or a server crash charge a card twice — and one key per charge, recorded before charging, stop it",
    sections: &[8],
    explain: &[
        "A client asks the API server to charge a merchant. If the answer never comes back, the client cannot tell a lost request from a lost response or a crashed server, so it sends the request again. Without anything to recognise the repeat, the server charges a second time.",
        "With an idempotency key the client picks one key for the logical charge before its first try and sends that same key on every retry. The server records the key as in flight before it charges, then commits the charge and the stored response in one database transaction. A retry of a finished key gets the stored response back; a retry while the first try is still running gets 409 Conflict; the same key with different parameters gets 422. If the server crashes mid-charge, the in-flight key has no committed charge and is released, so the next retry runs it once.",
        "The order matters. Turn on the charge-first bug and the server charges, then records the key in a separate write: a crash between the two leaves a charge with no key, and the retry charges again. A retry that arrives while the first try is still running also finds no key.",
        "The keys only work if they stay the same across retries and are kept long enough. With the fresh-key bug every retry looks like a new charge. Shrink the TTL below the retry horizon and a slow retry finds its key gone.",
    ],
    params: &[
        param(
            "requests",
            "Charges",
            Unit::Count,
            1,
            500,
            6,
            "Logical charge requests, alternating between two clients.",
        ),
        param(
            "loss_req",
            "Request loss",
            Unit::PerMille,
            0,
            700,
            100,
            "Chance the network loses one attempt of a request on its way to the server.",
        ),
        param(
            "loss_resp",
            "Response loss",
            Unit::PerMille,
            0,
            700,
            250,
            "Chance the network loses a response: the charge happened, the client never hears of it.",
        ),
        param(
            "server_crash",
            "Server crash",
            Unit::PerMille,
            0,
            1000,
            100,
            "Chance the API server crashes in the middle of a charge, between its two steps.",
        ),
        param(
            "timeout_ticks",
            "Client timeout",
            Unit::Ticks,
            2,
            100,
            10,
            "How long a client waits for a response before retrying. A round trip takes 6 to 10 ticks, 2 of them charging.",
        ),
        param(
            "retries_max",
            "Retries",
            Unit::Count,
            0,
            30,
            4,
            "Retries after the first attempt before the client gives up.",
        ),
        param(
            "key_ttl_ticks",
            "Key TTL",
            Unit::Ticks,
            1,
            2000,
            100,
            "How long the server keeps a key and its stored response (a gateway keeps them for about a day).",
        ),
        param(
            "charge_first_bug",
            "Charge, then record the key (bug)",
            Unit::Flag,
            0,
            1,
            0,
            "The server charges first and records the key afterwards, in a separate write.",
        ),
        param(
            "fresh_key_bug",
            "Fresh key per retry (bug)",
            Unit::Flag,
            0,
            1,
            0,
            "The client makes a new idempotency key for every attempt instead of one per charge.",
        ),
        param(
            "reuse_key_bug",
            "Reuse a key (bug)",
            Unit::Flag,
            0,
            1,
            0,
            "Client B sends txn-4 with the key it used for txn-2. The server refuses it with 422, so txn-4 is not charged until the client fixes its key.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Mint a new key on every retry",
            set: &[("fresh_key_bug", 1)],
            watch: "the keyed client now double-charges exactly like the one without keys",
            seed: 4,
            expect: &[
                Expect::new("no-key", Outcome::Doubled(1)),
                Expect::new(K, Outcome::Doubled(1)),
            ],
        },
        TryThis {
            label: "Lose half the responses",
            set: &[("loss_resp", 500), ("requests", 12)],
            watch: "many retries; without keys each one is another charge, with keys the store answers",
            seed: 4,
            expect: &[
                Expect::new("no-key", Outcome::Doubled(1)),
                Expect::new(K, Outcome::Exact),
                Expect::new(K, STORED_ANSWER),
            ],
        },
        TryThis {
            label: "Expire keys too early",
            set: &[("key_ttl_ticks", 4), ("timeout_ticks", 6), ("loss_resp", 500)],
            watch: "a retry arrives after its key expired and is charged again",
            seed: 4,
            expect: &[
                Expect::new(K, Outcome::Doubled(1)),
                Expect::new(K, KEY_EXPIRED),
            ],
        },
        TryThis {
            label: "Time out before the answer can arrive",
            set: &[("timeout_ticks", 3), ("loss_req", 0), ("loss_resp", 0), ("server_crash", 0)],
            watch: "no loss at all, yet impatient retries double-charge without keys; with keys a retry that overtakes the first try gets 409",
            seed: 4,
            expect: &[
                Expect::new("no-key", Outcome::Doubled(1)),
                Expect::new(K, Outcome::Exact),
                Expect::new(K, CONFLICT_409),
            ],
        },
        TryThis {
            label: "Charge first, record the key after",
            set: &[("charge_first_bug", 1), ("server_crash", 300)],
            watch: "a crash between the charge and the key record: the retry finds no key and charges again",
            seed: 4,
            expect: &[
                Expect::new(K, Outcome::Doubled(1)),
                Expect::new(K, CRASH_BEFORE_KEY),
            ],
        },
        TryThis {
            label: "Reuse a key for another charge",
            set: &[("reuse_key_bug", 1)],
            watch: "the server refuses txn-4 with 422 instead of returning txn-2's response — txn-4 is never charged",
            seed: 0,
            expect: &[Expect::new(K, Outcome::Lost(1)), Expect::new(K, REUSED_422)],
        },
    ],
    showcase_seed: 4,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};
