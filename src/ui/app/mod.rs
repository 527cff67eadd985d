//! The root component: owns the reducer, wires the hooks (animation frames, the URL,
//! the keyboard, the host page, the theme, file drops) and lays out the regions
//! (`regions.rs`).

mod mount;
mod regions;

use crate::sim::replay::View;
use crate::ui::components::{help::HelpDialog, notices::Notices};
use crate::ui::hooks::{
    location_search, use_debug_panic, use_file_drop, use_frame_loop, use_keyboard, use_prefs,
    use_progress_storage, use_theme, use_url_sync,
};
use crate::ui::prefs::PrefAction;
use crate::ui::share;
use crate::ui::state::lesson::{Progress, PROGRESS_KEY};
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
    s.open_linked_lesson(&d.state);
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

/// The shortcut help dialog, when it is open.
fn help_dialog(prefs: &UseReducerHandle<crate::ui::prefs::Prefs>, state: &State) -> Html {
    if !prefs.help {
        return html! {};
    }
    let p = prefs.dispatcher();
    let close = Callback::from(move |_: ()| p.dispatch(PrefAction::CloseHelp));
    html! { <HelpDialog scenario={state.inputs.scenario} on_close={close} /> }
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

/// What [`Wiring`] reads: the App's state, its preferences and its dispatch.
#[derive(Properties)]
struct WiringProps {
    state: UseReducerHandle<State>,
    prefs: UseReducerHandle<crate::ui::prefs::Prefs>,
    dispatch: Callback<Action>,
}

impl PartialEq for WiringProps {
    /// Never equal: it renders with every render of the `App`, as the hooks did in it.
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// The `App`'s hooks that the first screen does not need: the frame loop, the link in the
/// address bar, lesson progress into storage, the keyboard and `debug=panic`. Mounted at a
/// later start-up step (`mount.rs`), so the first render does not also run (and, on a
/// phone, compile) them; it renders nothing.
#[component]
fn Wiring(p: &WiringProps) -> Html {
    let (state, dispatch) = (&p.state, &p.dispatch);
    use_frame_loop(state.playing, dispatch);
    use_url_sync(state, dispatch);
    use_progress_storage(&state.progress);
    use_keyboard(state, &p.prefs, dispatch);
    use_debug_panic();
    html! {}
}

/// [`Wiring`] once `wired`, else nothing: an `Html` either way (an `Option` would be no
/// child at all until then, and the root's children, matched from the end, would all be
/// made anew when it came).
fn wiring(
    wired: bool,
    state: &UseReducerHandle<State>,
    prefs: &UseReducerHandle<crate::ui::prefs::Prefs>,
    dispatch: &Callback<Action>,
) -> Html {
    if wired {
        html! { <Wiring state={state.clone()} prefs={prefs.clone()} dispatch={dispatch.clone()} /> }
    } else {
        html! {}
    }
}

/// The root's classes: embedded, in a lesson, and how the page is presented.
fn root_class(
    state: &State,
    dark: bool,
    presenter: bool,
    reduced: bool,
    dragging: bool,
) -> Classes {
    classes!(
        "app",
        state.embed.then_some("embed"),
        state.lesson.is_some().then_some("in-lesson"),
        [(dark, "theme-dark"), (presenter, "presenter")].map(|(on, c)| on.then_some(c)),
        [(reduced, "reduce-motion"), (dragging, "dragging")].map(|(on, c)| on.then_some(c)),
    )
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| crate::ui::state::take_prepared().unwrap_or_else(initial_state));
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a: Action| d.dispatch(a)))).clone()
    };
    // A course page framing the app: ready/resize/state out, commands in (host/mod.rs).
    // In the first render: it also sets how an embed is laid out.
    crate::ui::host::use_host_api(&state, &dispatch);
    let prefs = use_prefs();
    let views = use_views(&state);
    let drop = use_file_drop(&dispatch);
    let (dark, toggle_theme) = use_theme();
    // Region by region (mount.rs): `step` says how many have mounted.
    let (step, plan) = mount::use_mount(&state);
    // The last step brings the hooks the first screen does not need (`Wiring`).
    let wired = step >= plan.last;
    let mounted = wired.then_some("");
    let wiring = wiring(wired, &state, &prefs, &dispatch);
    // Files dropped on the page: listened for from the same step.
    let [ondragover, ondragleave, ondrop] =
        [drop.ondragover, drop.ondragleave, drop.ondrop].map(|l| wired.then_some(l));
    // Opened without a link: the home page.
    let is_home = *use_memo((), |_| location_search().trim_start_matches('?').is_empty());

    let reduced = prefs.reduced();
    let ctx = Ctx::new(&state, &dispatch, views, reduced, (step, plan));
    let title = state.info().title;
    let root_class = root_class(&state, dark, prefs.presenter, reduced, drop.dragging);
    let help = help_dialog(&prefs, &state);
    let notices = html! { <Notices notices={state.notices.clone()} dispatch={dispatch.clone()} /> };

    // Embedded in a course page: the stage, the playback controls and the ledgers of
    // this one scenario, and a way out to the whole playground.
    if state.embed {
        return html! {
            <div id="app-root" class={root_class} data-mounted={mounted} {ondragover} {ondragleave} {ondrop}>
                {regions::embed_bar(&state, title)}
                {notices}
                {ctx.run_regions()}
                {help}
                {wiring}
            </div>
        };
    }

    html! {
        <div id="app-root" class={root_class} data-mounted={mounted} {ondragover} {ondragleave} {ondrop}>
            {regions::skip_links()}
            {regions::app_header(title, dark, toggle_theme, &prefs)}
            {notices}
            <div class="layout">
                {regions::nav_col(&state, &dispatch, step >= plan.nav)}
                <div class="center">
                    if state.lesson.is_none() && state.nav_mark == 0 && is_home && step >= plan.lesson {
                        {regions::home_intro(&state, &dispatch)}
                    }
                    {ctx.run_regions()}
                </div>
                if step >= plan.side { {ctx.side(title)} } else { <aside class="side" aria-label="Settings and explanations" style={mount::PENDING}></aside> }
            </div>
            {help}
            {regions::drop_hint(drop.dragging)}
            {wiring}
        </div>
    }
}
