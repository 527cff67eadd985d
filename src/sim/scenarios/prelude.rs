//! What every scenario module imports (`use super::prelude::*;`): the plumbing,
//! the engine, the event and fault vocabulary, and the run types.

pub use super::plumbing::{
    first_sight, infos, run_each, timed_out, Attempts, Done, Life, Module, Technique,
};
pub(crate) use super::plumbing::{hops, nodes, techniques};
pub use crate::sim::engine::{Actors, Delivery, Engine};
pub use crate::sim::event::{Ev, MsgKind, Payload};
pub use crate::sim::fault::{Fault, Faults, HopFaults};
pub use crate::sim::ids::{Merchant, MsgId, NodeId, Tick};
pub use crate::sim::ledger::{Ledger, Payment};
pub use crate::sim::params::Params;
pub use crate::sim::rng::Ratio;
pub use crate::sim::run::{NodeInfo, RunConfig, RunResult, TechniqueRun};
pub use std::collections::{BTreeMap, BTreeSet};
