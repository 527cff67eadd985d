//! Simulator throughput as WASM in headless Chromium, on the same fixed workload as
//! `eosim bench` (one core): every scenario at its defaults over seeds 0..200 (summing
//! the trace length of every technique), then a 10,000-schedule sweep of walkthrough,
//! dedup-window and delivery-semantics. Each is repeated [`REPS`] times (the first
//! repetition includes the engine's tier-up from baseline to optimised code); scripts/bench.sh
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
use eop::sim::RunConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Repetitions of each measurement (scripts/bench.sh reports the best).
const REPS: u32 = 5;

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
