//! The course: every lesson file parses, has the shape a lesson needs, and agrees with
//! the simulator (answers, distractors, reveal ticks, try goals). Malformed files are
//! refused with a message naming the field.

use eop::course::eval::{self, Answer, Evaluator, Value};
use eop::course::model::{Lesson, StepKind};
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
        // After the recall: at most a predict-space step, then at most a build step.
        let mut core = &kinds[..];
        for k in [StepKind::Build, StepKind::PredictSpace] {
            if let Some((last, rest)) = core.split_last() {
                if *last == k {
                    core = rest;
                }
            }
        }
        assert!(
            (4..=8).contains(&core.len()),
            "{name}: {} steps",
            core.len()
        );
        assert!(
            n(StepKind::Predict) >= 2,
            "{name}: {} predict steps",
            n(StepKind::Predict)
        );
        assert!(n(StepKind::Try) >= 1, "{name}: no try step");
        assert_eq!(
            core.last(),
            Some(&StepKind::Recall),
            "{name}: ends with a recall step (then at most a predict-space and a build step)"
        );
        assert!(n(StepKind::Build) <= 1, "{name}: at most one build step");
        assert!(
            n(StepKind::PredictSpace) <= 1,
            "{name}: at most one predict-space step"
        );
    }
}

/// "Can it ever happen?" in the lessons: a predict-space step in every lesson whose
/// scenario has a question (`course::practice::QUESTIONS`: the guarantees that depend on
/// a window's length, key threading, the transaction boundary, a producer that never
/// restarts), each naming a question about its own scenario. The validator refuses an
/// unknown question, one about another scenario, and a predict-space step anywhere but
/// after the recall.
#[test]
fn a_predict_space_step_in_every_lesson_whose_scenario_has_a_question() {
    use eop::course::practice::{space_questions, QUESTIONS};
    let mut placed = Vec::new();
    for (name, l) in lessons() {
        let steps: Vec<_> = l
            .steps
            .iter()
            .filter(|s| s.kind == StepKind::PredictSpace)
            .collect();
        let has = !space_questions(&l.scenario).is_empty();
        assert_eq!(steps.len(), usize::from(has), "{name}");
        for st in steps {
            let id = st.space.as_deref().unwrap();
            let q = QUESTIONS.iter().find(|q| q.id == id).unwrap();
            assert_eq!(q.scenario, l.scenario, "{name}");
            placed.push(format!(
                "{}: {id} ({})",
                l.id,
                if q.expect { "yes" } else { "no" }
            ));
        }
    }
    println!("predict-space steps:\n  {}", placed.join("\n  "));
    assert_eq!(placed.len(), 6, "{placed:?}");
    let (_, base) = lessons()
        .into_iter()
        .find(|(_, l)| l.id == "atomic-commit")
        .unwrap();
    let rules = Rules { course: true };
    assert_eq!(validate::check(&base, rules), Vec::<String>::new());
    let i = base
        .steps
        .iter()
        .position(|s| s.kind == StepKind::PredictSpace)
        .unwrap();
    let with = |f: &dyn Fn(&mut Lesson)| {
        let mut l = base.clone();
        f(&mut l);
        validate::check(&l, rules)
    };
    let at = format!("step {} (predict-space) field `space`", i + 1);
    let errs = with(&|l| l.steps[i].space = Some("no-such".into()));
    assert!(
        errs.iter()
            .any(|e| e.contains(&at) && e.contains("'no-such' is not a")),
        "{errs:?}"
    );
    let errs = with(&|l| l.steps[i].space = Some("ttl-longer-than-delay".into()));
    assert!(
        errs.iter()
            .any(|e| e.contains(&at) && e.contains("asks about the scenario 'dedup-window'")),
        "{errs:?}"
    );
    let errs = with(&|l| l.steps[i].space = None);
    assert!(
        errs.iter()
            .any(|e| e.contains("is required for a predict-space step")),
        "{errs:?}"
    );
    // Before the recall: refused.
    let errs = with(&|l| {
        let st = l.steps.remove(i);
        l.steps.insert(1, st);
    });
    assert!(
        errs.iter()
            .any(|e| e.contains("step 2 (predict-space)") && e.contains("comes after the recall")),
        "{errs:?}"
    );
    // A field of the kind on another step: refused.
    let errs = with(&|l| l.steps[0].space = Some("ledger-first".into()));
    assert!(
        errs.iter()
            .any(|e| e.contains("step 1 (read) field `space`: does not belong")),
        "{errs:?}"
    );
}

/// A build step names a challenge that can be met; its starting handler (the challenge's
/// first wrong attempt) breaks and its first solution holds, under the challenge's own
/// assumptions and k. The validator refuses a build step without a challenge, with an
/// unknown one, or with one that cannot be met; and a course lesson may end with one
/// only after its recall.
#[test]
fn a_build_step_names_a_challenge_that_can_be_met() {
    use eop::sim::workbench::{challenges, check, Handler};
    let mut built = Vec::new();
    for (name, l) in lessons() {
        for st in l.steps.iter().filter(|s| s.kind == StepKind::Build) {
            let c = challenges::find(st.challenge.as_deref().unwrap()).unwrap();
            let start = Handler::decode(c.wrong[0]).unwrap();
            assert!(!check(&start, &c.setup(), c.k).holds(), "{name}");
            let sol = Handler::decode(c.solutions[0]).unwrap();
            assert!(check(&sol, &c.setup(), c.k).holds(), "{name}");
            built.push((l.id.clone(), c.id));
        }
    }
    assert_eq!(built, [("dedup-window".to_string(), "dedup-window")]);
    let (_, base) = lessons()
        .into_iter()
        .find(|(_, l)| l.id == "dedup-window")
        .unwrap();
    let rules = Rules { course: true };
    assert_eq!(validate::check(&base, rules), Vec::<String>::new());
    let with = |f: &dyn Fn(&mut Lesson)| {
        let mut l = base.clone();
        f(&mut l);
        validate::check(&l, rules)
    };
    let last = base.steps.len() - 1;
    let errs = with(&|l| l.steps[last].challenge = None);
    assert!(
        errs.iter()
            .any(|e| e.contains("step 9 (build) field `challenge`: is required for a build step")),
        "{errs:?}"
    );
    let errs = with(&|l| l.steps[last].challenge = Some("no-such".into()));
    assert!(
        errs.iter()
            .any(|e| e.contains("'no-such' is not a workbench challenge")),
        "{errs:?}"
    );
    let errs = with(&|l| l.steps[last].challenge = Some("charge-without-keys".into()));
    assert!(errs.iter().any(|e| e.contains("cannot be met")), "{errs:?}");
    // A build step with no recall before it: refused.
    let errs = with(&|l| {
        l.steps.retain(|s| s.kind != StepKind::Recall);
    });
    assert!(
        errs.iter()
            .any(|e| e.contains("the last step of a course lesson is a recall step")),
        "{errs:?}"
    );
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
    assert_eq!(d.state.inputs.scenario, "walkthrough");
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
    assert_eq!(d.state.inputs.scenario, "outbox");
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

fn lesson_json(id: &str) -> serde_json::Value {
    serde_json::from_str(
        FILES
            .iter()
            .find(|(n, _)| n.contains(id))
            .unwrap_or_else(|| panic!("no lesson file for {id}"))
            .1,
    )
    .unwrap()
}

fn course_errors(v: &serde_json::Value) -> String {
    let l = validate::parse(&v.to_string()).unwrap_or_else(|e| panic!("does not parse: {e}"));
    validate::check(&l, Rules { course: true }).join("\n")
}

/// Path of the first question (step index, field) whose options are yes/no.
fn first_yes_no(v: &serde_json::Value) -> (usize, String) {
    for (i, st) in v["steps"].as_array().unwrap().iter().enumerate() {
        if st["question"]["options"][0]["id"] == "yes" {
            return (i, "question".into());
        }
        for (k, q) in st["questions"].as_array().into_iter().flatten().enumerate() {
            if q["options"][0]["id"] == "yes" {
                return (i, format!("questions[{k}]"));
            }
        }
    }
    panic!("no yes/no question")
}

fn question_mut<'a>(v: &'a mut serde_json::Value, i: usize, f: &str) -> &'a mut serde_json::Value {
    match f.strip_prefix("questions[") {
        Some(k) => {
            &mut v["steps"][i]["questions"][k.trim_end_matches(']').parse::<usize>().unwrap()]
        }
        None => &mut v["steps"][i]["question"],
    }
}

/// Double entry: the author's `expect` is checked against the simulator. Reversing
/// one polarity — the author's answer, or the yes/no the prompt is graded by — fails
/// validation with a message naming the lesson, step, question, expected and computed.
#[test]
fn a_reversed_polarity_fails_validation() {
    let base = lesson_json("telemetry");
    assert_eq!(course_errors(&base), "", "the telemetry lesson is valid");
    let (i, f) = first_yes_no(&base);
    // 1. The author's expectation reversed.
    let mut v = base.clone();
    let q = question_mut(&mut v, i, &f);
    let was = q["expect"].as_str().unwrap().to_string();
    let flipped = if was == "yes" { "no" } else { "yes" };
    q["expect"] = flipped.into();
    let errs = course_errors(&v);
    let want = format!(
        "lesson 'telemetry', step {}, question `{f}`: expected option '{flipped}' but computed option '{was}'",
        i + 1
    );
    assert!(errs.contains(&want), "want «{want}» in:\n{errs}");
    assert!(errs.contains(&format!("step {} (", i + 1)), "{errs}");
    // 2. The prompt's polarity reversed (the values behind Yes and No swapped, as when a
    //    prompt asks "did it lose?" but is graded by "no losses"): the expectation,
    //    entered separately, no longer matches.
    let mut v = base.clone();
    let q = question_mut(&mut v, i, &f);
    let (a, b) = (
        q["options"][0]["value"].clone(),
        q["options"][1]["value"].clone(),
    );
    q["options"][0]["value"] = b;
    q["options"][1]["value"] = a;
    let errs = course_errors(&v);
    assert!(
        errs.contains(&format!(
            "expected option '{was}' but computed option '{flipped}'"
        )),
        "{errs}"
    );
    // 3. A number question's expectation off by one.
    let mut v = base.clone();
    let q = &mut v["steps"][1]["question"];
    assert_eq!(q["number"], true, "telemetry step 2 asks a number");
    let n = q["expect"].as_i64().unwrap();
    q["expect"] = (n + 1).into();
    let errs = course_errors(&v);
    assert!(
        errs.contains(&format!(
            "lesson 'telemetry', step 2, question `question`: expected {} but computed {n}",
            n + 1
        )),
        "{errs}"
    );
}

/// Every graded question of the course carries the author's answer, and every built-in
/// file says it is format 2.
#[test]
fn every_course_question_has_an_expectation_and_format_2() {
    for (name, text) in FILES {
        let raw: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(raw["format"], 2, "{name}: \"format\": 2");
        assert!(
            raw["takeaway"].as_str().is_some_and(|t| !t.is_empty()),
            "{name}: takeaway"
        );
        let l = validate::parse(text).unwrap();
        for (i, st) in l.steps.iter().enumerate() {
            for q in st.question.iter().chain(st.questions.iter()) {
                assert!(q.expect.is_some(), "{name} step {}: no expect", i + 1);
            }
        }
        let mut v = raw.clone();
        let i = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["kind"] == "predict")
            .unwrap();
        v["steps"][i]["question"]
            .as_object_mut()
            .unwrap()
            .remove("expect");
        let errs = course_errors(&v);
        assert!(
            errs.contains("question.expect`: is required"),
            "{name}: {errs}"
        );
    }
}

/// After every watch step an observe step asks about what was just seen, graded from
/// the trace up to the watch's stop: nothing is held back.
#[test]
fn every_watch_is_followed_by_an_observe_step() {
    let mut ev = Evaluator::new();
    for (name, l) in lessons() {
        for (i, st) in l.steps.iter().enumerate() {
            if st.kind != StepKind::Watch {
                continue;
            }
            let next = &l.steps[i + 1];
            assert_eq!(next.kind, StepKind::Observe, "{name} step {}", i + 2);
            let w = eval::step(&mut ev, &l, i).unwrap();
            let o = eval::step(&mut ev, &l, i + 1).unwrap();
            assert_eq!(
                o.start,
                w.stop.unwrap(),
                "{name}: observe starts at the watch's stop"
            );
            assert_eq!(o.reveal, Some(o.start), "{name}: nothing held back");
        }
    }
    // Misplaced, or reading the whole run: refused.
    let mut v = good();
    let steps = v["steps"].as_array_mut().unwrap();
    let o = steps
        .iter()
        .position(|s| s["kind"] == "observe")
        .expect("walkthrough has an observe step");
    let obs = steps.remove(o);
    steps.insert(0, obs);
    let errs = course_errors(&v);
    assert!(
        errs.contains("an observe step comes right after a watch step"),
        "{errs}"
    );
    let mut v = good();
    let o = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["kind"] == "observe")
        .unwrap();
    v["steps"][o]["question"]["ask"] = serde_json::json!({"entries": {"technique": "dedup"}});
    let errs = course_errors(&v);
    assert!(
        errs.contains("an observe question reads what was watched: `entries` needs `at`"),
        "{errs}"
    );
}

/// Question design: misconception ids on every wrong answer (kebab-case, one id one
/// misconception per lesson, with a refutation), none on the right one, three or more
/// options unless yes/no, one label template, the right set's size shared.
#[test]
fn question_design_rules_are_enforced() {
    let pred = |v: &serde_json::Value| {
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["kind"] == "predict")
            .unwrap()
    };
    type Break = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "missing id",
            Box::new(move |v| {
                let i = pred(v);
                let o = v["steps"][i]["question"]["options"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|o| o.get("misconception_id").is_some())
                    .unwrap();
                o.as_object_mut().unwrap().remove("misconception_id");
            }),
            "needs a misconception id",
        ),
        (
            "not kebab-case",
            Box::new(move |v| {
                let i = pred(v);
                v["steps"][i]["question"]["options"][0]["misconception_id"] =
                    "Broker Removes".into();
            }),
            "is not a short kebab-case id",
        ),
        (
            "one id, two misconceptions",
            Box::new(move |v| {
                let i = pred(v);
                let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
                let ids: Vec<usize> = (0..opts.len())
                    .filter(|k| opts[*k].get("misconception_id").is_some())
                    .collect();
                let id = opts[ids[0]]["misconception_id"].clone();
                opts[ids[1]]["misconception_id"] = id;
            }),
            "already names a different misconception",
        ),
        (
            "right option carries an id",
            Box::new(move |v| {
                let i = pred(v);
                let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
                let r = opts
                    .iter()
                    .position(|o| o.get("misconception").is_none())
                    .unwrap();
                opts[r]["misconception_id"] = "planted".into();
            }),
            "is the right answer and cannot carry misconception 'planted'",
        ),
        (
            "two options",
            Box::new(move |v| {
                let i = pred(v);
                let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
                let r = opts
                    .iter()
                    .position(|o| o.get("misconception").is_none())
                    .unwrap();
                let keep = vec![opts[r].clone(), opts[(r + 1) % opts.len()].clone()];
                *opts = keep;
            }),
            "3 or more",
        ),
        (
            "labels differ in form",
            Box::new(move |v| {
                let i = pred(v);
                v["steps"][i]["question"]["options"][0]["label"] = "about ₹{value}".into();
            }),
            "labels follow one template",
        ),
        (
            "feedback repeats Right",
            Box::new(move |v| {
                let i = pred(v);
                let opts = v["steps"][i]["question"]["options"].as_array_mut().unwrap();
                let r = opts
                    .iter()
                    .position(|o| o.get("misconception").is_none())
                    .unwrap();
                opts[r]["feedback"] = "Right. It lands again.".into();
            }),
            "the page already says ✓ Right",
        ),
        (
            "no takeaway",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("takeaway");
            }),
            "field `takeaway`",
        ),
    ];
    for (what, f, want) in cases {
        let mut v = good();
        f(&mut v);
        let errs = course_errors(&v);
        assert!(errs.contains(want), "{what}: want «{want}» in:\n{errs}");
    }
}

/// Spec §16: a digit or comparison word in lesson prose that is not a placeholder, an id
/// or a reviewed exception is refused, naming the field; placeholders are filled.
#[test]
fn free_numbers_in_lesson_prose_are_refused() {
    let mut v = good();
    v["steps"][0]["text"] = "Five payments reach the handlers; txn-3 comes twice.".into();
    let errs = course_errors(&v);
    assert!(
        errs.contains("step 1 (read) field `text`: free number or comparison"),
        "{errs}"
    );
    assert!(
        errs.contains("'five'") && errs.contains("'twice'"),
        "{errs}"
    );
    let mut v = good();
    v["steps"][1]["explain"] = "m-B goes over by 2000, about 50% too much.".into();
    let errs = course_errors(&v);
    assert!(errs.contains("'2000'") && errs.contains("'50%'"), "{errs}");
    // Ids and placeholders are not free numbers; every exception has a reason.
    let l = course::find("walkthrough").unwrap();
    assert!(
        l.steps[0].text.starts_with("4 payments") && l.steps[0].text.contains("5 deliveries"),
        "placeholders filled from the run: {}",
        l.steps[0].text
    );
    for (lesson, phrase, why) in validate::NUMBER_ALLOW {
        assert!(
            !lesson.is_empty() && !phrase.is_empty() && why.len() > 20,
            "{phrase}"
        );
    }
    let mut v = good();
    v["steps"][0]["text"] = "{ $nowhere } payments.".into();
    let errs = course_errors(&v);
    assert!(errs.contains("placeholder '{ $nowhere }'"), "{errs}");
}

/// Lesson format versions: 2 is current; a file without `format` (format 1) is
/// migrated (misconception ids derived) with a warning; a newer one is refused with a
/// message naming what changed.
#[test]
fn lesson_format_versions_migrate_or_refuse() {
    // A format-1 file: no format, no ids, no expect, no takeaway.
    let mut v = good();
    let o = v.as_object_mut().unwrap();
    o.remove("format");
    o.remove("takeaway");
    o.remove("values");
    fn strip(x: &mut serde_json::Value) {
        match x {
            serde_json::Value::Object(m) => {
                for k in ["misconception_id", "refutation", "expect", "values"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    let steps = v["steps"].as_array_mut().unwrap();
    steps.retain(|s| s["kind"] != "observe");
    for s in steps.iter_mut() {
        for k in ["title", "text"] {
            let t = s[k]
                .as_str()
                .unwrap()
                .replace("{ $payments }", "Four")
                .replace("{ $deliveries }", "five");
            s[k] = t.into();
        }
        for q in s
            .get_mut("questions")
            .and_then(|q| q.as_array_mut())
            .into_iter()
            .flatten()
        {
            let t = q["prompt"]
                .as_str()
                .unwrap()
                .replace("{ $payments }", "four")
                .replace("{ $deliveries }", "five");
            q["prompt"] = t.into();
        }
    }
    let (l, warnings) = validate::load_report(&v.to_string()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(l.format, Some(2));
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("format 1 and was migrated to format 2")),
        "{warnings:?}"
    );
    let ids: Vec<&str> = l
        .steps
        .iter()
        .flat_map(|s| s.question.iter().chain(s.questions.iter()))
        .flat_map(|q| q.options.iter())
        .filter_map(|o| o.misconception_id.as_deref())
        .collect();
    assert!(ids.contains(&"the-broker-or-tcp-removes"), "{ids:?}");
    // The same file is not a course lesson: it has no expect.
    let errs = validate::check(&l, Rules { course: true }).join("\n");
    assert!(errs.contains("expect`: is required"), "{errs}");
    // A newer format is refused, naming what this build reads.
    let mut v = good();
    v["format"] = 3.into();
    let e = validate::load(&v.to_string()).unwrap_err().join("\n");
    assert!(e.contains("field `format`: this lesson is format 3"), "{e}");
    assert!(e.contains("reads formats 1 and 2"), "{e}");
    assert!(e.contains("format 2 added"), "{e}");
}

/// The answer key (`eosim lessons --key`) is a golden file, read line by line on every
/// change. `BLESS=1 cargo test --test native golden` rewrites it.
#[test]
fn lesson_key_matches_the_golden_file() {
    let key = course::key::course_key();
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/lesson-key.txt");
    if crate::bless() {
        std::fs::write(&path, &key).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != key {
        let diff: Vec<String> = want
            .lines()
            .zip(key.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!(
            "the answer key changed ({} vs {} lines); read the diff, then BLESS=1 cargo test --test native golden\n{}",
            want.lines().count(),
            key.lines().count(),
            diff.join("\n")
        );
    }
    // Every step's right answer is in the key, and no "Right." is doubled.
    assert!(
        !key.contains("→ Right"),
        "feedback repeats the page's ✓ Right"
    );
    assert!(key.contains("answer: 4000 (expect: option 'right')"));
}

/// Step texts that hint at the next question's answer are refused (issue 24): the right
/// option's label, the computed number (also when a placeholder fills it in), or a
/// phrase that reports what a design did. The texts the lesson reviews flagged,
/// copied as they were, each fail; the rewritten ones pass.
#[test]
fn step_texts_that_give_the_next_answer_away_are_refused() {
    let old = [
        ("zombie-fencing", 2, "See the timeout, the takeover, and the old worker's late write. With fencing, the broker rejects it because its epoch is old."),
        ("idempotency-keys", 2, "See a charge succeed, its response get lost, and the retry arrive. One server charges again; the other replays the stored answer."),
        ("key-threading", 2, "Follow a ball whose copy appears after the stage that dropped the key. Every later stage is correct and still counts it."),
        ("eos-boundary", 2, "See the operator reset the offset, and the sink write payments it had already written."),
        // A predict step's own text is read before its question (review R1-3, R1-4).
        ("broker-eos", 4, "Now no ack is lost, but the producer crashes right after its first write lands, before the ack comes back, and restarts. A producer without a transactional.id comes back with a new producer id."),
        ("broker-eos", 4, "Now no ack is lost, but the producer crashes right after sending its first write, before the ack comes back, and restarts. A producer without a transactional.id comes back with a new producer id."),
        ("zombie-fencing", 1, "Predict before the old worker's late write lands."),
        ("dedup-window", 0, "A handler keeps the ids of payments it has applied and skips any id it finds there. One table forgets ids after a TTL, one keeps them forever, and one handler has no table at all. Some copies arrive long after their originals."),
    ];
    for (id, i, text) in old {
        let mut v = lesson_json(id);
        assert_eq!(course_errors(&v), "", "{id} is valid as written");
        v["steps"][i]["text"] = text.into();
        let errs = course_errors(&v);
        assert!(
            errs.contains(&format!("lesson '{id}' step {} ", i + 1))
                && errs.contains("gives away the answer of step"),
            "{id} step {}: the old text must be refused, got:\n{errs}",
            i + 1
        );
    }
    // The right option's label: the walkthrough's observe step asks the dedup
    // handler's m-B, ₹2000.
    let mut v = lesson_json("walkthrough");
    v["steps"][2]["text"] = "Play on: the dedup handler's m-B stays at ₹2000.".into();
    let errs = course_errors(&v);
    assert!(
        errs.contains("step 3 (watch) field `text`: gives away the answer of step 4 (observe): the right option's label \"₹2000\""),
        "{errs}"
    );
    // The computed number, filled in by a placeholder: telemetry's observe step asks
    // how many datagrams the retrying sender transmitted.
    let mut v = lesson_json("telemetry");
    v["steps"][2]["values"] =
        serde_json::json!({"n": {"counter": {"technique": "retry-every-sample", "name": "sent"}}});
    v["steps"][2]["text"] = "Follow the { $n } datagrams into the collector.".into();
    let errs = course_errors(&v);
    assert!(
        errs.contains(
            "step 3 (watch) field `text`: gives away the answer of step 4 (observe): the answer 61"
        ),
        "{errs}"
    );
}

/// A predict step about a run the learner already watched past its reveal predicts
/// nothing (review R1-12, outbox step 5): refused. The outbox step now asks about a
/// crash-prone relay, a setting not yet shown.
#[test]
fn a_prediction_about_a_run_already_watched_is_refused() {
    let mut v = lesson_json("outbox");
    assert_eq!(course_errors(&v), "");
    // Back to the first run, which step 3 played to its end.
    v["steps"][4]
        .as_object_mut()
        .unwrap()
        .remove("setup")
        .expect("step 5 has its own setting");
    let errs = course_errors(&v);
    assert!(
        errs.contains("lesson 'outbox' step 5 (predict): asks about the run step 3 (watch) already played to tick"),
        "{errs}"
    );
}

/// `message`: which message something happened to, read from the trace.
#[test]
fn the_message_quantity_reads_the_trace() {
    use eop::course::model::{MsgEvent, Quantity, Setup, TickRef};
    let mut ev = Evaluator::new();
    let q = |t: &str, event, at: Option<TickRef>, nth| Quantity::Message {
        technique: t.into(),
        event,
        at,
        nth,
    };
    let setup = Setup::default();
    let v = |ev: &mut Evaluator, sc: &str, q: &Quantity| ev.value(sc, &setup, q);
    // The walkthrough: the naive handler applies txn-3 again; the dedup table skips
    // it; the lost ack is txn-3's.
    assert_eq!(
        v(
            &mut ev,
            "walkthrough",
            &q("naive", MsgEvent::AppliedAgain, None, None)
        ),
        Ok(Value::Int(3))
    );
    assert_eq!(
        v(
            &mut ev,
            "walkthrough",
            &q("dedup", MsgEvent::Skipped, None, None)
        ),
        Ok(Value::Int(3))
    );
    assert_eq!(
        v(
            &mut ev,
            "walkthrough",
            &q("naive", MsgEvent::AckLost, None, None)
        ),
        Ok(Value::Int(3))
    );
    // Nothing before the copy lands; no second one.
    let before = Some(TickRef::BeforeViolation("naive".into()));
    assert!(v(
        &mut ev,
        "walkthrough",
        &q("naive", MsgEvent::AppliedAgain, before, None)
    )
    .unwrap_err()
    .contains("no message number 1 was applied_again in 'naive'"));
    assert!(v(
        &mut ev,
        "walkthrough",
        &q("naive", MsgEvent::AppliedAgain, None, Some(2))
    )
    .is_err());
    // The outbox's dual write: txn-6 applied again, txn-2 never applied; never_applied
    // reads the whole run.
    assert_eq!(
        v(
            &mut ev,
            "outbox",
            &q("dual-write", MsgEvent::AppliedAgain, None, None)
        ),
        Ok(Value::Int(6))
    );
    assert_eq!(
        v(
            &mut ev,
            "outbox",
            &q(
                "dual-write",
                MsgEvent::NeverApplied,
                Some(TickRef::End),
                None
            )
        ),
        Ok(Value::Int(2))
    );
    assert!(v(
        &mut ev,
        "outbox",
        &q(
            "dual-write",
            MsgEvent::NeverApplied,
            Some(TickRef::Start),
            None
        )
    )
    .unwrap_err()
    .contains("reads the whole run"));
}
