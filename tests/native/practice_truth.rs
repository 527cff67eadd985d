//! What a practice variant says is true of that variant's run (review R4): a question
//! whose right option is its own `ask` is asked only with the answer its texts were
//! written for; a step's premise holds in every asked variant; a varying question
//! changes; the "can it ever happen?" questions show what their answer turns on and
//! do not give it away.

use eop::course::eval::{self, Evaluator, Value};
use eop::course::model::Quantity;
use eop::course::practice::{self, Outcome, Skip, QUESTIONS};
use eop::course::validate;
use eop::course::FILES;
use std::collections::BTreeSet;

fn variants() -> u32 {
    std::env::var("PRACTICE_VARIANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn lesson(id: &str) -> eop::course::model::Lesson {
    let (_, text) = FILES
        .iter()
        .find(|(n, _)| n.ends_with(&format!("{id}.json")))
        .expect("lesson");
    validate::parse(text).expect("parses")
}

fn step_titled(l: &eop::course::model::Lesson, title: &str) -> usize {
    l.steps.iter().position(|s| s.title == title).expect("step")
}

/// H1, H2: every `where`-style question (an option whose value is the question's own
/// `ask`) is asked, across 1,000 variants, only with the answer set the shipped
/// question has, the one its feedback and explain describe.
#[test]
fn a_self_answering_question_is_asked_only_with_its_shipped_answer() {
    let n = variants();
    let mut questions = 0;
    let mut drifted = 0;
    for (name, text) in FILES {
        let l = validate::parse(text).expect("parses");
        for i in practice::varying_steps(&l) {
            if !practice::self_answering(&l, i) {
                continue;
            }
            questions += 1;
            let mut ev = Evaluator::new();
            let shipped = eval::step(&mut ev, &l, i).expect("shipped").questions[0]
                .answer
                .clone();
            for k in 0..n {
                match practice::variant(&mut ev, &l, i, k) {
                    Outcome::Asked(v) => assert_eq!(
                        v.eval.questions[0].answer,
                        shipped,
                        "{name} step {} variant {k} ({:?}): its texts describe another answer",
                        i + 1,
                        v.over
                    ),
                    Outcome::Skipped(Skip::AnswerDrifted) => drifted += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(questions >= 8, "{questions} self-answering questions");
    println!("{drifted} variants skipped as answer-drifted");
}

/// Quantities (JSON) a step's texts assert are at least the number given.
type Claims = &'static [(&'static str, i64)];

/// H1, H2, H3: what a step's texts assert about the run, read from each asked
/// variant's run (independently of the step's `vary.premise`).
#[test]
fn what_the_texts_assert_holds_in_every_asked_variant() {
    let q = |s: &str| -> Quantity { serde_json::from_str(s).expect("quantity") };
    let cases: &[(&str, &str, Claims)] = &[
        // "every lost request is a payment that never happens", "one is short, one is over"
        (
            "delivery-semantics",
            "Who ends exactly right?",
            &[
                (r#"{"lost": {"technique": "at-most-once"}}"#, 1),
                (r#"{"applied_twice": {"technique": "at-least-once"}}"#, 1),
            ],
        ),
        // "the consumer dedups the relay's repeats", "without consumer dedup … applied a repeated event again"
        (
            "outbox",
            "Who ends right?",
            &[
                (r#"{"applied_twice": {"technique": "outbox-no-dedup"}}"#, 1),
                (
                    r#"{"counter": {"technique": "outbox", "name": "dup_absorbed"}}"#,
                    1,
                ),
            ],
        ),
        // "the network also copies records on the way, on top of the redelivery of txn-3"
        (
            "walkthrough",
            "More copies",
            &[(
                r#"{"counter": {"technique": "naive", "name": "dup_delivered"}}"#,
                2,
            )],
        ),
    ];
    for (id, title, claims) in cases {
        let l = lesson(id);
        let i = step_titled(&l, title);
        let mut ev = Evaluator::new();
        let mut asked = 0;
        for k in 0..200 {
            let Outcome::Asked(v) = practice::variant(&mut ev, &l, i, k) else {
                continue;
            };
            asked += 1;
            let setup = eval::step_setup(&v.lesson, i);
            for (quantity, min) in *claims {
                let got = ev.value(&l.scenario, &setup, &q(quantity)).expect("value");
                assert!(
                    matches!(got, Value::Int(x) if x >= *min),
                    "{id} '{title}' variant {k} ({:?}): {quantity} is {got:?}",
                    v.over
                );
            }
        }
        assert!(asked >= 150, "{id} '{title}': only {asked} of 200 asked");
        // The shipped question makes the same claims of its own run.
        let setup = eval::step_setup(&l, i);
        for (quantity, min) in *claims {
            let got = ev.value(&l.scenario, &setup, &q(quantity)).expect("value");
            assert!(
                matches!(got, Value::Int(x) if x >= *min),
                "{id} shipped: {quantity}"
            );
        }
    }
}

/// A lesson's own run meets the premise its varying step states.
#[test]
fn the_shipped_question_meets_its_own_premise() {
    let mut n = 0;
    for (name, text) in FILES {
        let l = validate::parse(text).expect("parses");
        for i in practice::varying_steps(&l) {
            let v = l.steps[i].vary.as_ref().unwrap();
            let mut ev = Evaluator::new();
            let setup = eval::step_setup(&l, i);
            for g in &v.premise {
                n += 1;
                assert_eq!(
                    ev.goal_met(&l.scenario, &setup, g),
                    Ok(true),
                    "{name} step {}: {g:?}",
                    i + 1
                );
            }
        }
    }
    assert!(n >= 6, "{n} premises");
}

/// M2: a varying question changes. A question whose options are numbers from the run
/// shows other numbers in some variant; any other question at least replays another
/// run (a variant identical to the shipped question is not practice).
#[test]
fn a_varying_question_is_not_the_shipped_one_again() {
    for (name, text) in FILES {
        let l = validate::parse(text).expect("parses");
        for i in practice::varying_steps(&l) {
            let mut ev = Evaluator::new();
            let shipped = eval::step(&mut ev, &l, i).expect("shipped");
            let s0 = eval::step_setup(&l, i);
            let c0 = ev.run(&l.scenario, &s0).expect("run").checksum();
            let q = &shipped.questions[0];
            let numbers = q.options.iter().any(|v| matches!(v, Value::Int(_)))
                || l.steps[i].question.as_ref().is_some_and(|q| q.number);
            let mut values = BTreeSet::new();
            let mut runs = BTreeSet::new();
            let mut k = 0;
            for _ in 0..12 {
                let Some(v) = practice::next_asked(&mut ev, &l, i, k, 64) else {
                    break;
                };
                k = v.k + 1;
                let e = &v.eval.questions[0];
                values.insert(format!("{:?} {:?}", e.answer, e.options));
                let s = eval::step_setup(&v.lesson, i);
                runs.insert(ev.run(&l.scenario, &s).expect("run").checksum());
            }
            runs.remove(&c0);
            assert!(
                !runs.is_empty(),
                "{name} step {}: every variant replays the shipped run",
                i + 1
            );
            if numbers {
                values.remove(&format!("{:?} {:?}", q.answer, q.options));
                assert!(
                    !values.is_empty(),
                    "{name} step {}: every variant shows the shipped numbers",
                    i + 1
                );
            }
        }
    }
}

/// L3: the practice page has no stage, so a varying step's explain (shown after the
/// answer on both pages) does not tell the learner to look at or watch it.
#[test]
fn an_explain_does_not_point_at_a_stage_practice_lacks() {
    for (name, text) in FILES {
        let l = validate::parse(text).expect("parses");
        for i in practice::varying_steps(&l) {
            let Some(e) = &l.steps[i].explain else {
                continue;
            };
            for w in ["Look at", "Watch ", "Compare "] {
                assert!(!e.starts_with(w), "{name} step {}: {e}", i + 1);
            }
        }
    }
}

/// M4, M5, M6, L5, M7: the "can it ever happen?" questions.
#[test]
fn space_questions_show_what_the_answer_turns_on_and_no_more() {
    let sc = |id: &str| eop::sim::scenarios::find(id).expect("scenario");
    for q in QUESTIONS {
        let info = sc(q.scenario).info();
        // M5: the check sets every random-fault rate (‰) itself, so a question that
        // set or showed one would state a fault model the check does not use.
        for n in q.shows.iter().chain(q.params.iter().map(|(n, _)| n)) {
            let p = info.params.iter().find(|p| p.name == *n).expect("param");
            assert_ne!(
                p.unit,
                eop::sim::params::Unit::PerMille,
                "{}: {n} is ignored by the check",
                q.id
            );
        }
        // M6: neither the design's name nor a setting gives the answer away.
        let a = q.assumptions().expect("assumptions");
        let prompt = q.prompt(&q.label(), &a);
        let settings = q.settings().join(", ");
        assert!(!prompt.contains("bug"), "{}: {prompt}", q.id);
        assert!(!settings.contains("bug"), "{}: {settings}", q.id);
    }
    // M4: a key's answer turns on its TTL against the client's retrying.
    for id in ["key-per-request", "key-per-attempt"] {
        let q = QUESTIONS.iter().find(|q| q.id == id).expect("question");
        let s = q.settings().join(", ");
        for want in [
            "Key TTL: 100 ticks",
            "Client timeout: 10 ticks",
            "Retries: 4",
        ] {
            assert!(s.contains(want), "{id}: {s}");
        }
    }
    // L5: a crash "at" is a tick, not a duration.
    let q = QUESTIONS
        .iter()
        .find(|q| q.id == "idempotent-producer-restart")
        .expect("question");
    assert_eq!(q.settings(), vec!["Producer crash at: tick 4".to_string()]);
    // M7: key threading has its pair, answered both ways.
    let kt: Vec<_> = QUESTIONS
        .iter()
        .filter(|q| q.scenario == "key-threading")
        .map(|q| (q.id, q.expect))
        .collect();
    assert_eq!(
        kt,
        vec![
            ("key-kept-every-hop", false),
            ("key-dropped-at-one-stage", true)
        ]
    );
    let one = QUESTIONS
        .iter()
        .find(|q| q.id == "key-kept-every-hop")
        .unwrap();
    let a = one.assumptions().expect("assumptions");
    assert_eq!(
        one.prompt(&one.label(), &a),
        "With at most 1 fault, be it a lost transmission, a duplicated transmission (the copy 4 ticks later) or a delayed transmission (1 tick), can “Key kept on every hop” ever end wrong?"
    );
}
