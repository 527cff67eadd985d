//! Step texts that give the next question away. A read, watch or observe step sets a
//! question up; its text may not state the answer: not the right option's label, not
//! the computed number, and not a phrase that reports what a design did with the
//! message the question is about (`ANSWER_PHRASES`).

use crate::course::eval::{self, Evaluator, Value};
use crate::course::model::{Lesson, Setup, StepKind};

/// Phrases that report an outcome ("the broker rejects it", "one server charges
/// again"): in a read or watch text before a question they answer it. A watch text
/// says what to look at; the run and the explanation say what happened. Each entry:
/// (phrase, why it reports an outcome).
pub const ANSWER_PHRASES: &[(&str, &str)] = &[
    ("rejects", "says a write was refused"),
    ("refuses", "says a write was refused"),
    ("charges again", "says a retry was charged again"),
    (
        "replays the stored",
        "says a repeat was answered from the store",
    ),
    ("still counts", "says a copy was counted"),
    ("is correct", "judges a design before the question does"),
    ("had already written", "says a replay was written again"),
    (
        "long after",
        "says copies outlast a window, which decides a TTL question",
    ),
    ("skips the copy", "says a copy was absorbed"),
    ("applies it again", "says a copy was applied"),
    (
        "new producer id",
        "says a restarted producer's retry cannot be linked to its first write",
    ),
    ("write lands", "says a late write is accepted"),
];

/// Problems: a read/watch/observe step text that states the answer of the next
/// question (the next predict or observe step after it), and a predict step text that
/// states the answer of its own question (it is read before the learner answers).
pub fn answer_hints(ev: &mut Evaluator, l: &Lesson) -> Vec<(String, String)> {
    let Ok(filled) = eval::resolve(ev, l) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let asks = |k: StepKind| matches!(k, StepKind::Predict | StepKind::Observe);
    for (i, st) in filled.steps.iter().enumerate() {
        // A predict step's text is read before its own question is answered.
        let j = if st.kind == StepKind::Predict {
            i
        } else if matches!(
            st.kind,
            StepKind::Read | StepKind::Watch | StepKind::Observe
        ) {
            // The next question: this observe step's own comes first, so look after it.
            let Some(j) = (i + 1..filled.steps.len()).find(|&j| asks(filled.steps[j].kind)) else {
                continue;
            };
            j
        } else {
            continue;
        };
        // Only texts before it and after the previous question set it up.
        if (i + 1..j).any(|k| asks(filled.steps[k].kind)) {
            continue;
        }
        let (Some(q), Ok(se)) = (filled.steps[j].question.as_ref(), eval::step(ev, l, j)) else {
            continue;
        };
        let Some(qe) = se.questions.first() else {
            continue;
        };
        let text = st.text.to_lowercase();
        let at = format!(
            "lesson '{}' step {} ({}) field `text`",
            l.id,
            i + 1,
            st.kind.name()
        );
        let next = format!("step {} ({})", j + 1, filled.steps[j].kind.name());
        let mut found = Vec::new();
        if let Some(k) = qe.right {
            let label = eval::option_label(q, qe, k).to_lowercase();
            if !matches!(qe.answer, Value::Bool(_)) && contains_word(&text, &label) {
                found.push(format!("the right option's label \"{label}\""));
            }
        }
        if let Value::Int(n) = qe.answer {
            if contains_word(&text, &n.to_string()) {
                found.push(format!("the answer {n}"));
            }
        }
        for (p, why) in ANSWER_PHRASES {
            if contains_word(&text, p) {
                found.push(format!("\"{p}\" ({why})"));
            }
        }
        if !found.is_empty() {
            out.push((
                at,
                format!(
                    "gives away the answer of {next}: {}; set the question up without answering it",
                    found.join(", ")
                ),
            ));
        }
    }
    out
}

/// Problems: a predict step that asks about a run an earlier watch step already played
/// past the predict's reveal tick (same setting): the learner has seen the answer, so
/// nothing is predicted. A prediction needs a setting, seed or tick not yet shown.
pub fn already_watched(ev: &mut Evaluator, l: &Lesson) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (j, st) in l.steps.iter().enumerate() {
        if st.kind != StepKind::Predict {
            continue;
        }
        let Ok(pe) = eval::step(ev, l, j) else {
            continue;
        };
        let Some(reveal) = pe.reveal else {
            continue;
        };
        // A question computed under its own setting asks about that run, not the step's.
        if st.question.as_ref().is_some_and(|q| q.setup.is_some()) {
            continue;
        }
        for (w, ws) in l.steps[..j].iter().enumerate() {
            if ws.kind != StepKind::Watch {
                continue;
            }
            let Ok(we) = eval::step(ev, l, w) else {
                continue;
            };
            // The tab shown does not change the run.
            let run = |s: &Setup| Setup {
                technique: None,
                ..s.clone()
            };
            if run(&we.setup) == run(&pe.setup) && we.stop.is_some_and(|stop| stop >= reveal) {
                out.push((
                    format!("lesson '{}' step {} (predict)", l.id, j + 1),
                    format!(
                        "asks about the run step {} (watch) already played to tick {}, past this step's reveal (tick {reveal}): nothing is left to predict; use a setting, seed or tick the learner has not seen",
                        w + 1,
                        we.stop.unwrap_or(0)
                    ),
                ));
            }
        }
    }
    out
}

/// `needle` in `hay` as whole words (not inside a longer word or number).
fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.trim().is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(a, _)| {
        let before = hay[..a].chars().next_back();
        let after = hay[a + needle.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
        edge(before) && edge(after)
    })
}

#[cfg(test)]
mod tests {
    use super::contains_word;

    #[test]
    fn words_not_parts_of_words() {
        assert!(contains_word("the broker rejects it", "rejects"));
        assert!(!contains_word("it shows 18 entries", "8"));
        assert!(contains_word("it shows 8 entries", "8"));
        assert!(!contains_word("txn-38", "8"));
        assert!(!contains_word("txn-8", "8"));
        assert!(contains_word("then txn-8 lands", "txn-8"));
    }
}
