use eop::sim::sweep::{sweep, SweepConfig};
use eop::sim::{run, RunConfig};

fn cfg(scenario: &str, runs: u64, params: &[(&str, i64)]) -> SweepConfig {
    SweepConfig {
        scenario: scenario.to_string(),
        runs,
        seed: 11,
        params: params.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        faults: 0,
    }
}

#[test]
fn sweeps_are_deterministic() {
    let a = sweep(cfg("walkthrough", 500, &[("dup", 250)])).unwrap();
    let b = sweep(cfg("walkthrough", 500, &[("dup", 250)])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn counterexample_is_shrunk_and_replays() {
    // With only random duplication (no scripted txn-3 copy) the naive handler
    // breaks exactly when some copy is made; the shrunk run keeps one fault.
    let r = sweep(cfg("walkthrough", 300, &[("dup", 200), ("dup_txn3", 0)])).unwrap();
    let naive = r.techniques.iter().find(|t| t.id == "naive").unwrap();
    assert!(naive.violations > 0);
    let cx = naive.smallest.as_ref().unwrap();
    assert_eq!(
        cx.faults, 1,
        "shrunk to one duplicate: {:?}",
        cx.config.manual
    );
    assert!(!cx.config.random_faults);
    // Replaying the counterexample breaks the naive handler again.
    let replay = run("walkthrough", &cx.config).unwrap();
    assert!(!replay.technique("naive").unwrap().verdict.exactly_once);
    assert!(replay.technique("dedup").unwrap().verdict.exactly_once);
    // The protected techniques held on every schedule.
    for id in ["idempotent", "dedup"] {
        let t = r.techniques.iter().find(|t| t.id == id).unwrap();
        assert_eq!((t.runs, t.violations), (300, 0));
    }
}

#[test]
fn unknown_scenario_and_bad_params_are_errors() {
    assert!(sweep(cfg("nope", 1, &[])).is_err());
    assert!(sweep(cfg("walkthrough", 1, &[("dup", -1)])).is_err());
}

#[test]
fn shrunk_runs_break_for_every_live_scenario_that_breaks() {
    for id in eop::sim::scenarios::ids() {
        let r = sweep(SweepConfig {
            scenario: id.to_string(),
            runs: 40,
            seed: 3,
            params: vec![],
            faults: 0,
        })
        .unwrap();
        for t in &r.techniques {
            if let Some(cx) = &t.smallest {
                let replay = run(id, &cx.config).unwrap();
                let tr = replay.technique(&t.id).unwrap();
                assert!(
                    !tr.verdict.exactly_once || tr.verdict.checks.iter().any(|c| !c.ok),
                    "{id}/{}: shrunk counterexample does not break on replay",
                    t.id
                );
            }
        }
    }
}

/// 100,000 random schedules per scenario: every technique that claims exactly-once
/// processing (and is not built to break) has no violation. `make sweep-long`.
#[test]
#[ignore = "long sweep: make sweep-long"]
fn long_sweep_protected_techniques_hold() {
    let mut broken = Vec::new();
    for s in eop::sim::all() {
        let id = s.info().id;
        let r = sweep(SweepConfig {
            scenario: id.to_string(),
            runs: 100_000,
            seed: 1,
            params: vec![],
            faults: 0,
        })
        .unwrap();
        for t in &r.techniques {
            if t.claim == eop::sim::run::Guarantee::ExactlyOnce {
                println!(
                    "{id}/{}: {} violations in {} runs",
                    t.id, t.violations, t.runs
                );
                let listed = eop::sim::sweep::built_to_break(id, &t.id);
                if listed != (t.violations > 0) {
                    broken.push(format!(
                        "{id}/{}: {} violations in {} runs ({})",
                        t.id,
                        t.violations,
                        t.runs,
                        if listed {
                            "listed as built to break"
                        } else {
                            "claims exactly-once processing"
                        }
                    ));
                }
            }
        }
    }
    let _ = RunConfig::seed(0);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
