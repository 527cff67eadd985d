//! "From here": every continuation of a run from one tick on, with at most k more
//! faults, grouped by how it ends.
//!
//! The *past* of a run at tick `t` is its trace up to and including `t`. The faults
//! that shaped it (hand-made and fired, of the technique on the stage) become an
//! explicit list, the *prefix*, replayed with random faults off: a fault belongs to the
//! prefix when it happened at or before `t` (a network fault: its transmission left at
//! or before `t`; a timed fault: its tick; a crash at a crash point: removing it changes
//! the past). [`Futures::exact_past`] says whether the prefix alone replays the past
//! event for event (tests pin that it does).
//!
//! A *future* is the prefix plus a set of at most k faults at choice points reached
//! after `t`, drawn from the same failure model as the exhaustive check
//! ([`super::Model`]) and walked the same way: breadth-first by number of faults, each
//! sorted set once, every added fault at a point of its parent's run. A fault whose
//! run changes the past is not a future and is dropped (a crash point passed at or
//! before `t`). Each future is judged by the scenario's own verdict for the technique on
//! the stage and grouped by outcome: the property held, or the kinds of violation the
//! sweeps count ("duplicated", "lost", "wrong balance", a failed check's name). Per
//! group: how many futures, and the smallest (fewest faults, then fewest events).

use super::{original_sends, Model, Point, MAX_EVENTS, MAX_K, MAX_SCHEDULES};
use crate::sim::event::{Ev, Event};
use crate::sim::fault::Fault;
use crate::sim::ids::Tick;
use crate::sim::ledger::LedgerUnit;
use crate::sim::params::{ParamError, Params};
use crate::sim::run::{Property, RunConfig, RunResult, Scenario, TechniqueRun};
use crate::sim::scenarios;
use crate::sim::sweep::{plural, violated, violation_kinds, Counterexample};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The outcome key of a future whose run kept the scenario's property.
pub const HELD: &str = "held";

/// One outcome and the futures that end that way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// `held`, or the violation kinds joined by `+` (`duplicated+wrong balance`).
    pub outcome: String,
    /// The property held in these futures.
    pub good: bool,
    pub count: u64,
    /// The smallest member: its whole schedule (prefix and extra faults, random faults
    /// off), opened at its first violation (a good one: at `t`).
    pub smallest: Counterexample,
    /// How many faults the smallest member adds to the prefix.
    pub extra: usize,
}

/// The futures of one run from one tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Futures {
    pub scenario: String,
    pub technique: String,
    /// Its label ("Ledger first, then offset").
    pub label: String,
    pub tick: Tick,
    pub k: u8,
    /// The faults of the past, explicit.
    pub prefix: Vec<Fault>,
    /// The prefix alone replays the past event for event.
    pub exact_past: bool,
    /// Futures run and judged (the prefix alone is one).
    pub total: u64,
    /// Schedules dropped because their fault lay in the past.
    pub dropped: u64,
    pub events: u64,
    /// Every future with at most `k` more faults was run.
    pub finished: bool,
    /// Why it stopped early (empty when finished).
    pub stopped: String,
    /// Groups, breaking ones first, then by key.
    pub groups: Vec<Group>,
    /// The failure model in words.
    pub assumptions: String,
    /// Faults the scenario's settings place (a pause, a crash at a set tick, an
    /// operator's reset), in words with their ticks: they are in every future.
    pub placed: Vec<String>,
}

impl Group {
    /// The outcome in words: "✓ exactly-once effect held", "✕ a duplicate, a wrong
    /// balance" (the sweeps' words for each kind).
    pub fn words(&self, property: Property, unit: LedgerUnit) -> String {
        if self.good {
            return format!("✓ {} held", property.label());
        }
        let row = match unit {
            LedgerUnit::Runs => "score",
            LedgerUnit::Samples => "sum",
            _ => "balance",
        };
        let kinds: Vec<String> = self
            .outcome
            .split('+')
            .map(|k| match k {
                "lost" => "a loss".to_string(),
                "duplicated" => "a duplicate".to_string(),
                "wrong balance" => format!("a wrong {row}"),
                "" => property.failure().to_string(),
                name => format!("“{name}” broken"),
            })
            .collect();
        format!("✕ {}", kinds.join(", "))
    }
}

impl Futures {
    /// "from tick 12: 41 futures with at most 2 more faults".
    pub fn header(&self) -> String {
        format!(
            "From tick {}: {} with at most {} more {}",
            self.tick,
            plural(self.total, "future"),
            self.k,
            if self.k == 1 { "fault" } else { "faults" }
        )
    }
}

/// The outcome key of one technique run.
pub fn outcome(t: &TechniqueRun) -> String {
    if !violated(t) {
        return HELD.to_string();
    }
    violation_kinds(t).join("+")
}

/// The trace of `t` up to and including `tick`.
fn past(t: &TechniqueRun, tick: Tick) -> &[Event] {
    let n = t.trace.iter().take_while(|e| e.tick <= tick).count();
    &t.trace[..n]
}

/// The process faults of a run with no random or hand-made fault: the ones its
/// settings place, in words ("tick 11: worker-1 pauses until tick 51").
fn placed_by_settings(t: &TechniqueRun) -> Vec<String> {
    let name = |id| {
        t.nodes
            .iter()
            .find(|n| n.id == id)
            .map_or_else(|| "a process".to_string(), |n| n.name.clone())
    };
    t.trace
        .iter()
        .filter_map(|e| {
            let what = match e.ev {
                Ev::Crash { node } => format!("{} crashes", name(node)),
                Ev::Pause { node, until } => {
                    format!("{} pauses until tick {until}", name(node))
                }
                Ev::Operator { node, value, .. } => {
                    format!("an operator resets {}'s offset to {value}", name(node))
                }
                _ => return None,
            };
            Some(format!("tick {}: {what}", e.tick))
        })
        .collect()
}

/// The tick each original transmission `(hop, msg, attempt)` left in `t`.
fn send_ticks(t: &TechniqueRun) -> BTreeMap<Point, Tick> {
    let mut out = BTreeMap::new();
    for (point, tick) in original_sends(t) {
        out.entry(point).or_insert(tick);
    }
    out
}

/// The faults of `t`'s run (of `cfg`) that happened at or before `tick`, explicit and
/// sorted: hand-made and fired ones; a network fault by the tick its transmission left,
/// a timed one by its tick, a crash at a crash point by whether removing it changes the
/// past (`base` is `cfg` with no faults and random faults off).
fn prefix(
    sc: &dyn Scenario,
    params: &Params,
    base: &RunConfig,
    cfg: &RunConfig,
    t: &TechniqueRun,
    index: usize,
    tick: Tick,
) -> Vec<Fault> {
    let mut all: Vec<Fault> = cfg.manual.clone();
    for f in &t.fired {
        if !all.contains(f) {
            all.push(*f);
        }
    }
    let sends = send_ticks(t);
    let with = |manual: Vec<Fault>| RunConfig {
        manual,
        ..base.clone()
    };
    let mut prefix = Vec::new();
    let mut undecided = Vec::new();
    for f in &all {
        let at = match (f.at(), Point::of(f)) {
            (Some(at), _) => Some(at),
            (None, Some(p @ Point::Net { .. })) => sends.get(&p).copied(),
            _ => None,
        };
        match at {
            Some(at) if at <= tick => prefix.push(*f),
            Some(_) => {}
            // A transmission this technique never made: its fault changes nothing.
            None if matches!(Point::of(f), Some(Point::Net { .. })) => {}
            None => undecided.push(*f),
        }
    }
    let everything = (!undecided.is_empty()).then(|| sc.build(&with(all.clone()), params));
    for f in undecided {
        let without: Vec<Fault> = all.iter().filter(|g| **g != f).copied().collect();
        let b = sc.build(&with(without), params);
        let a = everything
            .as_ref()
            .map(|a| past(&a.techniques[index], tick));
        if a != Some(past(&b.techniques[index], tick)) {
            prefix.push(f);
        }
    }
    prefix.sort_unstable();
    prefix.dedup();
    prefix
}

/// A "From here" exploration in progress (runs in chunks).
pub struct Explorer {
    scenario: &'static dyn Scenario,
    params: Params,
    base: RunConfig,
    model: Model,
    index: usize,
    queue: VecDeque<Vec<Fault>>,
    seen: BTreeSet<Vec<Fault>>,
    /// Crash points found to lie in the past.
    past_points: BTreeSet<Point>,
    past: Vec<Event>,
    cap: u64,
    best: BTreeMap<String, (usize, usize)>,
    groups: BTreeMap<String, Group>,
    pub result: Futures,
}

impl Explorer {
    /// The futures of the run of `scenario` on `cfg` from `tick`, for `technique` (the
    /// first when unknown), with at most `k` (1..=3) more faults.
    pub fn new(
        scenario: &str,
        cfg: &RunConfig,
        technique: Option<&str>,
        tick: Tick,
        k: u8,
    ) -> Result<Explorer, ParamError> {
        Explorer::with_cap(scenario, cfg, technique, tick, k, MAX_SCHEDULES)
    }

    /// As [`Explorer::new`], stopping after `cap` futures.
    pub fn with_cap(
        scenario: &str,
        cfg: &RunConfig,
        technique: Option<&str>,
        tick: Tick,
        k: u8,
        cap: u64,
    ) -> Result<Explorer, ParamError> {
        let sc = scenarios::find(scenario)?;
        let params = Params::with(sc.info().params, &cfg.params)?;
        let k = k.clamp(1, MAX_K);
        let run = sc.build(cfg, &params);
        let index = technique
            .and_then(|id| run.techniques.iter().position(|t| t.id == id))
            .unwrap_or(0);
        let t = &run.techniques[index];
        let tick = tick.min(t.end.max(run.end()));
        let past_events = past(t, tick).to_vec();
        let base = RunConfig {
            seed: cfg.seed,
            params: cfg.params.clone(),
            manual: Vec::new(),
            random_faults: false,
        };
        let prefix = prefix(sc, &params, &base, cfg, t, index, tick);
        let placed = placed_by_settings(&sc.build(&base, &params).techniques[index]);
        let model = Model::probe(sc, cfg.seed, &cfg.params);
        let mut queue = VecDeque::new();
        queue.push_back(Vec::new());
        let mut seen = BTreeSet::new();
        seen.insert(Vec::new());
        Ok(Explorer {
            scenario: sc,
            params,
            base,
            index,
            queue,
            seen,
            past_points: BTreeSet::new(),
            past: past_events,
            cap: cap.max(1),
            best: BTreeMap::new(),
            groups: BTreeMap::new(),
            result: Futures {
                scenario: sc.info().id.to_string(),
                technique: t.id.clone(),
                label: t.label.clone(),
                tick,
                k,
                prefix,
                exact_past: false,
                total: 0,
                dropped: 0,
                events: 0,
                finished: false,
                stopped: String::new(),
                groups: Vec::new(),
                assumptions: model.assumptions(k),
                placed,
            },
            model,
        })
    }

    pub fn finished(&self) -> bool {
        self.queue.is_empty()
    }

    fn config(&self, extra: &[Fault]) -> RunConfig {
        let mut manual = self.result.prefix.clone();
        manual.extend_from_slice(extra);
        RunConfig {
            manual,
            ..self.base.clone()
        }
    }

    /// Run up to `n` more futures; returns how many schedules were run.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut ran = 0;
        while ran < n {
            let Some(extra) = self.queue.pop_front() else {
                break;
            };
            if extra
                .iter()
                .filter_map(Point::of)
                .any(|p| self.past_points.contains(&p))
            {
                continue;
            }
            if self.result.total >= self.cap || self.result.events >= MAX_EVENTS {
                self.result.stopped = if self.result.total >= self.cap {
                    format!("stopped at the cap of {}", plural(self.cap, "future"))
                } else {
                    format!("stopped at the cap of {MAX_EVENTS} simulated events")
                };
                self.queue.clear();
                break;
            }
            let cfg = self.config(&extra);
            let r = self.scenario.build(&cfg, &self.params);
            ran += 1;
            let t = &r.techniques[self.index];
            let same_past = past(t, self.result.tick) == self.past.as_slice();
            if extra.is_empty() {
                self.result.exact_past = same_past;
            } else if !same_past {
                // The added fault lies in the past: not a future.
                if let [f] = extra.as_slice() {
                    self.past_points.extend(Point::of(f));
                }
                self.result.dropped += 1;
                continue;
            }
            self.expand(&extra, &r);
            self.record(&extra, cfg, &r);
        }
        self.finish();
        ran
    }

    fn expand(&mut self, extra: &[Fault], r: &RunResult) {
        if extra.len() >= usize::from(self.result.k) {
            return;
        }
        let t = &r.techniques[self.index];
        let taken: BTreeSet<Point> = extra
            .iter()
            .chain(self.result.prefix.iter())
            .filter_map(Point::of)
            .collect();
        let mut pts: BTreeSet<Point> = send_ticks(t)
            .into_iter()
            .filter(|(_, at)| *at > self.result.tick)
            .map(|(p, _)| p)
            .collect();
        pts.extend(
            t.crash_points
                .iter()
                .map(|&(node, msg, point)| Point::Crash { node, msg, point }),
        );
        for p in pts {
            if taken.contains(&p) || self.past_points.contains(&p) {
                continue;
            }
            for f in self.model.faults(p) {
                let mut child = extra.to_vec();
                child.push(f);
                child.sort_unstable();
                if self.seen.insert(child.clone()) {
                    self.queue.push_back(child);
                }
            }
        }
    }

    fn record(&mut self, extra: &[Fault], cfg: RunConfig, r: &RunResult) {
        let t = &r.techniques[self.index];
        self.result.total += 1;
        self.result.events += t.trace.len() as u64;
        let key = outcome(t);
        let size = (cfg.manual.len(), t.trace.len());
        let entry = self.best.entry(key.clone()).or_insert((usize::MAX, 0));
        let smaller = size < *entry;
        if smaller {
            *entry = size;
        }
        let unit = self.scenario.info().unit;
        let good = key == HELD;
        let tick = self.result.tick;
        let g = self.groups.entry(key.clone()).or_insert_with(|| Group {
            outcome: key,
            good,
            count: 0,
            smallest: Counterexample {
                config: cfg.clone(),
                faults: 0,
                events: 0,
                tick,
                summary: String::new(),
            },
            extra: 0,
        });
        g.count += 1;
        if smaller {
            g.extra = extra.len();
            g.smallest = Counterexample {
                faults: cfg.manual.len(),
                config: cfg,
                events: t.trace.len(),
                tick: if good {
                    tick
                } else {
                    t.verdict
                        .first_violation
                        .and_then(|e| t.trace.get(e))
                        .map(|e| e.tick)
                        .unwrap_or(t.end)
                },
                summary: crate::sim::invariants::VerdictText::of(t, unit).what(),
            };
        }
    }

    fn finish(&mut self) {
        self.result.finished = self.queue.is_empty() && self.result.stopped.is_empty();
        let mut groups: Vec<Group> = self.groups.values().cloned().collect();
        groups.sort_by(|a, b| a.good.cmp(&b.good).then(a.outcome.cmp(&b.outcome)));
        self.result.groups = groups;
    }
}

/// Every future natively, to the end (or the cap).
pub fn futures(
    scenario: &str,
    cfg: &RunConfig,
    technique: Option<&str>,
    tick: Tick,
    k: u8,
) -> Result<Futures, ParamError> {
    let mut e = Explorer::new(scenario, cfg, technique, tick, k)?;
    while !e.finished() {
        e.step(1024);
    }
    e.step(0);
    Ok(e.result)
}
