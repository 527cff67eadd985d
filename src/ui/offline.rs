//! Offline after the first visit: registers the service worker `sw.js`, which sits next
//! to `index.html` in `dist/` (so its scope is the folder the app is served from, under
//! any sub-path) and precaches every file of the build (`scripts/sw-precache.mjs`, a
//! trunk post_build hook, writes the list and a build hash into it).
//!
//! Skipped where there are no service workers (plain http on another host than
//! localhost, some sandboxed iframes, old browsers) and in debug builds (`trunk serve`
//! reloads on every change; a cache would only get in the way). Reached through
//! `Reflect`, so a browser that throws on `navigator.serviceWorker` cannot break the
//! start-up, and a refused registration is only logged.

use wasm_bindgen::{JsCast, JsValue};

/// The service worker's address, relative to the page (next to `index.html`).
pub const SCRIPT: &str = "./sw.js";

/// Register the service worker, if this browser has them (see the module docs).
pub fn register() {
    if cfg!(debug_assertions) || !cfg!(target_arch = "wasm32") {
        return;
    }
    let Some(win) = web_sys::window() else {
        return;
    };
    let nav: JsValue = win.navigator().into();
    let Ok(container) = js_sys::Reflect::get(&nav, &"serviceWorker".into()) else {
        return;
    };
    if container.is_undefined() || container.is_null() {
        return;
    }
    let Some(register) = js_sys::Reflect::get(&container, &"register".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let Ok(promise) = register.call1(&container, &SCRIPT.into()) else {
        return;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let why = js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            gloo::console::log!(format!(
                "offline copy not available (the service worker was not registered: {why})"
            ));
        }
    });
}
