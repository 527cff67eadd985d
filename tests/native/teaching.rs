//! Teaching truth: every "Watch:" promise is kept at the seed it opens with, a promise
//! that holds only on lucky seeds says so, and a badge speaks of its scenario's own
//! property (no "exactly once" where the scenario is about agreement, fidelity or
//! final state).

use eop::sim::catalogue::every;
use eop::sim::run::Property;
use eop::sim::{all, run, RunConfig};

/// Seeds over which the test measures how seed-dependent a promise is (`eosim
/// promises` prints the rate over 1,000 seeds).
const LUCK_SEEDS: u64 = 100;
/// Below this share of seeds a promise must say that it depends on the seed.
const LUCK_PERCENT: u64 = 30;

#[test]
fn every_promise_has_a_checkable_expectation() {
    for o in every() {
        assert!(
            !o.watch.trim().is_empty(),
            "{} / {:?}: no Watch sentence",
            o.scenario,
            o.name
        );
        assert!(
            !o.expect.is_empty(),
            "{} / {:?}: the Watch sentence {:?} has no machine-checkable expectation",
            o.scenario,
            o.name,
            o.watch
        );
    }
}

#[test]
fn every_promise_is_kept_at_its_seed() {
    let mut broken = Vec::new();
    for o in every() {
        if let Err(why) = o.kept_at(o.seed) {
            broken.push(format!(
                "{} / {:?} at seed {}: {why} (promised: {:?})",
                o.scenario, o.name, o.seed, o.watch
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "promises not kept:\n{}",
        broken.join("\n")
    );
}

#[test]
fn a_promise_that_needs_luck_says_so() {
    for o in every() {
        let hits = o.hits(0..LUCK_SEEDS);
        let pct = hits * 100 / LUCK_SEEDS;
        eprintln!(
            "{:>3}% of seeds 0..{LUCK_SEEDS}: {} / {}",
            pct, o.scenario, o.name
        );
        if pct < LUCK_PERCENT {
            let w = o.watch.to_lowercase();
            assert!(
                w.contains("luck") || w.contains("some seeds") || w.contains("depends on the seed"),
                "{} / {:?} is kept on only {pct}% of seeds; its Watch sentence must say it depends on luck: {:?}",
                o.scenario,
                o.name,
                o.watch
            );
        }
    }
}

/// Badges and verdict lines of scenarios judged by another property never speak of
/// "exactly once" — on the showcase seed, seed 7 and every prompt's settings.
#[test]
fn badges_speak_of_the_scenarios_own_property() {
    for s in all() {
        let info = s.info();
        let mut cfgs = vec![RunConfig::seed(info.showcase_seed), RunConfig::seed(7)];
        for o in every().into_iter().filter(|o| o.scenario == info.id) {
            cfgs.push(o.config(o.seed));
        }
        for cfg in cfgs {
            let r = run(info.id, &cfg).unwrap();
            for t in &r.techniques {
                let badge = &t.badge.text;
                assert!(
                    badge.starts_with('✓') || badge.starts_with('!') || badge.starts_with('✕'),
                    "{} / {}: badge {badge:?} has no glyph",
                    info.id,
                    t.id
                );
                if info.property != Property::ExactlyOnceEffect {
                    for text in [badge.clone(), t.verdict.summary_in(info.unit)] {
                        let l = text.to_lowercase();
                        assert!(
                            !l.contains("exactly once") && !l.contains("exactly-once"),
                            "{} is judged by {}, yet {} says {text:?}",
                            info.id,
                            info.property.label(),
                            t.id
                        );
                    }
                }
            }
        }
    }
}

/// The narrated story of technique `t` of scenario `id` at `seed` with `set`.
fn story(id: &str, seed: u64, set: &[(&str, i64)], t: &str) -> String {
    let mut cfg = RunConfig::seed(seed);
    cfg.params = set.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let r = run(id, &cfg).unwrap();
    let tr = r.technique(t).unwrap();
    let unit = eop::sim::scenarios::find(id).unwrap().info().unit;
    eop::sim::narrate::render(&tr.trace, &tr.nodes, unit)
}

/// The narration names the mechanism that happened — a
/// session timeout (missed heartbeats) and a rebalance, an offset commit refused while
/// the writes stay done, a record read again from the committed offset — never a
/// sender's "retry" for a broker's redelivery, nor a fenced write that was applied.
#[test]
fn narration_names_the_mechanism() {
    let q = story("quarter-end", 7, &[], "as-built");
    assert!(q.contains("has heard no heartbeat from worker-1 for a whole session timeout"));
    assert!(q.contains("a rebalance hands its work, from the committed offset"));
    assert!(q.contains("broker refuses worker-1's offset commit (its batch up to txn-8)"));
    assert!(
        q.contains("ledger applied txn-8"),
        "txn-8 itself was applied"
    );
    assert!(!q.contains("fenced zombie"), "{q}");
    assert!(!q.contains("times out waiting for txn"), "{q}");
    assert!(!q.contains("(retry"), "a rebalance is not a retry:\n{q}");
    assert!(q.contains("txn-5 (delivery 2) to worker-2"));

    let e = story(
        "eos-boundary",
        1,
        &[("offset_reset", 1), ("crash_per_mille", 50)],
        "eos-only",
    );
    assert!(
        e.contains("an operator resets sink's committed offset to 0: its next read starts there")
    );
    assert!(!e.contains("(retry"), "a re-read is not a retry:\n{e}");

    let w = story("walkthrough", 1, &[], "naive");
    assert!(
        w.contains("broker sends txn-3 (delivery 2) to handler"),
        "{w}"
    );

    // A sender's own retry stays a retry.
    let d = story("delivery-semantics", 0, &[], "at-least-once");
    assert!(d.contains("(retry 1)"), "{d}");
    assert!(d.contains("times out waiting for an answer about"), "{d}");

    // Kafka transactions make writes visible together; a database makes them durable.
    let b = story("broker-eos", 35, &[], "txn-read-committed");
    assert!(b.contains("take effect together (visible to read_committed readers)"));
    assert!(!b.contains("durable together"), "{b}");
    let a = story("atomic-commit", 1, &[], "atomic");
    assert!(a.contains("become durable together"), "{a}");

    // Review R2-21: a resend after a restart is named as one, in the dual write and the
    // relay alike (the outbox showcase restarts both), and so is a batch written again
    // after its transaction aborted.
    let o = story("outbox", 20, &[], "dual-write");
    assert!(
        o.contains("order service restarts\ntick 53: order service sends order-6 (resent after restart) to broker"),
        "{o}"
    );
    let o = story("outbox", 20, &[], "outbox");
    assert!(
        o.contains("relay (CDC) sends order-6 (resent after restart) [outbox_id=6, key=6]"),
        "{o}"
    );
    assert!(
        o.contains("relay (CDC) sends order-3 (retry 1)"),
        "a timeout's resend stays a retry: {o}"
    );
    // Across every scenario: "(retry n)" only on a resend its sender's timeout caused.
    let bad = retries_without_a_timeout();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every narrated "(retry n)" send whose sender had not timed out on that message since
/// it last sent it (a resend after a restart or an abort is no retry), over every
/// scenario's showcase, its prompts and a few seeds.
fn retries_without_a_timeout() -> Vec<String> {
    use eop::sim::event::{Ev, MsgKind};
    use eop::sim::narrate::payload_label;
    use std::collections::BTreeSet;
    let mut bad = Vec::new();
    for s in all() {
        let info = s.info();
        let mut cfgs: Vec<RunConfig> = (0..8).map(RunConfig::seed).collect();
        cfgs.push(RunConfig::seed(info.showcase_seed));
        for o in every().into_iter().filter(|o| o.scenario == info.id) {
            cfgs.push(o.config(o.seed));
        }
        for cfg in cfgs {
            let r = run(info.id, &cfg).unwrap();
            for t in &r.techniques {
                let mut timed_out: BTreeSet<(u8, u32)> = BTreeSet::new();
                for e in &t.trace {
                    match e.ev {
                        Ev::Timeout {
                            node,
                            msg,
                            suspect: None,
                            ..
                        } => {
                            timed_out.insert((node.0, msg));
                        }
                        Ev::Send {
                            from,
                            p,
                            copy_of: None,
                            ..
                        } if !matches!(p.kind, MsgKind::Ack | MsgKind::Response) => {
                            let label = payload_label(&p, info.unit);
                            let untimed = !timed_out.contains(&(from.0, p.msg));
                            let retry = label.contains("(retry") || label.contains(", retry");
                            if retry && untimed && bad.len() < 10 {
                                bad.push(format!(
                                    "{} seed {} {:?} / {} tick {}: {label} without a timeout",
                                    info.id, cfg.seed, cfg.params, t.id, e.tick
                                ));
                            }
                            timed_out.remove(&(from.0, p.msg));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    bad
}

/// Review R2-5: a telemetry sample that arrives after its second was published is
/// narrated as too late to count, right after its delivery, and counted as such.
#[test]
fn a_late_sample_is_narrated_as_too_late_to_count() {
    let s = story("telemetry", 7, &[], "retry-every-sample");
    assert!(
        s.contains(
            "tick 45: sample 43 (retry 1) delivered\ntick 45: sample 43 arrives after second 3 was published: too late to count — collector acks it but leaves it out of every published average"
        ),
        "{s}"
    );
    let f = story("telemetry", 7, &[], "fire-and-forget");
    assert!(
        !f.contains("too late"),
        "nothing arrives late without retries here"
    );
}

/// Review R2-11: a repeated DELETE affects no row, and the narration says so.
#[test]
fn a_repeated_delete_affects_no_row() {
    let s = story("idempotent-ops", 3, &[], "delete");
    let lines: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("DELETE … WHERE id = txn-1 "))
        .collect();
    assert_eq!(lines.len(), 2, "{s}");
    assert!(lines[0].contains("(1 row affected)"), "{}", lines[0]);
    assert!(lines[1].contains("(0 rows affected)"), "{}", lines[1]);
}

/// Review R2-6: in a quarter-end run where no copy arrived, no badge credits a technique
/// with an exactly-once it was never tested on; it says that no copy arrived.
#[test]
fn quarter_end_credits_no_technique_for_copies_that_never_came() {
    use eop::sim::replay::View;
    let mut calm = 0;
    let mut cfgs: Vec<RunConfig> = (0..40)
        .map(|s| RunConfig::seed(s).set("gc_pause_ticks", 8))
        .collect();
    cfgs.extend((0..40).map(RunConfig::seed));
    for o in every().into_iter().filter(|o| o.scenario == "quarter-end") {
        cfgs.push(o.config(o.seed));
    }
    for cfg in cfgs {
        let r = run("quarter-end", &cfg).unwrap();
        for t in &r.techniques {
            let copies = View::of(&t.trace).counters.dup_delivered;
            if copies == 0 && t.verdict.exactly_once {
                calm += 1;
                assert_eq!(
                    t.badge.text, "✓ no copy arrived in this run: one entry per payment",
                    "{} seed {}",
                    t.id, cfg.seed
                );
            } else {
                assert!(
                    !t.badge.text.contains("no copy arrived"),
                    "{}",
                    t.badge.text
                );
            }
        }
    }
    assert!(calm > 0, "some run had no copy");
}

/// Review R2-12: a count a prompt states is the run's own count at the prompt's seed
/// (a `Doubled(n)` or `Lost(n)` is "at least n": a number in the text must be exact).
#[test]
fn a_count_a_prompt_states_is_the_runs_own() {
    use eop::sim::promise::Outcome;
    let mut checked = 0;
    for o in every() {
        let r = run(o.scenario, &o.config(o.seed)).unwrap();
        let words: Vec<&str> = o
            .watch
            .split(|c: char| !c.is_ascii_alphanumeric())
            .collect();
        for e in o.expect {
            let Some(t) = r.technique(e.technique) else {
                continue;
            };
            let (n, actual) = match e.outcome {
                Outcome::Doubled(n) => (n, t.verdict.applied_twice.len()),
                Outcome::Lost(n) => (n, t.verdict.lost.len()),
                _ => continue,
            };
            if n > 1 && words.contains(&n.to_string().as_str()) {
                checked += 1;
                assert_eq!(
                    actual, n,
                    "{} / {:?}: the text says {n}, the run at seed {} has {actual}: {:?}",
                    o.scenario, o.name, o.seed, o.watch
                );
            }
        }
    }
    assert!(
        checked >= 2,
        "the quarter-end and walkthrough prompts state counts"
    );
}

/// Review R2-19 and R2-20: the output topic's records are written, not applied; a dedup
/// row is named by what it stores, never a bare "id 1" beside "txn-1".
#[test]
fn writes_and_dedup_rows_are_named_by_what_they_are() {
    let t = story(
        "eos-boundary",
        1,
        &[("offset_reset", 1), ("crash_per_mille", 50)],
        "eos-to-topic",
    );
    assert!(
        t.contains("txn-1 ₹500 for m-B is now written to the output topic"),
        "{t}"
    );
    assert!(!t.contains("broker applied"), "{t}");
    let r = run(
        "eos-boundary",
        &RunConfig::seed(1)
            .set("offset_reset", 1)
            .set("crash_per_mille", 50),
    )
    .unwrap();
    let v = &r.technique("eos-to-topic").unwrap().verdict;
    let summary = v.summary_in(eop::sim::scenarios::info("eos-boundary").unit);
    assert!(summary.contains("4 more written twice"), "{summary}");
    assert!(!summary.contains("applied"), "{summary}");
    for s in all() {
        let info = s.info();
        let r = run(info.id, &RunConfig::seed(info.showcase_seed)).unwrap();
        for tr in &r.techniques {
            let story = eop::sim::narrate::render(&tr.trace, &tr.nodes, info.unit);
            for l in story.lines().filter(|l| l.contains("dedup table")) {
                let bare = l
                    .split(" id ")
                    .skip(1)
                    .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
                assert!(!bare, "{} / {}: {l}", info.id, tr.id);
            }
        }
    }
    let d = story("delivery-semantics", 0, &[], "exactly-once");
    assert!(d.contains("records txn-1's id in its dedup table"), "{d}");
    let o = story("outbox", 20, &[], "outbox");
    assert!(o.contains("records outbox_id 1 in its dedup table"), "{o}");
}

/// The telemetry texts speak of published means (not sums),
/// and a retried sample that lands after its second was published is counted nowhere.
#[test]
fn telemetry_speaks_of_means_and_credits_no_late_retry() {
    let info = eop::sim::scenarios::find("telemetry").unwrap().info();
    let all: Vec<&str> = std::iter::once(info.promise)
        .chain(info.explain.iter().copied())
        .chain(info.try_this.iter().map(|t| t.watch))
        .collect();
    for s in &all {
        let l = s.to_lowercase();
        assert!(
            !l.contains("sum per second") && !l.contains("barely"),
            "{s}"
        );
        assert!(!l.contains("one sample in"), "a free ratio: {s}");
    }
    assert!(all.iter().any(|s| s.contains("publishes the average")));
    let r = run("telemetry", &RunConfig::seed(7)).unwrap();
    let rt = r.technique("retry-every-sample").unwrap();
    // Sample 43's retry lands after second 3 was published: not saved.
    assert_eq!(rt.verdict.lost, vec![43]);
}

/// A published average names the readings it was taken from, which may be more than the
/// second's samples when retried copies arrive in time (review R2-3: "from 13 of 12
/// samples" was false): never "N of M samples".
#[test]
fn a_published_average_counts_readings_not_samples() {
    let text = story(
        "telemetry",
        2,
        &[("loss", 100), ("min_fidelity", 970)],
        "retry-every-sample",
    );
    let mut more = 0;
    for l in text.lines().filter(|l| l.contains("publishes the average")) {
        assert!(!l.contains(" of ") || !l.contains(" samples (true"), "{l}");
        let n = |after: &str, before: &str| -> u64 {
            let rest = &l[l.find(after).unwrap() + after.len()..];
            rest[..rest.find(before).unwrap()].trim().parse().unwrap()
        };
        let (readings, samples) = (n(" from ", " reading"), n("the second had ", " samples"));
        more += u64::from(readings > samples);
    }
    assert!(more > 0, "this run counts a retried copy in time: {text}");
}

/// A telemetry promise about the means and the badge use one
/// threshold — wherever a prompt promises the means are close, its badge is a ✓.
#[test]
fn telemetry_promises_and_badges_agree() {
    for o in every().into_iter().filter(|o| o.scenario == "telemetry") {
        let r = run(o.scenario, &o.config(o.seed)).unwrap();
        if o.watch.contains("stays within") {
            let ff = r.technique("fire-and-forget").unwrap();
            assert!(ff.badge.good(), "{:?}: {}", o.name, ff.badge.text);
        }
    }
}

/// A "(delivery N)" label numbers the hand-overs of one log record: a second record
/// of the same payment (a producer's duplicate append, a transaction's rewrite, a
/// relay's republish) is named as a second copy with its offset, never as a delivery.
#[test]
fn a_second_record_of_a_payment_is_a_copy_not_a_delivery() {
    let plain = story("broker-eos", 35, &[], "plain-producer");
    assert!(plain.contains("broker appends txn-5 to partition 0 at offset 1"));
    assert!(
        plain.contains("broker sends txn-5 (second copy in the log, offset 1) to consumer"),
        "{plain}"
    );
    assert!(!plain.contains("txn-5 (delivery 2)"), "{plain}");
    let eos = story("eos-boundary", 1, &[], "eos-only");
    // The rewritten record first, then the aborted record read again after the crash.
    let rewritten = eos
        .find("broker sends txn-4 (second copy in the log, offset 6) to sink")
        .expect(&eos);
    let reread = eos
        .find("broker sends txn-4 (delivery 2) to sink")
        .expect(&eos);
    assert!(rewritten < reread, "{eos}");
    assert!(eos[reread..].contains("sink passes over txn-4 at offset 3 (not committed)"));
    assert!(!eos.contains("txn-4 (delivery 3)"), "{eos}");
    // Every "(delivery N)" line is followed by a read of an offset the same payment
    // was read at before (the same record again).
    for id in [
        "broker-eos",
        "eos-boundary",
        "outbox",
        "atomic-commit",
        "zombie-fencing",
    ] {
        for seed in 0..20 {
            let r = run(id, &RunConfig::seed(seed)).unwrap();
            let unit = eop::sim::scenarios::find(id).unwrap().info().unit;
            for t in &r.techniques {
                let text = eop::sim::narrate::render(&t.trace, &t.nodes, unit);
                for l in text.lines().filter(|l| l.contains(" sends ")) {
                    if let Some(i) = l.find(" (second copy in the log, offset ") {
                        let name = &l[l.find(" sends ").unwrap() + 7..i];
                        let appends = text
                            .lines()
                            .filter(|a| a.contains(&format!("appends {name} to partition")))
                            .count();
                        assert!(appends >= 2, "{id} seed {seed} {}: {l}", t.id);
                    }
                }
            }
        }
    }
}

/// A sender that runs out of retries says so: the last timeout is narrated as giving
/// up, so a lost payment's story ends with why nobody sent it again.
#[test]
fn a_sender_that_gives_up_says_so() {
    let s = story(
        "delivery-semantics",
        0,
        &[("retries_max", 1), ("loss_req", 500)],
        "at-least-once",
    );
    assert!(
        s.contains("producer times out waiting for an answer about txn-4 (try 2) and gives up on it after 2 tries"),
        "{s}"
    );
    // Every give-up is the last word about that payment from its sender, and a retry
    // that is still to come is never called giving up.
    for seed in 0..30 {
        let s = story(
            "delivery-semantics",
            seed,
            &[("retries_max", 1)],
            "at-least-once",
        );
        for (i, l) in s.lines().enumerate() {
            if let Some(j) = l.find(" and gives up on it") {
                let k = l.find("answer about ").unwrap() + 13;
                let name = l[k..j].split(' ').next().unwrap();
                let again = format!("producer sends {name} ");
                assert!(
                    !s.lines().skip(i + 1).any(|m| m.contains(&again)),
                    "seed {seed}: sent again after giving up: {l}"
                );
            }
        }
    }
    // The keyed client's retries are bounded too: when it gives up, the charge is lost,
    // and the story and the explanation say so.
    let k = story(
        "idempotency-keys",
        7114538978300825731,
        &[],
        "idempotency-key",
    );
    assert!(k.contains("and gives up on it after"), "{k}");
    // The quarter-end copies come from a rebalance and a zombie, not from retries.
    let q = run("quarter-end", &RunConfig::seed(7)).unwrap();
    let label = &q.technique("as-built").unwrap().label;
    assert!(!label.contains("retries"), "{label}");
    let help = eop::sim::scenarios::find("idempotency-keys")
        .unwrap()
        .info();
    assert!(help
        .explain
        .iter()
        .any(|e| e.contains("retries are bounded")));
}

/// In the sql-table store a periodic cleanup job deletes a stale dedup row; only the
/// ttl-cache forgets a key the moment its TTL ends. The narration says which.
#[test]
fn a_dedup_row_removed_by_cleanup_is_narrated_as_the_cleanup() {
    let sql = story("dedup-window", 2, &[], "dedup-ttl");
    assert!(
        sql.contains("consumer's periodic cleanup job deletes txn-9's row from its dedup table (stale after tick"),
        "{sql}"
    );
    assert!(!sql.contains("(expired)"), "{sql}");
    let cache = story("dedup-window", 2, &[("store", 1)], "dedup-ttl");
    assert!(cache.contains("forgets txn-9's id (expired)"), "{cache}");
    assert!(!cache.contains("cleanup job deletes"), "{cache}");
}

/// The Two Generals prompt counts what its column counts: messengers, not rounds.
#[test]
fn the_two_generals_prompt_counts_messengers() {
    let info = eop::sim::scenarios::find("two-generals").unwrap().info();
    let p = info
        .try_this
        .iter()
        .find(|t| t.label.starts_with("Insist on"))
        .unwrap();
    assert!(p.label.ends_with("messengers"), "{}", p.label);
}
