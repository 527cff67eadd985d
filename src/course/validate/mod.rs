//! Checking a lesson file: its shape (fields, kinds, counts, text length) and its
//! agreement with the simulator (every right answer, every distractor, every reveal
//! and try goal computed from a run). Every message names the step and the field.

use super::eval::{self, Evaluator};
use super::model::{Lesson, Question, StepKind, FORMAT};

mod agree;
mod format;
mod hints;
mod prose;
mod variant;

mod build;
mod closing;
pub use closing::core_len;
use format::is_kebab;
pub use format::{kebab, migrate, parse_report, FORMAT_2_ADDED};
pub use hints::{already_watched, answer_hints, ANSWER_PHRASES};
use prose::unknown_placeholders;
pub use prose::{
    free_numbers, lesson_texts, lesson_words, sentences, words, NUMBER_ALLOW, NUMBER_WORDS,
};
pub use variant::check_predict;

/// (id, field, refutation, misconception text) of a wrong answer.
pub(crate) type MisId = (String, String, Option<String>, Option<String>);
use crate::sim::params::Params;
use crate::sim::scenarios;

/// The largest lesson file accepted.
pub const MAX_BYTES: usize = 64 * 1024;
pub const MIN_STEPS: usize = 4;
pub const MAX_STEPS: usize = 8;

/// Parse a lesson file. A serde error is reported with the field it happened in.
pub fn parse(text: &str) -> Result<Lesson, String> {
    parse_report(text).map(|(l, _)| l)
}

/// Options for stricter rules on the built-in course.
#[derive(Copy, Clone, Debug, Default)]
pub struct Rules {
    /// Built-in lessons: the last step is a recall with three questions, one about
    /// an earlier lesson's scenario; every wrong option names its misconception.
    pub course: bool,
}

/// Check a parsed lesson: shape and simulator agreement. Returns every problem.
pub fn check(l: &Lesson, rules: Rules) -> Vec<String> {
    let mut errs = Vec::new();
    let mut e = |where_: String, msg: String| errs.push(format!("{where_}: {msg}"));
    let lid = format!("lesson '{}'", l.id);
    if l.id.is_empty()
        || !l
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        e(
            format!("{lid} field `id`"),
            "must be lowercase letters, digits and '-'".into(),
        );
    }
    if l.title.trim().is_empty() {
        e(format!("{lid} field `title`"), "is empty".into());
    }
    let Ok(sc) = scenarios::find(&l.scenario) else {
        e(
            format!("{lid} field `scenario`"),
            format!(
                "'{}' is not a scenario (one of {})",
                l.scenario,
                scenarios::ids().join(", ")
            ),
        );
        return errs;
    };
    // After the recall a lesson may end with a predict-space step and a build step, in
    // that order (each optional); they do not count against the lesson's length.
    let core = core_len(l);
    if !(MIN_STEPS..=MAX_STEPS).contains(&core) {
        e(
            format!("{lid} field `steps`"),
            format!("has {core} steps (besides a closing predict-space or build step); a lesson has {MIN_STEPS} to {MAX_STEPS}"),
        );
    }
    let count = |k: StepKind| l.steps.iter().filter(|s| s.kind == k).count();
    if count(StepKind::Predict) < 2 {
        e(
            format!("{lid} field `steps`"),
            format!(
                "has {} predict steps; at least 2 are needed",
                count(StepKind::Predict)
            ),
        );
    }
    if count(StepKind::Try) < 1 {
        e(
            format!("{lid} field `steps`"),
            "has no try step; at least 1 is needed".into(),
        );
    }
    if rules.course {
        // A predict-space step and then a build step may follow the recall, as the
        // lesson's last steps.
        let (recall, n) = (core.checked_sub(1).and_then(|k| l.steps.get(k)), core);
        for (i, st) in l.steps.iter().enumerate() {
            let closing = i >= core;
            if (st.kind == StepKind::PredictSpace || st.kind == StepKind::Build) && !closing {
                e(
                    format!("{lid} step {} ({})", i + 1, st.kind.name()),
                    "comes after the recall, as one of the lesson's last steps (a predict-space step, then a build step)".into(),
                );
            }
        }
        match recall {
            Some(s) if s.kind == StepKind::Recall => {
                let pos = scenarios::ids()
                    .iter()
                    .position(|x| *x == l.scenario)
                    .unwrap_or(0);
                let earlier = s.questions.iter().any(|q| {
                    q.setup
                        .as_ref()
                        .and_then(|x| x.scenario.as_deref())
                        .and_then(|x| scenarios::ids().iter().position(|y| *y == x))
                        .is_some_and(|p| p < pos)
                });
                if pos > 0 && !earlier {
                    e(
                        format!("{lid} step {n} (recall) field `questions`"),
                        "needs a question about an earlier lesson's scenario (setup.scenario)"
                            .into(),
                    );
                }
            }
            _ => e(
                format!("{lid} field `steps`"),
                "the last step of a course lesson is a recall step".into(),
            ),
        }
    }
    // The lesson's setup must be a valid run.
    check_setup(
        &mut e,
        &format!("{lid} field `setup`"),
        &l.scenario,
        &l.setup,
    );
    if rules.course {
        if l.format != Some(FORMAT) {
            e(
                format!("{lid} field `format`"),
                format!("a course lesson is written in format {FORMAT}"),
            );
        }
        if l.takeaway.as_deref().is_none_or(|t| t.trim().is_empty()) {
            e(
                format!("{lid} field `takeaway`"),
                "a course lesson ends with a one-line takeaway".into(),
            );
        }
        for (i, st) in l.steps.iter().enumerate() {
            if st.kind == StepKind::Watch
                && l.steps.get(i + 1).map(|s| s.kind) != Some(StepKind::Observe)
            {
                e(
                    format!("{lid} step {} (watch)", i + 2),
                    "a watch step is followed by an observe step".into(),
                );
            }
        }
        for p in free_numbers(l) {
            e(lid.clone(), p);
        }
        let mut ev = Evaluator::new();
        for (at, p) in answer_hints(&mut ev, l)
            .into_iter()
            .chain(already_watched(&mut ev, l))
        {
            e(at, p);
        }
    }
    for p in unknown_placeholders(l) {
        e(lid.clone(), p);
    }
    for p in super::practice::check_vary(l) {
        e(lid.clone(), p);
    }
    let mut mis_ids: Vec<MisId> = Vec::new();
    let mut ev = Evaluator::new();
    for (i, st) in l.steps.iter().enumerate() {
        let at = format!("{lid} step {} ({})", i + 1, st.kind.name());
        if st.title.trim().is_empty() {
            e(format!("{at} field `title`"), "is empty".into());
        }
        let s = sentences(&st.text);
        if st.text.trim().is_empty() || s > 4 || st.text.len() > 700 {
            e(
                format!("{at} field `text`"),
                format!(
                    "has {s} sentences ({} characters); write 1 to 4 sentences",
                    st.text.len()
                ),
            );
        }
        if st.space.is_some() && st.kind != StepKind::PredictSpace {
            e(
                format!("{at} field `space`"),
                format!("does not belong to a {} step", st.kind.name()),
            );
        }
        let setup = eval::step_setup(l, i);
        if !check_setup(
            &mut e,
            &format!("{at} field `setup`"),
            &l.scenario,
            &st.setup,
        ) {
            continue;
        }
        let need = |f: bool, name: &str, e: &mut dyn FnMut(String, String)| {
            if !f {
                e(
                    format!("{at} field `{name}`"),
                    format!("is required for a {} step", st.kind.name()),
                );
            }
        };
        let forbid = |f: bool, name: &str, e: &mut dyn FnMut(String, String)| {
            if f {
                e(
                    format!("{at} field `{name}`"),
                    format!("does not belong to a {} step", st.kind.name()),
                );
            }
        };
        match st.kind {
            StepKind::Read => {
                forbid(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
            }
            StepKind::Watch => forbid(st.question.is_some(), "question", &mut e),
            StepKind::Predict => need(st.question.is_some(), "question", &mut e),
            StepKind::Observe => {
                need(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
                if eval::watched(l, i).is_none() {
                    e(
                        format!("{at} field `kind`"),
                        "an observe step comes right after a watch step".into(),
                    );
                }
            }
            StepKind::Try => {
                need(st.goal.is_some(), "goal", &mut e);
                need(st.hint.is_some(), "hint", &mut e);
                need(st.show_me.is_some(), "show_me", &mut e);
                need(st.success.is_some(), "success", &mut e);
            }
            StepKind::Build => {
                forbid(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
                match build::challenge_problem(st.challenge.as_deref()) {
                    Some(None) => need(false, "challenge", &mut e),
                    Some(Some(p)) => e(format!("{at} field `challenge`"), p),
                    None => {}
                }
            }
            StepKind::PredictSpace => {
                forbid(st.question.is_some(), "question", &mut e);
                forbid(st.goal.is_some(), "goal", &mut e);
                match st.space.as_deref() {
                    None => need(false, "space", &mut e),
                    Some(id) => {
                        if let Some(p) = closing::space_problem(id, &l.scenario) {
                            e(format!("{at} field `space`"), p);
                        }
                    }
                }
            }
            StepKind::Recall => {
                if st.questions.len() != 3 && rules.course {
                    e(
                        format!("{at} field `questions`"),
                        format!("has {}; a recall step asks 3", st.questions.len()),
                    );
                }
                need(!st.questions.is_empty(), "questions", &mut e);
            }
        }
        // Shape of each question.
        let qs: Vec<(String, &Question)> = match st.kind {
            StepKind::Predict | StepKind::Observe => st
                .question
                .iter()
                .map(|q| ("question".to_string(), q))
                .collect(),
            StepKind::Recall => st
                .questions
                .iter()
                .enumerate()
                .map(|(k, q)| (format!("questions[{k}]"), q))
                .collect(),
            _ => Vec::new(),
        };
        for (f, q) in &qs {
            let qa = format!("{at} field `{f}");
            if q.prompt.trim().is_empty() {
                e(format!("{qa}.prompt`"), "is empty".into());
            }
            if let Some(s) = &q.setup {
                check_setup(&mut e, &format!("{qa}.setup`"), &l.scenario, s);
            }
            if q.number != q.options.is_empty() {
                e(
                    format!("{qa}.options`"),
                    "give either 2 to 6 options or \"number\": true".into(),
                );
            } else if !q.number && !(2..=6).contains(&q.options.len()) {
                e(
                    format!("{qa}.options`"),
                    format!("has {}; give 2 to 6", q.options.len()),
                );
            }
            let mut ids: Vec<&str> = Vec::new();
            for (k, o) in q.options.iter().enumerate() {
                if o.id.is_empty() || ids.contains(&o.id.as_str()) {
                    e(
                        format!("{qa}.options[{k}].id`"),
                        format!("'{}' is empty or used twice", o.id),
                    );
                }
                ids.push(&o.id);
                if o.label.trim().is_empty() || o.feedback.trim().is_empty() {
                    e(
                        format!("{qa}.options[{k}]`"),
                        "needs a label and feedback".into(),
                    );
                }
            }
            if q.number && q.right.is_none() {
                e(
                    format!("{qa}.right`"),
                    "a number question needs feedback for the right number".into(),
                );
            }
        }
        // Agreement with the simulator.
        let se = match eval::step(&mut ev, l, i) {
            Ok(x) => x,
            Err(why) => {
                e(at.clone(), why);
                continue;
            }
        };
        agree::questions(&mut e, &mut ev, l, i, rules, &se, &qs, &mut mis_ids);
        if let (Some(r), StepKind::Predict) = (se.reveal, st.kind) {
            if r <= se.start {
                e(format!("{at} field `reveal`"), format!("the answer shows at tick {r}, not after the step's start (tick {}): nothing could be held back", se.start));
            }
        }
        if let Some(stop) = se.stop {
            if stop <= se.start {
                e(
                    format!("{at} field `to`"),
                    format!("tick {stop} is not after `from` (tick {})", se.start),
                );
            }
        }
        if let (Some(goal), Some(show)) = (&st.goal, &st.show_me) {
            match ev.goal_met(&l.scenario, &setup, goal) {
                Ok(true) => e(
                    format!("{at} field `goal`"),
                    "already holds at the step's starting setting: nothing to try".into(),
                ),
                Ok(false) => {}
                Err(why) => e(format!("{at} field `goal`"), why),
            }
            if check_setup(&mut e, &format!("{at} field `show_me`"), &l.scenario, show) {
                match ev.goal_met(&l.scenario, &setup.overlay(show), goal) {
                    Ok(true) => {}
                    Ok(false) => e(
                        format!("{at} field `show_me`"),
                        "this setting does not reach the goal".into(),
                    ),
                    Err(why) => e(format!("{at} field `show_me`"), why),
                }
            }
        }
    }
    // An id names one misconception in the lesson: it may come back (a recall asks
    // about it again) only with the same text and refutation.
    for (k, (id, field, refutation, text)) in mis_ids.iter().enumerate() {
        if !is_kebab(id) {
            e(
                field.clone(),
                format!("'{id}' is not a short kebab-case id"),
            );
        }
        if let Some((_, first, r0, t0)) = mis_ids[..k].iter().find(|(x, ..)| x == id) {
            if r0 != refutation || t0 != text {
                e(
                    field.clone(),
                    format!("'{id}' already names a different misconception at {first}; one id, one misconception (same text and refutation) per lesson"),
                );
            }
        }
        if rules.course && refutation.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e(
                field.replace("misconception_id`", "refutation`"),
                format!("misconception '{id}' needs a one-line refutation"),
            );
        }
    }
    let _ = sc;
    errs
}

/// A setup's params, faults and technique must fit its scenario. Returns whether usable.
fn check_setup(
    e: &mut impl FnMut(String, String),
    at: &str,
    default_scenario: &str,
    s: &crate::course::model::Setup,
) -> bool {
    let scenario = s.scenario.as_deref().unwrap_or(default_scenario);
    let sc = match scenarios::find(scenario) {
        Ok(x) => x,
        Err(_) => {
            e(
                format!("{at}.scenario"),
                format!("'{scenario}' is not a scenario"),
            );
            return false;
        }
    };
    let params: Vec<(String, i64)> = s.params.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if let Err(why) = Params::with(sc.info().params, &params) {
        e(format!("{at}.params"), why.to_string());
        return false;
    }
    if let Err(why) = eval::config(default_scenario, s) {
        e(format!("{at}.faults"), why);
        return false;
    }
    true
}

/// Parse and check a lesson file (what a teacher's import goes through).
pub fn load(text: &str) -> Result<Lesson, Vec<String>> {
    load_report(text).map(|(l, _)| l)
}

/// `load`, with the warnings an accepted file earned (the lesson comes back with its
/// `{ $name }` placeholders filled, as the page shows it): a migrated older format,
/// questions without `expect`, free numbers in its prose (refused in the course,
/// only warned about in a teacher's own file).
pub fn load_report(text: &str) -> Result<(Lesson, Vec<String>), Vec<String>> {
    let (l, mut warnings) = parse_report(text).map_err(|e| vec![e])?;
    let errs = check(&l, Rules::default());
    if !errs.is_empty() {
        return Err(errs);
    }
    let missing = l
        .steps
        .iter()
        .flat_map(|s| s.question.iter().chain(s.questions.iter()))
        .filter(|q| q.expect.is_none())
        .count();
    if missing > 0 && l.format == Some(FORMAT) && warnings.is_empty() {
        warnings.push(format!(
            "{missing} question(s) have no `expect`: their answers come from the simulator alone, unchecked by a second entry"
        ));
    }
    warnings.extend(free_numbers(&l));
    // What the page shows: `{ $name }` placeholders filled from the lesson's runs.
    let l = eval::resolve(&mut Evaluator::new(), &l).unwrap_or(l);
    Ok((l, warnings))
}
