//! The exhaustive checker's rate, shared by bench/bench_native.rs and bench/bench_wasm.rs
//! (included with `#[path]`): every scenario at its defaults, every schedule with at most
//! [`K`] faults, as tests/native/explore.rs checks it. Prints one `BENCH <where> explore …`
//! line per scenario (bench/bench.sh parses them).

use eop::sim::explore::{explore, MAX_SCHEDULES};
use eop::sim::sweep::SweepConfig;

/// Faults per schedule (the exhaustive test's k).
pub const K: u8 = 2;

/// Explore every scenario once; `now_ms` is the platform's clock, `log` prints a line.
/// Returns the total schedules run (so a caller can assert work was done).
pub fn explore_rates(place: &str, now_ms: fn() -> f64, log: fn(String)) -> u64 {
    let mut total = 0;
    for s in eop::sim::all() {
        let info = s.info();
        let start = now_ms();
        let r = explore(SweepConfig {
            scenario: info.id.to_string(),
            runs: MAX_SCHEDULES,
            seed: info.showcase_seed,
            params: Vec::new(),
            faults: K,
        });
        let secs = ((now_ms() - start) / 1000.0).max(1e-9);
        match r {
            Ok(r) => {
                let (checked, finished) = r
                    .space
                    .as_ref()
                    .map_or((r.done, false), |s| (s.checked, s.finished));
                total += checked;
                log(format!(
                    "BENCH {place} explore scenario={} k={K} schedules={checked} finished={finished} events={} secs={secs:.4} schedules_per_s={:.0}",
                    info.id,
                    r.events,
                    checked as f64 / secs
                ));
            }
            Err(e) => log(format!(
                "BENCH {place} explore scenario={} k={K} error={e}",
                info.id
            )),
        }
    }
    total
}

/// "From here" (every future from a tick with at most [`K`] more faults, the sweeps'
/// outcome groups) for every scenario at its showcase seed, from the middle of its run.
/// Prints one `BENCH <where> futures …` line per scenario; returns the futures run.
pub fn futures_rates(place: &str, now_ms: fn() -> f64, log: fn(String)) -> u64 {
    use eop::sim::explore::futures::futures;
    use eop::sim::run::RunConfig;
    let mut total = 0;
    for s in eop::sim::all() {
        let info = s.info();
        let cfg = RunConfig::seed(info.showcase_seed);
        let Ok(r) = eop::sim::run(info.id, &cfg) else {
            continue;
        };
        let tick = r.end() / 2;
        let start = now_ms();
        match futures(info.id, &cfg, None, tick, K) {
            Ok(f) => {
                let ms = now_ms() - start;
                total += f.total;
                log(format!(
                    "BENCH {place} futures scenario={} tick={tick} k={K} futures={} groups={} ms={ms:.1}",
                    info.id,
                    f.total,
                    f.groups.len()
                ));
            }
            Err(e) => log(format!(
                "BENCH {place} futures scenario={} error={e}",
                info.id
            )),
        }
    }
    total
}
