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
///
/// Start-up is split into tasks so that none blocks the page for long (issue 26): this
/// one computes the first [`state::State`] (the run the first screen shows); the next,
/// after the browser has had its turn, renders it and removes the first-screen shell
/// (`static/shell.js`) in the same task, so no frame shows neither.
pub fn start() {
    panic::install();
    if worker::in_worker() {
        worker::start();
        return;
    }
    // The window's width for the stage's first layout, read while the page holds only the
    // shell: its layout is clean, so this read forces none (later, the app's fresh DOM
    // would be laid out for it, in the middle of the first render).
    components::stage::remember_viewport();
    state::prepare(app::initial_state());
    START.with(|t| {
        *t.borrow_mut() = Some(gloo::timers::callback::Timeout::new(0, || {
            remove_shell();
            // The offline copy's service worker registers after the first paint
            // (hooks/first_paint.rs).
            yew::Renderer::<app::App>::new().render();
            START.with(|t| drop(t.borrow_mut().take()));
        }));
    });
}

thread_local! {
    /// The pending render of [`start`] (a handle: dropping it would cancel it).
    static START: std::cell::RefCell<Option<gloo::timers::callback::Timeout>> =
        const { std::cell::RefCell::new(None) };
}

/// Removes the first-screen shell that index.html paints before the wasm arrives.
fn remove_shell() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("shell"))
    {
        el.remove();
    }
}
