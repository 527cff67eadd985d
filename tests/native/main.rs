//! Native integration tests: one binary, several modules (quickest to build).

mod cli;
mod determinism;
mod explore;
mod fit;
mod futures;
mod golden;
mod lessons;
mod practice;
mod practice_truth;
mod prose;
mod recount;
mod share;
mod spacetime_fit;
mod sweep;
mod teaching;
mod teaching_wording;
mod texts;
mod timeline;
mod verdict_paths;
mod workbench;

/// `BLESS=1 cargo test` rewrites golden files instead of comparing.
pub fn bless() -> bool {
    std::env::var("BLESS").is_ok_and(|v| v == "1")
}
