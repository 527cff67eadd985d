//! Practice that never runs out: fresh variants of a lesson's predict questions
//! (`vary.rs`) and the days they come back on (`schedule.rs`).

mod schedule;
mod space;
mod vary;

pub use schedule::*;
pub use space::*;
pub use vary::*;
