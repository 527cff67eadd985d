//! §4 — idempotent operations, side by side.
//!
//! The same payment messages, duplicated by the network, reach five consumers that
//! record each message with a different kind of operation:
//!
//! * `set`: `SET balance = <new total carried in the message>` — idempotent: a
//!   second write leaves the same state (but it is still a second write, and a
//!   *late* copy of an older SET rewinds the balance);
//! * `increment`: `balance = balance + amount` — not idempotent;
//! * `upsert`: `INSERT … ON CONFLICT (merchant) DO UPDATE SET balance = …` — the
//!   merchant's row (keyed by merchant, like a KYC status row) is rewritten every
//!   time (1 row affected), so, like SET, it is idempotent by final state;
//! * `delete`: the message cancels a payment: `DELETE … WHERE id = k` is
//!   idempotent *and* has an effect (the row is gone); the refund the handler sends
//!   on every call makes the handler non-idempotent, unless `refund_if_deleted`
//!   refunds only when the DELETE affected one row;
//!
//! Judged by the final state and the side effects (`Property::FinalState`), not by
//! counting writes: a SET written twice is fine if every balance ends right.
//! * `increment-with-id`: "add ₹a unless txn-k was already applied" — the message id
//!   threaded into the write: a dedup table entering by the back door.

mod checks;
mod text;

use super::prelude::*;
use crate::sim::broker::payments;
use crate::sim::event::{EntryKind, SkipWhy};
use crate::sim::ids::merchant_name;
use crate::sim::invariants::{Badge, Tone, Verdict};
use crate::sim::ledger::rupees;
use checks::{delete_checks, state_check, why_wrong};
use text::INFO;

nodes! {
    PRODUCER: "producer", Producer @ 15, 50;
    CONSUMER: "consumer + db", Database @ 75, 50;
}
/// The only hop.
const HOP: u8 = 0;
const BASE: Tick = 2;
const SPACING: Tick = 3;

/// Every balance of `t` is twice the truth.
fn every_balance_doubled(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let truth = r.truth_balances();
    let got = t.ledger.balances();
    (truth.len() == got.len()
        && truth
            .iter()
            .all(|(m, v)| got.get(m).copied() == Some(2 * *v)))
    .then(|| t.trace.last().map(|e| e.tick))
}

/// Every payment of the workload was applied (refunded) at least twice.
pub fn every_payment_doubled(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let apps = t.ledger.applications();
    r.workload
        .iter()
        .all(|p| apps.get(&p.msg).is_some_and(|n| *n >= 2))
        .then(|| t.trace.last().map(|e| e.tick))
}

/// Every payment's DELETE ran again and affected 0 rows, so the fixed handler sent no
/// second refund: the tick of the last such repeat.
pub fn every_delete_repeated(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let mut last = None;
    for p in &r.workload {
        let at = t.trace.iter().rev().find(
            |e| matches!(e.ev, Ev::Skip { msg, why: SkipWhy::Idempotent, .. } if msg == p.msg),
        )?;
        last = last.max(Some(at.tick));
    }
    Some(last)
}

techniques! {
    Op;
    Set = "set", "SET balance = new total", None,
        SafeAtDefaults("idempotent by final state: only a copy later than the default delay rewinds it");
    Increment = "increment", "balance = balance + amount", None;
    Upsert = "upsert", "Upsert: INSERT … ON CONFLICT DO UPDATE", None,
        SafeAtDefaults("idempotent by final state: only a copy later than the default delay rewinds it");
    Delete = "delete", "DELETE the payment, then refund", None;
    IncrementWithId = "increment-with-id", "Add unless this id was applied", ExactlyOnce;
}

/// The producer sends the payment `msg`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Send {
    msg: MsgId,
}

/// The payments: merchants m-A..m-C, amounts ₹100..₹2000 in steps of ₹100.
fn as_sets(payments: &[Payment], kind: EntryKind) -> Vec<Payment> {
    let mut total: BTreeMap<Merchant, i64> = BTreeMap::new();
    payments
        .iter()
        .map(|p| {
            let t = total.entry(p.merchant).or_insert(0);
            *t += p.amount;
            Payment {
                kind,
                amount: *t,
                ..*p
            }
        })
        .collect()
}

struct World {
    op: Op,
    /// The message as this consumer's operation.
    ops: BTreeMap<MsgId, Payment>,
    ledger: Ledger,
    /// increment-with-id: ids applied (kept in the same row/transaction).
    applied_ids: BTreeSet<MsgId>,
    /// set/upsert: the newest message written per merchant.
    newest: BTreeMap<Merchant, MsgId>,
    /// set/upsert: the current value of each merchant's row.
    row: BTreeMap<Merchant, i64>,
    /// set/upsert: writes that put back the value already there.
    rewrites: u32,
    /// set/upsert: writes of an older total over a newer one: (msg, trace index, a
    /// copy of a message already written — else the original, delivered late).
    stale: Vec<(MsgId, usize, bool)>,
    /// set/upsert: the trace index of each merchant's last write.
    last_write: BTreeMap<Merchant, usize>,
    /// delete: rows still pending (cancelled payments are deleted).
    pending: BTreeSet<MsgId>,
    /// delete: DELETE statements run per message.
    deletes: BTreeMap<MsgId, u32>,
    /// delete: every payment refunded again, with the trace index of its first repeat.
    refunded_again: Vec<(MsgId, usize)>,
    /// delete: refund only when the DELETE removed a row (1 row affected) — the fix
    /// that makes the handler idempotent again, not only its DELETE.
    refund_if_deleted: bool,
}

impl Actors for World {
    type Timer = Send;

    fn on_deliver(&mut self, eng: &mut Engine<Send>, d: Delivery) {
        let Some(op) = carried(&self.ops, &d, CONSUMER) else {
            return;
        };
        match self.op {
            Op::Increment => self.ledger.write(eng, CONSUMER, op.entry()),
            Op::Set | Op::Upsert => {
                // Both write every time: SET, and INSERT … ON CONFLICT DO UPDATE (1 row).
                let newest = self.newest.get(&op.merchant).copied().unwrap_or(0);
                let unchanged = self.row.get(&op.merchant) == Some(&op.amount);
                if unchanged {
                    self.rewrites += 1;
                }
                if op.msg < newest && !unchanged {
                    let copy = self.ledger.entries.iter().any(|e| e.msg == op.msg);
                    self.stale.push((op.msg, eng.trace.len(), copy));
                }
                self.newest.insert(op.merchant, newest.max(op.msg));
                self.row.insert(op.merchant, op.amount);
                self.last_write.insert(op.merchant, eng.trace.len());
                self.ledger.write(eng, CONSUMER, op.entry());
            }
            Op::Delete => {
                // DELETE FROM pending WHERE id = k: removes the row the first time only…
                let removed = self.pending.remove(&op.msg);
                let n = self.deletes.entry(op.msg).or_insert(0);
                *n += 1;
                if !removed && self.refund_if_deleted {
                    // 0 rows affected: the fixed handler sends no refund.
                    eng.emit(Ev::Skip {
                        node: CONSUMER,
                        msg: op.msg,
                        why: SkipWhy::Idempotent,
                    });
                    return;
                }
                if *n == 2 {
                    self.refunded_again.push((op.msg, eng.trace.len()));
                }
                // …but the refund that follows it goes out every time.
                self.ledger.write(eng, CONSUMER, op.entry());
            }
            Op::IncrementWithId => {
                let ids = &mut self.applied_ids;
                if !first_sight(eng, ids, CONSUMER, (op.msg, op.msg), SkipWhy::SeenId) {
                    return;
                }
                self.ledger.write(eng, CONSUMER, op.entry());
            }
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Send>, node: NodeId, Send { msg }: Send) {
        if node == PRODUCER {
            eng.send(
                PRODUCER,
                CONSUMER,
                HOP,
                Payload::new(MsgKind::Request, msg, 0),
                BASE,
            );
        }
    }
}

/// The badge in final-state words: balances, rows and refunds, never write counts.
/// `by_copies`: every merchant of set/upsert that ends wrong was rewound by a late copy.
fn badge(op: Op, t: &TechniqueRun, rewrites: u32, by_copies: bool) -> Badge {
    let v = &t.verdict;
    let failed = v.checks.iter().find(|c| !c.ok);
    let copies = |n: u32, what: &str| match n {
        0 => String::new(),
        1 => format!(" (1 copy {what})"),
        n => format!(" ({n} copies {what})"),
    };
    match op {
        Op::Set | Op::Upsert => match failed {
            None => Badge::new(
                Tone::Good,
                &format!(
                    "every balance right{}",
                    copies(rewrites, "rewrote the same value")
                ),
            ),
            // Every merchant that ends wrong, and (when late copies did it) why.
            Some(_) => {
                let ends: Vec<String> = v
                    .diffs
                    .iter()
                    .enumerate()
                    .map(|(k, d)| {
                        format!(
                            "{}{} {} instead of {}",
                            merchant_name(d.merchant),
                            if k == 0 { " ends at" } else { " at" },
                            rupees(d.observed),
                            rupees(d.truth)
                        )
                    })
                    .collect();
                let what = match ends.as_slice() {
                    [init @ .., last] if !init.is_empty() => {
                        format!("{} and {last}", init.join(", "))
                    }
                    _ => ends.join(""),
                };
                let why = match (by_copies, ends.len()) {
                    (false, _) => "",
                    (true, 1) => ": a late copy rewound it",
                    (true, _) => ": late copies rewound them",
                };
                Badge::new(Tone::Bad, &format!("{what}{why}"))
            }
        },
        Op::Delete => {
            let table = v.checks.iter().find(|c| c.name == "table state");
            let side = v.checks.iter().find(|c| c.name == "side effects");
            let apps = t.ledger.applications();
            let twice = apps.values().filter(|n| **n > 1).count();
            let how = if apps.values().any(|n| *n > 2) {
                "more than once"
            } else {
                "twice"
            };
            match (table.is_some_and(|c| c.ok), side.is_some_and(|c| c.ok)) {
                (true, true) => Badge::new(Tone::Good, "rows deleted, one refund each"),
                (true, false) => Badge::new(
                    Tone::Warn,
                    &format!(
                        "rows right, but {} refunded {how}",
                        crate::sim::ledger::LedgerUnit::Rupees.count(twice)
                    ),
                ),
                _ => Badge::new(Tone::Bad, "a cancelled payment's row is still there"),
            }
        }
        Op::Increment | Op::IncrementWithId => {
            let skipped = t
                .trace
                .iter()
                .filter(|e| matches!(e.ev, Ev::Skip { .. }))
                .count() as u32;
            if v.diffs.is_empty() && v.applied_twice.is_empty() && v.lost.is_empty() {
                if op == Op::Increment {
                    Badge::new(
                        Tone::Good,
                        "every balance right — no copy arrived in this run",
                    )
                } else {
                    Badge::new(
                        Tone::Good,
                        &format!("every balance right{}", copies(skipped, "skipped by id")),
                    )
                }
            } else if !v.diffs.is_empty() {
                let mut what: Vec<String> = v
                    .diffs
                    .iter()
                    .take(3)
                    .map(|d| {
                        let off = d.observed - d.truth;
                        format!(
                            "{} {} by {}",
                            merchant_name(d.merchant),
                            if off > 0 { "over" } else { "short" },
                            rupees(off.abs())
                        )
                    })
                    .collect();
                if v.diffs.len() > 3 {
                    what.push(format!("{} more", v.diffs.len() - 3));
                }
                Badge::new(Tone::Bad, &what.join(", "))
            } else {
                Badge::new(Tone::Bad, "a payment added twice")
            }
        }
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let messages = params.get("messages") as usize;
    let workload = payments(cfg.seed, messages as u32, 3);
    let sets = as_sets(&workload, EntryKind::Set);
    let upserts = as_sets(&workload, EntryKind::Upsert);
    let refunds: Vec<Payment> = workload
        .iter()
        .map(|p| Payment {
            kind: EntryKind::Refund,
            ..*p
        })
        .collect();
    let dup_delay_max = params.ticks("dup_delay_max_ticks").max(1);
    let end = 1 + SPACING * messages as Tick + BASE + dup_delay_max + 5;
    run_each(
        &INFO,
        cfg,
        params,
        workload.clone(),
        &TECHNIQUES,
        |t, workload| {
            let op = t.mode;
            let ops: &[Payment] = match op {
                Op::Set => &sets,
                Op::Upsert => &upserts,
                Op::Delete => &refunds,
                _ => workload,
            };
            let faults = copying_hop(cfg, params, HOP, dup_delay_max);
            let mut eng = Engine::start(NODES.len(), end, faults);
            for (i, w) in workload.iter().enumerate() {
                eng.timer_at(1 + SPACING * i as Tick, PRODUCER, Send { msg: w.msg });
            }
            let mut world = World {
                op,
                ops: ops.iter().map(|p| (p.msg, *p)).collect(),
                ledger: Ledger::default(),
                applied_ids: BTreeSet::new(),
                newest: BTreeMap::new(),
                row: BTreeMap::new(),
                stale: Vec::new(),
                rewrites: 0,
                pending: workload.iter().map(|p| p.msg).collect(),
                deletes: BTreeMap::new(),
                refunded_again: Vec::new(),
                last_write: BTreeMap::new(),
                refund_if_deleted: params.flag("refund_if_deleted"),
            };
            eng.run(&mut world);
            let checks = match op {
                Op::Set | Op::Upsert => vec![state_check(&world, ops)],
                Op::Delete => {
                    let delivered: BTreeSet<MsgId> = world.deletes.keys().copied().collect();
                    delete_checks(&world, &delivered)
                }
                _ => Vec::new(),
            };
            let rewrites = world.rewrites;
            let wrong = Ledger::truth(ops).balances();
            let by_copies = wrong
                .iter()
                .filter(|(m, v)| world.ledger.balances().get(m) != Some(v))
                .all(|(m, _)| why_wrong(&world, ops, *m).2);
            let mut t = t.finish(Done::new(infos(&NODES), eng, world.ledger, ops).checks(checks));
            // SET, upsert and DELETE are judged by where they end (state, refunds), not
            // by how many writes they made. SET and upsert keep their balance
            // differences: where they end *is* their balances.
            if matches!(op, Op::Set | Op::Upsert | Op::Delete) {
                let diffs = std::mem::take(&mut t.verdict.diffs);
                t.verdict = Verdict::checks_only(t.verdict.checks.clone());
                if op != Op::Delete {
                    t.verdict.diffs = diffs;
                }
            }
            t.badge = badge(op, &t, rewrites, by_copies);
            t
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::INFO;
    use crate::sim::event::{EntryKind, Ev, SkipWhy};
    use crate::sim::scenarios::testkit::{assert_holds, first_violating_seed, run_with};

    const ID: &str = "idempotent-ops";

    /// First seed in `0..n` where `check` of `technique` fails.
    fn first_failing_check(o: &[(&str, i64)], technique: &str, check: &str, n: u64) -> Option<u64> {
        (0..n).find(|&s| {
            let r = run_with(ID, s, o);
            verdict(&r, technique)
                .checks
                .iter()
                .any(|c| c.name == check && !c.ok)
        })
    }

    #[test]
    fn showcase_each_operation_style() {
        let (r, truth) = showcase_truth(&INFO, &[(0, 8000), (1, 3600)]);
        let copies = count(&r, "increment", |e| matches!(e, Ev::Apply { .. })) - 8;
        assert_eq!(copies, 2);
        // increment: every copy adds again.
        assert_eq!(balances(&r, "increment"), vec![(0, 9900), (1, 5300)]);
        let inc = verdict(&r, "increment");
        assert_eq!(inc.applied_twice, vec![1, 6]);
        assert_eq!(
            inc.summary(),
            "m-A over by ₹1900, m-B over by ₹1700 — applied txn-1, txn-6 twice"
        );
        // set: right state, although each copy was a second write — judged by final
        // state, it gets the ✓ (not the increment's ✕).
        let set = r.technique("set").unwrap();
        assert_eq!(balances(&r, "set"), truth);
        assert!(set.verdict.holds && set.verdict.checks[0].ok);
        assert_eq!(
            count(&r, "set", |e| matches!(e, Ev::Apply { .. })),
            8 + copies
        );
        assert_eq!(
            set.badge.text,
            "✓ every balance right (2 copies rewrote the same value)"
        );
        assert_eq!(set.verdict.summary(), "");
        // upsert: an honest ON CONFLICT DO UPDATE rewrites the row every time.
        let up = r.technique("upsert").unwrap();
        assert_eq!(balances(&r, "upsert"), truth);
        assert!(up.verdict.holds && up.badge.good());
        assert_eq!(
            count(&r, "upsert", |e| matches!(
                e,
                Ev::Apply { entry, .. } if entry.kind == EntryKind::Upsert
            )),
            8 + copies
        );
        assert_eq!(count(&r, "upsert", |e| matches!(e, Ev::Skip { .. })), 0);
        assert_eq!(
            r.technique("increment").unwrap().badge.text,
            "✕ m-A over by ₹1900, m-B over by ₹1700"
        );
        assert!(!r.technique("increment").unwrap().badge.good());
        // delete: the table is right, the refunds are doubled.
        let del = r.technique("delete").unwrap();
        assert!(del.verdict.checks[0].ok);
        assert!(!del.verdict.checks[1].ok);
        assert_eq!(details(&r, "delete"), [
            "10 DELETE statements ran for 8 cancelled payments; each row went with its first DELETE, the repeats found nothing to remove",
            "the DELETEs for txn-1 and txn-6 ran again and removed nothing (0 rows affected), but their refunds went out a second time",
        ]);
        assert_eq!(balances(&r, "delete"), balances(&r, "increment"));
        assert_eq!(
            del.badge.text,
            "! rows right, but 2 payments refunded twice"
        );
        // The narration says "refund" when it refunds.
        let text = crate::sim::narrate::render(&del.trace, &del.nodes, INFO.unit);
        assert_eq!(text.matches("a refund of ₹").count(), 8 + copies, "{text}");
        assert!(text.contains(
            "consumer + db runs DELETE … WHERE id = txn-1 (0 rows affected) and sends a refund of ₹1900 to m-A; refunded to m-A so far = ₹3800"
        ));
        // Refunding only when the DELETE removed a row makes the
        // handler idempotent too — one refund per payment, the table still right.
        let fixed = run_with(ID, 3, &[("dup", 1000), ("refund_if_deleted", 1)]);
        let f = fixed.technique("delete").unwrap();
        assert_eq!(f.badge.text, "✓ rows deleted, one refund each");
        assert!(f.ledger.applications().values().all(|n| *n == 1));
        let story = crate::sim::narrate::render(&f.trace, &f.nodes, INFO.unit);
        assert!(story.contains("(0 rows affected)"), "{story}");
        // increment-with-id: exact.
        let iid = r.technique("increment-with-id").unwrap();
        assert!(iid.verdict.holds && iid.verdict.exactly_once);
        assert_eq!(
            iid.badge.text,
            "✓ every balance right (2 copies skipped by id)"
        );
        assert_eq!(balances(&r, "increment-with-id"), truth);
        assert_eq!(
            count(&r, "increment-with-id", |e| matches!(
                e,
                Ev::Skip {
                    why: SkipWhy::SeenId,
                    ..
                }
            )),
            copies
        );
    }

    #[test]
    fn increment_with_id_holds() {
        assert_holds(ID, &[], &["increment-with-id"], 10_000);
        assert_holds(
            ID,
            &[("dup", 1000), ("dup_delay_max_ticks", 30)],
            &["increment-with-id"],
            10_000,
        );
    }

    #[test]
    fn set_and_upsert_state_holds_when_copies_are_prompt() {
        for seed in 0..10_000 {
            let r = run_with(ID, seed, &[]);
            for t in ["set", "upsert"] {
                let tr = r.technique(t).unwrap();
                let v = &tr.verdict;
                assert!(v.holds, "{t} seed {seed}: {}", v.summary());
                assert!(tr.badge.good(), "{t} seed {seed}: {}", tr.badge.text);
            }
        }
    }

    /// Judged by final state, a SET whose balances end right never
    /// gets a ✕, and an increment whose balances end wrong never gets a ✓.
    #[test]
    fn final_state_not_write_count_decides_the_badge() {
        let mut set_with_copies = 0;
        for seed in 0..300 {
            for o in [&[][..], &[("dup_delay_max_ticks", 30)][..]] {
                let r = run_with(ID, seed, o);
                for t in &r.techniques {
                    let right = t.ledger.balances() == r.truth_balances();
                    if t.id != "delete" {
                        assert_eq!(
                            t.badge.good(),
                            right,
                            "{} seed {seed}: {}",
                            t.id,
                            t.badge.text
                        );
                    }
                    let writes = t
                        .trace
                        .iter()
                        .filter(|e| matches!(e.ev, Ev::Apply { .. }))
                        .count();
                    if t.id == "set" && right && writes > r.workload.len() {
                        set_with_copies += 1;
                    }
                }
            }
        }
        assert!(set_with_copies > 100);
    }

    #[test]
    fn late_copies_rewind_set_and_upsert() {
        let late = [("dup_delay_max_ticks", 30)];
        assert_eq!(
            first_failing_check(&late, "set", "final state", 1000),
            Some(1)
        );
        assert_eq!(
            first_failing_check(&late, "upsert", "final state", 1000),
            Some(1)
        );
        // On the showcase seed, txn-1's copy lands after m-A's later payments.
        let r = run_with(ID, INFO.showcase_seed, &late);
        for t in ["set", "upsert"] {
            let v = verdict(&r, t);
            assert!(!v.holds);
            let c = &v.checks[0];
            assert_eq!(
                c.detail,
                "the last write to m-A was a late copy of txn-1, to m-B a late copy of txn-6: each put back an older total"
            );
            assert_eq!(
                r.technique(t).unwrap().badge.text,
                "✕ m-A ends at ₹1900 instead of ₹8000 and m-B at ₹1700 instead of ₹3600: late copies rewound them"
            );
            // The run first goes wrong for good where m-B's late copy lands.
            let tr = &r.technique(t).unwrap().trace;
            assert!(matches!(tr[c.event.unwrap()].ev, Ev::Apply { entry, .. } if entry.msg == 6));
        }
        // Order does not matter to the id-threaded increment.
        assert!(verdict(&r, "increment-with-id").exactly_once);
    }

    #[test]
    fn increment_and_delete_break_on_duplicates() {
        assert_eq!(first_violating_seed(ID, &[], "increment", 100), Some(0));
        assert_eq!(first_violating_seed(ID, &[], "delete", 100), Some(0));
        assert_eq!(
            first_failing_check(&[], "delete", "side effects", 100),
            Some(0)
        );
    }
}
