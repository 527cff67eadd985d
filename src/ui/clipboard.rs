//! The legacy way to copy: select the text of a field and run the `copy` command.
//! Pages served over plain http (a course server on a LAN) have no clipboard API, so
//! every copy button falls back to this.

use wasm_bindgen::JsCast;

/// Select all text in `el` (an `<input>` or `<textarea>`) and copy it. True if the
/// browser says it copied.
pub fn copy_selection(el: &web_sys::HtmlElement) -> bool {
    let _ = el.focus();
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        i.select();
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.select();
    }
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}
