//! Practice variants: every varying predict question of every lesson, 1,000 variants
//! each (`PRACTICE_VARIANTS` to change), asked only if the validator's predict rules
//! pass, else skipped for a stated reason; a question skipping more than 20% fails.

use eop::course::eval::Evaluator;
use eop::course::practice::{self, Outcome, Skip};
use eop::course::validate;
use eop::course::FILES;
use std::collections::BTreeMap;
use std::time::Instant;

fn variants() -> u32 {
    std::env::var("PRACTICE_VARIANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// The lesson files: compiled in, or read from `src/course/lessons` when
/// `PRACTICE_FROM_DISK` is set (to tune a `vary` without rebuilding).
fn files() -> Vec<(String, String)> {
    FILES
        .iter()
        .map(|(name, text)| {
            let t = match std::env::var("PRACTICE_FROM_DISK") {
                Ok(_) => std::fs::read_to_string(format!(
                    "{}/src/course/lessons/{name}",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .expect("lesson file"),
                Err(_) => text.to_string(),
            };
            (name.to_string(), t)
        })
        .collect()
}

#[test]
fn every_variant_passes_the_validator_or_is_skipped_by_rule() {
    let n = variants();
    let mut problems = Vec::new();
    let mut varying = 0;
    let only = std::env::var("PRACTICE_ONLY").unwrap_or_default();
    for (name, text) in files() {
        if !name.contains(&only) {
            continue;
        }
        let l = validate::parse(&text).expect("parses");
        for i in practice::varying_steps(&l) {
            varying += 1;
            let t = Instant::now();
            let mut ev = Evaluator::new();
            let mut skipped: BTreeMap<Skip, u32> = BTreeMap::new();
            for k in 0..n {
                match practice::variant(&mut ev, &l, i, k) {
                    Outcome::Asked(_) => {}
                    Outcome::Skipped(s) => *skipped.entry(s).or_default() += 1,
                    Outcome::Failed(errs) => {
                        problems.push(format!(
                            "{name} step {} variant {k}: {}",
                            i + 1,
                            errs.join("; ")
                        ));
                        break;
                    }
                }
            }
            let total: u32 = skipped.values().sum();
            let share = f64::from(total) / f64::from(n);
            let v = l.steps[i].vary.as_ref().expect("varies");
            println!(
                "{:<28} step {:>2}  seeds {}..={} params {:?}  skipped {:>5.1}% {:?}  ({} ms)",
                l.id,
                i + 1,
                v.seeds[0],
                v.seeds[1],
                v.params,
                100.0 * share,
                skipped
                    .iter()
                    .map(|(s, c)| format!("{} {c}", s.name()))
                    .collect::<Vec<_>>(),
                t.elapsed().as_millis()
            );
            if share > 0.2 {
                problems.push(format!(
                    "{name} step {}: {:.1}% of variants skipped (more than 20%)",
                    i + 1,
                    100.0 * share
                ));
            }
        }
    }
    assert!(
        varying >= 20 || !only.is_empty(),
        "only {varying} predict questions vary"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A predict question without `vary` is one that cannot vary honestly: it is listed in
/// `practice::FIXED` with its reason, and the reason holds: a stated skip rule does skip
/// more than the allowed share of seed-only variants; a run said not to depend on its
/// seed gives the same checksum at other seeds; a random count is a number question.
#[test]
fn a_question_that_does_not_vary_says_which_rule_would_skip_it() {
    use eop::course::model::{StepKind, Vary};
    use eop::course::practice::Fixed;
    let mut fixed = Vec::new();
    for (name, text) in files() {
        let l = validate::parse(&text).expect("parses");
        for (i, st) in l.steps.iter().enumerate() {
            if st.kind == StepKind::Predict && st.vary.is_none() {
                fixed.push((l.id.clone(), i + 1));
                let (_, _, reason, _) = practice::FIXED
                    .iter()
                    .find(|(id, step, ..)| *id == l.id && *step == i + 1)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name} step {}: no `vary` and not in practice::FIXED",
                            i + 1
                        )
                    });
                let mut probe = l.clone();
                probe.steps[i].vary = Some(Vary {
                    seeds: [1, 100_000],
                    params: Default::default(),
                    premise: Vec::new(),
                });
                match *reason {
                    Fixed::Skips(rule) => {
                        let mut ev = Evaluator::new();
                        let n = 300;
                        let by_rule = (0..n)
                            .filter(|k| {
                                practice::variant(&mut ev, &probe, i, *k) == Outcome::Skipped(rule)
                            })
                            .count();
                        let share = by_rule as f64 / f64::from(n);
                        println!(
                            "{:<28} step {:>2}  does not vary: {:.1}% of seed-only variants {}",
                            l.id,
                            i + 1,
                            100.0 * share,
                            rule.name()
                        );
                        assert!(
                            share > 0.2,
                            "{name} step {}: only {:.1}% skipped as {}: it could vary",
                            i + 1,
                            100.0 * share,
                            rule.name()
                        );
                    }
                    Fixed::SameRun => {
                        let mut ev = Evaluator::new();
                        let sums: std::collections::BTreeSet<u64> = (0..20)
                            .map(|k| {
                                let s = practice::over(probe.steps[i].vary.as_ref().unwrap(), k);
                                let mut varied = eop::course::eval::step_setup(&l, i);
                                varied.seed = s.seed;
                                ev.run(&l.scenario, &varied).expect("run").checksum()
                            })
                            .collect();
                        assert_eq!(
                            sums.len(),
                            1,
                            "{name} step {}: said not to depend on its seed, but it does",
                            i + 1
                        );
                    }
                    Fixed::RandomCount => assert!(
                        st.question.as_ref().is_some_and(|q| q.number),
                        "{name} step {}: said to ask a count, but is not a number question",
                        i + 1
                    ),
                }
            }
        }
    }
    let listed: Vec<(String, usize)> = practice::FIXED
        .iter()
        .map(|(id, step, ..)| (id.to_string(), *step))
        .collect();
    assert_eq!(
        fixed, listed,
        "practice::FIXED lists exactly the questions that do not vary"
    );
}

#[test]
fn a_variant_is_the_same_question_with_a_new_run() {
    let (_, text) = FILES
        .iter()
        .find(|(n, _)| n.contains("telemetry"))
        .expect("lesson");
    let l = validate::parse(text).expect("parses");
    let i = practice::varying_steps(&l)[0];
    let mut ev = Evaluator::new();
    let a = practice::next_asked(&mut ev, &l, i, 0, 50).expect("a variant is asked");
    let b = practice::next_asked(&mut ev, &l, i, a.k + 1, 50).expect("another");
    assert_ne!(a.over.seed, b.over.seed, "variants differ in seed");
    // Deterministic: the same k gives the same variant.
    let again = practice::next_asked(&mut ev, &l, i, a.k, 1).expect("same");
    assert_eq!(again.over, a.over);
    assert_eq!(again.eval.questions, a.eval.questions);
    // Same prompt and options as the shipped question.
    let q0 = l.steps[i].question.as_ref().unwrap();
    let q1 = a.lesson.steps[i].question.as_ref().unwrap();
    assert_eq!(q0.options.len(), q1.options.len());
    assert_eq!(q0.ask, q1.ask);
}

#[test]
fn a_degenerate_variant_is_skipped_not_asked() {
    // Two distractors made to compute the same value: every variant is skipped for
    // that stated reason, never asked.
    let (_, text) = FILES
        .iter()
        .find(|(n, _)| n.contains("telemetry"))
        .expect("lesson");
    let mut l = validate::parse(text).expect("parses");
    let i = *practice::varying_steps(&l).last().expect("varies");
    let q = l.steps[i].question.as_mut().unwrap();
    q.options[1].value = q.options[0].value.clone();
    let mut ev = Evaluator::new();
    for k in 0..5 {
        assert_eq!(
            practice::variant(&mut ev, &l, i, k),
            Outcome::Skipped(Skip::SameDistractors),
            "variant {k}"
        );
    }
}

#[test]
fn vary_is_checked_by_the_validator() {
    let (_, text) = FILES
        .iter()
        .find(|(n, _)| n.contains("telemetry"))
        .expect("lesson");
    let mut l = validate::parse(text).expect("parses");
    let i = practice::varying_steps(&l)[0];
    l.steps[i]
        .vary
        .as_mut()
        .unwrap()
        .params
        .insert("nope".into(), [1, 2]);
    l.steps[0].vary = l.steps[i].vary.clone();
    let errs = practice::check_vary(&l).join("\n");
    assert!(errs.contains("'nope' is not a parameter"), "{errs}");
    assert!(errs.contains("only a predict question varies"), "{errs}");
}

#[test]
fn can_it_ever_happen_answered_by_the_exhaustive_check() {
    use eop::course::practice::QUESTIONS;
    let mut scenarios = std::collections::BTreeSet::new();
    let mut both = std::collections::BTreeMap::<&str, (bool, bool)>::new();
    for q in QUESTIONS {
        let t = Instant::now();
        let a = q.answer().expect("answers");
        let ms = t.elapsed().as_millis();
        println!(
            "{:<24} {:<16} {} -> {} ({} schedules, finished {}, {ms} ms) {}",
            q.id,
            q.scenario,
            q.prompt(&a.label, &a.assumptions),
            if a.can { "yes" } else { "no" },
            a.checked,
            a.finished,
            a.smallest.as_ref().map_or(String::new(), |s| s.0.clone())
        );
        assert_eq!(
            a.can, q.expect,
            "{}: the check disagrees with the author",
            q.id
        );
        assert!(a.finished, "{}: every schedule checked", q.id);
        assert!(!a.assumptions.is_empty());
        // What the learner is shown before answering is the check's own model, and the
        // prompt names every fault kind in it.
        assert_eq!(
            q.assumptions().as_deref(),
            Ok(a.assumptions.as_str()),
            "{}",
            q.id
        );
        let shown = q.shown_assumptions().expect("shown");
        let prompt = q.prompt(&a.label, &a.assumptions);
        let kinds = practice::fault_kinds(q.k, &a.assumptions);
        assert!(!kinds.is_empty(), "{}: {}", q.id, a.assumptions);
        assert_eq!(
            shown[0],
            format!(
                "Faults the check places (at most {} in a schedule): {}.",
                q.k,
                kinds.join("; ")
            )
        );
        for kind in &kinds {
            assert!(
                prompt.contains(kind.as_str()),
                "{}: {prompt} names {kind}",
                q.id
            );
        }
        println!("    {}", shown.join(" "));
        assert_eq!(
            a.can,
            a.smallest.is_some(),
            "{}: yes comes with a counterexample",
            q.id
        );
        if let Some((_, cfg)) = &a.smallest {
            // The counterexample breaks on replay.
            let r = eop::sim::scenarios::run(q.scenario, cfg).expect("replays");
            let tr = r.technique(q.technique).expect("technique");
            assert!(
                tr.verdict.first_violation.is_some(),
                "{}: replay breaks",
                q.id
            );
        }
        assert_eq!(
            q.shows.len() + q.params.len(),
            a.settings.len()
                + q.shows
                    .iter()
                    .filter(|n| q.params.iter().any(|(m, _)| m == *n))
                    .count()
        );
        scenarios.insert(q.scenario);
        let e = both.entry(q.scenario).or_default();
        if a.can {
            e.0 = true;
        } else {
            e.1 = true;
        }
    }
    assert!(scenarios.len() >= 5, "{scenarios:?}");
    let two_ways = both.values().filter(|(y, n)| *y && *n).count();
    assert!(
        two_ways >= 2,
        "answered both ways on at least two scenarios: {both:?}"
    );
}

/// The idempotent producer's "no" holds only because the check never restarts the
/// producer: the question says so before it is answered, and its sibling's breaking
/// run is credited to the crash set by hand, not "no fault needed".
#[test]
fn idempotent_producer_questions_state_what_the_check_leaves_out() {
    use eop::course::practice::QUESTIONS;
    let q = QUESTIONS
        .iter()
        .find(|q| q.id == "idempotent-producer")
        .expect("question");
    let a = q.assumptions().expect("assumptions");
    assert!(!a.contains("crash"), "the check places no crash: {a}");
    let shown = q.shown_assumptions().expect("shown").join(" ");
    assert!(
        shown.contains("Not placed: a crash or restart of the producer"),
        "{shown}"
    );
    let prompt = q.prompt(&q.label(), &a);
    assert!(prompt.contains("each a lost transmission"), "{prompt}");

    let r = QUESTIONS
        .iter()
        .find(|q| q.id == "idempotent-producer-restart")
        .expect("question");
    let ans = r.answer().expect("answers");
    let (words, _) = ans.smallest.expect("breaks");
    assert!(
        words.contains("with a producer crash set by hand"),
        "{words}"
    );
    assert!(!words.contains("no fault needed"), "{words}");
    let prompt = r.prompt(&ans.label, &ans.assumptions);
    assert!(
        prompt.starts_with("With a producer crash set by hand and at most"),
        "{prompt}"
    );
}

/// Both dedup-window questions show the TTL and the longest copy delay, at the
/// values the check runs with.
#[test]
fn dedup_window_questions_show_ttl_and_delay() {
    use eop::course::practice::QUESTIONS;
    let sc = eop::sim::scenarios::find("dedup-window").expect("scenario");
    for id in ["ttl-shorter-than-delay", "ttl-longer-than-delay"] {
        let q = QUESTIONS.iter().find(|q| q.id == id).expect("question");
        let shown = q.settings().join(", ");
        let mut values = Vec::new();
        for name in ["ttl_ticks", "dup_delay_max_ticks"] {
            let p = sc
                .info()
                .params
                .iter()
                .find(|p| p.name == name)
                .expect("param");
            let v = q
                .params
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(p.default, |(_, v)| *v);
            assert!(
                shown.contains(&format!("{}: {v} ", p.label)),
                "{id}: {shown}"
            );
            values.push(v);
        }
        // The answer the settings point to: a TTL shorter than the delay can break.
        assert_eq!(q.expect, values[0] < values[1], "{id}: {shown}");
    }
}

/// The practice page has no stage: no varying question's shown text speaks of the
/// playback or the run being held.
#[test]
fn practice_text_never_speaks_of_the_stage() {
    let mut n = 0;
    for (name, text) in files() {
        let l = validate::parse(&text).expect("parses");
        for i in practice::varying_steps(&l) {
            let mut ev = Evaluator::new();
            let v = practice::next_asked(&mut ev, &l, i, 0, 64).expect("a variant is asked");
            let shown = practice::practice_text(&v.lesson.steps[i].text);
            let own = shown
                .strip_suffix(practice::PRACTICE_LINE)
                .expect("ends with the practice line")
                .to_lowercase();
            for w in [
                "playback",
                "held",
                "before the run shows",
                "predict",
                "guess",
            ] {
                assert!(!own.contains(w), "{name} step {i}: {shown}");
            }
            assert!(shown.ends_with(practice::PRACTICE_LINE), "{shown}");
            n += 1;
        }
    }
    assert!(n >= 20, "{n} varying questions");
}
