//! The workbench page (`?workbench=1`): pick a challenge, assemble a handler
//! from typed steps (a keyboard-first list editor, or its text form), check it over
//! every schedule with at most k faults, and read the verdict: it holds over so many
//! schedules, or the smallest counterexample, narrated, with its step-by-step trace.
//! The check runs in the page (`crate::sim::workbench::check`); the link
//! (`?workbench=1&challenge=..&h=..&k=..`) restores the page (`link.rs`).

pub mod build;
pub mod editor;
pub mod link;
pub mod replay;

use crate::sim::workbench::{challenges, check, Check, Handler, Setup, Step, MAX_K, MAX_STEPS};
use crate::ui::hooks::location_search;
use crate::ui::host;
use editor::{AddRow, Edit, StepList};
use replay::ReplayView;
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub use link::requested;

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The check of `steps` under the challenge's assumptions (or the default faults), and
/// how long it took in this browser, in milliseconds.
fn run_check(challenge: Option<&str>, steps: &[Step], k: u8) -> (Result<Check, String>, f64) {
    let h = Handler(steps.to_vec());
    let t0 = now_ms();
    let r = match challenge.and_then(challenges::find) {
        Some(c) => c.allows(&h).map(|_| check(&h, &c.setup(), k)),
        None => Ok(check(&h, &Setup::for_handler(&h), k)),
    };
    (r, now_ms() - t0)
}

fn share_url(query: &str) -> String {
    let loc = web_sys::window().map(|w| w.location());
    let base = loc
        .map(|l| {
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!("{base}{query}")
}

pub(crate) fn focus_label(label: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("[aria-label=\"{label}\"]")).ok())
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Bring the verdict into view (below the editor on a phone), focus staying put.
fn scroll_to_verdict() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let el = w
        .document()
        .and_then(|d| d.query_selector("[data-wb-verdict]").ok())
        .flatten();
    let height = w
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    if let Some(el) = el.filter(|el| el.get_bounding_client_rect().top() > height * 0.6) {
        el.scroll_into_view();
    }
}

/// Where the keyboard focus goes after an edit: the moved step's same button (or its
/// other move button at either end), or the remove button that took the removed one's place.
pub(crate) fn focus_after(e: &Edit, at: Option<usize>, len: usize) -> Option<String> {
    match (e, at) {
        (Edit::Up(_), Some(i)) if i == 0 => Some(format!("Move step {} down", i + 1)),
        (Edit::Up(_), Some(i)) => Some(format!("Move step {} up", i + 1)),
        (Edit::Down(_), Some(i)) if i + 1 == len => Some(format!("Move step {} up", i + 1)),
        (Edit::Down(_), Some(i)) => Some(format!("Move step {} down", i + 1)),
        (Edit::Remove(_), _) if len == 0 => Some("Step kind to add".into()),
        (Edit::Remove(i), _) => Some(format!("Remove step {}", (*i).min(len - 1) + 1)),
        _ => None,
    }
}

fn challenge_panel(id: Option<&str>, on_pick: Callback<Event>) -> Html {
    let c = id.and_then(challenges::find);
    let opts = challenges::ALL.iter().map(|ch| {
        html! { <option value={ch.id} selected={Some(ch.id) == id}>{ch.title}</option> }
    });
    let about = match c {
        Some(c) => html! { <>
            <p class="wb-goal"><strong>{"Goal: "}</strong>{c.goal}</p>
            <p><strong>{"Faults assumed: "}</strong>{c.assume.words()}{"."}</p>
            if !c.rule.is_empty() { <p><strong>{"Rule: "}</strong>{c.rule}{"."}</p> }
        </> },
        None => html! { <>
            <p class="wb-goal"><strong>{"Goal: "}</strong>
                {"every balance right; every payment charged once if the handler charges; every downstream event once if it publishes or writes an outbox."}</p>
            <p><strong>{"Faults assumed: "}</strong>{crate::sim::workbench::Assumptions::DEFAULT.words()}{"."}</p>
        </> },
    };
    html! {
        <section class="wb-challenge" aria-labelledby="wb-challenge-h">
            <h2 id="wb-challenge-h">{"Challenge"}</h2>
            <select aria-label="Challenge" onchange={on_pick}>
                <option value="" selected={c.is_none()}>{"Free play (every consumer-side fault)"}</option>
                {for opts}
            </select>
            {about}
        </section>
    }
}

/// A challenge's explanation, once the learner has a verdict: why the solutions work
/// (shown when the handler holds), or why no handler can (an impossible challenge).
pub(crate) fn why_view(challenge: Option<&str>, r: &Result<Check, String>) -> Html {
    let Some(c) = challenge.and_then(challenges::find) else {
        return html! {};
    };
    let holds = r.as_ref().is_ok_and(Check::holds);
    if !holds && c.possible {
        return html! {};
    }
    let head = if c.possible {
        "Why it works"
    } else {
        "Why no handler can"
    };
    html! {
        <div class="wb-why" data-wb-why="">
            <h3>{head}</h3>
            <p>{c.why}</p>
        </div>
    }
}

pub(crate) fn verdict_view(r: &Result<Check, String>, ms: f64) -> Html {
    let c = match r {
        Err(e) => {
            return html! {
                <section class="wb-verdict bad" data-wb-verdict="" data-holds="false" aria-live="polite">
                    <p><strong>{"Not allowed: "}</strong>{e.clone()}</p>
                </section>
            }
        }
        Ok(c) => c,
    };
    let holds = c.holds();
    let class = classes!("wb-verdict", if holds { "good" } else { "bad" });
    let ce = c.counterexample.as_ref().map(|x| {
        html! {
            <div class="wb-counterexample" data-wb-counterexample="">
                <h3>{"The smallest counterexample"}</h3>
                <p class="wb-narration">{x.narration.clone()}</p>
                if x.problems.len() > 1 {
                    <ul class="wb-problems">{for x.problems.iter().map(|p| html! { <li>{p.clone()}</li> })}</ul>
                }
                <ReplayView key={format!("{}/{}/{}", c.handler, c.k, c.assumptions)} replay={std::rc::Rc::new(x.replay.clone())} />
            </div>
        }
    });
    html! {
        <section class={class} data-wb-verdict="" data-holds={holds.to_string()}
            data-schedules={c.schedules.to_string()} data-ms={format!("{ms:.1}")} aria-live="polite">
            <p class="wb-verdict-line">
                <span aria-hidden="true">{if holds { "✓ " } else { "✕ " }}</span>
                <strong>{c.verdict()}</strong>
            </p>
            <p class="wb-meta">{format!("Faults assumed: {}. Checked in {ms:.0} ms in this browser.", c.assumptions)}</p>
            {for ce}
        </section>
    }
}

/// The workbench page.
#[component]
pub fn Workbench() -> Html {
    let opened = use_memo((), |_| link::open(&location_search()));
    let steps = use_state(|| opened.handler.0.clone());
    let text = use_state(|| opened.handler.encode());
    let text_error = use_state(|| None::<String>);
    let challenge = use_state(|| opened.challenge);
    let k = use_state(|| opened.k);
    let result = use_state(|| None::<(Result<Check, String>, f64)>);
    let running = use_state(|| false);
    // The pending check (a handle: dropped with the page, the check is cancelled).
    let pending = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
    let notices = use_state(|| opened.notices.clone());
    let shared = use_state(|| None::<String>);
    let focus = use_state(|| None::<String>);
    {
        let f = (*focus).clone();
        use_effect_with(f, |f| {
            if let Some(l) = f {
                focus_label(l);
            }
        });
    }

    {
        let shown = result.is_some();
        use_effect_with(shown, |shown| {
            if *shown {
                scroll_to_verdict();
            }
        });
    }
    let set_steps = {
        let (steps, text, text_error, result, shared) = (
            steps.clone(),
            text.clone(),
            text_error.clone(),
            result.clone(),
            shared.clone(),
        );
        move |v: Vec<Step>, write_text: bool| {
            if write_text {
                text.set(Handler(v.clone()).encode());
                text_error.set(None);
            }
            steps.set(v);
            result.set(None);
            shared.set(None);
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
    let on_add = {
        let on_edit = on_edit.clone();
        Callback::from(move |s: Step| on_edit.emit(Edit::Add(s)))
    };
    let on_text = editor::on_text_input(text.clone(), text_error.clone(), set_steps.clone());
    let on_pick = {
        let (challenge, k, result, shared) =
            (challenge.clone(), k.clone(), result.clone(), shared.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| s.value())
                .unwrap_or_default();
            let c = challenges::find(&v);
            challenge.set(c.map(|c| c.id));
            if let Some(c) = c {
                k.set(c.k);
            }
            result.set(None);
            shared.set(None);
        })
    };
    let on_k = {
        let (k, result, shared) = (k.clone(), result.clone(), shared.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .and_then(|s| s.value().parse::<u8>().ok())
                .filter(|v| (1..=MAX_K).contains(v));
            if let Some(v) = v {
                k.set(v);
                result.set(None);
                shared.set(None);
            }
        })
    };
    let on_check = {
        let (steps, challenge, k, result, running, pending) = (
            steps.clone(),
            challenge.clone(),
            k.clone(),
            result.clone(),
            running.clone(),
            pending.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            running.set(true);
            result.set(None);
            let (steps, c, k, result, running) = (
                (*steps).clone(),
                *challenge,
                *k,
                result.clone(),
                running.clone(),
            );
            // Let "Checking…" paint before the check holds the thread.
            *pending.borrow_mut() = Some(gloo::timers::callback::Timeout::new(16, move || {
                let r = run_check(c, &steps, k);
                // A framing page hears the result (the host-page API; SCORM records a
                // challenge met).
                if let Ok(chk) = &r.0 {
                    host::post(
                        "workbench",
                        host::workbench_fields(chk, c.and_then(challenges::find)),
                    );
                }
                result.set(Some(r));
                running.set(false);
            }));
        })
    };
    let on_copy = {
        let (steps, challenge, k, shared) =
            (steps.clone(), challenge.clone(), k.clone(), shared.clone());
        Callback::from(move |_: MouseEvent| {
            let url = share_url(&link::query(*challenge, &Handler((*steps).clone()), *k));
            if let Some(c) = web_sys::window().map(|w| w.navigator().clipboard()) {
                let p = c.write_text(&url);
                yew::platform::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
            shared.set(Some(url));
        })
    };
    let dismiss = {
        let notices = notices.clone();
        Callback::from(move |_: MouseEvent| notices.set(Vec::new()))
    };

    let kk = *k;
    let empty = steps.is_empty();
    let k_opts = (1..=MAX_K).map(|i| {
        html! { <option value={i.to_string()} selected={i == kk}>{i.to_string()}</option> }
    });
    let faults = if kk == 1 { "fault" } else { "faults" };
    html! {
        <div id="app-root" class="app workbench-page" data-workbench="">
            <header class="app-header wb-header">
                <h1>{"Workbench: write your own handler"}</h1>
                <a href="./">{"← Back to the playground"}</a>
            </header>
            if !notices.is_empty() {
                <div class="notices" role="status">
                    {for notices.iter().map(|n| html! { <p class="notice warn" data-wb-notice="">{n.clone()}</p> })}
                    <button type="button" class="btn small" onclick={dismiss}>{"Dismiss"}</button>
                </div>
            }
            <main class="wb-main">
                <div class="wb-left">
                {challenge_panel(*challenge, on_pick)}
                <section class="wb-handler" aria-labelledby="wb-handler-h">
                    <h2 id="wb-handler-h">{format!("Your handler ({} of at most {MAX_STEPS} steps)", steps.len())}</h2>
                    <p class="wb-hint">{"It runs once for every record the consumer receives, top to bottom."}</p>
                    <StepList steps={(*steps).clone()} on_edit={on_edit} />
                    <AddRow full={steps.len() >= MAX_STEPS} on_add={on_add} />
                    <label class="wb-text">
                        <span>{"As text (comma-separated steps)"}</span>
                        <input type="text" spellcheck="false" autocomplete="off" value={(*text).clone()}
                            aria-invalid={text_error.is_some().to_string()} oninput={on_text} />
                    </label>
                    if let Some(e) = &*text_error { <p class="wb-error" role="alert" data-wb-text-error="">{e.clone()}</p> }
                    <div class="wb-actions">
                        <label>{"Faults per schedule (k) "}
                            <select aria-label="Faults per schedule" onchange={on_k}>{for k_opts}</select>
                        </label>
                        <button type="button" class="btn primary" disabled={empty || *running} onclick={on_check}>
                            {format!("Check ({kk} {faults})")}
                        </button>
                        <button type="button" class="btn wb-copy" disabled={empty} onclick={on_copy}>{"Copy link"}</button>
                    </div>
                    if let Some(u) = &*shared {
                        <label class="wb-text">
                            <span>{"Link to this handler"}</span>
                            <input type="text" readonly=true data-wb-link="" value={u.clone()} />
                        </label>
                    }
                </section>
                </div>
                <section class="wb-result" aria-labelledby="wb-result-h">
                    <h2 id="wb-result-h">{"Verdict"}</h2>
                    if *running { <p aria-live="polite">{"Checking every schedule…"}</p> }
                    else if let Some((r, ms)) = &*result { {verdict_view(r, *ms)}{why_view(*challenge, r)} }
                    else { <p class="wb-hint">{format!("Press Check to run every schedule with at most {kk} {faults}.")}</p> }
                </section>
            </main>
        </div>
    }
}
