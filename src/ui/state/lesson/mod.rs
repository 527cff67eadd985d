//! The lesson being taken. Lesson code decides what changes and the one reducer applies
//! it: [`decide`] turns a [`LessonAction`] (and each new run) into a new [`LessonRun`]
//! and an [`Effect`] — new [`Inputs`](crate::ui::share::Inputs) and a
//! [`Stage`](super::Stage) for the stage, play on, notices — and `apply.rs` is the
//! reducer's side, which puts that effect on the [`State`] through
//! [`State::set_inputs`].
//!
//! While a predict step waits for its answer, [`cap`] holds the playhead before the
//! tick that would give the answer away; after the answer the run plays on to the tick
//! that settles it ([`stop`]). A try step reads its goal from every run the learner
//! makes with the real controls, the run already on the stage. Progress is a small JSON
//! map remembered through `storage.rs` by the app (memory only where storage is
//! refused).

use crate::course::eval::{Answer, StepEval};
use crate::course::model::{Lesson, StepKind};
use crate::course::practice::SpaceAnswer;
use crate::sim::ids::Tick;
use crate::ui::state::{Inputs, NoticeKind, Stage, State};
use std::collections::BTreeMap;
use std::rc::Rc;

mod apply;
mod decide;
mod steps;
pub use apply::looks_like_lesson;
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
    /// A predict-space step's answer: the learner's yes or no and what the exhaustive
    /// check said (with how long it took in this browser).
    pub space: Option<Rc<SpaceResult>>,
    /// The run the lesson last looked at (its own step's, or the learner's it judged).
    gen: u64,
}

/// A "can it ever happen?" step answered: the learner said `yes` (some schedule breaks
/// the design) or no, and the exhaustive check's answer, checked in `ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceResult {
    pub yes: bool,
    pub answer: SpaceAnswer,
    pub ms: f64,
}

impl SpaceResult {
    pub fn correct(&self) -> bool {
        self.yes == self.answer.can
    }
}

/// What a lesson decided should change outside itself; the reducer applies it.
#[derive(Debug, Default)]
pub struct Effect {
    /// New inputs on the stage, and what else changes with them.
    pub stage: Option<(Inputs, Stage)>,
    /// The new run is the learner's to be judged (a try step's "Show me"), not the
    /// step's own setting.
    pub judged: bool,
    /// Play on from the playhead (the reveal after a prediction is answered).
    pub play: bool,
    pub notices: Vec<(NoticeKind, String)>,
}

impl Effect {
    fn notice(kind: NoticeKind, text: String) -> Effect {
        Effect {
            notices: vec![(kind, text)],
            ..Effect::default()
        }
    }
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
            StepKind::Predict | StepKind::Observe | StepKind::PredictSpace => self.answered(0),
            StepKind::Try | StepKind::Build => self.goal_met,
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
    /// A build step's handler was checked: it holds (the step's goal is met) or not.
    Built(bool),
    /// A predict-space step answered: the learner's yes or no and the exhaustive
    /// check's answer (run by the panel, timed there). The first answer counts; a yes
    /// puts the smallest counterexample on the stage.
    Space {
        yes: bool,
        answer: Rc<SpaceAnswer>,
        ms: f64,
    },
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

    /// The first step of kind `kind` in the lesson on screen (0-based).
    fn step_of(s: &State, kind: StepKind) -> usize {
        nth_step_of(s, kind, 0)
    }

    /// Its `n`th step of kind `kind` (0: the first), 0-based.
    fn nth_step_of(s: &State, kind: StepKind, n: usize) -> usize {
        s.lesson
            .as_ref()
            .expect("a lesson is open")
            .lesson
            .steps
            .iter()
            .enumerate()
            .filter(|(_, x)| x.kind == kind)
            .nth(n)
            .unwrap_or_else(|| panic!("the lesson has no {} step number {n}", kind.name()))
            .0
    }

    #[test]
    fn a_predict_step_holds_the_playhead_before_the_reveal_until_answered() {
        let mut s = lesson("walkthrough");
        let p = step_of(&s, StepKind::Predict);
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
        let t = step_of(&s, StepKind::Try);
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
                        crate::course::eval::Value::Int(v) => Answer::Number(v),
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
        let second_predict = nth_step_of(&s, StepKind::Predict, 1);
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
        // The recall (a build step may follow it).
        let recall = step_of(&s, StepKind::Recall);
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Open {
                id: "dedup-window".into(),
                step: recall,
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
        assert_eq!(l.scored.get(&(recall, 1)), Some(&false));
    }

    #[test]
    fn a_try_steps_controls_come_from_its_show_me() {
        let try_step = step_of(&lesson("dedup-window"), StepKind::Try);
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
    fn a_predict_space_step_shows_its_questions_setting_and_replays_the_counterexample() {
        // atomic-commit asks whether the ledger-first design can ever end wrong: yes.
        let mut s = lesson("atomic-commit");
        let i = step_of(&s, StepKind::PredictSpace);
        s = dispatch(s, Action::Lesson(LessonAction::Go(i)));
        let l = s.lesson.as_ref().unwrap();
        let q = crate::course::practice::find_space(l.lesson.steps[i].space.as_deref().unwrap())
            .unwrap();
        assert_eq!(q.id, "ledger-first");
        // Before the answer: the question's own run (random faults off), its design shown.
        assert!(!s.inputs.config.random_faults && s.inputs.config.manual.is_empty());
        assert_eq!(s.run.techniques()[s.technique_index()].id, q.technique);
        assert!(!l.can_next() && !l.pending() && !withhold(&s));
        let a = q.answer().unwrap();
        assert!(a.can, "ledger first can end wrong");
        let (_, config) = a.smallest.clone().unwrap();
        // Answered "no": wrong, scored and recorded; the counterexample goes on the stage.
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Space {
                yes: false,
                answer: Rc::new(a.clone()),
                ms: 1.0,
            }),
        );
        let l = s.lesson.as_ref().unwrap();
        assert!(l.can_next() && !l.drifted);
        assert_eq!(l.scored.get(&(i, 0)), Some(&false));
        assert_eq!(
            s.progress.lessons["atomic-commit"]
                .answers
                .get(&format!("s{}q0", i + 1)),
            Some(&false)
        );
        assert_eq!(
            s.inputs.config, config,
            "the smallest counterexample is on the stage"
        );
        assert!(s.playing, "played from the start");
        assert_eq!(s.run.techniques()[s.technique_index()].id, q.technique);
        let t = &s.run.techniques()[s.technique_index()];
        assert!(!t.verdict.holds || !t.badge.good(), "it breaks on replay");
        // A second answer changes nothing: the check settled it.
        s = dispatch(
            s,
            Action::Lesson(LessonAction::Space {
                yes: true,
                answer: Rc::new(a),
                ms: 1.0,
            }),
        );
        let l = s.lesson.as_ref().unwrap();
        assert_eq!(l.answers[0].len(), 1);
        assert_eq!(l.scored.get(&(i, 0)), Some(&false));
        // The host hears the lesson's question count with it.
        assert_eq!(
            crate::ui::host::lesson_fields(&s).unwrap()["questions"],
            serde_json::json!(
                l.lesson
                    .steps
                    .iter()
                    .map(|st| st.question.iter().count() + st.questions.len())
                    .sum::<usize>()
                    + 1
            )
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
        assert_eq!(t.inputs.scenario, s.inputs.scenario);
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
        assert_eq!(t.inputs.scenario, "outbox");
    }

    #[test]
    fn a_step_puts_its_setup_on_the_stage_as_one_inputs_value() {
        let s = lesson("dedup-window");
        let l = s.lesson.as_ref().unwrap();
        let setup = crate::course::eval::step_setup(&l.lesson, l.step);
        let want = crate::ui::share::Inputs::from_setup(&l.lesson.scenario, &setup).unwrap();
        assert_eq!(s.inputs, want);
        assert_eq!(s.run.result.as_ref().unwrap().config, want.config);
        assert!(!l.drifted, "the step's own run is not the learner's");
    }

    #[test]
    fn a_try_steps_goal_is_read_from_the_run_on_the_stage() {
        let mut s = lesson("walkthrough");
        let t = step_of(&s, StepKind::Try);
        s = dispatch(s, Action::Lesson(LessonAction::Go(t)));
        // A run that reaches the goal put on the stage without its inputs: the goal is
        // read from that run, not from running the inputs again (which would miss it).
        let mut reached = s.inputs.clone();
        reached.config.params = vec![("dup_txn3".into(), 0)];
        s.run = Rc::new(crate::ui::state::RunData::compute(s.run.gen + 1, &reached));
        s.after_lesson();
        assert!(s.lesson.as_ref().unwrap().goal_met);
    }
}
