//! Should a bug slip through, a panic shows a visible message instead of a dead page:
//! what broke, the scenario and seed from the address bar, and a "Copy link to
//! reproduce" button (with the link in a field, for when copying is blocked).
//!
//! The overlay is plain DOM, built without Yew: after a panic the Yew app is gone
//! (the release build aborts), so nothing of it may be relied on. The button's
//! listener is kept in a thread-local so it lives as long as the page.
//!
//! `?debug=panic` in a link panics on purpose once the app has mounted; the e2e
//! tests use it to check this overlay.

use crate::ui::share;
use gloo::events::EventListener;
use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    static COPY_LISTENER: RefCell<Option<EventListener>> = const { RefCell::new(None) };
}

/// Install the hook (once, before the app mounts; through Yew, which would otherwise
/// replace it with its own console-only hook when the app is rendered).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let what = info.to_string();
        gloo::console::error!(format!("Exactly-Once Playground panicked: {what}"));
        show(&what);
    }));
}

/// Whether the page's link asks for a deliberate panic (`debug=panic`).
pub fn requested() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "debug=panic")
        })
}

fn show(what: &str) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let Some(doc) = win.document() else {
        return;
    };
    let search = win.location().search().unwrap_or_default();
    let href = win.location().href().unwrap_or_default();
    // Reproduce without re-triggering a deliberate test panic.
    let link = href.replace("&debug=panic", "").replace("debug=panic&", "");
    let d = share::decode(&search);
    let who = format!(
        "scenario “{}”, seed {}{}",
        d.state.inputs.scenario,
        d.state.inputs.config.seed,
        d.state
            .tick
            .map(|t| format!(", tick {t}"))
            .unwrap_or_default()
    );
    let Ok(root) = doc.create_element("div") else {
        return;
    };
    root.set_id("panic");
    root.set_class_name("panic-overlay");
    let _ = root.set_attribute("role", "alertdialog");
    let _ = root.set_attribute("aria-labelledby", "panic-title");
    let add = |parent: &web_sys::Element, tag: &str, class: &str, text: &str| {
        let el = doc.create_element(tag).ok()?;
        if !class.is_empty() {
            el.set_class_name(class);
        }
        el.set_text_content(Some(text));
        parent.append_child(&el).ok()?;
        Some(el)
    };
    let Some(card) = add(&root, "div", "panic-card", "") else {
        return;
    };
    if let Some(h) = add(&card, "h2", "", "Something broke inside the playground") {
        h.set_id("panic-title");
    }
    add(
        &card,
        "p",
        "",
        "This is a bug in the playground, not something you did. The run is deterministic, so the link below reproduces it exactly — please send it to whoever looks after this page.",
    );
    add(&card, "p", "panic-who", &format!("While showing {who}."));
    add(&card, "pre", "panic-what", what);
    let field = doc
        .create_element("input")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(f) = &field {
        f.set_type("text");
        f.set_read_only(true);
        f.set_value(&link);
        f.set_class_name("panic-link");
        let _ = f.set_attribute("aria-label", "Link to reproduce");
        let _ = card.append_child(f);
    }
    let row = add(&card, "div", "panic-actions", "");
    if let Some(row) = &row {
        if let Some(btn) = add(row, "button", "btn primary", "Copy link to reproduce") {
            let _ = btn.set_attribute("data-action", "copy-panic-link");
            let status = add(row, "span", "panic-status", "");
            let link = link.clone();
            let field = field.clone();
            let listener = EventListener::new(&btn, "click", move |_| {
                let copied = copy_sync(&link, field.as_ref());
                if let Some(s) = &status {
                    s.set_text_content(Some(if copied {
                        "✓ copied"
                    } else {
                        "select the link above and press Ctrl+C"
                    }));
                }
            });
            COPY_LISTENER.with(|l| *l.borrow_mut() = Some(listener));
        }
        if let Some(a) = add(row, "a", "btn", "Reload this run") {
            let _ = a.set_attribute("href", &link);
        }
    }
    if let Some(body) = doc.body() {
        let _ = body.append_child(&root);
    }
}

/// Copy without waiting on a promise (nothing async may run after a panic): the
/// clipboard API is started, and the field is selected for the legacy copy command.
fn copy_sync(text: &str, field: Option<&web_sys::HtmlInputElement>) -> bool {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    field.is_some_and(|f| crate::ui::clipboard::copy_selection(f))
}
