//! A lesson's build step (`kind: "build"`): the challenge, the workbench's editor (the
//! same keyboard-first list and text form as the page) starting from a common wrong
//! attempt, and Check. The handler is graded by the exhaustive check: it holds (the step
//! is done) or the smallest counterexample is shown, replayed on the stage and the
//! space-time view from its breaking step.
//! After two checks that break, "Show me a solution" puts a reference handler in the
//! editor (the learner still checks it). Every check is posted to a framing page
//! (`workbench` message, with the lesson and step).

use super::editor::use_handler;
use super::offthread::use_check;
use super::{checking, verdict_view, why_view};
use crate::sim::workbench::{challenges, Check, Handler};
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

/// The challenge's goal, assumptions and rule.
fn about(c: &challenges::Challenge) -> Html {
    html! { <>
        <p class="wb-goal"><strong>{"Goal: "}</strong>{c.goal}</p>
        <p class="small"><strong>{"Faults assumed: "}</strong>{c.assume.words()}{"."}</p>
        if !c.rule.is_empty() { <p class="small"><strong>{"Rule: "}</strong>{c.rule}{"."}</p> }
    </> }
}

/// "Show me a solution": the challenge's first reference handler, in the editor.
fn show_me(
    c: &'static challenges::Challenge,
    set_steps: std::rc::Rc<dyn Fn(Vec<crate::sim::workbench::Step>, bool)>,
) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        if let Some(h) = c.solutions.first().and_then(|t| Handler::decode(t).ok()) {
            set_steps(h.0, true);
        }
    })
}

#[component]
pub fn BuildStep(p: &BuildProps) -> Html {
    let c = challenges::find(&p.challenge);
    let start = c
        .and_then(|c| c.wrong.first())
        .and_then(|t| Handler::decode(t).ok())
        .unwrap_or(Handler(Vec::new()));
    let checked = use_check(c.is_some_and(|c| c.k >= super::offthread::WORKER_K));
    let ed = use_handler(&start, {
        let checked = checked.clone();
        Callback::from(move |()| checked.clear())
    });
    let breaks = use_state(|| 0u32);
    let Some(c) = c else {
        return html! { <p class="drift small" role="alert">{format!("No workbench challenge '{}'.", p.challenge)}</p> };
    };
    let on_check = {
        let (ed, checked, breaks, done) = (
            ed.clone(),
            checked.clone(),
            breaks.clone(),
            p.on_checked.clone(),
        );
        let (lesson, step) = (p.lesson.clone(), p.step);
        Callback::from(move |_: MouseEvent| {
            let (breaks, done, lesson) = (breaks.clone(), done.clone(), lesson.clone());
            let then = Callback::from(move |r: Result<Check, String>| {
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
            });
            checked.run(Some(c.id), ed.handler(), c.k, then);
        })
    };
    let on_show = show_me(c, ed.set_steps.clone());
    let result = &*checked.result;
    let broke = result
        .as_ref()
        .is_some_and(|(r, _)| !r.as_ref().is_ok_and(Check::holds));
    html! {
        <div class="wb-build" data-wb-build={c.id}>
            {about(c)}
            {ed.view()}
            <div class="wb-actions">
                <button type="button" class="btn primary" data-action="build-check" disabled={ed.steps.is_empty() || *checked.running} onclick={on_check}>
                    {format!("Check ({} {})", c.k, if c.k == 1 { "fault" } else { "faults" })}
                </button>
                if *breaks >= 2 && broke {
                    <button type="button" class="btn" data-action="build-show-me" onclick={on_show}>{"Show me a solution"}</button>
                }
            </div>
            if *checked.running { {checking()} }
            else if let Some((r, ms)) = result {
                {verdict_view(r, *ms)}
                {why_view(Some(c.id), r)}
            }
        </div>
    }
}
