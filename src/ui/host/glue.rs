//! The browser side of the host-page API: `postMessage` to and from the framing page.

use super::*;
use crate::sim::ids::Tick;
use crate::ui::hooks::use_throttled;
use gloo::events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The window framing this one, if any (never outside a browser).
fn parent() -> Option<web_sys::Window> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let win = web_sys::window()?;
    let parent = win.parent().ok().flatten()?;
    (!js_sys::Object::is(&parent, &win)).then_some(parent)
}

/// Post `{source, version, type, …fields}` to the parent window (when framed).
pub fn post(ty: &str, fields: Value) {
    let Some(parent) = parent() else {
        return;
    };
    let text = envelope(ty, fields).to_string();
    if let Ok(v) = js_sys::JSON::parse(&text) {
        let _ = parent.post_message(&v, "*");
    }
}

/// Post Canvas's `{subject: "lti.frameResize", height}` to the parent (when framed), so
/// an LMS page that speaks only that convention sizes the frame too.
fn post_lti_resize(height: u32) {
    let Some(parent) = parent() else {
        return;
    };
    let text = json!({ "subject": "lti.frameResize", "height": height }).to_string();
    if let Ok(v) = js_sys::JSON::parse(&text) {
        let _ = parent.post_message(&v, "*");
    }
}

/// Post the content height (ours and Canvas's message) if it changed since `last`.
fn post_height(root: &web_sys::Element, last: &RefCell<Option<u32>>) {
    let h = content_height(root);
    if *last.borrow() != Some(h) {
        *last.borrow_mut() = Some(h);
        post("resize", json!({ "height": h }));
        post_lti_resize(h);
    }
}

/// Tell the host page a lesson question was answered (the lessons call this).
pub fn post_answer(
    lesson: &str,
    step: usize,
    question: usize,
    q: &Question,
    e: &QuestionEval,
    a: &Answer,
) {
    post("answer", answer_fields(lesson, step, question, q, e, a));
}

/// Post a `state` message from its fields' JSON text.
#[allow(clippy::ptr_arg)] // the signature of `use_throttled`'s writer for `String`
fn post_state(_: Option<&String>, text: &String) {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        post("state", v);
    }
}

/// The height of the page's content in CSS px (the app root's bottom edge).
fn content_height(root: &web_sys::Element) -> u32 {
    let r = root.get_bounding_client_rect();
    let scroll = web_sys::window()
        .and_then(|w| w.scroll_y().ok())
        .unwrap_or(0.0);
    (r.bottom() + scroll).ceil().max(0.0) as u32
}

/// A ResizeObserver on the app root; disconnected (and its closure freed) on drop.
struct Observer {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array, web_sys::ResizeObserver)>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

fn observe_height(last: Rc<RefCell<Option<u32>>>) -> Option<Observer> {
    let doc = web_sys::window()?.document()?;
    let root = doc.get_element_by_id("app-root")?;
    let target = root.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::ResizeObserver)>::new(
        move |_entries: js_sys::Array, _obs: web_sys::ResizeObserver| {
            crop_stage();
            post_height(&target, &last);
        },
    );
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&root);
    Some(Observer {
        observer,
        _callback: callback,
    })
}

/// Lay the page out for the frame's width now and post its height if it changed: off-
/// screen, a browser may run neither resize events nor resize observers in a frame, so
/// the stage would keep its old width (and the frame its old height) until scrolled to.
fn measure(height: Rc<RefCell<Option<u32>>>) {
    let Some(win) = web_sys::window() else {
        return;
    };
    // The stage measures its width on `resize` (use_frame_width); the re-render it
    // causes is scheduled before the task below.
    if let Ok(ev) = web_sys::Event::new("resize") {
        let _ = win.dispatch_event(&ev);
    }
    wasm_bindgen_futures::spawn_local(async move {
        let root = || {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("app-root"))
        };
        crop_stage();
        if let Some(r) = root() {
            post_height(&r, &height);
        }
        // Whatever a render after that one changes (the layout follows the new width).
        gloo::timers::future::TimeoutFuture::new(120).await;
        if let Some(r) = root() {
            post_height(&r, &height);
        }
    });
}

/// A compact embed's stage is cropped to what is drawn: the stage's layout leaves room
/// around its processes (for tokens, menus, other widths), which a slide cannot spare.
/// Done again whenever the stage lays itself out anew (its `viewBox` changes).
fn crop_stage() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let compact = doc
        .document_element()
        .and_then(|r| r.get_attribute("data-eop-layout"))
        .is_some_and(|v| v == "compact");
    let Some(svg) = compact
        .then(|| doc.query_selector("svg.stage-svg").ok().flatten())
        .flatten()
    else {
        return;
    };
    let laid = svg.get_attribute("viewBox").unwrap_or_default();
    if svg.get_attribute("data-cropped").as_deref() == Some(laid.as_str()) {
        return;
    }
    let mut b: Option<(f64, f64, f64, f64)> = None;
    for sel in ["g.links", "g.panels", "g.nodes", "g.badge-layer"] {
        let Some((x, y, w, h)) = svg
            .query_selector(sel)
            .ok()
            .flatten()
            .and_then(|g| bbox(&g))
        else {
            continue;
        };
        if w > 0.0 && h > 0.0 {
            b = Some(match b {
                None => (x, y, x + w, y + h),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x + w), y1.max(y + h)),
            });
        }
    }
    let Some((x0, y0, x1, y1)) = b else {
        return;
    };
    const PAD: f64 = 10.0;
    let (w, h) = (x1 - x0 + 2.0 * PAD, y1 - y0 + 2.0 * PAD);
    let vb = format!("{:.1} {:.1} {w:.1} {h:.1}", x0 - PAD, y0 - PAD);
    let _ = svg.set_attribute("viewBox", &vb);
    let _ = svg.set_attribute("data-cropped", &vb);
    let _ = svg.set_attribute("style", &format!("aspect-ratio: {w:.1} / {h:.1}"));
}

/// `el.getBBox()` as (x, y, width, height), for an SVG element.
fn bbox(el: &web_sys::Element) -> Option<(f64, f64, f64, f64)> {
    let f = js_sys::Reflect::get(el, &wasm_bindgen::JsValue::from_str("getBBox"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let r = f.call0(el).ok()?;
    let n = |k: &str| {
        js_sys::Reflect::get(&r, &wasm_bindgen::JsValue::from_str(k))
            .ok()?
            .as_f64()
    };
    Some((n("x")?, n("y")?, n("width")?, n("height")?))
}

/// What the message listener needs to know about the state on screen.
#[derive(Default)]
struct Now {
    embed: bool,
    range: (Tick, Tick),
    end: Tick,
    /// The notices on screen (a `load` dismisses them: they were about what it replaces).
    notices: Vec<u32>,
    /// The last height posted (shared with the resize observer).
    height: Rc<RefCell<Option<u32>>>,
}

/// Handle one `message` event: only from the parent window.
fn on_message(e: &web_sys::MessageEvent, now: &RefCell<Now>, dispatch: &Callback<Action>) {
    let Some(parent) = parent() else {
        return;
    };
    let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
    if !from_parent {
        return;
    }
    let text = js_sys::JSON::stringify(&e.data())
        .ok()
        .and_then(|s| s.as_string());
    match parse_text(text.as_deref()) {
        Incoming::Ignore => {}
        Incoming::Refuse(message) => post("error", json!({ "message": message })),
        Incoming::Do(cmd) => {
            // Copied out: a dispatch may render at once, and the render writes `now`.
            let (embed, range, end, notices, height) = {
                let n = now.borrow();
                (n.embed, n.range, n.end, n.notices.clone(), n.height.clone())
            };
            match cmd {
                Command::Load {
                    mut share,
                    warnings,
                } => {
                    // The frame stays what it is (an embed stays an embed).
                    share.embed = embed;
                    for w in &warnings {
                        post("warning", json!({ "message": w, "command": "load" }));
                    }
                    if let Some(st) = crate::ui::share::fingerprint::check(&share, None) {
                        post(
                            "warning",
                            json!({ "message": st.text, "command": "load", "stale": true }),
                        );
                    }
                    for id in notices {
                        dispatch.emit(Action::Dismiss(id));
                    }
                    dispatch.emit(Action::Load { share, warnings });
                }
                Command::Play => dispatch.emit(Action::Play),
                Command::Pause => dispatch.emit(Action::Pause),
                Command::Seek(t) => {
                    if let Some(w) = seek_warning(t, range, end) {
                        post("warning", json!({ "message": w, "command": "seek" }));
                    }
                    dispatch.emit(Action::Seek(t));
                }
                Command::Measure => measure(height),
            }
        }
    }
}

/// The host-page API for the `App`: posts `ready`, `resize` and `state` to the
/// parent window and carries out its commands through `dispatch`. Does nothing
/// when the page is not framed.
#[hook]
pub fn use_host_api(state: &State, dispatch: &Callback<Action>) {
    let framed = *use_memo((), |_| parent().is_some());

    let now = use_mut_ref(Now::default);
    let last_height = now.borrow().height.clone();
    *now.borrow_mut() = Now {
        embed: state.embed,
        range: state.range(),
        end: state.run.end,
        notices: state.notices.iter().map(|n| n.id).collect(),
        height: last_height.clone(),
    };

    // The page says when its link's run is not the one its author saw, and how it was
    // asked to lay itself out (`embed=compact`, or `embed=1` in a low frame: app.css).
    {
        let stale = state.stale.is_some();
        use_effect_with(stale, move |&stale| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = if stale {
                    el.set_attribute("data-stale-link", "")
                } else {
                    el.remove_attribute("data-stale-link")
                };
            }
        });
        // A lesson is never laid out compactly by itself: the compact layout folds the
        // step panel away, and a lesson in a slide-sized frame needs it most.
        let lesson = state.lesson.is_some();
        use_effect_with((framed, lesson), move |&(framed, lesson)| {
            let win = web_sys::window();
            let mode = win
                .as_ref()
                .and_then(|w| w.location().search().ok())
                .map(|q| crate::ui::share::embed_mode(&q));
            // A plain `embed=1` iframe lower than COMPACT_BELOW: the host gave a slide's height.
            // Read only then: `innerHeight` lays out the page.
            let low = || {
                win.as_ref()
                    .and_then(|w| w.inner_height().ok())
                    .and_then(|h| h.as_f64())
                    .is_some_and(|h| h > 0.0 && h < f64::from(crate::ui::share::COMPACT_BELOW))
            };
            let compact = match mode {
                Some(crate::ui::share::EmbedMode::Compact) => true,
                Some(crate::ui::share::EmbedMode::Auto) => framed && !lesson && low(),
                _ => false,
            };
            if let Some(el) = win
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = if compact {
                    el.set_attribute("data-eop-layout", "compact")
                } else {
                    el.remove_attribute("data-eop-layout")
                };
            }
        });
    }

    // A compact embed's stage, cropped after every render (cheap when nothing changed).
    use_effect(crop_stage);

    // Ready, and the commands.
    {
        let (now, dispatch) = (now.clone(), dispatch.clone());
        use_effect_with(framed, move |&framed| {
            let listener = framed.then(|| {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.document_element())
                {
                    // Lets the CSS drop the full-viewport minimum height (app.css).
                    let _ = el.set_attribute("data-eop-framed", "");
                }
                post("ready", json!({}));
                web_sys::window().map(|w| {
                    EventListener::new(&w, "message", move |e| {
                        if let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() {
                            on_message(e, &now, &dispatch);
                        }
                    })
                })
            });
            move || drop(listener)
        });
    }

    // The content height (the root is rebuilt when embed mode changes).
    {
        use_effect_with((framed, state.embed), move |&(framed, _)| {
            let observer = if framed {
                observe_height(last_height)
            } else {
                None
            };
            move || drop(observer)
        });
    }

    // Where the learner is in a lesson, on every step change and at the finish.
    {
        let text = if framed {
            lesson_fields(state)
                .map(|v| v.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        use_effect_with(text, move |text| {
            if !text.is_empty() {
                if let Ok(v) = serde_json::from_str::<Value>(text) {
                    post("lesson", v);
                }
            }
        });
    }

    // The state, throttled while playing; at once when paused or moved by hand.
    let text = framed.then(|| state_fields(state).to_string());
    use_throttled(text, !state.playing, STATE_EVERY_MS, post_state);
}
