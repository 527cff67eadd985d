//! What a lesson action changes: the lesson itself and the learner's progress here, the
//! rest of the state as an [`Effect`] for the reducer to apply.

use super::steps::misconception_met;
use super::{Effect, LessonAction, LessonRun, Progress};
use crate::course::eval::{self, Evaluator};
use crate::course::model::{Lesson, Setup, StepKind};
use crate::ui::state::{Change, Inputs, NoticeKind, Playhead, RunData, Stage};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The lesson on screen (if any) and the progress it records.
pub(super) struct Lessons<'a> {
    pub run: &'a mut Option<LessonRun>,
    pub progress: &'a mut Progress,
}

fn questions(l: &Lesson, step: usize) -> usize {
    l.steps.get(step).map_or(0, |st| match st.kind {
        StepKind::Predict | StepKind::Observe => usize::from(st.question.is_some()),
        StepKind::PredictSpace => usize::from(st.space.is_some()),
        StepKind::Recall => st.questions.len(),
        _ => 0,
    })
}

/// `setup` as inputs on the stage with the playhead at `at` (the technique it names,
/// no step range).
fn staged(l: &Lesson, setup: &Setup, at: Playhead, fx: &mut Effect) {
    match Inputs::from_setup(&l.scenario, setup) {
        Ok(inputs) => {
            let stage = Stage {
                technique: Change::To(setup.technique.clone()),
                unlock: true,
                ..Stage::keep().at(at)
            };
            fx.stage = Some((inputs, stage));
        }
        Err(why) => fx.notices.push((NoticeKind::Warning, why)),
    }
}

impl Lessons<'_> {
    /// Show step `i` of the current lesson: evaluate it and set the stage.
    fn enter(&mut self, i: usize) -> Effect {
        let Some(l) = self.run.as_mut() else {
            return Effect::default();
        };
        let mut fx = Effect::default();
        let i = i.min(l.lesson.steps.len().saturating_sub(1));
        let e = eval::step(&mut Evaluator::new(), &l.lesson, i);
        if let Err(why) = &e {
            fx.notices.push((
                NoticeKind::Warning,
                format!("Lesson step {} could not be prepared: {why}", i + 1),
            ));
        }
        l.step = i;
        l.eval = Rc::new(e);
        l.answers = vec![Vec::new(); questions(&l.lesson, i)];
        l.tries = 0;
        l.goal_met = false;
        l.showed_me = false;
        l.drifted = false;
        l.finished = false;
        l.space = None;
        let start = l.step_eval().map_or(0, |e| e.start);
        let at = match l.kind() {
            StepKind::Watch => Playhead::PlayFrom(start),
            _ => Playhead::At(start),
        };
        staged(&l.lesson, &eval::step_setup(&l.lesson, i), at, &mut fx);
        if !l.imported {
            self.progress
                .lessons
                .entry(l.lesson.id.clone())
                .or_default()
                .step = i;
        }
        fx
    }

    fn record(&mut self, step: usize, q: usize, correct: bool) {
        let Some(l) = self.run.as_ref().filter(|l| !l.imported) else {
            return;
        };
        let p = self
            .progress
            .lessons
            .entry(l.lesson.id.clone())
            .or_default();
        p.answers
            .entry(format!("s{}q{q}", step + 1))
            .or_insert(correct);
    }

    /// Open `lesson` (built-in or imported) at step `step`.
    pub fn open(&mut self, lesson: Rc<Lesson>, imported: bool, step: usize) -> Effect {
        *self.run = Some(LessonRun {
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
            space: None,
            gen: 0,
        });
        self.enter(step)
    }

    pub fn reduce(&mut self, a: LessonAction) -> Effect {
        match a {
            LessonAction::Open { id, step } => match crate::course::find(&id) {
                Some(l) => self.open(Rc::new(l.clone()), false, step),
                None => Effect::notice(NoticeKind::Warning, format!("there is no lesson '{id}'")),
            },
            LessonAction::Go(i) => self.enter(i),
            LessonAction::Next => self.next(),
            LessonAction::Back | LessonAction::Restore => {
                let back = usize::from(matches!(a, LessonAction::Back));
                match self.run.as_ref().map(|l| l.step) {
                    Some(i) => self.enter(i.saturating_sub(back)),
                    None => Effect::default(),
                }
            }
            LessonAction::Answer { question, answer } => self.answer(question, answer),
            LessonAction::ShowMe => self.show_me(),
            LessonAction::Built(holds) => {
                if let Some(l) = self.run.as_mut().filter(|l| l.kind() == StepKind::Build) {
                    l.goal_met |= holds;
                    l.tries += u32::from(!holds);
                }
                Effect::default()
            }
            LessonAction::Space { yes, answer, ms } => self.space(yes, &answer, ms),
            LessonAction::Close => {
                *self.run = None;
                Effect::default()
            }
            LessonAction::ResetProgress => {
                *self.progress = Progress::default();
                Effect::default()
            }
        }
    }

    fn next(&mut self) -> Effect {
        let Some(l) = self.run.as_mut().filter(|l| l.can_next()) else {
            return Effect::default();
        };
        let (i, n) = (l.step, l.lesson.steps.len());
        if i + 1 < n {
            return self.enter(i + 1);
        }
        l.finished = true;
        if !l.imported {
            let id = l.lesson.id.clone();
            let steps = crate::course::practice::varying_steps(&l.lesson);
            let now = crate::ui::components::practice::now_ms();
            self.progress.practice.finished(&id, &steps, now);
            self.progress.lessons.entry(id).or_default().done = true;
        }
        Effect::default()
    }

    fn answer(&mut self, question: usize, answer: eval::Answer) -> Effect {
        let Some(l) = self.run.as_mut() else {
            return Effect::default();
        };
        if l.finished || question >= l.answers.len() {
            return Effect::default();
        }
        let st = l.lesson.steps[l.step].clone();
        let Some(e) = l.step_eval().cloned() else {
            return Effect::default();
        };
        let q = match st.kind {
            StepKind::Predict | StepKind::Observe => st.question.as_ref(),
            _ => st.questions.get(question),
        };
        let (Some(q), Some(qe)) = (q, e.questions.get(question)) else {
            return Effect::default();
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
        if !first {
            return Effect::default();
        }
        self.record(step, question, correct);
        Effect {
            // The reveal: play on to the tick that settles the question.
            play: st.kind == StepKind::Predict,
            ..Effect::default()
        }
    }

    /// A predict-space step's answer. Scored and recorded like a prediction; when some
    /// schedule breaks the design, its smallest counterexample goes on the stage (the
    /// check's own run: random faults off, its faults by hand), played from the start.
    fn space(
        &mut self,
        yes: bool,
        answer: &crate::course::practice::SpaceAnswer,
        ms: f64,
    ) -> Effect {
        let Some(l) = self
            .run
            .as_mut()
            .filter(|l| l.kind() == StepKind::PredictSpace && !l.finished && !l.answered(0))
        else {
            return Effect::default();
        };
        let result = super::SpaceResult {
            yes,
            answer: answer.clone(),
            ms,
        };
        let correct = result.correct();
        l.scored.entry((l.step, 0)).or_insert(correct);
        l.answers[0].push(eval::Answer::Option(usize::from(!yes)));
        l.space = Some(Rc::new(result));
        let step = l.step;
        let technique = eval::step_setup(&l.lesson, step).technique;
        let scenario = l.lesson.scenario.clone();
        self.record(step, 0, correct);
        let mut fx = Effect::default();
        if let Some((_, config)) = &answer.smallest {
            match crate::ui::share::ScenarioRef::find(&scenario) {
                Ok(sc) => {
                    let inputs = Inputs {
                        scenario: sc,
                        config: config.clone(),
                    };
                    let stage = Stage {
                        technique: Change::To(technique),
                        unlock: true,
                        ..Stage::keep().at(Playhead::PlayFrom(0))
                    };
                    fx.stage = Some((inputs, stage));
                }
                Err(why) => fx.notices.push((NoticeKind::Warning, why.to_string())),
            }
        }
        fx
    }

    /// A try step's "Show me": its own setting with the `show_me` laid over it, played
    /// from the start and judged like the learner's own run.
    fn show_me(&mut self) -> Effect {
        let Some(l) = self.run.as_mut() else {
            return Effect::default();
        };
        let Some(show) = l.lesson.steps[l.step].show_me.clone() else {
            return Effect::default();
        };
        l.showed_me = true;
        let setup = eval::step_setup(&l.lesson, l.step).overlay(&show);
        let mut fx = Effect {
            judged: true,
            ..Effect::default()
        };
        staged(&l.lesson, &setup, Playhead::PlayFrom(0), &mut fx);
        fx
    }
}

/// After every action: a try step reads its goal from each new run (the one on the
/// stage, not run again); on other steps a new run means the learner moved away from
/// the step's setting. A run of another scenario closes the lesson (progress stays).
pub(super) fn after(lesson: &mut Option<LessonRun>, inputs: &Inputs, run: &RunData) {
    let Some(l) = lesson.as_mut() else { return };
    if l.gen == run.gen {
        return;
    }
    l.gen = run.gen;
    let own = eval::step_setup(&l.lesson, l.step);
    if own.scenario.as_deref() != Some(inputs.scenario.id) {
        *lesson = None;
        return;
    }
    let st = &l.lesson.steps[l.step];
    match (st.kind, &st.goal) {
        (StepKind::Try, Some(goal)) if !l.goal_met => {
            let setup = setup_of(inputs);
            let made = run.result.as_ref();
            match Evaluator::new().goal_met_in(made, &l.lesson.scenario, &setup, goal) {
                Ok(true) => l.goal_met = true,
                _ => l.tries += 1,
            }
        }
        (StepKind::Try, _) => {}
        _ => l.drifted = true,
    }
}

/// The inputs on the stage in a lesson's terms, for a goal's quantity measured under
/// a setup laid over them.
fn setup_of(inputs: &Inputs) -> Setup {
    let c = &inputs.config;
    Setup {
        scenario: Some(inputs.scenario.id.to_string()),
        seed: Some(c.seed),
        params: c.params.iter().cloned().collect(),
        faults: Some(
            c.manual
                .iter()
                .map(crate::sim::fault::Fault::code)
                .collect(),
        ),
        random_faults: Some(c.random_faults),
        technique: None,
    }
}
