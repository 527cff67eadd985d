//! §3 — the five-event payment walkthrough: the reference numbers.
//!
//! txn-1 m-A 1000, txn-2 m-A 500, txn-3 m-B 2000, txn-3 again, txn-4 m-A 300.
//! naive: m-A 1800, m-B 4000; idempotent and dedup-table: m-A 1800, m-B 2000.
//!
//! The second txn-3 is a broker redelivery: the handler acks every record, the ack
//! of txn-3 is lost, the broker's redelivery timer fires and it hands txn-3 over
//! again (as after a lost ack or a consumer restart).

mod text;

use super::plumbing::RetryTimer as Timer;
use super::prelude::*;
use crate::sim::event::{EntryKind, SkipWhy};

use text::INFO;

nodes! {
    BROKER: "broker", Broker @ 15, 50;
    HANDLER: "handler", Consumer @ 70, 50;
}
hops! {
    /// Records, broker → handler.
    HOP;
    /// Acks, handler → broker.
    HOP_ACK;
}
/// One-way delay on either hop.
const BASE: Tick = 2;
/// The broker redelivers a record it has no ack for after this many ticks.
const REDELIVER_AFTER: Tick = 6;
/// Deliveries of one record at most (the broker then parks it; never reached here).
const MAX_DELIVERIES: u16 = 8;

/// txn-3 reached the handler twice in `t` (for the "delivered twice" card).
pub fn txn3_delivered_twice(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let mut nets = BTreeSet::new();
    let mut at = Vec::new();
    for e in &t.trace {
        match e.ev {
            Ev::Send { net, p, hop, .. } if hop == HOP && p.msg == 3 => {
                nets.insert(net);
            }
            Ev::Deliver { net } if nets.contains(&net) => at.push(e.tick),
            _ => {}
        }
    }
    (at.len() == 2).then_some(at.get(1).copied())
}

/// The four reference payments (txn-3's redelivery makes five deliveries, not a fifth payment).
pub fn reference_workload() -> Vec<Payment> {
    let p = |msg: MsgId, merchant: Merchant, amount: i64| Payment {
        msg,
        merchant,
        amount,
        kind: EntryKind::Add,
    };
    vec![p(1, 0, 1000), p(2, 0, 500), p(3, 1, 2000), p(4, 0, 300)]
}

techniques! {
    Handler;
    Naive = "naive", "Naive handler", None;
    Idempotent = "idempotent", "Idempotent handler", ExactlyOnce;
    DedupTable = "dedup", "Dedup-table handler", ExactlyOnce;
}

struct World<'a> {
    handler: Handler,
    workload: &'a [Payment],
    ledger: Ledger,
    /// Idempotent handler: the ids applied, kept in each merchant's own row.
    applied_ids: BTreeMap<Merchant, BTreeSet<MsgId>>,
    /// Dedup-table handler: one global table of seen ids.
    seen: BTreeSet<MsgId>,
    /// Broker: records acked by the handler.
    acked: BTreeSet<MsgId>,
}

impl World<'_> {
    fn handle(&mut self, eng: &mut Engine<Timer>, pay: Payment) {
        match self.handler {
            Handler::Naive => {}
            Handler::Idempotent => {
                // UPDATE … SET balance = balance + amount, applied_ids = applied_ids + id
                // WHERE merchant = m AND id NOT IN applied_ids — one write, 0 or 1 row.
                if !self
                    .applied_ids
                    .entry(pay.merchant)
                    .or_default()
                    .insert(pay.msg)
                {
                    eng.emit(Ev::Skip {
                        node: HANDLER,
                        msg: pay.msg,
                        why: SkipWhy::AppliedIds,
                    });
                    return;
                }
            }
            Handler::DedupTable => {
                let key = (pay.msg, pay.msg);
                if !first_sight(eng, &mut self.seen, HANDLER, key, SkipWhy::SeenId) {
                    return;
                }
            }
        }
        self.ledger.write(eng, HANDLER, pay.entry());
    }

    fn deliver_record(&self, eng: &mut Engine<Timer>, msg: MsgId, attempt: u16) {
        eng.send(
            BROKER,
            HANDLER,
            HOP,
            Payload::new(MsgKind::Record, msg, attempt),
            BASE,
        );
        eng.timer(REDELIVER_AFTER, BROKER, Timer::Retry { msg, attempt });
    }
}

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, p, .. }: Delivery) {
        if to == BROKER {
            if p.kind == MsgKind::Ack {
                self.acked.insert(p.msg);
            }
            return;
        }
        let Some(pay) = self.workload.iter().find(|w| w.msg == p.msg).copied() else {
            return;
        };
        self.handle(eng, pay);
        // Ack every delivery, the copies too, so the broker stops redelivering.
        eng.send(
            HANDLER,
            BROKER,
            HOP_ACK,
            Payload::new(MsgKind::Ack, p.msg, p.attempt),
            BASE,
        );
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        debug_assert_eq!(node, BROKER, "only the broker sets timers");
        match timer {
            Timer::Send { msg } => self.deliver_record(eng, msg, 0),
            Timer::Retry { msg, attempt }
                if !self.acked.contains(&msg) && attempt + 1 < MAX_DELIVERIES =>
            {
                eng.emit(Ev::Redeliver {
                    node: BROKER,
                    msg,
                    attempt: attempt + 1,
                });
                self.deliver_record(eng, msg, attempt + 1);
            }
            Timer::Retry { .. } => {}
        }
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    run_each(
        &INFO,
        cfg,
        params,
        reference_workload(),
        &TECHNIQUES,
        |t, workload| {
            let mut faults = Faults::for_run(cfg);
            faults.set_hop(HOP, HopFaults::NONE.copying(params.chance("dup"), 3));
            if params.flag("dup_txn3") {
                faults.add_explicit(Fault::Lose {
                    hop: HOP_ACK,
                    msg: 3,
                    attempt: 0,
                });
            }
            let mut eng = Engine::start(NODES.len(), 60, faults);
            for (i, w) in workload.iter().enumerate() {
                eng.timer_at(1 + 2 * i as u32, BROKER, Timer::Send { msg: w.msg });
            }
            let mut world = World {
                handler: t.mode,
                workload,
                ledger: Ledger::default(),
                applied_ids: BTreeMap::new(),
                seen: BTreeSet::new(),
                acked: BTreeSet::new(),
            };
            eng.run(&mut world);
            t.finish(Done::new(infos(&NODES), eng, world.ledger, workload))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::INFO;
    use crate::sim::{run, RunConfig};

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
        let naive = verdict(&r, "naive");
        assert_eq!(naive.applied_twice, vec![3]);
        assert_eq!(naive.summary(), "m-B over by ₹2000 — applied txn-3 twice");
        assert!(verdict(&r, "dedup").exactly_once);
    }

    /// The copy of txn-3 is a broker redelivery after a lost ack —
    /// the trace shows it and says so — never a network copy.
    #[test]
    fn the_second_txn3_is_a_broker_redelivery() {
        use crate::sim::event::{Ev, MsgKind};
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        for t in &r.techniques {
            let tr = &t.trace;
            assert!(
                !tr.iter().any(|e| matches!(
                    e.ev,
                    Ev::Send {
                        copy_of: Some(_),
                        ..
                    }
                )),
                "{}: no network copies at the defaults",
                t.id
            );
            let lost_ack = tr
                .iter()
                .position(|e| {
                    matches!(e.ev, Ev::Send { p, lost: true, .. }
                        if p.kind == MsgKind::Ack && p.msg == 3 && p.attempt == 0)
                })
                .expect("the ack of txn-3 is lost");
            let redeliver = tr
                .iter()
                .position(
                    |e| matches!(e.ev, Ev::Redeliver { node, msg: 3, attempt: 1 } if node.0 == 0),
                )
                .expect("the broker redelivers txn-3");
            let resend = tr
                .iter()
                .position(|e| {
                    matches!(e.ev, Ev::Send { p, from, .. }
                        if from.0 == 0 && p.msg == 3 && p.attempt == 1)
                })
                .expect("the broker sends txn-3 again");
            assert!(lost_ack < redeliver && redeliver < resend, "{}", t.id);
            let text = crate::sim::narrate::render(tr, &t.nodes, INFO.unit);
            assert!(
                text.contains("tick 9: ack txn-3 lost in the network"),
                "{text}"
            );
            assert!(text.contains(
                "tick 11: broker's redelivery timer fires with no ack for txn-3, so it hands txn-3 over again"
            ), "{text}");
            assert!(!text.contains("network duplicates"), "{text}");
            assert!(!text.contains('#'), "{text}");
        }
        let ex = INFO.explain.join(" ");
        assert!(ex.contains("ack of txn-3 is lost") && ex.contains("redelivery timer"));
    }

    /// The idempotent handler and the dedup-table handler absorb the
    /// copy by different mechanisms, and the narration says which.
    #[test]
    fn idempotent_and_dedup_narrate_different_mechanisms() {
        use crate::sim::event::{Ev, SkipWhy};
        let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
        let text = |id: &str| {
            let t = r.technique(id).unwrap();
            crate::sim::narrate::render(&t.trace, &t.nodes, INFO.unit)
        };
        let idem = r.technique("idempotent").unwrap();
        assert!(!idem
            .trace
            .iter()
            .any(|e| matches!(e.ev, Ev::DedupPut { .. })));
        assert!(idem.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Skip {
                msg: 3,
                why: SkipWhy::AppliedIds,
                ..
            }
        )));
        let dedup = r.technique("dedup").unwrap();
        assert!(dedup.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Skip {
                msg: 3,
                why: SkipWhy::SeenId,
                ..
            }
        )));
        assert!(text("idempotent").contains(
            "tick 13: handler skips txn-3: the merchant's row already lists it as applied, so the conditional write changes nothing"
        ));
        assert!(!text("idempotent").contains("dedup table"));
        assert!(text("dedup")
            .contains("tick 13: handler skips txn-3: its id is already in the dedup table"));
    }

    #[test]
    fn the_broker_redelivers_until_acked() {
        // Every record copied by the network as well: each is acked, none redelivered.
        let r = run(
            "walkthrough",
            &RunConfig::seed(1).set("dup", 1000).set("dup_txn3", 0),
        )
        .unwrap();
        let naive = r.technique("naive").unwrap();
        assert_eq!(naive.verdict.applied_twice, vec![1, 2, 3, 4]);
        assert_eq!(balances(&r, "naive"), vec![(0, 3600), (1, 4000)]);
        assert!(verdict(&r, "dedup").exactly_once);
        assert!(verdict(&r, "idempotent").exactly_once);
    }

    #[test]
    fn without_the_duplicate_naive_is_right() {
        let r = run("walkthrough", &RunConfig::seed(1).set("dup_txn3", 0)).unwrap();
        assert!(verdict(&r, "naive").exactly_once);
    }
}
