//! Teaching truth, round 3's review leftovers (R2-6 to R2-13): a badge names every
//! account or row it is about, a counter and a badge beside it agree, a message is named
//! as what it is (an offset commit, one database transaction each), and a retry is
//! numbered within its own cause. Each test recounts what the words claim from the trace.

use eop::sim::catalogue::every;
use eop::sim::event::{Ev, MsgKind, RejectWhy};
use eop::sim::ids::merchant_name;
use eop::sim::replay::View;
use eop::sim::{run, RunConfig};
use std::collections::{BTreeMap, BTreeSet};

fn story(id: &str, cfg: &RunConfig, t: &str) -> String {
    let r = run(id, cfg).unwrap();
    let tr = r.technique(t).unwrap();
    let unit = eop::sim::scenarios::info(id).unit;
    eop::sim::narrate::render(&tr.trace, &tr.nodes, unit)
}

/// R2-6: a SET or upsert that ends wrong names every merchant that ends wrong, in its
/// badge and once in its detail, with the write that did it — the last write to that
/// merchant in the trace; a DELETE handler's detail names every payment it refunded
/// again, and its badge counts exactly those.
#[test]
fn idempotent_ops_badges_name_every_account_and_row() {
    // The review's run: m-A and m-B both rewound, the old badge named m-A only.
    let late = RunConfig::seed(3).set("dup_delay_max_ticks", 30);
    let r = run("idempotent-ops", &late).unwrap();
    for t in ["set", "upsert"] {
        let tr = r.technique(t).unwrap();
        assert_eq!(
            tr.badge.text,
            "✕ m-A ends at ₹1900 instead of ₹8000 and m-B at ₹1700 instead of ₹3600: late copies rewound them"
        );
        assert_eq!(
            tr.verdict.summary(),
            "m-A short by ₹6100, m-B short by ₹1900 — the last write to m-A was a late copy of txn-1, to m-B a late copy of txn-6: each put back an older total"
        );
    }
    let del = r.technique("delete").unwrap();
    assert_eq!(
        del.badge.text,
        "! rows right, but 2 payments refunded twice"
    );
    assert_eq!(
        del.verdict.checks[1].detail,
        "the DELETEs for txn-1 and txn-6 ran again and removed nothing (0 rows affected), but their refunds went out a second time"
    );

    // Over many runs: recount from the trace.
    let mut rewound = 0;
    let mut refunded = 0;
    for seed in 0..80 {
        for n in [8, 30] {
            let cfg = RunConfig::seed(seed)
                .set("dup_delay_max_ticks", 30)
                .set("messages", n);
            let r = run("idempotent-ops", &cfg).unwrap();
            let truth = r.truth_balances();
            for t in ["set", "upsert"] {
                let tr = r.technique(t).unwrap();
                let got = tr.ledger.balances();
                let wrong: Vec<_> = truth
                    .iter()
                    .filter(|(m, v)| got.get(m) != Some(v))
                    .collect();
                let detail = &tr.verdict.checks[0].detail;
                for (m, _) in &wrong {
                    rewound += 1;
                    let name = merchant_name(**m);
                    assert!(
                        tr.badge.text.contains(&format!("{name} ")),
                        "seed {seed}: {}",
                        tr.badge.text
                    );
                    assert_eq!(
                        detail.matches(&format!("{name} ")).count(),
                        1,
                        "seed {seed}: {detail}"
                    );
                    // The write named for it is its last write in the trace.
                    let last = tr
                        .trace
                        .iter()
                        .rev()
                        .find_map(|e| match e.ev {
                            Ev::Apply { entry, .. } if entry.merchant == **m => Some(entry.msg),
                            _ => None,
                        })
                        .unwrap();
                    let named = format!("{name} was a late copy of txn-{last}");
                    let named_later = format!("to {name} a late copy of txn-{last}");
                    assert!(
                        detail.contains(&named) || detail.contains(&named_later),
                        "seed {seed} {t}: the last write to {name} was txn-{last}: {detail}"
                    );
                }
                if wrong.len() > 1 {
                    assert!(
                        tr.badge.text.ends_with("late copies rewound them"),
                        "{}",
                        tr.badge.text
                    );
                }
            }
            let del = r.technique("delete").unwrap();
            let again: Vec<u32> = del
                .ledger
                .applications()
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(m, _)| *m)
                .collect();
            if again.is_empty() {
                continue;
            }
            refunded += 1;
            assert!(
                del.badge.text.contains(&format!("{} payment", again.len())),
                "seed {seed}: {} for {again:?}",
                del.badge.text
            );
            let detail = &del.verdict.checks[1].detail;
            let words: Vec<&str> = detail.split([' ', ',']).collect();
            for m in again.iter().take(4) {
                let name = format!("txn-{m}");
                assert!(
                    words.contains(&name.as_str()),
                    "seed {seed}: {name}: {detail}"
                );
            }
            if again.len() > 4 {
                assert!(
                    detail.contains(&format!("{} more", again.len() - 4)),
                    "{detail}"
                );
            }
        }
    }
    assert!(rewound > 20 && refunded > 20, "{rewound} {refunded}");
}

/// R2-7, R2-9: a sweep's words are in the scenario's units. A DELETE handler breaks by
/// its refunds, not by a balance: no "largest error ₹0" beside it; key-threading's
/// ledger is a score, so its wrong rows are "a wrong score", never "a wrong balance".
#[test]
fn sweep_outcomes_name_what_went_wrong_in_the_scenarios_units() {
    use eop::sim::sweep::{sweep, SweepConfig};
    let cfg = |id: &str, runs| SweepConfig {
        scenario: id.to_string(),
        runs,
        seed: eop::sim::scenarios::info(id).showcase_seed,
        params: Vec::new(),
        faults: 0,
    };
    let info = eop::sim::scenarios::info("idempotent-ops");
    let res = sweep(cfg("idempotent-ops", 100)).unwrap();
    let t = |id: &str| res.techniques.iter().find(|t| t.id == id).unwrap();
    let del = t("delete");
    assert!(del.violations > 0);
    assert_eq!(
        del.worst(info.unit),
        None,
        "the DELETE's error is no balance"
    );
    let inc = t("increment");
    assert!(inc.worst(info.unit).unwrap().starts_with("largest error ₹"));
    assert_eq!(t("set").worst(info.unit), None, "nothing went wrong");

    let kt = eop::sim::scenarios::info("key-threading");
    let res = sweep(cfg("key-threading", 100)).unwrap();
    let drop = res
        .techniques
        .iter()
        .find(|t| t.id == "one-stage-drops-key")
        .unwrap();
    assert!(drop.kinds.contains_key("wrong balance"), "{:?}", drop.kinds);
    let words = drop.outcome(kt.unit, kt.property, None);
    assert!(words.contains("a wrong score in"), "{words}");
    assert!(!words.contains("balance"), "{words}");
    assert!(drop.worst(kt.unit).unwrap().ends_with(" runs"));
    // The CLI prints the same words.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(["sweep", "idempotent-ops", "--runs", "60"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(!out.contains("largest error ₹0"), "{out}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(["sweep", "key-threading", "--runs", "60"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("a wrong score in") && !out.contains("balance"),
        "{out}"
    );
}

/// R2-10: the "lost" counter counts transmissions; the badge speaks of payments. Where a
/// transmission was lost and no payment was, the badge says "no payment lost" — never a
/// bare "nothing lost" beside "lost 1".
#[test]
fn a_lost_transmission_and_no_lost_payment_are_told_apart() {
    let mut seen = 0;
    for seed in 0..40 {
        let r = run("delivery-semantics", &RunConfig::seed(seed)).unwrap();
        for t in &r.techniques {
            let lost = View::of(&t.trace).counters.lost;
            assert!(!t.badge.text.contains("nothing lost"), "{}", t.badge.text);
            if t.id == "at-least-once" && lost > 0 && t.verdict.lost.is_empty() {
                seen += 1;
                assert!(
                    t.badge.text.contains("no payment lost"),
                    "seed {seed}: {}",
                    t.badge.text
                );
            }
        }
    }
    assert!(seen > 10, "{seen}");
    // The review's run: seed 2, lost 1 beside the badge.
    let r = run("delivery-semantics", &RunConfig::seed(2)).unwrap();
    let t = r.technique("at-least-once").unwrap();
    assert_eq!(View::of(&t.trace).counters.lost, 1);
    assert_eq!(
        t.badge.text,
        "! no payment lost, but 1 payment applied twice"
    );
    // The outbox speaks of orders.
    let r = run("outbox", &RunConfig::seed(20)).unwrap();
    let t = r.technique("outbox-no-dedup").unwrap();
    assert!(
        t.badge.text.starts_with("! no order lost, but"),
        "{}",
        t.badge.text
    );
}

/// R2-11: a fenced zombie's refused request is a repeat absorbed (the new instance redoes
/// that work), counted as such; a consumer removed from its group (quarter-end) only loses
/// its offset commit, and absorbs nothing by it.
#[test]
fn a_fenced_zombie_request_counts_as_absorbed() {
    let mut fenced = 0;
    for seed in 0..60 {
        for cfg in [
            RunConfig::seed(seed),
            RunConfig::seed(seed)
                .set("gc_pause_ticks", 1)
                .set("pause_jitter_ticks", 30),
        ] {
            let r = run("zombie-fencing", &cfg).unwrap();
            let t = r.technique("fencing").unwrap();
            let refused = t
                .trace
                .iter()
                .filter(|e| {
                    matches!(
                        e.ev,
                        Ev::Rejected {
                            why: RejectWhy::Fenced,
                            ..
                        }
                    )
                })
                .count() as u32;
            let c = View::of(&t.trace).counters;
            assert_eq!(c.dup_absorbed, refused, "seed {seed}");
            if refused > 0 {
                fenced += 1;
                assert!(
                    c.dup_delivered > 0,
                    "seed {seed}: a refused zombie repeats work"
                );
            }
        }
    }
    assert!(fenced > 40, "{fenced}");
    // The showcase: the zombie's commit of txn-3 is refused and counted.
    let r = run("zombie-fencing", &RunConfig::seed(5)).unwrap();
    assert_eq!(
        View::of(&r.technique("fencing").unwrap().trace)
            .counters
            .dup_absorbed,
        1
    );
    // Quarter-end: the refused offset commit absorbs nothing (txn-8 was applied).
    let r = run("quarter-end", &RunConfig::seed(7)).unwrap();
    for t in ["as-built", "no-compensator"] {
        let tr = r.technique(t).unwrap();
        assert!(tr.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Rejected {
                why: RejectWhy::Fenced,
                ..
            }
        )));
        assert_eq!(View::of(&tr.trace).counters.dup_absorbed, 0, "{t}");
    }
}

/// R2-12: quarter-end's offset commit is told (and drawn) as an offset commit, not an ack.
#[test]
fn quarter_ends_offset_commit_is_no_ack() {
    let s = story("quarter-end", &RunConfig::seed(7), "as-built");
    assert!(
        s.contains("worker-1 sends offset commit up to txn-4 to broker (payments partition)"),
        "{s}"
    );
    assert!(s.contains("offset commit up to txn-4 delivered\ntick 11: broker (payments partition) commits offset 4"), "{s}");
    assert!(!s.contains("ack txn-"), "{s}");
    // Every label a page draws comes from the same words.
    let r = run("quarter-end", &RunConfig::seed(7)).unwrap();
    let t = r.technique("as-built").unwrap();
    for e in &t.trace {
        if let Ev::Send { p, .. } = e.ev {
            let l = eop::ui::facts::token_label(&p, eop::sim::ledger::LedgerUnit::Rupees);
            assert!(!l.starts_with("ack"), "{l}");
            if p.kind == MsgKind::Ack {
                assert!(l.starts_with("offset commit up to txn-"), "{l}");
            }
        }
    }
}

/// R2-13: no two database transactions share a number (a fresh key per retry charges
/// txn-1 in two of them), and a retry is numbered within its own chain: a ball forwarded
/// again counts its retries from there, never "(retry 3)" after "(forwarded again)".
#[test]
fn transactions_and_retries_are_numbered_truthfully() {
    for seed in 0..30 {
        let cfg = RunConfig::seed(seed).set("fresh_key_bug", 1);
        let r = run("idempotency-keys", &cfg).unwrap();
        for t in &r.techniques {
            let mut seen = BTreeSet::new();
            for e in &t.trace {
                if let Ev::AtomicCommit { txn, .. } = e.ev {
                    assert!(
                        seen.insert(txn),
                        "seed {seed} {}: transaction {txn} twice",
                        t.id
                    );
                }
            }
        }
    }
    let cfg = RunConfig::seed(4).set("fresh_key_bug", 1);
    let s = story("idempotency-keys", &cfg, "idempotency-key");
    assert_eq!(s.matches("commits transaction 1:").count(), 1, "{s}");

    // Every scenario and technique, seeds 0–30 and every prompt's settings: each
    // "(retry n)" is the n-th timeout's resend of its own chain of sends.
    let mut tally = Tally::default();
    for s in eop::sim::all() {
        let info = s.info();
        let mut cfgs: Vec<(String, RunConfig)> = (0..=30)
            .map(|seed| (format!("seed {seed}"), RunConfig::seed(seed)))
            .collect();
        for o in every().into_iter().filter(|o| o.scenario == info.id) {
            cfgs.push((format!("prompt at seed {}", o.seed), o.config(o.seed)));
        }
        for (what, cfg) in cfgs {
            recount_retries(info.id, &cfg, &what, &mut tally);
        }
    }
    // The runs the fix was for: a write redone after an abort or resent after a
    // restart, then retried after a timeout — its retry 1, not the hop's attempt.
    for (id, seed, t, resend, retries) in [
        (
            "broker-eos",
            2,
            "txn-read-committed",
            "txn-6 (written again after the abort)",
            ["txn-6 (retry 1)", "txn-6 (retry 2)"],
        ),
        (
            "outbox",
            6,
            "outbox",
            "order-7 (resent after restart)",
            ["order-7 (retry 1)", "order-7 (retry 1)"],
        ),
    ] {
        let s = story(id, &RunConfig::seed(seed), t);
        let after = &s[s
            .rfind(resend)
            .unwrap_or_else(|| panic!("{id} {seed}: {s}"))..];
        for want in retries {
            assert!(
                after.contains(want),
                "{id} {seed} {t}: no {want} after {resend}"
            );
        }
    }
    // Key-threading with a stage that drops the key: a ball forwarded again is retried
    // within its own chain ("forwarded again, retry n").
    for seed in 0..60 {
        for stage in [1, 2, 3] {
            let cfg = RunConfig::seed(seed)
                .set("drop_key_stage", stage)
                .set("loss", 150);
            let what = format!("seed {seed} stage {stage}");
            recount_retries("key-threading", &cfg, &what, &mut tally);
        }
    }
    assert!(
        tally.bad.is_empty(),
        "{} retries misnumbered, e.g.:\n{}",
        tally.bad.len(),
        tally.bad[..tally.bad.len().min(12)].join("\n")
    );
    assert!(tally.forwarded > 0, "some forwarded ball was retried");
    assert!(
        tally.after_new_chain > 0,
        "some retry followed a resend after a restart or an abort"
    );
    assert!(tally.retries > 1000, "{} retries recounted", tally.retries);
    eprintln!(
        "retries: {} recounted, {} of a ball forwarded again, {} after a resend",
        tally.retries, tally.forwarded, tally.after_new_chain
    );
}

#[derive(Default)]
struct Tally {
    retries: usize,
    /// Retries of a ball forwarded again (key-threading).
    forwarded: usize,
    /// Retries whose chain began with a resend (after a restart, an abort, a forward).
    after_new_chain: usize,
    bad: Vec<String>,
}

/// Recount the number of every "(retry n)" in every technique of `id` at `cfg` from
/// the trace: a send is a retry of the transmission its sender last timed out on for
/// that message, and its number is that transmission's plus one; any other send (the
/// first, a resend after a restart or an abort, a forward as new) starts a chain at 0.
fn recount_retries(id: &str, cfg: &RunConfig, what: &str, tally: &mut Tally) {
    use eop::sim::narrate::payload_label;
    let unit = eop::sim::scenarios::info(id).unit;
    let r = run(id, cfg).unwrap();
    for t in &r.techniques {
        // (node, msg, attempt) → (its chain's retries so far, forwarded again?, resent?)
        let mut chain: BTreeMap<(u8, u32, u16), (u16, bool, bool)> = BTreeMap::new();
        let mut last_timeout: BTreeMap<(u8, u32), u16> = BTreeMap::new();
        for e in &t.trace {
            match e.ev {
                Ev::Timeout {
                    node, msg, attempt, ..
                } => {
                    last_timeout.insert((node.0, msg), attempt);
                }
                Ev::Send {
                    from,
                    p,
                    copy_of: None,
                    ..
                } if !matches!(p.kind, MsgKind::Ack | MsgKind::Response) => {
                    let l = payload_label(&p, unit);
                    let here = (from.0, p.msg);
                    let shown = l
                        .find("retry ")
                        .map(|i| &l[i + "retry ".len()..])
                        .and_then(|r| r.split(')').next())
                        .and_then(|n| n.parse::<u16>().ok());
                    let Some(shown) = shown else {
                        let resent = p.attempt > 0;
                        let fwd = l.contains("(forwarded again)");
                        chain.insert((here.0, here.1, p.attempt), (0, fwd, resent));
                        continue;
                    };
                    tally.retries += 1;
                    let prev = last_timeout
                        .get(&here)
                        .and_then(|a| chain.get(&(here.0, here.1, *a)));
                    let Some(&(k, fwd, resent)) = prev else {
                        tally.bad.push(format!(
                            "{id} {what} {}: {l} with no timeout on an earlier send",
                            t.id
                        ));
                        continue;
                    };
                    let n = k + 1;
                    chain.insert((here.0, here.1, p.attempt), (n, fwd, resent));
                    if fwd {
                        tally.forwarded += 1;
                    }
                    if resent {
                        tally.after_new_chain += 1;
                    }
                    let want = if fwd {
                        format!("(forwarded again, retry {n})")
                    } else {
                        format!("(retry {n})")
                    };
                    if shown != n || !l.contains(&want) {
                        tally
                            .bad
                            .push(format!("{id} {what} {}: {l}, want {want}", t.id));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A technique's title in the ledgers wraps between words ("Broke r EOS only" at 320 px
/// came from `overflow-wrap: anywhere`, which lets the table squeeze a column below its
/// longest word).
#[test]
fn ledger_titles_break_between_words() {
    let css =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css")).unwrap();
    let start = css.find("\n.lc-title {").expect("the .lc-title rule");
    let rule = &css[start..start + css[start..].find('}').unwrap()];
    assert!(!rule.contains("anywhere"), "{rule}");
    assert!(rule.contains("overflow-wrap: break-word"), "{rule}");
    assert!(!css.contains("word-break: break-all"));
}

/// A record's "second/third … copy in the log" is its payment's n-th append to that
/// broker's log, and its "delivery n" the n-th time that broker hands over that
/// offset — both recounted from the trace, every scenario and technique, seeds 0–30.
#[test]
fn log_copy_ordinals_are_recounted_from_the_appends() {
    let mut bad = Vec::new();
    let mut seen = 0;
    let mut redelivered = 0;
    for s in eop::sim::all() {
        let info = s.info();
        for seed in 0..=30 {
            let r = run(info.id, &RunConfig::seed(seed)).unwrap();
            for t in &r.techniques {
                // (node, msg) → offsets appended, in order.
                let mut appends: BTreeMap<(u8, u32), Vec<(u8, u32)>> = BTreeMap::new();
                let mut deliveries: BTreeMap<(u8, u8, u32), u16> = BTreeMap::new();
                for e in &t.trace {
                    match e.ev {
                        Ev::LogAppend {
                            node,
                            partition,
                            offset,
                            msg,
                            ..
                        } => {
                            let v = appends.entry((node.0, msg)).or_default();
                            if !v.contains(&(partition, offset)) {
                                v.push((partition, offset));
                            }
                        }
                        Ev::Send {
                            from,
                            p,
                            copy_of: None,
                            ..
                        } if p.kind == MsgKind::Record => {
                            let Some(at) = p.at else { continue };
                            seen += 1;
                            let d = deliveries
                                .entry((from.0, at.partition, at.offset))
                                .or_insert(0u16);
                            if *d != at.delivery && bad.len() < 20 {
                                bad.push(format!(
                                    "{} seed {seed} {}: msg {} at {:?}: delivery {} but {} sends before",
                                    info.id, t.id, p.msg, at, at.delivery, d
                                ));
                            }
                            redelivered += usize::from(*d > 0);
                            *d += 1;
                            let v = appends.get(&(from.0, p.msg)).cloned().unwrap_or_default();
                            let n = v.iter().position(|x| *x == (at.partition, at.offset));
                            if n != Some(at.copy as usize) && bad.len() < 20 {
                                bad.push(format!(
                                    "{} seed {seed} {}: msg {} at {:?} copy {} but appends {:?}",
                                    info.id, t.id, p.msg, at, at.copy, v
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "{seen} records; {}", bad.join("\n"));
    assert!(seen > 1000, "{seen} records recounted");
    assert!(redelivered > 0, "some record was handed over again");
    eprintln!("log copies: {seen} records recounted, {redelivered} redelivered");
}
