//! The one way new [`Inputs`] reach the stage: [`State::set_inputs`], with a [`Stage`]
//! naming what else changes (the playhead, the technique shown, the step range, the
//! promise checked). A link, the back button, a run file, a scenario opened, a try-this
//! prompt or card, a lesson step and every control (seed, parameter, fault) go through
//! it; each run is computed once ([`RunData::compute`]).

use super::{default_speed, traces_differ, NoticeKind, PromiseRef, RunData, State};
use crate::sim::fault::Fault;
use crate::sim::ids::Tick;
use crate::sim::run::RunConfig;
use crate::ui::share::{Inputs, ScenarioRef, ShareState, MAX_FAULTS};
use std::rc::Rc;

/// Where the playhead goes with new inputs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Playhead {
    /// Stay on its tick (clamped to the new run; at the end it follows the new end),
    /// playing or not as before.
    Keep,
    /// Paused at the end of the run (or of the step range).
    End,
    /// Paused at this tick (clamped to what playback may show).
    At(Tick),
    /// Playing from this tick.
    PlayFrom(Tick),
}

/// A setting kept as it is, or changed to a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change<T> {
    Keep,
    To(T),
}

/// What else changes on the stage with new inputs, as named choices. The speed follows
/// the scenario: a scenario that was not on screen plays at its own default speed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub playhead: Playhead,
    /// The technique shown (`None`: the first). A technique the new run lacks is
    /// dropped either way.
    pub technique: Change<Option<String>>,
    /// Lift the step range (`from`/`to`) a link locked playback to.
    pub unlock: bool,
    /// The prompt or card the run is checked against.
    pub promise: Change<Option<PromiseRef>>,
}

impl Stage {
    /// Nothing else changes (a control changed one input).
    pub fn keep() -> Stage {
        Stage {
            playhead: Playhead::Keep,
            technique: Change::Keep,
            unlock: false,
            promise: Change::Keep,
        }
    }

    /// A scenario opened afresh: the first technique, no range, no promise, at the end.
    pub fn opened() -> Stage {
        Stage {
            playhead: Playhead::End,
            technique: Change::To(None),
            unlock: true,
            promise: Change::To(None),
        }
    }

    /// The same with the playhead at `p`.
    pub fn at(self, p: Playhead) -> Stage {
        Stage {
            playhead: p,
            ..self
        }
    }
}

impl State {
    /// Put `inputs` on the stage: run them once and apply `stage`'s choices.
    pub fn set_inputs(&mut self, inputs: Inputs, stage: Stage) {
        let was_at_end = self.at_end();
        let new_scenario = inputs.scenario != self.inputs.scenario;
        self.inputs = inputs;
        self.gen += 1;
        self.run = Rc::new(RunData::compute(self.gen, &self.inputs));
        if new_scenario {
            self.speed = default_speed(self.run.end);
        }
        if let Change::To(t) = stage.technique {
            self.technique = t;
        }
        if stage.unlock {
            self.from = None;
            self.to = None;
        }
        if let Change::To(p) = stage.promise {
            self.promise = p;
        }
        let end = f64::from(self.run.end);
        match stage.playhead {
            Playhead::Keep => {
                self.pos = if was_at_end { end } else { self.pos.min(end) };
                self.clamp_to_range();
            }
            Playhead::End => {
                self.pause();
                self.pos = end;
                self.clamp_to_range();
            }
            Playhead::At(t) => self.seek(f64::from(t)),
            Playhead::PlayFrom(t) => {
                self.seek(f64::from(t));
                self.play();
            }
        }
        if let Some(t) = &self.technique {
            if !self.run.techniques().iter().any(|x| &x.id == t) {
                self.technique = None;
            }
        }
        if let Some(e) = self.run.error.clone() {
            self.warn(e);
        }
    }

    /// The inputs on screen with one change to their configuration.
    pub(super) fn edited(&self, f: impl FnOnce(&mut RunConfig)) -> Inputs {
        let mut i = self.inputs.clone();
        f(&mut i.config);
        i
    }

    /// `inputs` with the parameter overrides `values` (refused values are warned about).
    pub(super) fn with_params(&mut self, inputs: Inputs, values: &[(String, i64)]) -> Inputs {
        let (inputs, refused) = inputs.with_params(values);
        for why in refused {
            self.warn(why);
        }
        inputs
    }

    /// Open scenario `id` at its showcase seed and defaults (parameters `values`), as
    /// a new history entry, with the playhead at `at`.
    pub(super) fn open_scenario(
        &mut self,
        id: &str,
        values: &[(String, i64)],
        at: Playhead,
    ) -> bool {
        let Ok(sc) = ScenarioRef::find(id) else {
            self.warn(format!("there is no scenario '{id}'"));
            return false;
        };
        let inputs = self.with_params(Inputs::new(sc), values);
        self.nav_mark += 1;
        self.set_inputs(inputs, Stage::opened().at(at));
        true
    }

    /// Run these settings on the current scenario (dice on, no hand-made faults) and
    /// watch them from the start, checked against `promise`.
    pub(super) fn watch(&mut self, seed: u64, values: &[(String, i64)], promise: PromiseRef) {
        let mut inputs = self.edited(|c| *c = RunConfig::seed(seed));
        inputs = self.with_params(inputs, values);
        let stage = Stage {
            promise: Change::To(Some(promise)),
            ..Stage::keep().at(Playhead::PlayFrom(0))
        };
        self.set_inputs(inputs, stage);
    }

    /// Add a hand-made fault (paused), saying so when it changed nothing.
    pub(super) fn add_fault(&mut self, f: Fault) {
        self.pause();
        let manual = &self.inputs.config.manual;
        if manual.contains(&f) {
            return;
        }
        if manual.len() >= MAX_FAULTS {
            self.warn(format!(
                "at most {MAX_FAULTS} hand-made faults; remove one first"
            ));
            return;
        }
        let before = self.run.clone();
        self.set_inputs(self.edited(|c| c.manual.push(f)), Stage::keep());
        if !self.run.techniques().is_empty() && !traces_differ(&before, &self.run) {
            self.push_notice(
                NoticeKind::Info,
                format!(
                    "That fault changed nothing in this run ({}): the link may be modelled as reliable, the transmission may already be lost or duplicated, or the process already down or paused. It stays in the list; remove it if you like.",
                    f.code()
                ),
            );
        }
    }

    /// Become the state `share` describes (a link, the back button, a run file), with
    /// history mark `mark`. Notices on screen stay; new ones are numbered after them.
    pub(super) fn replace(&mut self, share: &ShareState, warnings: &[String], mark: u64) {
        let notices = std::mem::take(&mut self.notices);
        let progress = std::mem::take(&mut self.progress);
        let next = self.next_notice;
        let mut s = State::from_share_gen(share, warnings, self.gen + 1);
        s.nav_mark = mark;
        let fresh = std::mem::replace(&mut s.notices, notices);
        s.next_notice = next;
        for n in fresh {
            s.push_notice(n.kind, n.text);
        }
        s.progress = progress;
        s.open_linked_lesson(share);
        *self = s;
    }

    /// Replace the state with the run a file describes, replay it and say whether its
    /// checksum matches the file's. A file that cannot be used changes nothing.
    pub(super) fn import(&mut self, name: &str, text: &str) {
        let name = crate::ui::export::clip(name);
        if super::lesson::looks_like_lesson(text) {
            return self.import_lesson(&name, text);
        }
        match crate::ui::export::parse(text) {
            Err(why) => self.warn(format!(
                "Could not import {name}: {why}. Nothing was changed."
            )),
            Ok(file) => {
                let warnings: Vec<String> = file
                    .warnings
                    .iter()
                    .map(|w| format!("{name}: {w}"))
                    .collect();
                self.replace(&file.state, &warnings, self.nav_mark + 1);
                let replayed = self.run.result.as_ref().map(|r| r.checksum_hex());
                let (same, line) = crate::ui::export::verdict_line(
                    &name,
                    file.checksum.as_deref(),
                    replayed.as_deref(),
                );
                self.push_notice(
                    if same {
                        NoticeKind::Info
                    } else {
                        NoticeKind::Warning
                    },
                    line,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::share::{self, ShareState};

    fn at(link: &str) -> State {
        State::from_share(&share::decode(link).state, &[])
    }

    #[test]
    fn a_kept_playhead_stays_on_its_tick_or_follows_the_end() {
        let mut s = at("?s=walkthrough&t=3");
        let gen = s.run.gen;
        s.set_inputs(s.edited(|c| c.seed = 9), Stage::keep());
        assert_eq!((s.tick(), s.run.gen, s.inputs.config.seed), (3, gen + 1, 9));
        let mut s = at("?s=walkthrough");
        s.set_inputs(
            s.edited(|c| c.params = vec![("dup".into(), 1000)]),
            Stage::keep(),
        );
        assert!(s.at_end(), "a playhead at the end follows the new end");
        assert!(!s.playing);
    }

    #[test]
    fn a_scenario_opened_afresh_drops_the_technique_range_and_promise() {
        let mut s = at("?s=walkthrough&tech=dedup&from=2&to=5&t=3");
        s.promise = Some(PromiseRef::Try(0));
        s.speed = 1;
        let tg = Inputs::new(ScenarioRef::find("two-generals").unwrap());
        s.set_inputs(tg.clone(), Stage::opened());
        assert_eq!(s.inputs, tg);
        assert_eq!(
            (s.technique.as_ref(), s.from, s.to, s.promise),
            (None, None, None, None)
        );
        assert!(s.at_end() && !s.playing);
        assert_eq!(
            s.speed,
            default_speed(s.run.end),
            "a new scenario plays at its own speed"
        );
    }

    #[test]
    fn named_playhead_choices() {
        let mut s = at("?s=walkthrough&tech=dedup");
        s.speed = 1;
        s.set_inputs(s.inputs.clone(), Stage::keep().at(Playhead::At(2)));
        assert_eq!((s.tick(), s.playing), (2, false));
        assert_eq!(s.speed, 1, "the same scenario keeps the learner's speed");
        s.set_inputs(s.inputs.clone(), Stage::keep().at(Playhead::PlayFrom(1)));
        assert_eq!((s.tick(), s.playing), (1, true));
        assert_eq!(s.technique.as_deref(), Some("dedup"), "kept");
        s.set_inputs(s.inputs.clone(), Stage::keep().at(Playhead::End));
        assert!(s.at_end() && !s.playing);
        // A technique the new run lacks is dropped either way.
        let stage = Stage {
            technique: Change::To(Some("nope".into())),
            ..Stage::keep()
        };
        s.set_inputs(s.inputs.clone(), stage);
        assert_eq!(s.technique, None);
    }

    #[test]
    fn the_link_the_state_makes_carries_the_same_inputs() {
        let d = share::decode("?s=walkthrough&seed=5&p.dup=500&f=L0.1.0&rf=0");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let s = State::from_share(&d.state, &[]);
        assert_eq!(s.inputs, d.state.inputs);
        assert_eq!(s.run.result.as_ref().unwrap().config, s.inputs.config);
        assert_eq!(share::decode(&s.query()).state.inputs, s.inputs);
        assert_eq!(ShareState::of(s.inputs.clone()).inputs, s.inputs);
    }
}
