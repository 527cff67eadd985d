//! §3 — the five-event payment walkthrough: the reference numbers.
//!
//! txn-1 m-A 1000, txn-2 m-A 500, txn-3 m-B 2000, txn-3 again, txn-4 m-A 300.
//! naive: m-A 1800, m-B 4000; idempotent and dedup-table: m-A 1800, m-B 2000.

use super::{finish, param};
use crate::sim::engine::{Actors, Engine};
use crate::sim::event::{EntryKind, Ev, MsgKind, Payload, SkipWhy};
use crate::sim::fault::{Fault, Faults, HopFaults};
use crate::sim::ids::{Merchant, MsgId, NodeId};
use crate::sim::ledger::{Ledger, Payment};
use crate::sim::params::{Params, Unit};
use crate::sim::rng::Ratio;
use crate::sim::run::{
    Guarantee, NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TryThis,
};
use std::collections::{BTreeMap, BTreeSet};

pub struct Walkthrough;

const BROKER: NodeId = NodeId(0);
const HANDLER: NodeId = NodeId(1);
const HOP: u8 = 0;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "walkthrough",
    title: "Five payments, one duplicate",
    promise: "watch one redelivered payment credit a merchant twice",
    sections: &[3],
    explain: &[
        "Five payment events reach a handler; the broker hands txn-3 over twice, as brokers are allowed to.",
        "The naive handler adds every amount it sees, so m-B ends at ₹4000 instead of ₹2000.",
        "The idempotent handler remembers, per merchant, which payment ids it already applied; the dedup-table handler keeps one global set of seen ids. Both skip the copy and end at m-A ₹1800, m-B ₹2000.",
    ],
    params: &[
        param(
            "dup_txn3",
            "Redeliver txn-3",
            Unit::Flag,
            0,
            1,
            1,
            "The broker hands txn-3 to the handler a second time.",
        ),
        param(
            "dup",
            "Extra duplication",
            Unit::PerMille,
            0,
            1000,
            0,
            "Chance that any other delivery is also duplicated.",
        ),
    ],
    try_this: &[
        TryThis {
            label: "Turn off the redelivery",
            set: &[("dup_txn3", 0)],
            watch: "with no duplicate, even the naive handler is right",
            seed: 0,
            expect: &[],
        },
        TryThis {
            label: "Duplicate everything",
            set: &[("dup", 1000)],
            watch: "the naive ledger doubles; the other two still match truth",
            seed: 0,
            expect: &[],
        },
    ],
    showcase_seed: 1,
    unit: crate::sim::ledger::LedgerUnit::Rupees,
    property: crate::sim::run::Property::ExactlyOnceEffect,
};

/// The five reference events (txn-3's copy is a redelivery, not a sixth payment).
pub fn reference_workload() -> Vec<Payment> {
    let p = |msg: MsgId, merchant: Merchant, amount: i64| Payment {
        msg,
        merchant,
        amount,
        kind: EntryKind::Add,
    };
    vec![p(1, 0, 1000), p(2, 0, 500), p(3, 1, 2000), p(4, 0, 300)]
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Handler {
    Naive,
    Idempotent,
    DedupTable,
}

struct World {
    handler: Handler,
    workload: Vec<Payment>,
    ledger: Ledger,
    per_merchant: BTreeMap<Merchant, BTreeSet<MsgId>>,
    seen: BTreeSet<MsgId>,
}

impl Actors for World {
    fn on_deliver(&mut self, eng: &mut Engine, to: NodeId, _from: NodeId, _hop: u8, p: Payload) {
        if to != HANDLER {
            return;
        }
        let Some(pay) = self.workload.iter().find(|w| w.msg == p.msg).copied() else {
            return;
        };
        match self.handler {
            Handler::Naive => {}
            Handler::Idempotent => {
                if !self
                    .per_merchant
                    .entry(pay.merchant)
                    .or_default()
                    .insert(pay.msg)
                {
                    eng.emit(Ev::Skip {
                        node: HANDLER,
                        msg: pay.msg,
                        why: SkipWhy::SeenId,
                    });
                    return;
                }
                eng.emit(Ev::DedupPut {
                    node: HANDLER,
                    key: pay.msg,
                    expires: None,
                });
            }
            Handler::DedupTable => {
                if !self.seen.insert(pay.msg) {
                    eng.emit(Ev::Skip {
                        node: HANDLER,
                        msg: pay.msg,
                        why: SkipWhy::SeenId,
                    });
                    return;
                }
                eng.emit(Ev::DedupPut {
                    node: HANDLER,
                    key: pay.msg,
                    expires: None,
                });
            }
        }
        self.ledger.write(eng, HANDLER, pay.entry());
    }

    fn on_timer(&mut self, eng: &mut Engine, node: NodeId, _kind: u8, msg: u32, _attempt: u16) {
        if node == BROKER {
            eng.send(
                BROKER,
                HANDLER,
                HOP,
                Payload::new(MsgKind::Record, msg, 0),
                2,
            );
        }
    }
}

impl Scenario for Walkthrough {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        let workload = reference_workload();
        let techniques = [
            ("naive", "Naive handler", Handler::Naive, Guarantee::None),
            (
                "idempotent",
                "Idempotent handler",
                Handler::Idempotent,
                Guarantee::ExactlyOnce,
            ),
            (
                "dedup",
                "Dedup-table handler",
                Handler::DedupTable,
                Guarantee::ExactlyOnce,
            ),
        ]
        .into_iter()
        .map(|(id, label, handler, claim)| {
            let mut faults = Faults::new(cfg.seed, cfg.random_faults, &cfg.manual);
            faults.set_hop(
                HOP,
                HopFaults {
                    dup: Ratio::per_mille(params.get("dup")),
                    dup_delay_max: 3,
                    ..HopFaults::NONE
                },
            );
            if params.flag("dup_txn3") {
                faults.add_explicit(Fault::Duplicate {
                    hop: HOP,
                    msg: 3,
                    attempt: 0,
                    extra: 2,
                });
            }
            let mut eng = Engine::new(2, 60, faults);
            eng.schedule_timed_faults();
            for (i, w) in workload.iter().enumerate() {
                eng.at(
                    1 + 2 * i as u32,
                    crate::sim::engine::Item::Timer {
                        node: BROKER,
                        kind: 0,
                        msg: w.msg,
                        attempt: 0,
                    },
                );
            }
            let mut world = World {
                handler,
                workload: workload.clone(),
                ledger: Ledger::default(),
                per_merchant: BTreeMap::new(),
                seen: BTreeSet::new(),
            };
            eng.run(&mut world);
            let nodes = vec![
                NodeInfo::new(0, "broker", NodeKind::Broker, 15, 50),
                NodeInfo::new(1, "handler", NodeKind::Consumer, 70, 50),
            ];
            finish(
                id,
                label,
                claim,
                nodes,
                eng,
                world.ledger,
                &workload,
                Vec::new(),
            )
        })
        .collect();
        RunResult::assemble(&INFO, cfg, params, workload, techniques)
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{run, RunConfig};

    fn balances(r: &crate::sim::RunResult, id: &str) -> Vec<(u8, i64)> {
        r.technique(id)
            .unwrap()
            .ledger
            .balances()
            .into_iter()
            .collect()
    }

    #[test]
    fn reference_numbers_exactly() {
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        assert_eq!(balances(&r, "naive"), vec![(0, 1800), (1, 4000)]);
        assert_eq!(balances(&r, "idempotent"), vec![(0, 1800), (1, 2000)]);
        assert_eq!(balances(&r, "dedup"), vec![(0, 1800), (1, 2000)]);
        assert_eq!(
            r.truth.balances().into_iter().collect::<Vec<_>>(),
            vec![(0, 1800), (1, 2000)]
        );
        let naive = &r.technique("naive").unwrap().verdict;
        assert_eq!(naive.applied_twice, vec![3]);
        assert_eq!(naive.summary(), "m-B over by ₹2000 — applied txn-3 twice");
        assert!(r.technique("dedup").unwrap().verdict.exactly_once);
    }

    #[test]
    fn without_the_duplicate_naive_is_right() {
        let r = run("walkthrough", &RunConfig::seed(1).set("dup_txn3", 0)).unwrap();
        assert!(r.technique("naive").unwrap().verdict.exactly_once);
    }
}
