//! Processes on the stage: the shape of each kind, its fitted name, status lines, the
//! crashed and paused marks, and the badges of what happened at this tick.

use super::{Ctl, Menu};
use crate::sim::fault::Fault;
use crate::sim::replay::{NodeStatus, NodeView};
use crate::sim::run::{NodeInfo, NodeKind};
use crate::ui::keys::{self, TargetKey};
use crate::ui::layout::{r1, BadgeSpot, Rect, StageLayout, NODE_HH};
use yew::prelude::*;

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

pub(crate) fn kind_class(k: NodeKind) -> &'static str {
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

/// Node shape centred on (0, 0), `hw` wide on each side.
pub(crate) fn shape(kind: NodeKind, hw: f64) -> Html {
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

pub(super) fn badge_view(b: &BadgeSpot) -> Html {
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

/// Process `i` (`n`, in state `nv`) with its status `lines` (text, class, box): a
/// button that opens the fault menu, X / G crash or pause it from the keyboard.
pub(super) fn node_view(
    n: &NodeInfo,
    i: usize,
    nv: &NodeView,
    lay: &StageLayout,
    lines: &[(String, &'static str, Rect)],
    ctl: &Ctl,
) -> Html {
    let p = lay.centres[i];
    let hw = lay.hw;
    let status_cls = match nv.status {
        NodeStatus::Up => "up",
        NodeStatus::Down => "down",
        NodeStatus::Paused { .. } => "paused",
    };
    let menu = Menu::Node {
        id: n.id,
        name: n.name.clone(),
        at: p,
    };
    let onclick = {
        let (ctl, menu) = (ctl.clone(), menu.clone());
        Callback::from(move |_: MouseEvent| ctl.open(menu.clone()))
    };
    let onkeydown = {
        let ctl = ctl.clone();
        let (id, at) = (n.id, ctl.tick);
        Callback::from(move |e: KeyboardEvent| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key();
            let fault = match keys::node_key(&e.key(), modified) {
                None => return,
                Some(TargetKey::Menu) => {
                    e.prevent_default();
                    return ctl.open(menu.clone());
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
            ctl.fault(fault);
        })
    };
    let (name_lines, name_size) = &lay.names[i];
    // The accessible name starts with the visible text, in the order it is drawn.
    let mut said = vec![n.name.as_str()];
    if name_lines.len() == 1 {
        said.push(kind_label(n.kind));
    }
    said.extend(lines.iter().map(|(t, ..)| t.as_str()));
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
            { name_text(&n.name, name_lines, *name_size, n.kind) }
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
