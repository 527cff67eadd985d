//! One lesson step evaluated: its setup, where the playhead starts, stops and is held,
//! each question's answer and options, and judging a learner's answer.

use super::quantity::{counter_first_tick, counters, named, technique};
use super::*;
use crate::course::model::{Lesson, Quantity, Question, Setup, Step, StepKind};
use crate::sim::ids::Tick;
use crate::sim::run::TechniqueRun;
use std::collections::BTreeMap;

/// What the UI and the checks need to know about one question.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionEval {
    pub answer: Value,
    /// The computed value of each option.
    pub options: Vec<Value>,
    /// The index of the right option (multiple choice).
    pub right: Option<usize>,
    /// The computed value of each named misconception (number questions).
    pub misconceptions: Vec<Value>,
    /// Technique id → label in the run the question reads.
    pub labels: BTreeMap<String, String>,
}

/// What the UI needs to run one step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepEval {
    pub setup: Setup,
    /// Where the playhead starts.
    pub start: Tick,
    /// watch: where it stops.
    pub stop: Option<Tick>,
    /// predict: the first tick whose events would give the answer away (playback is
    /// held before it until the learner answers) and the tick that settles it.
    pub reveal: Option<Tick>,
    pub settle: Option<Tick>,
    pub questions: Vec<QuestionEval>,
}

/// The setup of step `i`: the lesson's, with the step's laid over it. An observe
/// step looks at the run its watch step just played, so it starts from that step's.
pub fn step_setup(lesson: &Lesson, i: usize) -> Setup {
    let base = Setup {
        scenario: Some(lesson.scenario.clone()),
        ..lesson.setup.clone()
    };
    match lesson.steps.get(i) {
        // A "can it ever happen?" step shows its question's own setting: the one the
        // exhaustive check explores (not the lesson's).
        Some(s) if s.kind == StepKind::PredictSpace => s
            .space
            .as_deref()
            .and_then(crate::course::practice::find_space)
            .map_or(base, |q| q.setup()),
        Some(s) if s.kind == StepKind::Observe && i > 0 => {
            step_setup(lesson, i - 1).overlay(&s.setup)
        }
        Some(s) => base.overlay(&s.setup),
        None => base,
    }
}

/// The watch step an observe step looks back on (the step just before it).
pub fn watched(lesson: &Lesson, i: usize) -> Option<&Step> {
    let prev = lesson.steps.get(i.checked_sub(1)?)?;
    (lesson.steps.get(i)?.kind == StepKind::Observe && prev.kind == StepKind::Watch).then_some(prev)
}

/// Evaluate one question under `setup`.
pub fn question(
    ev: &mut Evaluator,
    sc: &str,
    setup: &Setup,
    q: &Question,
) -> Result<QuestionEval, String> {
    let setup = match &q.setup {
        Some(s) => setup.overlay(s),
        None => setup.clone(),
    };
    let answer = ev
        .value(sc, &setup, &q.ask)
        .map_err(|e| format!("ask: {e}"))?;
    let mut options = Vec::new();
    for o in &q.options {
        let v = ev
            .value(sc, &setup, &o.value)
            .map_err(|e| format!("option '{}' value: {e}", o.id))?;
        if std::mem::discriminant(&v) != std::mem::discriminant(&answer) {
            return Err(format!(
                "option '{}' value is {} but the answer is {}",
                o.id,
                v.kind(),
                answer.kind()
            ));
        }
        options.push(v);
    }
    let mut misconceptions = Vec::new();
    for (k, m) in q.misconceptions.iter().enumerate() {
        let v = ev
            .value(sc, &setup, &m.value)
            .map_err(|e| format!("misconceptions[{k}] value: {e}"))?;
        misconceptions.push(v);
    }
    let right = options.iter().position(|v| *v == answer);
    let labels = ev
        .run(sc, &setup)
        .map(|r| {
            r.techniques
                .iter()
                .map(|t| (t.id.clone(), t.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(QuestionEval {
        answer,
        options,
        right,
        misconceptions,
        labels,
    })
}

/// Evaluate step `i` of `lesson`.
pub fn step(ev: &mut Evaluator, lesson: &Lesson, i: usize) -> Result<StepEval, String> {
    let st: &Step = lesson.steps.get(i).ok_or("no such step")?;
    let setup = step_setup(lesson, i);
    let sc = lesson.scenario.as_str();
    let run = ev.run(sc, &setup)?;
    let start = match (&st.kind, &st.at, &st.from) {
        (StepKind::Observe, _, _) => {
            let w = watched(lesson, i).ok_or("an observe step comes right after a watch step")?;
            match &w.to {
                Some(r) => tick(run, r).map_err(|e| format!("the watch step's to: {e}"))?,
                None => run.end(),
            }
        }
        (StepKind::Watch, _, Some(r)) => tick(run, r).map_err(|e| format!("from: {e}"))?,
        (_, Some(r), _) => tick(run, r).map_err(|e| format!("at: {e}"))?,
        _ => 0,
    };
    let stop = match (&st.kind, &st.to) {
        (StepKind::Watch, Some(r)) => Some(tick(run, r).map_err(|e| format!("to: {e}"))?),
        (StepKind::Watch, None) => Some(run.end()),
        _ => None,
    };
    let (mut reveal, mut settle) = (None, None);
    if st.kind == StepKind::Observe {
        // What was just watched: nothing is held back.
        reveal = Some(start);
        settle = Some(start);
    }
    if st.kind == StepKind::Predict {
        if let Some(q) = &st.question {
            let mut names = Vec::new();
            if q.setup.is_none() {
                named(&q.ask, &mut names);
                for o in &q.options {
                    named(&o.value, &mut names);
                }
            }
            let mut techs: Vec<&TechniqueRun> = Vec::new();
            for n in &names {
                match n {
                    Some(id) => techs.push(technique(run, id)?),
                    None => techs.extend(run.techniques.iter()),
                }
            }
            let mut cs = Vec::new();
            if q.setup.is_none() {
                counters(&q.ask, &mut cs);
                for o in &q.options {
                    counters(&o.value, &mut cs);
                }
            }
            let mut count_ticks = Vec::new();
            for (t, name) in &cs {
                if let Some(x) = counter_first_tick(technique(run, t)?, name) {
                    count_ticks.push(x.max(1));
                }
            }
            let first_bad = techs
                .iter()
                .filter_map(|t| {
                    t.verdict
                        .first_violation
                        .and_then(|i| t.trace.get(i))
                        .map(|e| e.tick)
                })
                .chain(count_ticks)
                .min();
            let at = match &q.ask {
                Quantity::Balance { at: Some(r), .. } => Some(tick(run, r)?),
                _ => None,
            };
            let s = at.unwrap_or(run.end());
            let r = match &st.reveal {
                Some(r) => tick(run, r).map_err(|e| format!("reveal: {e}"))?,
                None => first_bad.unwrap_or(s).min(s),
            };
            reveal = Some(r);
            settle = Some(s.max(r));
        }
    }
    let mut questions = Vec::new();
    let qs: Vec<&Question> = match st.kind {
        StepKind::Predict | StepKind::Observe => st.question.iter().collect(),
        StepKind::Recall => st.questions.iter().collect(),
        _ => Vec::new(),
    };
    for (k, q) in qs.into_iter().enumerate() {
        let field = if st.kind == StepKind::Recall {
            format!("questions[{k}]")
        } else {
            "question".to_string()
        };
        questions.push(question(ev, sc, &setup, q).map_err(|e| format!("{field}: {e}"))?);
    }
    Ok(StepEval {
        setup,
        start,
        stop,
        reveal,
        settle,
        questions,
    })
}

/// The learner's answer to a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Option(usize),
    Number(i64),
}

/// Feedback on an answer: right or not, and the text to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub correct: bool,
    pub text: String,
}

/// Replace `{value}` / `{ $value }` with the right answer (other named placeholders
/// are filled when the lesson is resolved, see `resolve`).
pub fn fill(text: &str, value: &str) -> String {
    let mut v = BTreeMap::new();
    v.insert("value".to_string(), value.to_string());
    fill_vars(text, &v)
}

/// Judge an answer against the evaluated question.
pub fn judge(q: &Question, e: &QuestionEval, a: &Answer) -> Feedback {
    let right = e.answer.show(&e.labels);
    match a {
        Answer::Option(i) => {
            let correct = e.right == Some(*i);
            let text = q
                .options
                .get(*i)
                .map(|o| fill(&o.feedback, &right))
                .unwrap_or_default();
            Feedback { correct, text }
        }
        Answer::Number(v) => {
            let got = Value::Int(*v);
            if got == e.answer {
                return Feedback {
                    correct: true,
                    text: fill(q.right.as_deref().unwrap_or("Right: {value}."), &right),
                };
            }
            let text = e
                .misconceptions
                .iter()
                .position(|m| *m == got)
                .and_then(|k| q.misconceptions.get(k))
                .map(|m| m.feedback.clone())
                .or_else(|| q.wrong.clone())
                .unwrap_or_else(|| "Not what the run shows.".to_string());
            Feedback {
                correct: false,
                text: format!("{} The run shows {right}.", fill(&text, &right)),
            }
        }
    }
}

/// The label of option `i`, with its computed value filled in.
pub fn option_label(q: &Question, e: &QuestionEval, i: usize) -> String {
    match (q.options.get(i), e.options.get(i)) {
        (Some(o), Some(v)) => fill(&o.label, &v.show(&e.labels)),
        _ => String::new(),
    }
}
