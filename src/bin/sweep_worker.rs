//! The sweep Web Worker: the same simulator, off the main thread.
//!
//! trunk builds this bin as a worker (`data-type="worker"`); the page starts it
//! through `static/sweep-worker.js`. Protocol, as JSON strings:
//! * worker → page `{"ready":true}` once listening;
//! * page → worker a `SweepConfig`;
//! * worker → page `{"progress":{"done":…,"runs":…,"events":…}}` after every chunk,
//!   then `{"result":SweepResult}` or `{"error":"…"}`.
//!
//! Cancelling is `worker.terminate()` on the page: nothing here needs to poll.

#[cfg(target_arch = "wasm32")]
fn main() {
    use eop::sim::sweep::{SweepConfig, Sweeper};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

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

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("sweep_worker runs in the browser; natively, use `eosim sweep`");
    std::process::exit(2);
}
