//! What a run takes and what it yields.

use super::event::Event;
use super::fault::{Fault, Faults};
use super::ids::{Merchant, MsgId, NodeId, Tick};
pub use super::invariants::Guarantee;
use super::invariants::{Badge, Verdict, VerdictText};
use super::ledger::{Ledger, Payment};
use super::params::{ParamSpec, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything that determines a run. Same config ⇒ same result, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub seed: u64,
    /// Overrides of the scenario's defaults (validated by [`Params::with`]).
    pub params: Vec<(String, i64)>,
    /// Hand-made faults (and, when replaying a shrunk counterexample, the whole schedule).
    pub manual: Vec<Fault>,
    /// Random faults from the parameters' rates on (normal) or off (pure replay).
    pub random_faults: bool,
}

impl RunConfig {
    pub fn seed(seed: u64) -> RunConfig {
        RunConfig {
            seed,
            params: Vec::new(),
            manual: Vec::new(),
            random_faults: true,
        }
    }
    pub fn set(mut self, name: &str, v: i64) -> RunConfig {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_string(), v));
        self
    }
}

/// What kind of process a node is (the UI picks its shape from this).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeKind {
    General,
    Producer,
    Client,
    Broker,
    Consumer,
    Database,
    Relay,
    ApiServer,
    Stage,
    Viewer,
    Sensor,
    Collector,
}

/// A process on the stage, with a layout hint (0..=100 on both axes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub id: NodeId,
    pub name: String,
    pub kind: NodeKind,
    pub x: u8,
    pub y: u8,
}

impl NodeInfo {
    pub fn new(id: u8, name: &str, kind: NodeKind, x: u8, y: u8) -> NodeInfo {
        NodeInfo {
            id: NodeId(id),
            name: name.to_string(),
            kind,
            x,
            y,
        }
    }
}

/// One technique's run over the shared input and fault schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueRun {
    /// Stable id used in data attributes and links (`naive`, `dedup`, …).
    pub id: String,
    pub label: String,
    pub claim: Guarantee,
    pub nodes: Vec<NodeInfo>,
    pub trace: Vec<Event>,
    pub ledger: Ledger,
    pub verdict: Verdict,
    /// The verdict in the words of the scenario's property (filled in by
    /// [`RunResult::assemble`] from the verdict unless the scenario set its own).
    pub badge: Badge,
    /// Random faults that fired, as an explicit list (replay with random faults off).
    pub fired: Vec<Fault>,
    /// Crash points the run passed through (recorded with random faults off).
    #[serde(default)]
    pub crash_points: Vec<(NodeId, MsgId, u8)>,
    /// Dedup-table size after each change: (tick, entries).
    pub dedup_sizes: Vec<(Tick, u32)>,
    /// The trace hit [`super::engine::EVENT_CAP`].
    pub truncated: bool,
    /// Last tick of the run.
    pub end: Tick,
}

/// A whole scenario run: every technique side by side, and the truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResult {
    pub scenario: String,
    pub config: RunConfig,
    pub params: Params,
    pub workload: Vec<Payment>,
    pub truth: Ledger,
    pub techniques: Vec<TechniqueRun>,
}

impl RunResult {
    /// The result of a run of `info`'s scenario on `cfg`: every technique side by side,
    /// judged against the truth (each payment of `workload` applied once).
    pub fn assemble(
        info: &ScenarioInfo,
        cfg: &RunConfig,
        params: &Params,
        workload: Vec<Payment>,
        mut techniques: Vec<TechniqueRun>,
    ) -> RunResult {
        for t in &mut techniques {
            if t.badge.text.is_empty() {
                debug_assert!(
                    info.property == Property::ExactlyOnceEffect,
                    "{}: a scenario judged by {} must set its own badges",
                    info.id,
                    info.property.label()
                );
                t.badge = Badge::effect(t.claim, &t.verdict, info.unit);
            }
        }
        RunResult {
            scenario: info.id.to_string(),
            config: cfg.clone(),
            params: params.clone(),
            truth: Ledger::truth(&workload),
            workload,
            techniques,
        }
    }

    pub fn technique(&self, id: &str) -> Option<&TechniqueRun> {
        self.techniques.iter().find(|t| t.id == id)
    }
    pub fn truth_balances(&self) -> BTreeMap<Merchant, i64> {
        self.truth.balances()
    }
    /// The last tick of any technique.
    pub fn end(&self) -> Tick {
        self.techniques.iter().map(|t| t.end).max().unwrap_or(0)
    }
    /// FNV-1a over the canonical JSON of every trace: equal on native and WASM.
    pub fn checksum(&self) -> u64 {
        let mut h = Fnv::default();
        for t in &self.techniques {
            h.write(t.id.as_bytes());
            for e in &t.trace {
                let s = serde_json::to_string(e).unwrap_or_default();
                h.write(s.as_bytes());
            }
        }
        h.0
    }
    pub fn checksum_hex(&self) -> String {
        format!("{:016x}", self.checksum())
    }
}

/// 64-bit FNV-1a.
#[derive(Clone, Copy)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The property a scenario is judged by: its badges, CLI verdicts and sweeps speak of
/// this and nothing else.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Property {
    /// Every logical message changes the state exactly once (ledgers vs truth).
    ExactlyOnceEffect,
    /// Both sides decide the same thing (Two Generals).
    Agreement,
    /// The published aggregates stay close to the truth, at what traffic cost (telemetry).
    Fidelity,
    /// The state ends right whatever was repeated (idempotent operations).
    FinalState,
}

impl Property {
    pub fn label(self) -> &'static str {
        match self {
            Property::ExactlyOnceEffect => "exactly-once effect",
            Property::Agreement => "agreement",
            Property::Fidelity => "fidelity of the published averages",
            Property::FinalState => "final state",
        }
    }
    /// How a run that breaks the property is called in sweeps ("a split decision").
    pub fn failure(self) -> &'static str {
        match self {
            Property::ExactlyOnceEffect => "not exactly once",
            Property::Agreement => "the generals disagree",
            Property::Fidelity => "averages off",
            Property::FinalState => "wrong final state",
        }
    }
}

/// A "try this" prompt: settings the UI applies for the learner, the seed it opens
/// with, what to watch, and that promise as a check on the run ([`super::promise`]).
#[derive(Copy, Clone, Debug, Serialize)]
pub struct TryThis {
    pub label: &'static str,
    pub set: &'static [(&'static str, i64)],
    pub watch: &'static str,
    /// The seed the prompt opens with, chosen so that `expect` holds.
    pub seed: u64,
    /// What `watch` promises, per technique (never empty).
    #[serde(skip)]
    pub expect: &'static [super::promise::Expect],
}

/// The static description of a scenario.
#[derive(Debug, Serialize)]
pub struct ScenarioInfo {
    /// Stable id used in URLs and the CLI (`walkthrough`, `dedup-window`, …).
    pub id: &'static str,
    pub title: &'static str,
    /// One-line promise shown in navigation.
    pub promise: &'static str,
    /// TEACHING-SPEC sections this scenario covers.
    pub sections: &'static [u8],
    /// A few short paragraphs in our own words.
    pub explain: &'static [&'static str],
    pub params: &'static [ParamSpec],
    pub try_this: &'static [TryThis],
    /// The seed whose default run shows the claimed effect.
    pub showcase_seed: u64,
    /// What the ledger counts (rupees, runs, samples).
    pub unit: super::ledger::LedgerUnit,
    /// What the badges judge.
    pub property: Property,
    /// The common-confusion cards this scenario's experiments answer.
    #[serde(skip)]
    pub cards: &'static [Card],
}

/// A common confusion: a belief, why it is wrong, and the experiment that refutes it
/// (a prompt whose label is the belief, with the seed it opens with and its promise).
#[derive(Debug)]
pub struct Card {
    pub answer: &'static str,
    pub prompt: TryThis,
}

/// One scenario: parameters, build, narrative, invariants.
pub trait Scenario: Sync {
    fn info(&self) -> &'static ScenarioInfo;
    /// Run every technique with validated params. Must be deterministic.
    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult;
    /// The technique table, in order.
    fn techniques(&self) -> Vec<TechniqueRow>;
}

/// What a technique is known to do at its scenario's defaults, beyond its claim: a
/// column of the scenario's technique table, read by sweeps and exhaustive checks.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AtDefaults {
    /// Its claim holds at the defaults; an unprotected one breaks under some fault.
    AsClaimed,
    /// Claims exactly-once processing on its diagram but is built to show where the
    /// claim stops, at the defaults (why): sweeps and checks must find it breaking.
    BuiltToBreak(&'static str),
    /// Unprotected, yet no fault of the scenario's model breaks it at the defaults
    /// (why): a check that finds no counterexample for it is right.
    SafeAtDefaults(&'static str),
}

/// One row of a scenario's technique table, without the scenario's own mode.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TechniqueRow {
    pub id: &'static str,
    pub label: &'static str,
    pub claim: Guarantee,
    pub at_defaults: AtDefaults,
}

impl Faults {
    /// The fault source of one technique's run of `cfg`: its seed, random faults on or
    /// off, and its hand-made faults. The scenario then sets its rates.
    pub fn for_run(cfg: &RunConfig) -> Faults {
        Faults::new(cfg.seed, cfg.random_faults, &cfg.manual)
    }
}

impl VerdictText {
    /// The badge and the detail of `t`'s verdict, in `unit`.
    pub fn of(t: &TechniqueRun, unit: super::ledger::LedgerUnit) -> VerdictText {
        VerdictText {
            badge: t.badge.text.clone(),
            why: t.verdict.summary_in(unit),
        }
    }
}
