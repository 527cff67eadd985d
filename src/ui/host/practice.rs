//! The messages of practice answers and "can it ever happen?" answers (docs/embedding.md):
//! a practice answer is a `practice` message of its own (a host that grades lessons from
//! `answer` never counts one); a lesson's predict-space step posts an `answer`.

use super::answer_fields;
use crate::course::eval::{Answer, QuestionEval};
use crate::course::model::Question;
use serde_json::{json, Value};

/// "yes" / "no": how a yes-or-no answer is written in messages.
fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The fields of an answer to a "can it ever happen?" question
/// (`course::practice::SpaceQuestion`): `space` (the question's id), `scenario`,
/// `technique`, `faults` (at most this many per schedule), `kind` `"yes-no"`,
/// `response` and `correctResponse` (`"yes"` / `"no"`: can the design end wrong?),
/// `correct`, `schedules` (how many the exhaustive check ran), `misconception` (null).
/// A lesson's predict-space step posts them as an `answer` (with `lesson`, `step`,
/// `question`: [`space_answer_fields`]); the practice page as a `practice` message.
pub fn space_fields(
    q: &crate::course::practice::SpaceQuestion,
    yes: bool,
    a: &crate::course::practice::SpaceAnswer,
) -> Value {
    json!({
        "space": q.id,
        "scenario": q.scenario,
        "technique": q.technique,
        "faults": q.k,
        "correct": yes == a.can,
        "kind": "yes-no",
        "response": yes_no(yes),
        "correctResponse": yes_no(a.can),
        "schedules": a.checked,
        "misconception": Value::Null,
    })
}

/// The `answer` message of a lesson's predict-space step (`step` 0-based here, from 1
/// in the message): [`space_fields`] with `lesson`, `step` and `question` 0.
pub fn space_answer_fields(
    lesson: &str,
    step: usize,
    q: &crate::course::practice::SpaceQuestion,
    yes: bool,
    a: &crate::course::practice::SpaceAnswer,
) -> Value {
    let mut f = space_fields(q, yes, a);
    f["lesson"] = json!(lesson);
    f["step"] = json!(step + 1);
    f["question"] = json!(0);
    f
}

/// The `practice` message of a practice variant's answer (the practice page): the
/// `answer` fields of its lesson question ([`answer_fields`]: `lesson`, `step` from 1,
/// `question`, `correct`, `kind`, `response`, `correctResponse`, `misconception`), plus
/// `variant` (its number k), `seed` (a string, as in `state`) and `params` (what the
/// variant laid over the step's setting). A practice answer is its own message type:
/// a host that grades lessons from `answer` messages never counts one.
pub fn practice_fields(
    lesson: &str,
    step: usize,
    q: &Question,
    e: &QuestionEval,
    a: &Answer,
    variant: u32,
    over: &crate::course::model::Setup,
) -> Value {
    let mut f = answer_fields(lesson, step, 0, q, e, a);
    f["variant"] = json!(variant);
    f["seed"] = json!(over.seed.map(|s| s.to_string()));
    f["params"] = json!(over.params);
    f
}
