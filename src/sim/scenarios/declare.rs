//! What a scenario declares once, one line an item: its processes (`nodes!`), its
//! hops (`hops!`), its technique table (`techniques!`), and the `Module` that lists
//! it in [`super::all`].

use super::plumbing::Technique;
use crate::sim::ids::NodeId;
use crate::sim::params::Params;
use crate::sim::run::{
    NodeInfo, NodeKind, RunConfig, RunResult, Scenario, ScenarioInfo, TechniqueRow,
};

/// A scenario as [`super::all`] lists it: its static info, its `build`, which runs
/// every technique with validated params (deterministically), and its technique table.
pub struct Module {
    pub info: &'static ScenarioInfo,
    pub build: fn(&RunConfig, &Params) -> RunResult,
    pub techniques: &'static dyn Rows,
}

/// A technique table as the registry reads it (any scenario's `TECHNIQUES`).
pub trait Rows: Sync {
    fn rows(&self) -> Vec<TechniqueRow>;
}

impl<M: Sync, const N: usize> Rows for [Technique<M>; N] {
    fn rows(&self) -> Vec<TechniqueRow> {
        self.iter().map(Technique::row).collect()
    }
}

impl Scenario for Module {
    fn info(&self) -> &'static ScenarioInfo {
        self.info
    }

    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        (self.build)(cfg, params)
    }

    fn techniques(&self) -> Vec<TechniqueRow> {
        self.techniques.rows()
    }
}

/// One process of a scenario as [`nodes!`] declares it: its place on the stage.
#[derive(Copy, Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    pub name: &'static str,
    pub kind: NodeKind,
    pub x: u8,
    pub y: u8,
}

impl Node {
    pub fn info(&self) -> NodeInfo {
        NodeInfo::new(self.id.0, self.name, self.kind, self.x, self.y)
    }
}

/// The stage's list of `nodes`.
pub fn infos<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> Vec<NodeInfo> {
    nodes.into_iter().map(Node::info).collect()
}

/// Declare a scenario's processes once, in id order:
/// `nodes! { BROKER: "broker", Broker @ 15, 50; … }` makes a `NodeId` constant per
/// name (its id is its place in the list, so a constant and the stage can never
/// disagree; a node may be on the stage only, never named in code) and
/// `static NODES: [Node; N]` (name, kind, x and y on the stage).
macro_rules! nodes {
    ($($(#[$doc:meta])* $name:ident: $label:literal, $kind:ident @ $x:literal, $y:literal;)+) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(u8)]
        enum NodeIx { $($name),+ }
        $($(#[$doc])* #[allow(dead_code)] const $name: $crate::sim::ids::NodeId = $crate::sim::ids::NodeId(NodeIx::$name as u8);)+
        /// Every process, in id order, with its place on the stage.
        static NODES: [$crate::sim::scenarios::declare::Node; [$(NodeIx::$name),+].len()] = [$(
            $crate::sim::scenarios::declare::Node {
                id: $name, name: $label, kind: $crate::sim::run::NodeKind::$kind, x: $x, y: $y,
            }
        ),+];
    };
}
pub(crate) use nodes;

/// Declare a scenario's network hops once, in order: `hops! { HOP_REQ; HOP_ACK; }`
/// makes a `u8` constant per name, numbered by its place in the list (0, 1, …), so
/// two hops can never share a number (each hop has its own fault rates).
macro_rules! hops {
    ($($(#[$doc:meta])* $name:ident;)+) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(u8)]
        enum HopIx { $($name),+ }
        $($(#[$doc])* const $name: u8 = HopIx::$name as u8;)+
    };
}
pub(crate) use hops;

/// Declare a scenario's technique table, one line a technique (id, label, claimed
/// [`Guarantee`], and optionally what it does at the defaults beyond its claim:
/// `BuiltToBreak("why")` or `SafeAtDefaults("why")`, see [`AtDefaults`]).
/// `techniques! { Mode; Naive = "naive", "Naive handler", None; … }` makes
/// `enum Mode { Naive, … }` and `static TECHNIQUES: [Technique<Mode>; N]` in that
/// order; `techniques! { M => "naive", "Naive handler", None => expr; … }` only the
/// table, for modes that are not one enum variant a row.
///
/// [`Guarantee`]: crate::sim::run::Guarantee
/// [`AtDefaults`]: crate::sim::run::AtDefaults
macro_rules! techniques {
    ($(#[$mdoc:meta])* $mode:ident; $($(#[$doc:meta])* $variant:ident = $id:literal, $label:literal, $claim:ident $(, $at:ident($why:literal))?;)+) => {
        $(#[$mdoc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        enum $mode { $($(#[$doc])* $variant),+ }
        static TECHNIQUES: [$crate::sim::scenarios::plumbing::Technique<$mode>; [$($mode::$variant),+].len()] = [$(
            $crate::sim::scenarios::plumbing::Technique {
                id: $id,
                label: $label,
                claim: $crate::sim::run::Guarantee::$claim,
                at_defaults: $crate::sim::scenarios::declare::at_defaults!($($at($why))?),
                mode: $mode::$variant,
            }
        ),+];
    };
    ($mode:ty => $($id:literal, $label:literal, $claim:ident $(, $at:ident($why:literal))? => $m:expr;)+) => {
        static TECHNIQUES: [$crate::sim::scenarios::plumbing::Technique<$mode>; [$($id),+].len()] = [$(
            $crate::sim::scenarios::plumbing::Technique {
                id: $id,
                label: $label,
                claim: $crate::sim::run::Guarantee::$claim,
                at_defaults: $crate::sim::scenarios::declare::at_defaults!($($at($why))?),
                mode: $m,
            }
        ),+];
    };
}
pub(crate) use techniques;

/// A technique row's optional last column: `AsClaimed` when it is left out.
macro_rules! at_defaults {
    () => {
        $crate::sim::run::AtDefaults::AsClaimed
    };
    ($at:ident($why:literal)) => {
        $crate::sim::run::AtDefaults::$at($why)
    };
}
pub(crate) use at_defaults;
