//! A lesson's build step (`kind: "build"`): the challenge, the workbench's editor (the
//! same keyboard-first list and text form as the page) starting from a common wrong
//! attempt, and Check. The handler is graded by the exhaustive check: it holds (the step
//! is done) or the smallest counterexample is shown, replayable on the space-time view.
//! After two checks that break, "Show me a solution" puts a reference handler in the
//! editor (the learner still checks it). Every check is posted to a framing page
//! (`workbench` message, with the lesson and step).

use super::editor::{self, AddRow, Edit, StepList};
use super::{focus_after, focus_label, now_ms, verdict_view, why_view};
use crate::sim::workbench::{challenges, check, Check, Handler, Step, MAX_STEPS};
use crate::ui::host;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BuildProps {
    pub lesson: AttrValue,
    /// The step's index (0-based).
    pub step: usize,
    pub challenge: AttrValue,
    /// Called after every check: whether the handler holds.
    pub on_checked: Callback<bool>,
}

/// The check of `steps` under the challenge, or why the challenge's rule refuses it.
fn grade(c: &challenges::Challenge, steps: &[Step]) -> Result<Check, String> {
    let h = Handler(steps.to_vec());
    c.allows(&h).map(|_| check(&h, &c.setup(), c.k))
}

#[component]
pub fn BuildStep(p: &BuildProps) -> Html {
    let c = challenges::find(&p.challenge);
    let start = c
        .and_then(|c| c.wrong.first())
        .and_then(|t| Handler::decode(t).ok())
        .unwrap_or(Handler(Vec::new()));
    let steps = use_state(|| start.0.clone());
    let text = use_state(|| start.encode());
    let text_error = use_state(|| None::<String>);
    let result = use_state(|| None::<(Result<Check, String>, f64)>);
    let breaks = use_state(|| 0u32);
    let focus = use_state(|| None::<String>);
    {
        let f = (*focus).clone();
        use_effect_with(f, |f| {
            if let Some(l) = f {
                focus_label(l);
            }
        });
    }
    let Some(c) = c else {
        return html! { <p class="drift small" role="alert">{format!("No workbench challenge '{}'.", p.challenge)}</p> };
    };
    let set_steps = {
        let (steps, text, text_error, result) = (
            steps.clone(),
            text.clone(),
            text_error.clone(),
            result.clone(),
        );
        move |v: Vec<Step>, write_text: bool| {
            if write_text {
                text.set(Handler(v.clone()).encode());
                text_error.set(None);
            }
            steps.set(v);
            result.set(None);
        }
    };
    let on_edit = {
        let (steps, focus, set_steps) = (steps.clone(), focus.clone(), set_steps.clone());
        Callback::from(move |e: Edit| {
            let (v, at) = editor::apply(&steps, &e);
            focus.set(focus_after(&e, at, v.len()));
            set_steps(v, true);
        })
    };
    let on_add = on_edit.reform(Edit::Add);
    let on_text = editor::on_text_input(text.clone(), text_error.clone(), set_steps.clone());
    let on_check = {
        let (steps, result, breaks, done) = (
            steps.clone(),
            result.clone(),
            breaks.clone(),
            p.on_checked.clone(),
        );
        let (lesson, step) = (p.lesson.clone(), p.step);
        Callback::from(move |_: MouseEvent| {
            let t0 = now_ms();
            let r = grade(c, &steps);
            let ms = now_ms() - t0;
            if let Ok(chk) = &r {
                let mut f = host::workbench_fields(chk, Some(c));
                f["lesson"] = lesson.as_str().into();
                f["step"] = (step + 1).into();
                host::post("workbench", f);
            }
            let holds = r.as_ref().is_ok_and(Check::holds);
            if !holds {
                breaks.set(*breaks + 1);
            }
            done.emit(holds);
            result.set(Some((r, ms)));
        })
    };
    let on_show = {
        let set_steps = set_steps.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(h) = c.solutions.first().and_then(|t| Handler::decode(t).ok()) {
                set_steps(h.0, true);
            }
        })
    };
    html! {
        <div class="wb-build" data-wb-build={c.id}>
            <p class="wb-goal"><strong>{"Goal: "}</strong>{c.goal}</p>
            <p class="small"><strong>{"Faults assumed: "}</strong>{c.assume.words()}{"."}</p>
            if !c.rule.is_empty() { <p class="small"><strong>{"Rule: "}</strong>{c.rule}{"."}</p> }
            <StepList steps={(*steps).clone()} on_edit={on_edit} />
            <AddRow full={steps.len() >= MAX_STEPS} on_add={on_add} />
            <label class="wb-text">
                <span>{"As text (comma-separated steps)"}</span>
                <input type="text" spellcheck="false" autocomplete="off" value={(*text).clone()}
                    aria-invalid={text_error.is_some().to_string()} oninput={on_text} />
            </label>
            if let Some(e) = &*text_error { <p class="wb-error" role="alert" data-wb-text-error="">{e.clone()}</p> }
            <div class="wb-actions">
                <button type="button" class="btn primary" data-action="build-check" disabled={steps.is_empty()} onclick={on_check}>
                    {format!("Check ({} {})", c.k, if c.k == 1 { "fault" } else { "faults" })}
                </button>
                if *breaks >= 2 && result.as_ref().is_some_and(|(r, _)| !r.as_ref().is_ok_and(Check::holds)) {
                    <button type="button" class="btn" data-action="build-show-me" onclick={on_show}>{"Show me a solution"}</button>
                }
            </div>
            if let Some((r, ms)) = &*result {
                {verdict_view(r, *ms)}
                {why_view(Some(c.id), r)}
            }
        </div>
    }
}
