//! "From here": the futures of a run from one tick, with at most k more faults
//! (`eop::sim::explore::futures`). The prefix replays the past; the counts of one
//! scenario are pinned; the smallest breaking future breaks again from scratch.

use eop::sim::explore::futures::{futures, outcome, Explorer, HELD};
use eop::sim::run::RunConfig;
use eop::sim::sweep::violated;
use eop::sim::{all, run};

fn stage(id: &str) -> RunConfig {
    RunConfig::seed(eop::sim::scenarios::info(id).showcase_seed)
}

/// The explicit prefix, replayed with random faults off, gives the run's past event for
/// event, in every scenario, at several ticks (random faults on the stage).
#[test]
fn the_prefix_replays_the_past() {
    for s in all() {
        let id = s.info().id;
        let cfg = stage(id);
        let r = run(id, &cfg).unwrap();
        let end = r.end();
        for tick in [0, end / 3, end / 2, end] {
            for t in &r.techniques {
                let e = Explorer::new(id, &cfg, Some(&t.id), tick, 1).unwrap();
                let replay = run(
                    id,
                    &RunConfig {
                        manual: e.result.prefix.clone(),
                        random_faults: false,
                        ..cfg.clone()
                    },
                )
                .unwrap();
                let again = replay.technique(&t.id).unwrap();
                let n = t.trace.iter().take_while(|e| e.tick <= tick).count();
                let m = again.trace.iter().take_while(|e| e.tick <= tick).count();
                assert_eq!(
                    &t.trace[..n],
                    &again.trace[..m],
                    "{id}/{} at tick {tick}: the prefix does not replay the past",
                    t.id
                );
                let mut e = e;
                e.step(1);
                assert!(e.result.exact_past, "{id}/{} at tick {tick}", t.id);
            }
        }
    }
}

/// Atomic commit at its showcase seed, first technique (offset first), tick 14, k = 2:
/// the counts are pinned, and so is every group's smallest member's size.
#[test]
fn grouping_counts_pinned() {
    let id = "atomic-commit";
    let f = futures(id, &stage(id), None, 14, 2).unwrap();
    assert_eq!(f.technique, "offset-first");
    assert!(f.finished && f.stopped.is_empty());
    assert!(f.exact_past);
    let groups: Vec<(&str, u64, usize)> = f
        .groups
        .iter()
        .map(|g| (g.outcome.as_str(), g.count, g.extra))
        .collect();
    assert_eq!(groups, [("lost+wrong balance", 65, 1), (HELD, 71, 0)]);
    assert_eq!(f.total, 136);
    assert_eq!(f.groups.iter().map(|g| g.count).sum::<u64>(), f.total);
    assert_eq!(f.dropped, 8, "crash points passed before tick 14");
    assert_eq!(
        f.header(),
        "From tick 14: 136 futures with at most 2 more faults"
    );
    // Deterministic.
    assert_eq!(futures(id, &stage(id), None, 14, 2).unwrap(), f);
    // k = 1 is a subset: fewer futures.
    let one = futures(id, &stage(id), None, 14, 1).unwrap();
    assert_eq!(one.total, 16);
}

/// The smallest member of every breaking group breaks when run from scratch (its whole
/// schedule, random faults off), with the group's outcome, at the tick it opens on.
#[test]
fn smallest_breaking_member_breaks_from_scratch() {
    let mut checked = 0;
    for (id, tick, k) in [
        ("atomic-commit", 14, 2),
        ("outbox", 25, 1),
        ("eos-boundary", 17, 2),
        ("dedup-window", 60, 1),
    ] {
        let f = futures(id, &stage(id), None, tick, k).unwrap();
        for g in f.groups.iter().filter(|g| !g.good) {
            let cx = &g.smallest;
            assert!(!cx.config.random_faults);
            assert_eq!(cx.config.manual.len(), f.prefix.len() + g.extra);
            let r = run(id, &cx.config).unwrap();
            let t = r.technique(&f.technique).unwrap();
            assert!(violated(t), "{id}: {} does not break", g.outcome);
            assert_eq!(outcome(t), g.outcome);
            let first = t.verdict.first_violation.map_or(t.end, |i| t.trace[i].tick);
            assert_eq!(
                cx.tick, first,
                "{id}: opens at the first violation (or the end)"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5);
}

/// At the end of the run nothing is left to choose: one future, the run itself.
#[test]
fn at_the_end_one_future_the_run_itself() {
    for id in ["atomic-commit", "outbox", "idempotency-keys"] {
        let cfg = stage(id);
        let r = run(id, &cfg).unwrap();
        let f = futures(id, &cfg, None, r.end(), 2).unwrap();
        assert_eq!(f.total, 1, "{id}");
        assert_eq!(f.groups.len(), 1);
        let g = &f.groups[0];
        let again = run(id, &g.smallest.config).unwrap();
        let (a, b) = (&r.techniques[0], again.technique(&f.technique).unwrap());
        assert_eq!(a.trace, b.trace, "{id}: the one future is the run");
        assert_eq!(g.outcome, outcome(a));
    }
}

/// The technique on the stage is the one explored and judged.
#[test]
fn the_technique_on_the_stage_is_explored() {
    let id = "atomic-commit";
    let f = futures(id, &stage(id), Some("atomic"), 14, 2).unwrap();
    assert_eq!(f.technique, "atomic");
    // The transaction holds in every future; offset-first loses payments in some.
    assert_eq!(f.groups.len(), 1);
    assert_eq!(f.groups[0].outcome, HELD);
    let other = futures(id, &stage(id), Some("non-atomic"), 14, 2).unwrap();
    assert_eq!(other.technique, "non-atomic");
    assert!(other
        .groups
        .iter()
        .any(|g| g.outcome.split('+').any(|k| k == "duplicated")));
}

/// A cap is stated, never silent.
#[test]
fn a_cap_is_stated() {
    let id = "outbox";
    let mut e = Explorer::with_cap(id, &stage(id), None, 0, 2, 40).unwrap();
    while !e.finished() {
        e.step(16);
    }
    e.step(0);
    assert_eq!(e.result.total, 40);
    assert!(!e.result.finished);
    assert_eq!(e.result.stopped, "stopped at the cap of 40 futures");
}

/// Faults the settings place (quarter-end's GC pause, broker-eos's producer crash at a
/// set tick) are not "no fault": they are named, with their ticks, as part of every
/// future (review R5: the panel said the run had no fault right after the pause).
#[test]
fn faults_the_settings_place_are_named() {
    let id = "quarter-end";
    let cfg = stage(id);
    let f = futures(id, &cfg, None, 50, 1).unwrap();
    assert!(
        f.prefix.is_empty(),
        "the pause is no random or hand-made fault"
    );
    let r = run(id, &cfg).unwrap();
    let t = &r.techniques[0];
    let pause = t
        .trace
        .iter()
        .find_map(|e| match e.ev {
            eop::sim::event::Ev::Pause { until, .. } => Some((e.tick, until)),
            _ => None,
        })
        .expect("quarter-end's run has its GC pause");
    assert!(
        f.placed
            .iter()
            .any(|p| p.starts_with(&format!("tick {}: ", pause.0))
                && p.ends_with(&format!("pauses until tick {}", pause.1))),
        "{:?}",
        f.placed
    );
    let cfg = stage("broker-eos").set("producer_crash_at", 4);
    let f = futures("broker-eos", &cfg, Some("idempotent-producer"), 12, 1).unwrap();
    assert!(
        f.placed.iter().any(|p| p == "tick 4: producer crashes"),
        "{:?}",
        f.placed
    );
    // A run whose settings place nothing names nothing.
    let f = futures("atomic-commit", &stage("atomic-commit"), None, 14, 1).unwrap();
    assert!(f.placed.is_empty(), "{:?}", f.placed);
}
