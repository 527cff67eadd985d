//! The stage: processes as labelled shapes, links, messages in flight as tokens that
//! glide along the links (a lost one falls away, a network copy is tagged), broker
//! logs, dedup tables, committed offsets and outbox rows, crashed and paused
//! processes, and badges for what happened at this tick.
//!
//! Hand-made faults: a token or a node is a button; it opens a small menu (Drop /
//! Duplicate for a message, Crash / GC pause for a process) that adds the fault and
//! re-runs the same seed. From the keyboard, D / C on a focused message and X / G on a
//! focused process add the same faults directly (see `ui::keys`).
//!
//! Every animation frame re-renders the stage, so the work per frame is kept small:
//! the layout places at most [`tokens::LABELLED_MAX`] messages and the rest are one
//! layer of dots; the links and processes are separate components that re-render only
//! when their inputs change (not while messages glide).

mod menu;
mod panels;
mod shapes;
mod tokens;

pub use shapes::kind_label;
pub(crate) use shapes::{kind_class, shape};
pub(crate) use tokens::fault_for_token;

use crate::sim::fault::Fault;
use crate::sim::ids::{NodeId, Tick};
use crate::sim::replay::View;
use crate::ui::facts;
use crate::ui::layout::{focus_band, needs, r1, scene, window_top, Scene, StageLayout, WIDE};
use crate::ui::state::{Action, RunData};
use menu::Menu;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub run: Rc<RunData>,
    pub views: Rc<Vec<View>>,
    pub index: usize,
    /// The playhead, fractional while playing.
    pub now: f64,
    pub dispatch: Callback<Action>,
    /// A lesson: a tall portrait stage is seen through a window (`.stage-window`, about
    /// half a phone screen) that follows what happens at the playhead, so the question,
    /// the stage and the evidence fit within about a screen. The learner can open the
    /// whole stage.
    #[prop_or_default]
    pub crop: bool,
}

/// A menu as opened: on which run and technique.
#[derive(Clone, Debug, PartialEq)]
struct Opened {
    gen: u64,
    index: usize,
    menu: Menu,
}

/// What the stage's buttons need: the dispatcher, the menu, where the playhead is.
#[derive(Clone)]
pub(super) struct Ctl {
    dispatch: Callback<Action>,
    menu: UseStateHandle<Option<Opened>>,
    gen: u64,
    index: usize,
    tick: Tick,
}

impl Ctl {
    /// Pause, and open the fault menu `m`.
    fn open(&self, menu: Menu) {
        self.dispatch.emit(Action::Pause);
        self.menu.set(Some(Opened {
            gen: self.gen,
            index: self.index,
            menu,
        }));
    }
    fn close(&self) {
        self.menu.set(None);
    }
    fn fault(&self, f: Fault) {
        self.dispatch.emit(Action::AddFault(f));
    }
}

/// The width (CSS px) the stage has to fill: the wrap's own width once mounted, a guess
/// from the window before (no layout is forced for it).
pub(crate) fn frame_width(wrap: &NodeRef) -> f64 {
    if let Some(el) = wrap.cast::<web_sys::Element>() {
        let w = f64::from(el.client_width());
        if w > 0.0 {
            return w;
        }
    }
    let Some(win) = web_sys::window() else {
        return WIDE;
    };
    // Embedded and presenter pages have one column (the root's classes are in the page
    // before the stage's first render).
    let one_column = win
        .document()
        .and_then(|d| d.get_element_by_id("app-root"))
        .is_some_and(|r| {
            r.class_name()
                .split(' ')
                .any(|c| c == "embed" || c == "presenter")
        });
    START_WIDTH
        .with(|w| w.take())
        .or_else(|| win.inner_width().ok().and_then(|v| v.as_f64()))
        .map_or(WIDE, |w| guess_width(w, one_column))
}

thread_local! {
    static START_WIDTH: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
    static START_HEIGHT: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Reads the window's size once, before the first render, for the stage's first guess
/// ([`frame_width`], [`window_cap`]). `innerWidth` and `innerHeight` lay the page out
/// first; read during the first render they lay out the app's whole new DOM in the
/// middle of that task (`innerHeight` was 40% of an embed's first render).
pub(crate) fn remember_viewport() {
    let win = web_sys::window();
    let read = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| v.ok()?.as_f64();
    START_WIDTH.with(|c| c.set(win.as_ref().and_then(|w| read(w.inner_width()))));
    START_HEIGHT.with(|c| c.set(win.as_ref().and_then(|w| read(w.inner_height()))));
}

/// The stage's width in a window `viewport` px wide, before it can be measured, from
/// the page's columns in `static/app.css`: scenarios | centre | side (216 | 1fr | 318)
/// above 1100 px, 200 | 1fr up to 700 px, one column on phones and in embedded and
/// presenter pages; the centre's padding and the stage's padding and border take 50 px
/// (38 px on phones). A right guess draws the first frame at its final size: a wrong
/// one is corrected after mount, and the stage's height jumps.
pub(crate) fn guess_width(viewport: f64, one_column: bool) -> f64 {
    let phone = viewport <= 700.0;
    let columns = if one_column || phone {
        0.0
    } else if viewport <= 1100.0 {
        200.0
    } else {
        216.0 + 318.0
    };
    let padding = if phone { 38.0 } else { 50.0 };
    (viewport - columns - padding).max(280.0)
}

/// A state that follows the width of `wrap`: measured once the browser has laid out the
/// render that changed `deps`, and on every window resize; the observer and the
/// listener are dropped with the component.
#[hook]
pub(crate) fn use_frame_width(wrap: &NodeRef, deps: (u64, usize)) -> f64 {
    let width = use_state(|| frame_width(wrap).round());
    {
        let wrap = wrap.clone();
        let width = width.clone();
        use_effect_with(deps, move |_| {
            let measure = {
                let width = width.clone();
                let wrap = wrap.clone();
                move || {
                    let w = frame_width(&wrap).round();
                    if (w - *width).abs() >= 1.0 {
                        width.set(w);
                    }
                }
            };
            // Not measured here, right after the render: that would lay out the app's
            // whole new DOM in this task (on a phone, half of the stage's start-up step).
            // A resize observer's first call comes after the browser's own layout,
            // before the paint, when reading the width costs nothing.
            let observer = wrap
                .cast::<web_sys::Element>()
                .and_then(|el| SizeObserver::new(&el, measure.clone()));
            if observer.is_none() {
                measure();
            }
            // The host page (host/glue.rs) dispatches `resize` to have the width measured
            // now, off-screen, where a browser may run no resize observer.
            let listener = web_sys::window()
                .map(|win| gloo::events::EventListener::new(&win, "resize", move |_| measure()));
            move || drop((listener, observer))
        });
    }
    *width
}

/// A ResizeObserver on one element, calling `f` once, after the first layout of it;
/// disconnected, and its closure freed, on drop.
struct SizeObserver {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array, web_sys::ResizeObserver)>,
}

impl SizeObserver {
    fn new(el: &web_sys::Element, mut f: impl FnMut() + 'static) -> Option<SizeObserver> {
        use wasm_bindgen::JsCast;
        let callback = wasm_bindgen::closure::Closure::<
            dyn FnMut(js_sys::Array, web_sys::ResizeObserver),
        >::new(move |_: js_sys::Array, this: web_sys::ResizeObserver| {
            // Once: later sizes come from `resize`, as before (re-measuring on every
            // change of the stage's own height could make its width oscillate).
            this.disconnect();
            f();
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(el);
        Some(SizeObserver {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for SizeObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let opened = use_state(|| None::<Opened>);
    // Hooks first, before any early return (their order must never change).
    let wrap = use_node_ref();
    // The window over a tall stage in a lesson: the band to show (from this render) and
    // whether the learner opened the whole stage.
    let window = use_node_ref();
    let band = use_mut_ref(|| None::<(f64, f64, f64)>);
    let whole = use_state(|| false);
    {
        let (window, band) = (window.clone(), band.clone());
        let at = props.now.max(0.0).floor() as u64;
        use_effect_with((props.run.gen, props.index, at, *whole), move |_| {
            follow(&window, *band.borrow());
        });
    }
    let frame_w = use_frame_width(&wrap, (props.run.gen, props.index));
    let lay = {
        let run = props.run.clone();
        let i = props.index;
        use_memo((run.gen, i, frame_w as i64), move |_| {
            run.techniques()
                .get(i)
                .map(|t| StageLayout::new(&t.nodes, &needs(t), frame_w))
        })
    };
    let links = {
        let run = props.run.clone();
        let i = props.index;
        use_memo((run.gen, i), move |_| {
            run.techniques()
                .get(i)
                .map(|t| facts::links(&t.trace))
                .unwrap_or_default()
        })
    };
    // Borrowed, not cloned: this runs every animation frame.
    let no_view = View::default();
    let view = props.views.get(props.index).unwrap_or(&no_view);
    // A crowd: the layout gets the first messages only (once per tick, not per frame).
    let labelled = {
        let views = props.views.clone();
        let i = props.index;
        use_memo((props.run.gen, i, view.cursor), move |_| {
            views.get(i).and_then(tokens::labelled_view)
        })
    };
    // The menu drawn: the one opened, while what it is about is still there. A menu
    // about a transmission that is gone (delivered, re-run) is not drawn, and closed.
    let menu = opened
        .as_ref()
        .filter(|o| o.gen == props.run.gen && o.index == props.index && o.menu.current(view))
        .map(|o| &o.menu);
    {
        let stale = opened.is_some() && menu.is_none();
        let opened = opened.clone();
        // An opened menu takes the focus (keyboard users land on its first choice).
        use_effect_with((menu.is_some(), stale), move |&(open, stale)| {
            if stale {
                opened.set(None);
            } else if open {
                focus_first(".fault-menu button:not([disabled])");
            }
        });
    }
    let techs = props.run.techniques();
    let (Some(tr), Some(lay)) = (techs.get(props.index), lay.as_ref()) else {
        return html! { <div class="stage-wrap" ref={wrap}></div> };
    };
    let nodes = &tr.nodes;
    let tick = (props.now.max(0.0).floor() as Tick).min(props.run.end);
    let ctl = Ctl {
        dispatch: props.dispatch.clone(),
        menu: opened.clone(),
        gen: props.run.gen,
        index: props.index,
        tick,
    };

    // Everything placed for this frame: fixed boxes, then messages, then badges.
    let events = props.run.events_at(props.index, tick);
    let unit = props.run.unit();
    let all_badges = facts::badges_in(events, view, &tr.ledger, unit);
    let placed_view = labelled.as_ref().as_ref().unwrap_or(view);
    let sc: Scene = scene(lay, nodes, placed_view, &all_badges, props.now, unit);
    let (placed, crowd) = tokens::split(lay, nodes, view, &sc, props.now);
    // Only a stage well taller than the window (in CSS px) is seen through it: a short
    // one (two processes) is shown whole.
    let cap = window_cap();
    let tall = lay.h * frame_w / lay.w.max(1.0) > 1.4 * cap;
    let windowed = props.crop && lay.portrait && tall && !*whole;
    *band.borrow_mut() = windowed
        .then(|| focus_band(&sc))
        .flatten()
        .map(|(a, b)| (a, b, lay.h));

    let index = |id: NodeId| nodes.iter().position(|n| n.id == id);
    let link_lines = links.iter().filter_map(|(a, c)| {
        let (ia, ic) = (index(*a)?, index(*c)?);
        let (pa, pc) = if lay.portrait {
            lay.lane(ia, ic, 0.0)
        } else {
            (lay.centres[ia], lay.centres[ic])
        };
        Some(
            html! { <line class="link" x1={r1(pa.x)} y1={r1(pa.y)} x2={r1(pc.x)} y2={r1(pc.y)} /> },
        )
    });
    let node_gs = nodes.iter().enumerate().map(|(i, n)| {
        let lines: Vec<_> = sc
            .status
            .iter()
            .filter(|(j, ..)| *j == i)
            .map(|(_, t, c, r)| (t.clone(), *c, *r))
            .collect();
        shapes::node_view(n, i, &view.node(n.id), lay, &lines, &ctl)
    });
    let panels = sc.panels.iter().map(|(_, p)| panels::panel_view(p));
    let selected = match menu {
        Some(Menu::Token { flight, .. }) => Some(flight.net),
        _ => None,
    };
    let token_gs = placed.iter().map(|&i| {
        let t = &sc.tokens[i];
        tokens::token_view(
            t,
            lay.token_font,
            unit,
            selected == Some(t.flight.net),
            &ctl,
        )
    });
    let badge_gs = sc.badges.iter().map(shapes::badge_view);
    let more = sc.more.iter().map(|(_, n, r)| {
        html! {
            <text class="badge-more" data-label="more" x={r1(r.centre().x)} y={r1(r.y1 - 6.0)} text-anchor="middle">{format!("+{n} more")}</text>
        }
    });
    let overlay = match menu {
        None => html! {},
        Some(m) => menu::menu_view(m, lay, unit, &ctl),
    };

    let flights_n = view.flights.len();
    let dots = crowd.len();
    let desc = format!(
        "{} at tick {tick}: {} process{}, {flights_n} message{} in flight{}",
        tr.label,
        nodes.len(),
        if nodes.len() == 1 { "" } else { "es" },
        if flights_n == 1 { "" } else { "s" },
        if dots > 0 {
            format!(", {dots} of them drawn as dots without labels")
        } else {
            String::new()
        }
    );

    // One viewBox unit is at least one CSS pixel: the frame is never narrower than the
    // layout's width (which is the measured width below `WIDE`).
    let frame_style = format!(
        "width: min(100%, max({}px, calc(var(--stage-vh, 40vh) * {} / {})))",
        r1(lay.w),
        r1(lay.w),
        r1(lay.h)
    );
    let frame = html! {
            <div class="stage-frame" style={frame_style}>
                <svg class="stage-svg" viewBox={lay.view_box()} role="group" aria-label={desc}
                    data-orientation={if lay.portrait { "portrait" } else { "landscape" }}
                    data-flights={flights_n.to_string()}
                    style={format!("aspect-ratio: {} / {}", r1(lay.w), r1(lay.h))}
                    preserveAspectRatio="xMidYMid meet">
                    <defs>
                        <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                        </pattern>
                    </defs>
                    <g class="links">{ for link_lines }</g>
                    <g class="panels">{ for panels }</g>
                    <g class="nodes">{ for node_gs }</g>
                    {crowd.view()}
                    <g class="tokens">{ for token_gs }</g>
                    <g class="badge-layer">{ for badge_gs }{ for more }</g>
                </svg>
                {overlay}
            </div>
    };
    let open_whole = {
        let whole = whole.clone();
        Callback::from(move |_: MouseEvent| whole.set(!*whole))
    };
    let frame = if props.crop && lay.portrait && tall {
        html! {
            <div class="stage-windowed">
                <div class={classes!("stage-window", windowed.then_some("cropped"))} ref={window}
                    style={windowed.then(|| format!("max-height: {}px", cap.round()))}
                    data-window={if windowed { "follows" } else { "whole" }}>
                    {frame}
                </div>
                <button class="btn small ghost stage-whole" data-action="stage-whole"
                    aria-pressed={(!windowed).to_string()} onclick={open_whole}
                    title="The stage is shown through a window that follows the messages; show all of it">
                    {if windowed { "Whole stage ↕" } else { "Follow the messages" }}
                </button>
            </div>
        }
    } else {
        frame
    };
    html! {
        <div class={classes!("stage-wrap", lay.portrait.then_some("portrait"))} ref={wrap}>
            {frame}
            { panels::dedup_chart(&tr.dedup_sizes, props.now, props.run.end, lay.w) }
            if dots > 0 {
                <p class="stage-crowd muted">{format!("{dots} more messages in flight are drawn as dots: too many to label.")}</p>
            }
            <p class="stage-hint muted">{"Click or tap a message in flight or a process to break it — or Tab to it: D drop, C duplicate, X crash, G pause."}</p>
        </div>
    }
}

/// The height (CSS px) of the window over a tall stage: a third of the screen's height,
/// between 220 and 400 px.
fn window_cap() -> f64 {
    START_HEIGHT
        .with(|h| h.take())
        .or_else(|| web_sys::window()?.inner_height().ok()?.as_f64())
        .map_or(220.0, |h| (h / 3.0).clamp(220.0, 400.0))
}

/// Scroll the stage's window (if it is one, and scrolls) to show `band` (viewBox y from,
/// to, and the drawing's height): see `layout::window_top`.
fn follow(window: &NodeRef, band: Option<(f64, f64, f64)>) {
    let (Some(el), Some((a, b, h))) = (window.cast::<web_sys::Element>(), band) else {
        return;
    };
    let view = f64::from(el.client_height());
    if f64::from(el.scroll_height()) <= view + 1.0 || h <= 0.0 {
        return;
    }
    // CSS px per viewBox unit.
    let scale = el
        .query_selector(".stage-svg")
        .ok()
        .flatten()
        .map(|svg| svg.get_bounding_client_rect().height() / h)
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0);
    let current = f64::from(el.scroll_top()) / scale;
    let top = window_top((a, b), h, view / scale, current);
    if ((top - current) * scale).abs() >= 1.0 {
        el.set_scroll_top((top * scale).round() as i32);
    }
}

/// Focus the first element matching `selector`, if any.
pub(crate) fn focus_first(selector: &str) {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el {
        // SVG elements have `focus()` too (HTMLOrSVGElement); the binding just calls it.
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

#[cfg(test)]
mod tests {
    use super::guess_width;

    /// The widths the stage measures at these windows (e2e: tests/e2e/startup.test.mjs).
    #[test]
    fn the_guess_matches_the_measured_stage_widths() {
        assert_eq!(guess_width(1280.0, false), 696.0);
        assert_eq!(guess_width(900.0, false), 650.0);
        assert_eq!(guess_width(375.0, false), 337.0);
        assert_eq!(guess_width(1280.0, true), 1230.0);
        assert_eq!(guess_width(200.0, false), 280.0);
    }
}
