//! §8 — idempotency keys for a charge API (payment-gateway style).
//!
//! Two clients charge merchants through an API server. Requests and responses
//! cross lossy links; a client that hears nothing before its timeout retries.
//! Without a key every retry that follows a lost *response* charges again. With
//! one key per logical charge, created before the first attempt and resent on
//! every retry, the server answers repeats from its key store. The
//! `fresh_key_bug` toggle makes the client mint a new key for each attempt: the
//! store never recognises a retry and the double charges come back.

use super::{finish, param};
use crate::sim::engine::{Actors, Engine, Item};
use crate::sim::event::{EntryKind, Ev, MsgKind, Payload, SkipWhy};
use crate::sim::fault::{Faults, HopFaults};
use crate::sim::ids::{MsgId, NodeId, Tick};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::rng::{workload_rng, Ratio};
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TechniqueRun,
    TryThis,
};
use rand::Rng;
use std::collections::BTreeMap;

pub struct IdempotencyKeys;

const CLIENT_A: NodeId = NodeId(0);
const CLIENT_B: NodeId = NodeId(1);
const SERVER: NodeId = NodeId(2);
const LEDGER: NodeId = NodeId(3);

/// Client → server requests.
const HOP_REQ: u8 = 0;
/// Server → client responses.
const HOP_RESP: u8 = 1;

const T_START: u8 = 0;
const T_TIMEOUT: u8 = 1;
const T_EXPIRE: u8 = 2;

/// One-way base latency of a request or response.
const LATENCY: Tick = 2;
/// Random extra latency per transmission (0..=JITTER).
const JITTER: Tick = 2;
/// Ticks between the starts of two logical charges.
const SPACING: Tick = 3;
/// With the bug, attempt `a` of charge `m` carries key `m + KEY_STRIDE * a`.
const KEY_STRIDE: u32 = 1000;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "idempotency-keys",
    title: "Idempotency keys for a charge API",
    promise: "watch a lost response charge a card twice — and one key per charge stop it",
    sections: &[8],
    explain: &[
        "A client asks the API server to charge a merchant. If the answer never comes back, the client cannot tell a lost request from a lost response, so it sends the request again. Without anything to recognise the repeat, the server charges a second time.",
        "With an idempotency key the client picks one key for the logical charge before its first try and sends that same key on every retry. The server stores key → response for a while (the key TTL); a repeat with a known key is answered from the store and nothing is charged.",
        "The keys only work if they stay the same across retries. Turn on the fresh-key bug and the client invents a new key for each attempt: every retry looks like a brand-new charge, and the double charges are back even though a key store exists.",
        "The store also needs to keep a key at least as long as a client may still retry. Shrink the TTL below the retry horizon and a slow retry finds its key gone.",
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
            "timeout_ticks",
            "Client timeout",
            Unit::Ticks,
            2,
            100,
            10,
            "How long a client waits for a response before retrying. A round trip takes 4 to 8 ticks.",
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
            "How long the server keeps key → response (a gateway keeps them for about a day).",
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
    ],
    try_this: &[
        TryThis {
            label: "Mint a new key on every retry",
            set: &[("fresh_key_bug", 1)],
            watch: "the keyed client now double-charges exactly like the one without keys",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "Lose half the responses",
            set: &[("loss_resp", 500), ("requests", 12)],
            watch: "many retries; without keys each one is another charge, with keys the store answers",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "Expire keys too early",
            set: &[("key_ttl_ticks", 4), ("timeout_ticks", 6), ("loss_resp", 500)],
            watch: "a retry arrives after its key expired and is charged again",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "Time out before the answer can arrive",
            set: &[("timeout_ticks", 3), ("loss_req", 0), ("loss_resp", 0)],
            watch: "no loss at all, yet impatient retries double-charge without keys",
            seed: 0,
            expect: &[],
        },
    ],
    showcase_seed: 4,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Tech {
    NoKey,
    Keyed { fresh_key_bug: bool },
}

#[derive(Clone, Debug, Default)]
struct Attempts {
    /// The attempt most recently sent.
    attempt: u16,
    /// A response arrived.
    done: bool,
}

struct World {
    tech: Tech,
    workload: Vec<Payment>,
    timeout: Tick,
    retries_max: u16,
    ttl: Tick,
    ledger: Ledger,
    clients: BTreeMap<MsgId, Attempts>,
    /// The server's key store: key → expiry tick.
    store: BTreeMap<u32, Tick>,
}

fn client_of(msg: MsgId) -> NodeId {
    if msg % 2 == 1 {
        CLIENT_A
    } else {
        CLIENT_B
    }
}

impl World {
    fn key_for(&self, msg: MsgId, attempt: u16) -> Option<u32> {
        match self.tech {
            Tech::NoKey => None,
            Tech::Keyed {
                fresh_key_bug: false,
            } => Some(msg),
            Tech::Keyed {
                fresh_key_bug: true,
            } => Some(msg + KEY_STRIDE * attempt as u32),
        }
    }

    fn send_attempt(&mut self, eng: &mut Engine, msg: MsgId, attempt: u16) {
        self.clients.entry(msg).or_default().attempt = attempt;
        let p = Payload {
            kind: MsgKind::Request,
            msg,
            key: self.key_for(msg, attempt),
            attempt,
        };
        let client = client_of(msg);
        eng.send(client, SERVER, HOP_REQ, p, LATENCY);
        eng.timer(self.timeout, client, T_TIMEOUT, msg, attempt);
    }

    fn charge(&mut self, eng: &mut Engine, msg: MsgId) {
        if let Some(pay) = self.workload.iter().find(|w| w.msg == msg).copied() {
            self.ledger.write(eng, LEDGER, pay.entry());
        }
    }

    fn on_request(&mut self, eng: &mut Engine, from: NodeId, p: Payload) {
        match p.key {
            None => self.charge(eng, p.msg),
            Some(key) => {
                if self.store.get(&key).is_some_and(|&exp| exp > eng.now) {
                    eng.emit(Ev::Skip {
                        node: SERVER,
                        msg: p.msg,
                        why: SkipWhy::StoredResponse,
                    });
                } else {
                    self.charge(eng, p.msg);
                    let expires = eng.now + self.ttl;
                    self.store.insert(key, expires);
                    eng.emit(Ev::DedupPut {
                        node: SERVER,
                        key,
                        expires: Some(expires),
                    });
                    eng.timer(self.ttl, SERVER, T_EXPIRE, key, 0);
                }
            }
        }
        let resp = Payload {
            kind: MsgKind::Response,
            ..p
        };
        eng.send(SERVER, from, HOP_RESP, resp, LATENCY);
    }
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, from: NodeId, _hop: u8, p: Payload) {
        match (to, p.kind) {
            (SERVER, MsgKind::Request) => self.on_request(eng, from, p),
            (_, MsgKind::Response) => {
                // Any response ends the charge for the client, whichever attempt it answers.
                self.clients.entry(p.msg).or_default().done = true;
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, kind: u8, msg: u32, attempt: u16) {
        match kind {
            T_START => self.send_attempt(eng, msg, 0),
            T_TIMEOUT => {
                let st = self.clients.entry(msg).or_default().clone();
                if st.done || st.attempt != attempt {
                    return;
                }
                eng.emit(Ev::Timeout {
                    node,
                    msg,
                    attempt,
                    suspect: None,
                    false_alarm: false,
                });
                if attempt < self.retries_max {
                    self.send_attempt(eng, msg, attempt + 1);
                }
            }
            T_EXPIRE if self.store.get(&msg) == Some(&eng.now) => {
                self.store.remove(&msg);
                eng.emit(Ev::DedupExpire {
                    node: SERVER,
                    key: msg,
                });
            }
            _ => {}
        }
    }
}

/// `requests` charges over three merchants, ₹100..₹2000 in steps of ₹100.
fn workload(seed: u64, n: usize) -> Vec<Payment> {
    let mut rng = workload_rng(seed);
    (1..=n as u32)
        .map(|msg| Payment {
            msg,
            merchant: rng.gen_range(0..3u8),
            amount: 100 * rng.gen_range(1..=20i64),
            kind: EntryKind::Add,
        })
        .collect()
}

fn nodes() -> Vec<NodeInfo> {
    vec![
        NodeInfo::new(0, "client A", NodeKind::Client, 10, 28),
        NodeInfo::new(1, "client B", NodeKind::Client, 10, 72),
        NodeInfo::new(2, "API server", NodeKind::ApiServer, 50, 50),
        NodeInfo::new(3, "charges ledger", NodeKind::Database, 88, 50),
    ]
}

fn run_technique(
    cfg: &RunConfig,
    params: &Params,
    work: &[Payment],
    id: &str,
    tech: Tech,
) -> TechniqueRun {
    let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
    faults.set_hop(
        HOP_REQ,
        HopFaults {
            loss: Ratio::per_mille(params.get("loss_req")),
            jitter_max: JITTER,
            ..HopFaults::NONE
        },
    );
    faults.set_hop(
        HOP_RESP,
        HopFaults {
            loss: Ratio::per_mille(params.get("loss_resp")),
            jitter_max: JITTER,
            ..HopFaults::NONE
        },
    );
    let timeout = params.ticks("timeout_ticks");
    let retries_max = params.get("retries_max") as u16;
    let ttl = params.ticks("key_ttl_ticks");
    let last_start = 1 + SPACING * work.len() as Tick;
    let end =
        last_start + (retries_max as Tick + 2) * (timeout + 2 * (LATENCY + JITTER)) + ttl + 10;
    let mut eng = Engine::new(4, end, faults);
    eng.schedule_timed_faults();
    for (i, w) in work.iter().enumerate() {
        eng.at(
            1 + SPACING * i as Tick,
            Item::Timer {
                node: client_of(w.msg),
                kind: T_START,
                msg: w.msg,
                attempt: 0,
            },
        );
    }
    let mut world = World {
        tech,
        workload: work.to_vec(),
        timeout,
        retries_max,
        ttl,
        ledger: Ledger::default(),
        clients: BTreeMap::new(),
        store: BTreeMap::new(),
    };
    eng.run(&mut world);
    let (label, claim) = match tech {
        Tech::NoKey => ("No idempotency key", Guarantee::None),
        Tech::Keyed {
            fresh_key_bug: false,
        } => ("Idempotency key per charge", Guarantee::ExactlyOnce),
        Tech::Keyed {
            fresh_key_bug: true,
        } => (
            "Idempotency key — new key per retry (bug)",
            Guarantee::ExactlyOnce,
        ),
    };
    finish(
        id,
        label,
        claim,
        nodes(),
        eng,
        world.ledger,
        work,
        Vec::new(),
    )
}

impl Scenario for IdempotencyKeys {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let work = workload(cfg.seed, params.get("requests") as usize);
        let fresh_key_bug = params.flag("fresh_key_bug");
        let techniques = vec![
            run_technique(cfg, params, &work, "no-key", Tech::NoKey),
            run_technique(
                cfg,
                params,
                &work,
                "idempotency-key",
                Tech::Keyed { fresh_key_bug },
            ),
        ];
        RunResult::assemble(&INFO, cfg, params, work, techniques)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{assert_holds, count, first_violating_seed, run_with};
    use crate::sim::event::{Ev, SkipWhy};

    const ID: &str = "idempotency-keys";

    #[test]
    fn showcase() {
        let seed = super::INFO.showcase_seed;
        let r = run_with(ID, seed, &[]);
        let truth: Vec<_> = r.truth_balances().into_iter().collect();
        let nk = r.technique("no-key").unwrap();
        let k = r.technique("idempotency-key").unwrap();
        assert!(!nk.verdict.exactly_once);
        assert!(k.verdict.holds && k.verdict.exactly_once);
        assert_eq!(k.ledger.balances().into_iter().collect::<Vec<_>>(), truth);
        // Seed 4: the responses to txn-1 and txn-3 are lost; both get retried.
        assert_eq!(truth, vec![(0, 2100), (2, 6100)]);
        assert_eq!(
            nk.ledger.balances().into_iter().collect::<Vec<_>>(),
            vec![(0, 2700), (2, 8000)]
        );
        assert_eq!(nk.verdict.applied_twice, vec![1, 3]);
        assert_eq!(nk.ledger.entries.len(), 8);
        assert_eq!(k.ledger.entries.len(), 6);
        assert_eq!(
            count(&r, "idempotency-key", |e| matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::StoredResponse,
                    ..
                }
            )),
            2
        );
    }

    #[test]
    fn keys_hold_on_10k_seeds() {
        // Retries long enough never to give up, TTL longer than the retry horizon.
        assert_holds(
            ID,
            &[("retries_max", 12), ("key_ttl_ticks", 400)],
            &["idempotency-key"],
            10_000,
        );
    }

    #[test]
    fn fresh_key_per_retry_double_charges() {
        let o = [("fresh_key_bug", 1)];
        let seed = first_violating_seed(ID, &o, "idempotency-key", 1000);
        assert_eq!(seed, Some(1));
        let r = run_with(ID, seed.unwrap(), &o);
        let v = &r.technique("idempotency-key").unwrap().verdict;
        assert!(!v.holds);
        // The retry of txn-5 carried a new key: charged twice, exactly like no key at all.
        assert_eq!(v.applied_twice, vec![5]);
        assert_eq!(
            r.technique("no-key").unwrap().verdict.applied_twice,
            vec![5]
        );
        assert!(v.lost.is_empty());
    }

    #[test]
    fn ttl_shorter_than_retry_horizon_double_charges() {
        let o = [
            ("key_ttl_ticks", 4),
            ("timeout_ticks", 6),
            ("loss_resp", 500),
        ];
        let seed = first_violating_seed(ID, &o, "idempotency-key", 1000);
        assert_eq!(seed, Some(0));
        let r = run_with(ID, seed.unwrap(), &o);
        let t = r.technique("idempotency-key").unwrap();
        assert_eq!(t.verdict.applied_twice, vec![1, 3, 4, 5, 6]);
        assert!(t
            .trace
            .iter()
            .any(|e| matches!(e.ev, Ev::DedupExpire { .. })));
    }

    #[test]
    fn no_key_double_charges() {
        let seed = first_violating_seed(ID, &[], "no-key", 1000);
        assert_eq!(seed, Some(1));
    }

    #[test]
    fn deterministic() {
        let a = run_with(ID, 77, &[("requests", 40)]);
        let b = run_with(ID, 77, &[("requests", 40)]);
        assert_eq!(a, b);
        assert_eq!(a.checksum(), b.checksum());
    }

    #[test]
    fn try_this_settings_are_valid() {
        for t in super::INFO.try_this {
            let r = run_with(ID, super::INFO.showcase_seed, t.set);
            assert!(!r.techniques.is_empty(), "{}", t.label);
        }
    }
}
