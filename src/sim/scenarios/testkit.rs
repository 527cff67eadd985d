//! Helpers for scenario tests: seed sweeps that print the failing seed.

use crate::sim::{run, RunConfig, RunResult};

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
