//! One verdict text path, in the scenario's units. For every scenario that is not about
//! ₹ payments (its ledger counts balls or samples, or it is judged by agreement), every
//! output path — `eosim run` (table, `--json`, `--trace`), `eosim sweep` and `eosim
//! check` (text and `--json`), the sweep panel's sentences, and what the page shows (badges,
//! live summaries, counters, ledger entries, stage badges, the event log, the space-time
//! labels, the host API's `state` message) — is searched for "₹", txn ids and "payment".

use eop::sim::explore::{estimate, explore};
use eop::sim::ledger::LedgerUnit;
use eop::sim::replay::{Counters, View};
use eop::sim::run::Property;
use eop::sim::sweep::{sweep, SweepConfig};
use eop::sim::{all, run, RunConfig};
use eop::ui::components::ledgers::{entry_words, noun};
use eop::ui::components::spacetime::diagram;
use eop::ui::facts::{badges_in, live_verdict};
use std::process::Command;

/// What a text about balls, samples, generals or orders must never say: ₹ where no
/// money moves, a payment's "txn-" id or the word "payment" where there are none.
fn offending(text: &str) -> Option<String> {
    offending_in(text, LedgerUnit::Messengers)
}

fn offending_in(text: &str, unit: LedgerUnit) -> Option<String> {
    let lower = text.to_lowercase();
    if text.contains('₹') && !matches!(unit, LedgerUnit::Rupees | LedgerUnit::Orders) {
        return Some("₹".into());
    }
    if let Some(i) = lower.find("txn-").filter(|_| unit != LedgerUnit::Rupees) {
        if lower[i + 4..].starts_with(|c: char| c.is_ascii_digit()) {
            return Some("a txn id".into());
        }
    }
    if text.contains("%%") {
        return Some("a doubled % (a format string filled twice)".into());
    }
    (unit != LedgerUnit::Rupees && lower.contains("payment")).then(|| "\"payment\"".into())
}

fn non_payment_scenarios() -> Vec<&'static str> {
    all()
        .iter()
        .map(|s| s.info())
        .filter(|i| i.unit != LedgerUnit::Rupees || i.property == Property::Agreement)
        .map(|i| i.id)
        .collect()
}

/// What was found, and the unit of the scenario being searched.
struct Finds(Vec<String>, LedgerUnit);

impl Finds {
    fn check(&mut self, path: &str, text: &str) {
        for line in text.lines() {
            if let Some(what) = offending_in(line, self.1) {
                if self.0.len() < 40 {
                    self.0.push(format!("{path}: {what} in {line:?}"));
                }
                return;
            }
        }
    }
}

fn eosim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(args)
        .output()
        .expect("eosim runs");
    assert!(out.status.success(), "eosim {args:?} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_checker_catches_payment_words() {
    assert!(offending("m-A over by ₹6 — applied txn-8 twice").is_some());
    assert!(offending("broken in 530 of 29161 schedules (1%%)").is_some());
    assert!(offending("never applied txn-54").is_some());
    assert!(offending("on this run's 0 payments").is_some());
    assert!(offending("match A over by 2 runs — applied ball 1 twice").is_none());
    // The old default summary spoke of rupees whatever the scenario: it would be caught.
    let r = run("key-threading", &RunConfig::seed(0)).unwrap();
    let t = r.technique("one-stage-drops-key").unwrap();
    assert!(!t.verdict.summary_in(LedgerUnit::Runs).is_empty());
    assert!(offending(&t.verdict.summary()).is_some());
    assert!(offending(&t.verdict.summary_in(LedgerUnit::Runs)).is_none());
}

#[test]
fn the_non_payment_scenarios_are_the_expected_ones() {
    assert_eq!(
        non_payment_scenarios(),
        ["two-generals", "telemetry", "outbox", "key-threading"]
    );
    // Review R2-16: Two Generals moves no money; the outbox moves orders.
    assert_eq!(
        eop::sim::scenarios::info("two-generals").unit,
        LedgerUnit::Messengers
    );
    assert_eq!(eop::sim::scenarios::info("outbox").unit, LedgerUnit::Orders);
    assert!(offending_in(
        "✕ 1 order applied twice (m-C short by ₹1800)",
        LedgerUnit::Orders
    )
    .is_none());
    assert!(offending_in("✕ 1 payment applied twice", LedgerUnit::Orders).is_some());
}

#[test]
fn every_cli_path_speaks_the_scenarios_units() {
    let mut f = Finds(Vec::new(), LedgerUnit::Messengers);
    for id in non_payment_scenarios() {
        f.1 = eop::sim::scenarios::info(id).unit;
        let small: &[&str] = if id == "telemetry" {
            &["--set", "seconds=2"]
        } else {
            &[]
        };
        let with = |base: &[&str]| -> Vec<String> {
            base.iter()
                .chain(small.iter())
                .map(|s| s.to_string())
                .collect()
        };
        let cases: Vec<Vec<String>> = vec![
            with(&["run", id]),
            with(&["run", id, "--json"]),
            with(&["run", id, "--trace"]),
            with(&["run", id, "--trace", "--json"]),
            with(&["sweep", id, "--runs", "300"]),
            with(&["sweep", id, "--runs", "300", "--json"]),
            with(&["check", id, "--faults", "1"]),
            with(&["check", id, "--faults", "1", "--json"]),
        ];
        for args in cases {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = eosim(&a);
            f.check(&format!("eosim {}", args.join(" ")), &out);
        }
    }
    assert!(f.0.is_empty(), "{}", f.0.join("\n"));
}

#[test]
fn every_sweep_and_check_sentence_speaks_the_scenarios_units() {
    let mut f = Finds(Vec::new(), LedgerUnit::Messengers);
    for id in non_payment_scenarios() {
        let info = eop::sim::scenarios::info(id);
        f.1 = info.unit;
        let params: Vec<(String, i64)> = if id == "telemetry" {
            vec![("seconds".into(), 2)]
        } else {
            Vec::new()
        };
        let cfg = |runs, faults| SweepConfig {
            scenario: id.to_string(),
            runs,
            seed: info.showcase_seed,
            params: params.clone(),
            faults,
        };
        let mut smallest = 0;
        for res in [
            sweep(cfg(300, 0)).unwrap(),
            explore(cfg(20_000, 1)).unwrap(),
        ] {
            for t in &res.techniques {
                let path = format!("{id} sweep panel / {}", t.id);
                f.check(
                    &path,
                    &t.outcome(info.unit, info.property, res.space.as_ref()),
                );
                if let Some(w) = t.worst(info.unit) {
                    f.check(&path, &w);
                }
                if let Some(cx) = &t.smallest {
                    smallest += 1;
                    f.check(&path, &cx.words());
                }
            }
            if let Some(s) = &res.space {
                f.check(&format!("{id} check space"), &s.assumptions);
            }
        }
        assert!(smallest > 0, "{id}: no counterexample to read");
        let e = estimate(id, info.showcase_seed, &params, 2, 20_000).unwrap();
        f.check(&format!("{id} check estimate"), &e.scope_words(info.unit));
        assert!(
            !e.scope_words(info.unit).contains(" 1 ticks"),
            "{}",
            e.scope_words(info.unit)
        );
    }
    assert!(f.0.is_empty(), "{}", f.0.join("\n"));
}

#[test]
fn every_page_text_speaks_the_scenarios_units() {
    let mut f = Finds(Vec::new(), LedgerUnit::Messengers);
    for (name, _, def) in Counters::DEFINITIONS {
        f.check("counter definitions", &format!("{name}: {def}"));
    }
    for id in non_payment_scenarios() {
        let info = eop::sim::scenarios::info(id);
        f.1 = info.unit;
        // The ledger's noun is shown only where there is a ledger (not Two Generals).
        if !run(id, &RunConfig::seed(1)).unwrap().workload.is_empty() {
            f.check(&format!("{id} noun"), &noun(info.unit));
        }
        let mut seeds: Vec<u64> = (0..12).collect();
        seeds.push(info.showcase_seed);
        seeds.extend(info.try_this.iter().map(|t| t.seed));
        for seed in seeds {
            let r = run(id, &RunConfig::seed(seed)).unwrap();
            for t in &r.techniques {
                let path = format!("{id} seed {seed} / {}", t.id);
                f.check(&format!("{path} badge"), &t.badge.text);
                let text = eop::sim::invariants::VerdictText::of(t, info.unit);
                f.check(&format!("{path} verdict"), &text.line());
                for c in &t.verdict.checks {
                    f.check(&format!("{path} check"), &c.detail);
                }
                for e in &t.ledger.entries {
                    f.check(
                        &format!("{path} entry"),
                        &entry_words(e, info.unit).join(" "),
                    );
                }
                let mut view = View::default();
                let step = (t.trace.len() / 25).max(1);
                for (i, e) in t.trace.iter().enumerate() {
                    f.check(
                        &format!("{path} event log"),
                        &eop::sim::narrate::line(e, &t.nodes, &view, info.unit),
                    );
                    view.apply(e);
                    for b in badges_in(std::slice::from_ref(e), &view, &t.ledger, info.unit) {
                        f.check(&format!("{path} stage badge"), &b.text);
                    }
                    if i % step == 0 {
                        let (live, _) = live_verdict(t, &view, &r.workload);
                        f.check(&format!("{path} live summary"), &live.summary_in(info.unit));
                    }
                }
                let d = diagram::of(t, info.unit);
                for a in &d.arrows {
                    f.check(&format!("{path} space-time arrow"), &a.label);
                }
                for m in &d.marks {
                    f.check(&format!("{path} space-time mark"), &m.label);
                }
            }
        }
        let s = eop::ui::state::State::from_share(
            &eop::ui::share::decode(&format!("?s={id}")).state,
            &[],
        );
        let m = eop::ui::host::envelope("state", eop::ui::host::state_fields(&s));
        f.check(&format!("{id} host state"), &m.to_string());
    }
    assert!(f.0.is_empty(), "{}", f.0.join("\n"));
}

/// Review R2-17: a verdict line never nests brackets ("((…))") nor repeats the badge's
/// words; a repeat count never stands beside another number ("1 11 times").
#[test]
fn verdict_lines_read_cleanly() {
    let mut bad = Vec::new();
    for s in all() {
        let info = s.info();
        let mut cfgs: Vec<RunConfig> = (0..6).map(RunConfig::seed).collect();
        cfgs.push(RunConfig::seed(info.showcase_seed));
        for tt in info.try_this {
            let mut c = RunConfig::seed(tt.seed);
            for (n, v) in tt.set {
                c = c.set(n, *v);
            }
            cfgs.push(c);
        }
        for cfg in cfgs {
            let r = run(info.id, &cfg).unwrap();
            for t in &r.techniques {
                let text = eop::sim::invariants::VerdictText::of(t, info.unit);
                let line = text.line();
                let mut depth = 0i32;
                let mut deepest = 0;
                for c in line.chars() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    deepest = deepest.max(depth);
                }
                let words = text.badge.split_once(' ').map_or("", |(_, w)| w);
                let repeated = !words.is_empty() && line.matches(words).count() > 1;
                let numbers_side_by_side = line
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .windows(3)
                    .any(|w| {
                        w[0].parse::<u32>().is_ok()
                            && w[1].parse::<u32>().is_ok()
                            && w[2].starts_with("time")
                    });
                if deepest > 1 || depth != 0 || repeated || numbers_side_by_side {
                    bad.push(format!("{} seed {} / {}: {line}", info.id, cfg.seed, t.id));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The words for many repeats: spelled out, then "of them".
    assert_eq!(eop::sim::invariants::times(11), "eleven times");
    assert_eq!(eop::sim::invariants::times(14), "14 times");
}

/// Review R2-17: the CLI's tables line up, whatever the length of a technique's label;
/// R2-18: a sweep counts schedules, never "runs" (a unit of key-threading's ledger).
#[test]
fn cli_tables_line_up_and_sweeps_count_schedules() {
    for id in ["outbox", "eos-boundary", "key-threading", "telemetry"] {
        let out = eosim(&["run", id]);
        let lines: Vec<&str> = out.lines().collect();
        let header = lines.iter().find(|l| l.starts_with("technique")).unwrap();
        let col = header[..header.find("verdict").unwrap()].chars().count();
        let info = eop::sim::scenarios::info(id);
        let r = run(id, &RunConfig::seed(info.showcase_seed)).unwrap();
        for t in &r.techniques {
            let row = lines
                .iter()
                .find(|l| l.starts_with(&format!("{} ({})", t.label, t.id)))
                .unwrap();
            let glyph = row.chars().nth(col).unwrap();
            assert!(
                ['✓', '✕', '!'].contains(&glyph),
                "{id}: the verdict of {} starts at column {col}: {row:?}",
                t.id
            );
        }
        let sweep = eosim(&["sweep", id, "--runs", "40"]);
        let heads: Vec<&str> = sweep
            .lines()
            .filter(|l| l.contains(" violations "))
            .collect();
        assert_eq!(heads.len(), r.techniques.len(), "{sweep}");
        let at: Vec<usize> = heads
            .iter()
            .map(|l| l[..l.find(" violations ").unwrap()].chars().count())
            .collect();
        assert!(at.iter().all(|a| *a == at[0]), "{id}: {sweep}");
        assert!(sweep.contains("40 random schedules from seed"), "{sweep}");
        for l in sweep.lines().filter(|l| l.contains('✕') || l.contains('✓')) {
            let words: Vec<&str> = l.split_whitespace().collect();
            for w in words.windows(2) {
                assert!(
                    !(w[1].starts_with("run") && w[0].parse::<u64>().is_ok()),
                    "{id}: a sweep's count of runs: {l}"
                );
            }
        }
    }
    // Key-threading's ledger counts runs: its sweep's worst error says what it is.
    let k = eosim(&["sweep", "key-threading", "--runs", "60"]);
    assert!(k.contains("largest error"), "{k}");
    assert!(!k.contains("worst"), "{k}");
}
