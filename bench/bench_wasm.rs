//! Simulator throughput as WASM in headless Chromium, on the same fixed workload as
//! `eosim bench` (one core): every scenario at its defaults over seeds 0..200 (summing
//! the trace length of every technique), then a 10,000-schedule sweep of walkthrough,
//! dedup-window and delivery-semantics; and the exhaustive checker's rate (every scenario,
//! k = 2; bench/common/explore.rs). Throughput and sweeps are repeated [`REPS`] times (the first
//! repetition includes the engine's tier-up from baseline to optimised code); bench/bench.sh
//! takes the best of the `BENCH …` lines printed. Not part of `make test` (the Makefile only runs tests/wasm_*.rs); run with
//! `make bench`, or:
//!
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   WASM_BINDGEN_TEST_TIMEOUT=900 \
//!   cargo test --release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use eop::sim::sweep::{sweep, SweepConfig};

#[path = "common/explore.rs"]
mod explore_bench;
use eop::sim::RunConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Repetitions of each measurement (bench/bench.sh reports the best): 5, or
/// `BENCH_WASM_REPS` at compile time (bench/bench.sh sets 1 in quick mode).
const REPS: u32 = match option_env!("BENCH_WASM_REPS") {
    Some(s) => reps(s.as_bytes()),
    None => 5,
};

/// A single digit 1–9, else 5.
const fn reps(b: &[u8]) -> u32 {
    if b.len() == 1 && b[0] >= b'1' && b[0] <= b'9' {
        (b[0] - b'0') as u32
    } else {
        5
    }
}

/// Milliseconds from the page's high-resolution clock.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn log(line: String) {
    web_sys::console::log_1(&line.into());
}

#[wasm_bindgen_test]
fn bench_simulator_throughput_and_sweeps() {
    for rep in 1..=REPS {
        throughput(rep);
    }
    for rep in 1..=REPS {
        for id in ["walkthrough", "dedup-window", "delivery-semantics"] {
            sweep_10k(id, rep);
        }
    }
}

/// The exhaustive checker's rate in WASM (schedules/s per scenario, k = 2), measured once
/// per scenario (each space takes long enough that the engine's tier-up is a small part).
#[wasm_bindgen_test]
fn bench_explore_rate() {
    let total = explore_bench::explore_rates("wasm", now_ms, log);
    assert!(total > 0, "no schedule explored");
}

/// "From here" in WASM (every future from mid-run, k = 2, per scenario).
#[wasm_bindgen_test]
fn bench_futures() {
    let total = explore_bench::futures_rates("wasm", now_ms, log);
    assert!(total > 0, "no future run");
}

/// Every scenario at its defaults over seeds 0..200, as `eosim bench`.
fn throughput(rep: u32) {
    let mut events = 0u64;
    let start = now_ms();
    for s in eop::sim::all() {
        for seed in 0..200u64 {
            if let Ok(r) = eop::sim::run(s.info().id, &RunConfig::seed(seed)) {
                events += r
                    .techniques
                    .iter()
                    .map(|t| t.trace.len() as u64)
                    .sum::<u64>();
            }
        }
    }
    let secs = (now_ms() - start) / 1000.0;
    log(format!(
        "BENCH wasm throughput rep={rep} events={events} secs={secs:.4} events_per_s={:.0}",
        events as f64 / secs
    ));
}

/// A 10,000-schedule sweep of one scenario at its defaults, sweep seed 1, as `eosim bench`.
fn sweep_10k(id: &str, rep: u32) {
    let start = now_ms();
    let cfg = SweepConfig {
        scenario: id.to_string(),
        runs: 10_000,
        seed: 1,
        params: vec![],
        faults: 0,
    };
    match sweep(cfg) {
        Ok(r) => {
            let secs = (now_ms() - start) / 1000.0;
            let rate = r.events as f64 / secs;
            log(format!(
                "BENCH wasm sweep scenario={id} rep={rep} runs={} secs={secs:.4} events={} events_per_s={rate:.0}",
                r.done, r.events
            ));
        }
        Err(e) => log(format!(
            "BENCH wasm sweep scenario={id} rep={rep} error={e}"
        )),
    }
}
