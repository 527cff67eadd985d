//! A "can it ever happen?" question (`course::practice::SpaceQuestion`) as the
//! practice page and a lesson's predict-space step show it: the prompt, the settings
//! and the faults the exhaustive check places (before any answer), yes and no, and the
//! check's answer — yes with the smallest counterexample (a link to replay it, or on
//! the stage already), no with the number of schedules checked and what was assumed.

use crate::course::practice::{self, SpaceAnswer, SpaceQuestion};
use crate::ui::share::{self, ShareState};
use crate::ui::state::lesson::{LessonAction, LessonRun};
use crate::ui::state::Action;
use yew::prelude::*;

/// The link that replays a run config (a counterexample: random faults off).
fn config_link(scenario: &str, technique: &str, c: &crate::sim::run::RunConfig) -> String {
    let mut st = ShareState::new(scenario);
    st.inputs.config = c.clone();
    st.technique = Some(technique.to_string());
    format!("?{}", share::encode(&st))
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The exhaustive check of question `q`, and how long it took in this browser (ms).
pub fn check_timed(q: &SpaceQuestion) -> (Result<SpaceAnswer, String>, f64) {
    let t0 = perf_now();
    let a = q.answer();
    (a, perf_now() - t0)
}

/// A "can it ever happen?" question as the practice page and a lesson's predict-space
/// step show it: the prompt, the settings and the faults the check places (before
/// any answer), yes and no, and the check's answer once given.
#[derive(Properties, PartialEq)]
pub struct SpaceAskProps {
    pub q: SpaceQuestion,
    /// The learner's answer (yes: some schedule breaks the design).
    pub said: Option<bool>,
    /// The exhaustive check's answer and its time in ms.
    pub result: Option<(Result<SpaceAnswer, String>, f64)>,
    pub on_say: Callback<bool>,
    /// The smallest counterexample is already on the stage (a lesson step), rather
    /// than a link to replay it (the practice page).
    pub on_stage: bool,
}

#[component]
pub fn SpaceAsk(p: &SpaceAskProps) -> Html {
    let label = p.q.label();
    let settings = p.q.settings();
    // The failure model, learned from probe runs (no schedule checked): shown, and
    // named in the prompt, before the learner answers.
    let assumed = use_memo(p.q, |q| (q.assumptions(), q.shown_assumptions()));
    let prompt = p.q.prompt(&label, assumed.0.as_deref().unwrap_or(""));
    let verdict = match (p.said, &p.result) {
        (Some(yes), Some((Ok(a), ms))) => space_verdict(&p.q, yes, a, *ms, p.on_stage),
        (Some(_), Some((Err(e), _))) => html! { <p class="wb-error">{e.clone()}</p> },
        _ => html! {},
    };
    let answered = p.said.is_some();
    let option = |yes: bool, id: &'static str, text: &'static str| {
        let chosen = p.said == Some(yes);
        let was = match &p.result {
            Some((Ok(a), _)) if chosen => Some(if a.can == yes { "right" } else { "wrong" }),
            _ => None,
        };
        let on_say = p.on_say.clone();
        html! {
            <button class={classes!("btn", "option", chosen.then_some("chosen"), was)} data-option={id}
                aria-pressed={chosen.to_string()} disabled={answered && !chosen}
                onclick={Callback::from(move |_: MouseEvent| on_say.emit(yes))}>{text}</button>
        }
    };
    let shown: Vec<String> = match &assumed.1 {
        Ok(lines) => lines.clone(),
        Err(e) => vec![e.clone()],
    };
    html! {
        <fieldset class="question" data-question="0">
            <legend>{prompt}</legend>
            if !settings.is_empty() {
                <p class="wb-meta" data-space-settings="">{format!("Settings: {}.", settings.join(", "))}</p>
            }
            <div class="wb-meta" data-space-assumptions="">
                { for shown.into_iter().map(|l| html! { <p>{l}</p> }) }
            </div>
            <div class="options" role="group" aria-label="Choices">
                {option(true, "yes", "Yes, some schedule breaks it")}
                {option(false, "no", "No, no schedule within these faults breaks it")}
            </div>
            <div class="feedback-slot" aria-live="polite" role="status">{verdict}</div>
        </fieldset>
    }
}

/// The exhaustive check's answer to a "can it ever happen?" question the learner
/// answered `yes` (or no), and how long it took.
fn space_verdict(q: &SpaceQuestion, yes: bool, a: &SpaceAnswer, ms: f64, on_stage: bool) -> Html {
    let right = yes == a.can;
    let lead = if right {
        "✓ Right. "
    } else {
        "✕ Not quite. "
    };
    let body = if a.can {
        let link = a
            .smallest
            .as_ref()
            .map(|(_, c)| config_link(q.scenario, q.technique, c));
        html! {
            <>
            <p>{format!("Yes. {}.", a.smallest.as_ref().map_or("", |s| s.0.as_str()))}</p>
            if on_stage {
                if a.smallest.is_some() {
                    <p class="small" data-space-on-stage="">{"The stage now plays this run from the start."}</p>
                }
            } else if let Some(href) = link {
                <a class="btn" data-action="replay-counterexample" href={href}>{"Replay the smallest counterexample on the stage"}</a>
            }
            </>
        }
    } else {
        html! {
            <p>{format!("No. Every one of the {} with at most {} ends right.",
                crate::sim::sweep::plural(a.checked, "schedule"), crate::sim::sweep::plural(u64::from(q.k), "fault"))}</p>
        }
    };
    html! {
        <div class={classes!("feedback", if right { "right" } else { "wrong" })} data-space-answer="" data-feedback=""
            data-can={a.can.to_string()} data-correct={right.to_string()} data-checked={a.checked.to_string()}
            data-right={if a.can { "yes" } else { "no" }}
            data-ms={format!("{ms:.0}")}>
            <p><strong>{lead}</strong></p>
            {body}
            <p class="wb-meta">{format!("Assumed: {}.", assumed_words(q.k, &a.assumptions))}</p>
            <p class="wb-meta">{format!("Checked in {ms:.0} ms in this browser.")}</p>
        </div>
    }
}

/// The explorer's assumptions with each fault kind in words that stand alone.
fn assumed_words(k: u8, assumptions: &str) -> String {
    let kinds = practice::fault_kinds(k, assumptions);
    if kinds.is_empty() {
        assumptions.to_string()
    } else {
        format!("at most {k} of: {}", kinds.join("; "))
    }
}

#[derive(Properties, PartialEq)]
pub struct SpaceStepProps {
    pub run: LessonRun,
    pub dispatch: Callback<Action>,
}

/// A predict-space step: its question with the faults the check places shown before
/// the answer; the answer runs the exhaustive check here (timed), posts the learner's
/// answer to a framing host like any lesson answer, and hands both to the lesson (a
/// yes puts the smallest counterexample on the stage).
#[component]
pub fn SpaceStep(p: &SpaceStepProps) -> Html {
    let l = &p.run;
    let failed = use_state(|| None::<String>);
    let st = &l.lesson.steps[l.step];
    let Some(q) = st
        .space
        .as_deref()
        .and_then(crate::course::practice::find_space)
        .copied()
    else {
        return html! {};
    };
    let on_say = {
        let (d, failed, lesson, step) = (
            p.dispatch.clone(),
            failed.clone(),
            l.lesson.id.clone(),
            l.step,
        );
        let answered = l.answered(0);
        Callback::from(move |yes: bool| {
            if answered {
                return;
            }
            match check_timed(&q) {
                (Ok(a), ms) => {
                    crate::ui::host::post(
                        "answer",
                        crate::ui::host::space_answer_fields(&lesson, step, &q, yes, &a),
                    );
                    d.emit(Action::Lesson(LessonAction::Space {
                        yes,
                        answer: std::rc::Rc::new(a),
                        ms,
                    }));
                }
                (Err(e), _) => failed.set(Some(e)),
            }
        })
    };
    let said = l.space.as_ref().map(|r| r.yes);
    let result = match (&l.space, &*failed) {
        (Some(r), _) => Some((Ok(r.answer.clone()), r.ms)),
        (None, Some(e)) => Some((Err(e.clone()), 0.0)),
        _ => None,
    };
    let said = said.or(failed.as_ref().map(|_| true));
    html! {
        <div class="space-step" data-space-question={q.id}>
            <SpaceAsk {q} {said} {result} {on_say} on_stage={true} />
        </div>
    }
}
