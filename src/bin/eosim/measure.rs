//! `eosim promises`, `bench` and `scope`: measurements for course authors and `make bench`.

use eop::sim::sweep::{sweep, SweepConfig};
use eop::sim::{run, scenarios, RunConfig};

/// Every "Watch:" promise (try-this prompts and confusion cards): kept at its own
/// seed, and the share of seeds `0..seeds` on which it is kept.
pub fn promises(seeds: u64) {
    println!(
        "{:<20} {:<44} {:>6} {:>8}  hit rate over seeds 0..{seeds}",
        "scenario", "prompt", "seed", "at seed"
    );
    for o in eop::sim::catalogue::every() {
        let at = if o.kept_at(o.seed).is_ok() {
            "kept"
        } else {
            "NOT KEPT"
        };
        let hits = o.hits(0..seeds);
        let name: String = o.name.chars().take(44).collect();
        println!(
            "{:<20} {:<44} {:>6} {:>8}  {:>5.1}%",
            o.scenario,
            name,
            o.seed,
            at,
            hits as f64 * 100.0 / seeds as f64
        );
    }
}

/// Throughput on a fixed workload (one core): every scenario at its defaults over
/// seeds 0..200, then a 10,000-schedule sweep. Prints a table for `make bench`.
pub fn bench() {
    use std::time::Instant;
    let mut events = 0u64;
    let start = Instant::now();
    for s in scenarios::all() {
        for seed in 0..200u64 {
            if let Ok(r) = run(s.info().id, &RunConfig::seed(seed)) {
                events += r
                    .techniques
                    .iter()
                    .map(|t| t.trace.len() as u64)
                    .sum::<u64>();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "native  simulator throughput   {:>12.0} events/s  ({events} events in {secs:.3} s)",
        events as f64 / secs
    );
    for id in ["walkthrough", "dedup-window", "delivery-semantics"] {
        let start = Instant::now();
        let cfg = SweepConfig {
            scenario: id.to_string(),
            runs: 10_000,
            seed: 1,
            params: Vec::new(),
            faults: 0,
        };
        if let Ok(r) = sweep(cfg) {
            let secs = start.elapsed().as_secs_f64();
            println!(
                "native  sweep 10,000 {id:<20} {secs:>8.3} s  ({:.0} events/s)",
                r.events as f64 / secs
            );
        }
    }
}

/// For every scenario and k = 1..=3: the largest input (its length parameter, e.g.
/// `payments`) whose whole space of schedules a check finishes within `budget_ms`, with
/// native times multiplied by `slowdown` (the page's WASM worker against this binary,
/// measured by `make bench`). One line per (scenario, k), tab-separated, for scripts:
/// `scope <id> <k> <param> <n> <schedules> <ms> <finished>`; `-` when even the smallest
/// input does not fit.
pub fn scope(budget_ms: f64, slowdown: f64) {
    use std::time::Instant;
    let timed = |id: &str, params: Vec<(String, i64)>, k: u8| {
        let start = Instant::now();
        let cfg = SweepConfig {
            scenario: id.to_string(),
            runs: eop::sim::explore::MAX_SCHEDULES,
            seed: scenarios::info(id).showcase_seed,
            params,
            faults: k,
        };
        let r = eop::sim::explore::explore(cfg).ok()?;
        let ms = start.elapsed().as_secs_f64() * 1000.0 * slowdown;
        let s = r.space?;
        Some((s.checked, ms, s.finished))
    };
    println!("# budget {budget_ms} ms, native times x {slowdown}");
    for s in scenarios::all() {
        let info = s.info();
        let length = info
            .params
            .iter()
            .find(|p| p.role == eop::sim::params::Role::Length);
        for k in 1..=eop::sim::explore::MAX_K {
            let fits = |n: Option<i64>| {
                let params = match (length, n) {
                    (Some(p), Some(n)) => vec![(p.name.to_string(), n)],
                    _ => Vec::new(),
                };
                timed(info.id, params, k).filter(|&(_, ms, fin)| fin && ms <= budget_ms)
            };
            let Some(p) = length else {
                match fits(None) {
                    Some((n, ms, fin)) => {
                        println!("scope\t{}\t{k}\t-\t-\t{n}\t{ms:.0}\t{fin}", info.id)
                    }
                    None => println!("scope\t{}\t{k}\t-\t-\t-\t-\tfalse", info.id),
                }
                continue;
            };
            // The largest fitting n: grow by doubling from the minimum, then bisect.
            let (mut lo, mut hi) = (None::<(i64, (u64, f64, bool))>, p.max + 1);
            let mut n = p.min.max(1);
            while n <= p.max {
                match fits(Some(n)) {
                    Some(r) => {
                        lo = Some((n, r));
                        n = if n == p.max {
                            p.max + 1
                        } else {
                            (n * 2).min(p.max)
                        };
                    }
                    None => {
                        hi = n;
                        break;
                    }
                }
            }
            while let Some((l, _)) = lo {
                if hi - l <= 1 {
                    break;
                }
                let mid = l + (hi - l) / 2;
                match fits(Some(mid)) {
                    Some(r) => lo = Some((mid, r)),
                    None => hi = mid,
                }
            }
            match lo {
                Some((n, (checked, ms, fin))) => println!(
                    "scope\t{}\t{k}\t{}\t{n}\t{checked}\t{ms:.0}\t{fin}",
                    info.id, p.name
                ),
                None => println!("scope\t{}\t{k}\t{}\t-\t-\t-\tfalse", info.id, p.name),
            }
        }
    }
}
