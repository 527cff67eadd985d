//! Helpers for scenario tests: seed sweeps that print the failing seed.

use crate::sim::event::Ev;
use crate::sim::invariants::Verdict;
use crate::sim::run::ScenarioInfo;
use crate::sim::{run, RunConfig, RunResult};

/// `technique`'s final balances, merchant by merchant.
pub fn balances(r: &RunResult, technique: &str) -> Vec<(u8, i64)> {
    r.technique(technique)
        .unwrap_or_else(|| panic!("no technique {technique}"))
        .ledger
        .balances()
        .into_iter()
        .collect()
}

/// `technique`'s verdict in `r`.
pub fn verdict<'a>(r: &'a RunResult, technique: &str) -> &'a Verdict {
    &r.technique(technique)
        .unwrap_or_else(|| panic!("no technique {technique}"))
        .verdict
}

/// What each of `technique`'s checks says, in order (the lines under its badge).
pub fn details<'a>(r: &'a RunResult, technique: &str) -> Vec<&'a str> {
    verdict(r, technique)
        .checks
        .iter()
        .map(|c| c.detail.as_str())
        .collect()
}

/// How many events of `technique`'s trace match `f`.
pub fn count(r: &RunResult, technique: &str, f: impl Fn(&Ev) -> bool) -> usize {
    r.technique(technique)
        .unwrap_or_else(|| panic!("no technique {technique}"))
        .trace
        .iter()
        .filter(|e| f(&e.ev))
        .count()
}

/// Run `id` with `overrides` on `seed`.
pub fn run_with(id: &str, seed: u64, overrides: &[(&str, i64)]) -> RunResult {
    let mut cfg = RunConfig::seed(seed);
    for (n, v) in overrides {
        cfg = cfg.set(n, *v);
    }
    match run(id, &cfg) {
        Ok(r) => r,
        Err(e) => panic!("{id} seed {seed}: {e}"),
    }
}

/// The scenario's showcase run (its default parameters on its showcase seed).
pub fn showcase(info: &ScenarioInfo) -> RunResult {
    run_with(info.id, info.showcase_seed, &[])
}

/// The scenario's showcase run and its true final balances, which must be
/// `expected` (the reference numbers its lesson quotes).
pub fn showcase_truth(info: &ScenarioInfo, expected: &[(u8, i64)]) -> (RunResult, Vec<(u8, i64)>) {
    let r = showcase(info);
    let truth = truth(&r);
    assert_eq!(truth, expected, "{}: the showcase's truth", info.id);
    (r, truth)
}

/// The true final balances of `r`, merchant by merchant.
pub fn truth(r: &RunResult) -> Vec<(u8, i64)> {
    r.truth_balances().into_iter().collect()
}

/// One run per "try this" prompt of `info`, on its showcase seed, in prompt order.
pub fn try_this_runs(info: &ScenarioInfo) -> Vec<RunResult> {
    info.try_this
        .iter()
        .map(|t| run_with(info.id, info.showcase_seed, t.set))
        .collect()
}

/// Every "try this" prompt of `info` runs (its settings are valid) on the showcase seed.
pub fn assert_try_this_runs(info: &ScenarioInfo) {
    for (t, r) in info.try_this.iter().zip(try_this_runs(info)) {
        assert!(!r.techniques.is_empty(), "{}: {}", info.id, t.label);
    }
}

/// Two runs of `id` with the same seed and overrides are equal, checksums too.
pub fn assert_deterministic(id: &str, seed: u64, overrides: &[(&str, i64)]) {
    let a = run_with(id, seed, overrides);
    let b = run_with(id, seed, overrides);
    assert_eq!(a, b, "{id} seed {seed}");
    assert_eq!(a.checksum(), b.checksum(), "{id} seed {seed}");
}

/// Assert that every technique in `techniques` keeps its claim on seeds `0..n`.
pub fn assert_holds(id: &str, overrides: &[(&str, i64)], techniques: &[&str], n: u64) {
    for seed in 0..n {
        let r = run_with(id, seed, overrides);
        for t in techniques {
            let tr = r
                .technique(t)
                .unwrap_or_else(|| panic!("{id}: no technique {t}"));
            assert!(
                tr.verdict.holds && tr.verdict.exactly_once,
                "{id}/{t} violated on seed {seed} with {overrides:?}: {}",
                tr.verdict.summary()
            );
        }
    }
}

/// The first seed in `0..n` where `technique` is not exactly-once (or a check fails).
pub fn first_violating_seed(
    id: &str,
    overrides: &[(&str, i64)],
    technique: &str,
    n: u64,
) -> Option<u64> {
    (0..n).find(|&seed| {
        let r = run_with(id, seed, overrides);
        let v = &r
            .technique(technique)
            .unwrap_or_else(|| panic!("{id}: no technique {technique}"))
            .verdict;
        !v.exactly_once || !v.holds
    })
}

/// Hand-made crashes (with and without restart) and pauses on each of the first
/// three nodes: runs stay bounded, and `technique` stays exactly-once whenever the
/// crashed node comes back.
pub fn assert_survives_hand_made_faults(id: &str, technique: &str) {
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    for node in 0..3u8 {
        for at in [1, 4, 9, 17] {
            for down in [0, 3, 12] {
                let mut cfg = RunConfig::seed(at as u64);
                cfg.manual = vec![
                    Fault::Crash {
                        node: NodeId(node),
                        at,
                        down,
                    },
                    Fault::Pause {
                        node: NodeId(node),
                        at: at + 20,
                        ticks: down + 1,
                    },
                ];
                let r = match run(id, &cfg) {
                    Ok(r) => r,
                    Err(e) => panic!("{id}: {e}"),
                };
                assert!(r.end() < 5_000, "{id} {node} {at} {down}: end {}", r.end());
                let t = r
                    .technique(technique)
                    .unwrap_or_else(|| panic!("{id}: no technique {technique}"));
                if down > 0 {
                    assert!(
                        t.verdict.exactly_once,
                        "{id}/{technique} node {node} at {at} down {down}: {}",
                        t.verdict.summary()
                    );
                }
            }
        }
    }
}
