//! §5 — the dedup table and its window.
//!
//! A broker hands payments to a consumer; the network sometimes delivers a copy,
//! up to `dup_delay_max_ticks` late. The consumer keeps the ids it processed in a
//! dedup table:
//!
//! * `no-dedup`: no table, every copy is applied;
//! * `dedup-ttl`: each id expires `ttl_ticks` after it was stored and a periodic
//!   cleanup deletes expired rows; a copy arriving after its row was deleted is
//!   applied again (the window was shorter than the longest delay);
//! * `dedup-forever`: ids never expire — exact, but the table grows with every
//!   message ever processed.

use super::{finish, param};
use crate::sim::engine::{Actors, Engine, Item};
use crate::sim::event::{EntryKind, Ev, MsgKind, Payload, SkipWhy};
use crate::sim::fault::{Faults, HopFaults};
use crate::sim::ids::{txn_name, MsgId, NodeId, Tick};
use crate::sim::invariants::Check;
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::rng::{workload_rng, Ratio};
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TryThis,
};
use rand::Rng;
use std::collections::BTreeMap;

pub struct DedupWindow;

const BROKER: NodeId = NodeId(0);
const CONSUMER: NodeId = NodeId(1);
const HOP: u8 = 0;
/// One-way delay broker → consumer.
const BASE: Tick = 2;

const T_SEND: u8 = 0;
const T_CLEANUP: u8 = 1;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "dedup-window",
    title: "The dedup window",
    promise: "watch a late duplicate slip in after its id expired",
    sections: &[5],
    explain: &[
        "A dedup table remembers the ids of messages already processed and skips any message whose id it finds. It works for any operation, but it is storage: rows have to expire, and a periodic cleanup deletes the expired ones.",
        "The time a row is kept (the TTL) is the dedup window. If a copy can arrive later than that — here the network holds duplicates for up to the maximum delay — its id is already gone and the copy is applied a second time.",
        "Keeping ids forever closes the gap but the table only ever grows. With a TTL the table levels off at roughly window × message rate, which is why the window should be the longest real delay times a safety margin, not a round number picked by feel.",
    ],
    params: &[
        param(
            "messages",
            "Payments",
            Unit::Count,
            1,
            500,
            20,
            "How many payments the broker delivers.",
        ),
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
            "How long an id stays valid in the dedup-ttl table (the dedup window).",
        ),
        param(
            "cleanup_every_ticks",
            "Cleanup period",
            Unit::Ticks,
            1,
            200,
            10,
            "How often the cleanup job deletes expired ids.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Window longer than the longest delay",
            set: &[("ttl_ticks", 60)],
            watch: "dedup-ttl becomes exact; its table is bigger but stops growing",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "A long, busy run",
            set: &[("messages", 300), ("rate_per_10_ticks", 20), ("ttl_ticks", 60)],
            watch: "dedup-forever holds 300 ids at the end; dedup-ttl levels off near 60 ticks × 2 per tick",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "Only prompt duplicates",
            set: &[("dup_delay_max_ticks", 15)],
            watch: "a 20-tick window is enough when no copy is later than 15 ticks",
            seed: 0,
            expect: &[],
        },
    ],
    showcase_seed: 2,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

#[derive(Copy, Clone, PartialEq, Eq)]
enum Mode {
    NoDedup,
    Ttl,
    Forever,
}

/// The payments: merchants m-A..m-C, amounts ₹100..₹2000 in steps of ₹100.
pub fn workload(seed: u64, messages: usize) -> Vec<Payment> {
    let mut rng = workload_rng(seed);
    (0..messages)
        .map(|i| Payment {
            msg: i as MsgId + 1,
            merchant: rng.gen_range(0..3u8),
            amount: 100 * rng.gen_range(1..=20i64),
            kind: EntryKind::Add,
        })
        .collect()
}

/// When the `i`-th payment (0-based) leaves the broker.
fn send_tick(i: usize, rate_per_10: u32) -> Tick {
    1 + (i as Tick * 10) / rate_per_10.max(1)
}

struct World {
    mode: Mode,
    workload: BTreeMap<MsgId, Payment>,
    ledger: Ledger,
    ttl: Tick,
    cleanup_every: Tick,
    /// Last tick a cleanup is scheduled for.
    cleanup_until: Tick,
    /// id → last tick it is valid (None: forever).
    table: BTreeMap<MsgId, Option<Tick>>,
    /// First application of each message: (tick).
    applied_at: BTreeMap<MsgId, Tick>,
    /// When the cleanup deleted each id.
    expired_at: BTreeMap<MsgId, Tick>,
    /// Copies applied again after their id expired: (msg, trace index, tick).
    late: Vec<(MsgId, usize, Tick)>,
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, _from: NodeId, _hop: u8, p: Payload) {
        if to != CONSUMER {
            return;
        }
        let Some(pay) = self.workload.get(&p.msg).copied() else {
            return;
        };
        if self.mode != Mode::NoDedup {
            if self.table.contains_key(&pay.msg) {
                eng.emit(Ev::Skip {
                    node: CONSUMER,
                    msg: pay.msg,
                    why: SkipWhy::SeenId,
                });
                return;
            }
            let expires = (self.mode == Mode::Ttl).then_some(eng.now + self.ttl);
            self.table.insert(pay.msg, expires);
            eng.emit(Ev::DedupPut {
                node: CONSUMER,
                key: pay.msg,
                expires,
            });
        }
        if self.applied_at.contains_key(&pay.msg) && self.mode == Mode::Ttl {
            self.late.push((pay.msg, eng.trace.len(), eng.now));
        }
        self.applied_at.entry(pay.msg).or_insert(eng.now);
        self.ledger.write(eng, CONSUMER, pay.entry());
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, kind: u8, msg: u32, _attempt: u16) {
        match (node, kind) {
            (BROKER, T_SEND) => {
                eng.send(
                    BROKER,
                    CONSUMER,
                    HOP,
                    Payload::new(MsgKind::Record, msg, 0),
                    BASE,
                );
            }
            (CONSUMER, T_CLEANUP) => {
                let now = eng.now;
                let gone: Vec<MsgId> = self
                    .table
                    .iter()
                    .filter(|(_, e)| e.is_some_and(|t| t < now))
                    .map(|(k, _)| *k)
                    .collect();
                for k in gone {
                    self.table.remove(&k);
                    self.expired_at.insert(k, now);
                    eng.emit(Ev::DedupExpire {
                        node: CONSUMER,
                        key: k,
                    });
                }
                if now + self.cleanup_every <= self.cleanup_until {
                    eng.timer(self.cleanup_every, CONSUMER, T_CLEANUP, 0, 0);
                }
            }
            _ => {}
        }
    }
}

fn nodes() -> Vec<NodeInfo> {
    vec![
        NodeInfo::new(0, "broker", NodeKind::Broker, 15, 50),
        NodeInfo::new(1, "consumer", NodeKind::Consumer, 75, 50),
    ]
}

impl Scenario for DedupWindow {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let messages = params.get("messages") as usize;
        let rate = params.ticks("rate_per_10_ticks").max(1);
        let dup_delay_max = params.ticks("dup_delay_max_ticks").max(1);
        let ttl = params.ticks("ttl_ticks");
        let cleanup_every = params.ticks("cleanup_every_ticks").max(1);
        let workload = workload(cfg.seed, messages);
        let last_send = send_tick(messages.saturating_sub(1), rate);
        // Long enough for the latest copy to land and for every TTL row to be cleaned.
        let cleanup_until = last_send + BASE + dup_delay_max + ttl + cleanup_every + 1;
        let end = cleanup_until + 1;
        let techniques = [
            ("no-dedup", "No dedup table", Mode::NoDedup, Guarantee::None),
            (
                "dedup-ttl",
                "Dedup table with TTL",
                Mode::Ttl,
                Guarantee::ExactlyOnce,
            ),
            (
                "dedup-forever",
                "Dedup table kept forever",
                Mode::Forever,
                Guarantee::ExactlyOnce,
            ),
        ]
        .into_iter()
        .map(|(id, label, mode, claim)| {
            let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
            faults.set_hop(
                HOP,
                HopFaults {
                    dup: Ratio::per_mille(params.get("dup")),
                    dup_delay_max,
                    ..HopFaults::NONE
                },
            );
            let mut eng = Engine::new(2, end, faults);
            eng.schedule_timed_faults();
            for (i, w) in workload.iter().enumerate() {
                eng.at(
                    send_tick(i, rate),
                    Item::Timer {
                        node: BROKER,
                        kind: T_SEND,
                        msg: w.msg,
                        attempt: 0,
                    },
                );
            }
            if mode == Mode::Ttl {
                eng.at(
                    cleanup_every,
                    Item::Timer {
                        node: CONSUMER,
                        kind: T_CLEANUP,
                        msg: 0,
                        attempt: 0,
                    },
                );
            }
            let mut world = World {
                mode,
                workload: workload.iter().map(|p| (p.msg, *p)).collect(),
                ledger: Ledger::default(),
                ttl,
                cleanup_every,
                cleanup_until,
                table: BTreeMap::new(),
                applied_at: BTreeMap::new(),
                expired_at: BTreeMap::new(),
                late: Vec::new(),
            };
            eng.run(&mut world);
            let checks = checks(mode, &world, &eng, ttl, rate);
            finish(
                id,
                label,
                claim,
                nodes(),
                eng,
                world.ledger,
                &workload,
                checks,
            )
        })
        .collect();
        RunResult::assemble(&INFO, cfg, params, workload, techniques)
    }
}

/// "late duplicate" (TTL table) and "table size" (both tables).
fn checks(mode: Mode, w: &World, eng: &Engine, ttl: Tick, rate_per_10: u32) -> Vec<Check> {
    let cleanup_every = w.cleanup_every;
    let mut out = Vec::new();
    if mode == Mode::Ttl {
        let detail = match w.late.first() {
            None => format!("no copy outlived its id (TTL {ttl} ticks)"),
            Some(&(msg, _, at)) => {
                let first = w.applied_at.get(&msg).copied().unwrap_or(0);
                let gone = w.expired_at.get(&msg).copied().unwrap_or(0);
                let more = match w.late.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                format!(
                    "a copy of {} arrived {} ticks after the original, but its id was deleted at tick {gone} (TTL {ttl} ticks), so it was applied again{more}",
                    txn_name(msg),
                    at - first
                )
            }
        };
        out.push(Check {
            name: "late duplicate".to_string(),
            ok: w.late.is_empty(),
            detail,
            event: w.late.first().map(|l| l.1),
        });
    }
    if mode != Mode::NoDedup {
        let sizes = super::dedup_sizes(&eng.trace);
        let peak = sizes.iter().map(|s| s.1).max().unwrap_or(0);
        let detail = match mode {
            Mode::Ttl => format!(
                "peak {peak} ids ≈ (TTL {ttl} + up to {cleanup_every} ticks until cleanup) × {rate_per_10} per 10 ticks = {}",
                ((ttl as u64 + cleanup_every as u64) * rate_per_10 as u64).div_ceil(10)
            ),
            _ => format!("peak {peak} ids: one per message ever processed, never freed"),
        };
        out.push(Check {
            name: "table size".to_string(),
            ok: true,
            detail,
            event: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::INFO;
    use crate::sim::event::Ev;
    use crate::sim::scenarios::testkit::{assert_holds, first_violating_seed, run_with};
    use crate::sim::RunResult;

    const ID: &str = "dedup-window";

    fn bal(r: &RunResult, t: &str) -> Vec<(u8, i64)> {
        r.technique(t)
            .unwrap()
            .ledger
            .balances()
            .into_iter()
            .collect()
    }

    fn peak(r: &RunResult, t: &str) -> u32 {
        let tr = r.technique(t).unwrap();
        tr.dedup_sizes.iter().map(|s| s.1).max().unwrap_or(0)
    }

    #[test]
    fn showcase_late_duplicate_after_expiry() {
        let r = run_with(ID, INFO.showcase_seed, &[]);
        let truth: Vec<(u8, i64)> = r.truth_balances().into_iter().collect();
        assert_eq!(truth, vec![(0, 13600), (1, 4400), (2, 4000)]);
        // No table: all six copies land.
        let nd = &r.technique("no-dedup").unwrap().verdict;
        assert_eq!(nd.applied_twice, vec![3, 9, 11, 16, 17, 18]);
        assert_eq!(bal(&r, "no-dedup"), vec![(0, 20000), (1, 4400), (2, 6000)]);
        // TTL table: five copies skipped, txn-9's 50-tick-late copy applied again.
        let ttl = r.technique("dedup-ttl").unwrap();
        assert!(!ttl.verdict.holds && !ttl.verdict.exactly_once);
        assert_eq!(ttl.verdict.applied_twice, vec![9]);
        assert_eq!(bal(&r, "dedup-ttl"), vec![(0, 13600), (1, 4400), (2, 6000)]);
        assert_eq!(ttl.verdict.summary(), "m-C over by ₹2000 — applied txn-9 twice; a copy of txn-9 arrived 50 ticks after the original, but its id was deleted at tick 120 (TTL 20 ticks), so it was applied again");
        let skips = ttl
            .trace
            .iter()
            .filter(|e| matches!(e.ev, Ev::Skip { .. }))
            .count();
        assert_eq!(skips, 5);
        let c = &ttl.verdict.checks[0];
        assert_eq!(c.name, "late duplicate");
        let i = c.event.unwrap();
        assert!(matches!(ttl.trace[i].ev, Ev::Apply { entry, .. } if entry.msg == 9));
        assert_eq!(ttl.verdict.first_violation, Some(i));
        let expired = ttl
            .trace
            .iter()
            .position(|e| matches!(e.ev, Ev::DedupExpire { key: 9, .. }))
            .unwrap();
        assert!(expired < i);
        // Forever: exact, but the table never shrinks.
        let fv = r.technique("dedup-forever").unwrap();
        assert!(fv.verdict.holds && fv.verdict.exactly_once);
        assert_eq!(bal(&r, "dedup-forever"), truth);
        assert_eq!(peak(&r, "dedup-forever"), 20);
        assert_eq!(fv.dedup_sizes.last().unwrap().1, 20);
        assert_eq!(peak(&r, "dedup-ttl"), 7);
        assert_eq!(ttl.dedup_sizes.last().unwrap().1, 0);
        assert!(r.end() < 200);
    }

    #[test]
    fn ttl_at_least_the_longest_delay_holds() {
        for (ttl, cleanup) in [(60, 10), (60, 1), (61, 37)] {
            assert_holds(
                ID,
                &[("ttl_ticks", ttl), ("cleanup_every_ticks", cleanup)],
                &["dedup-ttl", "dedup-forever"],
                10_000,
            );
        }
    }

    #[test]
    fn ttl_shorter_than_the_longest_delay_breaks() {
        assert_eq!(first_violating_seed(ID, &[], "dedup-ttl", 1000), Some(0));
        assert_eq!(first_violating_seed(ID, &[], "no-dedup", 1000), Some(0));
        // Just under the longest delay, with an eager cleanup: rarer, still found.
        let near = [("ttl_ticks", 55), ("cleanup_every_ticks", 1)];
        let seed = first_violating_seed(ID, &near, "dedup-ttl", 1000);
        assert_eq!(seed, Some(1));
        let r = run_with(ID, seed.unwrap(), &near);
        assert!(!r.technique("dedup-ttl").unwrap().verdict.checks[0].ok);
    }

    #[test]
    fn table_size_grows_with_window_times_rate() {
        let busy = |ttl: i64| {
            run_with(
                ID,
                1,
                &[
                    ("messages", 300),
                    ("rate_per_10_ticks", 20),
                    ("ttl_ticks", ttl),
                    ("dup", 0),
                ],
            )
        };
        // (TTL + cleanup period) × 2 per tick: 70 × 2 = 140, 130 × 2 = 260.
        let r = busy(60);
        assert_eq!(peak(&r, "dedup-ttl"), 140);
        assert_eq!(peak(&r, "dedup-forever"), 300);
        assert_eq!(
            r.technique("dedup-ttl").unwrap().verdict.checks[1].detail,
            "peak 140 ids ≈ (TTL 60 + up to 10 ticks until cleanup) × 20 per 10 ticks = 140"
        );
        assert_eq!(peak(&busy(120), "dedup-ttl"), 260);
    }

    #[test]
    fn deterministic() {
        assert_eq!(run_with(ID, 9, &[]), run_with(ID, 9, &[]));
    }
}
