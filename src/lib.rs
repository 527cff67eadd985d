//! The Exactly-Once Playground.
//!
//! `sim` is the deterministic delivery-semantics simulator: it knows nothing of the
//! browser. `ui` renders what `sim` produced with Yew. See `ARCHITECTURE.md` for the
//! bird's-eye view, the code map and the invariants.

pub mod course;
pub mod sim;
pub mod ui;
