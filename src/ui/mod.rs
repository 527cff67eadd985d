//! The Yew front end. Renders what `sim` produced; owns no simulation logic.
//!
//! * [`state`] — the one reducer (`State`, `Action`) and the view cache;
//! * [`layout`] — pure geometry of the stage and the space-time view;
//! * [`facts`] — pure derivations (live verdicts, badges, sentences) from a trace;
//! * [`components`] — one Yew component per file;
//! * [`share`] — the URL codec.

pub mod app;
pub mod components;
pub mod facts;
pub mod keys;
pub mod layout;
pub mod prefs;
pub mod share;
pub mod state;

/// Mount the app on the page body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
