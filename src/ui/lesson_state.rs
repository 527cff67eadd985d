//! The lesson being taken, wired into the one reducer (`state.rs` calls [`reduce`]
//! for `Action::Lesson` and [`after`] after every action).
//!
//! While a predict step waits for its answer, [`cap`] holds the playhead before the
//! tick that would give the answer away; after the answer the run plays on to the tick
//! that settles it ([`stop`]). A try step reads its goal from every re-run the learner
//! causes with the real controls. Progress is a small JSON map remembered through
//! `storage.rs` by the app (memory only where storage is refused).

use crate::course::eval::{self, Answer, Evaluator, StepEval};
use crate::course::model::{Lesson, Setup, StepKind};
use crate::course::{self, validate};
use crate::sim::ids::Tick;
use crate::ui::state::{NoticeKind, ScenarioRef, State};
use std::collections::BTreeMap;
use std::rc::Rc;

mod steps;
use steps::misconception_met;
pub use steps::{
    misconception_id, refutation_of, step_needs_fault, step_params, step_reads_counters, step_rows,
    takeaway,
};

/// Where progress is remembered.
pub const PROGRESS_KEY: &str = "eop.lessons";

mod progress;
pub use progress::{LessonProgress, Progress};

/// The lesson on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonRun {
    pub lesson: Rc<Lesson>,
    /// A teacher's file rather than a built-in lesson (not in links or progress).
    pub imported: bool,
    pub step: usize,
    pub eval: Rc<Result<StepEval, String>>,
    /// Answers given to each question of this step, in order.
    pub answers: Vec<Vec<Answer>>,
    /// Re-runs on a try step that missed the goal.
    pub tries: u32,
    pub goal_met: bool,
    pub showed_me: bool,
    /// The learner changed the run away from the step's setting (not on a try step).
    pub drifted: bool,
    /// The last step was left with "Finish".
    pub finished: bool,
    /// Every question's first answer in this sitting: (step, question) → right or not
    /// (the summary's score).
    pub scored: BTreeMap<(usize, usize), bool>,
    /// Misconceptions met (a wrong answer that stands for one), in the order met, once
    /// each: (name, one-line refutation).
    pub met: Vec<(String, String)>,
    gen: u64,
}

impl LessonRun {
    pub fn kind(&self) -> StepKind {
        self.lesson
            .steps
            .get(self.step)
            .map(|s| s.kind)
            .unwrap_or(StepKind::Read)
    }
    pub fn step_eval(&self) -> Option<&StepEval> {
        self.eval.as_ref().as_ref().ok()
    }
    pub fn answered(&self, q: usize) -> bool {
        self.answers.get(q).is_some_and(|a| !a.is_empty())
    }
    /// A question step (predict, observe, recall) still waiting for an answer: the
    /// playhead is held ([`cap`]) and nothing on screen may give the answer away.
    pub fn pending(&self) -> bool {
        if self.finished {
            return false;
        }
        match self.kind() {
            StepKind::Predict => !self.answered(0),
            StepKind::Recall => !(0..self.answers.len()).all(|q| self.answered(q)),
            _ => observe_pending(self),
        }
    }
    /// Whether verdicts (tab glyphs, badges, the first-violation marker, final ledger
    /// verdicts, the host `state` message's verdicts) are withheld: from the first step
    /// until the question ahead is answered. Read and watch steps come before a question
    /// (a predict or a recall that the verdicts could answer), so they withhold too while
    /// a question step lies ahead; an answered question and a try step show them.
    pub fn withholds(&self) -> bool {
        if self.finished {
            return false;
        }
        match self.kind() {
            StepKind::Predict | StepKind::Recall => self.pending(),
            StepKind::Try => false,
            _ if observe_pending(self) => true,
            // Read / watch: a question later in the lesson could be answered by a verdict.
            _ => self.lesson.steps[self.step + 1..]
                .iter()
                .any(|s| matches!(s.kind, StepKind::Predict | StepKind::Recall) || is_observe(s)),
        }
    }
    pub fn can_next(&self) -> bool {
        if self.eval.is_err() {
            return true;
        }
        match self.kind() {
            StepKind::Read | StepKind::Watch => true,
            StepKind::Predict | StepKind::Observe => self.answered(0),
            StepKind::Try => self.goal_met,
            StepKind::Recall => (0..self.answers.len()).all(|q| self.answered(q)),
        }
    }
    /// The hint shows after two re-runs that missed the goal.
    pub fn hint_due(&self) -> bool {
        self.tries >= 2
    }
}

pub enum LessonAction {
    /// Open a built-in lesson at a step (0-based).
    Open {
        id: String,
        step: usize,
    },
    Go(usize),
    Next,
    Back,
    Answer {
        question: usize,
        answer: Answer,
    },
    /// Try steps: apply a setting that reaches the goal.
    ShowMe,
    /// Put the step's own setting back on the stage.
    Restore,
    Close,
    ResetProgress,
}

/// The highest tick playback may show (a question step waiting for its answer).
///
/// A prediction settled by an event (a first violation, a counter's first change) is
/// held just before it: the run up to there does not hold the answer. One settled only
/// by the run as a whole (a peak, a count, a final balance, a verdict that never turns)
/// is held at the step's start: one tick before the end the table already shows its
/// peak and the ledger its count. A recall is held at its start too (the ledger would
/// show the count it asks).
pub fn cap(s: &State) -> Option<Tick> {
    let l = s.lesson.as_ref()?;
    if !l.pending() {
        return None;
    }
    let e = l.step_eval()?;
    // A balance asked "at" a named tick changes there: the tick before does not hold it.
    let at_tick = l.lesson.steps[l.step].question.as_ref().is_some_and(|q| {
        matches!(
            q.ask,
            crate::course::model::Quantity::Balance { at: Some(_), .. }
        )
    });
    match (e.reveal, e.settle) {
        (Some(r), Some(settle)) if r < settle || at_tick => Some(r.saturating_sub(1).max(e.start)),
        _ => Some(e.start),
    }
}

/// Verdicts withheld: a lesson is open and the question ahead is not answered yet.
pub fn withhold(s: &State) -> bool {
    s.lesson.as_ref().is_some_and(LessonRun::withholds)
}

/// An observe step whose question is not answered yet.
fn observe_pending(l: &LessonRun) -> bool {
    l.kind() == StepKind::Observe && !l.answered(0) && !l.finished
}
fn is_observe(s: &crate::course::model::Step) -> bool {
    s.kind == StepKind::Observe
}

/// Where forward play stops: the end of a watch range, or the tick that settles an
/// answered prediction.
pub fn stop(s: &State) -> Option<Tick> {
    let l = s.lesson.as_ref()?;
    let e = l.step_eval()?;
    match l.kind() {
        StepKind::Watch => e.stop,
        StepKind::Predict if l.answered(0) => e.settle,
        _ => None,
    }
}

/// The run on the stage as a lesson setup (for reading a try step's goal).
pub fn stage_setup(s: &State) -> Setup {
    Setup {
        scenario: Some(s.scenario.id.to_string()),
        seed: Some(s.seed),
        params: s.params.iter().cloned().collect(),
        faults: Some(
            s.faults
                .iter()
                .map(crate::sim::fault::Fault::code)
                .collect(),
        ),
        random_faults: Some(s.random_faults),
        technique: None,
    }
}

fn questions(l: &Lesson, step: usize) -> usize {
    l.steps.get(step).map_or(0, |st| match st.kind {
        StepKind::Predict | StepKind::Observe => usize::from(st.question.is_some()),
        StepKind::Recall => st.questions.len(),
        _ => 0,
    })
}

/// Show step `i` of the current lesson: evaluate it and set the stage.
fn enter(s: &mut State, i: usize) {
    let Some(mut l) = s.lesson.take() else {
        return;
    };
    let i = i.min(l.lesson.steps.len().saturating_sub(1));
    let mut ev = Evaluator::new();
    let e = eval::step(&mut ev, &l.lesson, i);
    if let Err(why) = &e {
        s.push_notice(
            NoticeKind::Warning,
            format!("Lesson step {} could not be prepared: {why}", i + 1),
        );
    }
    l.step = i;
    l.eval = Rc::new(e);
    l.answers = vec![Vec::new(); questions(&l.lesson, i)];
    l.tries = 0;
    l.goal_met = false;
    l.showed_me = false;
    l.drifted = false;
    l.finished = false;
    let setup = eval::step_setup(&l.lesson, i);
    let start = l.step_eval().map_or(0, |e| e.start);
    let kind = l.kind();
    let (id, imported) = (l.lesson.id.clone(), l.imported);
    s.lesson = Some(l);
    set_stage(s, &setup);
    s.seek(f64::from(start));
    if kind == StepKind::Watch {
        s.play();
    }
    if let Some(l) = s.lesson.as_mut() {
        l.gen = s.run.gen;
    }
    if !imported {
        let p = s.progress.lessons.entry(id).or_default();
        p.step = i;
    }
}

/// Put a setup on the stage (one re-run).
fn set_stage(s: &mut State, setup: &Setup) {
    // Lessons are validated, so a scenario they name exists.
    let named = setup.scenario.as_deref();
    if let Some(sc) = named.and_then(|id| ScenarioRef::find(id).ok()) {
        if sc != s.scenario {
            s.scenario = sc;
            s.speed = 0;
        }
    }
    s.seed = setup.seed.unwrap_or(s.scenario.showcase_seed);
    let params: Vec<(String, i64)> = setup.params.iter().map(|(k, v)| (k.clone(), *v)).collect();
    s.set_params(&params);
    s.faults = setup
        .faults
        .iter()
        .flatten()
        .filter_map(|f| crate::sim::fault::Fault::from_code(f))
        .collect();
    s.random_faults = setup.random_faults.unwrap_or(true);
    s.technique = setup.technique.clone();
    s.from = None;
    s.to = None;
    s.rerun();
    if s.speed == 0 {
        s.speed = crate::ui::state::default_speed(s.run.end);
    }
}

fn record(s: &mut State, step: usize, q: usize, correct: bool) {
    let Some(l) = s.lesson.as_ref() else { return };
    if l.imported {
        return;
    }
    let p = s.progress.lessons.entry(l.lesson.id.clone()).or_default();
    p.answers
        .entry(format!("s{}q{q}", step + 1))
        .or_insert(correct);
}

/// Open `lesson` (built-in or imported) at step `step`.
pub fn open(s: &mut State, lesson: Rc<Lesson>, imported: bool, step: usize) {
    s.lesson = Some(LessonRun {
        lesson,
        imported,
        step: 0,
        eval: Rc::new(Err(String::new())),
        answers: Vec::new(),
        tries: 0,
        goal_met: false,
        showed_me: false,
        drifted: false,
        finished: false,
        scored: BTreeMap::new(),
        met: Vec::new(),
        gen: 0,
    });
    enter(s, step);
}

pub fn reduce(s: &mut State, a: LessonAction) {
    match a {
        LessonAction::Open { id, step } => match course::find(&id) {
            Some(l) => open(s, Rc::new(l.clone()), false, step),
            None => s.push_notice(NoticeKind::Warning, format!("there is no lesson '{id}'")),
        },
        LessonAction::Go(i) => enter(s, i),
        LessonAction::Next => {
            let Some(l) = s.lesson.as_ref() else { return };
            if !l.can_next() {
                return;
            }
            let (i, n) = (l.step, l.lesson.steps.len());
            if i + 1 < n {
                enter(s, i + 1);
            } else if let Some(l) = s.lesson.as_mut() {
                l.finished = true;
                if !l.imported {
                    s.progress
                        .lessons
                        .entry(l.lesson.id.clone())
                        .or_default()
                        .done = true;
                    let (id, steps) = (&l.lesson.id, course::practice::varying_steps(&l.lesson));
                    let now = crate::ui::components::practice::now_ms();
                    s.progress.practice.finished(id, &steps, now);
                }
            }
        }
        LessonAction::Back => {
            if let Some(i) = s.lesson.as_ref().map(|l| l.step) {
                enter(s, i.saturating_sub(1));
            }
        }
        LessonAction::Answer { question, answer } => {
            let Some(l) = s.lesson.as_mut() else { return };
            if l.finished || question >= l.answers.len() {
                return;
            }
            let st = l.lesson.steps[l.step].clone();
            let Some(e) = l.step_eval().cloned() else {
                return;
            };
            let q = match st.kind {
                StepKind::Predict | StepKind::Observe => st.question.as_ref(),
                _ => st.questions.get(question),
            };
            let (Some(q), Some(qe)) = (q, e.questions.get(question)) else {
                return;
            };
            let correct = eval::judge(q, qe, &answer).correct;
            if let Some(m) = misconception_met(q, qe, &answer).filter(|_| !correct) {
                if !l.met.iter().any(|(n, _)| *n == m.0) {
                    l.met.push(m);
                }
            }
            l.scored.entry((l.step, question)).or_insert(correct);
            let first = l.answers[question].is_empty();
            l.answers[question].push(answer);
            let step = l.step;
            if first {
                record(s, step, question, correct);
                if st.kind == StepKind::Predict {
                    // The reveal: play on to the tick that settles the question.
                    s.play();
                }
            }
        }
        LessonAction::ShowMe => {
            let Some(l) = s.lesson.as_ref() else { return };
            let st = &l.lesson.steps[l.step];
            let Some(show) = st.show_me.clone() else {
                return;
            };
            let setup = eval::step_setup(&l.lesson, l.step).overlay(&show);
            if let Some(l) = s.lesson.as_mut() {
                l.showed_me = true;
            }
            set_stage(s, &setup);
            s.seek(0.0);
            s.play();
        }
        LessonAction::Restore => {
            if let Some(i) = s.lesson.as_ref().map(|l| l.step) {
                enter(s, i);
            }
        }
        LessonAction::Close => s.lesson = None,
        LessonAction::ResetProgress => s.progress = Progress::default(),
    }
}

/// After every action: a try step reads its goal from each new run; on other steps a
/// new run means the learner moved away from the step's setting.
pub fn after(s: &mut State) {
    let gen = s.run.gen;
    let setup = stage_setup(s);
    let Some(l) = s.lesson.as_mut() else { return };
    if l.gen == gen {
        return;
    }
    l.gen = gen;
    let own = eval::step_setup(&l.lesson, l.step);
    if own.scenario.as_deref() != Some(s.scenario.id) {
        // The learner opened another scenario: the lesson steps aside (progress stays).
        s.lesson = None;
        return;
    }
    let st = &l.lesson.steps[l.step];
    match (st.kind, &st.goal) {
        (StepKind::Try, Some(goal)) if !l.goal_met => {
            let mut ev = Evaluator::new();
            match ev.goal_met(&l.lesson.scenario, &setup, goal) {
                Ok(true) => l.goal_met = true,
                _ => l.tries += 1,
            }
        }
        (StepKind::Try, _) => {}
        _ => l.drifted = true,
    }
}

/// Open the lesson a link names (`?lesson=<id>&step=<n>`, steps counted from 1).
pub fn open_from_link(s: &mut State, share: &crate::ui::share::ShareState) {
    if let Some(l) = share.lesson.as_deref().and_then(course::find) {
        let step = share.step.unwrap_or(1).saturating_sub(1) as usize;
        open(s, Rc::new(l.clone()), false, step);
    }
}

/// Whether a dropped or picked file is a lesson (not a run file): it has steps, and a
/// `format` that is absent or a lesson format number (a run file's is a string).
pub fn looks_like_lesson(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("steps") && o.get("format").is_none_or(|f| !f.is_string()))
        })
        .unwrap_or(false)
}

/// A teacher's lesson file: validated against the simulator, then opened. A file that
/// cannot be used changes nothing on screen.
pub fn import(s: &mut State, name: &str, text: &str) {
    match validate::load(text) {
        Ok(l) => {
            let title = l.title.clone();
            open(s, Rc::new(l), true, 0);
            s.push_notice(
                NoticeKind::Info,
                format!("Opened the lesson “{title}” from {name}: every answer was checked against the simulator."),
            );
        }
        Err(errs) => {
            let shown: Vec<String> = errs.iter().take(4).cloned().collect();
            let more = errs.len().saturating_sub(shown.len());
            s.push_notice(
                NoticeKind::Warning,
                format!(
                    "Could not open the lesson in {name}: {}{}. Nothing was changed.",
                    shown.join("; "),
                    if more > 0 {
                        format!(" (and {more} more)")
                    } else {
                        String::new()
                    }
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::share::ShareState;
    use crate::ui::state::Action;
    use yew::Reducible;

    fn dispatch(s: State, a: Action) -> State {
        (*Rc::new(s).reduce(a)).clone()
    }

    fn lesson(id: &str) -> State {
        let s = State::from_share(&ShareState::new("two-generals"), &[]);
        dispatch(
            s,
            Action::Lesson(LessonAction::Open {
                id: id.into(),
                step: 0,
            }),
        )
    }

    #[test]
    fn a_predict_step_holds_the_playhead_before_the_reveal_until_answered() {
        let mut s = lesson("walkthrough");
        let p = s
            .lesson
            .as_ref()
            .unwrap()
            .lesson
            .steps
            .iter()
            .position(|x| x.kind == StepKind::Predict)
            .unwrap();
        s = dispatch(s, Action::Lesson(LessonAction::Next));
        assert_eq!(s.lesson.as_ref().unwrap().step, p);
        let reveal = s
            .lesson
            .as_ref()
            .unwrap()
            .step_eval()
            .unwrap()
            .reveal
            .unwrap();
        for a in [
            Action::Seek(u32::MAX),
            Action::StepForward,
            Action::NextEvent,
            Action::Play,
        ] {
            s = dispatch(s, a);
            assert!(
                s.tick() < reveal,
                "playhead {} must stay before the reveal {reveal}",
                s.tick()
            );
        }
        for i in 0..400 {
            s = dispatch(s, Action::Frame(100.0 * f64::from(i)));
        }
        assert!(s.tick() < reveal);
        assert!(!s.lesson.as_ref().unwrap().can_next());
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Answer {
                question: 0,
                answer: Answer::Option(0),
            }),
        );
        assert!(s.playing, "answering plays on to the reveal");
        for i in 0..400 {
            s = dispatch(s, Action::Frame(100.0 * f64::from(i)));
        }
        assert!(
            s.tick() >= reveal,
            "after the answer the run reaches the reveal"
        );
        assert!(s.lesson.as_ref().unwrap().can_next());
        assert_eq!(s.progress.lessons["walkthrough"].answers.len(), 1);
    }

    #[test]
    fn a_try_step_succeeds_from_the_real_controls_and_hints_after_two_misses() {
        let mut s = lesson("walkthrough");
        let t = s
            .lesson
            .as_ref()
            .unwrap()
            .lesson
            .steps
            .iter()
            .position(|x| x.kind == StepKind::Try)
            .unwrap();
        s = dispatch(s, Action::Lesson(LessonAction::Go(t)));
        let l = s.lesson.as_ref().unwrap();
        assert!(!l.goal_met && !l.can_next());
        s = dispatch(s, Action::SetParam("dup".into(), 1000));
        s = dispatch(s, Action::SetParam("dup".into(), 0));
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.tries, 2);
        assert!(l.hint_due() && !l.goal_met);
        s = dispatch(s, Action::SetParam("dup_txn3".into(), 0));
        assert!(
            s.lesson.as_ref().unwrap().goal_met,
            "turning the redelivery off reaches the goal"
        );
        let mut s2 = lesson("walkthrough");
        s2 = dispatch(s2, Action::Lesson(LessonAction::Go(t)));
        s2 = dispatch(s2, Action::Lesson(LessonAction::ShowMe));
        assert!(
            s2.lesson.as_ref().unwrap().goal_met,
            "show me reaches the goal"
        );
    }

    #[test]
    fn finishing_marks_the_lesson_done_and_links_name_the_step() {
        let mut s = lesson("two-generals");
        assert_eq!(
            crate::ui::share::encode(&s.share()),
            "lesson=two-generals&step=1"
        );
        let n = s.lesson.as_ref().unwrap().lesson.steps.len();
        for _ in 0..n {
            let l = s.lesson.as_ref().unwrap().clone();
            let e = l.step_eval().unwrap().clone();
            for (q, qe) in e.questions.iter().enumerate() {
                let a = match qe.right {
                    Some(i) => Answer::Option(i),
                    None => match qe.answer {
                        eval::Value::Int(v) => Answer::Number(v),
                        _ => unreachable!(),
                    },
                };
                s = dispatch(
                    s,
                    Action::Lesson(LessonAction::Answer {
                        question: q,
                        answer: a,
                    }),
                );
            }
            if l.kind() == StepKind::Try {
                s = dispatch(s, Action::Lesson(LessonAction::ShowMe));
            }
            s = dispatch(s, Action::Lesson(LessonAction::Next));
        }
        assert!(s.lesson.as_ref().unwrap().finished);
        assert_eq!(s.progress.state_of("two-generals"), "done");
        assert!(s.progress.lessons["two-generals"]
            .answers
            .values()
            .all(|c| *c));
        assert_eq!(s.progress.state_of("walkthrough"), "new");
        let back = Progress::parse(Some(&s.progress.to_json()));
        assert_eq!(back, s.progress);
        assert_eq!(Progress::parse(Some("{not json")), Progress::default());
    }

    #[test]
    fn verdicts_are_withheld_from_the_first_step_until_the_question_is_answered() {
        let s = lesson("dedup-window");
        assert!(
            withhold(&s),
            "step 1 (read) comes before a question: no verdicts"
        );
        let s = dispatch(s, Action::Lesson(LessonAction::Next));
        assert!(withhold(&s) && s.lesson.as_ref().unwrap().pending());
        let host = crate::ui::host::state_fields(&s);
        assert_eq!(host["verdicts"].as_array().unwrap().len(), 0);
        assert_eq!(host["withheld"], true);
        let s = dispatch(
            s,
            Action::Lesson(LessonAction::Answer {
                question: 0,
                answer: Answer::Option(1),
            }),
        );
        assert!(!withhold(&s), "answered: the verdicts come back");
        assert!(!crate::ui::host::state_fields(&s)["verdicts"]
            .as_array()
            .unwrap()
            .is_empty());
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.scored.get(&(1, 0)), Some(&true));
    }

    #[test]
    fn a_run_long_answer_and_a_recall_are_held_at_the_start() {
        // dedup-window step 4 asks the peak of the table that never forgets: one tick
        // before the end the table already shows it, so the hold is at the start.
        let mut s = lesson("dedup-window");
        let steps = &crate::course::find("dedup-window").unwrap().steps;
        let second_predict = steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.kind == StepKind::Predict)
            .nth(1)
            .unwrap()
            .0;
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Open {
                id: "dedup-window".into(),
                step: second_predict,
            }),
        );
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.kind(), StepKind::Predict);
        assert_eq!(cap(&s), Some(l.step_eval().unwrap().start));
        s = dispatch(s, Action::Seek(u32::MAX));
        assert_eq!(s.tick(), 0);
        let last = s.lesson.as_ref().unwrap().lesson.steps.len() - 1;
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Open {
                id: "dedup-window".into(),
                step: last,
            }),
        );
        assert_eq!(s.lesson.as_ref().unwrap().kind(), StepKind::Recall);
        s = dispatch(s, Action::Seek(u32::MAX));
        assert_eq!(s.tick(), 0, "a recall holds the ledger at its start");
        assert!(withhold(&s));
        // A wrong answer that names a misconception is remembered for the summary.
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Answer {
                question: 1,
                answer: Answer::Option(0),
            }),
        );
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.met.len(), 1, "{:?}", l.met);
        assert_eq!(l.scored.get(&(last, 1)), Some(&false));
    }

    #[test]
    fn a_try_steps_controls_come_from_its_show_me() {
        let try_step = crate::course::find("dedup-window")
            .unwrap()
            .steps
            .iter()
            .position(|st| st.kind == StepKind::Try)
            .unwrap();
        let s = dispatch(
            lesson("dedup-window"),
            Action::Lesson(LessonAction::Open {
                id: "dedup-window".into(),
                step: try_step,
            }),
        );
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.kind(), StepKind::Try);
        assert_eq!(step_params(l), vec!["ttl_ticks".to_string()]);
        assert!(!step_needs_fault(l));
        assert!(
            !withhold(&s),
            "a try step shows the verdicts it is judged by"
        );
    }

    #[test]
    fn a_bad_lesson_file_changes_nothing() {
        let s = State::from_share(&ShareState::new("walkthrough"), &[]);
        let t = dispatch(
            s.clone(),
            Action::Import {
                name: "l.json".into(),
                text: r#"{"id":"x","title":"t","scenario":"walkthrough","steps":[]}"#.into(),
            },
        );
        assert!(t.lesson.is_none());
        assert_eq!(t.scenario, s.scenario);
        assert_eq!(t.run.gen, s.run.gen);
        assert!(
            t.notices.iter().any(|n| n.text.contains("steps")),
            "{:?}",
            t.notices
        );
        let good = crate::course::FILES
            .iter()
            .find(|(n, _)| n.contains("outbox"))
            .unwrap()
            .1;
        let t = dispatch(
            s,
            Action::Import {
                name: "o.json".into(),
                text: good.into(),
            },
        );
        assert!(
            t.lesson.as_ref().is_some_and(|l| l.imported),
            "{:?}",
            t.notices
        );
        assert_eq!(t.scenario, "outbox");
    }
}
