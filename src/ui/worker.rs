//! The sweep Web Worker: the app's own wasm, started off the main thread.
//!
//! There is no separate worker binary: `static/sweep-worker.js` imports the app's
//! wasm-bindgen glue (its hashed name is written into the loader at build time by
//! `scripts/worker-glue.mjs`, a trunk post_build hook) and instantiates the same
//! module the page runs. `main` sees it has no `window` and calls [`start`] instead of
//! mounting the UI. Sharing the module keeps the simulator in one download (the
//! browser caches it), instead of a second ~110 KB (brotli) copy.
//!
//! Protocol, as JSON strings:
//! * worker → page `{"ready":true}` once listening;
//! * page → worker a `SweepConfig`;
//! * worker → page `{"progress":{"done":…,"runs":…,"events":…}}` after every chunk,
//!   then `{"result":SweepResult}` or `{"error":"…"}`.
//!
//! Cancelling is `worker.terminate()` on the page: nothing here needs to poll.

use crate::sim::sweep::{SweepConfig, Sweeper};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// True inside a dedicated worker (no `window`).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// Listen for a `SweepConfig`, run it in chunks with progress, post the result.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |v: serde_json::Value| {
            let _ = scope.post_message(&JsValue::from_str(&v.to_string()));
        }
    };
    let post_in = post.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        let cfg: SweepConfig = match serde_json::from_str(&text) {
            Ok(c) => c,
            Err(err) => {
                post_in(serde_json::json!({ "error": format!("bad sweep request: {err}") }));
                return;
            }
        };
        let mut sweeper = match Sweeper::new(cfg) {
            Ok(s) => s,
            Err(err) => {
                post_in(serde_json::json!({ "error": err.to_string() }));
                return;
            }
        };
        // Chunks small enough that progress reaches the page several times a second.
        while !sweeper.finished() {
            sweeper.step(250);
            let r = &sweeper.result;
            post_in(serde_json::json!({
                "progress": { "done": r.done, "runs": r.config.runs, "events": r.events }
            }));
        }
        sweeper.shrink_all();
        post_in(serde_json::json!({ "result": sweeper.result }));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must live as long as the worker itself; the page ends both with
    // `terminate()`. Handing it to JS is the one deliberate leak of a closure here.
    let _keep = on_message.into_js_value();
    post(serde_json::json!({ "ready": true }));
}
