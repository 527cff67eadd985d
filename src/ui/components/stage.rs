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
use crate::ui::facts::{self, token_label, Badge};
use crate::ui::keys::{self, TargetKey};
use crate::ui::layout::{
    badge_offset, fit_name, lane_segment, lane_shift, r1, token_place, Pt, StageBox, NODE_HH,
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
                <path class="n-icon" d={format!("M{},{} v-22 l16,6 l-16,6", x + 18.0, y + h - 12.0)} />
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

/// The stage box of one technique for its whole run (nothing moves while it plays):
/// room below the nodes for the tallest tables it will show.
fn stage_box(run: &RunData, i: usize) -> StageBox {
    use crate::sim::event::{CommitWhat, Ev};
    use std::collections::BTreeSet;
    let mut parts: BTreeSet<(u8, u8)> = BTreeSet::new();
    let (mut dedup, mut outbox, mut committed) = (false, false, false);
    if let Some(t) = run.techniques().get(i) {
        for e in &t.trace {
            match e.ev {
                Ev::LogAppend {
                    node, partition, ..
                } => {
                    parts.insert((node.0, partition));
                }
                Ev::DedupPut { .. } | Ev::DedupRow { .. } => dedup = true,
                Ev::Outbox { .. } => outbox = true,
                Ev::Commit { what, .. } if what != CommitWhat::DbTxn => committed = true,
                _ => {}
            }
        }
    }
    let most_parts = parts
        .iter()
        .map(|(b, _)| parts.iter().filter(|(c, _)| c == b).count())
        .max()
        .unwrap_or(0);
    let hints: Vec<(u8, u8)> = run
        .techniques()
        .get(i)
        .map(|t| t.nodes.iter().map(|n| (n.x, n.y)).collect())
        .unwrap_or_default();
    if StageBox::fit(&hints, 0.0).stagger > 0.0 {
        // Crowded rows show one line per kind of state (see `compact_panel`).
        let lines = most_parts + usize::from(committed) + usize::from(dedup) + usize::from(outbox);
        return StageBox::fit(&hints, NODE_HH + 40.0 + 16.0 * lines as f64);
    }
    let below = NODE_HH
        + 40.0
        + 52.0 * most_parts as f64
        + if committed { 18.0 } else { 0.0 }
        + if dedup { 30.0 + 17.0 * 4.0 } else { 0.0 }
        + if outbox { 30.0 + 17.0 * 5.0 } else { 0.0 };
    StageBox::fit(&hints, below)
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
    let b = {
        let run = props.run.clone();
        let i = props.index;
        *use_memo((run.gen, i), move |_| stage_box(&run, i))
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
    let Some(tr) = techs.get(props.index) else {
        return html! {};
    };
    // Borrowed, not cloned: this runs every animation frame.
    let no_view = View::default();
    let view = props.views.get(props.index).unwrap_or(&no_view);
    let nodes = &tr.nodes;
    let hints: Vec<(u8, u8)> = nodes.iter().map(|n| (n.x, n.y)).collect();
    let placed = b.place(&hints);
    let point = |id: NodeId| {
        nodes
            .iter()
            .position(|n| n.id == id)
            .and_then(|i| placed.get(i).copied())
            .unwrap_or(Pt::new(b.w / 2.0, b.h / 2.0))
    };
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

    // Links.
    let link_lines = links.iter().map(|(a, c)| {
        let (pa, pc) = (point(*a), point(*c));
        html! { <line class="link" x1={r1(pa.x)} y1={r1(pa.y)} x2={r1(pc.x)} y2={r1(pc.y)} /> }
    });

    // Nodes.
    let node_gs = nodes
        .iter()
        .map(|n| node_view(n, view, point(n.id), b.node_hw, props, &menu));

    // Per-node state panels (logs, dedup tables, committed offsets, outbox).
    let panels = nodes
        .iter()
        .map(|n| panel_view(n, view, point(n.id), b.panel_w, b.stagger > 0.0));

    // Tokens.
    let unit = props.run.unit();
    let tokens = view.flights.values().map(|f| {
        let from = point(f.from);
        let to = point(f.to);
        let shift = lane_shift(f.from.0, f.to.0, f.copy_of.is_some());
        let (a, c) = lane_segment(from, to, shift, b.node_hw);
        let place = token_place(a, c, f.sent, f.arrive, props.now, f.lost);
        token_view(
            f,
            unit,
            place.at,
            place.opacity,
            place.falling,
            &menu,
            &props.dispatch,
        )
    });

    // Badges for this tick.
    let events = props.run.events_at(props.index, tick);
    let all_badges = facts::badges_in(events, view, &tr.ledger, unit);
    let badge_gs = nodes.iter().map(|n| {
        let mine: Vec<&Badge> = all_badges.iter().filter(|x| x.node == n.id).collect();
        let p = point(n.id);
        let shown = mine.len().min(4);
        let more = mine.len() - shown;
        html! {
            <g class="badges" transform={format!("translate({},{})", r1(p.x), r1(p.y))}>
                { for mine.iter().take(shown).enumerate().map(|(i, x)| {
                    let w = 16.0 + 7.7 * (x.text.chars().count() as f64 + 2.0);
                    html! {
                        <g class={classes!("badge", x.tone.class())} transform={format!("translate({},{})", r1(-w / 2.0), r1(badge_offset(i)))}>
                            <rect width={r1(w)} height="21" rx="10.5" />
                            <text x="9" y="15">{format!("{} {}", x.tone.glyph(), x.text)}</text>
                        </g>
                    }
                }) }
                if more > 0 {
                    <text class="badge-more" x="0" y={r1(badge_offset(shown) + 14.0)} text-anchor="middle">{format!("+{more} more")}</text>
                }
            </g>
        }
    });

    let overlay = match &*menu {
        None => html! {},
        Some(m) => menu_view(m, &b, unit, tick, &props.dispatch, &menu, close.clone()),
    };

    let flights_n = view.flights.len();
    let desc = format!(
        "{} at tick {tick}: {} process{}, {flights_n} message{} in flight",
        tr.label,
        nodes.len(),
        if nodes.len() == 1 { "" } else { "es" },
        if flights_n == 1 { "" } else { "s" }
    );

    html! {
        <div class="stage-wrap" style={format!("--stage-w: {}; width: min(100%, calc(var(--stage-vh, 40vh) * {} / {}))", b.w, b.w, b.h)}>
            <svg class="stage-svg" viewBox={b.view_box()} role="group" aria-label={desc}
                style={format!("aspect-ratio: {} / {}", b.w, b.h)}
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
                <g class="badge-layer">{ for badge_gs }</g>
            </svg>
            {overlay}
            { dedup_chart(&tr.dedup_sizes, props.now, props.run.end) }
            <p class="stage-hint muted">{"Click or tap a message in flight or a process to break it — or Tab to it: D drop, C duplicate, X crash, G pause."}</p>
        </div>
    }
}

fn node_view(
    n: &NodeInfo,
    view: &View,
    p: Pt,
    hw: f64,
    props: &StageProps,
    menu: &UseStateHandle<Option<Menu>>,
) -> Html {
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
    let status_text = match nv.status {
        NodeStatus::Up => String::new(),
        NodeStatus::Down => "crashed".to_string(),
        NodeStatus::Paused { until } => format!("paused until t{until}"),
    };
    let mut extra: Vec<String> = Vec::new();
    if let Some(e) = nv.epoch {
        extra.push(format!("epoch {e}"));
    }
    if nv.fenced > 0 {
        extra.push(format!("fenced ×{}", nv.fenced));
    }
    if n.kind == NodeKind::General {
        extra.push(format!("knows depth {}", nv.knowledge));
        if let Some(d) = nv.decision {
            extra.push(if d {
                "→ attack".into()
            } else {
                "→ hold".into()
            });
        }
    }
    // The accessible name starts with the visible text, in the order it is drawn.
    let mut said = vec![n.name.clone()];
    if fit_name(&n.name, 2.0 * hw - 14.0).0.len() == 1 {
        said.push(kind_label(n.kind).to_string());
    }
    if !status_text.is_empty() {
        said.push(status_text.clone());
    }
    if !extra.is_empty() {
        said.push(extra.join(" · "));
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
            { name_text(&n.name, n.kind, hw) }
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
            if !status_text.is_empty() {
                <text class={classes!("n-status", status_cls)} x="0" y={r1(NODE_HH + 17.0)} text-anchor="middle">{" "}{status_text.clone()}</text>
            }
            if !extra.is_empty() {
                <text class="n-extra" x="0" y={r1(NODE_HH + if status_text.is_empty() { 17.0 } else { 34.0 })} text-anchor="middle">{" "}{extra.join(" · ")}</text>
            }
        </g>
    }
}

/// The dedup table's size over time, drawn up to the playhead: how window × rate
/// turns into storage.
fn dedup_chart(sizes: &[(Tick, u32)], now: f64, end: Tick) -> Html {
    if sizes.is_empty() || end == 0 {
        return html! {};
    }
    const W: f64 = 860.0;
    const H: f64 = 54.0;
    const X0: f64 = 150.0;
    const X1: f64 = 840.0;
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
        <svg class="dedup-chart" viewBox={format!("0 0 {W} {H}")} role="img"
            aria-label={format!("Dedup table size: {current} ids now, at most {max} in this run")}>
            <text class="dc-label" x="8" y="22">{"dedup table size"}</text>
            <text class="dc-now" x="8" y="42">{format!("{current} ids now · max {max}")}</text>
            <line class="dc-axis" x1={r1(X0)} y1={r1(H - 8.0)} x2={r1(X1)} y2={r1(H - 8.0)} />
            <path class="dc-line" d={d} />
            <line class="dc-head" x1={r1(x(now))} y1="4" x2={r1(x(now))} y2={r1(H - 4.0)} />
        </svg>
    }
}

/// The name (fitted to the box) and the kind caption of a node.
fn name_text(name: &str, kind: NodeKind, hw: f64) -> Html {
    let (lines, size) = fit_name(name, 2.0 * hw - 14.0);
    let db = if kind == NodeKind::Database { 6.0 } else { 0.0 };
    let two = lines.len() > 1;
    let first_y = if two { -8.0 } else { -2.0 } + db;
    html! {
        <>
            <text class="n-name" x="0" y={r1(first_y)} text-anchor="middle" style={format!("font-size: {size:.1}px")}>
                { for lines.iter().enumerate().map(|(i, l)| html! {
                    <tspan x="0" dy={if i == 0 { "0".to_string() } else { r1(size + 1.0) }}>{if i == 0 { "" } else { " " }}{l.clone()}</tspan>
                }) }
            </text>
            if !two {
                <text class="n-kind" x="0" y={r1(16.0 + db)} text-anchor="middle">{" "}{kind_label(kind)}</text>
            }
        </>
    }
}

/// One line per kind of state, for crowded rows where full tables would overlap.
fn compact_panel(n: &NodeInfo, view: &View, p: Pt, mut y: f64) -> Html {
    const LAST: usize = 6;
    let mut lines: Vec<(String, &'static str)> = Vec::new();
    for ((broker, part), recs) in view.logs.iter() {
        if *broker == n.id {
            let skip = recs.len().saturating_sub(LAST);
            let cells: Vec<String> = recs
                .iter()
                .skip(skip)
                .map(|r| {
                    let mark = match r.state {
                        RecState::Plain | RecState::Committed => "",
                        RecState::Open => "…",
                        RecState::Aborted => "✕",
                    };
                    format!("t{}{mark}", r.msg)
                })
                .collect();
            lines.push((
                format!(
                    "p{part}: {}{}",
                    if skip > 0 { "… " } else { "" },
                    cells.join(" ")
                ),
                "p-row",
            ));
        }
    }
    if let Some(off) = view.committed.get(&n.id) {
        lines.push((format!("committed: {off}"), "p-line"));
    }
    let ids: Vec<(u32, Option<Tick>)> = view
        .dedup
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), e)| (*k, *e))
        .collect();
    if !ids.is_empty() {
        let skip = ids.len().saturating_sub(LAST);
        let shown: Vec<String> = ids
            .iter()
            .skip(skip)
            .map(|(k, e)| {
                if e.is_some_and(|t| t <= view.tick + 3) {
                    format!("{k}⌛")
                } else {
                    k.to_string()
                }
            })
            .collect();
        lines.push((
            format!(
                "seen: {}{}",
                if skip > 0 { "… " } else { "" },
                shown.join(" ")
            ),
            "p-row",
        ));
    }
    if n.kind == NodeKind::Database && !view.outbox.is_empty() {
        let sent = view.outbox.values().filter(|p| **p).count();
        lines.push((
            format!("outbox: {} waiting, {sent} sent", view.outbox.len() - sent),
            "p-row",
        ));
    }
    let keys: Vec<_> = view
        .keys
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .collect();
    if !keys.is_empty() {
        let busy = keys
            .iter()
            .filter(|(_, (_, s, _))| *s == crate::sim::event::KeyState::InFlight)
            .count();
        lines.push((
            format!("keys: {} stored, {busy} in flight", keys.len() - busy),
            "p-row",
        ));
    }
    if lines.is_empty() {
        return html! {};
    }
    html! {
        <g class="panel compact" transform={format!("translate({},{})", r1(p.x), r1(p.y))}>
            { for lines.into_iter().map(|(t, cls)| {
                let yy = y;
                y += 16.0;
                html! { <text class={cls} x="0" y={r1(yy)} text-anchor="middle">{t}</text> }
            }) }
        </g>
    }
}

/// What a node keeps: broker partition logs, its dedup table, committed offsets, outbox rows.
fn panel_view(n: &NodeInfo, view: &View, p: Pt, panel_w: f64, compact: bool) -> Html {
    let mut y = NODE_HH + 24.0;
    let nv = view.node(n.id);
    if !matches!(nv.status, NodeStatus::Up) {
        y += 17.0;
    }
    if nv.epoch.is_some() || nv.fenced > 0 || n.kind == NodeKind::General {
        y += 17.0;
    }
    if compact {
        return compact_panel(n, view, p, y);
    }
    let mut parts: Vec<Html> = Vec::new();

    // Partition logs.
    for ((broker, part), recs) in view.logs.iter() {
        if *broker != n.id {
            continue;
        }
        const CELLS: usize = 7;
        const CW: f64 = 40.0;
        let skip = recs.len().saturating_sub(CELLS);
        let x0 = -(CELLS as f64 * CW) / 2.0;
        let committed = view.committed.get(&n.id).copied();
        parts.push(html! {
            <g class="log" transform={format!("translate(0,{})", r1(y))}>
                <text class="p-title" x={r1(x0)} y="-4">
                    {format!("partition {part}")}
                    if skip > 0 { {format!(" (+{skip} earlier)")} }
                </text>
                { for recs.iter().skip(skip).enumerate().map(|(i, r)| {
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
                    let x = x0 + i as f64 * CW;
                    let is_committed_pos = committed == Some(r.offset);
                    html! {
                        <g class={cls} transform={format!("translate({},0)", r1(x))}>
                            <title>{format!("offset {} · {} · {}", r.offset, txn_name(r.msg), match r.state {
                                RecState::Plain => "plain record", RecState::Open => "transaction open",
                                RecState::Committed => "transaction committed", RecState::Aborted => "transaction aborted" })}</title>
                            <rect width={r1(CW - 3.0)} height="30" rx="3" />
                            if r.state == RecState::Aborted { <rect class="hatch" width={r1(CW - 3.0)} height="30" rx="3" /> }
                            <text class="rec-off" x="3" y="10">{r.offset}</text>
                            <text class="rec-mark" x={r1(CW - 6.0)} y="10" text-anchor="end">{mark}</text>
                            <text class="rec-msg" x={r1((CW - 3.0) / 2.0)} y="25" text-anchor="middle">{format!("t{}", r.msg)}</text>
                            if is_committed_pos {
                                <path class="commit-mark" d="M0,34 l6,8 h-12 z" transform="translate(4,0)" />
                            }
                        </g>
                    }
                }) }
            </g>
        });
        y += 52.0;
    }
    if let Some(off) = view.committed.get(&n.id) {
        let what = if n.kind == NodeKind::Relay {
            "relay progress"
        } else {
            "committed offset"
        };
        parts.push(html! {
            <text class="p-line" x="0" y={r1(y)} text-anchor="middle">{format!("{what}: {off}")}</text>
        });
        y += 18.0;
    }

    // Dedup table.
    let entries: Vec<(u32, Option<Tick>)> = view
        .dedup
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), e)| (*k, *e))
        .collect();
    if !entries.is_empty() {
        const ROWS: usize = 4;
        let skip = entries.len().saturating_sub(ROWS);
        parts.push(html! {
            <g class="dedup" transform={format!("translate(0,{})", r1(y))}>
                <rect class="p-box" x={r1(-panel_w / 2.0)} y="-14" width={r1(panel_w)} height={r1(22.0 + 17.0 * entries.len().min(ROWS) as f64)} rx="5" />
                <text class="p-title" x={r1(-panel_w / 2.0 + 7.0)} y="2">{format!("dedup table · {}", entries.len())}</text>
                { for entries.iter().skip(skip).enumerate().map(|(i, (k, exp))| {
                    let txt = match exp {
                        Some(t) => format!("id {k} · exp t{t}"),
                        None => format!("id {k} · kept"),
                    };
                    let soon = exp.is_some_and(|t| t <= view.tick + 3);
                    html! {
                        <text class={classes!("p-row", soon.then_some("soon"))} x={r1(-panel_w / 2.0 + 7.0)} y={r1(19.0 + 17.0 * i as f64)}>
                            {txt}{if soon { " ⌛" } else { "" }}
                        </text>
                    }
                }) }
            </g>
        });
        y += 30.0 + 17.0 * entries.len().min(ROWS) as f64;
    }

    // Outbox rows are shown at the database (the node that writes them).
    if n.kind == NodeKind::Database && !view.outbox.is_empty() {
        const ROWS: usize = 5;
        let rows: Vec<(u32, bool)> = view.outbox.iter().map(|(m, p)| (*m, *p)).collect();
        let skip = rows.len().saturating_sub(ROWS);
        parts.push(html! {
            <g class="outbox" transform={format!("translate(0,{})", r1(y))}>
                <rect class="p-box" x={r1(-panel_w / 2.0)} y="-14" width={r1(panel_w)} height={r1(22.0 + 17.0 * rows.len().min(ROWS) as f64)} rx="5" />
                <text class="p-title" x={r1(-panel_w / 2.0 + 7.0)} y="2">{format!("outbox · {}", rows.len())}</text>
                { for rows.iter().skip(skip).enumerate().map(|(i, (m, published))| html! {
                    <text class="p-row" x={r1(-panel_w / 2.0 + 7.0)} y={r1(19.0 + 17.0 * i as f64)}>
                        {format!("{} · {}", txn_name(*m), if *published { "✓ sent" } else { "waiting" })}
                    </text>
                }) }
            </g>
        });
    }

    // Idempotency-key table: key, status, stored response.
    let keys: Vec<String> = view
        .keys
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), (m, state, _))| match state {
            crate::sim::event::KeyState::InFlight => format!("key {k} · in flight"),
            _ => format!("key {k} · 200 ({})", txn_name(*m)),
        })
        .collect();
    if !keys.is_empty() {
        const ROWS: usize = 4;
        let skip = keys.len().saturating_sub(ROWS);
        parts.push(html! {
            <g class="dedup keys" transform={format!("translate(0,{})", r1(y))}>
                <title>{"Idempotency keys: each key's status and the response stored for retries"}</title>
                <rect class="p-box" x={r1(-panel_w / 2.0)} y="-14" width={r1(panel_w)} height={r1(22.0 + 17.0 * keys.len().min(ROWS) as f64)} rx="5" />
                <text class="p-title" x={r1(-panel_w / 2.0 + 7.0)} y="2">{format!("idempotency keys · {}", keys.len())}</text>
                { for keys.iter().skip(skip).enumerate().map(|(i, row)| html! {
                    <text class="p-row" x={r1(-panel_w / 2.0 + 7.0)} y={r1(19.0 + 17.0 * i as f64)}>{row.clone()}</text>
                }) }
            </g>
        });
    }

    if parts.is_empty() {
        return html! {};
    }
    html! {
        <g class="panel" transform={format!("translate({},{})", r1(p.x), r1(p.y))}>{ for parts }</g>
    }
}

fn token_view(
    f: &Flight,
    unit: crate::sim::ledger::LedgerUnit,
    at: Pt,
    opacity: f64,
    falling: bool,
    menu: &UseStateHandle<Option<Menu>>,
    dispatch: &Callback<Action>,
) -> Html {
    let label = token_label(&f.p, unit);
    let retry = f.p.attempt > 0 && f.p.kind != MsgKind::Messenger;
    let text = if retry {
        format!("{label} ↻{}", f.p.attempt)
    } else {
        label.clone()
    };
    let text = if f.lost && falling {
        format!("✕ {text}")
    } else {
        text
    };
    let w = 18.0 + 8.4 * text.chars().count() as f64;
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
            <rect x={r1(-w / 2.0)} y="-12" width={r1(w)} height="24" rx="12" />
            <text x="0" y="5" text-anchor="middle">{text}</text>
            if let Some(orig) = f.copy_of {
                <g class="copy-tag" transform="translate(0,-21)">
                    <rect x="-38" y="-9" width="76" height="15" rx="3" />
                    <text x="0" y="2.5" text-anchor="middle">{format!("copy of #{}", orig.0)}</text>
                </g>
            }
            if f.p.key.is_none() {
                <text class="nokey-tag" x="0" y="24" text-anchor="middle">{"no key"}</text>
            } else if let Some(h) = f.p.headers.map(|h| h.describe()).filter(|d| !d.is_empty()) {
                <text class="headers-tag" x="0" y="24" text-anchor="middle">{h}</text>
            }
        </g>
    }
}

fn fault_for_token(f: &Flight, drop: bool) -> Fault {
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
    b: &StageBox,
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
                flight.copy_of.map(|orig| {
                    format!(
                        "A network copy of #{}: dropping it drops the transmission it copies.",
                        orig.0
                    )
                })
            };
            (
                *at,
                html! {
                    <>
                        <p class="menu-title">{what}<span class="muted">{format!(" · #{}", flight.net.0)}</span></p>
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
fn focus_first(selector: &str) {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el {
        // SVG elements have `focus()` too (HTMLOrSVGElement); the binding just calls it.
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}
