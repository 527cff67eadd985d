//! What every scenario module imports (`use super::prelude::*;`): the declaration
//! macros, the plumbing, the engine, the event and fault vocabulary, the run types.

pub(crate) use super::declare::{hops, nodes, techniques};
pub use super::declare::{infos, Module};
pub use super::plumbing::{
    carried, copying_hop, first_sight, first_sight_of, gives_up, run_each, timed_out, Attempts,
    Chains, Done, Life, Technique,
};
pub use crate::sim::engine::{Actors, Delivery, Engine};
pub use crate::sim::event::{Ev, MsgKind, Payload, Resend};
pub use crate::sim::fault::{Fault, Faults, HopFaults};
pub use crate::sim::ids::{Merchant, MsgId, NodeId, Tick};
pub use crate::sim::ledger::{Ledger, Payment};
pub use crate::sim::params::Params;
pub use crate::sim::rng::Ratio;
pub use crate::sim::run::{NodeInfo, RunConfig, RunResult, TechniqueRun};
pub use std::collections::{BTreeMap, BTreeSet};
