//! What processes keep, drawn beside them: broker partition logs, committed offsets,
//! dedup tables and outbox rows (placed by `layout::panel`), and the dedup table's size
//! over time under the stage.

use crate::sim::ids::{txn_name, Tick};
use crate::sim::replay::RecState;
use crate::ui::layout::{r1, Panel, PanelPart, CELL_W, WIDE};
use yew::prelude::*;

/// What a node keeps (placed by `layout::panel`): broker partition logs, committed
/// offsets, its dedup table, outbox rows — or one line of each on crowded stages.
pub(super) fn panel_view(p: &Panel) -> Html {
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

/// The dedup table's size over time, drawn up to the playhead: how window × rate
/// turns into storage.
pub(super) fn dedup_chart(sizes: &[(Tick, u32)], now: f64, end: Tick, width: f64) -> Html {
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
