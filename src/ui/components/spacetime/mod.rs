//! The space-time (sequence) diagram: one horizontal lane per process, time to the
//! right, every transmission an arrow from its send to its arrival. Only the past is
//! drawn — the diagram grows as the playhead moves. A lost transmission stops halfway
//! in a ✕; a network copy is dotted and tagged; crashes and GC pauses mark the lane.

use crate::sim::fault::Fault;
use crate::sim::ledger::LedgerUnit;
use crate::sim::narrate::payload_label;
use crate::sim::replay::Flight;
use crate::ui::components::stage::{fault_for_token, focus_first, use_frame_width};
use crate::ui::keys::{self, TargetKey};
use crate::ui::layout::{
    r1, st_layout, st_menu_style, st_name_y, st_scene, st_span_x, time_x, ArrowDraw, Pt, Rect,
    StArrowIn, StLayout, StScene, TimeWindow, ST_TOP,
};
use crate::ui::state::{Action, RunData};
use diagram::{build, Arrow, Diagram, Mark, MarkKind, Span};
use std::rc::Rc;
use yew::prelude::*;

pub mod diagram;

#[derive(Properties, PartialEq)]
pub struct SpacetimeProps {
    pub run: Rc<RunData>,
    pub index: usize,
    pub now: f64,
    pub dispatch: Callback<Action>,
}

const TOP: f64 = ST_TOP;

/// The fault menu open on an arrow: the transmission and where to anchor the menu.
#[derive(Clone, Debug, PartialEq)]
struct StMenu {
    flight: Flight,
    at: Pt,
}

#[component]
pub fn Spacetime(props: &SpacetimeProps) -> Html {
    let menu = use_state(|| None::<StMenu>);
    use_effect_with(menu.is_some(), |open| {
        if *open {
            focus_first(".fault-menu button:not([disabled])");
        }
    });
    let diagram = {
        let run = props.run.clone();
        let i = props.index;
        use_memo((run.gen, i), move |_| build(&run, i))
    };
    let wrap = use_node_ref();
    let frame_w = use_frame_width(&wrap, (props.run.gen, props.index));
    let lay = {
        let diagram = diagram.clone();
        use_memo((props.run.gen, props.index, frame_w as i64), move |_| {
            st_layout(frame_w, &diagram.lanes)
        })
    };
    let now = props.now.clamp(0.0, f64::from(props.run.end));
    let inp = {
        let diagram = diagram.clone();
        use_memo((props.run.gen, props.index), move |_| {
            diagram::inputs(&diagram)
        })
    };
    let (arrows_in, marks_in) = &*inp;
    let sc = st_scene(&lay, arrows_in, marks_in, now, props.run.end);
    let arrows = arrow_views(
        &sc,
        &diagram,
        arrows_in,
        &menu,
        &props.dispatch,
        props.run.unit(),
    );
    let marks: Vec<Html> = sc
        .marks
        .iter()
        .map(|(k, c, label)| mark_view(*k, &diagram.marks[*k], *c, *label))
        .collect();
    let overlay = match &*menu {
        None => html! {},
        Some(m) => fault_menu(m, &menu, &props.dispatch, props.run.unit(), lay.w, sc.h),
    };
    html! {
        <div class="spacetime-wrap" ref={wrap}>
            { frame(&lay, &sc, &diagram, now, arrows, marks, overlay) }
            <p class="stage-hint muted">{"Lanes are processes; time runs right. ✕ = lost, dotted = network copy, shaded = not happened yet. Click, tap or Tab to an arrow in flight to drop or duplicate it."}</p>
        </div>
    }
}

/// Every arrow `st_scene` placed, in its drawing order.
fn arrow_views(
    sc: &StScene,
    diagram: &Diagram,
    arrows_in: &[StArrowIn],
    menu: &UseStateHandle<Option<StMenu>>,
    dispatch: &Callback<Action>,
    unit: LedgerUnit,
) -> Vec<Html> {
    let selected = menu.as_ref().map(|m| m.flight.net.0);
    sc.arrows
        .iter()
        .map(|(k, d, label)| {
            let a = &diagram.arrows[*k];
            let label = label.map(|r| (r, arrows_in[*k].text.clone()));
            let what = a
                .flight
                .map(|f| payload_label(&f.p, unit))
                .unwrap_or_default();
            let open = open_menu(menu, dispatch, a.flight, d.to);
            arrow_view(a, d, label, what, selected == Some(a.net), open, dispatch)
        })
        .collect()
}

/// The diagram's frame: the svg (background, grid, lanes, spans, arrows, marks,
/// playhead) and the fault menu over it. (The workbench draws its replay with it too.)
pub(crate) fn frame(
    lay: &StLayout,
    sc: &StScene,
    diagram: &Diagram,
    now: f64,
    arrows: Vec<Html>,
    marks: Vec<Html>,
    overlay: Html,
) -> Html {
    let (w_box, h, px) = (lay.w, sc.h, sc.px);
    let n = diagram.lanes.len().max(1);
    let sent = diagram
        .arrows
        .iter()
        .filter(|a| f64::from(a.sent) <= now)
        .count();
    let lane = |i: usize| sc.lanes.get(i).copied().unwrap_or(ST_TOP);
    let x = |t: f64| time_x(t, &sc.window, lay.x0, lay.x1);
    let grid = sc
        .grid
        .iter()
        .map(|&t| grid_line(t, x(f64::from(t)), h))
        .collect::<Html>();
    let lanes = diagram
        .lanes
        .iter()
        .enumerate()
        .map(|(i, name)| lane_view(lay, i, name, lane(i), px));
    let spans = diagram
        .spans
        .iter()
        .map(|s| span_view(s, now, &sc.window, lay, lane(s.lane)));
    html! {
        <div class="stage-frame" style={format!("width: min(100%, max({}px, calc(40vh * {} / {})))", r1(w_box), r1(w_box), r1(h))}>
            <svg class="spacetime-svg" viewBox={format!("0 0 {} {}", r1(w_box), r1(h))} role="group"
                style={format!("aspect-ratio: {} / {}", r1(w_box), r1(h))}
                aria-label={format!("Space-time diagram up to tick {}: {} lanes, {} transmissions so far",
                    now.floor(), n, sent)}>
                <defs>
                    <marker id="st-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="st-head" />
                    </marker>
                </defs>
                <rect class="st-future-bg" x={r1(px)} y={r1(TOP - 8.0)} width={r1((lay.x1 - px).max(0.0))} height={r1(h - TOP - 16.0)} />
                {grid}
                { for lanes }
                { for spans }
                // Keyed lists in fragments of their own (`{ for }` children are flattened into
                // the parent's unkeyed list, where their keys would be ignored).
                <>{ for arrows }</>
                <>{ for marks }</>
                <g class="st-playhead">
                    <line x1={r1(px)} y1={r1(TOP - 30.0)} x2={r1(px)} y2={r1(h - 20.0)} />
                    <text x={r1(sc.now_x)} y={r1(TOP - 36.0)} text-anchor="middle">{sc.now_text.clone()}</text>
                </g>
            </svg>
            {overlay}
        </div>
    }
}

/// One tick of the time grid at `x`.
fn grid_line(t: u32, x: f64, h: f64) -> Html {
    html! {
        <g class="st-grid">
            <line x1={r1(x)} y1={r1(TOP - 8.0)} x2={r1(x)} y2={r1(h - 24.0)} />
            <text x={r1(x)} y={r1(TOP - 14.0)} text-anchor="middle">{t}</text>
        </g>
    }
}

/// Lane `i`: its name (wrapped as `st_layout` placed it), its past and its future.
fn lane_view(lay: &StLayout, i: usize, name: &str, y: f64, px: f64) -> Html {
    let (lines, size, cut) = lay.names[i].clone();
    let first = st_name_y(y, size, lines.len());
    let x0 = lay.x0;
    html! {
        <g class="st-lane">
            <text class="st-name" data-label="lane" data-name={name.to_string()} x={r1(x0 - 10.0)} y={r1(first)} text-anchor="end"
                style={format!("font-size: {size:.1}px")}>
                if cut { <title>{name.to_string()}</title> }
                { for lines.iter().enumerate().map(|(k, l)| html! {
                    <tspan x={r1(x0 - 10.0)} dy={if k == 0 { "0".to_string() } else { r1(size + 2.0) }}>{if k == 0 { "" } else { " " }}{l.clone()}</tspan>
                }) }
            </text>
            <line x1={r1(x0)} y1={r1(y)} x2={r1(px)} y2={r1(y)} />
            <line class="st-future" x1={r1(px)} y1={r1(y)} x2={r1(lay.x1)} y2={r1(y)} />
        </g>
    }
}

/// A crash (down) or pause span on its lane, as far as it is drawn at `now`.
fn span_view(s: &Span, now: f64, w: &TimeWindow, lay: &StLayout, y: f64) -> Html {
    let Some((a, b)) = st_span_x(s.from, s.to, now, w, lay.x0, lay.x1) else {
        return html! {};
    };
    let cls = if s.down {
        "st-span down"
    } else {
        "st-span paused"
    };
    html! {
        <g class={cls}>
            <rect x={r1(a)} y={r1(y - 7.0)} width={r1(b - a)} height="14" rx="3" />
        </g>
    }
}

/// Open the fault menu on `flight` (anchored at `at`), pausing the run.
fn open_menu(
    menu: &UseStateHandle<Option<StMenu>>,
    dispatch: &Callback<Action>,
    flight: Option<Flight>,
    at: Pt,
) -> Callback<()> {
    let (menu, dispatch) = (menu.clone(), dispatch.clone());
    Callback::from(move |()| {
        if let Some(flight) = flight {
            dispatch.emit(Action::Pause);
            menu.set(Some(StMenu { flight, at }));
        }
    })
}

/// One transmission's arrow as `st_scene` placed it (with its label, if it got a
/// place); an arrow in flight is a button named by `what` it carries: click or Enter
/// opens the fault menu (`open`), D drops it, C duplicates it. An arrow with no
/// transmission behind it (the workbench's replay) is never a button.
pub(crate) fn arrow_view(
    a: &Arrow,
    d: &ArrowDraw,
    label: Option<(Rect, String)>,
    what: String,
    selected: bool,
    open: Callback<()>,
    dispatch: &Callback<Action>,
) -> Html {
    let flying = !d.complete;
    let cls = classes!(
        "st-arrow",
        a.back.then_some("back"),
        a.messenger.then_some("messenger"),
        a.lost.then_some("lost"),
        a.copy_of.is_some().then_some("copy"),
        flying.then_some("flying"),
        selected.then_some("selected")
    );
    let marker = if d.complete && !a.lost {
        "url(#st-head)"
    } else {
        ""
    };
    let (interactive, aria) = if flying && a.flight.is_some() {
        (
            true,
            format!(
                "{what} in flight{} — Enter: fault menu, D: drop, C: duplicate",
                if a.lost { ", lost" } else { "" }
            ),
        )
    } else {
        (false, String::new())
    };
    let onclick = open.reform(|_: MouseEvent| ());
    let onkeydown = arrow_keys(a.flight, open, dispatch);
    html! {
        <g key={a.net} class={cls} data-st-net={a.net.to_string()}
            tabindex={interactive.then_some("0")} role={interactive.then_some("button")}
            aria-label={interactive.then_some(aria)} aria-haspopup={interactive.then_some("dialog")}
            onclick={interactive.then_some(onclick)} onkeydown={interactive.then_some(onkeydown)}>
            if interactive {
                <line class="st-hit" x1={r1(d.from.x)} y1={r1(d.from.y)} x2={r1(d.to.x)} y2={r1(d.to.y)} />
                <circle class="st-hit" cx={r1(d.to.x)} cy={r1(d.to.y)} r="14" />
            }
            <line x1={r1(d.from.x)} y1={r1(d.from.y)} x2={r1(d.to.x)} y2={r1(d.to.y)} marker-end={marker} />
            if interactive {
                <circle class="st-tip" cx={r1(d.to.x)} cy={r1(d.to.y)} r="5" />
            }
            if a.lost && d.complete {
                <text class="st-x" x={r1(d.to.x)} y={r1(d.to.y + 5.0)} text-anchor="middle">{"✕"}</text>
            }
            if let Some((r, text)) = label {
                <text class="st-label" data-label="arrow" x={r1(r.x0)} y={r1(r.y1 - 3.0)}>{text}</text>
            }
        </g>
    }
}

/// The keys of an arrow in flight: Enter opens the fault menu (`open`), D drops the
/// transmission, C duplicates it (not one the network is already losing).
fn arrow_keys(
    flight: Option<Flight>,
    open: Callback<()>,
    dispatch: &Callback<Action>,
) -> Callback<KeyboardEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: KeyboardEvent| {
        let Some(flight) = flight else { return };
        let modified = e.ctrl_key() || e.meta_key() || e.alt_key();
        let fault = match keys::token_key(&e.key(), modified) {
            None => return,
            Some(TargetKey::Menu) => {
                e.prevent_default();
                open.emit(());
                return;
            }
            Some(TargetKey::Drop) if !flight.lost => fault_for_token(&flight, true),
            Some(TargetKey::Duplicate) if !flight.lost => fault_for_token(&flight, false),
            Some(_) => return,
        };
        e.prevent_default();
        dispatch.emit(Action::AddFault(fault));
    })
}

/// A mark's class and glyph.
fn mark_glyph(kind: MarkKind) -> (&'static str, &'static str) {
    match kind {
        MarkKind::Apply => ("apply", "●"),
        MarkKind::ApplyAgain => ("again", "✕"),
        MarkKind::Compensate => ("comp", "↺"),
        MarkKind::Skip => ("skip", "✓"),
        MarkKind::Commit => ("commit", "▮"),
        MarkKind::Crash => ("crash", "✕"),
        MarkKind::Timeout => ("timeout", "⌛"),
        MarkKind::Reject => ("reject", "⊘"),
        MarkKind::Decide => ("decide", "⚑"),
        MarkKind::Operator => ("operator", "⟲"),
    }
}

/// Mark `k` on its lane at centre `c`, with its label where `st_scene` placed it.
pub(crate) fn mark_view(k: usize, m: &Mark, c: Pt, label: Option<Rect>) -> Html {
    let (cx, cy) = (c.x, c.y);
    let (cls, glyph) = mark_glyph(m.kind);
    html! {
        <g key={k} class={classes!("st-mark", cls)}>
            <title>{format!("tick {}: {}", m.tick, m.label)}</title>
            <circle cx={r1(cx)} cy={r1(cy)} r="8" />
            <text class="st-glyph" x={r1(cx)} y={r1(cy + 4.0)} text-anchor="middle">{glyph}</text>
            if let Some(r) = label {
                <text class="st-mlabel" data-label="mark" x={r1(r.centre().x)} y={r1(r.y1 - 3.0)} text-anchor="middle">{m.label.clone()}</text>
            }
        </g>
    }
}

/// The fault menu open on an arrow, over a `w` × `h` diagram: drop, duplicate, cancel
/// (Escape too), focus back on the arrow when it closes.
fn fault_menu(
    m: &StMenu,
    menu: &UseStateHandle<Option<StMenu>>,
    dispatch: &Callback<Action>,
    unit: LedgerUnit,
    w: f64,
    h: f64,
) -> Html {
    let net = m.flight.net.0;
    let close = {
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            focus_first(&format!(".spacetime-svg [data-st-net=\"{net}\"]"));
        })
    };
    let act = |f: Fault| {
        let dispatch = dispatch.clone();
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            dispatch.emit(Action::AddFault(f));
        })
    };
    let onkeydown = {
        let menu = menu.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                menu.set(None);
                focus_first(&format!(".spacetime-svg [data-st-net=\"{net}\"]"));
            }
        })
    };
    let f = m.flight;
    let style = st_menu_style(m.at, w, h);
    html! {
        <div class="fault-menu" role="dialog" aria-label="Hand-made fault" {style} {onkeydown}>
            <p class="menu-title">{payload_label(&f.p, unit)}</p>
            if f.lost { <p class="menu-note">{"The network is already losing this one."}</p> }
            <button class="btn menu-btn bad" data-fault="drop" data-for-net={f.net.0.to_string()}
                disabled={f.lost} onclick={act(fault_for_token(&f, true))}>{"✕ Drop it"}</button>
            <button class="btn menu-btn" data-fault="duplicate" data-for-net={f.net.0.to_string()}
                disabled={f.lost} onclick={act(fault_for_token(&f, false))}>{"⊕ Duplicate it (copy 3 ticks later)"}</button>
            <button class="btn menu-btn ghost" data-fault="cancel" onclick={close}>{"Cancel"}</button>
        </div>
    }
}
