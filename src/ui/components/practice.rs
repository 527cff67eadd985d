//! The practice page (`?practice=1`, issue 29): the predict questions of finished
//! lessons come back as fresh variants on the days the schedule says
//! (`course::practice`), one at a time. An answer gets the question's own feedback
//! (the misconception it shows) and a link that replays the variant's run on the
//! stage; it is posted to a framing host like a lesson answer (with `practice`), and
//! moves the item in the schedule, stored with the lesson progress (`eop.lessons`).
//! The page's clock (`Date.now()`) is the only clock.

use crate::course::eval::{self, Answer, Evaluator};
use crate::course::practice::{self, Item, Variant};
use crate::ui::hooks::location_search;
use crate::ui::lesson_state::{Progress, PROGRESS_KEY};
use crate::ui::share::{self, ShareState};
use crate::ui::storage;
use yew::prelude::*;

/// How many variants past the next one are looked at for one that is asked.
const TRIES: u32 = 64;

/// Whether the address asks for the practice page.
pub fn requested(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "practice=1")
}

/// The page's clock, in milliseconds.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The stored progress (practice schedule included).
pub fn load() -> Progress {
    Progress::parse(storage::get(PROGRESS_KEY).as_deref())
}

/// How many practice questions are due now.
pub fn due_count(p: &Progress) -> usize {
    p.practice.due(now_ms()).len()
}

/// The link that replays a variant's run on the stage.
fn replay_link(v: &Variant) -> String {
    let s = &v.eval.setup;
    let mut st = ShareState::new(s.scenario.as_deref().unwrap_or(&v.lesson.scenario));
    if let Some(seed) = s.seed {
        st.seed = seed;
    }
    st.params = s.params.iter().map(|(k, x)| (k.clone(), *x)).collect();
    st.technique = s.technique.clone();
    format!("?{}", share::encode(&st))
}

/// The variant to ask for `item` (the first asked from its next variant on).
fn variant_for(item: &Item) -> Option<Variant> {
    // The raw lesson: the variant fills the step's texts from its own run.
    let l = crate::course::course().iter().find(|l| l.id == item.lesson)?;
    practice::next_asked(&mut Evaluator::new(), l, item.step, item.next_variant, TRIES)
}

#[derive(Clone, PartialEq)]
struct Asked {
    item: Item,
    variant: Variant,
    answer: Option<Answer>,
}

fn first_due(p: &Progress) -> Option<Asked> {
    let now = now_ms();
    p.practice.due(now).into_iter().find_map(|it| {
        variant_for(it).map(|variant| Asked {
            item: it.clone(),
            variant,
            answer: None,
        })
    })
}

#[component]
pub fn Practice() -> Html {
    let _ = location_search();
    let progress = use_state(load);
    let asked = use_state(|| first_due(&progress));
    let typed = use_state(String::new);
    let on_answer = {
        let (progress, asked) = (progress.clone(), asked.clone());
        Callback::from(move |a: Answer| {
            let Some(cur) = (*asked).clone() else { return };
            if cur.answer.is_some() {
                return;
            }
            let i = cur.item.step;
            let st = &cur.variant.lesson.steps[i];
            let (Some(q), Some(e)) = (st.question.as_ref(), cur.variant.eval.questions.first())
            else {
                return;
            };
            let correct = eval::judge(q, e, &a).correct;
            let mut fields =
                crate::ui::host::answer_fields(&cur.item.lesson, i, 0, q, e, &a);
            fields["practice"] = serde_json::json!({"variant": cur.variant.k});
            crate::ui::host::post("answer", fields);
            let mut p = (*progress).clone();
            p.practice
                .answered(&cur.item.key(), cur.variant.k, correct, now_ms());
            storage::set(PROGRESS_KEY, &p.to_json());
            progress.set(p);
            asked.set(Some(Asked {
                answer: Some(a),
                ..cur
            }));
        })
    };
    let on_next = {
        let (progress, asked, typed) = (progress.clone(), asked.clone(), typed.clone());
        Callback::from(move |_: MouseEvent| {
            typed.set(String::new());
            asked.set(first_due(&progress));
        })
    };
    let due = progress.practice.due(now_ms()).len();
    let body = match &*asked {
        None => {
            let next = progress.practice.next_due();
            html! {
                <section class="practice-empty" data-practice-empty="">
                    <p>{"Nothing is due now."}</p>
                    if next.is_none() {
                        <p class="wb-hint">{"Finish a lesson: its predictions come back here as new runs a day, three days and a week later."}</p>
                    } else {
                        <p class="wb-hint">{"Come back later: the next question falls due on a later day."}</p>
                    }
                </section>
            }
        }
        Some(cur) => question_view(cur, &on_answer, &on_next, &typed),
    };
    html! {
        <div id="app-root" class="app workbench-page practice-page" data-practice="">
            <header class="app-header wb-header">
                <h1>{"Practice"}</h1>
                <a href="./">{"← Back to the playground"}</a>
            </header>
            <main class="wb-main practice-main">
                <p class="wb-meta" data-due={due.to_string()}>
                    {format!("Due now: {due}")}
                </p>
                {body}
            </main>
        </div>
    }
}

fn question_view(
    cur: &Asked,
    on_answer: &Callback<Answer>,
    on_next: &Callback<MouseEvent>,
    typed: &UseStateHandle<String>,
) -> Html {
    let i = cur.item.step;
    let l = &cur.variant.lesson;
    let st = &l.steps[i];
    let (Some(q), Some(e)) = (st.question.as_ref(), cur.variant.eval.questions.first()) else {
        return html! {};
    };
    let feedback = cur.answer.as_ref().map(|a| eval::judge(q, e, a));
    let answered = cur.answer.is_some();
    let body = if q.number {
        let on_input = {
            let typed = typed.clone();
            Callback::from(move |e: InputEvent| {
                typed.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())
            })
        };
        let on_submit = {
            let (typed, answer) = (typed.clone(), on_answer.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if let Ok(v) = typed.trim().replace([',', ' '], "").parse::<i64>() {
                    answer.emit(Answer::Number(v));
                }
            })
        };
        html! {
            <form class="number-answer" onsubmit={on_submit}>
                <label for="practice-answer" class="sr-only">{"Your answer (a whole number)"}</label>
                <input id="practice-answer" type="text" inputmode="numeric" data-answer="" autocomplete="off"
                    value={(**typed).clone()} oninput={on_input} size="8" disabled={answered} />
                <button type="submit" class="btn primary" data-action="answer" disabled={answered}>{"Check"}</button>
            </form>
        }
    } else {
        html! {
            <div class="options" role="group" aria-label="Choices">
                { for q.options.iter().enumerate().map(|(k, o)| {
                    let chosen = cur.answer == Some(Answer::Option(k));
                    let was = chosen.then(|| if e.right == Some(k) { "right" } else { "wrong" });
                    let answer = on_answer.clone();
                    html! {
                        <button class={classes!("btn", "option", was)} data-option={o.id.clone()}
                            data-misconception={o.misconception_id.clone()} aria-pressed={chosen.to_string()}
                            disabled={answered && !chosen}
                            onclick={Callback::from(move |_| answer.emit(Answer::Option(k)))}>
                            {eval::option_label(q, e, k)}
                        </button>
                    }
                }) }
            </div>
        }
    };
    html! {
        <section class="practice-item" data-practice-item={cur.item.key()}
            data-variant={cur.variant.k.to_string()} data-step-kind="predict" aria-labelledby="practice-h">
            <h2 id="practice-h">{format!("{}: {}", l.title, st.title)}</h2>
            <p>{st.text.clone()}</p>
            <fieldset class="question" data-question="0">
                <legend>{q.prompt.clone()}</legend>
                {body}
                <div class="feedback-slot" aria-live="polite" role="status">
                    if let Some(f) = feedback {
                        <p class={classes!("feedback", if f.correct { "right" } else { "wrong" })}
                            data-feedback="" data-correct={f.correct.to_string()}
                            data-right={e.answer.show(&e.labels)}>
                            <strong>{if f.correct { "✓ Right. " } else { "✕ Not quite. " }}</strong>{f.text}
                        </p>
                    }
                </div>
            </fieldset>
            if answered {
                if let Some(x) = &st.explain { <p class="explain">{x.clone()}</p> }
                <p class="wb-actions">
                    <a class="btn" data-action="replay" href={replay_link(&cur.variant)}>{"Replay this run on the stage"}</a>
                    <button type="button" class="btn primary" data-action="next-practice" onclick={on_next.clone()}>{"Next"}</button>
                </p>
            }
        </section>
    }
}
