//! The run's inputs (scenario, seed, parameters, hand-made faults) and the one place
//! they turn into a run: every change re-runs the simulator once ([`State::rerun`]).

use super::{traces_differ, NoticeKind, PromiseRef, RunData, ScenarioRef, State};
use crate::sim::fault::Fault;
use crate::ui::share::{ShareState, MAX_FAULTS};
use std::rc::Rc;

impl State {
    /// Re-run after a change of seed, parameters or faults. The playhead keeps its
    /// tick (clamped to the new run); a playhead at the end stays at the end.
    pub(crate) fn rerun(&mut self) {
        let was_at_end = self.at_end();
        self.gen += 1;
        self.run = Rc::new(RunData::compute(
            self.gen,
            self.scenario,
            self.seed,
            &self.params,
            &self.faults,
            self.random_faults,
        ));
        let end = f64::from(self.run.end);
        self.pos = if was_at_end { end } else { self.pos.min(end) };
        self.clamp_to_range();
        if let Some(t) = &self.technique {
            if !self.run.techniques().iter().any(|x| &x.id == t) {
                self.technique = None;
            }
        }
        if let Some(e) = self.run.error.clone() {
            self.warn(e);
        }
    }

    /// Replace the parameter overrides (keeping only valid, non-default values).
    pub(crate) fn set_params(&mut self, values: &[(String, i64)]) {
        let specs = self.specs();
        let mut out: Vec<(String, i64)> = Vec::new();
        for (name, v) in values {
            match crate::sim::params::find(specs, name).and_then(|s| s.check(*v).map(|v| (s, v))) {
                Ok((spec, v)) => {
                    out.retain(|(n, _)| n != spec.name);
                    if v != spec.default {
                        out.push((spec.name.to_string(), v));
                    }
                }
                Err(e) => self.warn(e.to_string()),
            }
        }
        out.sort_by_key(|(n, _)| specs.iter().position(|s| s.name == n));
        self.params = out;
    }

    /// Open scenario `id` at its showcase seed and defaults, as a new history entry.
    pub(super) fn open_scenario(&mut self, id: &str) -> bool {
        let Ok(sc) = ScenarioRef::find(id) else {
            self.warn(format!("there is no scenario '{id}'"));
            return false;
        };
        self.scenario = sc;
        self.seed = sc.showcase_seed;
        self.params.clear();
        self.faults.clear();
        self.random_faults = true;
        self.technique = None;
        self.from = None;
        self.to = None;
        self.playing = false;
        self.last_frame = None;
        self.nav_mark += 1;
        self.promise = None;
        self.pos = f64::MAX;
        self.rerun();
        self.speed = super::default_speed(self.run.end);
        true
    }

    /// Run these settings on the current scenario (dice on, no hand-made faults) and
    /// watch them from the start, checked against `promise`.
    pub(super) fn watch(&mut self, seed: u64, values: &[(String, i64)], promise: PromiseRef) {
        self.faults.clear();
        self.random_faults = true;
        self.set_params(values);
        self.seed = seed;
        self.rerun();
        self.promise = Some(promise);
        self.pos = 0.0;
        self.play();
    }

    /// Add a hand-made fault (paused), saying so when it changed nothing.
    pub(super) fn add_fault(&mut self, f: Fault) {
        self.pause();
        if self.faults.contains(&f) {
            return;
        }
        if self.faults.len() >= MAX_FAULTS {
            self.warn(format!(
                "at most {MAX_FAULTS} hand-made faults; remove one first"
            ));
            return;
        }
        let before = self.run.clone();
        self.faults.push(f);
        self.rerun();
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
        crate::ui::lesson_state::open_from_link(&mut s, share);
        *self = s;
    }

    /// Replace the state with the run a file describes, replay it and say whether its
    /// checksum matches the file's. A file that cannot be used changes nothing.
    pub(super) fn import(&mut self, name: &str, text: &str) {
        let name = crate::ui::export::clip(name);
        if crate::ui::lesson_state::looks_like_lesson(text) {
            return crate::ui::lesson_state::import(self, &name, text);
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
