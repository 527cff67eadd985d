//! "Break it yourself": run many fault schedules and shrink the smallest run that
//! breaks each technique.
//!
//! Run `i` of a sweep uses seed `derive_seed(sweep_seed, i)`. A violation is any
//! run where a technique is not exactly-once (lost, duplicated, wrong balance) or a
//! scenario check fails (dirty read, disagreement, …). The smallest violating run
//! (fewest fired faults, then fewest events) is shrunk: its random faults become an
//! explicit list replayed with random faults off, then faults are dropped one at a
//! time and the input is shortened while the run still breaks.
//!
//! [`Sweeper`] works in chunks so the browser can run it between frames; natively
//! [`sweep`] runs it to the end. Same inputs ⇒ same counts and counterexamples.

use super::ids::Tick;
use super::ledger::LedgerUnit;
use super::params::{ParamError, Params, Role};
use super::rng::derive_seed;
use super::run::{AtDefaults, Guarantee, Property, RunConfig, RunResult, Scenario, TechniqueRun};
use super::scenarios;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `technique` of `scenario` does at the defaults beyond its claim (the last
/// column of the scenario's technique table; `AsClaimed` for an unknown one).
pub fn at_defaults(scenario: &str, technique: &str) -> AtDefaults {
    scenarios::find(scenario)
        .ok()
        .and_then(|s| s.techniques().into_iter().find(|t| t.id == technique))
        .map_or(AtDefaults::AsClaimed, |t| t.at_defaults)
}

/// Does `technique` of `scenario` claim exactly-once processing but break at the
/// defaults by design? Sweeps and exhaustive checks must find it breaking.
pub fn built_to_break(scenario: &str, technique: &str) -> bool {
    matches!(
        at_defaults(scenario, technique),
        AtDefaults::BuiltToBreak(_)
    )
}

/// Is `technique` of `scenario` unprotected, yet unbreakable at the defaults?
pub fn safe_at_defaults(scenario: &str, technique: &str) -> bool {
    matches!(
        at_defaults(scenario, technique),
        AtDefaults::SafeAtDefaults(_)
    )
}

/// Most schedules one sweep may run.
pub const MAX_RUNS: u64 = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepConfig {
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub params: Vec<(String, i64)>,
    /// 0: sample `runs` random schedules. 1..=3: check every schedule with at most
    /// this many explicit faults (`explore`; `runs` is then the cap).
    #[serde(default)]
    pub faults: u8,
}

/// "1 fault", "3 schedules".
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The size of the space and how far the exploration got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    /// At most this many faults per schedule.
    pub k: u8,
    /// Schedules run (including the fault-free one).
    pub checked: u64,
    /// Every schedule with at most `k` faults was run.
    pub finished: bool,
    /// Why it stopped early (empty when finished).
    pub stopped: String,
    /// Choice points of the fault-free run, and the faults they offer in all.
    pub points: u64,
    pub options: u64,
    /// The failure model in words (`explore::Model::assumptions`).
    pub assumptions: String,
}

/// A replayable breaking run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The run's config: replay it with `scenarios::run` (random faults off).
    pub config: RunConfig,
    pub faults: usize,
    pub events: usize,
    /// Tick of the first violating event.
    pub tick: Tick,
    pub summary: String,
}

impl Counterexample {
    /// "Smallest: 1 fault, match A over by 2 runs — applied ball 1 twice" ("no fault
    /// needed" when the run breaks without one).
    pub fn words(&self) -> String {
        let faults = match self.faults {
            0 => "no fault needed".to_string(),
            n => plural(n as u64, "fault"),
        };
        format!("Smallest: {faults}, {}", self.summary)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueSweep {
    pub id: String,
    pub label: String,
    pub claim: Guarantee,
    pub runs: u64,
    pub violations: u64,
    /// Runs where the technique's own claim broke (a subset of `violations`).
    pub claim_broken: u64,
    /// Kind of violation → runs.
    pub kinds: BTreeMap<String, u64>,
    /// Largest |observed − truth| over the ledger's rows, in the scenario's unit (see
    /// [`TechniqueSweep::worst`]: meaningless where the property is not balances).
    pub worst_divergence: i64,
    pub smallest: Option<Counterexample>,
    #[serde(skip)]
    candidate: Option<(usize, usize, u64)>,
}

impl TechniqueSweep {
    /// Count one run of this technique; true when it broke the scenario's property.
    pub fn tally(&mut self, t: &TechniqueRun) -> bool {
        self.runs += 1;
        if !violated(t) {
            return false;
        }
        self.violations += 1;
        if claim_broken(self.claim, t) {
            self.claim_broken += 1;
        }
        for k in violation_kinds(t) {
            *self.kinds.entry(k).or_insert(0) += 1;
        }
        let div = t
            .verdict
            .diffs
            .iter()
            .map(|d| (d.observed - d.truth).abs())
            .max()
            .unwrap_or(0);
        self.worst_divergence = self.worst_divergence.max(div);
        true
    }

    /// The one sentence the sweep panel and the CLI give this technique: how often the
    /// scenario's property (or the technique's own claim) broke, in the property's words.
    /// The count is of runs that broke the scenario's property; the technique's own claim
    /// is reported beside it, counted by the claim's own invariant (at-most-once allows a
    /// loss, at-least-once a duplicate), so a loss is never called a broken at-most-once.
    pub fn outcome(&self, unit: LedgerUnit, property: Property, space: Option<&Space>) -> String {
        let what = property.failure();
        // A sweep's runs are schedules too: "runs" would read as a ledger unit in a
        // scenario that counts cricket runs.
        let noun = if space.is_some() {
            "schedule"
        } else {
            "random schedule"
        };
        if self.violations == 0 {
            let all = match self.runs {
                1 => format!("the one {noun}"),
                n => format!("all {n} {noun}s"),
            };
            // One schedule is no evidence of "always": the model had no fault choice to vary.
            let why = match (space.is_some_and(|s| s.finished), self.runs) {
                (true, 1) => " this seed allows — its faults leave nothing to vary here; another seed times them differently",
                (true, _) => " — within these assumptions, always",
                _ => " tried — evidence for these faults, not a proof",
            };
            return format!("✓ {} held in {all}{why}", property.label());
        }
        let pct = super::percent::share(self.violations, self.runs);
        let kinds = kinds_words(&self.kinds, unit);
        let mut s = format!(
            "✕ {what} in {} of {} ({pct})",
            self.violations,
            plural(self.runs, noun)
        );
        if !kinds.is_empty() {
            s.push_str(&format!(" — {kinds}"));
        }
        if self.claim != Guarantee::None {
            s.push_str(&match self.claim_broken {
                0 => format!("; its own claim, {}, held in every one", self.claim.label()),
                n => format!(
                    "; its own claim, {}, broke in {}",
                    self.claim.label(),
                    plural(n, noun)
                ),
            });
        }
        s
    }

    /// "largest error ₹1900", in the scenario's units; none unless some run ended with a
    /// wrong balance (so none for agreement or fidelity, nor for a refund sent twice).
    pub fn worst(&self, unit: LedgerUnit) -> Option<String> {
        let div = unit.amount(self.worst_divergence);
        (self.kinds.contains_key("wrong balance")).then(|| format!("largest error {div}"))
    }

    /// An empty tally for one technique.
    pub fn new(id: String, label: String, claim: Guarantee) -> TechniqueSweep {
        TechniqueSweep {
            id,
            label,
            claim,
            runs: 0,
            violations: 0,
            claim_broken: 0,
            kinds: BTreeMap::new(),
            worst_divergence: 0,
            smallest: None,
            candidate: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepResult {
    pub config: SweepConfig,
    pub done: u64,
    pub techniques: Vec<TechniqueSweep>,
    /// Total simulated events over all runs.
    pub events: u64,
    /// For an exhaustive check: the space and whether it was finished.
    #[serde(default)]
    pub space: Option<Space>,
}

/// How many runs showed each kind of violation, in words: "a duplicate in 3, a wrong
/// balance in 2, “committed offset never moves back” broken in 1" (never a bare count
/// beside a name; a wrong row named as `unit`'s ledger has it: a score, a sum).
pub fn kinds_words(kinds: &BTreeMap<String, u64>, unit: LedgerUnit) -> String {
    let row = match unit {
        LedgerUnit::Runs => "score",
        LedgerUnit::Samples => "sum",
        _ => "balance",
    };
    kinds
        .iter()
        .map(|(k, n)| match k.as_str() {
            "lost" => format!("a loss in {n}"),
            "duplicated" => format!("a duplicate in {n}"),
            "wrong balance" => format!("a wrong {row} in {n}"),
            name => format!("“{name}” broken in {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What kinds of violation a technique run shows (empty: none).
pub fn violation_kinds(t: &TechniqueRun) -> Vec<String> {
    let v = &t.verdict;
    let mut k = Vec::new();
    if !v.lost.is_empty() {
        k.push("lost".to_string());
    }
    if !v.applied_twice.is_empty() {
        k.push("duplicated".to_string());
    }
    if !v.diffs.is_empty() {
        k.push("wrong balance".to_string());
    }
    for c in v.checks.iter().filter(|c| !c.ok) {
        k.push(c.name.clone());
    }
    k
}

/// The run broke the scenario's property (its badge is not a ✓).
pub fn violated(t: &TechniqueRun) -> bool {
    !t.badge.good()
}

/// Whether a run broke the technique's own claim, by the claim's invariant: at-most-once
/// forbids a duplicate (a loss is allowed), at-least-once forbids a loss (a duplicate is
/// allowed), exactly-once forbids both (the verdict's `holds`).
pub fn claim_broken(claim: Guarantee, t: &TechniqueRun) -> bool {
    match claim {
        Guarantee::AtMostOnce => !t.verdict.applied_twice.is_empty(),
        Guarantee::AtLeastOnce => !t.verdict.lost.is_empty(),
        Guarantee::ExactlyOnce => !t.verdict.holds,
        Guarantee::None => false,
    }
}

/// A sweep in progress.
pub struct Sweeper {
    scenario: &'static dyn Scenario,
    params: Params,
    pub result: SweepResult,
}

impl Sweeper {
    pub fn new(cfg: SweepConfig) -> Result<Sweeper, ParamError> {
        let scenario = scenarios::find(&cfg.scenario)?;
        let params = Params::with(scenario.info().params, &cfg.params)?;
        let mut cfg = cfg;
        cfg.runs = cfg.runs.clamp(1, MAX_RUNS);
        Ok(Sweeper {
            scenario,
            params,
            result: SweepResult {
                config: cfg,
                done: 0,
                techniques: Vec::new(),
                events: 0,
                space: None,
            },
        })
    }

    pub fn finished(&self) -> bool {
        self.result.done >= self.result.config.runs
    }

    fn run_config(&self, i: u64) -> RunConfig {
        RunConfig {
            seed: derive_seed(self.result.config.seed, i),
            params: self.result.config.params.clone(),
            manual: Vec::new(),
            random_faults: true,
        }
    }

    /// Run up to `n` more schedules. Returns how many ran.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut ran = 0;
        while ran < n && !self.finished() {
            let i = self.result.done;
            let cfg = self.run_config(i);
            let r = self.scenario.build(&cfg, &self.params);
            self.record(i, &r);
            self.result.done += 1;
            ran += 1;
        }
        ran
    }

    fn record(&mut self, i: u64, r: &RunResult) {
        if self.result.techniques.is_empty() {
            self.result.techniques = r
                .techniques
                .iter()
                .map(|t| TechniqueSweep::new(t.id.clone(), t.label.clone(), t.claim))
                .collect();
        }
        for (t, s) in r.techniques.iter().zip(self.result.techniques.iter_mut()) {
            self.result.events += t.trace.len() as u64;
            if !s.tally(t) {
                continue;
            }
            let size = (t.fired.len(), t.trace.len(), i);
            if s.candidate.is_none_or(|c| (size.0, size.1) < (c.0, c.1)) {
                s.candidate = Some(size);
            }
        }
    }

    /// Shrink each technique's smallest violating run. Call once, after the last step.
    pub fn shrink_all(&mut self) {
        for k in 0..self.result.techniques.len() {
            if let Some((_, _, i)) = self.result.techniques[k].candidate {
                let cfg = self.run_config(i);
                let id = self.result.techniques[k].id.clone();
                let cx = shrink(self.scenario, &cfg, &self.params, &id);
                self.result.techniques[k].smallest = cx;
            }
        }
    }
}

fn technique<'a>(r: &'a RunResult, id: &str) -> Option<&'a TechniqueRun> {
    r.techniques.iter().find(|t| t.id == id)
}

fn breaks(scenario: &dyn Scenario, cfg: &RunConfig, base: &Params, id: &str) -> Option<RunResult> {
    let params = overlay(scenario, base, &cfg.params)?;
    let r = scenario.build(cfg, &params);
    technique(&r, id).is_some_and(violated).then_some(r)
}

fn overlay(scenario: &dyn Scenario, base: &Params, over: &[(String, i64)]) -> Option<Params> {
    let mut p = base.clone();
    for (n, v) in over {
        p.set(scenario.info().params, n, *v).ok()?;
    }
    Some(p)
}

/// Shrink the run `cfg` (which breaks technique `id`) to a small replayable one.
pub fn shrink(
    scenario: &dyn Scenario,
    cfg: &RunConfig,
    params: &Params,
    id: &str,
) -> Option<Counterexample> {
    let first = breaks(scenario, cfg, params, id)?;
    let fired = technique(&first, id)?.fired.clone();
    // 1. Make the schedule explicit and switch random faults off.
    let mut best = RunConfig {
        seed: cfg.seed,
        params: cfg.params.clone(),
        manual: cfg.manual.iter().chain(fired.iter()).copied().collect(),
        random_faults: false,
    };
    let mut best_run = match breaks(scenario, &best, params, id) {
        Some(r) => r,
        // Could not be made explicit (should not happen): report the original.
        None => return Some(describe(cfg.clone(), &first, id)),
    };
    // 2. Drop faults one at a time while it still breaks.
    let mut i = 0;
    while i < best.manual.len() {
        let mut trial = best.clone();
        trial.manual.remove(i);
        match breaks(scenario, &trial, params, id) {
            Some(r) => {
                best = trial;
                best_run = r;
            }
            None => i += 1,
        }
    }
    // 3. Shorten the input while it still breaks.
    for spec in scenario.info().params {
        if spec.role != Role::Length {
            continue;
        }
        let current = overlay(scenario, params, &best.params)
            .map(|p| p.get(spec.name))
            .unwrap_or(spec.default);
        let mut n = spec.min.max(1);
        while n < current {
            let mut trial = best.clone();
            trial.params.retain(|(k, _)| k != spec.name);
            trial.params.push((spec.name.to_string(), n));
            if let Some(r) = breaks(scenario, &trial, params, id) {
                best = trial;
                best_run = r;
                break;
            }
            n += 1;
        }
    }
    Some(describe(best, &best_run, id))
}

fn describe(config: RunConfig, r: &RunResult, id: &str) -> Counterexample {
    let unit = scenarios::info(&r.scenario).unit;
    let t = technique(r, id);
    let (events, tick, summary) = match t {
        Some(t) => {
            let tick = t
                .verdict
                .first_violation
                .and_then(|i| t.trace.get(i))
                .map(|e| e.tick)
                .unwrap_or(t.end);
            (
                t.trace.len(),
                tick,
                super::invariants::VerdictText::of(t, unit).what(),
            )
        }
        None => (0, 0, String::new()),
    };
    Counterexample {
        faults: config.manual.len(),
        config,
        events,
        tick,
        summary,
    }
}

/// Run a whole sweep natively.
pub fn sweep(cfg: SweepConfig) -> Result<SweepResult, ParamError> {
    let mut s = Sweeper::new(cfg)?;
    while !s.finished() {
        s.step(1024);
    }
    s.shrink_all();
    Ok(s.result)
}
