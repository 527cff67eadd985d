//! Variants of a predict question. A predict step may declare `vary` (a seed range and
//! parameter ranges); variant `k` lays a seed and parameters drawn deterministically
//! from those ranges over the step's setup, recomputes the answer and the options from
//! the new run, and is checked by the validator's own rules for a predict step
//! (`validate::check_predict`). A variant whose question would be degenerate is
//! skipped for a stated reason ([`Skip`]), decided from the computed values before the
//! rules run; anything else the rules find is a failure.

use crate::course::eval::{self, Evaluator, QuestionEval, StepEval, Value};
use crate::course::model::{Expect, Lesson, Quantity, Setup, StepKind, Vary};
use crate::course::validate;
use crate::sim::scenarios;
use std::collections::BTreeMap;

/// Why a variant is not asked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// What the question is about does not happen in this run (no violation to hold
    /// the playback before, no nth message with that fate, …): the step cannot be
    /// evaluated.
    NotInRun,
    /// No option's value equals the answer.
    NoRightOption,
    /// Two or more options equal the answer.
    TwoRightOptions,
    /// Two wrong options have the same value (they would read the same).
    SameDistractors,
    /// The right option is the only one naming its number of techniques, so its form
    /// would give it away (the validator's one-size rule).
    SizeGivesAway,
    /// The answer falls on an option (or a number) written as a misconception: in
    /// this run the question's story is the other way round, and its feedback would
    /// say something false.
    AnswerOnMisconception,
    /// The answer shows at or before the step's start: nothing could be held back.
    NothingHeld,
    /// The run does not meet the step's `vary.premise`: a text of the step asserts
    /// something about the run (the network copies a record, a sender loses a payment)
    /// that this run does not contain.
    PremiseFalse,
    /// The right option's value is the question's own `ask` (right by construction),
    /// and the computed answer differs from the shipped question's: the right
    /// option's feedback, the explain and the distractors' feedback were written for
    /// the shipped answer and would say something false about this run.
    AnswerDrifted,
}

impl Skip {
    pub const ALL: [Skip; 9] = [
        Skip::NotInRun,
        Skip::NoRightOption,
        Skip::TwoRightOptions,
        Skip::SameDistractors,
        Skip::SizeGivesAway,
        Skip::AnswerOnMisconception,
        Skip::NothingHeld,
        Skip::PremiseFalse,
        Skip::AnswerDrifted,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Skip::NotInRun => "not-in-run",
            Skip::NoRightOption => "no-right-option",
            Skip::TwoRightOptions => "two-right-options",
            Skip::SameDistractors => "same-distractors",
            Skip::SizeGivesAway => "size-gives-away",
            Skip::AnswerOnMisconception => "answer-on-misconception",
            Skip::NothingHeld => "nothing-held",
            Skip::PremiseFalse => "premise-false",
            Skip::AnswerDrifted => "answer-drifted",
        }
    }
}

/// A variant that may be asked: the lesson with the step's setup varied and the
/// step's texts filled from the variant's run, and its evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub k: u32,
    /// What was laid over the step's setup (seed and parameters).
    pub over: Setup,
    /// The lesson, step `i` varied and resolved (what the page shows).
    pub lesson: Lesson,
    pub eval: StepEval,
}

/// What became of variant `k`.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Asked(Box<Variant>),
    Skipped(Skip),
    /// The validator's rules refused it (a bug in the lesson's `vary` or the rules).
    Failed(Vec<String>),
}

/// A counter-based mix (splitmix64): the same `(k, salt)` gives the same draw everywhere.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn draw(k: u32, salt: u64, lo: i128, hi: i128) -> i128 {
    let span = (hi - lo + 1).max(1) as u128;
    lo + (u128::from(mix(u64::from(k).wrapping_mul(0x1_0000_0001) ^ mix(salt))) % span) as i128
}

fn salt(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The setting variant `k` lays over the step's setup.
pub fn over(v: &Vary, k: u32) -> Setup {
    let seed = draw(
        k,
        salt("seed"),
        i128::from(v.seeds[0]),
        i128::from(v.seeds[1]),
    ) as u64;
    let params = v
        .params
        .iter()
        .map(|(n, r)| (n.clone(), draw(k, salt(n), r[0].into(), r[1].into()) as i64))
        .collect();
    Setup {
        seed: Some(seed),
        params,
        ..Setup::default()
    }
}

/// Shape problems of a step's `vary`: only on a predict step, a non-empty seed range,
/// parameters of the scenario within their ranges.
pub fn check_vary(l: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for (i, st) in l.steps.iter().enumerate() {
        let Some(v) = &st.vary else { continue };
        let at = format!(
            "lesson '{}' step {} ({}) field `vary`",
            l.id,
            i + 1,
            st.kind.name()
        );
        if st.kind != StepKind::Predict {
            out.push(format!("{at}: only a predict question varies"));
        }
        if v.seeds[0] > v.seeds[1] {
            out.push(format!("{at}.seeds: the range is empty"));
        }
        let sc = st.setup.scenario.as_deref().unwrap_or(&l.scenario);
        let Ok(sc) = scenarios::find(sc) else {
            continue;
        };
        for (n, r) in &v.params {
            match sc.info().params.iter().find(|p| p.name == n.as_str()) {
                None => out.push(format!(
                    "{at}.params: '{n}' is not a parameter of the scenario"
                )),
                Some(p) if r[0] > r[1] || r[0] < p.min || r[1] > p.max => out.push(format!(
                    "{at}.params.{n}: the range must lie within {}..={} and not be empty",
                    p.min, p.max
                )),
                Some(_) => {}
            }
        }
    }
    out
}

/// Step `i` of `l` with its setup varied by `over`, its texts filled from the varied run.
fn varied(ev: &mut Evaluator, l: &Lesson, i: usize, over: &Setup) -> Result<Lesson, String> {
    let mut vl = l.clone();
    let st = &mut vl.steps[i];
    st.setup = st.setup.overlay(over);
    // The lesson's named values read the varied run too (the step is what the page shows).
    let base = eval::step_setup(&vl, i);
    let mut vars = BTreeMap::new();
    for (name, q) in l.values.iter().chain(l.steps[i].values.iter()) {
        let v = ev.value(&l.scenario, &base, q)?;
        let labels = ev
            .run(&l.scenario, &base)?
            .techniques
            .iter()
            .map(|t| (t.id.clone(), t.label.clone()))
            .collect();
        vars.insert(name.clone(), v.show(&labels));
    }
    let st = &mut vl.steps[i];
    let f = |t: &mut String| *t = eval::fill_vars(t, &vars);
    f(&mut st.title);
    f(&mut st.text);
    if let Some(t) = st.explain.as_mut() {
        f(t);
    }
    if let Some(q) = st.question.as_mut() {
        f(&mut q.prompt);
        for o in &mut q.options {
            f(&mut o.label);
            f(&mut o.feedback);
            if let Some(r) = o.refutation.as_mut() {
                f(r);
            }
        }
        for t in [&mut q.right, &mut q.wrong].into_iter().flatten() {
            f(t);
        }
        for m in &mut q.misconceptions {
            f(&mut m.feedback);
        }
    }
    Ok(vl)
}

/// The stated rule a degenerate variant falls under, read from its computed values.
fn degenerate(l: &Lesson, i: usize, se: &StepEval, qe: &QuestionEval) -> Option<Skip> {
    let q = l.steps[i].question.as_ref()?;
    if q.number {
        return qe
            .misconceptions
            .contains(&qe.answer)
            .then_some(Skip::AnswerOnMisconception)
            .or_else(|| {
                se.reveal
                    .filter(|r| *r <= se.start)
                    .map(|_| Skip::NothingHeld)
            });
    }
    let right: Vec<usize> = (0..qe.options.len())
        .filter(|k| qe.options[*k] == qe.answer)
        .collect();
    let same = |a: &Value, b: &Value| a == b && *a != qe.answer;
    let pairs = (0..qe.options.len())
        .flat_map(|a| (a + 1..qe.options.len()).map(move |b| (a, b)))
        .any(|(a, b)| same(&qe.options[a], &qe.options[b]));
    match right.as_slice() {
        [] => Some(Skip::NoRightOption),
        [_, _, ..] => Some(Skip::TwoRightOptions),
        _ if pairs => Some(Skip::SameDistractors),
        [k] if matches!(&qe.answer, Value::Set(r) if !qe.options.iter().enumerate().any(
            |(o, v)| o != *k && matches!(v, Value::Set(x) if x.len() == r.len()))) =>
        {
            Some(Skip::SizeGivesAway)
        }
        [k] if q.options[*k].misconception.is_some()
            || q.options[*k].misconception_id.is_some() =>
        {
            Some(Skip::AnswerOnMisconception)
        }
        _ => se
            .reveal
            .filter(|r| *r <= se.start)
            .map(|_| Skip::NothingHeld),
    }
}

/// Variant `k` of predict step `i` of `l`: asked, skipped for a stated reason, or refused.
pub fn variant(ev: &mut Evaluator, l: &Lesson, i: usize, k: u32) -> Outcome {
    let Some(v) = l.steps.get(i).and_then(|s| s.vary.as_ref()) else {
        return Outcome::Failed(vec![format!("step {} does not vary", i + 1)]);
    };
    let over = over(v, k);
    let mut vl = match varied(ev, l, i, &over) {
        Ok(x) => x,
        Err(_) => return Outcome::Skipped(Skip::NotInRun),
    };
    let se = match eval::step(ev, &vl, i) {
        Ok(x) => x,
        Err(_) => return Outcome::Skipped(Skip::NotInRun),
    };
    let Some(qe) = se.questions.first() else {
        return Outcome::Failed(vec![format!("step {} has no question", i + 1)]);
    };
    let base = eval::step_setup(&vl, i);
    for g in &v.premise {
        match ev.goal_met(&l.scenario, &base, g) {
            Ok(true) => {}
            Ok(false) => return Outcome::Skipped(Skip::PremiseFalse),
            Err(e) => return Outcome::Failed(vec![format!("vary.premise: {e}")]),
        }
    }
    if let Some(s) = degenerate(&vl, i, &se, qe) {
        return Outcome::Skipped(s);
    }
    if self_answering(l, i) {
        match eval::step(ev, l, i) {
            Ok(shipped) if shipped.questions.first().map(|q| &q.answer) == Some(&qe.answer) => {}
            Ok(_) => return Outcome::Skipped(Skip::AnswerDrifted),
            Err(e) => return Outcome::Failed(vec![format!("the shipped question: {e}")]),
        }
    }
    // Double entry is for the shipped seed: a variant's expectation is its computed
    // answer (the other rules run unchanged).
    if let Some(q) = vl.steps[i].question.as_mut() {
        q.expect = Some(match (q.number, &qe.answer, qe.right) {
            (true, Value::Int(n), _) => Expect::Number(*n),
            (_, _, Some(r)) => Expect::Option(q.options[r].id.clone()),
            _ => return Outcome::Skipped(Skip::NoRightOption),
        });
    }
    // The rules read the steps up to this one (the texts that set it up).
    let upto = Lesson {
        steps: vl.steps[..=i].to_vec(),
        ..vl.clone()
    };
    let errs = validate::check_predict(ev, &upto, i, &se);
    if !errs.is_empty() {
        return Outcome::Failed(errs);
    }
    Outcome::Asked(Box::new(Variant {
        k,
        over,
        lesson: vl,
        eval: se,
    }))
}

/// Whether step `i`'s question asks for a set of techniques (`where`) and has an
/// option whose value is that `ask`: the option is right whatever the run, and its
/// feedback, the explain and the other options' feedback describe the shipped set, so
/// only the shipped answer keeps them true. (A number option equal to the `ask` is
/// filled from the run and may change.)
pub fn self_answering(l: &Lesson, i: usize) -> bool {
    l.steps[i].question.as_ref().is_some_and(|q| {
        matches!(q.ask, Quantity::Where { .. }) && q.options.iter().any(|o| o.value == q.ask)
    })
}

/// The first variant from `k` on that is asked (at most `tries` looked at).
pub fn next_asked(ev: &mut Evaluator, l: &Lesson, i: usize, k: u32, tries: u32) -> Option<Variant> {
    (k..k.saturating_add(tries)).find_map(|x| match variant(ev, l, i, x) {
        Outcome::Asked(v) => Some(*v),
        _ => None,
    })
}

/// Why a predict question does not vary. The native test `practice` checks each
/// reason against the question.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fixed {
    /// Varying its seed, this rule would skip more than the allowed share.
    Skips(Skip),
    /// Its run does not depend on the seed: every variant would be the same question.
    SameRun,
    /// Its answer is a count the run's dice decide (how many were lost, repeated or
    /// written): the lesson's learner reads it off the stage, the practice page has no
    /// stage, and stating what the count depends on would give the answer away.
    RandomCount,
}

/// The predict questions that do not vary, each with its reason (lesson id, step from
/// 1, reason, why in words). The native test `practice` checks that every predict
/// question without `vary` is listed here, and that each reason holds.
pub const FIXED: &[(&str, usize, Fixed, &str)] = &[
    (
        "two-generals",
        2,
        Fixed::Skips(Skip::AnswerOnMisconception),
        "its story is a split: in most runs the several-messenger generals agree, and then \
         the right answer is the option written as the misconception that more \
         acknowledgements give certainty",
    ),
    (
        "two-generals",
        5,
        Fixed::Skips(Skip::TwoRightOptions),
        "in most runs of the dangerous valley the set of strategies that agree is none or \
         all of them, which are written as options of their own, so two options would be right",
    ),
    (
        "telemetry",
        2,
        Fixed::RandomCount,
        "the answer is how many samples the network's dice drop in the run",
    ),
    (
        "walkthrough",
        2,
        Fixed::SameRun,
        "the walkthrough's first run does not depend on its seed: every variant would be the \
         same question",
    ),
    (
        "atomic-commit",
        5,
        Fixed::RandomCount,
        "the answer is how many payments the run's crashes make the ledger-first design \
         apply again",
    ),
    (
        "quarter-end",
        3,
        Fixed::RandomCount,
        "the answer is how many entries the as-built ledger holds, which depends on when \
         the run's dice start the worker's pause",
    ),
];

/// The predict steps of a lesson that vary.
pub fn varying_steps(l: &Lesson) -> Vec<usize> {
    l.steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == StepKind::Predict && s.vary.is_some())
        .map(|(i, _)| i)
        .collect()
}

/// What the practice page says instead of a step's lines about the stage.
pub const PRACTICE_LINE: &str = "Predict, then replay the run to check.";

/// A predict step's text as the practice page shows it: the page has no stage or
/// playback, so sentences about the playback, the run being held or predicting before
/// the run shows it are left out, and [`PRACTICE_LINE`] follows what is left.
pub fn practice_text(text: &str) -> String {
    const STAGE: &[&str] = &[
        "playback",
        "held",
        "predict",
        "guess",
        "commit to an answer",
        "before the run",
        "look at",
    ];
    let mut kept = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for (i, c) in text.char_indices() {
        let end = matches!(c, '.' | '!' | '?') && (i + 1 == b.len() || b[i + 1] == b' ');
        if end {
            kept.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if start < text.len() {
        kept.push(text[start..].trim());
    }
    let mut out: Vec<&str> = kept
        .into_iter()
        .filter(|s| {
            let l = s.to_lowercase();
            !s.is_empty() && !STAGE.iter().any(|w| l.contains(w))
        })
        .collect();
    out.push(PRACTICE_LINE);
    out.join(" ")
}

#[cfg(test)]
mod practice_text_tests {
    use super::*;

    #[test]
    fn stage_sentences_are_left_out() {
        assert_eq!(
            practice_text(
                "The playback is held before the TTL table's first mistake, if it makes one."
            ),
            PRACTICE_LINE
        );
        assert_eq!(
            practice_text(
                "The network drops a small share of datagrams. Guess before the run shows it."
            ),
            format!("The network drops a small share of datagrams. {PRACTICE_LINE}")
        );
        let kept = "Now the consumer crashes often over more payments.";
        assert_eq!(practice_text(kept), format!("{kept} {PRACTICE_LINE}"));
    }
}
