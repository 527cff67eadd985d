//! The Yew front end. Renders what `sim` produced; owns no simulation logic.
//!
//! * [`state`] — the one reducer (`State`, `Action`) and the view cache;
//! * [`layout`] — pure geometry of the stage and the space-time view;
//! * [`facts`] — pure derivations (live verdicts, badges, sentences) from a trace;
//! * [`components`] — one Yew component per file;
//! * [`share`] — the URL codec;
//! * [`export`] — run files (export / import as JSON, checksum compared);
//! * [`panic`] — a visible error with a link to reproduce, should a bug slip through;
//! * [`keys`] — keyboard shortcuts (pure);
//! * [`prefs`] — how the page is presented: help, presenter mode, reduced motion;
//! * [`storage`] — remembered choices, safe where storage is refused (iframes);
//! * [`host`] — the host-page API (postMessage to and from a framing course page);
//! * [`offline`] — registers the service worker (`static/sw.js`) that serves `dist/` offline;
//! * [`worker`] — the sweep Web Worker's side (the same wasm, started without a `window`).

pub mod app;
pub mod clipboard;
pub mod components;
pub mod export;
pub mod facts;
pub mod hooks;
pub mod host;
pub mod keys;
pub mod layout;
pub mod lesson_state;
pub mod offline;
pub mod panic;
pub mod prefs;
pub mod share;
pub mod state;
pub mod storage;
pub mod worker;

/// Mount the app on the page body; in the sweep Web Worker, serve sweeps instead.
pub fn start() {
    panic::install();
    if worker::in_worker() {
        worker::start();
    } else if components::workbench::requested(&hooks::location_search()) {
        yew::Renderer::<components::workbench::Workbench>::new().render();
    } else {
        // The offline copy's service worker registers after the first paint
        // (hooks/first_paint.rs).
        yew::Renderer::<app::App>::new().render();
    }
}
