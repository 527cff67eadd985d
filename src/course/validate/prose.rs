//! Numbers in prose (spec §16): every learner-facing text of a lesson, the
//! placeholders it uses, and the digits and comparison words it may not carry free.

use crate::course::eval;
use crate::course::model::{Lesson, Question};

/// Every learner-facing text of a lesson, with the field it is in.
pub fn lesson_texts(l: &Lesson) -> Vec<(String, String)> {
    let mut v = vec![("title".to_string(), l.title.clone())];
    if let Some(t) = &l.takeaway {
        v.push(("takeaway".to_string(), t.clone()));
    }
    for (i, st) in l.steps.iter().enumerate() {
        let at = format!("step {} ({})", i + 1, st.kind.name());
        v.push((format!("{at} field `title`"), st.title.clone()));
        v.push((format!("{at} field `text`"), st.text.clone()));
        for (name, t) in [
            ("explain", &st.explain),
            ("hint", &st.hint),
            ("success", &st.success),
        ] {
            if let Some(t) = t {
                v.push((format!("{at} field `{name}`"), t.clone()));
            }
        }
        let qs: Vec<(String, &Question)> = st
            .question
            .iter()
            .map(|q| ("question".to_string(), q))
            .chain(
                st.questions
                    .iter()
                    .enumerate()
                    .map(|(k, q)| (format!("questions[{k}]"), q)),
            )
            .collect();
        for (f, q) in qs {
            for (name, t) in eval::question_texts(q) {
                v.push((format!("{at} field `{f}.{name}`"), t.clone()));
            }
        }
    }
    v
}

/// `{ $name }` placeholders no `values` entry defines (`value` is the answer).
pub(super) fn unknown_placeholders(l: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for (i, st) in l.steps.iter().enumerate() {
        let known = |n: &str| n == "value" || l.values.contains_key(n) || st.values.contains_key(n);
        let at = format!("step {} ({})", i + 1, st.kind.name());
        for (field, t) in lesson_texts(l)
            .into_iter()
            .filter(|(f, _)| f.starts_with(&format!("{at} ")))
        {
            for n in eval::placeholders(&t) {
                if !known(&n) {
                    out.push(format!("{field}: placeholder '{{ ${n} }}' is not in the step's or the lesson's `values`"));
                }
            }
        }
    }
    out
}

/// Comparison words and number words that state a quantity (spec §16).
pub const NUMBER_WORDS: &[&str] = &[
    "twice",
    "thrice",
    "half",
    "halves",
    "double",
    "doubles",
    "doubled",
    "triple",
    "tripled",
    "fewer",
    "more than",
    "less than",
    "as many as",
    "as much as",
    "one in",
    "percent",
    "%",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "dozen",
    "hundred",
    "thousand",
    "most of",
    "majority",
];

/// Reviewed exceptions: (lesson id or `*`, phrase that may contain a number or a
/// comparison word, why it is not a free number).
pub const NUMBER_ALLOW: &[(&str, &str, &str)] = &[
    ("*", "two generals", "the name of the problem, not a count"),
    (
        "*",
        "applied twice",
        "the name of the property \"applied more than once\" (a verdict), not a count",
    ),
    (
        "*",
        "three questions",
        "a course recall step asks exactly three questions (validator rule)",
    ),
    (
        "*",
        "more than once",
        "vocabulary: applied more than once is what a duplicate is, not a count",
    ),
    (
        "*",
        "two writes",
        "the subject of the design: the state write and the offset or publish write",
    ),
];

/// Digits and comparison words in a lesson's prose that are neither inside a
/// placeholder, nor part of an id (txn-3, m-B, msg-12), nor on the allow-list.
pub fn free_numbers(l: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    for (field, text) in lesson_texts(l) {
        // Placeholders are filled from the run: blank them out (keeping positions).
        let mut plain = String::with_capacity(text.len());
        let mut depth = 0;
        for c in text.chars() {
            match c {
                '{' => {
                    depth += 1;
                    plain.push(' ');
                }
                '}' if depth > 0 => {
                    depth -= 1;
                    plain.push(' ');
                }
                _ if depth > 0 => plain.push(' '),
                _ => plain.push(c),
            }
        }
        let low = plain.to_lowercase();
        let allowed = |pos: usize, len: usize| {
            NUMBER_ALLOW.iter().any(|(lesson, phrase, _)| {
                (*lesson == "*" || *lesson == l.id)
                    && low
                        .match_indices(phrase)
                        .any(|(a, _)| a <= pos && pos + len <= a + phrase.len())
            })
        };
        let mut found: Vec<String> = Vec::new();
        // Words with digits that are not ids.
        let mut pos = 0;
        for w in low.split_inclusive(|c: char| c.is_whitespace()) {
            let word = w
                .trim_end()
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != '-');
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            let start = pos + w.find(word).unwrap_or(0);
            pos += w.len();
            if !word.chars().any(|c| c.is_ascii_digit() || c == '%') {
                continue;
            }
            if is_id(word) || allowed(start, word.len()) {
                continue;
            }
            found.push(format!("'{word}'"));
        }
        // Number and comparison words, as whole words.
        for nw in NUMBER_WORDS {
            for (a, _) in low.match_indices(nw) {
                let before = low[..a].chars().next_back();
                let after = low[a + nw.len()..].chars().next();
                let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
                if (nw.chars().all(|c| c.is_alphanumeric() || c == ' ')
                    && !(edge(before) && edge(after)))
                    || allowed(a, nw.len())
                {
                    continue;
                }
                found.push(format!("'{nw}'"));
            }
        }
        if !found.is_empty() {
            out.push(format!(
                "{field}: free number or comparison {} (fill it from the run with a `{{ $name }}` placeholder, remove it, or add a reviewed exception to NUMBER_ALLOW)",
                found.join(", ")
            ));
        }
    }
    out
}

/// An id such as txn-3, msg-12, m-9237 (letters, a dash, then letters/digits).
fn is_id(w: &str) -> bool {
    let mut parts = w.split('-');
    let first = parts.next().unwrap_or("");
    !first.is_empty()
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && w.contains('-')
        && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// How many sentences a text has (ends of `.`, `?`, `!` followed by a space or the end).
pub fn sentences(text: &str) -> usize {
    let t = text.trim();
    let b: Vec<char> = t.chars().collect();
    let mut n = 0;
    for (i, c) in b.iter().enumerate() {
        if matches!(c, '.' | '?' | '!') && b.get(i + 1).is_none_or(|x| x.is_whitespace()) {
            // "e.g." and "…" inside a sentence are not ends.
            let prev = if i >= 2 { b[i - 2] } else { ' ' };
            if !(prev == '.' || (i >= 3 && b[i - 3..i].iter().collect::<String>() == "e.g")) {
                n += 1;
            }
        }
    }
    n.max(usize::from(!t.is_empty()))
}

/// Words in a text (for the report of words per lesson).
pub fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Every word a learner reads in a lesson.
pub fn lesson_words(l: &Lesson) -> usize {
    let q = |q: &Question| {
        words(&q.prompt)
            + q.options
                .iter()
                .map(|o| words(&o.label) + words(&o.feedback))
                .sum::<usize>()
            + q.right.as_deref().map_or(0, words)
            + q.wrong.as_deref().map_or(0, words)
            + q.misconceptions
                .iter()
                .map(|m| words(&m.feedback))
                .sum::<usize>()
    };
    l.steps
        .iter()
        .map(|s| {
            words(&s.title)
                + words(&s.text)
                + s.explain.as_deref().map_or(0, words)
                + s.hint.as_deref().map_or(0, words)
                + s.success.as_deref().map_or(0, words)
                + s.question.as_ref().map_or(0, q)
                + s.questions.iter().map(q).sum::<usize>()
        })
        .sum()
}
