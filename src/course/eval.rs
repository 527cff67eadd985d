//! Quantities computed by running the simulator. Nothing here trusts a number typed
//! in a lesson: answers, distractors, reveal ticks and try goals are all values of
//! [`Quantity`]s over real runs.

use super::model::{
    Goal, Lesson, Lit, Op, Property, Quantity, Question, Setup, Step, StepKind, TickRef,
};
use crate::sim::ids::{merchant_name, Tick};
use crate::sim::replay::{cursor_for_tick, View};
use crate::sim::run::{RunConfig, RunResult, TechniqueRun};
use crate::sim::scenarios;
use std::collections::BTreeMap;
use std::fmt;

/// A computed value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Int(i64),
    Bool(bool),
    /// Technique ids, sorted.
    Set(Vec<String>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Int(_) => "a number",
            Value::Bool(_) => "yes/no",
            Value::Set(_) => "a set of techniques",
        }
    }
    /// How the value reads in a label (`labels` names technique ids).
    pub fn show(&self, labels: &BTreeMap<String, String>) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Bool(true) => "yes".to_string(),
            Value::Bool(false) => "no".to_string(),
            Value::Set(s) if s.is_empty() => "none of them".to_string(),
            Value::Set(s) => s
                .iter()
                .map(|t| labels.get(t).cloned().unwrap_or_else(|| t.clone()))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.show(&BTreeMap::new()))
    }
}

/// Runs the simulator for setups, remembering each result.
#[derive(Default)]
pub struct Evaluator {
    cache: Vec<(String, RunConfig, RunResult)>,
}

/// The scenario and simulator configuration a setup describes.
pub fn config(default_scenario: &str, s: &Setup) -> Result<(String, RunConfig), String> {
    let scenario = s
        .scenario
        .clone()
        .unwrap_or_else(|| default_scenario.to_string());
    let sc = scenarios::find(&scenario).map_err(|e| e.to_string())?;
    let mut manual = Vec::new();
    for f in s.faults.iter().flatten() {
        match crate::ui::share::decode_fault(f) {
            Some(x) => manual.push(x),
            None => return Err(format!("fault '{f}' is not in the share-link notation")),
        }
    }
    let params = s.params.iter().map(|(k, v)| (k.clone(), *v)).collect();
    Ok((
        scenario,
        RunConfig {
            seed: s.seed.unwrap_or(sc.info().showcase_seed),
            params,
            manual,
            random_faults: s.random_faults.unwrap_or(true),
        },
    ))
}

impl Evaluator {
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// The run a setup describes (run once, then remembered).
    pub fn run(&mut self, default_scenario: &str, s: &Setup) -> Result<&RunResult, String> {
        let (scenario, cfg) = config(default_scenario, s)?;
        if let Some(i) = self
            .cache
            .iter()
            .position(|(sc, c, _)| *sc == scenario && *c == cfg)
        {
            return Ok(&self.cache[i].2);
        }
        let r = scenarios::run(&scenario, &cfg).map_err(|e| e.to_string())?;
        if self.cache.len() >= 16 {
            self.cache.remove(0);
        }
        self.cache.push((scenario, cfg, r));
        Ok(&self.cache.last().expect("just pushed").2)
    }

    /// The value of `q` in the run of `setup` (scenario `sc` unless the setup names one).
    pub fn value(&mut self, sc: &str, setup: &Setup, q: &Quantity) -> Result<Value, String> {
        match q {
            Quantity::Const(Lit::Int(v)) => return Ok(Value::Int(*v)),
            Quantity::Const(Lit::Bool(b)) => return Ok(Value::Bool(*b)),
            Quantity::Under { setup: over, of } => {
                let s = setup.overlay(over);
                return self.value(sc, &s, of);
            }
            Quantity::Sum(parts) => {
                let mut total = 0i64;
                for p in parts {
                    match self.value(sc, setup, p)? {
                        Value::Int(v) => total += v,
                        other => {
                            return Err(format!("sum: a part is {}, not a number", other.kind()))
                        }
                    }
                }
                return Ok(Value::Int(total));
            }
            _ => {}
        }
        let run = self.run(sc, setup)?;
        quantity(run, q)
    }

    /// Whether `goal` holds in the run of `setup`.
    pub fn goal_met(&mut self, sc: &str, setup: &Setup, goal: &Goal) -> Result<bool, String> {
        let a = self.value(sc, setup, &goal.when)?;
        let b = self.value(sc, setup, &goal.value)?;
        compare(&a, goal.op, &b)
    }
}

/// Compare two values; ordering needs numbers.
pub fn compare(a: &Value, op: Op, b: &Value) -> Result<bool, String> {
    if std::mem::discriminant(a) != std::mem::discriminant(b) {
        return Err(format!("cannot compare {} with {}", a.kind(), b.kind()));
    }
    Ok(match (op, a, b) {
        (Op::Eq, _, _) => a == b,
        (Op::Ne, _, _) => a != b,
        (op, Value::Int(x), Value::Int(y)) => match op {
            Op::Gt => x > y,
            Op::Lt => x < y,
            Op::Ge => x >= y,
            _ => x <= y,
        },
        _ => return Err(format!("only numbers can be ordered, not {}", a.kind())),
    })
}

fn technique<'a>(run: &'a RunResult, id: &str) -> Result<&'a TechniqueRun, String> {
    run.technique(id).ok_or_else(|| {
        let ids: Vec<&str> = run.techniques.iter().map(|t| t.id.as_str()).collect();
        format!(
            "scenario '{}' has no technique '{id}' (it has {})",
            run.scenario,
            ids.join(", ")
        )
    })
}

fn merchant(run: &RunResult, name: &str) -> Result<u8, String> {
    let unit = scenarios::find(&run.scenario)
        .map(|s| s.info().unit)
        .map_err(|e| e.to_string())?;
    (0..=u8::MAX)
        .find(|m| merchant_name(*m) == name || unit.entity(*m) == name)
        .ok_or_else(|| format!("'{name}' is not a merchant or ledger row name (e.g. m-A)"))
}

/// The tick a [`TickRef`] names in `run`.
pub fn tick(run: &RunResult, r: &TickRef) -> Result<Tick, String> {
    let violation = |t: &str| -> Result<Tick, String> {
        let tr = technique(run, t)?;
        tr.verdict
            .first_violation
            .and_then(|i| tr.trace.get(i))
            .map(|e| e.tick)
            .ok_or_else(|| format!("technique '{t}' never goes wrong in this run"))
    };
    match r {
        TickRef::Start => Ok(0),
        TickRef::End => Ok(run.end()),
        TickRef::Violation(t) => violation(t),
        TickRef::BeforeViolation(t) => Ok(violation(t)?.saturating_sub(1)),
    }
}

fn has(tr: &TechniqueRun, p: Property) -> bool {
    let v = &tr.verdict;
    match p {
        Property::Holds => v.holds,
        Property::ExactlyOnce => v.exactly_once && v.checks.iter().all(|c| c.ok),
        Property::ChecksOk => v.checks.iter().all(|c| c.ok),
        Property::NoDuplicates => v.applied_twice.is_empty(),
        Property::NoLosses => v.lost.is_empty(),
        Property::MatchesTruth => v.diffs.is_empty(),
    }
}

/// The value of a quantity that reads one run.
pub fn quantity(run: &RunResult, q: &Quantity) -> Result<Value, String> {
    let n = |x: usize| Value::Int(x as i64);
    Ok(match q {
        Quantity::Balance {
            technique: t,
            merchant: m,
            at,
        } => {
            let tr = technique(run, t)?;
            let m = merchant(run, m)?;
            let b = match at {
                None | Some(TickRef::End) => tr.ledger.balances(),
                Some(r) => {
                    let t = tick(run, r)?;
                    View::of(&tr.trace[..cursor_for_tick(&tr.trace, t)]).balances
                }
            };
            Value::Int(b.get(&m).copied().unwrap_or(0))
        }
        Quantity::Truth { merchant: m } => {
            let m = merchant(run, m)?;
            Value::Int(run.truth_balances().get(&m).copied().unwrap_or(0))
        }
        Quantity::Entries {
            technique: t,
            merchant: m,
        } => {
            let tr = technique(run, t)?;
            match m {
                None => n(tr.ledger.entries.len()),
                Some(m) => {
                    let m = merchant(run, m)?;
                    n(tr.ledger.entries.iter().filter(|e| e.merchant == m).count())
                }
            }
        }
        Quantity::AppliedTwice { technique: t } => {
            n(technique(run, t)?.verdict.applied_twice.len())
        }
        Quantity::Lost { technique: t } => n(technique(run, t)?.verdict.lost.len()),
        Quantity::Counter { technique: t, name } => {
            let tr = technique(run, t)?;
            let c = View::of(&tr.trace).counters;
            let v = match name.as_str() {
                "sent" => c.sent,
                "delivered" => c.delivered,
                "lost" => c.lost,
                "dup_delivered" => c.dup_delivered,
                "dup_absorbed" => c.dup_absorbed,
                "applied_twice" => c.applied_twice,
                other => {
                    return Err(format!(
                        "counter '{other}' is unknown (sent, delivered, lost, dup_delivered, dup_absorbed, applied_twice)"
                    ))
                }
            };
            Value::Int(i64::from(v))
        }
        Quantity::DedupPeak { technique: t } => Value::Int(i64::from(
            technique(run, t)?
                .dedup_sizes
                .iter()
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(0),
        )),
        Quantity::Is {
            technique: t,
            property,
        } => Value::Bool(has(technique(run, t)?, *property)),
        Quantity::Where { property, among } => {
            let mut out = Vec::new();
            match among {
                Some(ids) => {
                    for id in ids {
                        if has(technique(run, id)?, *property) {
                            out.push(id.clone());
                        }
                    }
                }
                None => out.extend(
                    run.techniques
                        .iter()
                        .filter(|t| has(t, *property))
                        .map(|t| t.id.clone()),
                ),
            }
            out.sort();
            out.dedup();
            Value::Set(out)
        }
        Quantity::Techniques(ids) => {
            for id in ids {
                technique(run, id)?;
            }
            let mut s = ids.clone();
            s.sort();
            s.dedup();
            Value::Set(s)
        }
        Quantity::Const(_) | Quantity::Under { .. } | Quantity::Sum(_) => {
            return Err("internal: composite quantity read from one run".to_string())
        }
    })
}

/// Techniques a quantity reads in the step's own run (for the reveal tick); `None`
/// in the list means "every technique".
fn named(q: &Quantity, out: &mut Vec<Option<String>>) {
    match q {
        Quantity::Balance { technique, .. }
        | Quantity::Entries { technique, .. }
        | Quantity::AppliedTwice { technique }
        | Quantity::Lost { technique }
        | Quantity::Counter { technique, .. }
        | Quantity::DedupPeak { technique }
        | Quantity::Is { technique, .. } => out.push(Some(technique.clone())),
        Quantity::Where {
            among: Some(ids), ..
        } => out.extend(ids.iter().cloned().map(Some)),
        Quantity::Where { among: None, .. } => out.push(None),
        Quantity::Sum(parts) => parts.iter().for_each(|p| named(p, out)),
        Quantity::Truth { .. }
        | Quantity::Const(_)
        | Quantity::Techniques(_)
        | Quantity::Under { .. } => {}
    }
}

/// Counters a quantity reads in the step's own run: a count is given away as soon as
/// it starts to grow, so its reveal is the first tick it is above zero.
fn counters(q: &Quantity, out: &mut Vec<(String, String)>) {
    match q {
        Quantity::Counter { technique, name } => out.push((technique.clone(), name.clone())),
        Quantity::Sum(parts) => parts.iter().for_each(|p| counters(p, out)),
        _ => {}
    }
}

/// The first tick at which counter `name` of `tr` is above zero.
fn counter_first_tick(tr: &TechniqueRun, name: &str) -> Option<Tick> {
    let mut v = View::default();
    for e in &tr.trace {
        v.apply(e);
        let c = &v.counters;
        let n = match name {
            "sent" => c.sent,
            "delivered" => c.delivered,
            "lost" => c.lost,
            "dup_delivered" => c.dup_delivered,
            "dup_absorbed" => c.dup_absorbed,
            _ => c.applied_twice,
        };
        if n > 0 {
            return Some(e.tick);
        }
    }
    None
}

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

/// The setup of step `i`: the lesson's, with the step's laid over it.
pub fn step_setup(lesson: &Lesson, i: usize) -> Setup {
    let base = Setup {
        scenario: Some(lesson.scenario.clone()),
        ..lesson.setup.clone()
    };
    match lesson.steps.get(i) {
        Some(s) => base.overlay(&s.setup),
        None => base,
    }
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
        StepKind::Predict => st.question.iter().collect(),
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

/// Replace `{value}` with the right answer, `{answer}` with the learner's.
pub fn fill(text: &str, value: &str) -> String {
    text.replace("{value}", value)
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
