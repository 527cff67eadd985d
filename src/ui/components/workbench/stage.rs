//! The counterexample replayed on the stage: the run's processes as the playground's
//! stage draws them (the same shapes and classes, `stage::shape`), the message handed
//! over at the playhead's step as a token on the wire between two of them, what that
//! step marks (an apply, a second apply, a crash, …) as badges, a crashed consumer
//! crossed out and a paused one marked, and what the stores hold after the step. It is
//! an adapter from the workbench's own replay ([`Replay::stage_at`]) to the stage's
//! drawing: the workbench model emits narrated beats, not engine events.

use crate::sim::run::NodeKind;
use crate::sim::workbench::{Actor, MarkKind, Replay, StageAt, Stores};
use crate::ui::components::stage::{kind_class, shape, use_frame_width};
use crate::ui::layout::{r1, NODE_HH};
use std::rc::Rc;
use yew::prelude::*;

/// How a process is drawn: the playground's node kind for its shape.
fn kind(a: Actor) -> NodeKind {
    match a {
        Actor::Producer => NodeKind::Producer,
        Actor::Broker | Actor::Downstream => NodeKind::Broker,
        Actor::Consumer | Actor::Zombie => NodeKind::Consumer,
        Actor::Cache | Actor::Database => NodeKind::Database,
        Actor::Gateway => NodeKind::ApiServer,
    }
}

/// The drawing's bands, top to bottom: tokens between two processes of the first row,
/// the processes (producer, broker, consumers), their badges, tokens between the rows,
/// the second row's badges, the second row (the stores and services), its tokens.
const BAND: f64 = 30.0;
const BADGE: f64 = 24.0;
/// Centre of the first row, of the tokens between rows, of the second row.
const ROW0: f64 = BAND + NODE_HH;
const CROSS: f64 = ROW0 + NODE_HH + BADGE + BAND / 2.0;
const ROW1: f64 = CROSS + BAND / 2.0 + BADGE + NODE_HH;

/// Where the processes go in a frame `w` wide: the producer, the broker and the
/// consumers in the first row; the database, the cache, the gateway and the downstream
/// topic in the second, right-aligned (the database under the consumer when it is
/// alone). Centres, the half-width of a box, and the drawing's height.
pub fn place(lanes: &[Actor], w: f64) -> (Vec<(Actor, f64, f64)>, f64, f64) {
    let first = |a: &&Actor| {
        matches!(
            a,
            Actor::Producer | Actor::Broker | Actor::Consumer | Actor::Zombie
        )
    };
    let top: Vec<Actor> = lanes.iter().filter(first).copied().collect();
    let bottom: Vec<Actor> = lanes.iter().filter(|a| !first(a)).copied().collect();
    let cols = top.len().max(bottom.len()).max(1);
    let col_w = w / cols as f64;
    let hw = (col_w * 0.34).clamp(28.0, 64.0);
    let x = |c: usize| col_w * (c as f64 + 0.5);
    let mut at: Vec<(Actor, f64, f64)> = top
        .iter()
        .enumerate()
        .map(|(c, a)| (*a, x(c), ROW0))
        .collect();
    let skip = cols - bottom.len();
    at.extend(
        bottom
            .iter()
            .enumerate()
            .map(|(c, a)| (*a, x(c + skip), ROW1)),
    );
    let h = if bottom.is_empty() {
        CROSS
    } else {
        ROW1 + NODE_HH + BAND
    };
    (at, hw, h)
}

/// The name's font size: as large as the stage's names allow, small enough that the
/// longest word fits the box.
fn name_px(word: &str, hw: f64) -> f64 {
    let longest = word.split(' ').map(str::len).max().unwrap_or(1) as f64;
    ((2.0 * hw - 8.0) / (longest * 0.62)).clamp(9.0, 14.0)
}

fn tone(k: MarkKind) -> &'static str {
    match k {
        MarkKind::Effect | MarkKind::Commit => "good",
        MarkKind::Again | MarkKind::Crash | MarkKind::Refused => "bad",
        MarkKind::Skip => "info",
        MarkKind::Reset | MarkKind::Fault => "warn",
    }
}

/// A process: the stage's shape, its name (on two lines if one is too wide), crossed
/// out when down, marked when paused.
fn node(a: Actor, x: f64, y: f64, hw: f64, st: &StageAt) -> Html {
    let down = st.down.contains(&a);
    let paused = st.paused.contains(&a);
    let status = if down {
        "down"
    } else if paused {
        "paused"
    } else {
        "up"
    };
    let word = a.word();
    // Clear of the broker's icon (three lines at its left edge).
    let nx = if kind(a) == NodeKind::Broker {
        10.0
    } else {
        0.0
    };
    let px = name_px(word, hw - nx);
    let lines: Vec<&str> = if word.len() as f64 * px * 0.62 > 2.0 * (hw - nx) - 8.0 {
        word.split(' ').collect()
    } else {
        vec![word]
    };
    let db = if kind(a) == NodeKind::Database {
        6.0
    } else {
        0.0
    };
    let y0 = db + px * 0.35 - (lines.len() as f64 - 1.0) * (px + 1.0) / 2.0;
    html! {
        <g class={classes!("node", "wb-node", kind_class(kind(a)), status)} data-actor={word}
            data-status={status} transform={format!("translate({},{})", r1(x), r1(y))}>
            {shape(kind(a), hw)}
            <text class="n-name" x={r1(nx)} y={r1(y0)} text-anchor="middle" style={format!("font-size: {px:.1}px")}>
                {for lines.iter().enumerate().map(|(i, l)| html! {
                    <tspan x={r1(nx)} dy={if i == 0 { "0".to_string() } else { r1(px + 1.0) }}>{*l}</tspan>
                })}
            </text>
            if down {
                <g class="down-mark" aria-hidden="true">
                    <line x1={r1(-hw + 8.0)} y1={r1(-NODE_HH + 6.0)} x2={r1(hw - 8.0)} y2={r1(NODE_HH - 6.0)} />
                    <line x1={r1(hw - 8.0)} y1={r1(-NODE_HH + 6.0)} x2={r1(-hw + 8.0)} y2={r1(NODE_HH - 6.0)} />
                </g>
            }
            if paused {
                <g class="pause-mark" aria-hidden="true" transform={format!("translate({},{})", r1(hw - 4.0), r1(-NODE_HH + 4.0))}>
                    <circle r="13" />
                    <path d="M-6,-8 h12 l-12,16 h12 z" />
                </g>
            }
        </g>
    }
}

/// The step's marks as badges above their process, stacked upward, kept in the frame.
fn badges(st: &StageAt, pos: &dyn Fn(Actor) -> Option<(f64, f64)>, w: f64) -> Html {
    let mut used: Vec<(Actor, usize)> = Vec::new();
    st.beat
        .marks
        .iter()
        .filter_map(|m| {
            let (x, y) = pos(m.at)?;
            let n = match used.iter_mut().find(|(a, _)| *a == m.at) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    used.push((m.at, 0));
                    0
                }
            };
            let bw = (m.label.chars().count() as f64 * 7.2 + 18.0).min(w - 4.0);
            let bx = (x - bw / 2.0).clamp(2.0, (w - bw - 2.0).max(2.0));
            let by = if y < CROSS {
                y + NODE_HH + 2.0 + BADGE * n as f64
            } else {
                y - NODE_HH - BADGE - BADGE * n as f64
            };
            Some(html! {
                <g class={classes!("badge", tone(m.kind))} data-mark={format!("{:?}", m.kind)}
                    transform={format!("translate({},{})", r1(bx), r1(by))}>
                    <rect width={r1(bw)} height="21" rx="10.5" />
                    <text x={r1(bw / 2.0)} y="15" text-anchor="middle">{m.label.clone()}</text>
                </g>
            })
        })
        .collect()
}

/// The message of the step: a wire from sender to receiver and a token on it.
fn token(st: &StageAt, pos: &dyn Fn(Actor) -> Option<(f64, f64)>, w: f64) -> Html {
    let Some(m) = &st.beat.msg else {
        return html! {};
    };
    let (Some(a), Some(b)) = (pos(m.from), pos(m.to)) else {
        return html! {};
    };
    // Between the rows: edge to edge, the token where the wire crosses the band between
    // them; in a row: up into the band above it (below, for the second row) and across,
    // the token midway.
    let (d, tx, ty) = if (a.1 < CROSS) != (b.1 < CROSS) {
        let s = if a.1 < b.1 { 1.0 } else { -1.0 };
        let (ay, by) = (a.1 + s * NODE_HH, b.1 - s * NODE_HH);
        let t = (CROSS - ay) / (by - ay);
        let d = format!("M{},{} L{},{}", r1(a.0), r1(ay), r1(b.0), r1(by));
        (d, a.0 + (b.0 - a.0) * t, CROSS)
    } else {
        let (s, band) = if a.1 < CROSS {
            (-1.0, BAND / 2.0)
        } else {
            (1.0, ROW1 + NODE_HH + BAND / 2.0)
        };
        let d = format!(
            "M{},{} V{} H{} V{}",
            r1(a.0),
            r1(a.1 + s * NODE_HH),
            r1(band),
            r1(b.0),
            r1(b.1 + s * NODE_HH)
        );
        (d, (a.0 + b.0) / 2.0, band)
    };
    let tw = (m.label.chars().count() as f64 * 8.0 + 18.0).min(w - 4.0);
    let tx = tx.clamp(tw / 2.0 + 2.0, (w - tw / 2.0 - 2.0).max(tw / 2.0 + 2.0));
    let back = m.to == Actor::Broker && m.from != Actor::Producer;
    html! {
        <>
            <path class="wb-wire" d={d} marker-end="url(#wb-arrow)" />
            <g class={classes!("token", if back { "t-back" } else { "t-fwd" }, m.lost.then_some("lost"), m.copy.then_some("copy"))}
                data-token={format!("{}→{}", m.from.word(), m.to.word())}
                transform={format!("translate({},{})", r1(tx), r1(ty))}>
                <rect class="pill" x={r1(-tw / 2.0)} y="-12" width={r1(tw)} height="24" rx="12" />
                <text x="0" y="5" text-anchor="middle">{m.label.clone()}</text>
            </g>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub replay: Rc<Replay>,
    /// The playhead: a beat of the replay.
    pub at: usize,
}

/// The stage at the playhead's step, with the stores beside it.
#[component]
pub fn ReplayStage(p: &StageProps) -> Html {
    let wrap = use_node_ref();
    let w = use_frame_width(&wrap, (0, 0)).max(280.0);
    let Some(st) = p.replay.stage_at(p.at) else {
        return html! {};
    };
    let (at, hw, h) = place(&p.replay.lanes, w);
    let pos = |a: Actor| at.iter().find(|(x, ..)| *x == a).map(|(_, x, y)| (*x, *y));
    let said = match &st.beat.msg {
        Some(m) => format!("{} → {}: {}", m.from.word(), m.to.word(), m.label),
        None => st.beat.line.clone(),
    };
    let down: Vec<&str> = st.down.iter().map(|a| a.word()).collect();
    let label = format!(
        "The stage at step {}: {said}{}",
        p.at + 1,
        if down.is_empty() {
            String::new()
        } else {
            format!("; down: {}", down.join(", "))
        }
    );
    let prev = p.at.checked_sub(1).and_then(|i| p.replay.beats.get(i));
    html! {
        <div class="wb-stage" ref={wrap} data-wb-stage="" data-step={p.at.to_string()}
            data-breaking={st.breaking.to_string()} data-down={down.join(",")}>
            <svg class="stage-svg wb-stage-svg" viewBox={format!("0 0 {} {}", r1(w), r1(h))} role="img" aria-label={label}>
                <defs>
                    <marker id="wb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="wb-arrowhead" />
                    </marker>
                </defs>
                {for at.iter().map(|(a, x, y)| node(*a, *x, *y, hw, &st))}
                {token(&st, &pos, w)}
                {badges(&st, &pos, w)}
            </svg>
            {stores_view(&st.beat.stores, prev.map(|b| &b.stores), &p.replay)}
        </div>
    }
}

/// What the stores hold after the step; a row that this step changed is marked. A row
/// appears when the run ever has something in it (the balances always).
fn stores_view(s: &Stores, prev: Option<&Stores>, r: &Replay) -> Html {
    let ever = |f: &dyn Fn(&Stores) -> bool| r.beats.iter().any(|b| f(&b.stores));
    let opt = |o: Option<u32>| o.map_or("none".to_string(), |v| v.to_string());
    let list = |v: &[String]| {
        if v.is_empty() {
            "empty".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut rows: Vec<(&str, &str, String, bool)> = Vec::new();
    for (i, (m, v)) in s.balances.iter().enumerate() {
        let was = prev.and_then(|p| p.balances.get(i)).map(|x| x.1);
        rows.push((
            "Balance",
            m.as_str(),
            v.to_string(),
            was.is_some_and(|x| x != *v),
        ));
    }
    let changed = |f: &dyn Fn(&Stores) -> String| prev.is_some_and(|p| f(p) != f(s));
    let mut row = |show: bool, what: &'static str, f: &dyn Fn(&Stores) -> String| {
        if show {
            rows.push((what, "", f(s), changed(f)));
        }
    };
    row(ever(&|x| !x.dedup.is_empty()), "Dedup table", &|x| {
        list(&x.dedup)
    });
    row(ever(&|x| x.stored.is_some()), "Stored offset", &|x| {
        opt(x.stored)
    });
    row(
        ever(&|x| x.committed.is_some()),
        "Committed offset (broker)",
        &|x| opt(x.committed),
    );
    row(ever(&|x| !x.cache.is_empty()), "Cache", &|x| list(&x.cache));
    row(ever(&|x| x.outbox > 0), "Outbox rows", &|x| {
        x.outbox.to_string()
    });
    row(ever(&|x| x.charges > 0), "Gateway charges", &|x| {
        x.charges.to_string()
    });
    row(ever(&|x| x.events > 0), "Downstream events", &|x| {
        x.events.to_string()
    });
    html! {
        <dl class="wb-stores" aria-label="What the stores hold after this step">
            {for rows.into_iter().map(|(what, m, v, ch)| html! {
                <div class={classes!("wb-store", ch.then_some("changed"))} data-store={what} data-merchant={m.to_string()} data-value={v.clone()}>
                    <dt>{what}{if m.is_empty() { String::new() } else { format!(" {m}") }}</dt>
                    <dd>{v}{if ch { " (changed)" } else { "" }}</dd>
                </div>
            })}
        </dl>
    }
}
