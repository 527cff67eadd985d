//! Light / dark, remembered in this browser; with no choice yet, the system's
//! `prefers-color-scheme`.

use yew::prelude::*;

/// Where the theme choice is remembered.
const THEME_KEY: &str = "eop.theme";

/// Whether the dark theme is on, and the toggle that switches (and remembers) it.
#[hook]
pub fn use_theme() -> (bool, Callback<MouseEvent>) {
    let dark = use_state(|| match crate::ui::storage::get(THEME_KEY) {
        Some(v) => v == "dark",
        None => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    });
    let toggle = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| {
            let next = !*dark;
            crate::ui::storage::set(THEME_KEY, if next { "dark" } else { "light" });
            dark.set(next);
        })
    };
    (*dark, toggle)
}
