//! §8 — idempotency keys for a charge API (payment-gateway style).
//!
//! Two clients charge merchants through an API server. Requests and responses
//! cross lossy links; a client that hears nothing before its timeout retries, and
//! the server may crash in the middle of handling a charge. Without a key every
//! retry that follows a lost response (or a crash) charges again.
//!
//! With one key per logical charge the server follows the real pattern: it first
//! records the key as *in flight* (with what the request asks for), then charges
//! and stores the response in one database transaction. A repeat of a stored key
//! gets the stored response; a repeat while the key is in flight gets 409; the same
//! key with different parameters gets 422. After a crash, an in-flight key whose
//! charge never committed is released so a retry can run it.
//!
//! Toggles break it on purpose: `charge_first_bug` charges first and records the
//! key afterwards in a separate write (a crash in between double-charges);
//! `fresh_key_bug` mints a new key per attempt; `reuse_key_bug` makes client B send
//! txn-4 with txn-2's key (the server refuses it with 422).

mod server;
mod text;

use super::prelude::*;
use crate::sim::broker::payments;
use crate::sim::event::KeyState;
use text::INFO;

nodes! {
    CLIENT_A: "client A", Client @ 10, 28;
    CLIENT_B: "client B", Client @ 10, 72;
    SERVER: "API server", ApiServer @ 50, 50;
    /// The payments database: the charges table and the idempotency-key table.
    DB: "payments DB", Database @ 88, 50;
}

hops! {
    /// Client → server requests.
    HOP_REQ;
    /// Server → client responses.
    HOP_RESP;
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// A client sends the first attempt of charge `msg`.
    Start { msg: MsgId },
    /// No final answer to this attempt yet: the client retries.
    Timeout { msg: MsgId, attempt: u16 },
    /// The server's second step of charge job `job` (if this life of it is current).
    Process { job: u32, life: Life },
    /// The key's TTL ends.
    Expire { key: u32 },
}

/// The server's crash point: between its two steps for a charge.
pub const POINT_MID_CHARGE: u8 = 1;

/// One-way base latency of a request or response.
const LATENCY: Tick = 2;
/// Random extra latency per transmission (0..=JITTER).
const JITTER: Tick = 2;
/// Ticks the server spends on a charge (the card network call) between its two steps.
const PROCESS: Tick = 2;
/// Ticks between the starts of two logical charges.
const SPACING: Tick = 3;
/// Longest a crashed server stays down.
const CRASH_DOWN_MAX: Tick = 6;
/// With the bug, attempt `a` of charge `m` carries key `m + KEY_STRIDE * a`.
const KEY_STRIDE: u32 = 1000;
/// With `reuse_key_bug`, this charge is sent with the key of `REUSED_FROM`.
const REUSER: MsgId = 4;
const REUSED_FROM: MsgId = 2;

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Tech {
    NoKey,
    Keyed {
        fresh_key_bug: bool,
        charge_first_bug: bool,
        reuse_key_bug: bool,
    },
}

techniques! {
    /// Which row of the technique table: the keyed one takes its bugs from the params.
    Mode;
    NoKey = "no-key", "No idempotency key", None;
    Keyed = "idempotency-key", "Idempotency key: record it in flight, then charge", ExactlyOnce;
}

/// A client's view of one logical charge.
#[derive(Clone, Debug, Default)]
struct ClientCharge {
    /// The attempt most recently sent.
    attempt: u16,
    /// A final response (200 or 422) arrived.
    done: bool,
}

/// A key-table row: the charge it was first used for, its state and expiry.
#[derive(Copy, Clone, Debug)]
struct KeyRow {
    msg: MsgId,
    state: KeyState,
    expires: Tick,
}

/// What the server answered an attempt with.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Answer {
    Ok,
    InFlight,
    Unprocessable,
}

struct World<'a> {
    tech: Tech,
    workload: &'a [Payment],
    timeout: Tick,
    retries_max: u16,
    ttl: Tick,
    crash: Ratio,
    ledger: Ledger,
    clients: BTreeMap<MsgId, ClientCharge>,
    /// The key table (durable, in the payments DB).
    store: BTreeMap<u32, KeyRow>,
    /// Charges being processed (volatile): job id → (client, request).
    jobs: BTreeMap<u32, (NodeId, Payload)>,
    next_job: u32,
    /// Database transactions committed so far: each has its own number, whatever it
    /// charges (with a fresh key per retry, one payment can commit in two of them).
    db_txns: u32,
    /// Bumped by a crash, so a charge that was running is not finished after it.
    life: Life,
    /// Crash points already decided (once per charge).
    decided: std::collections::BTreeSet<MsgId>,
    answers: BTreeMap<(MsgId, u16), Answer>,
}

fn client_of(msg: MsgId) -> NodeId {
    if msg % 2 == 1 {
        CLIENT_A
    } else {
        CLIENT_B
    }
}

impl World<'_> {
    fn key_for(&self, msg: MsgId, attempt: u16) -> Option<u32> {
        match self.tech {
            Tech::NoKey => None,
            Tech::Keyed {
                fresh_key_bug,
                reuse_key_bug,
                ..
            } => {
                let base = if reuse_key_bug && msg == REUSER {
                    REUSED_FROM
                } else {
                    msg
                };
                Some(if fresh_key_bug {
                    base + KEY_STRIDE * attempt as u32
                } else {
                    base
                })
            }
        }
    }

    fn send_attempt(&mut self, eng: &mut Engine<Timer>, msg: MsgId, attempt: u16) {
        self.clients.entry(msg).or_default().attempt = attempt;
        let p = Payload {
            kind: MsgKind::Request,
            msg,
            key: self.key_for(msg, attempt),
            attempt,
            resend: Resend::Retry,
            headers: None,
            at: None,
        };
        let client = client_of(msg);
        eng.send(client, SERVER, HOP_REQ, p, LATENCY);
        eng.timer(self.timeout, client, Timer::Timeout { msg, attempt });
    }
}

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, from, p, .. }: Delivery) {
        match (to, p.kind) {
            (SERVER, MsgKind::Request) => self.on_request(eng, from, p),
            // 200 or 422 ends the charge for the client, whichever attempt it answers;
            // after a 409 the client waits for its timeout and retries.
            (_, MsgKind::Response)
                if self.answers.get(&(p.msg, p.attempt)) != Some(&Answer::InFlight) =>
            {
                self.clients.entry(p.msg).or_default().done = true;
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match timer {
            Timer::Start { msg } => self.send_attempt(eng, msg, 0),
            Timer::Timeout { msg, attempt } => {
                let st = self.clients.entry(msg).or_default().clone();
                if st.done || st.attempt != attempt {
                    return;
                }
                if attempt < self.retries_max {
                    timed_out(eng, node, msg, attempt);
                    self.send_attempt(eng, msg, attempt + 1);
                } else {
                    gives_up(eng, node, msg, attempt);
                }
            }
            Timer::Process { job, life } if life == self.life => self.finish_job(eng, job),
            Timer::Expire { key } if self.store.get(&key).is_some_and(|r| r.expires == eng.now) => {
                self.forget(eng, key);
            }
            Timer::Process { .. } | Timer::Expire { .. } => {}
        }
    }

    fn on_crash(&mut self, _eng: &mut Engine<Timer>, node: NodeId) {
        if node == SERVER {
            self.life = self.life.next();
            self.jobs.clear();
        }
    }

    fn on_restart(&mut self, eng: &mut Engine<Timer>, node: NodeId) {
        if node != SERVER {
            return;
        }
        // Keys left in flight by the crash: their charge never committed (the charge
        // and the stored response commit together), so a retry may run them.
        let stale: Vec<(u32, MsgId)> = self
            .store
            .iter()
            .filter(|(_, r)| r.state == KeyState::InFlight)
            .map(|(k, r)| (*k, r.msg))
            .collect();
        for (key, msg) in stale {
            self.store.remove(&key);
            eng.emit(Ev::KeyRecord {
                node: DB,
                key,
                msg,
                state: KeyState::Released,
                expires: None,
            });
        }
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let work = payments(cfg.seed, params.get("requests") as u32, 3);
    let keyed = Tech::Keyed {
        fresh_key_bug: params.flag("fresh_key_bug"),
        charge_first_bug: params.flag("charge_first_bug"),
        reuse_key_bug: params.flag("reuse_key_bug"),
    };
    run_each(&INFO, cfg, params, work, &TECHNIQUES, |t, work| {
        let tech = match t.mode {
            Mode::NoKey => Tech::NoKey,
            Mode::Keyed => keyed,
        };
        let mut faults = Faults::for_run(cfg);
        faults.set_hop(
            HOP_REQ,
            HopFaults::lossy(params.chance("loss_req")).jittery(JITTER),
        );
        faults.set_hop(
            HOP_RESP,
            HopFaults::lossy(params.chance("loss_resp")).jittery(JITTER),
        );
        faults.crash_down_max = CRASH_DOWN_MAX;
        let timeout = params.ticks("timeout_ticks");
        let retries_max = params.get("retries_max") as u16;
        let ttl = params.ticks("key_ttl_ticks");
        let last_start = 1 + SPACING * work.len() as Tick;
        let end = last_start
            + (retries_max as Tick + 2)
                * (timeout + 2 * (LATENCY + JITTER) + PROCESS + CRASH_DOWN_MAX)
            + ttl
            + 10;
        let mut eng = Engine::start(NODES.len(), end, faults);
        for (i, w) in work.iter().enumerate() {
            let at = 1 + SPACING * i as Tick;
            eng.timer_at(at, client_of(w.msg), Timer::Start { msg: w.msg });
        }
        let mut world = World {
            tech,
            workload: work,
            timeout,
            retries_max,
            ttl,
            crash: params.chance("server_crash"),
            ledger: Ledger::default(),
            clients: BTreeMap::new(),
            store: BTreeMap::new(),
            jobs: BTreeMap::new(),
            next_job: 0,
            db_txns: 0,
            life: Life::default(),
            decided: Default::default(),
            answers: BTreeMap::new(),
        };
        eng.run(&mut world);
        let mut run = t.finish(Done::new(infos(&NODES), eng, world.ledger, work));
        if let Some(label) = bug_label(tech) {
            run.label = label.to_string();
        }
        run
    })
}

/// The keyed technique's label when one of its bugs is switched on.
fn bug_label(tech: Tech) -> Option<&'static str> {
    match tech {
        Tech::Keyed {
            fresh_key_bug: true,
            ..
        } => Some("Idempotency key — new key per retry (bug)"),
        Tech::Keyed {
            charge_first_bug: true,
            ..
        } => Some("Idempotency key — charge, then record the key (bug)"),
        Tech::Keyed {
            reuse_key_bug: true,
            ..
        } => Some("Idempotency key — one key reused for another charge (bug)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{CommitPart, Ev, KeyState, RejectWhy, SkipWhy};
    use crate::sim::run::TechniqueRun;

    const ID: &str = "idempotency-keys";
    const K: &str = "idempotency-key";

    fn keyed(r: &crate::sim::RunResult) -> &TechniqueRun {
        r.technique(K).unwrap()
    }

    /// Every charge of the correct pattern: its key was recorded in flight before,
    /// and the charge commits together with the stored response (the next event).
    fn key_recorded_before_each_charge(t: &TechniqueRun) -> Result<(), String> {
        for (i, e) in t.trace.iter().enumerate() {
            let Ev::Apply { entry, .. } = &e.ev else {
                continue;
            };
            let m = entry.msg;
            let before = t.trace[..i].iter().rposition(|x| {
                matches!(x.ev, Ev::KeyRecord { msg, state: KeyState::InFlight, .. } if msg == m)
            });
            if before.is_none() {
                return Err(format!(
                    "charge of {m} at tick {} with no key in flight",
                    e.tick
                ));
            }
            match t.trace.get(i + 1).map(|x| &x.ev) {
                Some(Ev::AtomicCommit { parts, .. })
                    if parts.contains(&CommitPart::Entry { msg: m })
                        && parts
                            .iter()
                            .any(|p| matches!(p, CommitPart::KeyRecord { .. })) => {}
                _ => return Err(format!("charge of {m} not committed with its key")),
            }
        }
        Ok(())
    }

    #[test]
    fn showcase_run() {
        let r = showcase(&super::INFO);
        let truth = truth(&r);
        let nk = r.technique("no-key").unwrap();
        let k = keyed(&r);
        assert!(!nk.verdict.exactly_once);
        assert!(k.verdict.holds && k.verdict.exactly_once);
        assert_eq!(k.ledger.balances().into_iter().collect::<Vec<_>>(), truth);
        // Seed 4: lost responses (txn-1, txn-3) and two server crashes mid-charge
        // (txn-2, txn-4): without keys all four are charged twice.
        assert_eq!(truth, vec![(0, 2100), (2, 6100)]);
        assert_eq!(nk.verdict.applied_twice, vec![1, 2, 3, 4]);
        assert_eq!(k.ledger.entries.len(), 6);
        key_recorded_before_each_charge(k).unwrap();
        // The crashes left keys 2 and 4 in flight: released at restart, run once later.
        let released: Vec<u32> = k
            .trace
            .iter()
            .filter_map(|e| match e.ev {
                Ev::KeyRecord {
                    key,
                    state: KeyState::Released,
                    ..
                } => Some(key),
                _ => None,
            })
            .collect();
        assert_eq!(released, vec![2, 4]);
        assert_eq!(
            count(&r, K, |e| matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::StoredResponse,
                    ..
                }
            )),
            2
        );
    }

    /// The stage's key table (View.keys): in flight after step 1, stored after the
    /// atomic commit, gone after a release.
    #[test]
    fn the_view_folds_the_key_table() {
        use crate::sim::replay::View;
        let r = showcase(&super::INFO);
        let k = keyed(&r);
        let at = |pred: &dyn Fn(&Ev) -> bool| k.trace.iter().position(|e| pred(&e.ev)).unwrap();
        let rec2 = at(&|e| {
            matches!(
                e,
                Ev::KeyRecord {
                    key: 2,
                    state: KeyState::InFlight,
                    ..
                }
            )
        });
        let v = View::of(&k.trace[..=rec2]);
        assert_eq!(
            v.keys.get(&(super::DB, 2)).map(|r| r.1),
            Some(KeyState::InFlight)
        );
        let rel2 = at(&|e| {
            matches!(
                e,
                Ev::KeyRecord {
                    key: 2,
                    state: KeyState::Released,
                    ..
                }
            )
        });
        assert!(!View::of(&k.trace[..=rel2])
            .keys
            .contains_key(&(super::DB, 2)));
        let commit1 = at(
            &|e| matches!(e, Ev::AtomicCommit { parts, .. } if parts.contains(&CommitPart::Entry { msg: 1 })),
        );
        let v = View::of(&k.trace[..=commit1]);
        assert_eq!(
            v.keys.get(&(super::DB, 1)).map(|r| (r.0, r.1)),
            Some((1, KeyState::Stored))
        );
        // After the last charge commits, all six keys are stored; after the TTL, none.
        let last = k
            .trace
            .iter()
            .rposition(|e| matches!(e.ev, Ev::AtomicCommit { .. }))
            .unwrap();
        let v = View::of(&k.trace[..=last]);
        assert_eq!(v.keys.len(), 6);
        assert!(v.keys.values().all(|r| r.1 == KeyState::Stored));
        assert!(View::of(&k.trace).keys.is_empty());
    }

    /// A payload without headers serializes exactly as before they existed, so the
    /// trace checksums of scenarios that do not use headers stay the same.
    #[test]
    fn payload_without_headers_serializes_as_before() {
        use crate::sim::event::{Headers, MsgKind, Payload};
        let p = Payload::new(MsgKind::Request, 3, 1);
        let j = serde_json::to_string(&p).unwrap();
        assert_eq!(j, r#"{"kind":"Request","msg":3,"key":3,"attempt":1}"#);
        let back: Payload = serde_json::from_str(&j).unwrap();
        assert_eq!(back, p);
        let h = Payload {
            headers: Some(Headers {
                outbox_id: Some(7),
                ..Headers::default()
            }),
            ..p
        };
        let j = serde_json::to_string(&h).unwrap();
        assert!(j.contains(r#""headers":{"outbox_id":7}"#), "{j}");
    }

    #[test]
    fn the_key_is_recorded_before_every_charge() {
        for seed in 0..300 {
            let r = run_with(ID, seed, &[("server_crash", 300), ("timeout_ticks", 4)]);
            key_recorded_before_each_charge(keyed(&r))
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
    }

    #[test]
    fn keys_hold_on_10k_seeds() {
        // Retries long enough never to give up, TTL longer than the retry horizon.
        assert_holds(
            ID,
            &[("retries_max", 12), ("key_ttl_ticks", 400)],
            &[K],
            10_000,
        );
    }

    #[test]
    fn keys_hold_under_crashes_and_impatient_clients() {
        assert_holds(
            ID,
            &[
                ("retries_max", 20),
                ("key_ttl_ticks", 1000),
                ("server_crash", 500),
                ("timeout_ticks", 3),
            ],
            &[K],
            2_000,
        );
    }

    #[test]
    fn charge_first_breaks_under_a_crash_between_charge_and_key() {
        let o = [("charge_first_bug", 1)];
        let r = run_with(ID, 4, &o);
        let t = keyed(&r);
        assert_eq!(t.verdict.applied_twice, vec![2, 4]);
        // txn-2 was charged, then the server crashed before recording key 2.
        let charged = t
            .trace
            .iter()
            .position(|e| matches!(e.ev, Ev::Apply { entry, .. } if entry.msg == 2))
            .unwrap();
        assert!(matches!(t.trace[charged + 1].ev, Ev::Crash { .. }));
        assert!(!t.trace[..charged + 2]
            .iter()
            .any(|e| matches!(e.ev, Ev::KeyRecord { key: 2, .. })));
        // Same order without crashes (and patient clients): it holds, so the crash is
        // what breaks it here.
        assert_holds(
            ID,
            &[
                ("charge_first_bug", 1),
                ("server_crash", 0),
                ("retries_max", 12),
                ("key_ttl_ticks", 400),
            ],
            &[K],
            1_000,
        );
    }

    #[test]
    fn a_retry_while_in_flight_gets_409_and_is_not_charged() {
        let o = [
            ("timeout_ticks", 3),
            ("loss_req", 0),
            ("loss_resp", 0),
            ("server_crash", 0),
        ];
        let r = run_with(ID, 1, &o);
        let k = keyed(&r);
        assert!(k.verdict.exactly_once);
        let conflicts = count(&r, K, |e| {
            matches!(
                e,
                Ev::Rejected {
                    why: RejectWhy::KeyInFlight,
                    ..
                }
            )
        });
        assert!(conflicts >= 1, "no 409 in {conflicts}");
        assert!(!verdict(&r, "no-key").applied_twice.is_empty());
    }

    #[test]
    fn a_reused_key_gets_422_and_nothing_is_charged() {
        let r = run_with(ID, 0, &[("reuse_key_bug", 1), ("loss_req", 0)]);
        let k = keyed(&r);
        assert!(
            count(&r, K, |e| matches!(
                e,
                Ev::Rejected {
                    msg: 4,
                    why: RejectWhy::KeyReused,
                    ..
                }
            )) >= 1
        );
        // Refused, not answered with txn-2's stored response: txn-4 is never charged.
        assert_eq!(k.verdict.lost, vec![4]);
        assert!(k.verdict.applied_twice.is_empty());
    }

    #[test]
    fn fresh_key_per_retry_double_charges() {
        let o = [("fresh_key_bug", 1)];
        let seed = first_violating_seed(ID, &o, K, 1000);
        assert_eq!(seed, Some(2));
        let r = run_with(ID, seed.unwrap(), &o);
        let v = &keyed(&r).verdict;
        assert!(!v.holds);
        assert!(!v.applied_twice.is_empty());
        assert!(v.lost.is_empty());
    }

    #[test]
    fn ttl_shorter_than_retry_horizon_double_charges() {
        let o = [
            ("key_ttl_ticks", 4),
            ("timeout_ticks", 6),
            ("loss_resp", 500),
        ];
        let seed = first_violating_seed(ID, &o, K, 1000);
        assert_eq!(seed, Some(0));
        let r = run_with(ID, seed.unwrap(), &o);
        let t = keyed(&r);
        assert!(!t.verdict.applied_twice.is_empty());
        assert!(t.trace.iter().any(|e| matches!(
            e.ev,
            Ev::KeyRecord {
                state: KeyState::Expired,
                ..
            }
        )));
    }

    #[test]
    fn no_key_double_charges() {
        let seed = first_violating_seed(ID, &[], "no-key", 1000);
        assert_eq!(seed, Some(1));
    }
}
