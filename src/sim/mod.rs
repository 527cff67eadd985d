//! The delivery-semantics simulator. Pure and deterministic: state + input → new
//! state + events. It knows nothing of the browser, the wall clock, OS randomness
//! or hash-map iteration order (the tidy test enforces this).

pub mod broker;
pub mod catalogue;
pub mod counters;
pub mod engine;
pub mod event;
pub mod explore;
pub mod fault;
mod fault_code;
pub mod ids;
pub mod invariants;
pub mod ledger;
pub mod narrate;
pub mod params;
pub mod percent;
pub mod promise;
pub mod replay;
pub mod rng;
pub mod run;
pub mod scenarios;
pub mod sizing;
pub mod sweep;
pub mod workbench;

pub use run::{RunConfig, RunResult};
pub use scenarios::{all, find, run};
