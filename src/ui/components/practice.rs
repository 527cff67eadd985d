//! The practice page (`?practice=1`): the predict questions of finished
//! lessons come back as fresh variants on the days the schedule says
//! (`course::practice`), one at a time. An answer gets the question's own feedback
//! (the misconception it shows) and a link that replays the variant's run on the
//! stage; it is posted to a framing host like a lesson answer (with `practice`), and
//! moves the item in the schedule, stored with the lesson progress (`eop.lessons`).
//! The page's clock (`Date.now()`) is the only clock.

use crate::course::eval::{self, Answer, Evaluator, QuestionEval};
use crate::course::model::Question;
use crate::course::practice::{self, Item, SpaceAnswer, SpaceQuestion, Variant, QUESTIONS};
use crate::ui::hooks::location_search;
use crate::ui::share::{self, Inputs, ShareState};
use crate::ui::state::lesson::{Progress, PROGRESS_KEY};
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
    let mut p = Progress::parse(storage::get(PROGRESS_KEY).as_deref());
    // An item stored before its question stopped varying can never be asked again.
    p.practice.keep_only(|lesson, step| {
        crate::course::course()
            .iter()
            .find(|l| l.id == lesson)
            .is_some_and(|l| practice::varying_steps(l).contains(&step))
    });
    p
}

/// How many practice questions are due now.
pub fn due_count(p: &Progress) -> usize {
    p.practice.due(now_ms()).len()
}

/// The link that replays a variant's run on the stage.
fn replay_link(v: &Variant) -> String {
    let s = &v.eval.setup;
    let mut st = match Inputs::from_setup(&v.lesson.scenario, s) {
        Ok(i) => ShareState::of(i),
        Err(_) => ShareState::new(&v.lesson.scenario),
    };
    st.technique = s.technique.clone();
    format!("?{}", share::encode(&st))
}

/// One "can it ever happen?" question: the learner says yes or no, the exhaustive
/// check answers (timed in this browser).
#[derive(Properties, PartialEq)]
struct SpaceProps {
    q: SpaceQuestion,
    on_next: Callback<MouseEvent>,
}

/// The learner's answer to question `q` (yes or no) and the check's result with its
/// time; both cleared when the question changes.
#[hook]
fn use_space_answer(q: SpaceQuestion) -> SpaceAnswerState {
    let said = use_state(|| None::<bool>);
    let result = use_state(|| None::<(Result<SpaceAnswer, String>, f64)>);
    {
        let (said, result) = (said.clone(), result.clone());
        use_effect_with(q, move |_| {
            said.set(None);
            result.set(None);
        });
    }
    (said, result)
}

type SpaceAnswerState = (
    UseStateHandle<Option<bool>>,
    UseStateHandle<Option<(Result<SpaceAnswer, String>, f64)>>,
);

#[component]
fn SpaceView(p: &SpaceProps) -> Html {
    let (said, result) = use_space_answer(p.q);
    let on_say = {
        let (said, result, q) = (said.clone(), result.clone(), p.q);
        Callback::from(move |yes: bool| {
            if said.is_some() {
                return;
            }
            said.set(Some(yes));
            let (a, ms) = super::space::check_timed(&q);
            if let Ok(a) = &a {
                // A practice answer: its own message type (never a lesson's `answer`).
                crate::ui::host::post("practice", crate::ui::host::space_fields(&q, yes, a));
            }
            result.set(Some((a, ms)));
        })
    };
    let answered = said.is_some();
    html! {
        <section class="practice-item practice-space" data-step-kind="predict-space"
            data-space-question={p.q.id} aria-labelledby="space-h">
            <h2 id="space-h">{"Can it ever happen?"}</h2>
            <super::space::SpaceAsk q={p.q} said={*said} result={(*result).clone()} {on_say} on_stage={false} />
            if answered {
                <p class="wb-actions">
                    <button type="button" class="btn" data-action="next-space" onclick={p.on_next.clone()}>{"Another question"}</button>
                </p>
            }
        </section>
    }
}

/// The first question, or the one `?space=<id>` names.
fn first_space() -> usize {
    let search = location_search();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("space="))
        .and_then(|id| QUESTIONS.iter().position(|q| q.id == id))
        .unwrap_or(0)
}

/// The variant to ask for `item` (the first asked from its next variant on).
fn variant_for(item: &Item) -> Option<Variant> {
    // The raw lesson: the variant fills the step's texts from its own run.
    let l = crate::course::course()
        .iter()
        .find(|l| l.id == item.lesson)?;
    practice::next_asked(
        &mut Evaluator::new(),
        l,
        item.step,
        item.next_variant,
        TRIES,
    )
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

/// Judge an answer, post it to the host (with `practice`), move the item in the
/// schedule and store it with the progress.
fn answer_callback(
    progress: &UseStateHandle<Progress>,
    asked: &UseStateHandle<Option<Asked>>,
) -> Callback<Answer> {
    let (progress, asked) = (progress.clone(), asked.clone());
    Callback::from(move |a: Answer| {
        let Some(cur) = (*asked).clone() else { return };
        if cur.answer.is_some() {
            return;
        }
        let i = cur.item.step;
        let st = &cur.variant.lesson.steps[i];
        let (Some(q), Some(e)) = (st.question.as_ref(), cur.variant.eval.questions.first()) else {
            return;
        };
        let correct = eval::judge(q, e, &a).correct;
        // A practice answer: its own message type (never a lesson's `answer`).
        let fields = crate::ui::host::practice_fields(
            &cur.item.lesson,
            i,
            q,
            e,
            &a,
            cur.variant.k,
            &cur.variant.over,
        );
        crate::ui::host::post("practice", fields);
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
}

#[component]
pub fn Practice() -> Html {
    let space = use_state(first_space);
    let on_next_space = {
        let space = space.clone();
        Callback::from(move |_: MouseEvent| space.set((*space + 1) % QUESTIONS.len()))
    };
    let progress = use_state(load);
    let asked = use_state(|| first_due(&progress));
    let typed = use_state(String::new);
    let on_answer = answer_callback(&progress, &asked);
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
            let hint = empty_hint(&progress.practice, now_ms());
            html! {
                <section class="practice-empty" data-practice-empty="">
                    <p>{"Nothing is due now."}</p>
                    <p class="wb-hint">{hint}</p>
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
                <SpaceView q={QUESTIONS[*space]} on_next={on_next_space} />
            </main>
        </div>
    }
}

/// What the page says when nothing is due, from the schedule: when the next question
/// falls due, that every question is practised, or how practice starts.
pub fn empty_hint(s: &practice::Schedule, now: u64) -> String {
    match s.next_due() {
        Some(t) => format!(
            "Come back later: the next question falls due within {}.",
            practice::wait_words(t.saturating_sub(now))
        ),
        None if s.all_retired() => {
            "All practised: every question has come back and been answered right after each gap. Take a lesson again to practise it again.".to_string()
        }
        None => format!(
            "Finish a lesson: its predictions come back here as new runs, {}.",
            practice::gaps_words()
        ),
    }
}

/// The right answer as the question shows it (the right option's label, or the number).
fn right_label(q: &Question, e: &QuestionEval) -> String {
    match e.right {
        Some(k) if !q.number => eval::option_label(q, e, k),
        _ => e.answer.show(&e.labels),
    }
}

/// The options (or the number input) of a practice question.
fn answer_body(
    q: &Question,
    e: &QuestionEval,
    cur: &Asked,
    on_answer: &Callback<Answer>,
    typed: &UseStateHandle<String>,
) -> Html {
    let answered = cur.answer.is_some();
    if q.number {
        let on_input = super::lesson::on_number_input(typed);
        let on_submit = {
            let (typed, answer) = (typed.clone(), on_answer.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if let Some(v) = super::lesson::parse_number(&typed) {
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
    let missed = feedback.as_ref().is_some_and(|f| !f.correct);
    let answered = cur.answer.is_some();
    let body = answer_body(q, e, cur, on_answer, typed);
    html! {
        <section class="practice-item" data-practice-item={cur.item.key()}
            data-variant={cur.variant.k.to_string()} data-step-kind="predict" aria-labelledby="practice-h">
            <h2 id="practice-h">{format!("{}: {}", l.title, st.title)}</h2>
            <p data-practice-text="">{practice::practice_text(&st.text)}</p>
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
                if missed {
                    <p class="wb-meta" data-run-answer="">{format!("In this run: {}.", right_label(q, e))}</p>
                }
                if let Some(x) = &st.explain { <p class="explain">{x.clone()}</p> }
                <p class="wb-actions">
                    <a class="btn" data-action="replay" href={replay_link(&cur.variant)}>{"Replay this run on the stage"}</a>
                    <button type="button" class="btn primary" data-action="next-practice" onclick={on_next.clone()}>{"Next"}</button>
                </p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::practice::{Schedule, DAY_MS, MISS_DELAY_MS};

    const T0: u64 = 1_800_000_000_000;

    #[test]
    fn the_empty_page_says_when_from_the_schedule() {
        let mut s = Schedule::default();
        let h = empty_hint(&s, T0);
        assert!(h.starts_with("Finish a lesson: "), "{h}");
        assert!(
            h.contains("a day after the lesson, then 3 days after a right answer"),
            "{h}"
        );
        assert!(!h.contains("a week"), "{h}");
        // After a miss the next question is minutes away, not "a later day".
        s.finished("outbox", &[1], T0);
        let t = T0 + DAY_MS;
        s.answered("outbox#1", 0, false, t);
        let h = empty_hint(&s, t);
        assert_eq!(
            h,
            format!(
                "Come back later: the next question falls due within {}.",
                practice::wait_words(MISS_DELAY_MS)
            )
        );
        assert!(h.contains("10 minutes"), "{h}");
        assert!(!h.contains("day"), "{h}");
        // Every item retired: practised, not "finish a lesson".
        for v in 1..4 {
            s.answered("outbox#1", v, true, t + u64::from(v) * 7 * DAY_MS);
        }
        let h = empty_hint(&s, t + 30 * DAY_MS);
        assert!(h.starts_with("All practised"), "{h}");
    }
}
