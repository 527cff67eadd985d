//! The address bar holds the share link: it follows the state (a new history entry when
//! the learner opens another scenario, a replaced one otherwise), and the back and
//! forward buttons restore the state of the link.
//!
//! Off the frame path: the link is encoded only when something it says changes (the
//! settings, the view, a pause or a seek; while playing it leaves the tick out), and is
//! written at most every [`URL_EVERY_MS`] while a run plays.

use super::throttle::use_throttled;
use crate::sim::ids::Tick;
use crate::ui::share;
use crate::ui::state::{Action, State};
use gloo::events::EventListener;
use yew::prelude::*;

/// While playing, the address bar is rewritten at most this often.
pub const URL_EVERY_MS: f64 = 500.0;

/// The query string of the page (with its `?`), or empty outside a browser.
pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Everything the link depends on, cheap to compare on every frame. Seed, parameters
/// and faults change only through a re-run, which gives the run a new `gen`.
#[derive(Clone, PartialEq)]
struct LinkKey {
    gen: u64,
    scenario: &'static str,
    seed: u64,
    view: share::ViewMode,
    technique: Option<String>,
    embed: bool,
    from: Option<Tick>,
    to: Option<Tick>,
    lesson: Option<(String, usize, bool)>,
    /// The tick when paused (a playing link leaves it out).
    paused_at: Option<Tick>,
}

impl LinkKey {
    fn of(s: &State) -> LinkKey {
        LinkKey {
            gen: s.run.gen,
            scenario: s.scenario.id,
            seed: s.seed,
            view: s.view,
            technique: s.technique.clone(),
            embed: s.embed,
            from: s.from,
            to: s.to,
            lesson: s
                .lesson
                .as_ref()
                .map(|l| (l.lesson.id.clone(), l.step, l.imported)),
            paused_at: (!s.playing).then(|| s.tick()),
        }
    }
}

/// Bring the address bar in line with `(query, history mark)`: a new history entry
/// when the mark moved since the last write, a replaced one otherwise.
fn write_url(last: Option<&(String, u64)>, (query, mark): &(String, u64)) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let url = format!("?{query}");
    if win.location().search().unwrap_or_default() == url {
        return;
    }
    let push = last.is_some_and(|(_, m)| m != mark);
    if let Ok(h) = win.history() {
        let _ = if push {
            h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
}

/// The URL follows the state; popstate (back, forward) loads the link it lands on.
#[hook]
pub fn use_url_sync(state: &State, dispatch: &Callback<Action>) {
    let query = use_memo(LinkKey::of(state), |_| state.query());
    let value = Some(((*query).clone(), state.nav_mark));
    use_throttled(value, !state.playing, URL_EVERY_MS, write_url);

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
