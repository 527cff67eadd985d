use eop::sim::{all, run, RunConfig};

#[test]
fn same_config_twice_gives_identical_runs() {
    for s in all() {
        let id = s.info().id;
        for seed in [0u64, 1, 42, s.info().showcase_seed] {
            let cfg = RunConfig::seed(seed);
            let a = run(id, &cfg).unwrap();
            let b = run(id, &cfg).unwrap();
            assert_eq!(a, b, "{id} seed {seed} is not deterministic");
            assert_eq!(a.checksum(), b.checksum());
        }
    }
}

#[test]
fn different_seeds_give_different_faults_somewhere() {
    // Guards against a scenario ignoring its seed altogether.
    for id in eop::sim::scenarios::ids() {
        if id == "walkthrough" {
            continue; // fixed input, no random faults at the defaults
        }
        let sums: std::collections::BTreeSet<u64> = (0..20u64)
            .map(|seed| run(id, &RunConfig::seed(seed)).unwrap().checksum())
            .collect();
        assert!(sums.len() > 1, "{id}: 20 seeds gave one identical trace");
    }
}

#[test]
fn every_scenario_declares_what_the_ui_needs() {
    for s in all() {
        let i = s.info();
        assert!(!i.title.is_empty() && !i.promise.is_empty(), "{}", i.id);
        assert!(!i.explain.is_empty(), "{} has no explanation", i.id);
        for p in i.params {
            assert!(
                p.min <= p.default && p.default <= p.max,
                "{}.{}",
                i.id,
                p.name
            );
        }
        for t in i.try_this {
            for (name, v) in t.set {
                let spec = eop::sim::params::find(i.params, name)
                    .unwrap_or_else(|e| panic!("{} try-this: {e}", i.id));
                spec.check(*v)
                    .unwrap_or_else(|e| panic!("{} try-this: {e}", i.id));
            }
        }
        let r = run(i.id, &RunConfig::seed(i.showcase_seed)).unwrap();
        let ids: Vec<&str> = r.techniques.iter().map(|t| t.id.as_str()).collect();
        let mut uniq = ids.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(ids.len(), uniq.len(), "{}: duplicate technique ids", i.id);
    }
}

#[test]
fn every_run_replays_from_its_fired_faults() {
    // Random faults that fired, replayed as an explicit list with random faults off,
    // give the same trace: the basis of shrinking and of counterexample links.
    for s in all() {
        let info = s.info();
        for seed in [info.showcase_seed, 3, 11] {
            let cfg = RunConfig::seed(seed);
            let r = run(info.id, &cfg).unwrap();
            for t in &r.techniques {
                let replay = RunConfig {
                    manual: t.fired.clone(),
                    random_faults: false,
                    ..cfg.clone()
                };
                let again = run(info.id, &replay).unwrap();
                assert_eq!(
                    again.technique(&t.id).unwrap().trace,
                    t.trace,
                    "{}/{} seed {seed}",
                    info.id,
                    t.id
                );
            }
        }
    }
}
