//! The workbench page (`?workbench=1`): pick a challenge, assemble a handler
//! from typed steps (a keyboard-first list editor, or its text form), check it over
//! every schedule with at most k faults, and read the verdict: it holds over so many
//! schedules, or the smallest counterexample, narrated, with its step-by-step trace.
//! The check runs in the page for k = 1 and in the sweep's Web Worker from k = 2
//! (`offthread.rs`); the link
//! (`?workbench=1&challenge=..&h=..&k=..`) restores the page (`link.rs`).

pub mod build;
pub mod editor;
pub mod link;
pub mod offthread;
pub mod replay;
pub mod stage;

use crate::sim::workbench::{challenges, Check, MAX_K, MAX_STEPS};
use crate::ui::hooks::location_search;
use crate::ui::host;
use editor::{use_handler, Edit, HandlerEdit};
use offthread::{use_check, CheckHandle};
use replay::ReplayView;
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub use link::requested;

pub(crate) fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
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

/// "Checking…" while a check runs (in the worker from k = 2, the page stays live).
pub(crate) fn checking() -> Html {
    html! { <p class="wb-checking" role="status" data-wb-checking="">{"Checking every schedule…"}</p> }
}

/// A `<select>`'s value.
fn select_value(e: &Event) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
}

/// k, Check and Copy link.
fn actions(
    kk: u8,
    empty: bool,
    running: bool,
    on_k: Callback<Event>,
    on_check: Callback<MouseEvent>,
    on_copy: Callback<MouseEvent>,
) -> Html {
    let k_opts = (1..=MAX_K).map(|i| {
        html! { <option value={i.to_string()} selected={i == kk}>{i.to_string()}</option> }
    });
    let faults = if kk == 1 { "fault" } else { "faults" };
    html! {
        <div class="wb-actions">
            <label>{"Faults per schedule (k) "}
                <select aria-label="Faults per schedule" onchange={on_k}>{for k_opts}</select>
            </label>
            <button type="button" class="btn primary" disabled={empty || running} onclick={on_check}>
                {format!("Check ({kk} {faults})")}
            </button>
            <button type="button" class="btn wb-copy" disabled={empty} onclick={on_copy}>{"Copy link"}</button>
        </div>
    }
}

/// The verdict panel: checking, the verdict (and why), or what Check will do.
fn result_panel(checked: &CheckHandle, challenge: Option<&str>, kk: u8) -> Html {
    let faults = if kk == 1 { "fault" } else { "faults" };
    html! {
        <section class="wb-result" aria-labelledby="wb-result-h">
            <h2 id="wb-result-h">{"Verdict"}</h2>
            if *checked.running { {checking()} }
            else if let Some((r, ms)) = &*checked.result { {verdict_view(r, *ms)}{why_view(challenge, r)} }
            else { <p class="wb-hint">{format!("Press Check to run every schedule with at most {kk} {faults}.")}</p> }
        </section>
    }
}

fn notices_view(notices: &UseStateHandle<Vec<String>>) -> Html {
    if notices.is_empty() {
        return html! {};
    }
    let dismiss = {
        let notices = notices.clone();
        Callback::from(move |_: MouseEvent| notices.set(Vec::new()))
    };
    html! {
        <div class="notices" role="status">
            {for notices.iter().map(|n| html! { <p class="notice warn" data-wb-notice="">{n.clone()}</p> })}
            <button type="button" class="btn small" onclick={dismiss}>{"Dismiss"}</button>
        </div>
    }
}

/// Check: runs the check (in the page or the worker) and tells a framing page the result
/// (the host-page API; SCORM records a challenge met).
fn check_callback(
    ed: &HandlerEdit,
    challenge: &UseStateHandle<Option<&'static str>>,
    k: &UseStateHandle<u8>,
    checked: &CheckHandle,
) -> Callback<MouseEvent> {
    let (ed, challenge, k, checked) = (ed.clone(), challenge.clone(), k.clone(), checked.clone());
    Callback::from(move |_: MouseEvent| {
        let c = *challenge;
        let then = Callback::from(move |r: Result<Check, String>| {
            if let Ok(chk) = &r {
                host::post(
                    "workbench",
                    host::workbench_fields(chk, c.and_then(challenges::find)),
                );
            }
        });
        checked.run(c, ed.handler(), *k, then);
    })
}

/// Copy link: the page's address with the challenge, the handler and k, to the clipboard
/// and into a read-only field.
fn copy_callback(
    ed: &HandlerEdit,
    challenge: &UseStateHandle<Option<&'static str>>,
    k: &UseStateHandle<u8>,
    shared: &UseStateHandle<Option<String>>,
) -> Callback<MouseEvent> {
    let (ed, challenge, k, shared) = (ed.clone(), challenge.clone(), k.clone(), shared.clone());
    Callback::from(move |_: MouseEvent| {
        let url = share_url(&link::query(*challenge, &ed.handler(), *k));
        if let Some(c) = web_sys::window().map(|w| w.navigator().clipboard()) {
            let p = c.write_text(&url);
            yew::platform::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            });
        }
        shared.set(Some(url));
    })
}

/// The handler being built: its steps, the actions under them and, once copied, its link.
fn handler_section(
    ed: &HandlerEdit,
    actions: Html,
    shared: &UseStateHandle<Option<String>>,
) -> Html {
    html! {
        <section class="wb-handler" aria-labelledby="wb-handler-h">
            <h2 id="wb-handler-h">{format!("Your handler ({} of at most {MAX_STEPS} steps)", ed.steps.len())}</h2>
            <p class="wb-hint">{"It runs once for every record the consumer receives, top to bottom."}</p>
            {ed.view()}
            {actions}
            if let Some(u) = &**shared {
                <label class="wb-text">
                    <span>{"Link to this handler"}</span>
                    <input type="text" readonly=true data-wb-link="" value={u.clone()} />
                </label>
            }
        </section>
    }
}

/// The workbench page.
#[component]
pub fn Workbench() -> Html {
    let opened = use_memo((), |_| link::open(&location_search()));
    let challenge = use_state(|| opened.challenge);
    let k = use_state(|| opened.k);
    let checked = use_check(true);
    let notices = use_state(|| opened.notices.clone());
    let shared = use_state(|| None::<String>);
    // Anything that changes what would be checked forgets the verdict and the link.
    let forget = {
        let (checked, shared) = (checked.clone(), shared.clone());
        Callback::from(move |()| {
            checked.clear();
            shared.set(None);
        })
    };
    let ed = use_handler(&opened.handler, forget.clone());
    {
        let shown = checked.result.is_some();
        use_effect_with(shown, |shown| {
            if *shown {
                scroll_to_verdict();
            }
        });
    }
    let on_pick = {
        let (challenge, k, forget) = (challenge.clone(), k.clone(), forget.clone());
        Callback::from(move |e: Event| {
            let c = select_value(&e).and_then(|v| challenges::find(&v));
            challenge.set(c.map(|c| c.id));
            if let Some(c) = c {
                k.set(c.k);
            }
            forget.emit(());
        })
    };
    let on_k = {
        let (k, forget) = (k.clone(), forget.clone());
        Callback::from(move |e: Event| {
            let v = select_value(&e).and_then(|s| s.parse::<u8>().ok());
            if let Some(v) = v.filter(|v| (1..=MAX_K).contains(v)) {
                k.set(v);
                forget.emit(());
            }
        })
    };
    let on_check = check_callback(&ed, &challenge, &k, &checked);
    let on_copy = copy_callback(&ed, &challenge, &k, &shared);
    html! {
        <div id="app-root" class="app workbench-page" data-workbench="">
            <header class="app-header wb-header">
                <h1>{"Workbench: write your own handler"}</h1>
                <a href="./">{"← Back to the playground"}</a>
            </header>
            {notices_view(&notices)}
            <main class="wb-main">
                <div class="wb-left">
                {challenge_panel(*challenge, on_pick)}
                {handler_section(&ed, actions(*k, ed.steps.is_empty(), *checked.running, on_k, on_check, on_copy), &shared)}
                </div>
                {result_panel(&checked, *challenge, *k)}
            </main>
        </div>
    }
}
