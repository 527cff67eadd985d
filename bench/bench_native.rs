//! Step-back latency natively: `Timeline::view_at` (what the UI computes for every
//! technique when the playhead moves) at random cursors of a run whose largest technique
//! trace has at least 10,000 events. Ignored by `cargo test`; `make bench` runs it:
//!
//! ```text
//! cargo test --release --test bench_native -- --ignored --nocapture
//! ```
//! Prints `BENCH …` lines that bench/bench.sh parses.

use eop::sim::replay::{cursor_for_tick, Timeline};
use eop::sim::RunConfig;
use std::time::Instant;

#[path = "common/explore.rs"]
mod explore_bench;

/// The run: the same one the browser step-back bench loads by URL (bench/bench.sh).
/// Telemetry at its largest load: the retry-every-sample technique has 12,198 events.
const SCENARIO: &str = "telemetry";
const PARAMS: &[(&str, i64)] = &[
    ("sensors", 8),
    ("rate_per_sec", 10),
    ("seconds", 30),
    ("queue_capacity", 50),
];
const SEED: u64 = 1;
const SAMPLES: usize = 2_000;

/// The UI's snapshot spacing (src/ui/state/run_data.rs): every 128 events, at most ~256 snapshots.
fn ui_snapshot_every(len: usize) -> usize {
    Timeline::DEFAULT_EVERY.max(len / 256 + 1)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture (make bench)"]
fn bench_step_back_view_at() {
    let mut cfg = RunConfig::seed(SEED);
    for (name, v) in PARAMS {
        cfg = cfg.set(name, *v);
    }
    let r = eop::sim::run(SCENARIO, &cfg).expect("bench run");
    let sizes: Vec<usize> = r.techniques.iter().map(|t| t.trace.len()).collect();
    let big = r
        .techniques
        .iter()
        .max_by_key(|t| t.trace.len())
        .expect("a technique");
    let trace = &big.trace;
    assert!(
        trace.len() >= 10_000,
        "{SCENARIO} {PARAMS:?}: largest trace has only {} events",
        trace.len()
    );
    println!(
        "BENCH native run scenario={SCENARIO} params={PARAMS:?} seed={SEED} end_tick={} technique={} events={} all_techniques={sizes:?}",
        r.end(),
        big.id,
        trace.len()
    );

    let every = ui_snapshot_every(trace.len());
    let t0 = Instant::now();
    let timeline = Timeline::new(trace, every);
    let build_ms = t0.elapsed().as_secs_f64() * 1e3;
    println!(
        "BENCH native timeline_build every={every} snapshots={} ms={build_ms:.3}",
        timeline.snapshots()
    );

    // Deterministic "random" ticks; a step back from tick t shows tick t-1.
    let end = r.end().max(2);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let timelines: Vec<Timeline> = r
        .techniques
        .iter()
        .map(|t| Timeline::new(&t.trace, ui_snapshot_every(t.trace.len())))
        .collect();
    let mut one = Vec::with_capacity(SAMPLES);
    let mut all = Vec::with_capacity(SAMPLES);
    let mut sink = 0usize;
    for _ in 0..SAMPLES {
        let tick = 1 + (next() % u64::from(end - 1)) as u32;
        let back = tick - 1;
        // The largest technique alone.
        let t = Instant::now();
        let cursor = cursor_for_tick(trace, back);
        let v = timeline.view_at(trace, cursor);
        one.push(t.elapsed().as_secs_f64() * 1e3);
        sink += v.cursor;
        // Every technique (the UI shows all of them side by side).
        let t = Instant::now();
        for (tech, tl) in r.techniques.iter().zip(&timelines) {
            let c = cursor_for_tick(&tech.trace, back);
            sink += tl.view_at(&tech.trace, c).cursor;
        }
        all.push(t.elapsed().as_secs_f64() * 1e3);
    }
    assert!(sink > 0);
    for (what, xs) in [
        ("largest_technique", &mut one),
        ("all_techniques", &mut all),
    ] {
        xs.sort_by(f64::total_cmp);
        println!(
            "BENCH native view_at {what} samples={SAMPLES} median_ms={:.4} p95_ms={:.4} max_ms={:.4}",
            quantile(xs, 0.5),
            quantile(xs, 0.95),
            xs[xs.len() - 1]
        );
    }
}

/// The exhaustive checker's rate natively (schedules/s per scenario, k = 2), next to the
/// WASM rate bench/bench_wasm.rs prints.
#[test]
#[ignore = "benchmark: run with --ignored --nocapture (make bench)"]
fn bench_explore_rate() {
    let start = Instant::now();
    let total = explore_bench::explore_rates("native", now_ms, |l| println!("{l}"));
    assert!(total > 0, "no schedule explored");
    println!(
        "BENCH native explore all secs={:.3}",
        start.elapsed().as_secs_f64()
    );
}

/// "From here" natively (every future from mid-run, k = 2, per scenario), next to the WASM
/// time bench/bench_wasm.rs prints.
#[test]
#[ignore = "benchmark: run with --ignored --nocapture (make bench)"]
fn bench_futures() {
    let total = explore_bench::futures_rates("native", now_ms, |l| println!("{l}"));
    assert!(total > 0, "no future run");
}

/// The workbench check (issue 28): every schedule with at most 2 faults (the default
/// fault model) of a six-step handler; the target in the page is at most 1 s.
#[test]
#[ignore = "benchmark: run with --ignored --nocapture (make bench)"]
fn bench_workbench_check() {
    use eop::sim::workbench::{check, Handler, Setup};
    let text = "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset";
    let h = Handler::decode(text).expect("handler");
    for k in [2u8, 3] {
        let start = Instant::now();
        let r = check(&h, &Setup::for_handler(&h), k);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        assert!(r.holds() && r.schedules > 1, "{}", r.verdict());
        println!(
            "BENCH native workbench handler={text} k={k} schedules={} ms={ms:.1}",
            r.schedules
        );
    }
}

/// Milliseconds since the first call (a monotonic clock for the shared explore bench).
fn now_ms() -> f64 {
    use std::sync::OnceLock;
    static T0: OnceLock<Instant> = OnceLock::new();
    T0.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}

/// Candidate runs for the animation bench: the most transmissions on the wire at once
/// (over every tick and technique), to pick the URL bench/bench.sh animates.
#[test]
#[ignore = "benchmark helper: run with --ignored --nocapture (make bench)"]
fn bench_most_in_flight() {
    use eop::sim::replay::View;
    let candidates: &[(&str, &[(&str, i64)])] = &[
        ("delivery-semantics", &[("messages", 500)]),
        (
            "dedup-window",
            &[("messages", 500), ("rate_per_10_ticks", 100)],
        ),
        (
            "dedup-window",
            &[
                ("messages", 500),
                ("rate_per_10_ticks", 100),
                ("dup", 1000),
                ("dup_delay_max_ticks", 500),
            ],
        ),
        ("idempotency-keys", &[("requests", 500)]),
        ("atomic-commit", &[("messages", 500)]),
        (
            "telemetry",
            &[
                ("sensors", 8),
                ("rate_per_sec", 10),
                ("seconds", 30),
                ("queue_capacity", 50),
            ],
        ),
        ("quarter-end", &[("payments", 400), ("in_flight", 50)]),
        ("broker-eos", &[("messages", 300)]),
        ("outbox", &[("orders", 300)]),
        ("key-threading", &[("balls", 300)]),
        ("idempotent-ops", &[("messages", 200)]),
    ];
    for (id, params) in candidates {
        let mut cfg = RunConfig::seed(1);
        for (n, v) in *params {
            cfg = cfg.set(n, *v);
        }
        let r = eop::sim::run(id, &cfg).expect("run");
        for t in &r.techniques {
            let mut v = View::default();
            let (mut best, mut at) = (0usize, 0u32);
            for (i, e) in t.trace.iter().enumerate() {
                v.apply(e);
                let last_of_tick = t.trace.get(i + 1).is_none_or(|n| n.tick != e.tick);
                if last_of_tick && v.flights.len() > best {
                    (best, at) = (v.flights.len(), e.tick);
                }
            }
            println!(
                "BENCH native in_flight scenario={id} params={params:?} technique={} max={best} at_tick={at} end_tick={} events={}",
                t.id,
                t.end,
                t.trace.len()
            );
        }
    }
}
