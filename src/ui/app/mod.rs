//! The root component: owns the reducer, wires the hooks (animation frames, the URL,
//! the keyboard, the host page, the theme, file drops) and lays out the regions
//! (`regions.rs`).

mod mount;
mod regions;

use crate::sim::replay::View;
use crate::ui::components::{course::CourseList, help::HelpDialog, nav::Nav, notices::Notices};
use crate::ui::hooks::{
    location_search, use_debug_panic, use_file_drop, use_frame_loop, use_keyboard, use_prefs,
    use_progress_storage, use_theme, use_url_sync,
};
use crate::ui::lesson_state::{Progress, PROGRESS_KEY};
use crate::ui::prefs::{drawn_pos, PrefAction};
use crate::ui::share;
use crate::ui::state::{Action, State, ViewCache};
use regions::Ctx;
use std::rc::Rc;
use yew::prelude::*;

/// The state a page opens with (computed by `ui::start` before the first render).
pub(crate) fn initial_state() -> State {
    let search = location_search();
    let d = share::decode(&search);
    let mut s = State::from_share(&d.state, &d.warnings);
    if search.trim_start_matches('?').is_empty() {
        home(&mut s, motion_reduced());
    }
    // Lesson progress (memory only where storage is refused), then a lesson link.
    s.progress = Progress::parse(crate::ui::storage::get(PROGRESS_KEY).as_deref());
    crate::ui::lesson_state::open_from_link(&mut s, &d.state);
    s
}

/// Whether motion is reduced at start: the learner's stored choice, else the system's
/// `prefers-reduced-motion` (as `use_prefs` decides it, before the first render).
fn motion_reduced() -> bool {
    let system = web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches());
    let stored = crate::ui::storage::get(crate::ui::prefs::MOTION_KEY);
    crate::ui::prefs::Prefs::new(system, stored.as_deref()).reduced()
}

/// The home page (no link): the scenario plays from tick 0 on the technique whose run
/// shows what the scenario's headline promises (the first one the simulator judges
/// broken), so the first thing one sees is the headline happening. Under reduced
/// motion nothing moves by itself: the page opens paused at the tick where that
/// technique first goes wrong (the headline, still), and Play or the step buttons move
/// it on the learner's say.
fn home(s: &mut State, reduced: bool) {
    let shown = s.run.techniques().iter().position(|t| !t.badge.good());
    if let Some(i) = shown {
        s.technique = Some(s.run.techniques()[i].id.clone());
    }
    if reduced {
        let still = shown
            .and_then(|i| s.run.first_bad.get(i).copied().flatten())
            .unwrap_or(0);
        s.seek(still as f64);
    } else {
        s.seek(0.0);
        s.play();
    }
}

/// The views of every technique at the playhead: recomputed when the tick or the run
/// changes, not on every frame.
#[hook]
fn use_views(state: &State) -> Rc<Vec<View>> {
    let cache = use_mut_ref(ViewCache::default);
    let (run, tick) = (state.run.clone(), state.tick());
    use_memo((run.gen, tick), move |_| {
        cache.borrow_mut().at(&run, tick).to_vec()
    })
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| crate::ui::state::take_prepared().unwrap_or_else(initial_state));
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a: Action| d.dispatch(a)))).clone()
    };
    use_frame_loop(state.playing, &dispatch);
    use_url_sync(&state, &dispatch);
    // A course page framing the app: ready/resize/state out, commands in (host/mod.rs).
    crate::ui::host::use_host_api(&state, &dispatch);
    use_progress_storage(&state.progress);
    let prefs = use_prefs();
    use_keyboard(&state, &prefs, &dispatch);
    let views = use_views(&state);
    use_debug_panic();
    let drop = use_file_drop(&dispatch);
    let (dark, toggle_theme) = use_theme();
    // Region by region (mount.rs): `step` says how many have mounted.
    let plan = {
        let generals = regions::has_generals(&state.run);
        let (embed, in_lesson) = (state.embed, state.lesson.is_some());
        *use_memo((), move |_| {
            mount::Plan::new(embed, mount::ledgers_first(in_lesson, generals))
        })
    };
    let step = mount::use_mount_step(plan.last);
    let painted = step >= plan.last;
    let mounted = painted.then_some("");
    // Opened without a link: the home page.
    let is_home = *use_memo((), |_| location_search().trim_start_matches('?').is_empty());

    let reduced = prefs.reduced();
    let ctx = Ctx {
        state: &state,
        dispatch: &dispatch,
        views,
        index: state.technique_index(),
        tick: state.tick(),
        // A lesson before its question is answered: nothing on screen may give the
        // answer away (verdicts withheld from the first step on).
        hold: crate::ui::lesson_state::withhold(&state),
        // A question waiting for its answer: the playhead is held.
        held: state.lesson.as_ref().is_some_and(|l| l.pending()),
        in_lesson: state.lesson.is_some(),
        reduced,
        // Reduced motion: tokens jump from tick to tick instead of gliding.
        now: drawn_pos(state.pos, reduced),
        step,
        plan,
        painted,
    };
    let title = state.info().title;
    let root_class = classes!(
        "app",
        state.embed.then_some("embed"),
        state.lesson.is_some().then_some("in-lesson"),
        dark.then_some("theme-dark"),
        prefs.presenter.then_some("presenter"),
        reduced.then_some("reduce-motion"),
        drop.dragging.then_some("dragging")
    );
    let help = if prefs.help {
        let p = prefs.dispatcher();
        let close = Callback::from(move |_: ()| p.dispatch(PrefAction::CloseHelp));
        html! { <HelpDialog scenario={state.scenario} on_close={close} /> }
    } else {
        html! {}
    };
    let notices = html! { <Notices notices={state.notices.clone()} dispatch={dispatch.clone()} /> };
    let (ondragover, ondragleave, ondrop) = (drop.ondragover, drop.ondragleave, drop.ondrop);

    // Embedded in a course page: the stage, the playback controls and the ledgers of
    // this one scenario, and a way out to the whole playground.
    if state.embed {
        return html! {
            <div id="app-root" class={root_class} data-mounted={mounted} {ondragover} {ondragleave} {ondrop}>
                {regions::embed_bar(&state, title)}
                {notices}
                {ctx.lesson_panel()}
                {ctx.replay_banner()}
                {ctx.stage_region()}
                if step >= plan.playback { {ctx.playback()} }
                if step >= plan.ledgers { {ctx.ledgers()} }
                {help}
            </div>
        };
    }

    let current_lesson = state
        .lesson
        .as_ref()
        .filter(|l| !l.imported)
        .map(|l| AttrValue::from(l.lesson.id.clone()));
    html! {
        <div id="app-root" class={root_class} data-mounted={mounted} {ondragover} {ondragleave} {ondrop}>
            {regions::skip_links()}
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
                        title="Switch between the light and the dark theme">{if dark { "☀ Light" } else { "☾ Dark" }}</button>
                    {regions::a11y_tools(&prefs)}
                </div>
            </header>
            {notices}
            <div class="layout">
                <div class="nav-col" style={(step < plan.nav).then_some(mount::PENDING)}>
                    if step >= plan.nav {
                        <CourseList progress={state.progress.clone()} current={current_lesson.clone()} dispatch={dispatch.clone()}>
                            <Nav current={state.scenario.id} lesson={current_lesson} progress={state.progress.clone()} dispatch={dispatch.clone()} />
                        </CourseList>
                    }
                </div>
                <div class="center">
                    if state.lesson.is_none() && state.nav_mark == 0 && is_home {
                        <section class="home-intro" aria-label="Where to start" data-home="">
                            <p>{format!("{} short lessons: predict what a run will do, watch it, then break it yourself. Each lesson's scenario is also there for free play.", crate::course::course().len())}</p>
                            {crate::ui::components::course::start_button(&state.progress, &dispatch, "start-here")}
                        </section>
                    }
                    {ctx.lesson_panel()}
                    {ctx.replay_banner()}
                    {ctx.stage_region()}
                    if step >= plan.playback { {ctx.playback()} }
                    if step >= plan.ledgers { {ctx.ledgers()} }
                </div>
                if step >= plan.side { {ctx.side(title)} } else { <aside class="side" aria-label="Settings and explanations" style={mount::PENDING}></aside> }
            </div>
            {help}
            if drop.dragging {
                <div class="drop-hint" aria-hidden="true">{"Drop a run file to import it"}</div>
            }
        </div>
    }
}
