//! The simulator in the browser, without mounting any UI: every scenario runs as WASM in
//! headless Chromium, deterministically, and the replay `Timeline` (snapshots + partial
//! replays, what the UI scrubs with) shows exactly what a full fold of the trace shows.
#![cfg(target_arch = "wasm32")]

use eop::sim::replay::{Timeline, View};
use eop::sim::RunConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_scenario_runs_in_the_browser_deterministically() {
    assert!(!eop::sim::all().is_empty());
    for s in eop::sim::all() {
        let id = s.info().id;
        let cfg = RunConfig::seed(s.info().showcase_seed);
        let a = eop::sim::run(id, &cfg).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(!a.techniques.is_empty(), "{id}: no techniques");
        for t in &a.techniques {
            assert!(!t.trace.is_empty(), "{id}/{}: empty trace", t.id);
        }
        let b = eop::sim::run(id, &cfg).unwrap();
        assert_eq!(
            a.checksum(),
            b.checksum(),
            "{id}: same seed, different trace"
        );
    }
}

#[wasm_bindgen_test]
fn timeline_views_equal_a_full_fold() {
    for s in eop::sim::all() {
        let id = s.info().id;
        let result = eop::sim::run(id, &RunConfig::seed(s.info().showcase_seed)).unwrap();
        for t in &result.techniques {
            let trace = &t.trace;
            // A small snapshot interval so the check crosses many snapshots.
            let timeline = Timeline::new(trace, 16);
            let mut folded = View::default();
            for cursor in 0..=trace.len() {
                if cursor > 0 {
                    folded.apply(&trace[cursor - 1]);
                }
                // Every cursor near the start and end, every 7th in between (fast enough
                // for long traces, still hits every offset within a snapshot interval).
                if cursor < 64 || cursor + 64 > trace.len() || cursor % 7 == 0 {
                    let view = timeline.view_at(trace, cursor);
                    assert!(
                        view == folded,
                        "{id}/{}: timeline view at {cursor} differs from the fold",
                        t.id
                    );
                }
            }
            assert!(
                View::of(trace) == folded,
                "{id}/{}: View::of differs from the fold",
                t.id
            );
            // Scrubbing backwards gives the same views as going forwards.
            let end = timeline.view_at(trace, trace.len());
            let _ = timeline.view_at(trace, 0);
            assert!(timeline.view_at(trace, trace.len()) == end);
        }
    }
}
