//! "Every schedule with up to k faults": exhaustive small-scope checking.
//!
//! With random faults off, a run's choice points are its transmissions
//! `(hop, msg, attempt)` and the crash points its actors pass through. A schedule is a
//! set of explicit [`Fault`]s at those points: lose a transmission, duplicate it
//! (the copy arrives a scenario-chosen number of ticks later), delay it, or crash a
//! process at a crash point. Adding a fault creates new choice points (a lost request
//! is retried: a new transmission), so the explorer walks the choice *tree*,
//! breadth-first by number of faults: every schedule it runs is a sorted fault set,
//! run at most once, and every fault in it names a point of its parent's run.
//!
//! Which faults a point offers is the scenario's own failure model, not a guess: the
//! explorer first runs the scenario with every rate parameter at its maximum and
//! records which kinds of fault its dice can fire on which hop (and how many ticks a
//! copy or a delay can add, and how long a crash keeps a process down, at the current
//! settings). A hop the scenario models as reliable gets no loss; a scenario without
//! crash points gets no crash.
//!
//! A sampled sweep ([`super::sweep`]) is evidence; this is a statement about a small
//! scope: "all N schedules with at most 2 faults were checked". The result states
//! whether the space was finished or stopped at a cap ([`MAX_SCHEDULES`],
//! [`MAX_EVENTS`]) — never a silent cut.

use super::event::Ev;
use super::fault::Fault;
use super::ids::{MsgId, NodeId, Tick};
use super::params::{ParamError, Params, Unit};
use super::run::{RunConfig, RunResult, Scenario};
use super::scenarios;
use super::sweep::{Counterexample, SweepConfig, SweepResult, TechniqueSweep};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Most faults per schedule the explorer offers.
pub const MAX_K: u8 = 3;
/// Most schedules one exploration may run.
pub const MAX_SCHEDULES: u64 = 100_000;
/// Most simulated events (over every technique) one exploration may run.
pub const MAX_EVENTS: u64 = 50_000_000;

/// Seeds the failure-model probe runs.
const PROBE_SEEDS: u64 = 12;

/// The faults the scenario's parameters can produce: per (kind, hop) the largest extra
/// delay its dice chose; per crash-point node the longest downtime.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    net: BTreeMap<(NetKind, u8), Tick>,
    crash_down: BTreeMap<NodeId, Tick>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NetKind {
    Lose,
    Duplicate,
    Delay,
}

impl Model {
    /// Learn the model from runs with every rate parameter (per-mille) at its maximum,
    /// and at a tenth and a half of it (a certain loss of the first transmission would
    /// hide every later one).
    pub fn probe(scenario: &dyn Scenario, seed: u64, params: &[(String, i64)]) -> Model {
        let mut m = Model::default();
        for (num, den) in [(1, 1), (1, 2), (1, 10)] {
            m.probe_at(scenario, seed, params, num, den);
        }
        m
    }

    fn probe_at(
        &mut self,
        scenario: &dyn Scenario,
        seed: u64,
        params: &[(String, i64)],
        num: i64,
        den: i64,
    ) {
        let info = scenario.info();
        let mut over: Vec<(String, i64)> = params.to_vec();
        for spec in info.params.iter().filter(|s| s.unit == Unit::PerMille) {
            over.retain(|(n, _)| n != spec.name);
            over.push((spec.name.to_string(), (spec.max * num / den).max(spec.min)));
        }
        let Ok(p) = Params::with(info.params, &over) else {
            return;
        };
        let m = self;
        for i in 0..PROBE_SEEDS {
            let cfg = RunConfig {
                seed: super::rng::derive_seed(seed, i),
                params: over.clone(),
                manual: Vec::new(),
                random_faults: true,
            };
            for t in &scenario.build(&cfg, &p).techniques {
                for f in &t.fired {
                    let (key, extra) = match *f {
                        Fault::Lose { hop, .. } => ((NetKind::Lose, hop), 0),
                        Fault::Duplicate { hop, extra, .. } => ((NetKind::Duplicate, hop), extra),
                        Fault::Delay { hop, extra, .. } => ((NetKind::Delay, hop), extra),
                        Fault::CrashAt { node, down, .. } => {
                            let d = m.crash_down.entry(node).or_insert(0);
                            *d = (*d).max(down);
                            continue;
                        }
                        _ => continue,
                    };
                    let e = m.net.entry(key).or_insert(0);
                    *e = (*e).max(extra);
                }
            }
        }
    }

    /// The faults this model allows at `p`.
    fn faults(&self, p: Point) -> Vec<Fault> {
        match p {
            Point::Net { hop, msg, attempt } => {
                let mut out = Vec::new();
                if self.net.contains_key(&(NetKind::Lose, hop)) {
                    out.push(Fault::Lose { hop, msg, attempt });
                }
                if let Some(&extra) = self.net.get(&(NetKind::Duplicate, hop)) {
                    out.push(Fault::Duplicate {
                        hop,
                        msg,
                        attempt,
                        extra: extra.max(1),
                    });
                }
                if let Some(&extra) = self.net.get(&(NetKind::Delay, hop)) {
                    if extra > 0 {
                        out.push(Fault::Delay {
                            hop,
                            msg,
                            attempt,
                            extra,
                        });
                    }
                }
                out
            }
            Point::Crash { node, msg, point } => match self.crash_down.get(&node) {
                Some(&down) => vec![Fault::CrashAt {
                    node,
                    msg,
                    point,
                    down,
                }],
                None => Vec::new(),
            },
        }
    }

    /// The assumptions in words: "at most 2 of: a lost transmission, a duplicated one
    /// (the copy up to 3 ticks later), a crash at a crash point (down up to 4 ticks)".
    pub fn assumptions(&self, k: u8) -> String {
        let max = |kind: NetKind| {
            self.net
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|(_, t)| *t)
                .max()
        };
        let mut parts = Vec::new();
        if max(NetKind::Lose).is_some() {
            parts.push("a lost transmission".to_string());
        }
        if let Some(t) = max(NetKind::Duplicate) {
            parts.push(format!(
                "a duplicated one (the copy {} ticks later)",
                t.max(1)
            ));
        }
        if let Some(t) = max(NetKind::Delay).filter(|t| *t > 0) {
            parts.push(format!("a delayed one ({t} ticks)"));
        }
        if let Some(d) = self.crash_down.values().max() {
            parts.push(format!("a crash at a crash point (down {d} ticks)"));
        }
        if parts.is_empty() {
            return "no faults: this scenario's model has none to place".to_string();
        }
        format!("at most {k} of: {}", parts.join(", "))
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
    /// The failure model in words ([`Model::assumptions`]).
    pub assumptions: String,
}

/// A point where a fault can be placed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Point {
    Net { hop: u8, msg: MsgId, attempt: u16 },
    Crash { node: NodeId, msg: MsgId, point: u8 },
}

impl Point {
    fn of(f: &Fault) -> Option<Point> {
        match *f {
            Fault::Lose { hop, msg, attempt }
            | Fault::Duplicate {
                hop, msg, attempt, ..
            }
            | Fault::Delay {
                hop, msg, attempt, ..
            } => Some(Point::Net { hop, msg, attempt }),
            Fault::CrashAt {
                node, msg, point, ..
            } => Some(Point::Crash { node, msg, point }),
            _ => None,
        }
    }
}

/// Every choice point of a run (over all techniques: a fault at a point one technique
/// never reaches changes nothing there).
fn points(r: &RunResult) -> BTreeSet<Point> {
    let mut out = BTreeSet::new();
    for t in &r.techniques {
        for e in &t.trace {
            if let Ev::Send {
                hop,
                p,
                copy_of: None,
                ..
            } = &e.ev
            {
                out.insert(Point::Net {
                    hop: *hop,
                    msg: p.msg,
                    attempt: p.attempt,
                });
            }
        }
        for &(node, msg, point) in &t.crash_points {
            out.insert(Point::Crash { node, msg, point });
        }
    }
    out
}

/// An exploration in progress (runs in chunks, like [`super::sweep::Sweeper`]).
pub struct Explorer {
    scenario: &'static dyn Scenario,
    params: Params,
    model: Model,
    queue: VecDeque<Vec<Fault>>,
    seen: BTreeSet<Vec<Fault>>,
    cap: u64,
    pub result: SweepResult,
    /// Per technique: (faults, events) of the smallest breaking schedule so far.
    best: Vec<Option<(usize, usize)>>,
}

impl Explorer {
    /// `cfg.faults` is k (1..=3); `cfg.runs` caps the schedules.
    pub fn new(cfg: SweepConfig) -> Result<Explorer, ParamError> {
        let scenario = scenarios::find(&cfg.scenario)?;
        let params = Params::with(scenario.info().params, &cfg.params)?;
        let mut cfg = cfg;
        cfg.faults = cfg.faults.clamp(1, MAX_K);
        cfg.runs = cfg.runs.clamp(1, MAX_SCHEDULES);
        let k = cfg.faults;
        let model = Model::probe(scenario, cfg.seed, &cfg.params);
        let mut queue = VecDeque::new();
        queue.push_back(Vec::new());
        let mut seen = BTreeSet::new();
        seen.insert(Vec::new());
        Ok(Explorer {
            scenario,
            params,
            queue,
            seen,
            cap: cfg.runs,
            result: SweepResult {
                config: cfg,
                done: 0,
                techniques: Vec::new(),
                events: 0,
                space: Some(Space {
                    k,
                    checked: 0,
                    finished: false,
                    stopped: String::new(),
                    points: 0,
                    options: 0,
                    assumptions: model.assumptions(k),
                }),
            },
            best: Vec::new(),
            model,
        })
    }

    fn space(&mut self) -> &mut Space {
        self.result.space.get_or_insert_with(|| Space {
            k: 1,
            checked: 0,
            finished: false,
            stopped: String::new(),
            points: 0,
            options: 0,
            assumptions: String::new(),
        })
    }

    pub fn finished(&self) -> bool {
        self.queue.is_empty()
    }

    fn config(&self, schedule: &[Fault]) -> RunConfig {
        RunConfig {
            seed: self.result.config.seed,
            params: self.result.config.params.clone(),
            manual: schedule.to_vec(),
            random_faults: false,
        }
    }

    /// Run up to `n` more schedules; returns how many ran.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut ran = 0;
        while ran < n {
            let Some(schedule) = self.queue.pop_front() else {
                self.space().finished = true;
                break;
            };
            if self.result.done >= self.cap || self.result.events >= MAX_EVENTS {
                let why = if self.result.done >= self.cap {
                    format!("stopped at the cap of {} schedules", self.cap)
                } else {
                    format!("stopped at the cap of {MAX_EVENTS} simulated events")
                };
                self.queue.clear();
                let s = self.space();
                s.finished = false;
                s.stopped = why;
                break;
            }
            let cfg = self.config(&schedule);
            let r = self.scenario.build(&cfg, &self.params);
            let k = self.result.config.faults as usize;
            if schedule.len() < k {
                let taken: BTreeSet<Point> = schedule.iter().filter_map(Point::of).collect();
                let pts = points(&r);
                if schedule.is_empty() {
                    let options: u64 = pts.iter().map(|p| self.model.faults(*p).len() as u64).sum();
                    let s = self.space();
                    s.points = pts.len() as u64;
                    s.options = options;
                }
                for p in pts.into_iter().filter(|p| !taken.contains(p)) {
                    for f in self.model.faults(p) {
                        let mut child = schedule.clone();
                        child.push(f);
                        child.sort_unstable();
                        if self.seen.insert(child.clone()) {
                            self.queue.push_back(child);
                        }
                    }
                }
            }
            self.record(&schedule, &r);
            self.result.done += 1;
            ran += 1;
        }
        if self.queue.is_empty() && self.space().stopped.is_empty() {
            self.space().finished = true;
        }
        let done = self.result.done;
        self.space().checked = done;
        ran
    }

    fn record(&mut self, schedule: &[Fault], r: &RunResult) {
        if self.result.techniques.is_empty() {
            self.result.techniques = r
                .techniques
                .iter()
                .map(|t| TechniqueSweep::new(t.id.clone(), t.label.clone(), t.claim))
                .collect();
            self.best = vec![None; r.techniques.len()];
        }
        for (i, t) in r.techniques.iter().enumerate() {
            self.result.events += t.trace.len() as u64;
            let Some(s) = self.result.techniques.get_mut(i) else {
                continue;
            };
            if !s.tally(t) {
                continue;
            }
            let size = (schedule.len(), t.trace.len());
            if self.best[i].is_none_or(|b| size < b) {
                self.best[i] = Some(size);
                let unit = self.scenario.info().unit;
                s.smallest = Some(Counterexample {
                    config: RunConfig {
                        seed: self.result.config.seed,
                        params: self.result.config.params.clone(),
                        manual: schedule.to_vec(),
                        random_faults: false,
                    },
                    faults: schedule.len(),
                    events: t.trace.len(),
                    tick: t
                        .verdict
                        .first_violation
                        .and_then(|e| t.trace.get(e))
                        .map(|e| e.tick)
                        .unwrap_or(t.end),
                    summary: {
                        let s = t.verdict.summary_in(unit);
                        if s.is_empty() {
                            t.badge.text.clone()
                        } else {
                            s
                        }
                    },
                });
            }
        }
    }

    /// The failure model the schedules are drawn from.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Every schedule run so far, in order (for tests: each appears once).
    pub fn seen(&self) -> impl Iterator<Item = &Vec<Fault>> {
        self.seen.iter()
    }
}

/// Explore natively to the end (or the cap).
pub fn explore(cfg: SweepConfig) -> Result<SweepResult, ParamError> {
    let mut e = Explorer::new(cfg)?;
    while !e.finished() {
        e.step(1024);
    }
    e.step(0);
    Ok(e.result)
}

/// What a check will cover, known before it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Schedules of at most `k` faults over the fault-free run's choice points (a lower
    /// bound: faults that cause retries add points).
    pub size: u64,
    /// A smaller input (parameter, value) whose space fits the budget, if needed.
    pub hint: Option<(&'static str, i64)>,
    /// Logical messages in the input.
    pub items: usize,
    /// The assumptions in words ([`Model::assumptions`]).
    pub assumptions: String,
}

/// A rough size of the space before exploring it, and a smaller input that fits
/// `budget` schedules when the scenario has an input-length parameter.
pub fn estimate(
    scenario: &str,
    seed: u64,
    params: &[(String, i64)],
    k: u8,
    budget: u64,
) -> Result<Estimate, ParamError> {
    let sc = scenarios::find(scenario)?;
    let p = Params::with(sc.info().params, params)?;
    let r = sc.build(
        &RunConfig {
            seed,
            params: params.to_vec(),
            manual: Vec::new(),
            random_faults: false,
        },
        &p,
    );
    let model = Model::probe(sc, seed, params);
    let pts = points(&r);
    let options: u64 = pts.iter().map(|p| model.faults(*p).len() as u64).sum();
    let assumptions = model.assumptions(k);
    let size = schedules_up_to(options, k);
    let items = r.workload.len();
    if size <= budget {
        return Ok(Estimate {
            size,
            hint: None,
            items,
            assumptions,
        });
    }
    // Choice points grow about linearly with the input: scale it down to fit.
    let length = sc
        .info()
        .params
        .iter()
        .find(|s| s.unit == Unit::Count && super::sweep::LENGTH_PARAMS.contains(&s.name));
    let hint = length.and_then(|spec| {
        let now = p.get(spec.name);
        let mut n = now;
        while n > spec.min.max(1) {
            n -= 1;
            let scaled = (options as f64 * n as f64 / now as f64).ceil() as u64;
            if schedules_up_to(scaled, k) <= budget {
                return Some((spec.name, n));
            }
        }
        None
    });
    Ok(Estimate {
        size,
        hint,
        items,
        assumptions,
    })
}

/// Σ_{i ≤ k} C(n, i), saturating.
fn schedules_up_to(n: u64, k: u8) -> u64 {
    let mut total: u64 = 1;
    let mut c: u64 = 1;
    for i in 1..=u64::from(k) {
        if i > n {
            break;
        }
        c = c.saturating_mul(n - i + 1) / i;
        total = total.saturating_add(c);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(scenario: &str, k: u8) -> SweepConfig {
        SweepConfig {
            scenario: scenario.to_string(),
            runs: MAX_SCHEDULES,
            seed: scenarios::info(scenario).showcase_seed,
            params: Vec::new(),
            faults: k,
        }
    }

    #[test]
    fn binomial_sums() {
        assert_eq!(schedules_up_to(10, 1), 11);
        assert_eq!(schedules_up_to(10, 2), 56);
        assert_eq!(schedules_up_to(3, 3), 8);
        assert_eq!(schedules_up_to(2, 3), 4);
    }

    #[test]
    fn each_schedule_once_and_deterministic() {
        let mut e = Explorer::new(cfg("walkthrough", 2)).unwrap();
        let mut order = Vec::new();
        while !e.finished() {
            let before = e.result.done;
            e.step(7);
            assert!(e.result.done >= before);
        }
        e.step(0);
        for s in e.seen() {
            order.push(s.clone());
        }
        let unique: BTreeSet<Vec<Fault>> = order.iter().cloned().collect();
        assert_eq!(unique.len(), order.len());
        assert_eq!(e.result.done as usize, order.len());
        for s in &order {
            let mut sorted = s.clone();
            sorted.sort_unstable();
            assert_eq!(&sorted, s, "canonical: sorted");
            assert!(s.len() <= 2);
        }
        let again = explore(cfg("walkthrough", 2)).unwrap();
        assert_eq!(again, e.result);
        let space = again.space.unwrap();
        assert!(space.finished && space.stopped.is_empty());
    }

    #[test]
    fn a_cap_is_stated_never_silent() {
        let mut c = cfg("delivery-semantics", 3);
        c.runs = 50;
        let r = explore(c).unwrap();
        let s = r.space.unwrap();
        assert_eq!(r.done, 50);
        assert!(!s.finished);
        assert!(s.stopped.contains("50 schedules"), "{}", s.stopped);
    }
}
