//! The answer key: every lesson step as a student meets it, with the computed right
//! answer and every option's computed value, misconception and feedback (placeholders
//! filled). `eosim lessons --key` prints it; `tests/golden/lesson-key.txt` pins it.

use super::eval::{self, Answer, Evaluator};
use super::model::{Lesson, Question, StepKind};
use std::fmt::Write;

/// The key of every built-in lesson.
pub fn course_key() -> String {
    let mut ev = Evaluator::new();
    let mut out = String::from(
        "# The answer key of the built-in course — `eosim lessons --key`\n\
         # (golden: `BLESS=1 cargo test --test native golden` rewrites tests/golden/lesson-key.txt)\n",
    );
    for l in super::course() {
        out.push('\n');
        out.push_str(&lesson_key(&mut ev, l));
    }
    out
}

/// The key of one lesson.
pub fn lesson_key(ev: &mut Evaluator, raw: &Lesson) -> String {
    let mut o = String::new();
    let l = match eval::resolve(ev, raw) {
        Ok(l) => l,
        Err(e) => return format!("## {} — cannot be resolved: {e}\n", raw.id),
    };
    let _ = writeln!(
        o,
        "## {} — {} (scenario {}, format {})",
        l.id,
        l.title,
        l.scenario,
        l.format.unwrap_or(1)
    );
    if let Some(t) = &l.takeaway {
        let _ = writeln!(o, "takeaway: {t}");
    }
    for (i, st) in l.steps.iter().enumerate() {
        let se = match eval::step(ev, &l, i) {
            Ok(x) => x,
            Err(e) => {
                let _ = writeln!(o, "\nstep {} ({}): ERROR {e}", i + 1, st.kind.name());
                continue;
            }
        };
        let _ = writeln!(o, "\nstep {} ({}) — {}", i + 1, st.kind.name(), st.title);
        let seed = se
            .setup
            .seed
            .map_or("showcase".to_string(), |s| s.to_string());
        let _ = writeln!(o, "  run: seed {seed}{}", setup_note(&se.setup));
        let _ = writeln!(o, "  text: {}", st.text);
        match st.kind {
            StepKind::Watch => {
                let _ = writeln!(
                    o,
                    "  plays: tick {} to tick {}",
                    se.start,
                    se.stop.unwrap_or(0)
                );
            }
            StepKind::Predict | StepKind::Observe => {
                let _ = writeln!(
                    o,
                    "  held before tick {}; settles at tick {}",
                    se.reveal.unwrap_or(0),
                    se.settle.unwrap_or(0)
                );
            }
            StepKind::Build => build_key(&mut o, st.challenge.as_deref()),
            StepKind::PredictSpace => space_key(&mut o, st.space.as_deref()),
            _ => {}
        }
        let qs: Vec<&Question> = st.question.iter().chain(st.questions.iter()).collect();
        for (k, (q, qe)) in qs.iter().zip(&se.questions).enumerate() {
            let _ = writeln!(o, "  Q{}: {}", k + 1, q.prompt);
            if let Some(s) = &q.setup {
                let _ = writeln!(
                    o,
                    "    (asked of: {})",
                    setup_note(s).trim_start_matches(", ")
                );
            }
            let right = qe.answer.show(&qe.labels);
            let expect = q
                .expect
                .as_ref()
                .map_or("none".to_string(), |x| x.to_string());
            let _ = writeln!(o, "    answer: {right} (expect: {expect})");
            if q.number {
                let fb = eval::judge(
                    q,
                    qe,
                    &Answer::Number(match qe.answer {
                        eval::Value::Int(v) => v,
                        _ => 0,
                    }),
                );
                let _ = writeln!(o, "    right → {}", fb.text);
                for (m, v) in q.misconceptions.iter().zip(&qe.misconceptions) {
                    let n = match v {
                        eval::Value::Int(x) => *x,
                        _ => 0,
                    };
                    let fb = eval::judge(q, qe, &Answer::Number(n));
                    let _ = writeln!(
                        o,
                        "    number = {} — misconception [{}] {}",
                        v.show(&qe.labels),
                        m.misconception_id.as_deref().unwrap_or("?"),
                        m.name
                    );
                    let _ = writeln!(o, "      → {}", fb.text);
                    if let Some(r) = &m.refutation {
                        let _ = writeln!(o, "      refutation: {r}");
                    }
                }
                if let Some(w) = &q.wrong {
                    let _ = writeln!(o, "    any other number → {w}");
                }
            } else {
                for (j, c) in q.options.iter().enumerate() {
                    let mark = if qe.right == Some(j) { "[x]" } else { "[ ]" };
                    let label = eval::option_label(q, qe, j);
                    let fb = eval::judge(q, qe, &Answer::Option(j));
                    let v = qe
                        .options
                        .get(j)
                        .map(|v| v.show(&qe.labels))
                        .unwrap_or_default();
                    let _ = writeln!(o, "    {mark} {}: \"{label}\" = {v}", c.id);
                    if let (Some(id), Some(m)) = (&c.misconception_id, &c.misconception) {
                        let _ = writeln!(o, "      misconception [{id}] {m}");
                    }
                    let _ = writeln!(o, "      → {}", fb.text);
                    if let Some(r) = &c.refutation {
                        let _ = writeln!(o, "      refutation: {r}");
                    }
                }
            }
        }
        if let Some(x) = &st.explain {
            let _ = writeln!(o, "  explain: {x}");
        }
        if let Some(g) = &st.goal {
            let met = ev.goal_met(&l.scenario, &se.setup, g);
            let _ = writeln!(o, "  goal met at the start: {}", fmt_met(met));
            if let Some(s) = &st.show_me {
                let met = ev.goal_met(&l.scenario, &se.setup.overlay(s), g);
                let _ = writeln!(o, "  show me{}: goal met {}", setup_note(s), fmt_met(met));
            }
        }
        if let Some(x) = &st.hint {
            let _ = writeln!(o, "  hint: {x}");
        }
        if let Some(x) = &st.success {
            let _ = writeln!(o, "  success: {x}");
        }
    }
    o
}

fn fmt_met(m: Result<bool, String>) -> String {
    match m {
        Ok(true) => "yes".into(),
        Ok(false) => "no".into(),
        Err(e) => format!("error: {e}"),
    }
}

fn setup_note(s: &super::model::Setup) -> String {
    let mut v = Vec::new();
    if let Some(x) = &s.scenario {
        v.push(format!("scenario {x}"));
    }
    if let Some(x) = s.seed {
        v.push(format!("seed {x}"));
    }
    for (k, x) in &s.params {
        v.push(format!("{k}={x}"));
    }
    if let Some(f) = &s.faults {
        v.push(format!("faults [{}]", f.join(" ")));
    }
    if s.random_faults == Some(false) {
        v.push("no random faults".into());
    }
    if let Some(t) = &s.technique {
        v.push(format!("showing {t}"));
    }
    if v.is_empty() {
        String::new()
    } else {
        format!(", {}", v.join(", "))
    }
}

/// A build step's challenge, the handler it starts from and a reference solution, each
/// with its verdict from the exhaustive check.
fn build_key(o: &mut String, id: Option<&str>) {
    use crate::sim::workbench::{challenges, check, Handler};
    let Some(c) = id.and_then(challenges::find) else {
        return;
    };
    let _ = writeln!(o, "  challenge: {} ({}), k = {}", c.id, c.title, c.k);
    for (what, text) in [
        ("starts from", c.wrong.first()),
        ("a solution", c.solutions.first()),
    ] {
        let Some(h) = text.and_then(|t| Handler::decode(t).ok()) else {
            continue;
        };
        let r = check(&h, &c.setup(), c.k);
        let _ = writeln!(o, "  {what}: {} → {}", h.encode(), r.verdict());
    }
}

/// A predict-space step's question as the learner meets it (the prompt, the settings
/// and the faults shown before answering) and the exhaustive check's answer.
fn space_key(o: &mut String, id: Option<&str>) {
    let Some(q) = id.and_then(crate::course::practice::find_space) else {
        return;
    };
    let shown = q.shown_assumptions().unwrap_or_else(|e| vec![e]);
    let assumed = q.assumptions().unwrap_or_default();
    let _ = writeln!(o, "  Q: {}", q.prompt(&q.label(), &assumed));
    if !q.settings().is_empty() {
        let _ = writeln!(o, "    settings: {}", q.settings().join(", "));
    }
    for line in shown {
        let _ = writeln!(o, "    shown: {line}");
    }
    match q.answer() {
        Ok(a) => {
            let yn = |b: bool| if b { "yes" } else { "no" };
            let _ = writeln!(
                o,
                "    answer: {} (expect: {}); {} schedules checked{}",
                yn(a.can),
                yn(q.expect),
                a.checked,
                if a.finished {
                    ", every one"
                } else {
                    ", not all"
                }
            );
            if let Some((words, _)) = &a.smallest {
                let _ = writeln!(o, "    smallest: {words}");
            }
        }
        Err(e) => {
            let _ = writeln!(o, "    ERROR {e}");
        }
    }
}
