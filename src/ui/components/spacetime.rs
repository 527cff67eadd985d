//! The space-time (sequence) diagram: one horizontal lane per process, time to the
//! right, every transmission an arrow from its send to its arrival. Only the past is
//! drawn — the diagram grows as the playhead moves. A lost transmission stops halfway
//! in a ✕; a network copy is dotted and tagged; crashes and GC pauses mark the lane.

use crate::sim::event::{EntryKind, Ev, MsgKind, SkipWhy};
use crate::sim::ids::{txn_name, NodeId, Tick};
use crate::sim::ledger::rupees;
use crate::ui::facts::token_label;
use crate::ui::layout::{arrow_at, lane_y, r1, time_window, time_x, TimeWindow};
use crate::ui::state::{Action, RunData};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SpacetimeProps {
    pub run: Rc<RunData>,
    pub index: usize,
    pub now: f64,
    pub dispatch: Callback<Action>,
}

#[derive(Clone, Debug, PartialEq)]
struct Arrow {
    net: u32,
    from: usize,
    to: usize,
    sent: Tick,
    arrive: Tick,
    lost: bool,
    copy_of: Option<u32>,
    back: bool,
    messenger: bool,
    label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MarkKind {
    Apply,
    ApplyAgain,
    Compensate,
    Skip,
    Commit,
    Crash,
    Timeout,
    Reject,
    Decide,
    Operator,
}

#[derive(Clone, Debug, PartialEq)]
struct Mark {
    lane: usize,
    tick: Tick,
    kind: MarkKind,
    label: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Span {
    lane: usize,
    from: Tick,
    to: Option<Tick>,
    down: bool,
}

#[derive(Default, PartialEq)]
struct Diagram {
    lanes: Vec<String>,
    arrows: Vec<Arrow>,
    marks: Vec<Mark>,
    spans: Vec<Span>,
}

fn build(run: &RunData, i: usize) -> Diagram {
    let Some(tr) = run.techniques().get(i) else {
        return Diagram::default();
    };
    let lane_of = |id: NodeId| tr.nodes.iter().position(|n| n.id == id).unwrap_or(0);
    let mut d = Diagram {
        lanes: tr.nodes.iter().map(|n| n.name.clone()).collect(),
        ..Diagram::default()
    };
    let mut applied = std::collections::BTreeSet::new();
    for e in &tr.trace {
        match e.ev {
            Ev::Send {
                net,
                from,
                to,
                p,
                arrive,
                lost,
                copy_of,
                ..
            } => d.arrows.push(Arrow {
                net: net.0,
                from: lane_of(from),
                to: lane_of(to),
                sent: e.tick,
                arrive,
                lost,
                copy_of: copy_of.map(|c| c.0),
                back: matches!(p.kind, MsgKind::Ack | MsgKind::Response),
                messenger: p.kind == MsgKind::Messenger,
                label: if p.attempt > 0 && p.kind != MsgKind::Messenger {
                    format!("{} ↻{}", token_label(&p, run.unit()), p.attempt)
                } else {
                    token_label(&p, run.unit())
                },
            }),
            Ev::Apply { node, entry } => {
                let (kind, label) = if entry.kind == EntryKind::Compensation {
                    (
                        MarkKind::Compensate,
                        format!("comp {}", rupees(entry.amount)),
                    )
                } else if !applied.insert(entry.msg) {
                    (
                        MarkKind::ApplyAgain,
                        format!("{} again", txn_name(entry.msg)),
                    )
                } else {
                    (MarkKind::Apply, txn_name(entry.msg))
                };
                d.marks.push(Mark {
                    lane: lane_of(node),
                    tick: e.tick,
                    kind,
                    label,
                });
            }
            Ev::Skip { node, msg, why } if why != SkipWhy::NoKey => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Skip,
                label: format!("skip {}", txn_name(msg)),
            }),
            Ev::Commit { node, value, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Commit,
                label: format!("commit {value}"),
            }),
            Ev::Timeout { node, msg, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Timeout,
                label: format!("timeout {}", txn_name(msg)),
            }),
            Ev::Rejected { node, msg, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Reject,
                label: format!("reject {}", txn_name(msg)),
            }),
            Ev::Decide { node, attack } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Decide,
                label: if attack {
                    "attack".into()
                } else {
                    "hold".into()
                },
            }),
            Ev::Operator { node, value, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Operator,
                label: format!("reset → {value}"),
            }),
            Ev::Crash { node } => {
                d.marks.push(Mark {
                    lane: lane_of(node),
                    tick: e.tick,
                    kind: MarkKind::Crash,
                    label: "crash".into(),
                });
                d.spans.push(Span {
                    lane: lane_of(node),
                    from: e.tick,
                    to: None,
                    down: true,
                });
            }
            Ev::Pause { node, .. } => d.spans.push(Span {
                lane: lane_of(node),
                from: e.tick,
                to: None,
                down: false,
            }),
            Ev::Restart { node } | Ev::Resume { node } => {
                let lane = lane_of(node);
                if let Some(s) = d
                    .spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.lane == lane && s.to.is_none())
                {
                    s.to = Some(e.tick);
                }
            }
            _ => {}
        }
    }
    d
}

const W: f64 = 780.0;
const X0: f64 = 104.0;
const X1: f64 = 760.0;
const TOP: f64 = 58.0;
/// Widest window shown at once, in ticks.
const MAX_SPAN: f64 = 80.0;

fn tick_step(span: f64) -> u32 {
    for s in [1u32, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] {
        if span / f64::from(s) <= 12.0 {
            return s;
        }
    }
    10_000
}

#[component]
pub fn Spacetime(props: &SpacetimeProps) -> Html {
    let diagram = {
        let run = props.run.clone();
        let i = props.index;
        use_memo((run.gen, i), move |_| build(&run, i))
    };
    let n = diagram.lanes.len().max(1);
    // Few lanes get more room each; many lanes stay readable without growing forever.
    let gap = if n <= 2 {
        130.0
    } else {
        (260.0 / (n - 1) as f64).max(62.0)
    };
    let h = TOP + gap * (n.max(2) - 1) as f64 + 44.0;
    let y0 = TOP + 10.0;
    let y1 = h - 38.0;
    let lane = |i: usize| lane_y(i, n, y0, y1);
    let now = props.now.clamp(0.0, f64::from(props.run.end));
    let w: TimeWindow = time_window(now, props.run.end, MAX_SPAN);
    let x = |t: f64| time_x(t, &w, X0, X1);
    let dense = w.span() > 40.0;
    let step = tick_step(w.span());

    let grid = {
        let first = (w.start / f64::from(step)).ceil() as u32 * step;
        let mut ticks = Vec::new();
        let mut t = first;
        while f64::from(t) <= w.end {
            ticks.push(t);
            t += step;
        }
        ticks
            .into_iter()
            .map(|t| {
                let xx = x(f64::from(t));
                html! {
                    <g class="st-grid">
                        <line x1={r1(xx)} y1={r1(TOP - 8.0)} x2={r1(xx)} y2={r1(h - 24.0)} />
                        <text x={r1(xx)} y={r1(TOP - 14.0)} text-anchor="middle">{t}</text>
                    </g>
                }
            })
            .collect::<Html>()
    };

    let lanes = diagram.lanes.iter().enumerate().map(|(i, name)| {
        let y = lane(i);
        html! {
            <g class="st-lane">
                <text class="st-name" x={r1(X0 - 14.0)} y={r1(y + 5.0)} text-anchor="end">{name.clone()}</text>
                <line x1={r1(X0)} y1={r1(y)} x2={r1(x(now))} y2={r1(y)} />
                <line class="st-future" x1={r1(x(now))} y1={r1(y)} x2={r1(X1)} y2={r1(y)} />
            </g>
        }
    });

    let spans = diagram.spans.iter().filter(|s| f64::from(s.from) <= now).map(|s| {
        let a = x(f64::from(s.from).max(w.start));
        let end = s.to.map(f64::from).unwrap_or(now).min(now).min(w.end);
        let b = x(end);
        if b <= a {
            return html! {};
        }
        let y = lane(s.lane);
        let cls = if s.down { "st-span down" } else { "st-span paused" };
        html! {
            <g class={cls}>
                <rect x={r1(a)} y={r1(y - 7.0)} width={r1(b - a)} height="14" rx="3" />
                <text x={r1(a + 4.0)} y={r1(y + 22.0)}>{if s.down { "down" } else { "GC pause" }}</text>
            </g>
        }
    });

    let arrows = diagram
        .arrows
        .iter()
        .filter(|a| f64::from(a.sent) <= now && f64::from(a.arrive) >= w.start && f64::from(a.sent) <= w.end)
        .filter_map(|a| {
            let d = arrow_at(a.sent, a.arrive, a.lost, lane(a.from), lane(a.to), now, &w, X0, X1)?;
            let cls = classes!(
                "st-arrow",
                a.back.then_some("back"),
                a.messenger.then_some("messenger"),
                a.lost.then_some("lost"),
                a.copy_of.is_some().then_some("copy"),
                (!d.complete).then_some("flying")
            );
            let marker = if d.complete && !a.lost { "url(#st-head)" } else { "" };
            let mid = d.from.lerp(d.to, if a.copy_of.is_some() { 0.7 } else { 0.4 });
            let show_label = !dense || a.lost || a.copy_of.is_some();
            Some(html! {
                <g key={a.net} class={cls} data-st-net={a.net.to_string()}>
                    <line x1={r1(d.from.x)} y1={r1(d.from.y)} x2={r1(d.to.x)} y2={r1(d.to.y)} marker-end={marker} />
                    if a.lost && d.complete {
                        <text class="st-x" x={r1(d.to.x)} y={r1(d.to.y + 5.0)} text-anchor="middle">{"✕"}</text>
                    }
                    if show_label {
                        <text class="st-label" x={r1(mid.x + 5.0)} y={r1(mid.y + if a.copy_of.is_some() { 12.0 } else { -5.0 })}>
                            {a.label.clone()}{if a.copy_of.is_some() { " (copy)" } else { "" }}
                        </text>
                    }
                </g>
            })
        });

    let marks = diagram
        .marks
        .iter()
        .enumerate()
        .filter(|(_, m)| f64::from(m.tick) <= now && w.contains(f64::from(m.tick)))
        .map(|(k, m)| {
            let cx = x(f64::from(m.tick));
            let cy = lane(m.lane);
            let (cls, glyph) = match m.kind {
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
            };
            let important = matches!(
                m.kind,
                MarkKind::ApplyAgain | MarkKind::Crash | MarkKind::Compensate | MarkKind::Decide | MarkKind::Operator
            );
            html! {
                <g key={k} class={classes!("st-mark", cls)}>
                    <title>{format!("tick {}: {}", m.tick, m.label)}</title>
                    <circle cx={r1(cx)} cy={r1(cy)} r="8" />
                    <text class="st-glyph" x={r1(cx)} y={r1(cy + 4.0)} text-anchor="middle">{glyph}</text>
                    if !dense || important {
                        <text class="st-mlabel" x={r1(cx)} y={r1(cy + 24.0)} text-anchor="middle">{m.label.clone()}</text>
                    }
                </g>
            }
        });

    let px = x(now);
    html! {
        <div class="spacetime-wrap" style={format!("width: min(100%, calc(40vh * {W} / {}))", r1(h))}>
            <svg class="spacetime-svg" viewBox={format!("0 0 {W} {}", r1(h))} role="img"
                style={format!("aspect-ratio: {W} / {}", r1(h))}
                aria-label={format!("Space-time diagram up to tick {}: {} lanes, {} transmissions so far",
                    now.floor(), n, diagram.arrows.iter().filter(|a| f64::from(a.sent) <= now).count())}>
                <defs>
                    <marker id="st-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="st-head" />
                    </marker>
                </defs>
                <rect class="st-future-bg" x={r1(px)} y={r1(TOP - 8.0)} width={r1((X1 - px).max(0.0))} height={r1(h - TOP - 16.0)} />
                {grid}
                { for lanes }
                { for spans }
                // Keyed lists in fragments of their own (`{ for }` children are flattened into
                // the parent's unkeyed list, where their keys would be ignored).
                <>{ for arrows }</>
                <>{ for marks }</>
                <g class="st-playhead">
                    <line x1={r1(px)} y1={r1(TOP - 30.0)} x2={r1(px)} y2={r1(h - 20.0)} />
                    <text x={r1(px)} y={r1(TOP - 36.0)} text-anchor="middle">{format!("now · t{}", now.floor())}</text>
                </g>
                <text class="st-axis" x={r1(X0 - 14.0)} y={r1(TOP - 14.0)} text-anchor="end">{"tick"}</text>
            </svg>
            <p class="stage-hint muted">{"Lanes are processes; time runs right. ✕ = lost, dotted = network copy, shaded = not happened yet."}</p>
        </div>
    }
}
