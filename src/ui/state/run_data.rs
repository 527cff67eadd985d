//! One simulator run and what the UI needs to show any moment of it: [`RunData`] (the
//! result, a [`Timeline`] per technique, where each went wrong) and [`ViewCache`] (the
//! views at the playhead, folded incrementally).

use super::ScenarioRef;
use crate::sim::event::Event;
use crate::sim::ids::Tick;
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::{cursor_for_tick, Timeline, View};
use crate::sim::run::{Property, RunResult, TechniqueRun};
use crate::sim::scenarios;
use crate::ui::share::Inputs;

/// One simulator run and what the UI needs to show any moment of it.
pub struct RunData {
    /// Increases with every re-run (cheap identity for props and memos).
    pub gen: u64,
    pub scenario: ScenarioRef,
    pub result: Option<RunResult>,
    /// Why the run could not be made (bad parameters): shown instead of a stage.
    pub error: Option<String>,
    pub timelines: Vec<Timeline>,
    /// The last tick of any technique.
    pub end: Tick,
    /// Per technique: the tick of the first event where its ledger went wrong.
    pub first_bad: Vec<Option<Tick>>,
}

impl PartialEq for RunData {
    fn eq(&self, other: &RunData) -> bool {
        self.gen == other.gen
    }
}

impl RunData {
    /// The property the scenario's badges judge.
    pub fn property(&self) -> Property {
        self.scenario.property
    }
    /// The scenario's own nouns and units (payments in ₹, balls in runs, samples).
    pub fn unit(&self) -> LedgerUnit {
        self.scenario.unit
    }
    /// No run yet (a state being built, before its first [`State::set_inputs`]).
    ///
    /// [`State::set_inputs`]: super::State::set_inputs
    pub fn pending(scenario: ScenarioRef) -> RunData {
        RunData {
            gen: 0,
            scenario,
            result: None,
            error: None,
            timelines: Vec::new(),
            end: 0,
            first_bad: Vec::new(),
        }
    }

    /// Run `inputs` (generation `gen`).
    pub fn compute(gen: u64, inputs: &Inputs) -> RunData {
        let scenario = inputs.scenario;
        match scenarios::run(scenario.id, &inputs.config) {
            Ok(result) => {
                let timelines = result
                    .techniques
                    .iter()
                    .map(|t| Timeline::new(&t.trace, snapshot_every(t.trace.len())))
                    .collect();
                let first_bad = result
                    .techniques
                    .iter()
                    .map(|t| {
                        t.verdict
                            .first_violation
                            .and_then(|i| t.trace.get(i))
                            .map(|e| e.tick)
                    })
                    .collect();
                RunData {
                    gen,
                    scenario,
                    end: result.end(),
                    result: Some(result),
                    error: None,
                    timelines,
                    first_bad,
                }
            }
            Err(e) => RunData {
                gen,
                scenario,
                result: None,
                error: Some(e.to_string()),
                timelines: Vec::new(),
                end: 0,
                first_bad: Vec::new(),
            },
        }
    }

    pub fn techniques(&self) -> &[TechniqueRun] {
        self.result
            .as_ref()
            .map(|r| r.techniques.as_slice())
            .unwrap_or(&[])
    }

    /// The next tick after `t` at which any technique has an event.
    pub fn next_event_tick(&self, t: Tick) -> Option<Tick> {
        self.techniques()
            .iter()
            .filter_map(|tr| {
                let i = cursor_for_tick(&tr.trace, t);
                tr.trace.get(i).map(|e| e.tick)
            })
            .min()
    }

    /// The last tick before `t` at which any technique has an event.
    pub fn prev_event_tick(&self, t: Tick) -> Option<Tick> {
        if t == 0 {
            return None;
        }
        self.techniques()
            .iter()
            .filter_map(|tr| {
                let i = cursor_for_tick(&tr.trace, t - 1);
                i.checked_sub(1)
                    .and_then(|j| tr.trace.get(j))
                    .map(|e| e.tick)
            })
            .max()
    }

    /// Events of technique `i` that happen exactly at `tick`.
    pub fn events_at(&self, i: usize, tick: Tick) -> &[Event] {
        match self.techniques().get(i) {
            Some(tr) => {
                let a = if tick == 0 {
                    0
                } else {
                    cursor_for_tick(&tr.trace, tick - 1)
                };
                let b = cursor_for_tick(&tr.trace, tick);
                &tr.trace[a..b]
            }
            None => &[],
        }
    }
}

/// Whether two runs differ in any technique's trace.
pub fn traces_differ(a: &RunData, b: &RunData) -> bool {
    let (ta, tb) = (a.techniques(), b.techniques());
    ta.len() != tb.len() || ta.iter().zip(tb).any(|(x, y)| x.trace != y.trace)
}

/// Snapshot spacing: every 128 events, but never more than ~256 snapshots per trace.
fn snapshot_every(len: usize) -> usize {
    Timeline::DEFAULT_EVERY.max(len / 256 + 1)
}

/// The views of every technique at one tick, folded incrementally while the playhead
/// moves forward (no snapshot is cloned per tick) and rebuilt from the [`Timeline`]
/// snapshots on a jump or a step back.
#[derive(Default)]
pub struct ViewCache {
    gen: u64,
    views: Vec<View>,
}

impl ViewCache {
    /// Largest forward gap folded event by event rather than from a snapshot.
    const FOLD_AHEAD: usize = 512;

    pub fn at(&mut self, run: &RunData, tick: Tick) -> &[View] {
        let techs = run.techniques();
        if self.gen != run.gen || self.views.len() != techs.len() {
            self.gen = run.gen;
            self.views = vec![View::default(); techs.len()];
        }
        for (i, tr) in techs.iter().enumerate() {
            let target = cursor_for_tick(&tr.trace, tick);
            let v = &mut self.views[i];
            if v.cursor <= target && target - v.cursor <= Self::FOLD_AHEAD {
                for e in &tr.trace[v.cursor..target] {
                    v.apply(e);
                }
            } else if let Some(tl) = run.timelines.get(i) {
                *v = tl.view_at(&tr.trace, target);
            }
        }
        &self.views
    }
}
