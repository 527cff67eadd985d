//! The keyboard-shortcut help: a real modal dialog. Opening it moves the focus to its
//! close button and keeps Tab inside; Esc (handled page-wide in `app/mod.rs`), the close
//! button or a click on the backdrop close it, and the focus returns to where it was.

use crate::ui::keys::HELP;
use crate::ui::state::ScenarioRef;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub scenario: ScenarioRef,
    pub on_close: Callback<()>,
}

#[component]
pub fn HelpDialog(props: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    // Focus in on open, back out on close.
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            let before = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
            move || {
                if let Some(el) = before {
                    let _ = el.focus();
                }
            }
        });
    }
    let tries = props.scenario.try_this;
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    let on_backdrop = {
        let close = props.on_close.clone();
        Callback::from(move |e: MouseEvent| {
            let is_backdrop = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| el.get_attribute("class").as_deref() == Some("modal-backdrop"));
            if is_backdrop {
                close.emit(());
            }
        })
    };
    // Keep Tab inside the dialog: its only control is the close button.
    let on_keydown = Callback::from(|e: KeyboardEvent| {
        if e.key() == "Tab" {
            e.prevent_default();
        }
    });
    html! {
        <div class="modal-backdrop" onclick={on_backdrop}>
            <div class="modal help" role="dialog" aria-modal="true" aria-labelledby="help-title"
                aria-describedby="help-intro" onkeydown={on_keydown}>
                <div class="box-head">
                    <h2 id="help-title">{"Keyboard shortcuts"}</h2>
                    <button ref={close_ref} class="btn small" data-action="close-help" onclick={on_close}>
                        {"Close"}<span class="muted">{" (Esc)"}</span>
                    </button>
                </div>
                <p id="help-intro" class="muted small">{"Everything works from the keyboard. Shortcuts are off while you type in a field."}</p>
                <table class="help-table">
                    <caption class="sr-only">{"Keys and what they do"}</caption>
                    <thead><tr><th scope="col">{"Key"}</th><th scope="col">{"Does"}</th></tr></thead>
                    <tbody>
                        { for HELP.iter().map(|(k, v)| html! {
                            <tr><th scope="row"><kbd>{*k}</kbd></th><td>{*v}</td></tr>
                        }) }
                    </tbody>
                </table>
                if !tries.is_empty() {
                    <h3 class="sub-head">{"“Try this” in this scenario"}</h3>
                    <ol class="help-tries">
                        { for tries.iter().take(9).map(|t| html! { <li>{t.label}</li> }) }
                    </ol>
                }
            </div>
        </div>
    }
}
