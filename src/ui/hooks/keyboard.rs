//! Keyboard shortcuts (see `keys.rs`): one page-wide listener, not passive, so it can
//! prevent the default (scrolling on space and the arrow keys).

use crate::ui::keys::{self, Command, Focus, KeyCtx};
use crate::ui::prefs::{PrefAction, Prefs};
use crate::ui::state::{Action, State};
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

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

/// The shortcuts: reducer actions through `dispatch`, presentation through `prefs`.
#[hook]
pub fn use_keyboard(state: &State, prefs: &UseReducerHandle<Prefs>, dispatch: &Callback<Action>) {
    // What the listener knows when a key is pressed (refreshed every render).
    let key_ctx = use_mut_ref(|| None::<KeyCtx>);
    *key_ctx.borrow_mut() = Some(KeyCtx {
        focus: Focus::Page,
        speed: state.speed,
        scenario: state.inputs.scenario,
        help_open: prefs.help,
        presenter: prefs.presenter,
    });
    let dispatch = dispatch.clone();
    let prefs = prefs.dispatcher();
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
                        Command::ToggleHelp => prefs.dispatch(PrefAction::ToggleHelp),
                        Command::CloseHelp => prefs.dispatch(PrefAction::CloseHelp),
                        Command::TogglePresenter => prefs.dispatch(PrefAction::TogglePresenter),
                        Command::ToggleMotion => prefs.dispatch(PrefAction::ToggleMotion),
                    }
                },
            )
        });
        move || drop(listener)
    });
}
