//! "Share & save": the link to exactly this moment (with Copy link), an `<iframe>` or
//! embed-script (`embed.js`, docs/embedding.md) snippet for course pages (autoplay and a locked step range optional, with Copy
//! embed code), and run files — Export downloads the run as JSON, Import (file picker
//! here, or a drop anywhere on the page) replays one and checks its checksum.
//!
//! Browser glue only: links come from [`crate::ui::share`], files from
//! [`crate::ui::export`], and an import is one [`Action::Import`] for the reducer.

use crate::sim::ids::Tick;
use crate::ui::export;
use crate::ui::share::{self, ShareState};
use crate::ui::state::{Action, RunData};
use gloo::file::callbacks::FileReader;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    /// What the URL says about the state on screen.
    pub share: ShareState,
    pub run: Rc<RunData>,
    pub title: AttrValue,
    pub dispatch: Callback<Action>,
}

/// The page's address without its query: links are this plus `?query`.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// The full link for a share state.
pub fn link_for(share: &ShareState) -> String {
    format!("{}?{}", page_base(), share::encode(share))
}

/// The `<iframe>` snippet for an embed link.
pub fn iframe_snippet(src: &str, title: &str, height: u32) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:1px solid #ccc;border-radius:8px;max-width:100%\" loading=\"lazy\"></iframe>",
        esc(src),
        esc(&format!("Exactly-Once Playground: {title}"))
    )
}

/// The address of `embed.js` for a page at `base` (origin and path): next to index.html.
pub fn embed_script_url(base: &str) -> String {
    let dir = match base.rfind('/') {
        Some(i) => &base[..=i],
        None => "",
    };
    format!("{dir}embed.js")
}

/// The embed-script snippet: an element the script turns into a self-sizing iframe
/// of `query` (a share link without `embed=1`, which the script adds).
pub fn script_snippet(script: &str, query: &str, title: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    format!(
        "<div data-eop=\"?{}\" data-title=\"{}\"></div>\n<script src=\"{}\" async></script>",
        esc(query),
        esc(&format!("Exactly-Once Playground: {title}")),
        esc(script)
    )
}

/// Put `text` on the clipboard; fall back to selecting it in `field` and the legacy
/// copy command (plain http pages have no clipboard API). Reports the outcome.
fn copy_text(text: String, field: NodeRef, done: Callback<bool>) {
    yew::platform::spawn_local(async move {
        let api = web_sys::window().map(|w| w.navigator().clipboard());
        let ok = match api {
            Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&text))
                .await
                .is_ok(),
            None => false,
        };
        let ok = ok || legacy_copy(&field);
        done.emit(ok);
    });
}

fn legacy_copy(field: &NodeRef) -> bool {
    field
        .cast::<HtmlElement>()
        .is_some_and(|el| crate::ui::clipboard::copy_selection(&el))
}

/// Offer `text` as a file download named `name`. The object URL lives in `slot`
/// until the next download (or the panel goes away).
fn download(text: &str, name: &str, slot: &RefCell<Option<gloo::file::ObjectUrl>>) {
    let blob = gloo::file::Blob::new_with_options(text, Some("application/json"));
    let url = gloo::file::ObjectUrl::from(blob);
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Some(a) = a.dyn_ref::<HtmlElement>() {
            a.click();
        }
    }
    *slot.borrow_mut() = Some(url);
}

/// Read a run file the learner picked or dropped and hand its text to the reducer.
/// Oversized files are refused before reading. The reader lives in `slot` (dropping
/// it would abort the read).
pub fn read_run_file(
    file: web_sys::File,
    dispatch: &Callback<Action>,
    slot: &Rc<RefCell<Option<FileReader>>>,
) {
    let name = file.name();
    let size = file.size();
    if size > export::MAX_IMPORT_BYTES as f64 {
        dispatch.emit(Action::Warn(format!(
            "Could not import {}: {}. Nothing was changed.",
            export::clip(&name),
            export::too_big(size as u64)
        )));
        return;
    }
    let file = gloo::file::File::from(file);
    let d = dispatch.clone();
    let reader = gloo::file::callbacks::read_as_text(&file, move |res| match res {
        Ok(text) => d.emit(Action::Import { name, text }),
        Err(e) => d.emit(Action::Warn(format!(
            "Could not import {}: the browser could not read it ({e}). Nothing was changed.",
            export::clip(&name)
        ))),
    });
    *slot.borrow_mut() = Some(reader);
}

#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Not,
    Yes,
    Failed,
}

fn copied_note(c: Copied, what: &str) -> Html {
    match c {
        Copied::Not => html! {},
        Copied::Yes => html! { <span class="copied good">{format!("✓ {what} copied")}</span> },
        Copied::Failed => {
            html! { <span class="copied warn">{"Copying was blocked: select the text and press Ctrl+C"}</span> }
        }
    }
}

fn parse_tick(s: &str) -> Option<Tick> {
    s.trim().parse().ok()
}

#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let link_ref = use_node_ref();
    let embed_ref = use_node_ref();
    let link_copied = use_state(|| Copied::Not);
    let embed_copied = use_state(|| Copied::Not);
    let autoplay = use_state(|| false);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let height = use_state(|| 560u32);
    // The plain iframe, or the embed script (sizes the frame, forwards events).
    let script_form = use_state(|| false);
    let object_url = use_mut_ref(|| None::<gloo::file::ObjectUrl>);
    let reader = use_mut_ref(|| None::<FileReader>);

    // The fingerprint of the run the link opens (`c=`): opened after the simulator
    // changed, the link says its run is not the one its author saw. Once per run.
    let fingerprint = {
        let key = (props.run.gen, props.share.lesson.clone(), props.share.step);
        let (share, run) = (props.share.clone(), props.run.clone());
        use_memo(key, move |_| {
            run.result
                .as_ref()
                .and_then(|r| share::fingerprint::stamped(&share, r).fingerprint)
        })
    };

    // The link to this moment (never in embed form: that is what the snippet is for).
    let plain = ShareState {
        embed: false,
        autoplay: false,
        fingerprint: (*fingerprint).clone(),
        ..props.share.clone()
    };
    let link = link_for(&plain);

    // The embed link: this state, embedded, with the options chosen here.
    let (f, t) = (parse_tick(&from), parse_tick(&to));
    let range_ok = !matches!((f, t), (Some(a), Some(b)) if a > b);
    let embed_state = ShareState {
        embed: true,
        autoplay: *autoplay,
        tick: if *autoplay { None } else { props.share.tick },
        from: if range_ok { f } else { None },
        to: if range_ok { t } else { None },
        fingerprint: (*fingerprint).clone(),
        ..props.share.clone()
    };
    let embed_src = link_for(&embed_state);
    let snippet = if *script_form {
        let query = share::encode(&ShareState {
            embed: false,
            ..embed_state.clone()
        });
        script_snippet(&embed_script_url(&page_base()), &query, &props.title)
    } else {
        iframe_snippet(&embed_src, &props.title, *height)
    };

    // A new link or snippet is not "copied" yet.
    {
        let (a, b) = (link_copied.clone(), embed_copied.clone());
        use_effect_with((link.clone(), snippet.clone()), move |_| {
            a.set(Copied::Not);
            b.set(Copied::Not);
        });
    }

    let copy = |text: String, field: NodeRef, flag: UseStateHandle<Copied>| {
        Callback::from(move |_: MouseEvent| {
            let flag = flag.clone();
            copy_text(
                text.clone(),
                field.clone(),
                Callback::from(move |ok| flag.set(if ok { Copied::Yes } else { Copied::Failed })),
            );
        })
    };
    let on_copy_link = copy(link.clone(), link_ref.clone(), link_copied.clone());
    let on_copy_embed = copy(snippet.clone(), embed_ref.clone(), embed_copied.clone());

    let on_export = {
        let (plain, run) = (plain.clone(), props.run.clone());
        Callback::from(move |_: MouseEvent| {
            let text = export::to_json(&plain, run.result.as_ref());
            download(&text, &export::file_name(&plain), &object_url)
        })
    };
    let on_import = {
        let d = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|l| l.get(0)) {
                read_run_file(file, &d, &reader);
            }
            // Picking the same file again must fire another change.
            input.set_value("");
        })
    };
    let text_field = |st: &UseStateHandle<String>| {
        let st = st.clone();
        Callback::from(move |e: InputEvent| {
            st.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let end = props.run.end;

    html! {
        <section class="share panel-box" aria-label="Share and save">
            <h2>{"Share & save"}</h2>
            <div class="share-row">
                <label class="field grow">
                    <span class="field-label">{"Link to this moment"}</span>
                    <input type="text" readonly=true class="share-link" data-share="link" ref={link_ref}
                        value={link.clone()} aria-label="Link to this moment" />
                </label>
                <button class="btn small primary" data-action="copy-link" onclick={on_copy_link}>{"Copy link"}</button>
            </div>
            <p class="small muted" aria-live="polite">
                {copied_note(*link_copied, "Link")}
                {format!(" {} characters — scenario, seed, settings, hand-made faults and the tick.", link.len())}
            </p>

            <h3>{"Embed in a course page"}</h3>
            <div class="embed-options" role="radiogroup" aria-label="Embed code form">
                <label class="check"><input type="radio" name="embed-form" data-control="embed-form-iframe"
                    checked={!*script_form} onchange={{ let f = script_form.clone(); Callback::from(move |_| f.set(false)) }} />
                    {" Plain iframe"}</label>
                <label class="check" title="embed.js sizes the frame to its content and tells your page's scripts what happens (docs/embedding.md)">
                    <input type="radio" name="embed-form" data-control="embed-form-script"
                    checked={*script_form} onchange={{ let f = script_form.clone(); Callback::from(move |_| f.set(true)) }} />
                    {" Embed script (sizes itself)"}</label>
            </div>
            <div class="embed-options">
                <label class="check"><input type="checkbox" data-control="embed-autoplay" checked={*autoplay}
                    onchange={{ let a = autoplay.clone(); Callback::from(move |_| a.set(!*a)) }} />{" Autoplay"}</label>
                <label class="field tick-field">
                    <span class="field-label">{"From tick"}</span>
                    <input type="text" inputmode="numeric" size="5" data-control="embed-from" placeholder="0"
                        value={(*from).clone()} oninput={text_field(&from)} />
                </label>
                <label class="field tick-field">
                    <span class="field-label">{"To tick"}</span>
                    <input type="text" inputmode="numeric" size="5" data-control="embed-to" placeholder={end.to_string()}
                        value={(*to).clone()} oninput={text_field(&to)} />
                </label>
                if !*script_form {
                <label class="field">
                    <span class="field-label">{"Height"}</span>
                    <select data-control="embed-height" onchange={{
                        let h = height.clone();
                        Callback::from(move |e: Event| {
                            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                            h.set(v.parse().unwrap_or(560));
                        })
                    }}>
                        { for [420u32, 560, 720].iter().map(|v| html! {
                            <option value={v.to_string()} selected={*v == *height}>{format!("{v} px")}</option>
                        }) }
                    </select>
                </label>
                }
            </div>
            if !range_ok || (!from.trim().is_empty() && f.is_none()) || (!to.trim().is_empty() && t.is_none()) {
                <p class="small warn-text" role="alert">{"The step range needs whole tick numbers, the first not after the second; the snippet shows the whole run until then."}</p>
            }
            <textarea class="embed-code" readonly=true rows="4" data-share="embed" ref={embed_ref}
                aria-label="Embed code" value={snippet.clone()} />
            <div class="share-row">
                <button class="btn small primary" data-action="copy-embed" onclick={on_copy_embed}>{"Copy embed code"}</button>
                <a class="small" href={embed_src} target="_blank" rel="noopener" data-share="embed-preview">{"Preview ↗"}</a>
                <span aria-live="polite">{copied_note(*embed_copied, "Embed code")}</span>
            </div>

            <h3>{"Run files"}</h3>
            <div class="share-row">
                <button class="btn small" data-action="export" onclick={on_export}
                    title="Download this run's settings, faults, tick and trace checksum as JSON">{"⤓ Export run (.json)"}</button>
                <label class="btn small file-btn">
                    {"⤒ Import run…"}
                    <input type="file" accept=".json,application/json" data-control="import" onchange={on_import}
                        class="visually-hidden" aria-label="Import a run file" />
                </label>
            </div>
            <p class="small muted">{"Or drop a run file anywhere on the page. An import replays the run and compares its trace checksum with the file's."}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_snippet_sits_next_to_the_app() {
        assert_eq!(
            embed_script_url("https://u.example/ds/playground/"),
            "https://u.example/ds/playground/embed.js"
        );
        assert_eq!(
            embed_script_url("https://u.example/ds/index.html"),
            "https://u.example/ds/embed.js"
        );
        let s = script_snippet(
            "https://u.example/embed.js",
            "s=walkthrough&from=3&to=9",
            "A <b>",
        );
        assert_eq!(
            s,
            "<div data-eop=\"?s=walkthrough&amp;from=3&amp;to=9\" data-title=\"Exactly-Once Playground: A &lt;b>\"></div>\n<script src=\"https://u.example/embed.js\" async></script>"
        );
    }

    #[test]
    fn the_snippet_escapes_what_it_quotes() {
        let s = iframe_snippet("https://x/?s=a&embed=1", "A \"quoted\" <title>", 560);
        assert!(
            s.starts_with("<iframe src=\"https://x/?s=a&amp;embed=1\""),
            "{s}"
        );
        assert!(
            s.contains("title=\"Exactly-Once Playground: A &quot;quoted&quot; &lt;title>\""),
            "{s}"
        );
        assert!(s.contains("height=\"560\""));
        assert!(s.ends_with("</iframe>"));
    }
}
