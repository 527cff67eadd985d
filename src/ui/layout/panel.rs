//! A node's tables (partition logs, dedup tables, outboxes) at one point of the run.

use super::*;
use crate::sim::ids::{txn_name, Tick};
use crate::sim::replay::{LogRec, RecState, View};
use crate::sim::run::{NodeInfo, NodeKind};

/// One part of a node's tables, `y` below the top of the table area.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelPart {
    /// A partition log: the last `recs`, `skip` earlier ones not drawn.
    Log {
        title: String,
        recs: Vec<LogRec>,
        committed: Option<u32>,
    },
    /// One centred line.
    Line { text: String, class: &'static str },
    /// A boxed table with a title and rows (`true`: expires soon).
    Table {
        class: &'static str,
        title: String,
        rows: Vec<(String, bool)>,
    },
}

/// A node's tables at one point of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Top centre of the table area.
    pub at: Pt,
    pub w: f64,
    /// Parts and their baseline y (relative to `at`).
    pub parts: Vec<(f64, PanelPart)>,
    pub rect: Rect,
}

/// The tables of node `i` in `view` (None: it keeps nothing).
pub fn panel(lay: &StageLayout, i: usize, n: &NodeInfo, view: &View) -> Option<Panel> {
    let nd = lay.needs.get(i).copied().unwrap_or_default();
    let c = *lay.centres.get(i)?;
    let at = Pt::new(lay.panel_x[i], c.y + panel_top(&nd));
    let w = lay.panel_w[i];
    let compact = lay.compact && (lay.panel_w[i] < 200.0 || !lay.portrait);
    let mut parts: Vec<(f64, PanelPart)> = Vec::new();
    let mut y = 0.0;
    let line = |parts: &mut Vec<(f64, PanelPart)>, y: &mut f64, text: String, class| {
        let text = cut(&text, w, ROW_FONT);
        parts.push((*y, PanelPart::Line { text, class }));
        *y += 16.0;
    };
    let soon = |e: &Option<Tick>| e.is_some_and(|t| t <= view.tick + 3);
    let dedup: Vec<(u32, Option<Tick>)> = view
        .dedup
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), e)| (*k, *e))
        .collect();
    let outbox = n.kind == NodeKind::Database && !view.outbox.is_empty();
    // Idempotency keys kept at this node: (key, stored response for).
    let keys: Vec<(u32, Option<u32>)> = view
        .keys
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), (m, state, _))| {
            (
                *k,
                (*state != crate::sim::event::KeyState::InFlight).then_some(*m),
            )
        })
        .collect();
    if compact {
        for ((broker, part), recs) in view.logs.iter() {
            if *broker != n.id {
                continue;
            }
            let mark = |r: &LogRec| match r.state {
                RecState::Plain | RecState::Committed => "",
                RecState::Open => "…",
                RecState::Aborted => "✕",
            };
            let text = fit_tail(
                &format!("p{part}:"),
                recs.iter().map(|r| format!("t{}{}", r.msg, mark(r))),
                w,
            );
            line(&mut parts, &mut y, text, "p-row");
        }
        if let Some(off) = view.committed.get(&n.id) {
            line(&mut parts, &mut y, format!("committed: {off}"), "p-line");
        }
        if !dedup.is_empty() {
            let text = fit_tail(
                "seen:",
                dedup.iter().map(|(k, e)| {
                    if soon(e) {
                        format!("{k}⌛")
                    } else {
                        k.to_string()
                    }
                }),
                w,
            );
            line(&mut parts, &mut y, text, "p-row");
        }
        if outbox {
            let sent = view.outbox.values().filter(|p| **p).count();
            let text = format!("outbox: {} waiting, {sent} sent", view.outbox.len() - sent);
            line(&mut parts, &mut y, text, "p-row");
        }
        if !keys.is_empty() {
            let busy = keys.iter().filter(|(_, m)| m.is_none()).count();
            let text = format!("keys: {} stored, {busy} in flight", keys.len() - busy);
            line(&mut parts, &mut y, text, "p-row");
        }
    } else {
        let cells = ((w / CELL_W).floor() as usize).clamp(3, 7);
        for ((broker, part), recs) in view.logs.iter() {
            if *broker != n.id {
                continue;
            }
            let skip = recs.len().saturating_sub(cells);
            let room = cells as f64 * CELL_W;
            let title = [
                format!("partition {part} (+{skip} earlier)"),
                format!("partition {part} (+{skip})"),
                format!("p{part} (+{skip})"),
            ]
            .into_iter()
            .find(|t| skip == 0 || text_w(t, TITLE_FONT) <= room)
            .unwrap_or_default();
            let title = if skip == 0 {
                format!("partition {part}")
            } else {
                title
            };
            parts.push((
                y,
                PanelPart::Log {
                    title,
                    recs: recs[skip..].to_vec(),
                    committed: view.committed.get(&n.id).copied(),
                },
            ));
            y += 52.0;
        }
        if let Some(off) = view.committed.get(&n.id) {
            let what = if n.kind == NodeKind::Relay {
                "relay progress"
            } else {
                "committed offset"
            };
            line(&mut parts, &mut y, format!("{what}: {off}"), "p-line");
            y += 2.0;
        }
        let table = |parts: &mut Vec<(f64, PanelPart)>,
                     y: &mut f64,
                     class: &'static str,
                     title: String,
                     rows: Vec<(String, bool)>,
                     max: usize| {
            let skip = rows.len().saturating_sub(max);
            let rows: Vec<(String, bool)> = rows.into_iter().skip(skip).collect();
            let n = rows.len();
            parts.push((*y, PanelPart::Table { class, title, rows }));
            *y += 30.0 + 17.0 * n as f64;
        };
        if !dedup.is_empty() {
            let total = dedup.len();
            let rows = dedup
                .iter()
                .map(|(k, e)| {
                    let t = match e {
                        Some(t) => format!("id {k} · exp t{t}"),
                        None => format!("id {k} · kept"),
                    };
                    (if soon(e) { format!("{t} ⌛") } else { t }, soon(e))
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "dedup",
                format!("dedup table · {total}"),
                rows,
                DEDUP_ROWS,
            );
        }
        if outbox {
            let rows = view
                .outbox
                .iter()
                .map(|(m, p)| {
                    (
                        format!(
                            "{} · {}",
                            txn_name(*m),
                            if *p { "✓ sent" } else { "waiting" }
                        ),
                        false,
                    )
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "outbox",
                format!("outbox · {}", view.outbox.len()),
                rows,
                OUTBOX_ROWS,
            );
        }
        if !keys.is_empty() {
            // Key, status and the stored response a retry gets back.
            let rows = keys
                .iter()
                .map(|(k, m)| {
                    let row = match m {
                        None => format!("key {k} · in flight"),
                        Some(m) => format!("key {k} · 200 ({})", txn_name(*m)),
                    };
                    (row, false)
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "dedup keys",
                format!("idempotency keys · {}", keys.len()),
                rows,
                DEDUP_ROWS,
            );
        }
    }
    if parts.is_empty() {
        return None;
    }
    let (mut top, mut bottom, mut widest) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
    for (y, part) in &parts {
        let (t, b, pw) = match part {
            PanelPart::Log { title, recs, .. } => (
                y - 16.0,
                y + 42.0,
                (recs.len().max(1) as f64 * CELL_W).max(text_w(title, TITLE_FONT)),
            ),
            PanelPart::Line { text, .. } => (y - ROW_FONT, y + 4.0, text_w(text, ROW_FONT)),
            PanelPart::Table { title, rows, .. } => (
                y - 14.0,
                y + 8.0 + 17.0 * rows.len() as f64,
                table_w(title, rows, w),
            ),
        };
        top = top.min(t);
        bottom = bottom.max(b);
        widest = widest.max(pw);
    }
    let pw = widest.min(w);
    // In portrait the table area spans the node's column: the tables sit as close
    // under the node as the area allows.
    let slack = (w - pw) / 2.0;
    let at = if lay.portrait {
        Pt::new(c.x.clamp(at.x - slack, at.x + slack), at.y)
    } else {
        at
    };
    Some(Panel {
        at,
        w: pw,
        rect: Rect::new(at.x - pw / 2.0, at.y + top, at.x + pw / 2.0, at.y + bottom),
        parts,
    })
}

/// Width of a boxed table in a table area `w` wide: its widest line and margins, at
/// least 170 units (when there is room).
pub fn table_w(title: &str, rows: &[(String, bool)], w: f64) -> f64 {
    let inner = rows
        .iter()
        .map(|(t, _)| text_w(t, ROW_FONT))
        .fold(text_w(title, TITLE_FONT), f64::max);
    (inner + 16.0).max(w.min(170.0)).min(w)
}

/// `head` and as many of the last `items` as fit in `w` (with "…" for the rest).
fn fit_tail(head: &str, items: impl DoubleEndedIterator<Item = String>, w: f64) -> String {
    let all: Vec<String> = items.collect();
    let mut k = all.len();
    loop {
        let skip = all.len() - k;
        let text = format!(
            "{head} {}{}",
            if skip > 0 { "… " } else { "" },
            all[skip..].join(" ")
        );
        if k == 0 || text_w(&text, ROW_FONT) <= w {
            return text.trim_end().to_string();
        }
        k -= 1;
    }
}
