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

/// What a text about balls, samples or generals must never say.
fn offending(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    if text.contains('₹') {
        return Some("₹".into());
    }
    if let Some(i) = lower.find("txn-") {
        if lower[i + 4..].starts_with(|c: char| c.is_ascii_digit()) {
            return Some("a txn id".into());
        }
    }
    if text.contains("%%") {
        return Some("a doubled % (a format string filled twice)".into());
    }
    lower.contains("payment").then(|| "\"payment\"".into())
}

fn non_payment_scenarios() -> Vec<&'static str> {
    all()
        .iter()
        .map(|s| s.info())
        .filter(|i| i.unit != LedgerUnit::Rupees || i.property == Property::Agreement)
        .map(|i| i.id)
        .collect()
}

struct Finds(Vec<String>);

impl Finds {
    fn check(&mut self, path: &str, text: &str) {
        for line in text.lines() {
            if let Some(what) = offending(line) {
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
        ["two-generals", "telemetry", "key-threading"]
    );
}

#[test]
fn every_cli_path_speaks_the_scenarios_units() {
    let mut f = Finds(Vec::new());
    for id in non_payment_scenarios() {
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
    let mut f = Finds(Vec::new());
    for id in non_payment_scenarios() {
        let info = eop::sim::scenarios::info(id);
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
                f.check(&path, &t.outcome(info.property, res.space.as_ref()));
                if let Some(w) = t.worst(info.unit, info.property) {
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
    let mut f = Finds(Vec::new());
    for (name, _, def) in Counters::DEFINITIONS {
        f.check("counter definitions", &format!("{name}: {def}"));
    }
    for id in non_payment_scenarios() {
        let info = eop::sim::scenarios::info(id);
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
