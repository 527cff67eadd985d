//! The stage: processes as labelled shapes, links, messages in flight as tokens that
//! glide along the links (a lost one falls away, a network copy is tagged), broker
//! logs, dedup tables, committed offsets and outbox rows, crashed and paused
//! processes, and badges for what happened at this tick.
//!
//! Hand-made faults: a token or a node is a button; it opens a small menu (Drop /
//! Duplicate for a message, Crash / GC pause for a process) that adds the fault and
//! re-runs the same seed. From the keyboard, D / C on a focused message and X / G on a
//! focused process add the same faults directly (see `ui::keys`).

use crate::sim::event::MsgKind;
use crate::sim::fault::Fault;
use crate::sim::ids::{txn_name, NodeId, Tick};
use crate::sim::narrate::payload_label;
use crate::sim::replay::{Flight, NodeStatus, RecState, View};
use crate::sim::run::{NodeInfo, NodeKind};
use crate::ui::facts;
use crate::ui::keys::{self, TargetKey};
use crate::ui::layout::{
    needs, r1, scene, BadgeSpot, Panel, PanelPart, Pt, Rect, Scene, StageLayout, TokenSpot, CELL_W,
    NODE_HH, WIDE,
};
use crate::ui::state::{Action, RunData};
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
}

/// The fault menu open on the stage.
#[derive(Clone, Debug, PartialEq)]
enum Menu {
    Token { flight: Flight, at: Pt },
    Node { id: NodeId, name: String, at: Pt },
}

pub fn kind_label(k: NodeKind) -> &'static str {
    match k {
        NodeKind::General => "general",
        NodeKind::Producer => "producer",
        NodeKind::Client => "client",
        NodeKind::Broker => "broker",
        NodeKind::Consumer => "consumer",
        NodeKind::Database => "database",
        NodeKind::Relay => "relay (CDC)",
        NodeKind::ApiServer => "API server",
        NodeKind::Stage => "pipeline stage",
        NodeKind::Viewer => "viewer",
        NodeKind::Sensor => "sensor",
        NodeKind::Collector => "collector",
    }
}

fn kind_class(k: NodeKind) -> &'static str {
    match k {
        NodeKind::General => "k-general",
        NodeKind::Producer | NodeKind::Client | NodeKind::Sensor => "k-source",
        NodeKind::Broker => "k-broker",
        NodeKind::Consumer | NodeKind::Stage | NodeKind::Relay | NodeKind::Collector => "k-worker",
        NodeKind::Database => "k-db",
        NodeKind::ApiServer => "k-api",
        NodeKind::Viewer => "k-viewer",
    }
}

fn token_class(k: MsgKind) -> &'static str {
    match k {
        MsgKind::Ack | MsgKind::Response => "t-back",
        MsgKind::Messenger => "t-messenger",
        _ => "t-fwd",
    }
}

/// Node shape centred on (0, 0), `hw` wide on each side.
fn shape(kind: NodeKind, hw: f64) -> Html {
    let (w, h) = (hw * 2.0, NODE_HH * 2.0);
    let (x, y) = (-hw, -NODE_HH);
    match kind {
        NodeKind::Database => {
            let ry = 9.0;
            let d = format!(
                "M{x},{top} a{hw},{ry} 0 0,0 {w},0 v{hh} a{hw},{ry} 0 0,1 -{w},0 z",
                top = y + ry,
                hh = h - 2.0 * ry
            );
            html! {
                <>
                    <path class="n-body" d={d} />
                    <ellipse class="n-rim" cx="0" cy={r1(y + ry)} rx={r1(hw)} ry={r1(ry)} />
                </>
            }
        }
        NodeKind::General => html! {
            <>
                <rect class="n-body" x={r1(x)} y={r1(y)} width={r1(w)} height={r1(h)} rx="30" />
                <path class="n-icon" d={format!("M{},{} v-22 l14,6 l-14,6", x + 12.0, y + h - 12.0)} />
            </>
        },
        NodeKind::Broker => html! {
            <>
                <rect class="n-body" x={r1(x)} y={r1(y)} width={r1(w)} height={r1(h)} rx="6" />
                <path class="n-icon" d={format!("M{a},{b} h14 M{a},{c} h14 M{a},{d} h14", a = x + 10.0, b = y + 18.0, c = y + 30.0, d = y + 42.0)} />
            </>
        },
        NodeKind::Viewer => html! {
            <>
                <rect class="n-body" x={r1(x)} y={r1(y)} width={r1(w)} height={r1(h - 8.0)} rx="4" />
                <path class="n-rim" d={format!("M-16,{b} h32", b = y + h - 2.0)} />
            </>
        },
        NodeKind::Producer | NodeKind::Client | NodeKind::Sensor => html! {
            <path class="n-body" d={format!("M{x},{y} h{a} l18,{hh} l-18,{hh} h-{a} z", a = w - 18.0, hh = NODE_HH)} />
        },
        _ => html! {
            <rect class="n-body" x={r1(x)} y={r1(y)} width={r1(w)} height={r1(h)} rx="12" />
        },
    }
}

/// The width (CSS px) the stage has to fill: the wrap's own width once mounted, a guess
/// from the window before.
pub(crate) fn frame_width(wrap: &NodeRef) -> f64 {
    if let Some(el) = wrap.cast::<web_sys::Element>() {
        let w = f64::from(el.client_width());
        if w > 0.0 {
            return w;
        }
    }
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .map(|w| (w - 40.0).max(280.0))
        .unwrap_or(WIDE)
}

/// A state that follows the width of `wrap` (measured after every render that changes
/// `deps`, and on every window resize; the listener is dropped with the component).
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
            measure();
            let listener = web_sys::window()
                .map(|win| gloo::events::EventListener::new(&win, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    *width
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let menu = use_state(|| None::<Menu>);
    // An opened menu takes the focus (keyboard users land on its first choice).
    use_effect_with(menu.is_some(), |open| {
        if *open {
            focus_first(".fault-menu button:not([disabled])");
        }
    });
    // Hooks first, before any early return (their order must never change).
    let wrap = use_node_ref();
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
    let techs = props.run.techniques();
    let (Some(tr), Some(lay)) = (techs.get(props.index), lay.as_ref()) else {
        return html! { <div class="stage-wrap" ref={wrap}></div> };
    };
    // Borrowed, not cloned: this runs every animation frame.
    let no_view = View::default();
    let view = props.views.get(props.index).unwrap_or(&no_view);
    let nodes = &tr.nodes;
    let index = |id: NodeId| nodes.iter().position(|n| n.id == id);
    let tick = (props.now.max(0.0).floor() as Tick).min(props.run.end);

    // A menu about a transmission that is gone (delivered, re-run) closes itself.
    if let Some(Menu::Token { flight, .. }) = &*menu {
        if !view.flights.contains_key(&flight.net) {
            let menu = menu.clone();
            menu.set(None);
        }
    }

    let close = {
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| menu.set(None))
    };

    // Everything placed for this frame: fixed boxes, then messages, then badges.
    let events = props.run.events_at(props.index, tick);
    let unit = props.run.unit();
    let all_badges = facts::badges_in(events, view, &tr.ledger, unit);
    let sc: Scene = scene(lay, nodes, view, &all_badges, props.now, unit);

    // Links.
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

    // Nodes (with their status lines).
    let node_gs = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| node_view(n, i, view, lay, &sc, props, &menu));

    // Per-node state panels (logs, dedup tables, committed offsets, outbox).
    let panels = sc.panels.iter().map(|(_, p)| panel_view(p, view));

    // Tokens.
    let tokens = sc
        .tokens
        .iter()
        .map(|t| token_view(t, lay.token_font, unit, &menu, &props.dispatch));

    // Badges for this tick.
    let badge_gs = sc.badges.iter().map(badge_view);
    let more = sc.more.iter().map(|(_, n, r)| {
        html! {
            <text class="badge-more" data-label="more" x={r1(r.centre().x)} y={r1(r.y1 - 6.0)} text-anchor="middle">{format!("+{n} more")}</text>
        }
    });

    let overlay = match &*menu {
        None => html! {},
        Some(m) => menu_view(m, lay, unit, tick, &props.dispatch, &menu, close.clone()),
    };

    let flights_n = view.flights.len();
    let desc = format!(
        "{} at tick {tick}: {} process{}, {flights_n} message{} in flight",
        tr.label,
        nodes.len(),
        if nodes.len() == 1 { "" } else { "es" },
        if flights_n == 1 { "" } else { "s" }
    );

    // One viewBox unit is at least one CSS pixel: the frame is never narrower than the
    // layout's width (which is the measured width below `WIDE`).
    let frame_style = format!(
        "width: min(100%, max({}px, calc(var(--stage-vh, 40vh) * {} / {})))",
        r1(lay.w),
        r1(lay.w),
        r1(lay.h)
    );
    html! {
        <div class={classes!("stage-wrap", lay.portrait.then_some("portrait"))} ref={wrap}>
            <div class="stage-frame" style={frame_style}>
                <svg class="stage-svg" viewBox={lay.view_box()} role="group" aria-label={desc}
                    data-orientation={if lay.portrait { "portrait" } else { "landscape" }}
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
                    <g class="tokens">{ for tokens }</g>
                    <g class="badge-layer">{ for badge_gs }{ for more }</g>
                </svg>
                {overlay}
            </div>
            { dedup_chart(&tr.dedup_sizes, props.now, props.run.end, lay.w) }
            <p class="stage-hint muted">{"Click or tap a message in flight or a process to break it — or Tab to it: D drop, C duplicate, X crash, G pause."}</p>
        </div>
    }
}

fn badge_view(b: &BadgeSpot) -> Html {
    html! {
        <g class={classes!("badge", b.tone.class())} data-label="badge"
            transform={format!("translate({},{})", r1(b.rect.x0), r1(b.rect.y0))}>
            if b.text.len() != b.full.len() + b.tone.glyph().len() + 1 {
                <title>{b.full.clone()}</title>
            }
            <rect width={r1(b.rect.w())} height={r1(b.rect.h())} rx="10.5" />
            <text x="9" y="15">{b.text.clone()}</text>
        </g>
    }
}

fn node_view(
    n: &NodeInfo,
    i: usize,
    view: &View,
    lay: &StageLayout,
    sc: &Scene,
    props: &StageProps,
    menu: &UseStateHandle<Option<Menu>>,
) -> Html {
    let p = lay.centres[i];
    let hw = lay.hw;
    let nv = view.node(n.id);
    let status_cls = match nv.status {
        NodeStatus::Up => "up",
        NodeStatus::Down => "down",
        NodeStatus::Paused { .. } => "paused",
    };
    let open = {
        let menu = menu.clone();
        let dispatch = props.dispatch.clone();
        let (id, name) = (n.id, n.name.clone());
        move || {
            dispatch.emit(Action::Pause);
            menu.set(Some(Menu::Node {
                id,
                name: name.clone(),
                at: p,
            }));
        }
    };
    let onclick = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open())
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let id = n.id;
        let at = (props.now.max(0.0).floor() as Tick).min(props.run.end);
        Callback::from(move |e: KeyboardEvent| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key();
            let fault = match keys::node_key(&e.key(), modified) {
                None => return,
                Some(TargetKey::Menu) => {
                    e.prevent_default();
                    return open();
                }
                Some(TargetKey::Crash) => Fault::Crash {
                    node: id,
                    at,
                    down: 10,
                },
                Some(TargetKey::Pause) => Fault::Pause {
                    node: id,
                    at,
                    ticks: 20,
                },
                Some(_) => return,
            };
            e.prevent_default();
            dispatch.emit(Action::AddFault(fault));
        })
    };
    let (name_lines, name_size) = lay.names[i].clone();
    let lines: Vec<(String, &'static str, Rect)> = sc
        .status
        .iter()
        .filter(|(j, ..)| *j == i)
        .map(|(_, t, c, r)| (t.clone(), *c, *r))
        .collect();
    // The accessible name starts with the visible text, in the order it is drawn.
    let mut said = vec![n.name.clone()];
    if name_lines.len() == 1 {
        said.push(kind_label(n.kind).to_string());
    }
    for (t, ..) in &lines {
        said.push(t.clone());
    }
    let label = format!("{} — Enter: fault menu, X: crash, G: pause", said.join(" "));
    html! {
        <g class={classes!("node", kind_class(n.kind), status_cls)}
            transform={format!("translate({},{})", r1(p.x), r1(p.y))}
            data-node={n.id.0.to_string()}
            tabindex="0" role="button" aria-label={label} aria-haspopup="dialog"
            {onclick} {onkeydown}>
            <rect class="hit" x={r1(-hw)} y={r1(-NODE_HH)} width={r1(2.0 * hw)} height={r1(2.0 * NODE_HH)} />
            {shape(n.kind, hw)}
            <rect class="n-box" data-label="node" x={r1(-hw)} y={r1(-NODE_HH)} width={r1(2.0 * hw)} height={r1(2.0 * NODE_HH)} />
            { name_text(&n.name, &name_lines, name_size, n.kind) }
            if matches!(nv.status, NodeStatus::Down) {
                <g class="down-mark" aria-hidden="true">
                    <line x1={r1(-hw + 8.0)} y1={r1(-NODE_HH + 6.0)} x2={r1(hw - 8.0)} y2={r1(NODE_HH - 6.0)} />
                    <line x1={r1(hw - 8.0)} y1={r1(-NODE_HH + 6.0)} x2={r1(-hw + 8.0)} y2={r1(NODE_HH - 6.0)} />
                </g>
            }
            if let NodeStatus::Paused { .. } = nv.status {
                <g class="pause-mark" aria-hidden="true" transform={format!("translate({},{})", r1(hw - 4.0), r1(-NODE_HH + 4.0))}>
                    <circle r="13" />
                    <path d="M-6,-8 h12 l-12,16 h12 z" />
                </g>
            }
            { for lines.iter().map(|(t, c, r)| {
                let cls = classes!(*c, (*c == "n-status").then_some(status_cls));
                html! {
                    <text class={cls} data-label="status" x={r1(r.centre().x - p.x)} y={r1(r.y1 - 3.0 - p.y)} text-anchor="middle">{" "}{t.clone()}</text>
                }
            }) }
        </g>
    }
}

/// The dedup table's size over time, drawn up to the playhead: how window × rate
/// turns into storage.
fn dedup_chart(sizes: &[(Tick, u32)], now: f64, end: Tick, width: f64) -> Html {
    if sizes.is_empty() || end == 0 {
        return html! {};
    }
    // As wide as the stage's layout, so its text draws at the same size.
    #[allow(non_snake_case)]
    let W: f64 = width.clamp(260.0, WIDE);
    const H: f64 = 54.0;
    const X0: f64 = 150.0;
    #[allow(non_snake_case)]
    let X1: f64 = W - 20.0;
    let max = sizes.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let x = |t: f64| X0 + t / f64::from(end) * (X1 - X0);
    let y = |n: u32| H - 8.0 - f64::from(n) / f64::from(max) * (H - 18.0);
    let mut d = format!("M{},{}", r1(X0), r1(y(0)));
    let mut current = 0;
    for (t, n) in sizes {
        if f64::from(*t) > now {
            break;
        }
        d.push_str(&format!(" H{} V{}", r1(x(f64::from(*t))), r1(y(*n))));
        current = *n;
    }
    d.push_str(&format!(" H{}", r1(x(now.min(f64::from(end))))));
    html! {
        <svg class="dedup-chart" viewBox={format!("0 0 {} {H}", r1(W))} role="img"
            style={format!("max-width: {}px; margin: 0 auto", r1(W.max(width)))}
            aria-label={format!("Dedup table size: {current} ids now, at most {max} in this run")}>
            <text class="dc-label" x="8" y="22">{"dedup table size"}</text>
            <text class="dc-now" x="8" y="42">{format!("{current} ids now · max {max}")}</text>
            <line class="dc-axis" x1={r1(X0)} y1={r1(H - 8.0)} x2={r1(X1)} y2={r1(H - 8.0)} />
            <path class="dc-line" d={d} />
            <line class="dc-head" x1={r1(x(now))} y1="4" x2={r1(x(now))} y2={r1(H - 4.0)} />
        </svg>
    }
}

/// The name (fitted to the box: `lines` at `size`) and the kind caption of a node.
fn name_text(name: &str, lines: &[String], size: f64, kind: NodeKind) -> Html {
    let db = if kind == NodeKind::Database { 6.0 } else { 0.0 };
    let n = lines.len().max(1) as f64;
    let one = lines.len() == 1;
    let first_y = if one {
        -2.0 + db
    } else {
        -(n - 1.0) / 2.0 * (size + 1.0) + size * 0.35 + db / 2.0
    };
    let cut = lines.join(" ") != name;
    html! {
        <>
            <text class="n-name" data-name={name.to_string()} x="0" y={r1(first_y)} text-anchor="middle" style={format!("font-size: {size:.1}px")}>
                if cut { <title>{name.to_string()}</title> }
                { for lines.iter().enumerate().map(|(i, l)| html! {
                    <tspan x="0" dy={if i == 0 { "0".to_string() } else { r1(size + 1.0) }}>{if i == 0 { "" } else { " " }}{l.clone()}</tspan>
                }) }
            </text>
            if one {
                <text class="n-kind" x="0" y={r1(16.0 + db)} text-anchor="middle">{" "}{kind_label(kind)}</text>
            }
        </>
    }
}

/// What a node keeps (placed by `layout::panel`): broker partition logs, committed
/// offsets, its dedup table, outbox rows — or one line of each on crowded stages.
fn panel_view(p: &Panel, view: &View) -> Html {
    let parts = p.parts.iter().map(|(y, part)| match part {
        PanelPart::Log {
            title,
            recs,
            committed,
        } => {
            let x0 = -(recs.len() as f64 * CELL_W) / 2.0;
            html! {
                <g class="log" transform={format!("translate(0,{})", r1(*y))}>
                    <text class="p-title" x="0" y="-4" text-anchor="middle">{title.clone()}</text>
                    { for recs.iter().enumerate().map(|(i, r)| {
                        let cls = match r.state {
                            RecState::Plain => "rec plain",
                            RecState::Open => "rec open",
                            RecState::Committed => "rec committed",
                            RecState::Aborted => "rec aborted",
                        };
                        let mark = match r.state {
                            RecState::Plain => "",
                            RecState::Open => "…",
                            RecState::Committed => "✓",
                            RecState::Aborted => "✕",
                        };
                        let x = x0 + i as f64 * CELL_W;
                        let is_committed_pos = *committed == Some(r.offset);
                        html! {
                            <g class={cls} transform={format!("translate({},0)", r1(x))}>
                                <title>{format!("offset {} · {} · {}", r.offset, txn_name(r.msg), match r.state {
                                    RecState::Plain => "plain record", RecState::Open => "transaction open",
                                    RecState::Committed => "transaction committed", RecState::Aborted => "transaction aborted" })}</title>
                                <rect width={r1(CELL_W - 3.0)} height="30" rx="3" />
                                if r.state == RecState::Aborted { <rect class="hatch" width={r1(CELL_W - 3.0)} height="30" rx="3" /> }
                                <text class="rec-off" x="3" y="10">{r.offset}</text>
                                <text class="rec-mark" x={r1(CELL_W - 6.0)} y="10" text-anchor="end">{mark}</text>
                                <text class="rec-msg" x={r1((CELL_W - 3.0) / 2.0)} y="25" text-anchor="middle">{format!("t{}", r.msg)}</text>
                                if is_committed_pos {
                                    <path class="commit-mark" d="M0,34 l6,8 h-12 z" transform="translate(4,0)" />
                                }
                            </g>
                        }
                    }) }
                </g>
            }
        }
        PanelPart::Line { text, class } => html! {
            <text class={*class} x="0" y={r1(*y)} text-anchor="middle">{text.clone()}</text>
        },
        PanelPart::Table { class, title, rows } => {
            let x = -p.w / 2.0;
            let _ = view;
            html! {
                <g class={*class} transform={format!("translate(0,{})", r1(*y))}>
                    <rect class="p-box" x={r1(x)} y="-14" width={r1(p.w)} height={r1(22.0 + 17.0 * rows.len() as f64)} rx="5" />
                    <text class="p-title" x={r1(x + 7.0)} y="2">{title.clone()}</text>
                    { for rows.iter().enumerate().map(|(i, (t, soon))| html! {
                        <text class={classes!("p-row", soon.then_some("soon"))} x={r1(x + 7.0)} y={r1(19.0 + 17.0 * i as f64)}>{t.clone()}</text>
                    }) }
                </g>
            }
        }
    });
    html! {
        <g class={classes!("panel", p.parts.iter().all(|(_, x)| matches!(x, PanelPart::Line { .. })).then_some("compact"))}
            data-label="panel" transform={format!("translate({},{})", r1(p.at.x), r1(p.at.y))}>{ for parts }</g>
    }
}

fn token_view(
    t: &TokenSpot,
    font: f64,
    unit: crate::sim::ledger::LedgerUnit,
    menu: &UseStateHandle<Option<Menu>>,
    dispatch: &Callback<Action>,
) -> Html {
    let f = &t.flight;
    let (at, opacity, falling, w) = (t.at, t.opacity, t.falling, t.w);
    let text = t.text.clone();
    let selected = matches!(&**menu, Some(Menu::Token { flight, .. }) if flight.net == f.net);
    let open = {
        let menu = menu.clone();
        let dispatch = dispatch.clone();
        let flight = *f;
        move || {
            dispatch.emit(Action::Pause);
            menu.set(Some(Menu::Token { flight, at }));
        }
    };
    let onclick = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open())
    };
    let onkeydown = {
        let dispatch = dispatch.clone();
        let flight = *f;
        Callback::from(move |e: KeyboardEvent| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key();
            let fault = match keys::token_key(&e.key(), modified) {
                None => return,
                Some(TargetKey::Menu) => {
                    e.prevent_default();
                    return open();
                }
                Some(TargetKey::Drop) if !flight.lost => fault_for_token(&flight, true),
                Some(TargetKey::Duplicate) if !flight.lost => fault_for_token(&flight, false),
                Some(_) => return,
            };
            e.prevent_default();
            dispatch.emit(Action::AddFault(fault));
        })
    };
    let aria = format!(
        "{}{}{} in flight{} — Enter: fault menu, D: drop, C: duplicate",
        payload_label(&f.p, unit),
        match f.copy_of {
            Some(_) => ", a network copy".to_string(),
            None => String::new(),
        },
        if f.lost && falling { ", lost" } else { "" },
        if f.p.key.is_none() {
            ", carries no key"
        } else {
            ""
        },
    );
    html! {
        <g key={f.net.0} class={classes!("token", token_class(f.p.kind), f.lost.then_some("lost"), falling.then_some("falling"),
                f.copy_of.is_some().then_some("copy"), selected.then_some("selected"), f.p.key.is_none().then_some("nokey"))}
            transform={format!("translate({},{})", r1(at.x), r1(at.y))}
            opacity={format!("{opacity:.2}")}
            data-net={f.net.0.to_string()} data-msg={f.p.msg.to_string()}
            tabindex="0" role="button" aria-label={aria} aria-haspopup="dialog"
            {onclick} {onkeydown}>
            <rect class="hit" x={r1(-w / 2.0 - 8.0)} y="-22" width={r1(w + 16.0)} height="44" rx="22" />
            if t.compact && text.is_empty() {
                <circle class="pill dot" data-label="token" r="6" />
            } else {
                <rect class="pill" data-label="token" x={r1(-w / 2.0)} y="-12" width={r1(w)} height="24" rx="12" />
                <text x="0" y="5" text-anchor="middle" style={format!("font-size: {font}px")}>{text}</text>
            }
            if t.compact {
            } else if f.copy_of.is_some() {
                <g class="copy-tag" data-label="tag" transform="translate(0,-21)">
                    <rect x="-38" y="-9" width="76" height="15" rx="3" />
                    <text x="0" y="2.5" text-anchor="middle">{"network copy"}</text>
                </g>
            }
            if t.compact {
            } else if f.p.key.is_none() {
                <text class="nokey-tag" data-label="tag" x="0" y="24" text-anchor="middle">{"no key"}</text>
            } else if let Some(h) = crate::ui::layout::token_headers(f) {
                <text class="headers-tag" data-label="tag" x="0" y="24" text-anchor="middle">{h}</text>
            }
        </g>
    }
}

pub(crate) fn fault_for_token(f: &Flight, drop: bool) -> Fault {
    if drop {
        Fault::Lose {
            hop: f.hop,
            msg: f.p.msg,
            attempt: f.p.attempt,
        }
    } else {
        Fault::Duplicate {
            hop: f.hop,
            msg: f.p.msg,
            attempt: f.p.attempt,
            extra: 3,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn menu_view(
    m: &Menu,
    b: &StageLayout,
    unit: crate::sim::ledger::LedgerUnit,
    tick: Tick,
    dispatch: &Callback<Action>,
    menu: &UseStateHandle<Option<Menu>>,
    close: Callback<MouseEvent>,
) -> Html {
    let act = |f: Fault| {
        let dispatch = dispatch.clone();
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            dispatch.emit(Action::AddFault(f));
        })
    };
    // Where the focus goes back to when the menu closes without a fault.
    let opener = match m {
        Menu::Token { flight, .. } => format!(".stage-svg [data-net=\"{}\"]", flight.net.0),
        Menu::Node { id, .. } => format!(".stage-svg g[data-node=\"{}\"]", id.0),
    };
    let onkeydown = {
        let menu = menu.clone();
        let opener = opener.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                menu.set(None);
                focus_first(&opener);
            }
        })
    };
    let close = Callback::from(move |e: MouseEvent| {
        close.emit(e);
        focus_first(&opener);
    });
    let (at, body) = match m {
        Menu::Token { flight, at } => {
            let what = payload_label(&flight.p, unit);
            let note = if flight.lost {
                Some("The network is already losing this one.".to_string())
            } else {
                flight.copy_of.map(|_| {
                    "A network copy: dropping it drops the transmission it copies.".to_string()
                })
            };
            (
                *at,
                html! {
                    <>
                        <p class="menu-title">{what}</p>
                        if let Some(n) = note { <p class="menu-note">{n}</p> }
                        <button class="btn menu-btn bad" data-fault="drop" data-for-net={flight.net.0.to_string()}
                            disabled={flight.lost} onclick={act(fault_for_token(flight, true))}>{"✕ Drop it"}</button>
                        <button class="btn menu-btn" data-fault="duplicate" data-for-net={flight.net.0.to_string()}
                            disabled={flight.lost} onclick={act(fault_for_token(flight, false))}>{"⊕ Duplicate it (copy 3 ticks later)"}</button>
                    </>
                },
            )
        }
        Menu::Node { id, name, at } => (
            *at,
            html! {
                <>
                    <p class="menu-title">{name.clone()}<span class="muted">{format!(" · at tick {tick}")}</span></p>
                    <button class="btn menu-btn bad" data-node={id.0.to_string()} data-fault="crash"
                        onclick={act(Fault::Crash { node: *id, at: tick, down: 10 })}>{"✕ Crash now (restarts after 10 ticks)"}</button>
                    <button class="btn menu-btn warn" data-node={id.0.to_string()} data-fault="pause"
                        onclick={act(Fault::Pause { node: *id, at: tick, ticks: 20 })}>{"⌛ GC pause now (20 ticks)"}</button>
                </>
            },
        ),
    };
    let (px, py) = b.percent(at);
    let flip = px > 70.0;
    let below = py < 45.0;
    let style = format!(
        "{}: {:.2}%; {}: {:.2}%",
        if flip { "right" } else { "left" },
        if flip { 100.0 - px } else { px },
        if below { "top" } else { "bottom" },
        if below { py + 4.0 } else { 100.0 - py + 4.0 }
    );
    html! {
        <div class="fault-menu" role="dialog" aria-label="Hand-made fault" {style} {onkeydown}>
            {body}
            <button class="btn menu-btn ghost" data-fault="cancel" onclick={close}>{"Cancel"}</button>
        </div>
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
