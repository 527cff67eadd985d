//! Golden checksums, in the browser: every `<scenario-id> <seed> <checksum>` line of
//! `tests/golden/checksums.txt` (kept by the native tests) must give the same trace
//! checksum when the simulator runs as WASM in headless Chromium. Same seed ⇒ same run,
//! on every platform.
//!
//! Run with `make test` (or: `cargo test --target wasm32-unknown-unknown --test wasm_golden`
//! with CHROMEDRIVER and CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER set, see the Makefile).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("golden/checksums.txt");

/// `(scenario id, seed, checksum hex)` for every non-comment, non-blank line.
fn golden() -> Vec<(&'static str, u64, &'static str)> {
    GOLDEN
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                return None;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(
                f.len(),
                3,
                "checksums.txt:{}: expected `<id> <seed> <hex16>`: {line}",
                n + 1
            );
            let seed = f[1]
                .parse()
                .unwrap_or_else(|e| panic!("checksums.txt:{}: bad seed {}: {e}", n + 1, f[1]));
            assert!(
                f[2].len() == 16 && f[2].bytes().all(|b| b.is_ascii_hexdigit()),
                "checksums.txt:{}: checksum must be 16 hex digits: {}",
                n + 1,
                f[2]
            );
            Some((f[0], seed, f[2]))
        })
        .collect()
}

#[wasm_bindgen_test]
fn golden_checksums_match_in_the_browser() {
    let lines = golden();
    assert!(
        !lines.is_empty(),
        "tests/golden/checksums.txt has no entries"
    );
    let mut wrong = Vec::new();
    for (id, seed, want) in &lines {
        let result = eop::sim::run(id, &eop::sim::RunConfig::seed(*seed))
            .unwrap_or_else(|e| panic!("{id} seed {seed}: {e}"));
        let got = result.checksum_hex();
        if got != *want {
            wrong.push(format!("{id} {seed}: wasm {got}, golden {want}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "checksums differ on wasm32:\n{}",
        wrong.join("\n")
    );
}
