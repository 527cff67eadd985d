//! The lesson panel: the active step of a lesson (read, watch, predict, try, recall)
//! above the stage it drives. Questions are buttons or a number field; feedback is a
//! polite live region. Every value shown here was computed by the simulator
//! (`course::eval`); nothing is typed in the lesson file.

use crate::course::eval::{self, Answer, QuestionEval};
use crate::course::model::{Question, StepKind};
use crate::sim::ids::Tick;
use crate::ui::components::controls::Param;
use crate::ui::state::lesson::{self as lesson_state, LessonAction, LessonRun};
use crate::ui::state::{Action, ScenarioRef};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub run: LessonRun,
    pub tick: Tick,
    pub dispatch: Callback<Action>,
    /// The scenario on the stage and its non-default parameters (for the try step's
    /// own controls).
    pub scenario: ScenarioRef,
    pub params: Vec<(String, i64)>,
    /// The last tick playback may show while a question waits (`lesson_state::cap`).
    #[prop_or_default]
    pub held_at: Option<Tick>,
}

#[derive(Properties, PartialEq)]
struct QuestionProps {
    q: Question,
    e: QuestionEval,
    index: usize,
    answers: Vec<Answer>,
    lesson: AttrValue,
    step: usize,
    dispatch: Callback<Action>,
}

fn lesson_action(a: LessonAction) -> Action {
    Action::Lesson(a)
}

/// A number field's input handler: what is typed goes into `typed` (the lesson panel's
/// number questions and the practice page's).
pub fn on_number_input(typed: &UseStateHandle<String>) -> Callback<InputEvent> {
    let typed = typed.clone();
    Callback::from(move |e: InputEvent| {
        typed.set(
            e.target_unchecked_into::<web_sys::HtmlInputElement>()
                .value(),
        )
    })
}

/// A typed answer as a whole number: spaces, thousands separators and a rupee sign
/// are left out ("₹1,200" → 1200); `None` if what is left is not a whole number.
pub fn parse_number(typed: &str) -> Option<i64> {
    typed
        .trim()
        .replace(['₹', ',', ' '], "")
        .parse::<i64>()
        .ok()
}

#[component]
fn QuestionView(p: &QuestionProps) -> Html {
    let typed = use_state(String::new);
    let bad_number = use_state(|| false);
    let last = p.answers.last().cloned();
    let feedback = last.as_ref().map(|a| eval::judge(&p.q, &p.e, a));
    let answer = {
        let (q, e, d, lesson, step, index) = (
            p.q.clone(),
            p.e.clone(),
            p.dispatch.clone(),
            p.lesson.clone(),
            p.step,
            p.index,
        );
        Callback::from(move |a: Answer| {
            // The one place a learner's answer leaves the lesson (docs/embedding.md).
            crate::ui::host::post_answer(&lesson, step, index, &q, &e, &a);
            d.emit(lesson_action(LessonAction::Answer {
                question: index,
                answer: a,
            }));
        })
    };
    let body = if p.q.number {
        let on_input = on_number_input(&typed);
        let on_submit = {
            let (typed, bad, answer) = (typed.clone(), bad_number.clone(), answer.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                match parse_number(&typed) {
                    Some(v) => {
                        bad.set(false);
                        answer.emit(Answer::Number(v));
                    }
                    None => bad.set(true),
                }
            })
        };
        let id = format!("answer-{}-{}", p.step, p.index);
        html! {
            <form class="number-answer" onsubmit={on_submit}>
                <label for={id.clone()} class="sr-only">{"Your answer (a whole number)"}</label>
                <input id={id} type="text" inputmode="numeric" data-answer="" autocomplete="off"
                    value={(*typed).clone()} oninput={on_input} size="8" />
                <button type="submit" class="btn primary" data-action="answer">{"Check"}</button>
                if *bad_number {
                    <span class="small warn-text" role="alert">{"Type a whole number, e.g. 3."}</span>
                }
            </form>
        }
    } else {
        html! {
            <div class="options" role="group" aria-label="Choices">
                { for p.q.options.iter().enumerate().map(|(i, o)| {
                    let chosen = p.answers.contains(&Answer::Option(i));
                    let was = chosen.then(|| if p.e.right == Some(i) { "right" } else { "wrong" });
                    let answer = answer.clone();
                    html! {
                        <button class={classes!("btn", "option", was)} data-option={o.id.clone()}
                            data-misconception={lesson_state::misconception_id(o)}
                            aria-pressed={chosen.to_string()}
                            onclick={Callback::from(move |_| answer.emit(Answer::Option(i)))}>
                            {eval::option_label(&p.q, &p.e, i)}
                        </button>
                    }
                }) }
            </div>
        }
    };
    html! {
        <fieldset class="question" data-question={p.index.to_string()}>
            <legend>{p.q.prompt.clone()}</legend>
            {body}
            <div class="feedback-slot" aria-live="polite" role="status">
                if let Some(f) = feedback {
                    <p class={classes!("feedback", if f.correct { "right" } else { "wrong" })}
                        data-feedback="" data-correct={f.correct.to_string()}
                        data-right={p.e.answer.show(&p.e.labels)}>
                        <strong>{feedback_lead(f.correct, &f.text)}</strong>{f.text}
                    </p>
                }
            </div>
        </fieldset>
    }
}

#[component]
pub fn LessonPanel(p: &LessonProps) -> Html {
    let l = &p.run;
    let d = &p.dispatch;
    let heading = use_node_ref();
    let next_ref = use_node_ref();
    {
        // "Show me" removes its own button: the focus goes on to Next, not to the page.
        let next_ref = next_ref.clone();
        use_effect_with((l.showed_me, l.goal_met), move |(shown, met)| {
            if *shown && *met {
                if let Some(b) = next_ref.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        });
    }
    {
        // A new step: move the focus to its heading (keyboard and screen readers).
        let heading = heading.clone();
        use_effect_with((l.lesson.id.clone(), l.step, l.finished), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    let n = l.lesson.steps.len();
    let idx = crate::course::course()
        .iter()
        .position(|x| x.id == l.lesson.id);
    let kicker = match (idx, l.imported) {
        (_, true) => "Imported lesson".to_string(),
        (Some(i), _) => format!("Lesson {} of {}", i + 1, crate::course::course().len()),
        _ => "Lesson".to_string(),
    };
    let dots = (0..n).map(|i| {
        let kind = l.lesson.steps[i].kind.name();
        let cls = classes!("dot", (i == l.step).then_some("now"), (i < l.step || l.finished).then_some("past"));
        html! { <li class={cls} title={format!("Step {}: {kind}", i + 1)}><span class="sr-only">{format!("Step {} ({kind}){}", i + 1, if i == l.step { ", current" } else { "" })}</span></li> }
    });
    let close = d.reform(|_| lesson_action(LessonAction::Close));
    let head = html! {
        <div class="lesson-head">
            <div>
                <p class="lesson-kicker">{kicker}</p>
                <p class="lesson-title">{l.lesson.title.clone()}</p>
            </div>
            <ol class="step-dots" aria-label="Steps">{ for dots }</ol>
            <button class="btn small ghost" data-action="close-lesson" onclick={close}
                title="Leave the lesson and explore freely (your progress is kept)">{"Leave lesson"}</button>
        </div>
    };
    if l.finished {
        let next = idx
            .and_then(|i| crate::course::course().get(i + 1))
            .filter(|_| !l.imported);
        return html! {
            <section class="lesson-panel" aria-label="Lesson" data-lesson-panel={l.lesson.id.clone()}>
                {head}
                <div class="lesson-step done" data-step="done">
                    <h2 class="step-title" tabindex="-1" ref={heading}>{"Lesson complete"}</h2>
                    {summary(l)}
                    <div class="lesson-nav">
                        if let Some(nx) = next {
                            <button class="btn primary" data-action="next-lesson"
                                onclick={d.reform({ let id = nx.id.clone(); move |_| lesson_action(LessonAction::Open { id: id.clone(), step: 0 }) })}>
                                {format!("Next lesson: {}", nx.title)}
                            </button>
                        }
                        <button class="btn" data-action="close-lesson" onclick={d.reform(|_| lesson_action(LessonAction::Close))}>{"Explore freely"}</button>
                    </div>
                </div>
            </section>
        };
    }
    let st = &l.lesson.steps[l.step];
    let kind = st.kind;
    let e = l.step_eval();
    let qs: Vec<&Question> = match kind {
        StepKind::Predict | StepKind::Observe => st.question.iter().collect(),
        StepKind::Recall => st.questions.iter().collect(),
        _ => Vec::new(),
    };
    let questions = qs.iter().enumerate().filter_map(|(k, q)| {
        let qe = e?.questions.get(k)?.clone();
        Some(html! {
            <QuestionView key={format!("{}-{}-{k}", l.lesson.id, l.step)} q={(*q).clone()} e={qe} index={k}
                answers={l.answers.get(k).cloned().unwrap_or_default()}
                lesson={l.lesson.id.clone()} step={l.step} dispatch={d.clone()} />
        })
    });
    let body = match kind {
        StepKind::Predict => html! {
            <>
                { for questions }
                if l.pending() {
                    if let Some(c) = p.held_at {
                        <p class="small muted hold-note" data-hold={(c + 1).to_string()}>
                            { if e.is_some_and(|e| c <= e.start) {
                                "Playback waits here until you answer.".to_string()
                            } else {
                                format!("Playback is held at tick {c} until you answer; explore the run up to there.")
                            } }
                        </p>
                    }
                } else if let Some(x) = &st.explain {
                    <p class="explain-after">{x.clone()}</p>
                }
            </>
        },
        StepKind::Recall => html! {
            <>
                { for questions }
                if l.pending() {
                    if let Some(c) = p.held_at {
                        <p class="small muted hold-note" data-hold={(c + 1).to_string()}>{"Playback waits here until you have answered every question."}</p>
                    }
                }
            </>
        },
        StepKind::Observe => html! {
            <>
                { for questions }
                if l.answered(0) {
                    if let Some(x) = &st.explain {
                        <p class="explain-after">{x.clone()}</p>
                    }
                }
            </>
        },
        StepKind::Watch => {
            let (a, b) = e.map_or((0, 0), |e| (e.start, e.stop.unwrap_or(e.start)));
            let i = l.step;
            html! {
                <p class="small">
                    {format!("Playing ticks {a} to {b}. ")}
                    <button class="link-btn" data-action="replay-step" onclick={d.reform(move |_| lesson_action(LessonAction::Go(i)))}>{"Play it again"}</button>
                </p>
            }
        }
        StepKind::Try => step_controls(p),
        StepKind::Build => html! {
            <crate::ui::components::workbench::build::BuildStep key={format!("{}-{}", l.lesson.id, l.step)}
                lesson={l.lesson.id.clone()} step={l.step} challenge={st.challenge.clone().unwrap_or_default()}
                on_checked={d.reform(|holds| lesson_action(LessonAction::Built(holds)))} />
        },
        StepKind::PredictSpace => html! {
            <super::space::SpaceStep key={format!("{}-{}", l.lesson.id, l.step)} run={l.clone()} dispatch={d.clone()} />
        },
        StepKind::Read => html! {},
    };
    let drift = if l.drifted && kind != StepKind::Try {
        html! {
            <p class="drift small" role="note">
                {"You changed the run; the step talks about its own setting. "}
                <button class="link-btn" data-action="restore-step" onclick={d.reform(|_| lesson_action(LessonAction::Restore))}>{"Put it back"}</button>
            </p>
        }
    } else {
        html! {}
    };
    let err = match l.eval.as_ref() {
        Err(why) => {
            html! { <p class="drift small" role="alert">{format!("This step could not be prepared: {why}")}</p> }
        }
        Ok(_) => html! {},
    };
    let last = l.step + 1 == n;
    let next_label = if last { "Finish" } else { "Next step" };
    html! {
        <section class="lesson-panel" aria-label="Lesson" data-lesson-panel={l.lesson.id.clone()}>
            {head}
            <div class="lesson-step" data-step={(l.step + 1).to_string()} data-step-kind={kind.name()}>
                <h2 class="step-title" tabindex="-1" ref={heading}>
                    <span class="step-kind">{kind_label(kind)}</span>
                    {format!("Step {} of {n}: {}", l.step + 1, st.title)}
                </h2>
                <p class="step-text">{st.text.clone()}</p>
                {err}
                {body}
                {drift}
                <div class="lesson-nav">
                    <button class="btn" data-action="prev-step" disabled={l.step == 0}
                        onclick={d.reform(|_| lesson_action(LessonAction::Back))}>{"← Back"}</button>
                    <button class="btn primary" data-action="next-step" disabled={!l.can_next()} ref={next_ref}
                        title={if l.can_next() { "" } else if kind == StepKind::Try { "Make it happen first (or use Show me)" } else if kind == StepKind::Build { "Make your handler hold first" } else { "Answer first" }}
                        onclick={d.reform(|_| lesson_action(LessonAction::Next))}>{next_label}{" →"}</button>
                </div>
            </div>
        </section>
    }
}

fn kind_label(k: StepKind) -> &'static str {
    match k {
        StepKind::Read => "Read",
        StepKind::Watch => "Watch",
        StepKind::Predict => "Predict",
        StepKind::Try => "Try",
        StepKind::Recall => "Recall",
        StepKind::Observe => "Observe",
        StepKind::Build => "Build",
        StepKind::PredictSpace => "Can it ever happen?",
    }
}

/// "✓ Right. " before feedback, unless the feedback already opens with "Right" (one
/// "Right" only); "✕ Not quite. " before a wrong answer's.
fn feedback_lead(correct: bool, text: &str) -> &'static str {
    match (correct, text.trim_start().starts_with("Right")) {
        (true, true) => "✓ ",
        (true, false) => "✓ Right. ",
        (false, _) => "✕ Not quite. ",
    }
}

/// A try step's own controls (`[data-step-controls]`): the parameters its `show_me`
/// changes, how to make a hand-made fault when the goal needs one, and the feedback
/// next to them; "Show me" stays as the way out.
fn step_controls(p: &LessonProps) -> Html {
    let l = &p.run;
    let d = &p.dispatch;
    let st = &l.lesson.steps[l.step];
    let names = lesson_state::step_params(l);
    let info = p.scenario.info();
    let controls = names.iter().filter_map(|n| {
        let idx = info.params.iter().position(|s| s.name == n.as_str())?;
        let spec = &info.params[idx];
        let value = p
            .params
            .iter()
            .find(|(k, _)| k == n)
            .map_or(spec.default, |(_, v)| *v);
        Some(html! {
            <Param key={n.clone()} scenario={p.scenario} {idx} {value} dispatch={d.clone()} id_prefix="step-param-" />
        })
    });
    let fault = lesson_state::step_needs_fault(l);
    html! {
        <div class="try-box" data-step-controls="">
            <div class="step-controls">
                { for controls }
                if fault {
                    <p class="fault-how" data-fault-how="">
                        <strong>{"Make a hand-made fault: "}</strong>
                        {"pause, then click a message in flight or a process on the stage and pick what happens to it."}
                    </p>
                }
            </div>
            <div class="try-feedback" aria-live="polite" role="status">
                if l.goal_met {
                    <p class="feedback right" data-feedback="" data-correct="true">
                        <strong>{if l.showed_me { "Shown. " } else { "✓ You did it. " }}</strong>{st.success.clone().unwrap_or_default()}
                    </p>
                } else if l.tries > 0 {
                    <p class="small muted" data-tries={l.tries.to_string()}>
                        {format!("Not yet: the run after your change does not do it ({} {}).", l.tries, if l.tries == 1 { "try" } else { "tries" })}
                    </p>
                }
                if l.hint_due() && !l.goal_met {
                    <p class="hint" data-hint=""><strong>{"Hint: "}</strong>{st.hint.clone().unwrap_or_default()}</p>
                }
            </div>
            if !l.goal_met {
                <p class="small muted">{"Each change re-runs and is checked. "}
                    <button class="link-btn" data-action="show-me" onclick={d.reform(|_| lesson_action(LessonAction::ShowMe))}>{"Show me"}</button>
                </p>
            }
        </div>
    }
}

/// The end of a lesson (`[data-lesson-summary]`): the score of first answers, each
/// misconception met with its refutation, and the takeaway.
fn summary(l: &LessonRun) -> Html {
    let asked = l.scored.len();
    let right = l.scored.values().filter(|c| **c).count();
    let takeaway = lesson_state::takeaway(&l.lesson);
    html! {
        <div class="lesson-summary" data-lesson-summary="" data-score={right.to_string()} data-questions={asked.to_string()}>
            if asked > 0 {
                <p class="score"><strong>{format!("{right} of {asked}")}</strong>{format!(" question{} right at the first answer.", if asked == 1 { "" } else { "s" })}</p>
            }
            if !l.met.is_empty() {
                <h3 class="sub-head">{"Ideas worth a second look"}</h3>
                <ul class="met">
                    { for l.met.iter().map(|(name, why)| html! {
                        <li data-met={name.clone()}><strong>{format!("“{name}”: ")}</strong>{why.clone()}</li>
                    }) }
                </ul>
            }
            if let Some(t) = takeaway {
                <p class="takeaway" data-takeaway=""><strong>{"Takeaway: "}</strong>{t}</p>
            } else {
                <p class="takeaway">{"You predicted, watched the run settle it, and made it happen yourself. The playground stays open: every control still works."}</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::feedback_lead;

    #[test]
    fn one_right_only() {
        assert_eq!(
            format!("{}{}", feedback_lead(true, "Right. Late."), "Right. Late."),
            "✓ Right. Late."
        );
        assert_eq!(
            format!("{}{}", feedback_lead(true, "Late."), "Late."),
            "✓ Right. Late."
        );
        assert_eq!(feedback_lead(false, "Right? No."), "✕ Not quite. ");
    }
}
