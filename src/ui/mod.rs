//! The Yew front end. Renders what `sim` produced; owns no simulation logic.
//!
//! * [`state`] — the one reducer (`State`, `Action`) and the view cache;
//! * [`layout`] — pure geometry of the stage and the space-time view;
//! * [`facts`] — pure derivations (live verdicts, badges, sentences) from a trace;
//! * [`components`] — one Yew component per file;
//! * [`share`] — the URL codec;
//! * [`worker`] — the sweep Web Worker's side (the same wasm, started without a `window`).

pub mod app;
pub mod components;
pub mod facts;
pub mod layout;
pub mod share;
pub mod state;
pub mod worker;

/// Mount the app on the page body; in the sweep Web Worker, serve sweeps instead.
pub fn start() {
    if worker::in_worker() {
        worker::start();
    } else {
        yew::Renderer::<app::App>::new().render();
    }
}
