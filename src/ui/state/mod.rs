//! The one reducer of the app (Yew `function_todomvc` style): [`State`], [`Action`]
//! and `impl Reducible`, with its concerns in submodules:
//!
//! * [`inputs`] — the one way new [`Inputs`] reach the stage ([`State::set_inputs`],
//!   with a [`Stage`] of named choices for the playhead, technique, range and promise);
//! * [`run_data`] — one run ([`RunData`]) and the views at the playhead ([`ViewCache`]);
//! * [`playhead`] — play, pause, seek, steps, frames and the step range;
//! * [`notices`] — messages shown until dismissed;
//! * [`lesson`] — the lesson being taken: it decides what changes on the stage, and
//!   this reducer applies it.
//!
//! The simulation itself is never stepped here. A change of scenario, seed, parameter
//! or hand-made fault re-runs the simulator once ([`RunData::compute`]) and keeps the
//! result, with one [`Timeline`](crate::sim::replay::Timeline) per technique, behind an
//! `Rc`. The playhead is a fractional tick (`pos`); what the stage shows at a tick is a
//! pure fold of the trace prefix ([`ViewCache`]), so stepping back shows exactly what
//! was shown before.

mod inputs;
pub mod lesson;
mod notices;
mod playhead;
mod run_data;

pub use crate::ui::share::{Inputs, ScenarioRef};
pub use inputs::{Change, Playhead, Stage};
pub use notices::{Notice, NoticeKind};
pub use playhead::{default_speed, SPEEDS};
pub use run_data::{traces_differ, RunData, ViewCache};

use crate::sim::fault::Fault;
use crate::sim::ids::Tick;
use crate::sim::params::ParamSpec;
use crate::sim::run::ScenarioInfo;
use crate::ui::share::{self, ShareState, ViewMode};
use std::rc::Rc;
use yew::prelude::*;

thread_local! {
    /// The first state, computed before the first render (`ui::start`), in its own task.
    static PREPARED: std::cell::RefCell<Option<State>> = const { std::cell::RefCell::new(None) };
}

/// Keeps the first state for the app's first render ([`take_prepared`]).
pub fn prepare(s: State) {
    PREPARED.with(|p| *p.borrow_mut() = Some(s));
}

/// The state [`prepare`] kept, once.
pub fn take_prepared() -> Option<State> {
    PREPARED.with(|p| p.borrow_mut().take())
}

#[derive(Clone)]
pub struct State {
    /// The scenario on screen and its run configuration (parameter values that differ
    /// from the defaults, in declaration order; hand-made faults; random faults off
    /// when replaying a recorded schedule). Changed only by [`State::set_inputs`].
    pub inputs: Inputs,
    pub run: Rc<RunData>,
    /// The playhead in ticks; fractional while playing so tokens glide.
    pub pos: f64,
    /// Technique shown on the stage (None: the first).
    pub technique: Option<String>,
    pub view: ViewMode,
    pub playing: bool,
    /// Ticks per second.
    pub speed: u32,
    last_frame: Option<f64>,
    pub notices: Vec<Notice>,
    next_notice: u32,
    pub embed: bool,
    pub from: Option<Tick>,
    pub to: Option<Tick>,
    /// The "Find a breaking run" panel's setting (random sample or every schedule with
    /// at most k faults); kept across scenarios and carried by the link (`check=k2`).
    pub check: crate::ui::share::CheckMode,
    /// Increases when the learner opens another scenario: the URL gets a new history
    /// entry (pushState) rather than a replaced one.
    pub nav_mark: u64,
    /// The prompt or card whose "Watch:" promise the run on screen is checked against.
    pub promise: Option<PromiseRef>,
    gen: u64,
    /// The lesson being taken, if any (see [`lesson`]).
    pub lesson: Option<lesson::LessonRun>,
    /// Lessons started and done (remembered by the app through `storage.rs`).
    pub progress: lesson::Progress,
    /// The link (or run file) this state was opened from carries a fingerprint its run
    /// no longer matches (`share::fingerprint`); kept until the next load.
    pub stale: Option<share::Stale>,
}

/// Which promise the learner opened (it belongs to the scenario on screen).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PromiseRef {
    /// `try_this[n]` of the current scenario.
    Try(usize),
    /// `CONFUSIONS[n]`.
    Card(usize),
}

impl PromiseRef {
    /// The words, the seed and the checks of this promise.
    pub fn get(
        self,
        scenario: ScenarioRef,
    ) -> Option<(&'static str, u64, &'static [crate::sim::promise::Expect])> {
        match self {
            PromiseRef::Try(n) => {
                let t = scenario.try_this.get(n)?;
                Some((t.watch, t.seed, t.expect))
            }
            PromiseRef::Card(n) => {
                let c = crate::sim::catalogue::cards::CONFUSIONS.get(n)?;
                (scenario == c.scenario).then_some((c.watch, c.seed, c.expect))
            }
        }
    }
}

pub enum Action {
    /// A decoded link (first load, or the back button).
    Load {
        share: ShareState,
        warnings: Vec<String>,
    },
    SelectScenario(String),
    SetSeed(u64),
    SetParam(String, i64),
    ResetParams,
    /// Apply the scenario's n-th "try this" prompt (settings from the defaults, and
    /// its seed) and watch it from the start.
    TryThis(usize),
    /// Open the n-th common-confusion card's experiment and watch it from the start.
    Confusion(usize),
    /// Open a scenario with these settings and watch it from the start.
    Explore {
        scenario: String,
        params: Vec<(String, i64)>,
    },
    AddFault(Fault),
    RemoveFault(usize),
    ClearFaults,
    /// Random faults on (normal) or off (replay only the explicit list).
    SetRandomFaults(bool),
    Play,
    Pause,
    TogglePlay,
    StepForward,
    StepBack,
    NextEvent,
    PrevEvent,
    Seek(Tick),
    Reset,
    /// An animation frame at this timestamp (ms).
    Frame(f64),
    SetSpeed(u32),
    SelectTechnique(String),
    SetView(ViewMode),
    Notify(String),
    Dismiss(u32),
    // -- sharing, embedding, run files --
    /// A warning the learner must see (e.g. a file refused before it was read).
    Warn(String),
    /// A run file's text, read from a file picker or a drop: replayed and verified.
    Import {
        name: String,
        text: String,
    },
    /// Lift the step range (`from`/`to`) a link locked playback to.
    Unlock,
    /// The "Find a breaking run" panel's setting.
    SetCheck(crate::ui::share::CheckMode),
    /// Lessons: see [`lesson`].
    Lesson(lesson::LessonAction),
}
impl State {
    /// The state a decoded link describes (warnings become notices).
    pub fn from_share(share: &ShareState, warnings: &[String]) -> State {
        State::from_share_gen(share, warnings, 1)
    }

    fn from_share_gen(share: &ShareState, warnings: &[String], gen: u64) -> State {
        let inputs = share.inputs.clone();
        let mut s = State {
            run: Rc::new(RunData::pending(inputs.scenario)),
            inputs,
            speed: 1,
            pos: 0.0,
            technique: share.technique.clone(),
            view: share.view,
            playing: false,
            last_frame: None,
            notices: Vec::new(),
            next_notice: 1,
            embed: share.embed,
            from: share.from,
            to: share.to,
            check: share.check,
            nav_mark: 0,
            promise: None,
            gen: gen - 1,
            lesson: None,
            progress: Default::default(),
            stale: None,
        };
        let at = match (share.tick, share.autoplay, share.from) {
            (Some(t), _, _) => Playhead::At(t),
            (None, true, from) => Playhead::At(from.unwrap_or(0)),
            (None, false, Some(from)) => Playhead::At(from),
            (None, false, None) => Playhead::End,
        };
        let asked = share.technique.clone();
        s.set_inputs(share.inputs.clone(), Stage::keep().at(at));
        s.speed = default_speed(s.run.end);
        if let Some(t) = share.tick.filter(|t| *t > s.run.end) {
            s.warn(format!(
                "tick {t} is past the end of this run; showing tick {}",
                s.run.end
            ));
        }
        if share.autoplay && s.pos < s.stop_at() {
            s.playing = true;
        }
        if let Some(t) = asked.filter(|_| s.technique.is_none()) {
            if !s.run.techniques().is_empty() {
                s.warn(format!(
                    "this scenario has no technique '{t}'; showing the first one"
                ));
            }
        }
        for w in warnings {
            s.warn(w.clone());
        }
        s.check_fingerprint(share);
        s
    }

    /// What the URL should say about this state. The tick is left out while playing
    /// and when the playhead is at the end (the default).
    pub fn share(&self) -> ShareState {
        let tick = self.tick();
        ShareState {
            inputs: self.inputs.clone(),
            tick: (!self.playing && tick != self.run.end).then_some(tick),
            view: self.view,
            technique: self.technique.clone(),
            embed: self.embed,
            autoplay: false,
            from: self.from,
            to: self.to,
            check: self.check,
            lesson: self
                .lesson
                .as_ref()
                .filter(|l| !l.imported)
                .map(|l| l.lesson.id.clone()),
            step: self
                .lesson
                .as_ref()
                .filter(|l| !l.imported)
                .map(|l| l.step as u32 + 1),
            fingerprint: None,
        }
    }

    pub fn query(&self) -> String {
        share::encode(&self.share())
    }

    pub fn info(&self) -> &'static ScenarioInfo {
        self.inputs.scenario.info()
    }

    pub fn specs(&self) -> &'static [ParamSpec] {
        self.inputs.scenario.params
    }

    /// Index of the technique shown on the stage.
    pub fn technique_index(&self) -> usize {
        self.technique
            .as_ref()
            .and_then(|t| self.run.techniques().iter().position(|x| &x.id == t))
            .unwrap_or(0)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Frame(_) = action {
            if !self.playing {
                return self;
            }
        }
        let mut s = (*self).clone();
        match action {
            Action::Load { share, warnings } => {
                let mark = s.nav_mark;
                s.replace(&share, &warnings, mark);
            }
            Action::SelectScenario(id) => {
                if s.inputs.scenario == id.as_str() {
                    return self;
                }
                s.open_scenario(&id, &[], Playhead::End);
            }
            Action::Explore { scenario, params } => {
                if s.inputs.scenario != scenario.as_str() {
                    s.open_scenario(&scenario, &params, Playhead::PlayFrom(0));
                } else {
                    let inputs = s.edited(|c| c.manual.clear());
                    let inputs = s.with_params(inputs, &params);
                    s.set_inputs(inputs, Stage::keep().at(Playhead::PlayFrom(0)));
                }
            }
            Action::SetSeed(seed) => {
                if seed == s.inputs.config.seed {
                    return self;
                }
                s.set_inputs(s.edited(|c| c.seed = seed), Stage::keep());
            }
            Action::SetParam(name, v) => {
                let mut all = s.inputs.config.params.clone();
                all.retain(|(n, _)| *n != name);
                all.push((name, v));
                let inputs = s.with_params(s.inputs.clone(), &all);
                if inputs == s.inputs {
                    return Rc::new(s);
                }
                s.set_inputs(inputs, Stage::keep());
            }
            Action::ResetParams => {
                let inputs = s.edited(|c| {
                    c.params.clear();
                    c.manual.clear();
                });
                s.set_inputs(inputs, Stage::keep());
            }
            Action::TryThis(n) => {
                let Some(t) = s.inputs.scenario.try_this.get(n) else {
                    return self;
                };
                let values: Vec<(String, i64)> =
                    t.set.iter().map(|(k, v)| (k.to_string(), *v)).collect();
                s.watch(t.seed, &values, PromiseRef::Try(n));
            }
            Action::Confusion(n) => {
                let Some(c) = crate::sim::catalogue::cards::CONFUSIONS.get(n) else {
                    return self;
                };
                if s.inputs.scenario != c.scenario
                    && !s.open_scenario(c.scenario, &[], Playhead::End)
                {
                    return Rc::new(s);
                }
                let values = crate::sim::catalogue::cards::applicable(s.specs(), c.set);
                s.watch(c.seed, &values, PromiseRef::Card(n));
            }
            Action::AddFault(f) => s.add_fault(f),
            Action::RemoveFault(i) => {
                if i >= s.inputs.config.manual.len() {
                    return self;
                }
                s.set_inputs(s.edited(|c| _ = c.manual.remove(i)), Stage::keep());
            }
            Action::ClearFaults => {
                if s.inputs.config.manual.is_empty() {
                    return self;
                }
                s.set_inputs(s.edited(|c| c.manual.clear()), Stage::keep());
            }
            Action::SetRandomFaults(on) => {
                if on == s.inputs.config.random_faults {
                    return self;
                }
                s.set_inputs(s.edited(|c| c.random_faults = on), Stage::keep());
            }
            Action::Play => s.play(),
            Action::Pause => s.pause(),
            Action::TogglePlay => s.toggle_play(),
            Action::StepForward => s.step_forward(),
            Action::StepBack => s.step_back(),
            Action::NextEvent => s.next_event(),
            Action::PrevEvent => s.prev_event(),
            Action::Seek(t) => s.seek(f64::from(t)),
            Action::Reset => s.seek(0.0),
            Action::Frame(ts) => s.frame(ts),
            Action::SetSpeed(v) => s.set_speed(v),
            Action::SelectTechnique(t) => {
                if s.run.techniques().iter().any(|x| x.id == t) {
                    s.technique = Some(t);
                }
            }
            Action::SetView(v) => s.view = v,
            Action::Notify(text) => s.push_notice(NoticeKind::Info, text),
            Action::Dismiss(id) => s.dismiss(id),
            Action::Warn(text) => s.warn(text),
            Action::Import { name, text } => s.import(&name, &text),
            Action::Unlock => {
                s.from = None;
                s.to = None;
            }
            Action::SetCheck(mode) => {
                if s.check == mode {
                    return self;
                }
                s.check = mode;
            }
            Action::Lesson(a) => s.lesson_action(a),
        }
        s.after_lesson();
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::replay::{cursor_for_tick, View};
    use crate::sim::scenarios;

    fn walkthrough() -> State {
        State::from_share(&ShareState::new("walkthrough"), &[])
    }

    fn dispatch(s: State, a: Action) -> State {
        (*Rc::new(s).reduce(a)).clone()
    }

    #[test]
    fn opens_at_the_end_with_the_reference_outcome() {
        let s = walkthrough();
        assert!(s.run.end > 0);
        assert_eq!(s.tick(), s.run.end);
        assert!(s.at_end());
        assert!(!s.playing);
        let mut cache = ViewCache::default();
        let views = cache.at(&s.run, s.tick()).to_vec();
        let ids: Vec<&str> = s.run.techniques().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["naive", "idempotent", "dedup"]);
        assert_eq!(views[0].balances.get(&1), Some(&4000));
        assert_eq!(views[1].balances.get(&1), Some(&2000));
        assert_eq!(views[2].balances.get(&1), Some(&2000));
        // The URL leaves the tick out at the end (the default).
        assert_eq!(s.query(), "s=walkthrough");
    }

    #[test]
    fn step_back_shows_exactly_what_was_shown_before() {
        let mut s = walkthrough();
        s = dispatch(s, Action::Reset);
        assert_eq!(s.tick(), 0);
        let mut cache = ViewCache::default();
        let mut shown = Vec::new();
        for _ in 0..=s.run.end {
            shown.push(cache.at(&s.run, s.tick()).to_vec());
            s = dispatch(s, Action::StepForward);
        }
        assert!(s.at_end());
        for t in (0..=s.run.end).rev() {
            s = dispatch(s, Action::Seek(t));
            assert_eq!(
                cache.at(&s.run, s.tick()),
                shown[t as usize].as_slice(),
                "tick {t}"
            );
        }
        // And stepping back one at a time from the end.
        let end = s.run.end;
        s = dispatch(s, Action::Seek(end));
        let mut t = s.run.end;
        while t > 0 {
            s = dispatch(s, Action::StepBack);
            t -= 1;
            assert_eq!(s.tick(), t);
            assert_eq!(cache.at(&s.run, t), shown[t as usize].as_slice());
        }
    }

    #[test]
    fn the_view_cache_is_a_pure_fold_in_every_scenario() {
        for sc in scenarios::all() {
            let id = sc.info().id;
            let s = State::from_share(&ShareState::new(id), &[]);
            let run = &s.run;
            let end = run.end;
            let mut cache = ViewCache::default();
            // A deterministic walk: forward in small and large steps, back, jumps.
            let mut t: u32 = 0;
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            for _ in 0..120 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t = match x % 5 {
                    0 => t.saturating_sub(1),
                    1 => (t + 1).min(end),
                    2 => (t + 7).min(end),
                    3 => (x % (u64::from(end) + 1)) as u32,
                    _ => t.saturating_sub(13),
                };
                let got = cache.at(run, t).to_vec();
                for (i, tr) in run.techniques().iter().enumerate() {
                    let want = View::of(&tr.trace[..cursor_for_tick(&tr.trace, t)]);
                    assert!(
                        got[i] == want,
                        "{id}/{}: view at tick {t} is not the fold of its prefix",
                        tr.id
                    );
                }
            }
        }
    }

    #[test]
    fn frames_advance_by_speed_and_stop_at_the_end() {
        let mut s = dispatch(walkthrough(), Action::Reset);
        s = dispatch(s, Action::SetSpeed(2));
        s = dispatch(s, Action::Play);
        assert!(s.playing);
        s = dispatch(s, Action::Frame(1000.0));
        assert_eq!(s.pos, 0.0, "the first frame only sets the clock");
        s = dispatch(s, Action::Frame(1100.0));
        assert!((s.pos - 0.2).abs() < 1e-9);
        // A long gap is capped.
        s = dispatch(s, Action::Frame(10_000.0));
        assert!((s.pos - 0.7).abs() < 1e-9);
        for i in 0..1000 {
            s = dispatch(s, Action::Frame(10_000.0 + 200.0 * f64::from(i + 1)));
        }
        assert!(!s.playing);
        assert!(s.at_end());
        // Play at the end starts over.
        s = dispatch(s, Action::Play);
        assert!(s.playing);
        assert_eq!(s.pos, 0.0);
    }

    #[test]
    fn frames_while_paused_change_nothing() {
        let s = Rc::new(walkthrough());
        let same = s.clone().reduce(Action::Frame(5.0));
        assert!(Rc::ptr_eq(&s, &same));
    }

    #[test]
    fn a_toggle_reruns_and_keeps_the_playhead() {
        let mut s = dispatch(walkthrough(), Action::Seek(4));
        let gen = s.run.gen;
        s = dispatch(s, Action::SetParam("dup_txn3".into(), 0));
        assert_ne!(s.run.gen, gen);
        assert_eq!(s.tick(), 4);
        assert_eq!(s.inputs.config.params, vec![("dup_txn3".to_string(), 0)]);
        assert_eq!(s.query(), "s=walkthrough&p.dup_txn3=0&t=4");
        // Setting the default again removes the override.
        s = dispatch(s, Action::SetParam("dup_txn3".into(), 1));
        assert!(s.inputs.config.params.is_empty());
        // A bad value is refused with a notice, not applied.
        s = dispatch(s, Action::SetParam("dup".into(), 5000));
        assert!(s.inputs.config.params.is_empty());
        assert_eq!(s.notices.len(), 1);
        let id = s.notices[0].id;
        s = dispatch(s, Action::Dismiss(id));
        assert!(s.notices.is_empty());
    }

    #[test]
    fn at_the_end_a_rerun_follows_the_new_end() {
        let s = walkthrough();
        let s = dispatch(s, Action::SetParam("dup".into(), 1000));
        assert!(s.at_end());
    }

    #[test]
    fn hand_made_faults_rerun_the_same_seed() {
        let s = dispatch(walkthrough(), Action::Seek(2));
        let f = Fault::Lose {
            hop: 0,
            msg: 1,
            attempt: 0,
        };
        let s = dispatch(s, Action::AddFault(f));
        assert_eq!(s.inputs.config.manual, vec![f]);
        assert_eq!(s.tick(), 2);
        let naive = &s.run.techniques()[0];
        // The dropped record is never acked, so the walkthrough's broker redelivers it.
        assert!(naive
            .trace
            .iter()
            .any(|e| matches!(e.ev, crate::sim::event::Ev::Redeliver { msg: 1, .. })));
        let s = dispatch(s, Action::AddFault(f));
        assert_eq!(s.inputs.config.manual.len(), 1, "no duplicate faults");
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        // Crashing a node that is already down changes nothing.
        let c1 = Fault::Crash {
            node: crate::sim::ids::NodeId(1),
            at: 2,
            down: 10,
        };
        let c2 = Fault::Crash {
            node: crate::sim::ids::NodeId(1),
            at: 3,
            down: 5,
        };
        let s2 = dispatch(s.clone(), Action::AddFault(c1));
        assert!(s2.notices.is_empty(), "{:?}", s2.notices);
        let s2 = dispatch(s2, Action::AddFault(c2));
        assert_eq!(s2.notices.len(), 1, "{:?}", s2.notices);
        assert!(s.query().contains("f=L0.1.0"));
        let s = dispatch(s, Action::RemoveFault(0));
        assert!(s.inputs.config.manual.is_empty());
    }

    #[test]
    fn scenario_change_resets_and_marks_history() {
        let s = walkthrough();
        let mark = s.nav_mark;
        let s = dispatch(s, Action::SetSeed(77));
        let s = dispatch(s, Action::SelectScenario("two-generals".into()));
        assert_eq!(s.inputs.scenario, "two-generals");
        assert_eq!(s.nav_mark, mark + 1);
        assert_eq!(
            s.inputs.config.seed,
            scenarios::info("two-generals").showcase_seed
        );
        let back = dispatch(
            s,
            Action::Load {
                share: share::decode("?s=walkthrough&seed=77").state,
                warnings: vec![],
            },
        );
        assert_eq!(back.inputs.scenario, "walkthrough");
        assert_eq!(back.inputs.config.seed, 77);
        assert_eq!(
            back.nav_mark,
            mark + 1,
            "a restore from history does not push"
        );
    }

    #[test]
    fn link_warnings_become_notices() {
        let d = share::decode("?s=nope&seed=x");
        let s = State::from_share(&d.state, &d.warnings);
        assert_eq!(s.notices.len(), d.warnings.len());
        assert!(s.notices.iter().all(|n| n.kind == NoticeKind::Warning));
    }

    #[test]
    fn an_unknown_scenario_is_resolved_once_to_the_default_with_a_warning() {
        let d = share::decode("?s=nope");
        let s = State::from_share(&d.state, &d.warnings);
        assert_eq!(s.inputs.scenario, share::DEFAULT_SCENARIO);
        assert_eq!(s.run.scenario, s.inputs.scenario);
        assert!(s.run.error.is_none());
        assert!(!s.run.techniques().is_empty());
        assert_eq!(s.notices.len(), 1);
        assert!(
            s.notices[0].text.contains("'nope'"),
            "{}",
            s.notices[0].text
        );
        assert!(s
            .query()
            .starts_with(&format!("s={}", share::DEFAULT_SCENARIO)));
    }

    #[test]
    fn links_with_a_tick_and_autoplay() {
        let s = State::from_share(&share::decode("?s=walkthrough&t=3").state, &[]);
        assert_eq!(s.tick(), 3);
        let s = State::from_share(&share::decode("?s=walkthrough&t=9999").state, &[]);
        assert!(s.at_end());
        assert_eq!(s.notices.len(), 1);
        let s = State::from_share(&share::decode("?s=walkthrough&autoplay=1").state, &[]);
        assert!(s.playing);
        assert_eq!(s.tick(), 0);
    }

    #[test]
    fn step_range_stops_at_to() {
        let s = State::from_share(
            &share::decode("?s=walkthrough&from=2&to=5&autoplay=1").state,
            &[],
        );
        assert_eq!(s.tick(), 2);
        let mut s = s;
        for i in 0..100 {
            s = dispatch(s, Action::Frame(100.0 * f64::from(i)));
        }
        assert_eq!(s.tick(), 5);
        assert!(!s.playing);
    }

    #[test]
    fn event_navigation() {
        let s = dispatch(walkthrough(), Action::Reset);
        let s = dispatch(s, Action::NextEvent);
        let t1 = s.tick();
        assert!(t1 > 0);
        assert!(!s.run.events_at(0, t1).is_empty());
        let s = dispatch(s, Action::NextEvent);
        assert!(s.tick() > t1);
        let s = dispatch(s, Action::PrevEvent);
        assert_eq!(s.tick(), t1);
    }

    #[test]
    fn a_step_range_locks_every_way_of_moving() {
        let mut s = State::from_share(&share::decode("?s=walkthrough&from=2&to=5").state, &[]);
        assert!(s.locked());
        assert_eq!(s.tick(), 2, "opens at the start of the range");
        for (a, want) in [
            (Action::Seek(0), 2),
            (Action::Seek(u32::MAX), 5),
            (Action::StepForward, 5),
            (Action::Reset, 2),
            (Action::StepBack, 2),
            (Action::StepForward, 3),
            (Action::Seek(9999), 5),
        ] {
            s = dispatch(s, a);
            assert_eq!(s.tick(), want);
        }
        s = dispatch(s, Action::Reset);
        s = dispatch(s, Action::NextEvent);
        assert!((3..=5).contains(&s.tick()), "{}", s.tick());
        s = dispatch(s, Action::Seek(5));
        s = dispatch(s, Action::Play);
        assert_eq!(s.tick(), 2, "play at the end of the range starts it again");
        // A tick in the link outside the range is pulled into it.
        let s2 = State::from_share(&share::decode("?s=walkthrough&from=2&to=5&t=9").state, &[]);
        assert_eq!(s2.tick(), 5);
        // Unlocking frees the whole run.
        s = dispatch(s, Action::Unlock);
        assert!(!s.locked());
        s = dispatch(s, Action::Seek(u32::MAX));
        assert_eq!(s.tick(), s.run.end);
        assert!(!s.query().contains("from="));
    }

    #[test]
    fn importing_a_run_file_replays_and_verifies_it() {
        let mut s = dispatch(walkthrough(), Action::Seek(3));
        s = dispatch(
            s,
            Action::AddFault(Fault::Lose {
                hop: 0,
                msg: 1,
                attempt: 0,
            }),
        );
        let file = crate::ui::export::to_json(&s.share(), s.run.result.as_ref());
        let before = s.query();
        let mark = s.nav_mark;
        // Somewhere else entirely, then import.
        let mut t = dispatch(s, Action::SelectScenario("two-generals".into()));
        t = dispatch(
            t,
            Action::Import {
                name: "run.json".into(),
                text: file.clone(),
            },
        );
        assert_eq!(t.query(), before);
        assert_eq!(t.tick(), 3);
        assert!(t.nav_mark > mark + 1, "an import is a new history entry");
        let last = t.notices.last().expect("a notice");
        assert_eq!(last.kind, NoticeKind::Info, "{}", last.text);
        assert!(last.text.contains("matches"), "{}", last.text);

        // A file that is not JSON changes nothing and says why.
        let q = t.query();
        let u = dispatch(
            t.clone(),
            Action::Import {
                name: "notes.txt".into(),
                text: "hello".into(),
            },
        );
        assert_eq!(u.query(), q);
        assert!(u.notices.last().unwrap().text.contains("not valid JSON"));
        assert_eq!(u.notices.last().unwrap().kind, NoticeKind::Warning);

        // A tampered checksum is reported.
        let sum = t.run.result.as_ref().unwrap().checksum_hex();
        let u = dispatch(
            t,
            Action::Import {
                name: "edited.json".into(),
                text: file.replace(&sum, "00000000000000ff"),
            },
        );
        let last = u.notices.last().unwrap();
        assert_eq!(last.kind, NoticeKind::Warning);
        assert!(last.text.contains("checksums differ"), "{}", last.text);
    }

    #[test]
    fn default_speed_plays_a_run_in_seconds() {
        assert_eq!(default_speed(0), 1);
        assert_eq!(default_speed(8), 1);
        assert_eq!(default_speed(12), 2);
        assert_eq!(default_speed(1_000_000), 5000);
    }
}
