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
pub mod offline;
pub mod panic;
pub mod prefs;
pub mod share;
pub mod state;
pub mod storage;
pub mod worker;

/// Mount the app on the page body; in the sweep Web Worker, serve sweeps instead.
///
/// Start-up is a chain of tasks, so that none blocks the page for long and
/// the browser can handle input and paint between them (on a phone each first call of a
/// wasm function also compiles it, in the task that calls it). The wasm is compiled in
/// one task and instantiated in the next (index.html's loader, `Trunk.toml`), which runs
/// this; the page's start comes in the task after (`start_page`: which page, the
/// window's size); then one parses the built-in lessons
/// (the course list and any lesson link need them); the next resolves the lesson a link
/// opens, if any (its texts are filled from runs); the next computes the first
/// [`state::State`] (the run the first screen shows); the last renders it and removes the first-screen shell
/// (`static/shell.js`) in the same task, so no frame shows neither.
pub fn start() {
    // The task this runs in instantiated the wasm (on a phone each first call also
    // compiles): everything else, even telling the page from the worker, comes in the
    // next one.
    then(|| {
        panic::install();
        if worker::in_worker() {
            worker::start();
        } else {
            start_page();
        }
    });
}

/// [`start`] on a page (not in the worker).
fn start_page() {
    if components::practice::requested(&hooks::location_search()) {
        crate::course::course();
        remove_shell();
        yew::Renderer::<components::practice::Practice>::new().render();
        return;
    }
    if components::workbench::requested(&hooks::location_search()) {
        remove_shell();
        yew::Renderer::<components::workbench::Workbench>::new().render();
        return;
    }
    // The first use of the futures task queue that Yew's scheduler runs on (it creates a
    // promise and closures, and on a phone compiles them) here, in a light task, instead
    // of in the first render's.
    yew::platform::spawn_local(async {});
    // The window's width for the stage's first layout, read while the page holds only the
    // shell: its layout is clean, so this read forces none (later, the app's fresh DOM
    // would be laid out for it, in the middle of the first render).
    components::stage::remember_viewport();
    then(|| {
        crate::course::course();
        then(|| {
            if let Some(id) = linked_lesson() {
                crate::course::find(&id);
            }
            then(|| {
                state::prepare(app::initial_state());
                then(render);
            });
        });
    });
}

/// The last step of [`start`]: the first render.
fn render() {
    remove_shell();
    // The first screen's regions first, the rest one a frame after it
    // (app/mount.rs); the offline service worker registers after them.
    yew::Renderer::<app::App>::new().render();
}

thread_local! {
    /// The next step of [`start`] (a handle: dropping it would cancel it).
    static NEXT: std::cell::RefCell<Option<gloo::timers::callback::Timeout>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` in a task of its own, after the browser has had its turn.
fn then(f: impl FnOnce() + 'static) {
    let t = gloo::timers::callback::Timeout::new(0, f);
    // Replacing the handle of the step now running drops it after it fired: no cancel.
    NEXT.with(|n| *n.borrow_mut() = Some(t));
}

/// The `lesson=` of the page's address, if any (ids are plain: no unescaping needed).
fn linked_lesson() -> Option<String> {
    let search = hooks::location_search();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("lesson="))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
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
