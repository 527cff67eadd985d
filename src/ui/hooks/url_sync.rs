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
    check: share::CheckMode,
    lesson: Option<(String, usize, bool)>,
    /// The tick when paused (a playing link leaves it out).
    paused_at: Option<Tick>,
}

impl LinkKey {
    fn of(s: &State) -> LinkKey {
        LinkKey {
            gen: s.run.gen,
            scenario: s.inputs.scenario.id,
            seed: s.inputs.config.seed,
            view: s.view,
            technique: s.technique.clone(),
            embed: s.embed,
            from: s.from,
            to: s.to,
            check: s.check,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fault::Fault;
    use crate::ui::share::{decode, ViewMode};
    use std::rc::Rc;
    use yew::Reducible;

    /// The link is re-encoded only when the key changes, so every change of the link
    /// must change the key.
    #[test]
    fn the_link_never_changes_without_its_key() {
        let d = decode("?s=walkthrough&from=1&to=30");
        let mut s = Rc::new(State::from_share(&d.state, &d.warnings));
        let actions = vec![
            Action::Seek(3),
            Action::SetParam("dup_txn3".into(), 0),
            Action::AddFault(Fault::Lose {
                hop: 0,
                msg: 1,
                attempt: 0,
            }),
            Action::SetView(ViewMode::Spacetime),
            Action::SelectTechnique("dedup".into()),
            Action::Play,
            Action::Frame(0.0),
            Action::Frame(200.0),
            Action::Frame(400.0),
            Action::Pause,
            Action::StepForward,
            Action::SetRandomFaults(false),
            Action::SetSeed(9),
            Action::ClearFaults,
            Action::Unlock,
            Action::SetCheck(share::CheckMode::Every(2)),
            Action::ResetParams,
            Action::SelectScenario("two-generals".into()),
            Action::Seek(u32::MAX),
        ];
        let mut changes = 0;
        for a in actions {
            let (key, query) = (LinkKey::of(&s), s.query());
            s = s.reduce(a);
            if s.query() != query {
                changes += 1;
                assert!(LinkKey::of(&s) != key, "the link became {}", s.query());
            }
        }
        assert!(changes >= 13, "only {changes} changes of the link");
    }

    #[test]
    fn frames_while_playing_leave_the_key_alone() {
        let d = decode("?s=walkthrough&autoplay=1");
        let mut s = Rc::new(State::from_share(&d.state, &d.warnings));
        assert!(s.playing);
        s = s.reduce(Action::Frame(0.0));
        let key = LinkKey::of(&s);
        for i in 1..5 {
            s = s.reduce(Action::Frame(f64::from(i) * 100.0));
            assert!(s.playing);
            assert!(LinkKey::of(&s) == key, "frame {i}");
        }
    }
}
