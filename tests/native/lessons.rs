//! The course: every lesson file parses, has the shape a lesson needs, and agrees with
//! the simulator (answers, distractors, reveal ticks, try goals). Malformed files are
//! refused with a message naming the field.

use eop::course::eval::{self, Answer, Evaluator, Value};
use eop::course::model::StepKind;
use eop::course::validate::{self, Rules};
use eop::course::{self, FILES};

fn lessons() -> Vec<(&'static str, course::Lesson)> {
    FILES
        .iter()
        .map(|(name, text)| match validate::parse(text) {
            Ok(l) => (*name, l),
            Err(e) => panic!("lesson file {name} does not parse: {e}"),
        })
        .collect()
}

#[test]
fn every_lesson_validates_against_the_simulator() {
    let mut all = Vec::new();
    for (name, l) in lessons() {
        for e in validate::check(&l, Rules { course: true }) {
            all.push(format!("{name}: {e}"));
        }
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn one_lesson_per_scenario_in_teaching_order() {
    let ids: Vec<String> = lessons().iter().map(|(_, l)| l.scenario.clone()).collect();
    let want: Vec<String> = eop::sim::scenarios::ids()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        ids, want,
        "lessons must follow sim::scenarios::all(), one each"
    );
    for (name, l) in lessons() {
        assert!(
            name.contains(&l.id),
            "{name}: file name should carry the id '{}'",
            l.id
        );
        assert_eq!(
            course::find(&l.id).map(|x| &x.title),
            Some(&l.title),
            "{name}: find() by id"
        );
    }
}

#[test]
fn each_lesson_has_predicts_a_try_and_a_recall() {
    for (name, l) in lessons() {
        let kinds: Vec<StepKind> = l.steps.iter().map(|s| s.kind).collect();
        let n = |k| kinds.iter().filter(|x| **x == k).count();
        assert!(
            (4..=8).contains(&kinds.len()),
            "{name}: {} steps",
            kinds.len()
        );
        assert!(
            n(StepKind::Predict) >= 2,
            "{name}: {} predict steps",
            n(StepKind::Predict)
        );
        assert!(n(StepKind::Try) >= 1, "{name}: no try step");
        assert_eq!(
            kinds.last(),
            Some(&StepKind::Recall),
            "{name}: ends with a recall step"
        );
    }
}

/// Every right option is judged right and every other option wrong, with its own
/// feedback; a number question accepts only the simulated number.
#[test]
fn judging_follows_the_simulated_answer() {
    let mut ev = Evaluator::new();
    for (name, l) in lessons() {
        for (i, st) in l.steps.iter().enumerate() {
            let se =
                eval::step(&mut ev, &l, i).unwrap_or_else(|e| panic!("{name} step {}: {e}", i + 1));
            let qs: Vec<_> = st.question.iter().chain(st.questions.iter()).collect();
            assert_eq!(qs.len(), se.questions.len(), "{name} step {}", i + 1);
            for (k, (q, qe)) in qs.iter().zip(&se.questions).enumerate() {
                let at = format!("{name} step {} question {k}", i + 1);
                if q.number {
                    let Value::Int(v) = qe.answer else {
                        panic!("{at}: not a number")
                    };
                    assert!(
                        eval::judge(q, qe, &Answer::Number(v)).correct,
                        "{at}: right number refused"
                    );
                    let fb = eval::judge(q, qe, &Answer::Number(v + 1));
                    assert!(!fb.correct, "{at}: wrong number accepted");
                    assert!(
                        fb.text.contains(&v.to_string()),
                        "{at}: wrong-number feedback gives the run's value: {}",
                        fb.text
                    );
                    for (m, mv) in q.misconceptions.iter().zip(&qe.misconceptions) {
                        let Value::Int(x) = mv else {
                            panic!("{at}: misconception not a number")
                        };
                        let fb = eval::judge(q, qe, &Answer::Number(*x));
                        assert!(
                            !fb.correct && fb.text.contains(&m.feedback),
                            "{at}: misconception '{}' feedback",
                            m.name
                        );
                    }
                } else {
                    let right = qe.right.unwrap_or_else(|| panic!("{at}: no right option"));
                    for (j, o) in q.options.iter().enumerate() {
                        let fb = eval::judge(q, qe, &Answer::Option(j));
                        assert_eq!(fb.correct, j == right, "{at}: option '{}'", o.id);
                        assert!(
                            !fb.text.is_empty(),
                            "{at}: option '{}' has no feedback",
                            o.id
                        );
                        if j != right {
                            assert_ne!(
                                qe.options[j], qe.answer,
                                "{at}: distractor '{}' equals the answer",
                                o.id
                            );
                        }
                        let label = eval::option_label(q, qe, j);
                        assert!(
                            !label.contains("{value}"),
                            "{at}: label not filled: {label}"
                        );
                    }
                }
            }
        }
    }
}

/// Reference figures from TEACHING-SPEC §3, pinned: the walkthrough lesson's first
/// question is about the naive handler's m-B after both copies of txn-3 (₹4000).
#[test]
fn walkthrough_lesson_reproduces_the_reference_numbers() {
    let l = course::find("walkthrough").expect("walkthrough lesson");
    let mut ev = Evaluator::new();
    let i = l
        .steps
        .iter()
        .position(|s| s.kind == StepKind::Predict)
        .expect("a predict step");
    let se = eval::step(&mut ev, l, i).unwrap();
    assert_eq!(se.questions[0].answer, Value::Int(4000));
    let reveal = se.reveal.expect("reveal tick");
    assert!(
        reveal > se.start,
        "reveal {reveal} after start {}",
        se.start
    );
    // Before the reveal the naive column does not yet show ₹4000.
    let run = ev.run(&l.scenario, &se.setup).unwrap().clone();
    let naive = run.technique("naive").unwrap();
    let shown = eop::sim::replay::View::of(
        &naive.trace[..eop::sim::replay::cursor_for_tick(&naive.trace, reveal - 1)],
    );
    assert_ne!(
        shown.balances.get(&1).copied(),
        Some(4000),
        "held-back playhead must not show the answer"
    );
}

/// The try steps' goals: the step's own setting misses the goal, "show me" reaches it.
#[test]
fn try_goals_fail_at_start_and_show_me_reaches_them() {
    let mut ev = Evaluator::new();
    for (name, l) in lessons() {
        for (i, st) in l
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == StepKind::Try)
        {
            let goal = st
                .goal
                .as_ref()
                .unwrap_or_else(|| panic!("{name} step {}: no goal", i + 1));
            let setup = eval::step_setup(&l, i);
            assert_eq!(
                ev.goal_met(&l.scenario, &setup, goal),
                Ok(false),
                "{name} step {} goal already met at start",
                i + 1
            );
            let show = setup.overlay(st.show_me.as_ref().unwrap());
            assert_eq!(
                ev.goal_met(&l.scenario, &show, goal),
                Ok(true),
                "{name} step {} show_me misses the goal",
                i + 1
            );
        }
    }
}

/// Words and steps per lesson (printed with --nocapture for the report).
#[test]
fn lessons_stay_short() {
    for (name, l) in lessons() {
        let w = validate::lesson_words(&l);
        println!("{name}: {} steps, {w} words", l.steps.len());
        assert!(
            w <= 1100,
            "{name}: {w} words is more than a 3–6 minute lesson"
        );
        for (i, s) in l.steps.iter().enumerate() {
            assert!(
                validate::sentences(&s.text) <= 4,
                "{name} step {}: more than four sentences",
                i + 1
            );
        }
    }
}

fn good() -> serde_json::Value {
    serde_json::from_str(
        FILES
            .iter()
            .find(|(n, _)| n.contains("walkthrough"))
            .unwrap()
            .1,
    )
    .unwrap()
}

fn refused(v: &serde_json::Value) -> String {
    match validate::load(&v.to_string()) {
        Ok(_) => panic!("accepted a malformed lesson: {v}"),
        Err(e) => e.join("\n"),
    }
}

#[test]
fn malformed_lessons_are_refused_naming_the_field() {
    assert!(
        validate::load(&good().to_string()).is_ok(),
        "the base lesson is valid"
    );
    type Break = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "missing steps",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("steps");
            }),
            "steps",
        ),
        (
            "unknown field",
            Box::new(|v| {
                v["colour"] = "red".into();
            }),
            "colour",
        ),
        (
            "wrong type",
            Box::new(|v| {
                v["minutes"] = "four".into();
            }),
            "minutes",
        ),
        (
            "unknown scenario",
            Box::new(|v| {
                v["scenario"] = "bitcoin".into();
            }),
            "scenario",
        ),
        (
            "too few steps",
            Box::new(|v| {
                v["steps"].as_array_mut().unwrap().truncate(2);
            }),
            "steps",
        ),
        (
            "unknown step kind",
            Box::new(|v| {
                v["steps"][0]["kind"] = "lecture".into();
            }),
            "kind",
        ),
        (
            "predict without question",
            Box::new(|v| {
                let i = v["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|s| s["kind"] == "predict")
                    .unwrap();
                v["steps"][i].as_object_mut().unwrap().remove("question");
            }),
            "question",
        ),
        (
            "no option is right",
            Box::new(|v| {
                let i = v["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|s| s["kind"] == "predict")
                    .unwrap();
                let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
                let right = opts.len() - 1;
                for (k, o) in opts.iter_mut().enumerate() {
                    o["value"] = serde_json::json!({"const": -1 - k as i64});
                    let _ = right;
                }
            }),
            "options",
        ),
        (
            "unknown technique",
            Box::new(|v| {
                let i = v["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|s| s["kind"] == "predict")
                    .unwrap();
                v["steps"][i]["question"]["ask"] =
                    serde_json::json!({"balance": {"technique": "magic", "merchant": "m-B"}});
            }),
            "magic",
        ),
        (
            "parameter out of range",
            Box::new(|v| {
                v["setup"]["params"] = serde_json::json!({"dup": 5000});
            }),
            "dup",
        ),
        (
            "unknown parameter",
            Box::new(|v| {
                v["setup"]["params"] = serde_json::json!({"warp": 1});
            }),
            "warp",
        ),
        (
            "show_me misses the goal",
            Box::new(|v| {
                let i = v["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|s| s["kind"] == "try")
                    .unwrap();
                v["steps"][i]["show_me"] = serde_json::json!({});
            }),
            "show_me",
        ),
        (
            "too many sentences",
            Box::new(|v| {
                v["steps"][0]["text"] = "One. Two. Three. Four. Five.".into();
            }),
            "text",
        ),
        (
            "not JSON",
            Box::new(|v| {
                *v = serde_json::Value::String("{ lesson".into());
            }),
            "line 1",
        ),
    ];
    assert!(cases.len() >= 10);
    for (what, f, field) in cases {
        let mut v = good();
        f(&mut v);
        let msg = if let serde_json::Value::String(s) = &v {
            validate::load(s).unwrap_err().join("\n")
        } else {
            refused(&v)
        };
        assert!(
            msg.contains(field),
            "{what}: the message should name '{field}': {msg}"
        );
    }
}

/// If the simulator's answer moved to an option written as a misconception (or a
/// distractor became right), the course check says which option and field.
#[test]
fn a_moved_answer_is_caught() {
    let mut v = good();
    let i = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["kind"] == "predict")
        .unwrap();
    let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
    let right = opts
        .iter()
        .position(|o| o.get("misconception").is_none())
        .unwrap();
    opts[right]["misconception"] = "planted".into();
    let l = validate::parse(&v.to_string()).unwrap();
    let errs = validate::check(&l, Rules { course: true }).join("\n");
    assert!(
        errs.contains(&format!("options[{right}].misconception")),
        "{errs}"
    );
    assert!(errs.contains("did the simulator change"), "{errs}");
}

/// `?lesson=<id>&step=<n>`: decoded, checked, encoded back; bad values are reported
/// and replaced, never fatal.
#[test]
fn lesson_links_decode_and_report_bad_values() {
    use eop::ui::share::{decode, encode};
    let d = decode("?lesson=walkthrough&step=3");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.state.lesson.as_deref(), Some("walkthrough"));
    assert_eq!(d.state.step, Some(3));
    assert_eq!(d.state.scenario, "walkthrough");
    assert_eq!(encode(&d.state), "lesson=walkthrough&step=3");
    let d = decode("?lesson=walkthrough&step=99&embed=1");
    assert_eq!(d.state.step, Some(1));
    assert!(
        d.warnings.iter().any(|w| w.contains("step '99'")),
        "{:?}",
        d.warnings
    );
    assert_eq!(encode(&d.state), "lesson=walkthrough&step=1&embed=1");
    let d = decode("?lesson=astrology&s=outbox");
    assert_eq!(d.state.lesson, None);
    assert_eq!(d.state.scenario, "outbox");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("no lesson 'astrology'")),
        "{:?}",
        d.warnings
    );
    let d = decode("?lesson=two-generals&step=x");
    assert_eq!(d.state.step, Some(1));
    assert_eq!(d.warnings.len(), 1);
}
