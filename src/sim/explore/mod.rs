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

mod estimate;
pub mod futures;
mod model;

/// The size of a checked space, part of a [`super::sweep::SweepResult`].
pub use super::sweep::Space;
pub use estimate::{estimate, Estimate};
pub use model::Model;

use super::event::Ev;
use super::fault::Fault;
use super::ids::{MsgId, NodeId, Tick};
use super::params::{ParamError, Params};
use super::run::{RunConfig, RunResult, Scenario, TechniqueRun};
use super::scenarios;
use super::sweep::{Counterexample, SweepConfig, SweepResult, TechniqueSweep};
use std::collections::{BTreeSet, VecDeque};

/// Most faults per schedule the explorer offers.
pub const MAX_K: u8 = 3;
/// Most schedules one exploration may run.
pub const MAX_SCHEDULES: u64 = 100_000;
/// Most simulated events (over every technique) one exploration may run.
pub const MAX_EVENTS: u64 = 50_000_000;

/// A point where a fault can be placed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Point {
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
pub(crate) fn points(r: &RunResult) -> BTreeSet<Point> {
    let mut out = BTreeSet::new();
    for t in &r.techniques {
        out.extend(original_sends(t).map(|(point, _)| point));
        for &(node, msg, point) in &t.crash_points {
            out.insert(Point::Crash { node, msg, point });
        }
    }
    out
}

/// Every original transmission of `t` (not a network copy) as a choice point, with the
/// tick it left, in trace order.
pub(crate) fn original_sends(t: &TechniqueRun) -> impl Iterator<Item = (Point, Tick)> + '_ {
    t.trace.iter().filter_map(|e| match &e.ev {
        Ev::Send {
            hop,
            p,
            copy_of: None,
            ..
        } => Some((
            Point::Net {
                hop: *hop,
                msg: p.msg,
                attempt: p.attempt,
            },
            e.tick,
        )),
        _ => None,
    })
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
                    summary: super::invariants::VerdictText::of(t, unit).what(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use estimate::schedules_up_to;

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
