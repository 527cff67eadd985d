//! The root component: owns the reducer, the animation-frame loop, the URL sync
//! (replaceState / pushState / popstate), keyboard shortcuts, and lays out the regions.

use crate::sim::replay::View;
use crate::ui::components::{announcer::Announcer, help::HelpDialog};
use crate::ui::components::{
    calculator::Calculator,
    controls::Controls,
    explain::Explain,
    generals::Generals,
    ledgers::Ledgers,
    nav::Nav,
    notices::Notices,
    playback::Playback,
    share_panel::{self, SharePanel},
    spacetime::Spacetime,
    stage::Stage,
    story::Story,
    sweep::Sweep,
};
use crate::ui::components::{course::CourseList, lesson::LessonPanel};
use crate::ui::keys::{self, Command, Focus, KeyCtx};
use crate::ui::lesson_state::{Progress, PROGRESS_KEY};
use crate::ui::prefs::{drawn_pos, PrefAction, Prefs, MOTION_KEY};
use crate::ui::share::{self, ViewMode};
use crate::ui::state::{Action, State, ViewCache};
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
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
    let mut s = State::from_share(&d.state, &d.warnings);
    // Lesson progress (memory only where storage is refused), then a lesson link.
    s.progress = Progress::parse(crate::ui::storage::get(PROGRESS_KEY).as_deref());
    crate::ui::lesson_state::open_from_link(&mut s, &d.state);
    s
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

/// What kind of element a key was pressed on (see [`keys::command`]).
fn focus_of(e: &KeyboardEvent) -> Focus {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return Focus::Page;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    let role = el.get_attribute("role").unwrap_or_default();
    if matches!(tag.as_str(), "input" | "select" | "textarea") {
        Focus::Field
    } else if matches!(tag.as_str(), "button" | "a" | "summary") {
        Focus::Control
    } else if el.has_attribute("data-net") {
        Focus::Token
    } else if el.has_attribute("data-node") {
        Focus::Node
    } else if matches!(role.as_str(), "button" | "tab" | "menuitem") {
        Focus::Control
    } else {
        Focus::Page
    }
}

/// Whether the system asks for reduced motion.
fn system_reduces_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// A link for keyboard users that moves the focus past everything before `target`
/// (busy stages have a tab stop per message). Focus moves by script so the address
/// bar, which holds the share link, never gets a `#fragment`.
fn skip_link(label: &'static str, target: &'static str) -> Html {
    let onclick = Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(target))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
    html! {
        <a class="skip-link" href={format!("#{target}")} data-skip={target} {onclick}>{label}</a>
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

    // A course page framing the app: ready/resize/state out, commands in (host.rs).
    crate::ui::host::use_host_api(&state, &dispatch);
    // Lesson progress follows the state into storage.
    {
        use_effect_with(state.progress.clone(), move |p| {
            if !p.lessons.is_empty() || crate::ui::storage::get(PROGRESS_KEY).is_some() {
                crate::ui::storage::set(PROGRESS_KEY, &p.to_json());
            }
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

    // Presentation preferences: help, presenter mode, reduced motion (remembered).
    let prefs = use_reducer(|| {
        let stored = crate::ui::storage::get(MOTION_KEY);
        Prefs::new(system_reduces_motion(), stored.as_deref())
    });
    {
        let stored = prefs.stored_motion();
        use_effect_with(stored, move |stored| {
            if let Some(v) = stored {
                crate::ui::storage::set(MOTION_KEY, v);
            }
        });
    }
    let reduced = prefs.reduced();

    // Keyboard shortcuts (see keys.rs). Not passive, so they can prevent the default
    // (scrolling on space and the arrow keys).
    let key_ctx = use_mut_ref(|| None::<KeyCtx>);
    *key_ctx.borrow_mut() = Some(KeyCtx {
        focus: Focus::Page,
        speed: state.speed,
        scenario: state.scenario.clone(),
        help_open: prefs.help,
        presenter: prefs.presenter,
    });
    {
        let dispatch = dispatch.clone();
        let prefs_dispatch = prefs.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new_with_options(
                    &w,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                            return;
                        };
                        let Some(mut ctx) = key_ctx.borrow().clone() else {
                            return;
                        };
                        ctx.focus = focus_of(k);
                        let modified = k.ctrl_key() || k.meta_key() || k.alt_key();
                        let Some(c) = keys::command(&k.key(), modified, &ctx) else {
                            return;
                        };
                        k.prevent_default();
                        match c {
                            Command::Do(a) => dispatch.emit(a),
                            Command::ToggleHelp => prefs_dispatch.dispatch(PrefAction::ToggleHelp),
                            Command::CloseHelp => prefs_dispatch.dispatch(PrefAction::CloseHelp),
                            Command::TogglePresenter => {
                                prefs_dispatch.dispatch(PrefAction::TogglePresenter)
                            }
                            Command::ToggleMotion => {
                                prefs_dispatch.dispatch(PrefAction::ToggleMotion)
                            }
                        }
                    },
                )
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

    // `?debug=panic`: panic once mounted, to show the panic overlay (e2e tests). Read
    // at the first render, before the URL sync rewrites the address bar.
    let panic_requested = *use_memo((), |_| crate::ui::panic::requested());
    use_effect_with((), move |_| {
        if panic_requested {
            panic!("a deliberate panic, requested by debug=panic in the link");
        }
    });

    // Drop a run file anywhere on the page to import it.
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let dragging = use_state(|| false);
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            let has_files = e
                .data_transfer()
                .is_some_and(|d| d.types().includes(&"Files".into(), 0));
            if has_files {
                e.prevent_default();
                if !*dragging {
                    dragging.set(true);
                }
            }
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let (dragging, dispatch) = (dragging.clone(), dispatch.clone());
        Callback::from(move |e: DragEvent| {
            dragging.set(false);
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0));
            if let Some(file) = file {
                e.prevent_default();
                share_panel::read_run_file(file, &dispatch, &reader);
            }
        })
    };

    // A lesson waiting for a prediction: nothing on screen may give the answer away.
    let hold = state.lesson.as_ref().is_some_and(|l| l.pending());
    let in_lesson = state.lesson.is_some();
    let lesson_panel = match &state.lesson {
        Some(l) => {
            html! { <LessonPanel run={l.clone()} tick={state.tick()} dispatch={dispatch.clone()} /> }
        }
        None => html! {},
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
    // Reduced motion: tokens jump from tick to tick instead of gliding.
    let now = drawn_pos(state.pos, reduced);

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
                    let (mark, tone) = if hold { ("", "") } else { (t.badge.tone().glyph(), t.badge.tone().class()) };
                    let cls = classes!("tab", (i == index).then_some("active"), tone);
                    html! {
                        <button role="tab" class={cls} aria-selected={(i == index).to_string()}
                            data-tech={t.id.clone()}
                            title={if hold { t.label.clone() } else { t.badge.text.clone() }}
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
    let dark = use_state(|| match crate::ui::storage::get(THEME_KEY) {
        Some(v) => v == "dark",
        // No choice yet: follow the system (prefers-color-scheme).
        None => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    });
    let toggle_theme = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| {
            let next = !*dark;
            crate::ui::storage::set(THEME_KEY, if next { "dark" } else { "light" });
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

    // Help, presenter mode and reduced motion (also on the keyboard: ?, p, m).
    let close_help = {
        let p = prefs.dispatcher();
        Callback::from(move |_: ()| p.dispatch(PrefAction::CloseHelp))
    };
    let a11y_tools = {
        let p = prefs.dispatcher();
        let (p1, p2) = (p.clone(), p.clone());
        html! {
            <>
                <button class="btn small ghost" data-action="motion" aria-pressed={reduced.to_string()}
                    title="Reduce motion: messages jump from tick to tick, the narration leads (m)"
                    onclick={Callback::from(move |_: MouseEvent| p.dispatch(PrefAction::ToggleMotion))}>
                    {if reduced { "✓ Reduced motion" } else { "Reduce motion" }}
                </button>
                <button class="btn small ghost" data-action="presenter" aria-pressed={prefs.presenter.to_string()}
                    title="Presenter mode: large type, the stage only (p)"
                    onclick={Callback::from(move |_: MouseEvent| p1.dispatch(PrefAction::TogglePresenter))}>
                    {if prefs.presenter { "Leave presenter mode" } else { "Presenter" }}
                </button>
                <button class="btn small ghost" data-action="help" aria-haspopup="dialog"
                    title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts"
                    onclick={Callback::from(move |_: MouseEvent| p2.dispatch(PrefAction::ToggleHelp))}>
                    {"?"}
                </button>
            </>
        }
    };

    let playback = html! {
        <Playback
            tick={tick}
            end={run.end}
            playing={state.playing}
            speed={state.speed}
            seed={state.seed}
            run={run.clone()}
            index={index}
            range={(state.locked() || hold).then(|| state.range())}
            can_unlock={!state.embed && !hold}
            hold={hold}
            dispatch={dispatch.clone()} />
    };
    let stage_region = html! {
        <main class="stage" id="stage" tabindex="-1" aria-label="Stage">
            <div class="stage-head">
                {tabs}
                {view_toggle}
            </div>
            if !run.techniques().is_empty() {
                <Announcer run={run.clone()} index={index} tick={tick} playing={state.playing} visible={reduced} hold={hold} />
            }
            {stage_body}
            if !run.techniques().is_empty() {
                <Story run={run.clone()} index={index} tick={tick} playing={state.playing} />
            }
        </main>
    };
    let ledgers = html! {
        <section class="ledgers" id="ledgers" tabindex="-1" aria-label="Ledgers">
            if has_generals {
                <Generals run={run.clone()} views={views.clone()} index={index} dispatch={dispatch.clone()} />
            }
            if run.property() == crate::sim::run::Property::Fidelity && !run.techniques().is_empty() {
                <crate::ui::components::telemetry_chart::TelemetryMeans run={run.clone()} views={views.clone()} index={index} />
            }
            <Ledgers run={run.clone()} views={views.clone()} tick={tick} index={index} dispatch={dispatch.clone()} hold={hold} />
        </section>
    };
    let root_class = classes!(
        "app",
        state.embed.then_some("embed"),
        dark.then_some("theme-dark"),
        prefs.presenter.then_some("presenter"),
        reduced.then_some("reduce-motion"),
        dragging.then_some("dragging")
    );
    let help = if prefs.help {
        html! { <HelpDialog scenario={state.scenario.clone()} on_close={close_help} /> }
    } else {
        html! {}
    };

    // Embedded in a course page: the stage, the playback controls and the ledgers of
    // this one scenario, and a way out to the whole playground.
    if state.embed {
        let full = share_panel::link_for(&crate::ui::share::ShareState {
            embed: false,
            autoplay: false,
            ..state.share()
        });
        return html! {
            <div id="app-root" class={root_class} ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
                <header class="embed-bar">
                    <strong class="embed-title">{title}</strong>
                    <a class="embed-open" href={full} target="_blank" rel="noopener"
                        title="Open this run in the whole playground (new tab)">{"Open in the playground ↗"}</a>
                </header>
                <Notices notices={state.notices.clone()} dispatch={dispatch.clone()} />
                {lesson_panel.clone()}
                {replay_banner}
                {stage_region}
                {playback}
                {ledgers}
                {help}
            </div>
        };
    }

    html! {
        <div id="app-root" class={root_class} ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <nav class="skip-links" aria-label="Skip links">
                {skip_link("Skip to the stage", "stage")}
                {skip_link("Skip to playback", "playback")}
                {skip_link("Skip to the ledgers", "ledgers")}
            </nav>
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
                    {a11y_tools}
                </div>
            </header>
            <Notices notices={state.notices.clone()} dispatch={dispatch.clone()} />
            <div class="layout">
                <div class="nav-col">
                    <CourseList progress={state.progress.clone()}
                        current={state.lesson.as_ref().filter(|l| !l.imported).map(|l| AttrValue::from(l.lesson.id.clone()))}
                        dispatch={dispatch.clone()} />
                    <Nav current={state.scenario.clone()} dispatch={dispatch.clone()} />
                </div>
                <div class="center">
                    {lesson_panel}
                    {replay_banner}
                    {stage_region}
                    {playback}
                    {ledgers}
                </div>
                <aside class="side" aria-label="Settings and explanations">
                    if !in_lesson {
                        <Explain scenario={state.scenario.clone()} dispatch={dispatch.clone()} part={"intro"} />
                    }
                    <Controls
                        scenario={state.scenario.clone()}
                        params={state.params.clone()}
                        faults={state.faults.clone()}
                        run={run.clone()}
                        index={index}
                        seed={state.seed}
                        promise={state.promise}
                        in_lesson={in_lesson}
                        dispatch={dispatch.clone()} />
                    <SharePanel share={state.share()} run={run.clone()} title={title} dispatch={dispatch.clone()} />
                    if !run.techniques().is_empty() && !in_lesson {
                        <Sweep scenario={state.scenario.clone()} params={state.params.clone()} seed={state.seed} dispatch={dispatch.clone()} />
                    }
                    if show_calculator && !in_lesson {
                        <Calculator />
                    }
                    if !in_lesson {
                        <Explain scenario={state.scenario.clone()} dispatch={dispatch.clone()} part={"confusions"} />
                    }
                </aside>
            </div>
            {help}
            if *dragging {
                <div class="drop-hint" aria-hidden="true">{"Drop a run file to import it"}</div>
            }
        </div>
    }
}
