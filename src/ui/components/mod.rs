//! One component per file. Every component gets what it shows as props and sends
//! [`crate::ui::state::Action`]s through a `Callback`; none holds simulation state.

pub mod announcer;
pub mod calculator;
pub mod controls;
pub mod course;
pub mod explain;
pub mod futures;
pub mod generals;
pub mod help;
pub mod ledger_entries;
pub mod ledgers;
pub mod lesson;
pub mod nav;
pub mod notices;
pub mod playback;
pub mod practice;
pub mod share_panel;
pub mod space;
pub mod spacetime;
pub mod stage;
pub mod story;
pub mod sweep;
pub mod telemetry_chart;
pub mod workbench;

use crate::ui::state::Action;
use yew::prelude::*;

/// The click handler of an in-app link: a plain left click dispatches `action()`
/// instead of loading the page; a modified or middle click keeps the browser's own
/// behaviour (open the link in a new tab or window).
pub fn plain_click(
    dispatch: &Callback<Action>,
    action: impl Fn() -> Action + 'static,
) -> Callback<MouseEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: MouseEvent| {
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
            return;
        }
        e.prevent_default();
        dispatch.emit(action());
    })
}
