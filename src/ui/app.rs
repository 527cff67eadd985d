//! The root component: owns the reducer, the animation-frame loop, the URL sync
//! (replaceState / pushState / popstate), keyboard shortcuts, and lays out the regions.

use crate::sim::replay::View;
use crate::ui::components::{
    calculator::Calculator, controls::Controls, explain::Explain, generals::Generals,
    ledgers::Ledgers, nav::Nav, notices::Notices, playback::Playback, spacetime::Spacetime,
    stage::Stage, story::Story, sweep::Sweep,
};
use crate::ui::share::{self, ViewMode};
use crate::ui::state::{Action, State, ViewCache};
use gloo::events::EventListener;
use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::storage::Storage;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the theme choice is remembered.
const THEME_KEY: &str = "eop.theme";

/// The query string of the page (with its `?`), or empty outside a browser.
fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn initial_state() -> State {
    let d = share::decode(&location_search());
    State::from_share(&d.state, &d.warnings)
}

/// Request the next animation frame, and from it the one after, until the handle in
/// `cell` is dropped (which cancels the pending frame).
fn frame_loop(cell: Rc<RefCell<Option<AnimationFrame>>>, dispatch: Callback<Action>) {
    let next = cell.clone();
    let frame = request_animation_frame(move |ts| {
        dispatch.emit(Action::Frame(ts));
        if next.borrow().is_some() {
            frame_loop(next, dispatch);
        }
    });
    *cell.borrow_mut() = Some(frame);
}

/// Bring the address bar in line with the state: a new history entry when the
/// learner opened another scenario, a replaced one otherwise.
fn sync_url(query: &str, mark: u64, last_mark: &mut Option<u64>) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let url = format!("?{query}");
    let current = win.location().search().unwrap_or_default();
    let push = last_mark.is_some_and(|m| m != mark);
    *last_mark = Some(mark);
    if current == url {
        return;
    }
    if let Ok(h) = win.history() {
        let _ = if push {
            h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
}

/// Keyboard shortcuts, ignored while typing in a field or pressing a focused button.
fn shortcut(e: &KeyboardEvent) -> Option<Action> {
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    let tag = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(tag.as_str(), "input" | "select" | "textarea") {
        return None;
    }
    let on_control = matches!(tag.as_str(), "button" | "a" | "summary")
        || e.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.get_attribute("role").as_deref() == Some("button"));
    match e.key().as_str() {
        " " | "k" if !on_control => Some(Action::TogglePlay),
        "ArrowRight" | "l" => Some(Action::StepForward),
        "ArrowLeft" | "j" => Some(Action::StepBack),
        "." => Some(Action::NextEvent),
        "," => Some(Action::PrevEvent),
        "Home" => Some(Action::Reset),
        "End" => Some(Action::Seek(u32::MAX)),
        _ => None,
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(initial_state);
    let dispatch = {
        let d = state.dispatcher();
        use_memo((), move |_| Callback::from(move |a: Action| d.dispatch(a)))
    };
    let dispatch: Callback<Action> = (*dispatch).clone();

    // Animation frames while playing; dropping the handle cancels the loop.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.playing, move |&playing| {
            let cell: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
            if playing {
                frame_loop(cell.clone(), dispatch);
            }
            move || {
                cell.borrow_mut().take();
            }
        });
    }

    // The URL follows the state.
    {
        let last_mark = use_mut_ref(|| None::<u64>);
        use_effect_with((state.query(), state.nav_mark), move |(q, mark)| {
            sync_url(q, *mark, &mut last_mark.borrow_mut());
        });
    }

    // The back and forward buttons restore the state of the link.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    let d = share::decode(&location_search());
                    dispatch.emit(Action::Load {
                        share: d.state,
                        warnings: d.warnings,
                    });
                })
            });
            move || drop(listener)
        });
    }

    // Keyboard shortcuts.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "keydown", move |e| {
                    if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                        if let Some(a) = shortcut(k) {
                            k.prevent_default();
                            dispatch.emit(a);
                        }
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Views at the playhead: recomputed when the tick or the run changes, not per frame.
    let cache = use_mut_ref(ViewCache::default);
    let tick = state.tick();
    let views: Rc<Vec<View>> = {
        let run = state.run.clone();
        use_memo((run.gen, tick), move |_| {
            cache.borrow_mut().at(&run, tick).to_vec()
        })
    };

    let info = state.info();
    let run = state.run.clone();
    let index = state.technique_index();
    let title = info.map(|i| i.title).unwrap_or("");
    let has_generals = run.techniques().iter().any(|t| {
        t.nodes
            .iter()
            .any(|n| n.kind == crate::sim::run::NodeKind::General)
    });
    let now = state.pos;

    let stage_body = if let Some(err) = &run.error {
        html! {
            <div class="placeholder" role="alert">
                <h2>{"This run could not be made"}</h2>
                <p>{err.clone()}</p>
                <button class="btn" onclick={dispatch.reform(|_| Action::ResetParams)}>{"Back to the defaults"}</button>
            </div>
        }
    } else if run.is_placeholder() {
        html! {
            <div class="placeholder" data-placeholder="true">
                <h2>{"This scenario is being built"}</h2>
                <p>{"Its simulator is still being written, so there is nothing to replay yet. "}
                   {"The playground shows only what the simulator really produced — nothing here is mocked up."}</p>
                <p class="muted">{"Pick another scenario on the left; the payment walkthrough is a good start."}</p>
                <button class="btn primary" onclick={dispatch.reform(|_| Action::SelectScenario("walkthrough".into()))}>
                    {"Open the payment walkthrough"}
                </button>
            </div>
        }
    } else {
        match state.view {
            ViewMode::Stage => html! {
                <Stage run={run.clone()} views={views.clone()} index={index} now={now} dispatch={dispatch.clone()} />
            },
            ViewMode::Spacetime => html! {
                <Spacetime run={run.clone()} index={index} now={now} dispatch={dispatch.clone()} />
            },
        }
    };

    let tabs = if !run.techniques().is_empty() {
        html! {
            <div class="tech-tabs" role="tablist" aria-label="Technique shown on the stage">
                { for run.techniques().iter().enumerate().map(|(i, t)| {
                    let id = t.id.clone();
                    let ok = t.verdict.holds && t.verdict.exactly_once && t.verdict.checks.iter().all(|c| c.ok);
                    let kept = t.verdict.holds && t.claim != crate::sim::run::Guarantee::None;
                    let (mark, tone) = if ok { ("✓", "good") } else if kept { ("!", "warn") } else { ("✕", "bad") };
                    let cls = classes!("tab", (i == index).then_some("active"), tone);
                    html! {
                        <button role="tab" class={cls} aria-selected={(i == index).to_string()}
                            data-tech={t.id.clone()}
                            title={if ok { "exactly once in this run".to_string() } else if kept { format!("{} held, but not exactly once", t.claim.label()) } else { "not exactly once in this run".to_string() }}
                            onclick={dispatch.reform(move |_| Action::SelectTechnique(id.clone()))}>
                            <span class="tab-mark" aria-hidden="true">{mark}</span>{t.label.clone()}
                        </button>
                    }
                }) }
            </div>
        }
    } else {
        html! {}
    };

    let view_toggle = {
        let v = state.view;
        html! {
            <div class="view-toggle" role="group" aria-label="View">
                <button class={classes!("seg", (v == ViewMode::Stage).then_some("active"))}
                    aria-pressed={(v == ViewMode::Stage).to_string()} data-view="stage"
                    onclick={dispatch.reform(|_| Action::SetView(ViewMode::Stage))}>{"Stage"}</button>
                <button class={classes!("seg", (v == ViewMode::Spacetime).then_some("active"))}
                    aria-pressed={(v == ViewMode::Spacetime).to_string()} data-view="spacetime"
                    onclick={dispatch.reform(|_| Action::SetView(ViewMode::Spacetime))}>{"Space-time"}</button>
            </div>
        }
    };

    let show_calculator = state.scenario == "dedup-window";

    // Light / dark, remembered in this browser.
    let dark = use_state(|| {
        gloo::storage::LocalStorage::get::<String>(THEME_KEY).is_ok_and(|v| v == "dark")
    });
    let toggle_theme = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| {
            let next = !*dark;
            let _ =
                gloo::storage::LocalStorage::set(THEME_KEY, if next { "dark" } else { "light" });
            dark.set(next);
        })
    };

    let replay_banner = if state.random_faults {
        html! {}
    } else {
        html! {
            <div class="replay-banner" role="note">
                <span>{"Replaying a recorded fault schedule: only the faults listed under “Hand-made faults” happen — the dice are off."}</span>
                <button class="btn small" data-action="dice-on" onclick={dispatch.reform(|_| Action::SetRandomFaults(true))}>{"Roll the dice again"}</button>
            </div>
        }
    };

    html! {
        <div id="app-root" class={classes!("app", state.embed.then_some("embed"), dark.then_some("theme-dark"))}>
            <header class="app-header">
                <div class="brand">
                    <h1>{"Exactly-Once Playground"}</h1>
                    <p class="tagline">{"Delivery can't be exactly once. Processing can — watch how."}</p>
                </div>
                <div class="header-tools">
                    <div class="now-showing">
                        <span class="muted">{"Scenario"}</span>
                        <strong>{title}</strong>
                    </div>
                    <button class="btn small ghost" data-action="theme" aria-pressed={dark.to_string()} onclick={toggle_theme}
                        title="Switch between the light and the dark theme">{if *dark { "☀ Light" } else { "☾ Dark" }}</button>
                </div>
            </header>
            <Notices notices={state.notices.clone()} dispatch={dispatch.clone()} />
            <div class="layout">
                <Nav current={state.scenario.clone()} dispatch={dispatch.clone()} />
                <div class="center">
                    {replay_banner}
                    <main class="stage" aria-label="Stage">
                        <div class="stage-head">
                            {tabs}
                            {view_toggle}
                        </div>
                        {stage_body}
                        if !run.techniques().is_empty() {
                            <Story run={run.clone()} index={index} tick={tick} playing={state.playing} />
                        }
                    </main>
                    <Playback
                        tick={tick}
                        end={run.end}
                        playing={state.playing}
                        speed={state.speed}
                        seed={state.seed}
                        run={run.clone()}
                        index={index}
                        dispatch={dispatch.clone()} />
                    <section class="ledgers" aria-label="Ledgers">
                        if has_generals {
                            <Generals run={run.clone()} views={views.clone()} index={index} />
                        }
                        <Ledgers run={run.clone()} views={views.clone()} tick={tick} index={index} dispatch={dispatch.clone()} />
                    </section>
                </div>
                <aside class="side" aria-label="Settings and explanations">
                    <Explain scenario={state.scenario.clone()} dispatch={dispatch.clone()} part={"intro"} />
                    <Controls
                        scenario={state.scenario.clone()}
                        params={state.params.clone()}
                        faults={state.faults.clone()}
                        run={run.clone()}
                        index={index}
                        dispatch={dispatch.clone()} />
                    if !run.techniques().is_empty() {
                        <Sweep scenario={state.scenario.clone()} params={state.params.clone()} seed={state.seed} dispatch={dispatch.clone()} />
                    }
                    if show_calculator {
                        <Calculator />
                    }
                    <Explain scenario={state.scenario.clone()} dispatch={dispatch.clone()} part={"confusions"} />
                </aside>
            </div>
        </div>
    }
}
